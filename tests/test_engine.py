"""The kitchen engine, for real: kitchen processes, real timings, the lesson's figures measured."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from kitchen_tui.protocol.events import STREAM_VERSION, Event, stall_level
from kitchen_tui.protocol.orders import Order
from kitchen_tui.protocol.settings import KitchenSettings, Mode
from kitchen_tui.stream.client import KitchenProcess
from kitchen_tui.stream.headless import RunResult, run_scenario
from kitchen_tui.stream.ledger import Ledger
from kitchen_tui.stream.model import predict
from kitchen_tui.talk.scenario import full_menu, load_scenario
from tests.conftest import SCHEDULING_TOLERANCE_S, Watcher, close_enough, dish, scenario
from tests.measured import measured_durations, measured_turns

StartKitchen = Callable[..., tuple[KitchenProcess, Watcher]]

pytestmark = pytest.mark.timeout(60)

# The lesson's figures, each within 20 ms: they stand 30 ms or more apart, and the served
# order is checked too. A sleep on a busy 2-core machine wakes several ms late, and sync's C
# sums three of them (2.137 s seen at load 4.7); the tight 5 ms figures are bench_engine.py's
# (docs/performance.md). Each latency is also the model's fed the measured durations.
TOLERANCE_S = 0.02

LESSON = {
    "sync": {"A": 2.00, "B": 2.05, "C": 2.13},
    "async": {"B": 0.05, "C": 0.08, "A": 2.00},
}


def once_more_if_noisy(check: Callable[[], None]) -> None:
    """Run a timing check; on a noisy machine allow ONE retry of the whole run, same tolerance."""
    try:
        check()
    except AssertionError:
        check()


def latencies(result: RunResult) -> dict[str, float]:
    found = {}
    for order in result.orders:
        assert order.outcome == "served", f"{order.id}: {order.outcome}"
        assert order.latency_s is not None
        found[order.id] = order.latency_s
    return found


def served_order(result: RunResult) -> list[str]:
    return [event["id"] for event in result.events if event["type"] == "served"]


def assert_splits_add_up(events: list[Event]) -> None:
    """Every served ticket's split: five parts, none negative, summing to its latency."""
    served = [event for event in events if event["type"] == "served"]
    assert served
    for event in served:
        split = event["split"]
        assert set(split) == {"front_desk", "ready", "cook", "rail", "shelf"}
        assert all(part >= 0 for part in split.values()), split
        assert sum(split.values()) == pytest.approx(event["latency_s"], abs=1e-5), split


def assert_matches_model(result: RunResult) -> None:
    """Each latency equals the model's, fed the durations the kitchen measured (5 ms + 1 %)."""
    settings = result.settings
    predictions = predict(
        result.scenario.orders,
        full_menu(result.scenario),
        settings,
        durations=measured_durations(result.events),
        turns=measured_turns(result.events),
    )
    measured = latencies(result)
    for prediction in predictions:
        assert prediction.latency is not None
        got = measured[prediction.id]
        assert close_enough(got, prediction.latency), (
            f"{prediction.id}: measured {got:.4f} s, model {prediction.latency:.4f} s"
        )


# --- the lesson's three tables ----------------------------------------------------------------


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
@pytest.mark.parametrize("mode", ["sync", "async"])
def test_three_tables_reproduce_the_lesson(mode: Mode, backend: str) -> None:
    def check() -> None:
        base = load_scenario("three-tables")
        result = run_scenario(base, KitchenSettings(mode=mode), backend=backend)
        got = latencies(result)
        for order_id, expected in LESSON[mode].items():
            assert got[order_id] == pytest.approx(expected, abs=TOLERANCE_S), (order_id, got)
        assert served_order(result) == list(LESSON[mode])
        assert_matches_model(result)
        assert_splits_add_up(result.events)

    once_more_if_noisy(check)


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_three_tables_with_threads_match_the_model(backend: str) -> None:
    def check() -> None:
        result = run_scenario(
            load_scenario("three-tables"), KitchenSettings(mode="threads"), backend=backend
        )
        got = latencies(result)
        for order in result.orders:
            assert order.predicted.latency is not None
            assert got[order.id] == pytest.approx(order.predicted.latency, abs=TOLERANCE_S)
        assert served_order(result) == ["B", "C", "A"]
        assert_matches_model(result)
        assert_splits_add_up(result.events)

    once_more_if_noisy(check)


