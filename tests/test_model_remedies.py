"""The model's remedies, worked out by hand: the limiter's 40 tokens, checkpointed slices, the
GIL shared between a computing thread and the loop, and jobs on the prep shelf."""

from __future__ import annotations

from collections import Counter

import pytest

from kitchen_tui.protocol.menu import MENU, Dish, Step, StepKind
from kitchen_tui.protocol.orders import Order
from kitchen_tui.protocol.settings import (
    CHECKPOINT_SLICE_S,
    GIL_SWITCH_S,
    KitchenSettings,
)
from kitchen_tui.stream.model import Prediction, predict


def dish(name: str, *steps: tuple[StepKind, float]) -> Dish:
    return Dish(name, name, tuple(Step(kind, seconds, kind) for kind, seconds in steps))


DISHES: dict[str, Dish] = {
    **MENU,
    "crunch": dish("crunch", ("cpu", 1.0)),
    "block": dish("block", ("blocking", 0.5)),
    "two_jobs": dish("two_jobs", ("cpu", 0.2), ("wait", 0.1), ("cpu", 0.3)),
}
SNEAKY_AND_REDIS = [Order("S", "sneaky")] + [Order(f"r{i}", "redis", 0.1 * i) for i in range(1, 11)]
CPU_AND_REDIS = [Order("P", "crunch")] + [Order(f"r{i}", "redis", 0.1 * i) for i in range(1, 11)]


def run(orders: list[Order], **settings: object) -> dict[str, Prediction]:
    kitchen = KitchenSettings.from_json({"mode": "async", **settings})
    return {p.id: p for p in predict(orders, DISHES, kitchen)}


def latencies(result: dict[str, Prediction]) -> dict[str, float | None]:
    return {key: p.latency for key, p in result.items()}


def test_blocking_inline_holds_the_loop_until_the_call_returns() -> None:
    # The sneaky call holds the loop 0 -> 1.0: r1..r9 arrived during it, seated at 1.0.
    result = latencies(run(SNEAKY_AND_REDIS))
    expected = {f"r{i}": 1.05 - 0.1 * i for i in range(1, 10)}
    assert result == pytest.approx({"S": 1.0, **expected, "r10": 0.05})


@pytest.mark.parametrize("fix", ["to_thread", "await"])
def test_blocking_on_a_thread_or_awaited_frees_the_loop(fix: str) -> None:
    result = latencies(run(SNEAKY_AND_REDIS, fix_blocking=fix))
    assert result == pytest.approx({"S": 1.0, **{f"r{i}": 0.05 for i in range(1, 11)}})


def test_the_forty_first_blocking_call_waits_for_a_token() -> None:
    # anyio's limiter: 40 calls at once, the other 10 each take a token as one frees at 0.5.
    orders = [Order(f"b{i}", "block") for i in range(50)]
    result = run(orders, fix_blocking="to_thread")
    assert Counter(round(p.latency or 0, 6) for p in result.values()) == {0.5: 40, 1.0: 10}
    assert [result[f"b{i}"].latency for i in range(40, 50)] == pytest.approx([1.0] * 10)


def test_awaited_blocking_calls_need_no_token() -> None:
    orders = [Order(f"b{i}", "block") for i in range(50)]
    assert all(
        v == pytest.approx(0.5) for v in latencies(run(orders, fix_blocking="await")).values()
    )


def test_a_to_thread_call_goes_in_line_twice_before_a_thread_takes_it() -> None:
    # anyio's run_sync checkpoints, then its limiter does: B, woken with A, computes first.
    dishes = {"a": dish("a", ("blocking", 0.04)), "b": dish("b", ("cpu", 0.03))}
    kitchen = KitchenSettings.from_json({"mode": "async", "fix_blocking": "to_thread"})
    result = predict([Order("A", "a"), Order("B", "b")], dishes, kitchen)
    assert [p.latency for p in result] == pytest.approx([0.07, 0.03])


def test_a_thread_waits_one_switch_for_the_gil_while_the_loop_computes() -> None:
    # A hands its call to a thread just before B computes 30 ms: the thread gets the GIL when
    # CPython makes the loop drop it, one switch interval later, not when B is done.
    dishes = {"a": dish("a", ("cpu", 0.01), ("blocking", 0.04)), "b": dish("b", ("cpu", 0.03))}
    kitchen = KitchenSettings.from_json({"mode": "async", "fix_blocking": "to_thread"})
    a, b = predict([Order("A", "a"), Order("B", "b", 0.005)], dishes, kitchen)
    assert a.latency == pytest.approx(0.01 + GIL_SWITCH_S + 0.04)
    assert b.latency == pytest.approx(0.035)


