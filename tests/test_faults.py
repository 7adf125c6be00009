"""Faults: a failing step, a reset, a shutdown, a killed kitchen and a killed parent."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from kitchen_tui.protocol.events import Event
from kitchen_tui.protocol.menu import StepKind
from kitchen_tui.protocol.orders import Order
from kitchen_tui.protocol.settings import KitchenSettings, Mode
from kitchen_tui.stream.client import KitchenProcess
from kitchen_tui.stream.headless import run_scenario
from kitchen_tui.stream.ledger import Ledger
from tests.conftest import (
    Watcher,
    children_of,
    dish,
    pid_alive,
    processes_in_group,
    scenario,
    wait_until,
)

StartKitchen = Callable[..., tuple[KitchenProcess, Watcher]]

pytestmark = pytest.mark.timeout(60)

RESET_WITHIN_S = 2.0


# --- a step that raises -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "prep_shelf", "kind"),
    [
        ("sync", False, "wait"),
        ("threads", False, "blocking"),
        ("async", False, "wait"),
        ("async", False, "cpu"),
        ("async", True, "cpu"),
        ("threads", True, "cpu"),
    ],
)
def test_a_failing_step_fails_its_order_and_the_kitchen_serves_on(
    mode: Mode, prep_shelf: bool, kind: StepKind
) -> None:
    flaky = dish("flaky", ("wait", 0.01), (kind, 0.02), error="upstream timed out")
    orders = [Order("F", "flaky", 0.0), Order("R1", "redis", 0.01), Order("R2", "redis", 0.2)]
    settings = KitchenSettings(mode=mode, prep_shelf=prep_shelf)
    result = run_scenario(scenario(orders, [flaky]), settings)

    outcome = {order.id: order for order in result.orders}
    failed = outcome["F"]
    assert failed.outcome == "failed"
    assert failed.ticket is not None and failed.ticket.error is not None
    assert "upstream timed out" in failed.ticket.error
    assert failed.predicted.failed
    (event,) = [e for e in result.events if e["type"] == "failed"]
    assert event["id"] == "F" and event["latency_s"] >= 0.03
    # The failing step ran to its end; nothing after it did.
    steps = [e["i"] for e in result.events if e["type"] == "step_finished" and e["id"] == "F"]
    assert steps == [0, 1]
    for order_id in ("R1", "R2"):
        assert outcome[order_id].outcome == "served"
    assert result.summary()["failed"] == 1 and result.summary()["served"] == 2


# --- reset ------------------------------------------------------------------------------------


def reset_and_serve_again(kitchen: KitchenProcess, watch: Watcher, in_flight: int) -> None:
    """Reset: a `reset` event within 2 s naming what it cancelled, then a new order is served."""
    before = time.monotonic()
    kitchen.reset()
    reset = watch.wait_type("reset", timeout=5)
    assert time.monotonic() - before < RESET_WITHIN_S
    assert reset["cancelled"] == in_flight
    kitchen.order([Order("after", "redis")])
    served = watch.wait_type("served", timeout=5, id="after")
    assert served["latency_s"] < 0.2
    # Nothing cancelled came back to life.
    finals = [e["id"] for e in watch.events if e["type"] in ("served", "failed")]
    assert finals == ["after"]
    beat = watch.wait_type("heartbeat", timeout=2, fresh=True)
    assert (beat["in_flight"], beat["front_desk"]) == (0, 0)


def test_a_malformed_dishes_command_is_ignored_and_the_kitchen_serves_on(
    start_kitchen: StartKitchen,
) -> None:
    kitchen, watch = start_kitchen(KitchenSettings(mode="async"))
    kitchen._write(b'{"cmd": "dishes", "dishes": [{"name": "half a dish"}]}\n')
    kitchen.order([Order("F", "redis")])
    assert watch.wait_type("served", timeout=5, id="F")["dish"] == "redis"
    assert kitchen.alive
    assert not [e for e in watch.events if e["type"] in ("dishes", "died")]
    # One line on the kitchen's stderr says what was wrong.
    assert wait_until(lambda: any("malformed" in line for line in kitchen._stderr_tail), 5)
    (line,) = [line for line in kitchen._stderr_tail if "malformed" in line]
    assert line.startswith("kitchen: ignored a malformed command: dishes: a dish needs label,")


def test_an_order_the_kitchen_cannot_read_fails_alone_and_the_batch_is_served(
    start_kitchen: StartKitchen,
) -> None:
    """One bad order in a line dropped the whole line (one stderr line, six orders lost)."""
    kitchen, watch = start_kitchen(KitchenSettings(mode="async"))
    orders = [
        {"id": "A", "dish": "redis"},
        {"id": "B", "dish": "redis", "at": -1},
        {"dish": "redis"},
        {"id": "C", "dish": 7},
        "junk",
        {"id": "D", "dish": "redis", "at": 0.01},
    ]
    kitchen._write(json.dumps({"cmd": "order", "orders": orders, "t0": None}).encode() + b"\n")
    done = watch.wait_done({"A", "B", "#3", "C", "#5", "D"}, timeout=10)
    assert {k: e["type"] for k, e in done.items()} == {
        "A": "served",
        "B": "failed",
        "#3": "failed",
        "C": "failed",
        "#5": "failed",
        "D": "served",
    }
    assert "`at` must be seconds >= 0, got -1" in done["B"]["error"]
    assert "needs an id and a dish" in done["#3"]["error"]
    assert "`dish` must be a name, got 7" in done["C"]["error"]
    assert "got 'junk'" in done["#5"]["error"]
    # The screens' account sees four failed orders, each with its reason, beside two served.
    ledger = Ledger()
    for event in watch.events:
        ledger.apply(event)
    assert (ledger.served, ledger.failed) == (2, 4)
    assert not [line for line in kitchen._stderr_tail if "malformed" in line]


def _event_pipe(kitchen: KitchenProcess) -> Path:
    """Another way into the kitchen's event pipe: /proc's link to the kitchen's end of it."""
    assert kitchen._proc is not None and kitchen._proc.stdout is not None
    inode = os.fstat(kitchen._proc.stdout.fileno()).st_ino
    links = Path(f"/proc/{kitchen.pid}/fd").iterdir()
    return next(link for link in links if os.readlink(link) == f"pipe:[{inode}]")