def test_speed_two_keeps_story_latencies_and_halves_real_ones() -> None:
    def check() -> None:
        settings = KitchenSettings(mode="sync", speed=2.0)
        result = run_scenario(load_scenario("three-tables"), settings)
        got = latencies(result)
        real = {e["id"]: e["real_latency_s"] for e in result.events if e["type"] == "served"}
        for order_id, expected in LESSON["sync"].items():
            assert close_enough(got[order_id], expected), (order_id, got[order_id])
            assert close_enough(real[order_id], expected / 2), (order_id, real[order_id])
            # The ledger's real stamps agree with the event's own real latency.
            ticket = next(o.ticket for o in result.orders if o.id == order_id)
            assert ticket is not None and ticket.done is not None
            assert ticket.done - ticket.arrived == pytest.approx(real[order_id], abs=1e-6)
        assert result.wall_s == pytest.approx(2.13, abs=TOLERANCE_S + 0.0213)
        assert_splits_add_up(result.events)

    once_more_if_noisy(check)


def test_split_parts_add_up_in_every_place_a_ticket_goes() -> None:
    # Threads with two cooks: cpu steps contend for the GIL, blocking ones hold a cook, waits
    # ride the rail, and one cpu step goes to the prep shelf.
    dishes = [
        dish("mixed", ("wait", 0.03), ("cpu", 0.04), ("blocking", 0.02)),
        dish("crunch", ("cpu", 0.05), ("wait", 0.02)),
    ]
    orders = [Order(f"M{i}", "mixed", 0.01 * i) for i in range(4)] + [Order("K", "crunch", 0.0)]
    for settings in (
        KitchenSettings(mode="threads", cooks=2),
        KitchenSettings(mode="async", prep_shelf=True),
    ):
        result = run_scenario(scenario(orders, dishes), settings)
        assert_splits_add_up(result.events)
        parts = {o.id: o.ticket.split for o in result.orders if o.ticket is not None}
        assert parts["M0"]["rail"] == pytest.approx(0.03, abs=0.002)
        if settings.prep_shelf:
            assert parts["K"]["shelf"] >= 0.05
            assert parts["K"]["cook"] == 0.0
        else:
            assert parts["K"]["cook"] == pytest.approx(0.05, abs=0.003)
            assert parts["M3"]["front_desk"] > 0.01  # two cooks, four orders: some waited


# --- mode changes while orders are in flight --------------------------------------------------

SLOW = dish("slow", ("wait", 0.6))
QUICK = dish("quick", ("wait", 0.1))


def test_sync_to_async_seated_finish_as_they_started_waiting_follow(
    start_kitchen: StartKitchen,
) -> None:
    kitchen, watch = start_kitchen(KitchenSettings(mode="sync"))
    kitchen.define_dishes([SLOW, QUICK])
    watch.wait_type("dishes", timeout=5)
    kitchen.order([Order("S", "slow"), Order("Q1", "quick")])
    seated_s = watch.wait_type("seated", timeout=5, id="S")
    assert (seated_s["mode"], seated_s["cook"]) == ("sync", 0)
    watch.wait_type("arrived", timeout=5, id="Q1")  # Q1 waits at the desk for the one cook

    kitchen.configure(mode="async")
    switched = watch.wait_type("settings", timeout=5)
    assert switched["settings"]["mode"] == "async"
    kitchen.order([Order("Q2", "quick")])
    done = watch.wait_done({"S", "Q1", "Q2"}, timeout=10)

    seated = watch.by_id("seated")
    # S keeps its sync cook and its full 0.6 s; Q1 was still waiting, so it follows the new
    # mode at once instead of waiting for S; Q2 is new and async from the start.
    assert close_enough(done["S"]["latency_s"], 0.6, abs_s=SCHEDULING_TOLERANCE_S)
    assert seated["Q1"]["mode"] == "async" and seated["Q1"]["cook"] is None
    assert switched["t"] <= seated["Q1"]["t"] < done["S"]["t"]
    assert seated["Q2"]["mode"] == "async"
    assert close_enough(done["Q2"]["latency_s"], 0.1, abs_s=SCHEDULING_TOLERANCE_S)
    assert done["Q1"]["t"] < done["S"]["t"] and done["Q2"]["t"] < done["S"]["t"]
    assert_splits_add_up(watch.events)


