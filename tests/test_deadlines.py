"""Patience and deadlines in a real kitchen: each mode gives up the way its real server does."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from kitchen_tui.errors import UsageError
from kitchen_tui.protocol.orders import Order
from kitchen_tui.protocol.settings import KitchenSettings, Mode
from kitchen_tui.stream.headless import OrderResult, RunResult, run_scenario
from kitchen_tui.talk.scenario import parse_scenario
from tests.conftest import dish, scenario

pytestmark = pytest.mark.timeout(60)
KITCHEN_TUI = (sys.executable, "-m", "kitchen_tui")
SLACK_S = 0.15  # loose: a shared machine wakes threads and loops late


def _run(orders: list[Order], settings: KitchenSettings, *dishes: object) -> RunResult:
    return run_scenario(scenario(orders, list(dishes)), settings)  # type: ignore[arg-type]


def _by_id(result: RunResult) -> dict[str, OrderResult]:
    return {order.id: order for order in result.orders}


def _event(result: RunResult, kind: str, order_id: str) -> dict[str, Any]:
    return next(e for e in result.events if e["type"] == kind and e["id"] == order_id)


def test_a_sync_worker_is_killed_at_its_deadline_and_the_next_order_is_cooked() -> None:
    """gunicorn's --timeout: the deadline runs from the moment the worker takes the request."""
    nap = dish("nap", ("wait", 1.0))
    settings = KitchenSettings("sync", deadline=0.4)
    result = _run([Order("A", "nap"), Order("B", "nap")], settings, nap)
    a, b = _event(result, "timed_out", "A"), _event(result, "timed_out", "B")
    assert a["how"] == b["how"] == "killed"
    assert a["latency_s"] == pytest.approx(0.4, abs=SLACK_S)
    # B's deadline began when the cook took it, after A: 0.4 s at the desk, 0.4 s cooked.
    assert b["latency_s"] == pytest.approx(0.8, abs=2 * SLACK_S)
    assert result.summary()["timed_out"] == 2


def test_a_threads_cook_cannot_be_stopped_and_a_waiting_order_times_out_at_the_desk() -> None:
    nap = dish("nap", ("wait", 0.8))
    settings = KitchenSettings("threads", cooks=1, deadline=0.3)
    result = _run([Order("A", "nap"), Order("B", "nap")], settings, nap)
    a, b = _event(result, "timed_out", "A"), _event(result, "timed_out", "B")
    assert a["how"] == "ran_on" and a["where"] == "cook"
    assert a["overrun_s"] == pytest.approx(0.5, abs=SLACK_S)  # it ran on to its end
    assert a["wasted_s"] == pytest.approx(0.5, abs=SLACK_S)
    assert b["how"] == "cancelled" and b["where"] == "desk"  # never cooked
    assert b["latency_s"] == pytest.approx(0.3, abs=SLACK_S)
    assert result.summary()["threads_ran_on"] == 1


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_async_cancels_at_the_next_await_and_a_loop_step_leaves_the_cancel_pending(
    backend: str,
) -> None:
    pytest.importorskip(backend)
    dishes = [
        dish("nap", ("wait", 1.0)),
        dish("hog", ("blocking", 0.6), ("wait", 0.5)),  # the cancel waits for the loop
        dish("late", ("wait", 0.1), ("blocking", 0.5)),  # no await after: served late
    ]
    orders = [Order("N", "nap"), Order("H", "hog", at=1.5), Order("L", "late", at=3.0)]
    settings = KitchenSettings("async", deadline=0.3)
    result = run_scenario(scenario(orders, dishes), settings, backend=backend)
    nap, hog = _event(result, "timed_out", "N"), _event(result, "timed_out", "H")
    assert nap["how"] == "cancelled" and nap["where"] == "rail"
    assert nap["latency_s"] == pytest.approx(0.3, abs=SLACK_S)
    assert hog["overrun_s"] == pytest.approx(0.3, abs=SLACK_S)  # pending until 0.6 s
    late = _by_id(result)["L"]
    assert late.outcome == "served"  # anyio's fail_after: no await after the deadline
    assert late.latency_s is not None and late.latency_s > 0.5


def test_a_to_thread_step_runs_on_past_the_deadline_as_anyio_does_by_default() -> None:
    """anyio.to_thread.run_sync(abandon_on_cancel=False): the cancel waits for the thread."""
    sneaky = dish("sneaky2", ("blocking", 0.7), ("wait", 0.2))
    settings = KitchenSettings("async", fix_blocking="to_thread", deadline=0.2)
    result = _run([Order("S", "sneaky2")], settings, sneaky)
    event = _event(result, "timed_out", "S")
    assert event["how"] == "ran_on"
    assert event["overrun_s"] == pytest.approx(0.5, abs=SLACK_S)
    assert event["wasted_s"] == pytest.approx(0.5, abs=SLACK_S)


