"""Helpers shared by the kitchen tests: real kitchen processes, waited on event by event."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kitchen_tui.errors import UsageError
from kitchen_tui.kitchen.cpu import burn_cpu
from kitchen_tui.protocol.events import Event
from kitchen_tui.protocol.menu import Dish, Step, StepKind
from kitchen_tui.protocol.orders import Order
from kitchen_tui.protocol.settings import KitchenSettings
from kitchen_tui.recording.trace_file import Trace
from kitchen_tui.stream.client import KitchenProcess
from kitchen_tui.talk.scenario import Scenario
from tests.untimed import UNTIMED

# The agreed tolerance between a measured latency and the model's: 5 ms plus 1 %.
ABS_TOLERANCE_S = 0.005
REL_TOLERANCE = 0.01


# How much a retry on a busy machine may widen the tolerance: 5 ms at most three times.
MOST_STRETCH = 3.0


def machine_stretch(burns: int = 3, cpu_s: float = 0.02) -> float:
    """Wall seconds a CPU second takes here right now (the worst of a few short burns, at
    least 1, at most MOST_STRETCH): about 1 when a core is free, 2 to 3 while other work
    shares the two cores. A kitchen's hops (a thread waking the loop, a worker's answer read)
    stretch alike, so a retry of a timing check on a busy machine may scale its 5 ms by it."""
    worst = 1.0
    for _ in range(burns):
        start = time.perf_counter()
        burn_cpu(cpu_s)
        worst = max(worst, (time.perf_counter() - start) / cpu_s)
    return min(worst, MOST_STRETCH)


# Tests of who waits for whom (not of the lesson's precision): a busy moment on the shared
# machine must not fail them, and a wrong order of service is off by far more than this.
SCHEDULING_TOLERANCE_S = 0.025


def close_enough(
    measured: float, expected: float, rel: float = REL_TOLERANCE, abs_s: float = ABS_TOLERANCE_S
) -> bool:
    return abs(measured - expected) <= abs_s + rel * abs(expected)


def dish(name: str, *steps: tuple[StepKind, float], error: str | None = None) -> Dish:
    """A dish of (kind, seconds) steps; with `error`, its last step raises that error."""
    made = [Step(kind, seconds, f"{kind} {i}") for i, (kind, seconds) in enumerate(steps)]
    if error is not None:
        last = made[-1]
        made[-1] = Step(last.kind, last.seconds, last.label, error=error)
    return Dish(name, name, tuple(made))


def scenario(orders: list[Order], dishes: list[Dish] | None = None, name: str = "test") -> Scenario:
    return Scenario(
        name=name,
        title=name,
        dishes={d.name: d for d in dishes or []},
        orders=tuple(sorted(orders, key=lambda order: order.at)),
    )


class Watcher:
    """Reads a kitchen's events as they come, keeping every one, and waits for the ones asked."""

    def __init__(self, kitchen: KitchenProcess) -> None:
        self.kitchen = kitchen
        self.events: list[Event] = []

    def wait_for(self, match: Callable[[Event], bool], timeout: float, what: str = "") -> Event:
        """The first new event that matches, or fail after `timeout` real seconds."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            event = self.kitchen.get(timeout=max(left, 0.0)) if left > 0 else None
            if event is None:
                types = [e["type"] for e in self.events[-15:]]
                raise AssertionError(
                    f"no {what or 'matching'} event within {timeout} s; last: {types}"
                )
            self.events.append(event)
            if match(event):
                return event
            if event["type"] == "died":
                raise AssertionError(f"the kitchen died: {event['message']}")

    def wait_type(self, kind: str, timeout: float, fresh: bool = False, **fields: object) -> Event:
        """The first event of that kind with those fields: one seen already (unless `fresh`)
        or the next to come."""

        def match(event: Event) -> bool:
            return event["type"] == kind and all(event.get(k) == v for k, v in fields.items())

        if not fresh:
            for event in self.events:
                if match(event):
                    return event
        return self.wait_for(match, timeout, what=f"{kind} {fields or ''}".strip())

    def of_type(self, kind: str) -> list[Event]:
        return [event for event in self.events if event["type"] == kind]

    def by_id(self, kind: str) -> dict[str, Event]:
        return {event["id"]: event for event in self.of_type(kind)}

    def wait_done(self, ids: set[str], timeout: float) -> dict[str, Event]:
        """Wait until each id was served, failed or refused; its final event by id."""
        done: dict[str, Event] = {}

        def match(event: Event) -> bool:
            if event["type"] in ("served", "failed", "refused") and event.get("id") in ids:
                done[event["id"]] = event
            return set(done) == ids

        self.wait_for(match, timeout, what=f"end of {sorted(ids)}")
        return done


@pytest.fixture
def start_kitchen() -> Iterator[Callable[..., tuple[KitchenProcess, Watcher]]]:
    """Start kitchens (`start_kitchen(settings, backend=...)`); every one is stopped after."""
    started: list[KitchenProcess] = []

    def start(
        settings: KitchenSettings | None = None, backend: str = "asyncio"
    ) -> tuple[KitchenProcess, Watcher]:
        kitchen = KitchenProcess(settings or KitchenSettings(), backend=backend)
        started.append(kitchen)
        kitchen.start(wait=True)
        watcher = Watcher(kitchen)
        watcher.wait_type("hello", timeout=15)
        return kitchen, watcher

    yield start
    for kitchen in started:
        kitchen.stop(grace=0.5)


def proc_table() -> list[tuple[int, str, int, int]]:
    """(pid, state, parent pid, process group) of every process, read from /proc."""
    table = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text(errors="replace")
        except OSError:
            continue
        # pid (comm) state ppid pgrp ...: comm may hold spaces, so split after its ')'.
        fields = stat[stat.rindex(")") + 2 :].split()
        table.append((int(entry.name), fields[0], int(fields[1]), int(fields[2])))
    return table


def processes_in_group(pgid: int) -> list[int]:
    """Every live process (zombies aside) whose process group is `pgid`."""
    return [pid for pid, state, _, pgrp in proc_table() if pgrp == pgid and state not in "ZX"]


def children_of(parent: int) -> list[int]:
    """The processes whose parent is `parent`, zombies included."""
    return [pid for pid, _, ppid, _ in proc_table() if ppid == parent]


def descendants(root: int) -> set[int]:
    """Every live process below `root` (the kitchen and its prep shelf, say)."""
    children: dict[int, list[int]] = {}
    for pid, state, ppid, _ in proc_table():
        if state not in "ZX":
            children.setdefault(ppid, []).append(pid)
    found: set[int] = set()
    todo = [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def wait_until(check: Callable[[], bool], timeout: float, poll: float = 0.02) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(poll)
    return check()


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text(errors="replace")
    except OSError:
        return False
    return state[state.rindex(")") + 2] not in "ZX"


def kitchen_tui(
    *args: str, cwd: Path | None = None, columns: str | None = "120"
) -> subprocess.CompletedProcess[str]:
    """`kitchen-tui ARGS` run as a user runs it, in a plain environment: its exit code and text."""
    env = {"PATH": "/usr/bin:/bin", "PYTHONIOENCODING": "utf-8"}
    if columns is not None:
        env["COLUMNS"] = columns
    return subprocess.run(
        [sys.executable, "-m", "kitchen_tui", *args],
        capture_output=True,
        text=True,
        timeout=45,
        cwd=cwd,
        env=env,
    )


def usage_error(call: Callable[..., object], *args: object) -> str:
    """The message of the UsageError `call(*args)` raises, checked to be one line."""
    with pytest.raises(UsageError) as caught:
        call(*args)
    message = str(caught.value)
    assert "\n" not in message
    return message


def nominal_seconds(dish: Dish) -> float:
    """A dish's steps' seconds added up: its latency in an idle kitchen."""
    return sum(step.seconds for step in dish.steps)


def trace_seconds(trace: Trace) -> float:
    """Real seconds from a trace's first stamped event to its last."""
    stamps = [float(e["t"]) for e in trace.events if "t" in e]
    return max(stamps) - min(stamps) if stamps else 0.0


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the tests of the files read for timing asserts and found with none (untimed.py)."""
    for item in items:
        if item.path.relative_to(config.rootpath).as_posix() in UNTIMED:
            item.add_marker(pytest.mark.untimed)