def test_async_to_sync_seated_finish_as_they_started_new_ones_queue(
    start_kitchen: StartKitchen,
) -> None:
    kitchen, watch = start_kitchen(KitchenSettings(mode="async"))
    kitchen.define_dishes([SLOW, QUICK])
    watch.wait_type("dishes", timeout=5)
    kitchen.order([Order("S", "slow"), Order("Q1", "quick", 0.05)])
    watch.wait_type("step_started", timeout=5, id="Q1")  # both on the rail

    kitchen.configure(mode="sync")
    watch.wait_type("settings", timeout=5)
    kitchen.order([Order("Q2", "quick"), Order("Q3", "quick")])
    done = watch.wait_done({"S", "Q1", "Q2", "Q3"}, timeout=10)

    seated = watch.by_id("seated")
    assert seated["S"]["mode"] == seated["Q1"]["mode"] == "async"
    assert close_enough(
        done["Q1"]["latency_s"], 0.1, abs_s=SCHEDULING_TOLERANCE_S
    )  # it did not wait for S
    assert close_enough(done["S"]["latency_s"], 0.6, abs_s=SCHEDULING_TOLERANCE_S)
    # The new orders share the one cook: Q3 waits for Q2.
    assert (seated["Q2"]["mode"], seated["Q2"]["cook"]) == ("sync", 0)
    assert (seated["Q3"]["mode"], seated["Q3"]["cook"]) == ("sync", 0)
    assert close_enough(done["Q2"]["latency_s"], 0.1, abs_s=SCHEDULING_TOLERANCE_S)
    assert close_enough(done["Q3"]["latency_s"], 0.2, abs_s=SCHEDULING_TOLERANCE_S)
    assert seated["Q3"]["t"] >= done["Q2"]["t"]


# --- the prep shelf ---------------------------------------------------------------------------

CRUNCH = dish("crunch", ("cpu", 0.3))  # a PDF embed, shrunk to stay fast


def shelf_scenario_result(prep_shelf: bool) -> RunResult:
    orders = [Order("P", "crunch", 0.0), Order("R1", "redis", 0.02), Order("R2", "redis", 0.1)]
    settings = KitchenSettings(mode="async", prep_shelf=prep_shelf)
    return run_scenario(scenario(orders, [CRUNCH]), settings)


def test_prep_shelf_keeps_a_redis_order_fast_in_async() -> None:
    def check() -> None:
        result = shelf_scenario_result(prep_shelf=True)
        got = latencies(result)
        # The redis orders are not held by the 300 ms of CPU (inline, they wait past 0.25 s);
        # a 50 ms sleep may wake up to 25 ms late on a busy machine (67 ms seen at load 3.9).
        for order_id in ("R1", "R2"):
            assert close_enough(got[order_id], 0.05, abs_s=SCHEDULING_TOLERANCE_S), got
        # The CPU really ran, on a worker that shares 2 cores with everything else (353 ms
        # seen at load 3.9); the model, fed what the worker measured, has it exactly.
        assert 0.3 <= got["P"] < 0.6, got
        assert not [e for e in result.events if e["type"] == "stall"]
        (started,) = [e for e in result.events if e["type"] == "step_started" and e["id"] == "P"]
        assert started["where"] == "shelf"
        shelf = [e["type"] for e in result.events if e["type"].startswith("shelf_")]
        assert shelf == ["shelf_in", "shelf_out"]
        assert_matches_model(result)
        assert_splits_add_up(result.events)

    once_more_if_noisy(check)


