"""What a worker's death cost: one count for the banner, the stats, the stream and report."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from kitchen_tui.cli.report import print_report, report_json
from kitchen_tui.protocol.orders import Order
from kitchen_tui.protocol.settings import KitchenSettings
from kitchen_tui.stream.headless import run_scenario
from tests.conftest import dish, scenario

pytestmark = pytest.mark.timeout(90)


def test_a_deaths_cost_counts_the_tickets_its_roll_call_finds_lost_later(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """H (a 1 s blocking call: wall time, whatever the load) holds one worker's loop, so the
    other takes V (a 2 s wait) and then X, and is killed taking X before it says so (the test
    hook). Its death fails V at once; the roll call waits for H's loop to run again, then finds
    X lost. The death cost two tickets, and everything that counts it says two."""
    monkeypatch.setenv("KITCHEN_TUI_TEST_DIE_AFTER_TAKING", "X")
    orders = [Order("H", "hog", 0.0), Order("V", "llm", 0.05), Order("X", "redis", 0.1)]
    plan = scenario(orders, [dish("hog", ("blocking", 1.0))])
    run = run_scenario(plan, KitchenSettings(mode="async", workers=2))
    outcomes = {o.id: o.outcome for o in run.orders}
    assert outcomes == {"H": "served", "V": "failed", "X": "failed"}, outcomes
    (died,) = [e for e in run.events if e["type"] == "worker_died"]
    (lost,) = [e for e in run.events if e["type"] == "worker_lost"]
    slot = died["worker"]
    assert died["failed"] == 1  # V, which it had said it took
    assert (lost["worker"], lost["pid"], lost["message"]) == (slot, died["pid"], died["message"])
    assert (lost["failed"], lost["lost"]) == (2, 1)
    # The stream: each count comes before the failures it counts (a reader may stop at the
    # last outcome), and the roll call's after the death's.
    kinds = [(e["type"], e.get("id")) for e in run.events]
    assert kinds.index(("worker_died", None)) < kinds.index(("failed", "V"))
    assert kinds.index(("failed", "V")) < kinds.index(("worker_lost", None))
    assert kinds.index(("worker_lost", None)) < kinds.index(("failed", "X"))
    # The stats: the worker's line and the totals.
    assert run.ledger.pool.workers[slot].failed == 2 and run.summary()["failed"] == 2
    # What the banner and report say.
    words = f"{died['message']}: 2 tickets failed (1 taken off the front desk as it died)"
    ((worker, death),) = run.ledger.pool.deaths
    assert (worker, death.words) == (slot, words)
    assert report_json(run)["deaths"] == [
        {"worker": slot, "message": died["message"], "failed": 2, "lost": 1}
    ]
    out = io.StringIO()
    print_report(run, Console(file=out, width=1000))
    assert words in out.getvalue()