def test_a_stretched_slice_holds_the_loop_as_long_as_the_kitchens_did() -> None:
    # 10 ms of CPU is 10 slices; measured at 30 ms (a busy machine), each held the loop 3 ms.
    dishes = {"p": dish("p", ("cpu", 0.01)), "redis": DISHES["redis"]}
    kitchen = KitchenSettings.from_json({"mode": "async", "fix_cpu": "checkpoints"})
    orders = [Order("P", "p"), Order("r", "redis", 0.0005)]
    p, r = predict(orders, dishes, kitchen, durations={"P": [0.03], "r": [0.05]})
    assert p.latency == pytest.approx(0.03)
    assert r.latency == pytest.approx(3 * 0.003 + 0.05 - 0.0005)  # in line behind 3 slices


def test_cpu_inline_delays_every_order_to_its_end() -> None:
    result = latencies(run(CPU_AND_REDIS))
    assert result["r5"] == pytest.approx(1.05 - 0.5)


def test_checkpoints_let_each_order_in_within_two_slices() -> None:
    # A redis arriving mid-slice waits out that slice and two more: asyncio puts the timers
    # that came due behind the computing ticket, and a timer's callback only puts the task in
    # line, behind the next slice; its wake-up off the rail, the same. The CPU order itself
    # ends when its work does.
    result = latencies(run(CPU_AND_REDIS, fix_cpu="checkpoints"))
    for i in range(1, 10):
        assert 0.05 <= (result[f"r{i}"] or 0) <= 0.05 + 6 * CHECKPOINT_SLICE_S
    assert result["P"] == pytest.approx(1.0)


def test_checkpoints_slice_in_story_seconds() -> None:
    # At speed 2 a real 1 ms slice is 2 story ms: the same work, half as many slices.
    slow = latencies(run(CPU_AND_REDIS, fix_cpu="checkpoints", speed=2.0))
    assert max(v or 0 for k, v in slow.items() if k != "P") > 0.05 + 2 * CHECKPOINT_SLICE_S


def test_a_computing_thread_delays_each_wake_up_of_the_loop_by_one_switch() -> None:
    # Each redis order wakes the loop twice (arrival, the end of its wait): 2 x 5 ms.
    result = latencies(run(CPU_AND_REDIS, fix_cpu="to_thread"))
    for i in range(1, 10):
        assert result[f"r{i}"] == pytest.approx(0.05 + 2 * GIL_SWITCH_S)
    # r10's timer comes due at 1.0, as P's thread ends: the loop takes its turn once the
    # thread has let go of the GIL, with nothing left to wait for.
    assert result["P"] == pytest.approx(1.0)


def test_computing_threads_share_the_gil_among_themselves() -> None:
    orders = [Order("a", "crunch"), Order("b", "crunch")]
    result = latencies(run(orders, fix_cpu="to_thread"))
    assert result == pytest.approx({"a": 2.0, "b": 2.0})  # both done in the same instant


def test_a_job_answers_at_once_and_is_done_when_its_work_is() -> None:
    result = run(CPU_AND_REDIS, fix_cpu="job")
    assert result["P"].latency == pytest.approx(0.0)
    assert result["P"].job_latency == pytest.approx(1.0)
    assert all(result[f"r{i}"].latency == pytest.approx(0.05) for i in range(1, 11))
    assert result["r1"].job_latency is None


def test_an_order_with_two_jobs_is_done_with_the_last() -> None:
    # Job one 0 -> 0.2; the answer waits 0.1 and leaves at 0.1 after handing job two (0.3) in.
    result = run([Order("j", "two_jobs")], fix_cpu="job", shelf_size=2)
    assert result["j"].latency == pytest.approx(0.1)
    assert result["j"].job_latency == pytest.approx(0.4)


@pytest.mark.parametrize("mode", ["sync", "threads"])
def test_jobs_answer_at_once_in_every_mode(mode: str) -> None:
    orders = [Order("P", "crunch"), Order("Q", "crunch")]
    result = run(orders, mode=mode, fix_cpu="job", shelf_size=1)
    assert [result[k].latency for k in "PQ"] == pytest.approx([0.0, 0.0])
    assert [result[k].job_latency for k in "PQ"] == pytest.approx([1.0, 2.0])  # one worker


@pytest.mark.parametrize("mode", ["sync", "threads"])
def test_loop_remedies_serve_inline_without_a_loop(mode: str) -> None:
    orders = [Order("S", "sneaky"), Order("r", "redis")]
    inline = latencies(run(orders, mode=mode))
    fixed = latencies(run(orders, mode=mode, fix_blocking="await", fix_cpu="checkpoints"))
    assert fixed == inline