def test_inline_cpu_stalls_the_loop_and_a_stall_names_the_order() -> None:
    def check() -> None:
        result = shelf_scenario_result(prep_shelf=False)
        got = latencies(result)
        # R1 arrived 20 ms into a 300 ms stall: it could not even be seated until it ended.
        assert got["R1"] > 0.25 + 0.05, got
        (stall,) = [e for e in result.events if e["type"] == "stall"]
        assert (stall["id"], stall["kind"], stall["i"]) == ("P", "cpu", 0)
        # 300 ms of this thread's CPU time: on a busy machine the wall clock runs on while
        # other processes have the core (0.61 s seen at load 4), never the other way.
        assert 0.3 - 0.005 <= stall["seconds"] < 1.0, stall
        assert stall["level"] == stall_level(stall["seconds"]) == 2  # 250 ms to 1 s
        assert result.summary()["loop_stall_s"] == pytest.approx(stall["seconds"])
        assert_matches_model(result)
        assert_splits_add_up(result.events)

    once_more_if_noisy(check)


# --- the front desk ---------------------------------------------------------------------------


@pytest.mark.parametrize(("mode", "cooks"), [("sync", 1), ("threads", 2)])
def test_free_cooks_take_orders_arriving_together_before_the_desk_can_fill(
    mode: Mode, cooks: int
) -> None:
    """Orders arriving at the same instant: each free cook takes one at once, the desk holds
    the next two, the rest are 86'd, as the model says (the doorman used to greet them all
    before any cook could take one, and 86'd orders with cooks standing free)."""
    orders = [Order(f"R{i}", "redis") for i in range(1, cooks + 4)]
    settings = KitchenSettings(mode=mode, cooks=cooks, front_desk=2)
    for _ in range(3):  # the same every time, not a lucky race
        result = run_scenario(scenario(orders), settings)
        outcomes = {order.id: order.outcome for order in result.orders}
        expected = {order.id: "served" for order in orders[:-1]} | {orders[-1].id: "refused"}
        assert outcomes == expected
        predicted = {order.id: order.predicted.refused for order in result.orders}
        assert predicted == {order.id: order.id == orders[-1].id for order in orders}


def test_a_free_loop_seats_a_burst_and_a_held_loop_fills_the_desk() -> None:
    """Async: 200 orders arriving together with a desk of 2 are all seated by the free loop
    (the doorman used to greet them faster than the loop could seat them, and 86'd 198);
    while a blocking call holds the loop, the desk fills and turns the rest away, as the
    model says."""
    burst = [Order(f"R{i}", "redis") for i in range(200)]
    held = [Order("B", "sneaky")] + [Order(f"Q{i}", "redis", 0.1 + 0.1 * i) for i in range(4)]
    settings = KitchenSettings(mode="async", front_desk=2)
    for orders, refused in ((burst, set()), (held, {"Q2", "Q3"})):
        result = run_scenario(scenario(orders), settings)
        assert {o.id for o in result.orders if o.outcome == "refused"} == refused
        assert {o.id for o in result.orders if o.predicted.refused} == refused


def test_an_order_of_a_dish_defined_just_before_is_greeted_on_time_during_a_stall(
    start_kitchen: StartKitchen,
) -> None:
    """A scenario's own dishes go to the kitchen right before its orders: the doorman must
    know them and greet such an order when it arrives, while a blocking call holds the loop
    (it used to leave them to the loop, which greeted them only when the stall ended)."""
    kitchen, watch = start_kitchen(KitchenSettings(mode="async"))
    kitchen.define_dishes([dish("hog", ("blocking", 0.3)), dish("quick", ("wait", 0.01))])
    kitchen.order([Order("H", "hog"), Order("Q", "quick", 0.05)])
    arrived = watch.wait_type("arrived", timeout=5, id="Q")
    stall = watch.wait_type("stall", timeout=5, id="H")
    assert arrived["seq"] < stall["seq"], "Q was greeted only once the stall was over"


