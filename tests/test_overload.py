"""The must-shows, loosely (bench/bench_giving_up.py measures them tightly): past capacity the
front desk grows, then orders are 86'd, then customers walk out; a deadline sheds the work
queued inside handlers, and a sync kitchen recovers only once its backlog is cooked."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kitchen_tui.stream.overload import overload, overload_scenario, recovery

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]
NOMINAL_S = 1.84  # the chat message on an idle kitchen
SNEAKY_S = 1.0  # the sneaky blocker (one blocking call) on an idle kitchen


def _report(tmp_path: Path, text: str) -> dict[str, object]:
    path = tmp_path / "overload.toml"
    path.write_text("speed = 10.0\n" + text)
    command = [sys.executable, "-m", "kitchen_tui", "report", "--scenario", str(path), "--json"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=110)
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


def test_past_capacity_the_desk_grows_then_86s_then_customers_walk_out(tmp_path: Path) -> None:
    settings = {"mode": "sync", "front_desk": 8, "patience": 10.0}
    result = _report(tmp_path, overload_scenario("message", 1.1, 30.0, 30.0, 1.0, settings))
    figures = overload(result, 30.0, NOMINAL_S)
    orders = result["orders"]
    assert isinstance(orders, list)
    long_waits = [o["arrived_s"] for o in orders if o["split"].get("front_desk", 0.0) > 1.0]
    assert figures.first_86_s is not None and figures.first_walk_out_s is not None
    assert min(long_waits) < figures.first_86_s < figures.first_walk_out_s
    assert figures.walked_out > 0 and figures.refused > 0 and figures.wasted_s > 0
    # The stats say so: the totals count what the orders show one by one.
    assert figures.walked_out == sum(o["outcome"] == "walked_out" for o in orders)
    assert figures.refused == sum(o["outcome"] == "refused" for o in orders)


def test_a_sync_kitchen_recovers_only_once_its_backlog_is_cooked(tmp_path: Path) -> None:
    """gunicorn's --timeout does not reach the accept queue: the backlog is cooked in full."""
    settings = {"mode": "sync", "deadline": 5.0}
    result = _report(tmp_path, overload_scenario("message", 1.1, 20.0, 4.0, 48.0, settings))
    # 22 arrived in 20 s, 11 were cooked: about 20 s of backlog after the overload.
    took = overload(result, 20.0, NOMINAL_S).recovery_s
    assert took is not None and took > 10.0


def test_a_deadline_sheds_the_queue_inside_the_handlers_at_once(tmp_path: Path) -> None:
    """threads: the route waits for a cook inside its fail_after, so the deadline ends the
    waiting; newcomers after the overload are served within about one deadline."""
    settings = {"mode": "threads", "deadline": 5.0}
    result = _report(tmp_path, overload_scenario("message", 43.0, 10.0, 0.25, 30.0, settings))
    took = overload(result, 10.0, NOMINAL_S).recovery_s
    assert took is not None and took < 5.0 + 3.0


def test_recovery_is_the_first_newcomer_from_whom_on_all_are_prompt() -> None:
    def order(at: float, latency: float, outcome: str = "served") -> dict[str, object]:
        return {"arrived_s": at, "latency_s": latency, "outcome": outcome}

    orders = [order(9.0, 9.0), order(10.0, 5.0), order(11.0, 1.9), order(12.0, 9.0)]
    orders += [order(13.0, 2.0), order(14.0, 1.0, "timed_out"), order(15.0, 1.9)]
    assert recovery(orders, 10.0, 1.84) == 5.0
    assert recovery(orders[:4], 10.0, 1.84) is None


def test_async_with_to_thread_sheds_its_queue_at_the_deadline(tmp_path: Path) -> None:
    """The blocking calls wait for one of the limiter's 40 tokens inside the handler's
    fail_after: the deadline cancels them there (never at the desk), and newcomers after the
    overload are served within about one deadline."""
    settings = {"mode": "async", "fix_blocking": "to_thread", "deadline": 5.0}
    result = _report(tmp_path, overload_scenario("sneaky", 80.0, 10.0, 0.25, 30.0, settings))
    figures = overload(result, 10.0, SNEAKY_S)
    assert figures.timed_out > 0
    summary = result["summary"]
    assert isinstance(summary, dict) and "desk" not in summary["timed_out_at"]
    assert figures.recovery_s is not None and figures.recovery_s < 5.0 + 3.0


def test_a_loop_bound_async_kitchen_is_rescued_by_a_bounded_desk_not_a_deadline(
    tmp_path: Path,
) -> None:
    """The chat message's CPU is its handler's first step: the backlog waits for the loop in
    front of the handlers, where no fail_after runs yet, so a deadline cancels nothing and the
    backlog is cooked in full; a front desk of 8 86s the excess and the kitchen recovers at
    once."""
    scenario = overload_scenario("message", 50.0, 10.0, 0.25, 30.0, {"mode": "async"})
    deadline = overload(_report(tmp_path, "deadline = 5.0\n" + scenario), 10.0, NOMINAL_S)
    assert deadline.timed_out == 0
    assert deadline.recovery_s is None or deadline.recovery_s > 5.0  # 12 s measured, quiet
    bounded = overload(_report(tmp_path, "front_desk = 8\n" + scenario), 10.0, NOMINAL_S)
    assert bounded.refused > 0
    assert bounded.recovery_s is not None and bounded.recovery_s < 2.0  # 0.0 s measured
