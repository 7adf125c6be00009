"""The kitchen model: latencies worked out by hand from the scheduling rules."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, TypedDict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kitchen_tui.protocol.menu import MENU, Dish, Step, StepKind
from kitchen_tui.protocol.orders import Order
from kitchen_tui.protocol.settings import KitchenSettings, Mode
from kitchen_tui.stream.model import Prediction, predict
from tests.conftest import nominal_seconds

if TYPE_CHECKING:
    from typing_extensions import Unpack


class Knobs(TypedDict, total=False):
    """The settings a property test turns, besides the mode."""

    prep_shelf: bool
    cooks: int


class RunKnobs(Knobs, total=False):
    """The settings a worked example turns, besides the mode."""

    shelf_size: int
    front_desk: int


def dish(name: str, *steps: tuple[StepKind, float]) -> Dish:
    return Dish(name, name, tuple(Step(kind, seconds, kind) for kind, seconds in steps))


DISHES: dict[str, Dish] = {
    **MENU,
    "crunch": dish("crunch", ("cpu", 1.0)),
    "half": dish("half", ("cpu", 0.5)),
    "second": dish("second", ("wait", 1.0)),
    "nothing": dish("nothing"),
    "zeros": dish("zeros", ("wait", 0.0), ("cpu", 0.0), ("blocking", 0.0)),
}


def run(
    orders: Sequence[Order],
    mode: Mode,
    durations: Mapping[str, Sequence[float]] | None = None,
    **knobs: Unpack[RunKnobs],
) -> dict[str, Prediction]:
    kitchen = KitchenSettings(mode=mode, **knobs)
    return {p.id: p for p in predict(orders, DISHES, kitchen, durations)}


def served(predictions: Mapping[str, Prediction]) -> dict[str, float | None]:
    return {key: p.served for key, p in predictions.items()}


THREE_TABLES = [Order("A", "llm"), Order("B", "redis"), Order("C", "postgres")]


# --- the lesson's figures ---------------------------------------------------------------------


def test_three_tables_sync_serves_in_turn() -> None:
    # One cook: A 0 -> 2.00, B 2.00 -> 2.05, C 2.05 -> 2.13.
    assert served(run(THREE_TABLES, "sync")) == pytest.approx({"A": 2.0, "B": 2.05, "C": 2.13})


@pytest.mark.parametrize("mode", ["async", "threads"])
def test_three_tables_overlap_their_waits(mode: Mode) -> None:
    # All three waits start at 0 (loop free / 40 cooks): each is served after its own wait.
    result = run(THREE_TABLES, mode)
    assert served(result) == pytest.approx({"A": 2.0, "B": 0.05, "C": 0.08})
    assert [p.seated for p in result.values()] == [0.0, 0.0, 0.0]


TEN_CHATS = [Order(f"u{i}", "message") for i in range(10)]


def test_ten_chats_sync_last_after_18_4() -> None:
    # Each message is 0.04 cpu + 1.8 wait = 1.84 on the one cook: the i-th ends at 1.84 * (i+1).
    result = served(run(TEN_CHATS, "sync"))
    assert result == pytest.approx({f"u{i}": 1.84 * (i + 1) for i in range(10)})


def test_ten_chats_async_cpu_slices_queue_on_the_loop() -> None:
    # The loop runs the i-th 0.04 cpu slice over [0.04 i, 0.04 (i+1)], then its 1.8 wait:
    # ready again at 1.84 + 0.04 i, the loop is idle by then, so served at once.
    result = run(TEN_CHATS, "async")
    assert served(result) == pytest.approx({f"u{i}": 1.84 + 0.04 * i for i in range(10)})
    assert [p.seated for p in result.values()] == pytest.approx([0.04 * i for i in range(10)])


def test_ten_chats_threads_share_the_gil() -> None:
    # Ten 0.04 cpu steps at rate 1/10 all end at 0.4, then ten parallel 1.8 waits: 2.2.
    result = served(run(TEN_CHATS, "threads"))
    assert result == pytest.approx({f"u{i}": 2.2 for i in range(10)})


PDF_AND_REDIS = [Order("pdf", "pdf"), Order("r", "redis", at=1.0)]


def test_pdf_inline_stalls_the_loop() -> None:
    # The pdf holds the loop 0 -> 15; the redis arriving at 1.0 is seated at 15, served 15.05.
    result = run(PDF_AND_REDIS, "async")
    assert result["r"].seated == pytest.approx(15.0)
    assert result["r"].served == pytest.approx(15.05)
    assert result["r"].latency == pytest.approx(14.05)
    assert result["pdf"].served == pytest.approx(15.0)


def test_pdf_on_the_shelf_keeps_the_loop_free() -> None:
    # The pdf goes to a worker at 0 (back at 15); the loop seats the redis at 1.0: 1.05.
    result = run(PDF_AND_REDIS, "async", prep_shelf=True, shelf_size=2)
    assert served(result) == pytest.approx({"pdf": 15.0, "r": 1.05})


# --- threads: the GIL -------------------------------------------------------------------------


def test_gil_two_cpu_steps_together() -> None:
    # Two 0.5 s steps at rate 1/2 each: both done at 1.0.
    result = served(run([Order("a", "half"), Order("b", "half")], "threads"))
    assert result == pytest.approx({"a": 1.0, "b": 1.0})


def test_gil_staggered_starts() -> None:
    # a alone 0 -> 0.25 (0.25 done); shared 0.25 -> 0.75 (0.25 each): a done at 0.75;
    # b has 0.25 left, alone: 1.0.
    result = served(run([Order("a", "half"), Order("b", "half", at=0.25)], "threads"))
    assert result == pytest.approx({"a": 0.75, "b": 1.0})


def test_gil_ignores_waits_and_blocking() -> None:
    # A wait or a blocking call does not hold the GIL: the cpu step runs at full rate.
    orders = [Order("cpu", "half"), Order("io", "second"), Order("block", "sneaky")]
    result = served(run(orders, "threads"))
    assert result == pytest.approx({"cpu": 0.5, "io": 1.0, "block": 1.0})


def test_shelf_steps_skip_the_gil_in_threads() -> None:
    # On a 2-worker shelf the two 0.5 s steps run side by side: both 0.5, not 1.0.
    orders = [Order("a", "half"), Order("b", "half")]
    result = served(run(orders, "threads", prep_shelf=True, shelf_size=2))
    assert result == pytest.approx({"a": 0.5, "b": 0.5})


# --- cooks and FIFO ---------------------------------------------------------------------------


def test_sync_has_one_cook_whatever_the_cooks_knob() -> None:
    # Three 1 s waits on one cook: 1, 2, 3.
    orders = [Order(f"o{i}", "second") for i in range(3)]
    assert served(run(orders, "sync", cooks=40)) == pytest.approx({"o0": 1, "o1": 2, "o2": 3})


def test_threads_seat_fifo_when_a_cook_frees() -> None:
    # Two cooks: o0 and o1 run 0 -> 1; o2 (arrived 0.5) is seated at 1.0 -> 2.0.
    orders = [Order("o0", "second"), Order("o1", "second"), Order("o2", "second", at=0.5)]
    result = run(orders, "threads", cooks=2)
    assert served(result) == pytest.approx({"o0": 1.0, "o1": 1.0, "o2": 2.0})
    assert result["o2"].seated == pytest.approx(1.0)


def test_arrival_ties_go_by_position() -> None:
    # Listed out of order: a1 and a2 tie at 0 (a1 first by position), b comes at 0.5.
    # One cook, 1 s of cpu each: a1 0 -> 1, a2 1 -> 2, b 2 -> 3. Results keep the input order.
    orders = [Order("b", "crunch", at=0.5), Order("a1", "crunch"), Order("a2", "crunch")]
    predictions = predict(orders, DISHES, KitchenSettings(mode="sync"))
    assert [p.id for p in predictions] == ["b", "a1", "a2"]
    assert [p.served for p in predictions] == pytest.approx([3.0, 1.0, 2.0])


def test_async_ready_ties_go_by_position() -> None:
    # Three 1 s cpu steps arriving together hold the loop in list order: 1, 2, 3.
    orders = [Order("x", "crunch"), Order("y", "crunch"), Order("z", "crunch")]
    assert served(run(orders, "async")) == pytest.approx({"x": 1.0, "y": 2.0, "z": 3.0})


# --- the prep shelf ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("workers", "expected"),
    [
        (1, {"p0": 1.0, "p1": 2.0, "p2": 3.0}),  # one worker: one after another
        (2, {"p0": 1.0, "p1": 1.0, "p2": 2.0}),  # two: p2 waits for the first free worker
    ],
)
def test_shelf_is_fifo(workers: int, expected: dict[str, float]) -> None:
    orders = [Order(f"p{i}", "crunch") for i in range(3)]
    result = run(orders, "async", prep_shelf=True, shelf_size=workers)
    assert served(result) == pytest.approx(expected)
    # Handing a step to the shelf takes no loop time: all three are seated at 0.
    assert [p.seated for p in result.values()] == [0.0, 0.0, 0.0]


def test_shelf_in_sync_still_blocks_the_cook() -> None:
    # The cook waits for the worker: 1 s of cpu each, one after another.
    orders = [Order("a", "crunch"), Order("b", "crunch")]
    result = served(run(orders, "sync", prep_shelf=True, shelf_size=2))
    assert result == pytest.approx({"a": 1.0, "b": 2.0})


# --- the front desk ---------------------------------------------------------------------------


def test_front_desk_refuses_in_sync() -> None:
    # o0 is seated at once; o1, o2 wait (desk 2 = capacity); o3 finds the desk full: 86'd.
    # At 1.5 the desk holds only o2 (o1 was seated at 1.0), so late is accepted: seated 3, out 4.
    orders = [Order(f"o{i}", "second") for i in range(4)] + [Order("late", "second", at=1.5)]
    result = run(orders, "sync", front_desk=2)
    assert served(result) == pytest.approx(
        {"o0": 1.0, "o1": 2.0, "o2": 3.0, "o3": None, "late": 4.0}
    )
    refused = result["o3"]
    assert refused.refused and refused.seated is None and refused.latency is None


def test_front_desk_fills_in_async_only_while_the_loop_is_busy() -> None:
    # The sneaky blocker holds the loop 0 -> 1. Redis orders at 0.1 and 0.2 fill the desk (2);
    # those at 0.3 and 0.4 are refused. At 1.0 the loop seats r1 then r2 (both off to the rail),
    # both ready at 1.05 and served then. After the stall, r5 at 1.5 is seated at once: 1.55.
    orders = [Order("s", "sneaky")]
    orders += [Order(f"r{i}", "redis", at=0.1 * i) for i in range(1, 5)]
    orders += [Order("r5", "redis", at=1.5)]
    result = run(orders, "async", front_desk=2)
    assert served(result) == pytest.approx(
        {"s": 1.0, "r1": 1.05, "r2": 1.05, "r3": None, "r4": None, "r5": 1.55}
    )
    assert result["r1"].seated == result["r2"].seated == pytest.approx(1.0)


def test_front_desk_stays_empty_when_the_loop_is_free() -> None:
    # Tickets that start with a wait are seated the moment they arrive: none refused.
    orders = [Order(f"o{i}", "llm") for i in range(5)]
    result = run(orders, "async", front_desk=1)
    assert not any(p.refused for p in result.values())


# --- edge cases -------------------------------------------------------------------------------


def test_durations_override_the_nominal_ones() -> None:
    # A's llm wait measured 0.5 instead of 2.0: sync gives A 0.5, B 0.55, C 0.63.
    result = served(run(THREE_TABLES, "sync", durations={"A": [0.5]}))
    assert result == pytest.approx({"A": 0.5, "B": 0.55, "C": 0.63})


def test_durations_must_match_the_steps() -> None:
    with pytest.raises(ValueError, match="1 steps"):
        run(THREE_TABLES, "sync", durations={"A": [0.5, 0.5]})


@pytest.mark.parametrize("mode", ["sync", "threads", "async"])
def test_zero_step_dishes_are_served_at_seat_time(mode: Mode) -> None:
    # Behind a 1 s cpu step: seated (and served) at 1.0 in sync and async, at 0 in threads.
    orders = [Order("c", "crunch"), Order("n", "nothing"), Order("z", "zeros")]
    result = run(orders, mode)
    start = 0.0 if mode == "threads" else 1.0
    for key in ("n", "z"):
        assert result[key].seated == pytest.approx(start)
        assert result[key].served == pytest.approx(start)


def test_a_failing_step_ends_the_ticket() -> None:
    # The first wait raises after 0.3 s: the 5 s wait after it never runs.
    flaky = Dish("flaky", "flaky", (Step("wait", 0.3, "call", "timeout"), Step("wait", 5.0, "x")))
    (prediction,) = predict([Order("f", "flaky")], {"flaky": flaky}, KitchenSettings())
    assert prediction.failed and prediction.served == pytest.approx(0.3)


def test_unknown_dish_raises_key_error() -> None:
    with pytest.raises(KeyError, match="unknown dish 'soup'"):
        predict([Order("o", "soup")], DISHES, KitchenSettings())


@pytest.mark.parametrize("mode", ["async", "threads"])
def test_ten_thousand_orders_are_quick(mode: Mode) -> None:
    orders = [
        Order(str(i), ("chat", "message", "redis")[i % 3], at=i * 0.001) for i in range(10_000)
    ]
    start = time.perf_counter()
    result = predict(orders, DISHES, KitchenSettings(mode=mode, front_desk=10**6))
    assert time.perf_counter() - start < 5.0  # about 0.3 s; generous for a shared machine
    assert all(p.served is not None for p in result)


# --- properties -------------------------------------------------------------------------------

KINDS: tuple[StepKind, ...] = ("wait", "cpu", "blocking")
SECONDS = (0.0, 0.01, 0.05, 0.1, 0.5)
STEPS = st.tuples(st.sampled_from(KINDS), st.sampled_from(SECONDS))
WAITS = st.tuples(st.sampled_from(KINDS[:1]), st.sampled_from(SECONDS))


@st.composite
def workloads(
    draw: st.DrawFn, steps: st.SearchStrategy[tuple[StepKind, float]] = STEPS
) -> tuple[list[Order], dict[str, Dish]]:
    menu = {
        f"d{i}": dish(f"d{i}", *draw(st.lists(steps, max_size=4)))
        for i in range(draw(st.integers(1, 4)))
    }
    times = st.sampled_from([0.0, 0.05, 0.1, 0.3, 1.0])
    picks = draw(st.lists(st.tuples(st.sampled_from(sorted(menu)), times), max_size=12))
    return [Order(f"o{i}", name, at) for i, (name, at) in enumerate(picks)], menu


def served_at(prediction: Prediction) -> float:
    """When the model serves the order: these workloads 86 none (the desk holds 1,000)."""
    assert prediction.served is not None
    return prediction.served


def kitchen(mode: Mode, **knobs: Unpack[Knobs]) -> KitchenSettings:
    return KitchenSettings(mode=mode, front_desk=1000, shelf_size=2, **knobs)


@settings(max_examples=150, deadline=None)
@given(workloads(), st.sampled_from(["sync", "threads", "async"]), st.booleans(), st.integers(1, 3))
def test_no_order_beats_its_dish(
    work: tuple[list[Order], dict[str, Dish]], mode: Mode, shelf: bool, cooks: int
) -> None:
    # Every step takes at least its duration, one after another, in every mode.
    orders, menu = work
    for p in predict(orders, menu, kitchen(mode, prep_shelf=shelf, cooks=cooks)):
        assert p.latency is not None
        assert p.latency >= nominal_seconds(menu[p.dish]) - 1e-9


@settings(max_examples=150, deadline=None)
@given(workloads(), st.booleans())
def test_sync_serves_in_arrival_order(
    work: tuple[list[Order], dict[str, Dish]], shelf: bool
) -> None:
    orders, menu = work
    predictions = predict(orders, menu, kitchen("sync", prep_shelf=shelf))
    by_arrival = sorted(range(len(orders)), key=lambda i: (orders[i].at, i))
    times = [served_at(predictions[i]) for i in by_arrival]
    assert times == sorted(times)
    # One cook: each is seated exactly when the one before it was served (or on arrival).
    previous = 0.0
    for i in by_arrival:
        p = predictions[i]
        assert p.seated == max(previous, p.arrived)
        previous = served_at(p)


@settings(max_examples=150, deadline=None)
@given(workloads(WAITS))
def test_async_waits_only_take_exactly_their_time(
    work: tuple[list[Order], dict[str, Dish]],
) -> None:
    # Nothing ever holds the loop, so each ticket is served after exactly its waits.
    orders, menu = work
    for p in predict(orders, menu, kitchen("async")):
        assert p.seated == p.arrived
        assert p.latency == pytest.approx(nominal_seconds(menu[p.dish]), abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(workloads(), st.booleans())
def test_threads_with_one_cook_is_sync(
    work: tuple[list[Order], dict[str, Dish]], shelf: bool
) -> None:
    orders, menu = work
    one_cook = predict(orders, menu, kitchen("threads", cooks=1, prep_shelf=shelf))
    assert one_cook == predict(orders, menu, kitchen("sync", prep_shelf=shelf))