def test_a_malformed_line_on_the_stream_is_skipped_counted_and_the_reader_reads_on(
    start_kitchen: StartKitchen,
) -> None:
    kitchen, watch = start_kitchen(KitchenSettings(mode="async"))
    with _event_pipe(kitchen).open("wb", buffering=0) as pipe:
        # One write, shorter than PIPE_BUF: it cannot land in the middle of a kitchen line.
        pipe.write(b'not json\n{"type": "served", "id": "cut sh\n[1, 2]\n{"no": "type"}\n')
    counted = [0]

    def all_counted(event: Event) -> bool:
        counted[0] += event["count"] if event["type"] == "malformed" else 0
        return counted[0] >= 4

    watch.wait_for(all_counted, timeout=5, what="4 malformed lines counted")
    kitchen.order([Order("after", "redis")])
    assert watch.wait_type("served", timeout=5, id="after")["dish"] == "redis"
    ledger = Ledger()
    for event in watch.events:
        ledger.apply(event)
    assert ledger.malformed == 4 and ledger.served == 1
    assert watch.of_type("malformed")[0]["line"] == "not json"
    assert kitchen.alive


def test_reset_cancels_cook_threads_that_block(start_kitchen: StartKitchen) -> None:
    kitchen, watch = start_kitchen(KitchenSettings(mode="threads", cooks=3))
    kitchen.define_dishes([dish("nap", ("blocking", 30.0)), dish("io", ("wait", 30.0))])
    orders = [Order("N1", "nap"), Order("N2", "nap"), Order("W", "io"), Order("Q", "nap")]
    kitchen.order(orders)  # three cooks busy, Q waits at the front desk
    for order_id in ("N1", "N2", "W"):
        watch.wait_type("step_started", timeout=5, id=order_id)
    watch.wait_type("arrived", timeout=5, id="Q")
    reset_and_serve_again(kitchen, watch, in_flight=4)


@pytest.mark.parametrize("mode", ["async", "sync"])
def test_orders_sent_right_after_a_reset_are_served(
    start_kitchen: StartKitchen, mode: Mode
) -> None:
    kitchen, watch = start_kitchen(KitchenSettings(mode=mode))
    kitchen.define_dishes([dish("hog", ("cpu", 30.0)), dish("crunch", ("cpu", 0.02))])
    kitchen.order([Order("H", "hog")])
    watch.wait_type("step_started", timeout=5, id="H")
    kitchen.reset()  # no waiting for the `reset` event: the next orders follow at once
    kitchen.order([Order("after", "crunch"), Order("late", "redis", 0.01)])
    for order_id in ("after", "late"):
        watch.wait_type("served", timeout=5, id=order_id)
    assert watch.wait_type("reset", timeout=1)["cancelled"] == 1


