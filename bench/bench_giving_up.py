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
   inside a handler, at an await (threads waiting for a cook; async waiting for a to_thread
   token), and never the work queued in front of the handler (sync's accept queue; async's
   loop, when the loop itself is the bottleneck). PASS when it does the first and not the
   second; the loop-bound async row and the one-worker shelf are figures, not targets.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from machine import machine  # bench/machine.py: run as `python bench/<script>.py`

from kitchen_tui.stream.overload import Overload, overload, overload_scenario

NOMINAL_S = 1.84  # the chat message on an idle kitchen: 40 ms of CPU, 1.8 s of LLM
SNEAKY_S = 1.0  # the sneaky blocker: a 1 s blocking call (requests.get in async def)
DEADLINE_S = 5.0
Settings = dict[str, object]
# (label, dish, its own time, settings, overload rate, seconds, newcomer every, newcomers for,
# whether a deadline must bring recovery down to about one deadline)
KITCHENS: list[tuple[str, str, float, Settings, float, float, float, float, bool]] = [
    ("sync", "message", NOMINAL_S, {"mode": "sync"}, 1.1, 20.0, 4.0, 48.0, False),
    ("async", "message", NOMINAL_S, {"mode": "async"}, 50.0, 10.0, 0.25, 30.0, False),
    ("threads", "message", NOMINAL_S, {"mode": "threads"}, 43.0, 10.0, 0.25, 30.0, True),
    (
        "async, to_thread",
        "sneaky",
        SNEAKY_S,
        {"mode": "async", "fix_blocking": "to_thread"},
        80.0,
        10.0,
        0.25,
        30.0,
        True,
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
        False,
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
    for label, dish, own_s, settings, rate, seconds, every, span, sheds in KITCHENS:
        row = []
        for limits in ({}, {"deadline": DEADLINE_S}):
            text = overload_scenario(dish, rate, seconds, every, span, {**settings, **limits})
            row.append(overload(report(text, speed), seconds, own_s))
        print(f"   {label:16} {dish} at {rate:g}/s for {seconds:g} s:")
        print(f"      no deadline: {_recovered(row[0])}")
        print(f"      deadline {DEADLINE_S:g} s: {_recovered(row[1])}")
        if sheds:
            before, after = row[0].recovery_s, row[1].recovery_s
            good = after is not None and after <= DEADLINE_S + 2 and (before or 1e9) > after
            verdict = "PASS" if good else "FAIL"
            print(f"      {verdict}: the deadline sheds the queue inside the handlers")
            ok &= good
        elif label == "sync":
            before, after = row[0].recovery_s, row[1].recovery_s
            good = before is not None and after is not None and after >= 0.8 * before
            print(f"      {'PASS' if good else 'FAIL'}: the backlog is cooked in full either way")
            ok &= good
    return ok


def _recovered(figures: Overload) -> str:
    took = (
        "never (in the newcomers' window)"
        if figures.recovery_s is None
        else f"{figures.recovery_s:.1f} s"
    )
    return f"{took} (timed out {figures.timed_out}, wasted {figures.wasted_s:.0f} s)"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--speed", type=float, default=5.0)
    options = parser.parse_args()
    print(machine())
    start = time.perf_counter()
    ok = past_capacity(options.speed)
    ok &= recovery(options.speed)
    print(f"wall {time.perf_counter() - start:.0f} s")
    print(machine())
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
