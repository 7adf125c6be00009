"""The sweep's accuracy against the model, and its own cost.

Run: python bench/bench_sweep.py [--speed 10] [--seconds 20]

Sweeps the lesson's chat message (40 ms of CPU, 1.8 s of LLM wait) through sync, threads and
async at the sweep's default rates (0.25x to 1.5x of each kitchen's predicted capacity), for
real, and prints each kitchen's measured capacity (the most it served) beside the model's, their
gap, each rate's arrivals as they came and what was served of them, and the whole sweep's wall
time. FAIL when a capacity is more than 10 % off the model.
"""

from __future__ import annotations

import argparse
import time

from machine import machine  # bench/machine.py: run as `python bench/<script>.py`

from kitchen_tui.protocol.menu import MENU
from kitchen_tui.protocol.settings import KitchenSettings
from kitchen_tui.stream.sweep import SweepPlan, sweep

RATES = (0.25, 0.5, 0.75, 0.9, 1.0, 1.1, 1.25, 1.5)
TOLERANCE = 0.10


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--speed", type=float, default=10.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    options = parser.parse_args()
    print(machine())
    plan = SweepPlan({"message": 1}, MENU, RATES, True, options.seconds)
    kitchens = [
        (m, KitchenSettings(mode=m, speed=options.speed)) for m in ("sync", "threads", "async")
    ]
    start = time.perf_counter()
    curves = sweep(kitchens, plan)
    wall = time.perf_counter() - start
    failed = False
    for curve in curves:
        measured = curve.capacity_per_s or 0.0
        model = curve.predicted_capacity_per_s
        gap = measured / model - 1
        verdict = "PASS" if abs(gap) <= TOLERANCE else "FAIL"
        failed |= verdict == "FAIL"
        print(
            f"{curve.label:8} capacity {measured:6.3f}/s, model {model:6.3f}/s"
            f" ({gap:+.1%}) {verdict}"
        )
        for point in curve.points:  # each rate: what came (a Poisson window's), what was served
            print(
                f"         {point.rate_per_s:7.3f}/s asked: {point.offered_per_s or 0.0:7.3f}/s"
                f" came, {point.throughput_per_s or 0.0:7.3f}/s served"
            )
    print(
        f"sweep of 3 kitchens x {len(RATES)} rates at --speed {options.speed:g}: {wall:.1f} s wall"
    )
    print(machine())
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