@pytest.mark.parametrize("mode", ["async", "sync"])
def test_reset_cancels_an_inline_cpu_step(start_kitchen: StartKitchen, mode: Mode) -> None:
    kitchen, watch = start_kitchen(KitchenSettings(mode=mode))
    kitchen.define_dishes([dish("hog", ("cpu", 30.0))])
    kitchen.order([Order("H", "hog"), Order("R", "redis", 0.05)])
    started = watch.wait_type("step_started", timeout=5, id="H")
    assert started["where"] == ("loop" if mode == "async" else "cook")
    watch.wait_type("arrived", timeout=5, id="R")  # the doorman greets it, stalled loop or not
    reset_and_serve_again(kitchen, watch, in_flight=2)


def test_reset_cancels_a_prep_shelf_job(start_kitchen: StartKitchen) -> None:
    kitchen, watch = start_kitchen(KitchenSettings(mode="async", prep_shelf=True))
    kitchen.define_dishes([dish("hog", ("cpu", 30.0)), dish("bit", ("cpu", 0.02))])
    kitchen.order([Order("H", "hog")])
    watch.wait_type("shelf_in", timeout=5, id="H")
    reset_and_serve_again(kitchen, watch, in_flight=1)
    # The shelf works again after its worker was killed.
    kitchen.order([Order("B", "bit")])
    served = watch.wait_type("served", timeout=10, id="B")
    assert served["split"]["shelf"] >= 0.02


# --- shutdown and deaths ----------------------------------------------------------------------


def test_shutdown_with_a_shelf_job_running_leaves_no_process(start_kitchen: StartKitchen) -> None:
    kitchen, watch = start_kitchen(KitchenSettings(mode="async", prep_shelf=True))
    kitchen.define_dishes([dish("hog", ("cpu", 30.0))])
    kitchen.order([Order("H", "hog")])
    watch.wait_type("shelf_in", timeout=5, id="H")
    pgid = kitchen.pid
    assert pgid is not None
    workers = children_of(pgid)
    assert workers, "the prep shelf should have worker processes"
    assert set(workers) <= set(processes_in_group(pgid))

    before = time.monotonic()
    kitchen.stop()
    assert time.monotonic() - before < 3.0
    # It shut down on its own (a clean `bye`), not only because stop() killed the group.
    rest = kitchen.drain()
    assert "bye" in [e["type"] for e in rest]
    assert wait_until(lambda: not processes_in_group(pgid), timeout=3), processes_in_group(pgid)
    assert not [pid for pid in [pgid, *workers] if pid_alive(pid)]


def test_a_killed_kitchen_yields_died_with_a_clear_message(start_kitchen: StartKitchen) -> None:
    kitchen, watch = start_kitchen(KitchenSettings())
    assert kitchen.pid is not None
    os.kill(kitchen.pid, signal.SIGKILL)
    died = watch.wait_type("died", timeout=5)
    assert died["code"] == -signal.SIGKILL
    assert died["message"].startswith("the kitchen process was killed by signal 9")
    assert not kitchen.alive


PARENT = textwrap.dedent(
    """
    import sys, time
    from kitchen_tui.stream.client import KitchenProcess
    from kitchen_tui.protocol.menu import Dish, Step
    from kitchen_tui.protocol.orders import Order
    from kitchen_tui.protocol.settings import KitchenSettings

    kitchen = KitchenProcess(KitchenSettings(mode="async", prep_shelf=True))
    kitchen.start(wait=True)
    kitchen.define_dishes([Dish("hog", "hog", (Step("cpu", 30.0, "hog"),))])
    kitchen.order([Order("H", "hog")])
    while (event := kitchen.get(timeout=10)) is not None and event["type"] != "shelf_in":
        pass
    print(kitchen.pid, flush=True)
    time.sleep(60)
    """
)


@pytest.mark.timeout(30)
def test_a_killed_parent_leaves_no_kitchen_behind(tmp_path: Path) -> None:
    script = tmp_path / "parent.py"
    script.write_text(PARENT)
    parent = subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    kitchen: int | None = None
    try:
        assert parent.stdout is not None
        line = parent.stdout.readline()  # the pid, once a shelf job is running
        assert line.strip().isdigit(), parent.stderr.read() if parent.stderr else line
        kitchen = int(line)
        workers = children_of(kitchen)
        assert workers and processes_in_group(kitchen)
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=5)
        gone = wait_until(lambda: not processes_in_group(kitchen), timeout=5)
        assert gone, f"left behind: {processes_in_group(kitchen)}"
        assert not [pid for pid in [kitchen, *workers] if pid_alive(pid)]
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
        if kitchen is not None:  # never leave a stray behind, even when the test failed
            for pid in processes_in_group(kitchen):
                os.kill(pid, signal.SIGKILL)