@pytest.mark.parametrize("mode", ["sync", "threads", "async"])
def test_a_customer_who_walks_out_is_cooked_for_in_full_and_the_waste_counted(mode: Mode) -> None:
    """The kitchen cannot tell: it cooks on, and its answer goes to a closed connection."""
    nap = dish("nap", ("wait", 0.6))
    orders = [Order("A", "nap", patience=0.2), Order("B", "nap")]
    settings = KitchenSettings(mode, cooks=1)
    result = _run(orders, settings, nap)
    a, b = _by_id(result)["A"], _by_id(result)["B"]
    assert a.outcome == "walked_out" and b.outcome == ("served")
    walked = _event(result, "walked_out", "A")
    assert walked["patience_s"] == pytest.approx(0.2, abs=0.01)
    uneaten = _event(result, "uneaten", "A")
    assert uneaten["latency_s"] == pytest.approx(0.6, abs=SLACK_S)  # cooked in full
    assert uneaten["wasted_s"] == pytest.approx(0.4, abs=SLACK_S)
    summary = result.summary()
    assert summary["walked_out"] == 1 and summary["uneaten"] == 1
    assert summary["wasted_s"] == pytest.approx(uneaten["wasted_s"])


def test_the_kitchens_patience_applies_to_orders_without_their_own() -> None:
    nap = dish("nap", ("wait", 0.5))
    orders = [Order("A", "nap"), Order("B", "nap", patience=2.0)]
    result = _run(orders, KitchenSettings("async", patience=0.2), nap)
    assert [o.outcome for o in result.orders] == ["walked_out", "served"]


def test_report_json_names_each_orders_outcome_and_the_totals(tmp_path: Path) -> None:
    path = tmp_path / "lost.toml"
    path.write_text(
        'mode = "sync"\nspeed = 5.0\n'
        '[[orders]]\nid = "A"\ndish = "llm"\n'
        '[[orders]]\nid = "B"\ndish = "redis"\npatience = 1.0\n'
    )
    done = subprocess.run(
        [*KITCHEN_TUI, "report", "--scenario", str(path), "--json", "--deadline", "1.5"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    outcomes = {order["id"]: order["outcome"] for order in report["orders"]}
    assert outcomes == {"A": "timed_out", "B": "walked_out"}
    assert report["settings"]["deadline"] == 1.5
    summary = report["summary"]
    assert summary["timed_out"] == 1 and summary["walked_out"] == 1
    wasted = sum(order["wasted_s"] for order in report["orders"])
    assert summary["wasted_s"] == pytest.approx(wasted)


@pytest.mark.parametrize("value", ["0", "-1", "x", "1e9"])
@pytest.mark.parametrize("option", ["--patience", "--deadline"])
def test_a_patience_or_deadline_out_of_range_is_one_line_and_exit_2(
    option: str, value: str
) -> None:
    done = subprocess.run(
        [*KITCHEN_TUI, "report", "--scenario", "three-tables", f"{option}={value}"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and option in done.stderr


@pytest.mark.parametrize("value", ["0", "-2.5", '"soon"', "1e9"])
@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("patience = {}\n", "patience"),
        ("deadline = {}\n", "deadline"),
        ('[[orders]]\ndish = "llm"\npatience = {}\n', "orders[0].patience"),
        ("[load]\nrate = 1.0\nseconds = 2\npatience = {}\n", "load.patience"),
    ],
)
def test_a_file_with_a_patience_or_deadline_out_of_range_names_its_key(
    text: str, key: str, value: str
) -> None:
    with pytest.raises(UsageError, match=rf"^x\.toml: {re.escape(key)}: "):
        parse_scenario(text.format(value), "x.toml")


def test_a_files_patience_and_deadline_reach_its_orders_and_settings() -> None:
    text = "patience = 3.0\ndeadline = 2.0\n[load]\nrate = 2.0\nseconds = 1\npatience = 1.5\n"
    parsed = parse_scenario(text + '[[orders]]\ndish = "llm"\npatience = 0.5\n', "x.toml")
    assert (parsed.settings.patience, parsed.settings.deadline) == (3.0, 2.0)
    assert {order.patience for order in parsed.orders} == {0.5, 1.5}


def test_a_trace_replays_walk_outs_and_timeouts_as_the_report_counted_them(tmp_path: Path) -> None:
    from kitchen_tui.recording.trace_file import load_trace
    from kitchen_tui.stream.ledger import Ledger

    trace = tmp_path / "giving-up.trace"
    path = tmp_path / "s.toml"
    path.write_text('mode = "async"\n[[orders]]\ndish = "llm"\ncount = 3\npatience = 0.5\n')
    command = [*KITCHEN_TUI, "report", "--scenario", str(path), "--json", "--deadline", "1"]
    done = subprocess.run([*command, "--trace", str(trace)], capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)["summary"]
    ledger = Ledger()
    for event in load_trace(trace).events:
        assert event["type"] != "malformed", event
        ledger.apply(event)
    replayed = ledger.giving_up.summary()
    assert (replayed["walked_out"], replayed["timed_out"]) == (3, 3)
    assert replayed["wasted_s"] == pytest.approx(summary["wasted_s"])
