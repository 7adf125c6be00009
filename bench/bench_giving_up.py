"""Customers who give up, and kitchens that recover: the issue's must-shows, measured.

Run: python bench/bench_giving_up.py [--speed 5]

1. Past capacity with patience: the lesson's chat message at twice what a sync kitchen serves
   (1.1 a second against 0.54), a front desk of 8, customers who wait 10 s: when the desk's
   wait grows, when the first order is 86'd, when the first customer walks out, and the work
   the kitchen did for customers who had left (`report --json`'s figures). PASS when the three
   come in that order and the stats count each.
2. Recovery: each kitchen at twice its capacity for a while, then one newcomer at a time; how
   long after the overload newcomers are served as if the kitchen were idle (within 1.5 times
   the dish's own time), with no deadline and with a 5 s one. The deadline is the server's
   (`fail_after` in async and threads, gunicorn's --timeout in sync): it sheds work queued
   inside a handler at a pending await (threads waiting for a cook; async waiting for a
   to_thread token), and never the work queued in front of the handler (sync's accept queue;
   async's loop, when the loop itself is the bottleneck). PASS when it does the first and not
   the second. The chat pipeline (waits, then its CPU) is measured too: under a loop-bound
   overload its tickets wait for the loop with their I/O already back (anyio's cancel skips a
   task whose awaited future is done), so they spend their CPU anyway. A bounded front desk
   (8) is what rescues a loop-bound kitchen: it 86s the excess at once (PASS when it recovers
   within 2 s either way). The one-worker shelf is a figure, not a target.
3. The same chat-pipeline overload in plain anyio, no kitchen at all (a task a customer,
   `fail_after` around the handler, the same waits and CPU): how many handlers spent their CPU
   although their deadline had passed. PASS when the deadline saves the loop less than a tenth
   of the CPU: the kitchen's row above is anyio's own behaviour, not the kitchen's.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import anyio
from machine import machine  # bench/machine.py: run as `python bench/<script>.py`

from kitchen_tui.stream.overload import Overload, overload, overload_scenario

NOMINAL_S = 1.84  # the chat message on an idle kitchen: 40 ms of CPU, 1.8 s of LLM
SNEAKY_S = 1.0  # the sneaky blocker: a 1 s blocking call (requests.get in async def)
DEADLINE_S = 5.0
Settings = dict[str, object]
CHAT_S = 2.015  # the chat pipeline on an idle kitchen: 145 ms of waits, 40 ms of CPU, 1.83 s
# What a row must show: "sheds" (a deadline brings recovery down to about one deadline),
# "backlog" (recovery waits for the whole backlog either way), "bounded" (recovers within 2 s
# either way: the desk 86s the excess), or "" (a figure to know, not a target).
Expect = str
# (label, dish, its own time, settings, overload rate, seconds, newcomer every, newcomers for,
# what it must show)
KITCHENS: list[tuple[str, str, float, Settings, float, float, float, float, Expect]] = [
    ("sync", "message", NOMINAL_S, {"mode": "sync"}, 1.1, 20.0, 4.0, 48.0, "backlog"),
    ("async", "message", NOMINAL_S, {"mode": "async"}, 50.0, 10.0, 0.25, 30.0, ""),
    ("async, chat", "chat", CHAT_S, {"mode": "async"}, 50.0, 10.0, 0.25, 30.0, ""),
    (
        "async, desk 8",
        "message",
        NOMINAL_S,
        {"mode": "async", "front_desk": 8},
        50.0,
        10.0,
        0.25,
        30.0,
        "bounded",
    ),
    ("threads", "message", NOMINAL_S, {"mode": "threads"}, 43.0, 10.0, 0.25, 30.0, "sheds"),
    (
        "async, to_thread",
        "sneaky",
        SNEAKY_S,
        {"mode": "async", "fix_blocking": "to_thread"},
        80.0,
        10.0,
        0.25,
        30.0,
        "sheds",
    ),
    (
        "async + shelf 1",
        "message",
        NOMINAL_S,
        {"mode": "async", "fix_cpu": "prep_shelf", "shelf_size": 1},
        50.0,
        10.0,
        0.25,
        30.0,
        "",
    ),
]


def report(text: str, speed: float) -> dict[str, object]:
    path = Path(tempfile.mkdtemp()) / "overload.toml"
    path.write_text(f"speed = {speed:g}\n" + text)
    command = [sys.executable, "-m", "kitchen_tui", "report", "--scenario", str(path), "--json"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"report failed: {done.stderr.strip()}")
    return dict(json.loads(done.stdout))


def past_capacity(speed: float) -> bool:
    settings = {"mode": "sync", "front_desk": 8, "patience": 10.0}
    text = overload_scenario("message", 1.1, 30.0, 30.0, 1.0, settings)
    figures = overload(report(text, speed), 30.0, NOMINAL_S)
    waited = _first_wait(report(text, speed), 1.0)
    print("1. sync past capacity (1.1/s of the chat message, front desk 8, patience 10 s):")
    print(
        f"   desk wait first past 1 s for an order arriving at {waited:.1f} s;"
        f" first 86'd at {figures.first_86_s:.1f} s; first walk-out at"
        f" {figures.first_walk_out_s:.1f} s"
    )
    print(
        f"   served {figures.served}, 86'd {figures.refused}, walked out {figures.walked_out},"
        f" {figures.wasted_s:.1f} s of cooking for customers who had left"
    )
    ordered = waited < (figures.first_86_s or 0) < (figures.first_walk_out_s or 0)
    ok = ordered and figures.refused > 0 and figures.walked_out > 0 and figures.wasted_s > 0
    print(f"   {'PASS' if ok else 'FAIL'}: the desk grows, then 86s, then customers walk out")
    return ok


def _first_wait(result: dict[str, object], over_s: float) -> float:
    orders = result["orders"]
    assert isinstance(orders, list)
    waits = [o["arrived_s"] for o in orders if o["split"].get("front_desk", 0.0) > over_s]
    return min(waits, default=float("inf"))


def recovery(speed: float) -> bool:
    print("2. recovery after twice the capacity: from the overload's end to the first newcomer")
    print("   served within 1.5 x its dish's own time, and every later one too:")
    ok = True
    for label, dish, own_s, settings, rate, seconds, every, span, expect in KITCHENS:
        row = []
        for limits in ({}, {"deadline": DEADLINE_S}):
            text = overload_scenario(dish, rate, seconds, every, span, {**settings, **limits})
            row.append(overload(report(text, speed), seconds, own_s))
        print(f"   {label:16} {dish} at {rate:g}/s for {seconds:g} s:")
        print(f"      no deadline: {_recovered(row[0])}")
        print(f"      deadline {DEADLINE_S:g} s: {_recovered(row[1])}")
        if expect:
            good = _shows(expect, row[0], row[1])
            print(f"      {'PASS' if good else 'FAIL'}: {EXPECTED[expect]}")
            ok &= good
    return ok


EXPECTED = {
    "sheds": "the deadline sheds the queue inside the handlers",
    "backlog": "the backlog is cooked in full either way",
    "bounded": "the bounded desk 86s the excess: recovered at once either way",
}


def _shows(expect: Expect, before: Overload, after: Overload) -> bool:
    """Whether the recoveries without and with the deadline show what the row must."""
    was, now = before.recovery_s, after.recovery_s
    if expect == "sheds":
        return now is not None and now <= DEADLINE_S + 2 and (was or 1e9) > now
    if expect == "backlog":
        return was is not None and now is not None and now >= 0.8 * was
    return was is not None and now is not None and max(was, now) <= 2.0


def _recovered(figures: Overload) -> str:
    took = (
        "never (in the newcomers' window)"
        if figures.recovery_s is None
        else f"{figures.recovery_s:.1f} s"
    )
    lost = f"timed out {figures.timed_out}, 86'd {figures.refused}"
    return f"{took} ({lost}, wasted {figures.wasted_s:.0f} s)"


async def _plain_handler(scale: float, spent: list[bool], timed_out: list[int]) -> None:
    """The chat pipeline as a plain `async def` handler under `fail_after`: `spent` gets one
    entry per handler that ran its CPU step, True when its deadline had passed by then."""
    deadline = time.perf_counter() + DEADLINE_S * scale
    try:
        with anyio.fail_after(DEADLINE_S * scale):
            for seconds in (0.02, 0.005, 0.12):  # auth, Redis session, vector search
                await anyio.sleep(seconds * scale)
            spent.append(time.perf_counter() > deadline)
            _burn(0.04 * scale)  # build the prompt: CPU on the loop
            await anyio.sleep(1.8 * scale)  # LLM generation
            await anyio.sleep(0.03 * scale)  # billing write
    except TimeoutError:
        timed_out.append(1)


def _burn(seconds: float) -> None:
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


def plain_anyio(speed: float) -> bool:
    """The chat pipeline at 50 a second for 10 s on one loop, with a 5 s deadline (story
    seconds, scaled by `speed`): how many handlers still spent their CPU past the deadline."""
    scale, customers = 1 / speed, 500
    spent: list[bool] = []
    timed_out: list[int] = []

    async def stream() -> None:
        async with anyio.create_task_group() as group:
            start = time.perf_counter()
            for n in range(customers):
                await anyio.sleep(max(0.0, start + n / 50 * scale - time.perf_counter()))
                group.start_soon(_plain_handler, scale, spent, timed_out)

    anyio.run(stream)
    print("3. the chat pipeline at 50/s for 10 s in plain anyio (fail_after 5 s, no kitchen):")
    print(
        f"   {len(spent)} of {customers} handlers spent their CPU, {sum(spent)} of them after"
        f" their deadline had passed; {len(timed_out)} timed out"
    )
    ok = len(spent) > 0.9 * customers and len(timed_out) > 0
    print(f"   {'PASS' if ok else 'FAIL'}: the deadline did not spare the loop the CPU")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--speed", type=float, default=5.0)
    options = parser.parse_args()
    print(machine())
    start = time.perf_counter()
    ok = past_capacity(options.speed)
    ok &= recovery(options.speed)
    ok &= plain_anyio(options.speed)
    print(f"wall {time.perf_counter() - start:.0f} s")
    print(machine())
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
