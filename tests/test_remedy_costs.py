"""The remedies' costs live: a real kitchen tells a remedied CPU step's figures as it goes
(cpu_progress), and the one account (the ledger's remedies) counts them at once and counts them
once: its figures at each step of the stream are the kitchen's, and at the end the report's."""

from __future__ import annotations

import pytest

from kitchen_tui.cli.report import remedy_lines
from kitchen_tui.protocol.events import Event
from kitchen_tui.protocol.orders import Order
from kitchen_tui.protocol.settings import KitchenSettings
from kitchen_tui.stream.headless import RunResult, run_scenario
from kitchen_tui.stream.ledger import Ledger
from tests.conftest import dish, scenario

pytestmark = pytest.mark.timeout(120)
CRUNCH = dish("crunch", ("cpu", 0.6))


def serve(fix_cpu: str, orders: list[Order] | None = None) -> RunResult:
    settings = KitchenSettings.from_json({"mode": "async", "fix_cpu": fix_cpu})
    plan = orders or [Order("P", "crunch"), Order("r1", "redis", 0.2), Order("r2", "redis", 0.4)]
    return run_scenario(scenario(plan, [CRUNCH]), settings)


def of_type(result: RunResult, kind: str) -> list[Event]:
    return [e for e in result.events if e["type"] == kind]


def test_checkpointed_slices_count_live_and_once() -> None:
    result = serve("checkpoints")
    progress = of_type(result, "cpu_progress")
    assert len(progress) >= 3, progress  # 0.6 s of work, told every 0.1 s
    counts = [e["slices"] for e in progress]
    assert counts == sorted(counts) and counts[0] > 0
    ledger = Ledger()
    for event in result.events:
        ledger.apply(event)
        account = ledger.remedies
        if event["type"] == "cpu_progress":
            assert account.slices_now == event["slices"]  # the kitchen's count, at once
            assert account.longest_gap_now_s == event["longest_gap_s"]
            costs = account.costs("inline", "checkpoints")
            assert f"{event['slices']} slices" in costs and "pays +" in costs, costs
    (done,) = of_type(result, "slices")
    assert done["slices"] >= counts[-1]
    summary = result.summary()["remedies"]
    assert isinstance(summary, dict)
    assert ledger.remedies.slices_now == done["slices"] == summary["slices"]  # counted once
    assert not ledger.remedies.live
    assert f"{done['slices']} slices" in ledger.remedies.costs("inline", "checkpoints")
    # The report says it in a sentence: a gap between two slices, not "between two 2.4 ms".
    gap_ms = float(summary["longest_gap_s"]) * 1000
    line = next(line for line in remedy_lines(result) if line.startswith("checkpoints:"))
    assert line.endswith(f"the longest gap between two slices {gap_ms:.1f} ms"), line


def test_the_loops_busy_share_counts_each_slice_as_it_goes() -> None:
    result = serve("checkpoints", [Order("P", "crunch")])
    (started,) = [e for e in of_type(result, "step_started") if e["where"] == "slices"]
    (finished,) = of_type(result, "step_finished")
    beats = [e for e in of_type(result, "heartbeat") if started["t"] < e["t"] < finished["t"]]
    assert len(beats) >= 2, beats  # the loop is free between slices: the heartbeat beats
    busy = [e["loop_busy_s"] for e in beats]
    assert busy == sorted(busy) and busy[-1] - busy[0] > 0.1, busy  # not all at the end


def test_a_computing_threads_gil_share_counts_live() -> None:
    result = serve("to_thread")
    progress = [e for e in of_type(result, "cpu_progress") if e["where"] == "thread"]
    assert len(progress) >= 3, progress
    ledger = Ledger()
    for event in result.events:
        ledger.apply(event)
        if event["type"] == "cpu_progress":
            share = event["cpu_s"] / event["wall_s"]
            assert ledger.remedies.gil_share_now == pytest.approx(min(1.0, share))
            costs = ledger.remedies.costs("inline", "to_thread")
            assert f"GIL share {min(1.0, share):.0%}" in costs, costs
    (out,) = of_type(result, "thread_out")
    assert ledger.remedies.gil_share_now == out["gil_share"]
    assert f"last GIL share {out['gil_share']:.0%}" in ledger.remedies.costs("inline", "to_thread")


def test_shelf_workers_busy_and_jobs_queued_follow_the_jobs() -> None:
    # Three jobs on two workers: one waits for a worker, visibly.
    plan = [Order(f"P{i}", "crunch", 0.01 * i) for i in range(3)]
    settings = KitchenSettings.from_json({"mode": "async", "fix_cpu": "job", "shelf_size": 2})
    result = run_scenario(scenario(plan, [CRUNCH]), settings)
    ledger = Ledger()
    seen: set[tuple[int, int]] = set()
    busy = queued = 0
    for event in result.events:
        ledger.apply(event)
        kind = event["type"]
        if kind == "job_queued":
            queued += 1
        elif kind == "job_in":
            queued, busy = queued - 1, busy + 1
        elif kind == "job_done":
            busy -= 1
        use = ledger.remedies.shelf_use(ledger.open.values())
        assert use == (busy, queued), (event, use)
        seen.add(use)
        costs = ledger.remedies.costs("inline", "job", ledger.open.values(), 2)
        assert f"shelf {busy}/2 busy, {queued} queued" in costs, costs
    assert (2, 1) in seen  # both workers busy and one job waiting, at some point