def test_a_full_front_desk_86s_with_a_reason_and_counts_it(start_kitchen: StartKitchen) -> None:
    kitchen, watch = start_kitchen(KitchenSettings(mode="sync", front_desk=2))
    kitchen.define_dishes([dish("slow", ("wait", 0.3)), dish("quick", ("wait", 0.02))])
    watch.wait_type("dishes", timeout=5)
    orders = [Order("S", "slow")] + [Order(f"Q{i}", "quick", 0.05 + 0.01 * i) for i in range(5)]
    orders.append(Order("X", "no-such-dish", 0.0))
    kitchen.order(orders)
    done = watch.wait_done({o.id for o in orders}, timeout=10)

    # S is cooking; Q0 and Q1 fill the two places at the desk; the rest are turned away.
    outcome = {order_id: event["type"] for order_id, event in done.items()}
    assert outcome == {
        "S": "served",
        "Q0": "served",
        "Q1": "served",
        "Q2": "refused",
        "Q3": "refused",
        "Q4": "refused",
        "X": "failed",
    }
    for order_id in ("Q2", "Q3", "Q4"):
        assert done[order_id]["reason"] == "front desk full (2 waiting)"
    # A dish it does not serve: the order arrives and fails, saying why (it used to vanish).
    assert done["X"]["error"] == "unknown dish 'no-such-dish'"
    # Never silent: each order ends exactly once.
    finals = [e["id"] for e in watch.events if e["type"] in ("served", "failed", "refused")]
    assert sorted(finals) == sorted(o.id for o in orders)
    beat = watch.wait_type("heartbeat", timeout=2, fresh=True)
    assert (beat["served"], beat["failed"], beat["refused"]) == (3, 1, 3)
    assert beat["front_desk"] == 0 and beat["in_flight"] == 0


def test_the_model_agrees_on_who_is_86d() -> None:
    orders = [Order("S", "slow")] + [Order(f"Q{i}", "quick", 0.05 + 0.01 * i) for i in range(5)]
    dishes = [dish("slow", ("wait", 0.3)), dish("quick", ("wait", 0.02))]
    result = run_scenario(scenario(orders, dishes), KitchenSettings(mode="sync", front_desk=2))
    for order in result.orders:
        assert (order.outcome == "refused") == order.predicted.refused, order.id
    summary = result.summary()
    assert (summary["served"], summary["refused"]) == (3, 3)


# --- the event stream -------------------------------------------------------------------------


def test_every_event_is_versioned_numbered_and_stamped(start_kitchen: StartKitchen) -> None:
    kitchen, watch = start_kitchen(KitchenSettings(mode="async", prep_shelf=True))
    kitchen.define_dishes([dish("tiny", ("cpu", 0.01))])
    kitchen.order([Order("A", "redis"), Order("B", "tiny", 0.01), Order("C", "postgres", 0.02)])
    watch.wait_done({"A", "B", "C"}, timeout=10)
    first = watch.wait_type("heartbeat", timeout=2, fresh=True)
    second = watch.wait_type("heartbeat", timeout=2, fresh=True)
    assert 0.15 <= second["t"] - first["t"] <= 0.6  # every 0.25 s of real time

    events = watch.events
    assert events[0]["type"] == "hello"
    assert [e["seq"] for e in events] == list(range(len(events)))  # none dropped here
    for event in events:
        assert event["v"] == STREAM_VERSION
        assert isinstance(event["t"], float)
        assert isinstance(event["story"], float | int)
    types = {e["type"] for e in events}
    assert {"arrived", "seated", "step_started", "shelf_in", "shelf_out"} <= types
    assert {"step_finished", "served", "heartbeat", "dishes"} <= types
    for key in ("front_desk", "in_flight", "lag_s", "loop_busy_s", "served", "failed", "refused"):
        assert key in second


def test_an_order_of_a_dish_the_kitchen_lacks_arrives_and_fails_saying_why(
    start_kitchen: StartKitchen,
) -> None:
    """Its error fails that order only: the ledger, so the panels and the report, read failed."""
    kitchen, watch = start_kitchen(KitchenSettings(mode="threads"))
    kitchen.order([Order("X", "no-such-dish", 0.05), Order("R", "redis", 0.05)])
    done = watch.wait_done({"X", "R"}, timeout=10)
    assert (done["X"]["type"], done["R"]["type"]) == ("failed", "served")
    life = [e["type"] for e in watch.events if e.get("id") == "X"]
    assert life == ["arrived", "failed"]
    ledger = Ledger()
    for event in watch.events:
        ledger.apply(event)
    (ticket,) = [t for t in ledger.tickets.values() if t.id == "X"]
    assert (ticket.state, ticket.error) == ("failed", "unknown dish 'no-such-dish'")
    assert (ledger.served, ledger.failed, ledger.refused, len(ledger.open)) == (1, 1, 0, 0)
