"""Each kitchen's capacity: the rate at which its scarcest resource frees up.

Every order asks each resource for some seconds of it (its demand); a resource of `servers`
serves at most servers / demand orders a second. A mix asks for the weighted mean demand. The
capacity is the least of those rates, and the resource that sets it is the bottleneck:

- sync: the one cook holds each order start to finish: 1 / latency;
- threads: N cooks, N / latency, but CPU steps hold the GIL: at most 1 / CPU time;
- async: the loop runs every CPU and blocking step: 1 / (CPU + blocking); to_thread steps share
  the limiter's 40 tokens and the GIL;
- the prep shelf: its workers, workers / CPU on the shelf (the round trips' cost is not in it);
- W worker processes: W of each of those, but their CPU steps share the machine's cores: at
  most cores / CPU time, however many workers.
Times are story seconds, so capacities are story orders a second at any speed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kitchen_tui.protocol.menu import Dish
from kitchen_tui.protocol.settings import THREAD_TOKENS, KitchenSettings
from kitchen_tui.stream.model import served_as

# Which resource each way of serving a step holds, in a kitchen with a loop (async).
_LOOP_HOLDS: dict[str, tuple[str, ...]] = {
    "cpu": ("loop", "GIL"),
    "slices": ("loop", "GIL"),
    "block": ("loop",),
    "thread_cpu": ("threads", "GIL"),
    "thread_io": ("threads",),
    "shelf": ("prep shelf",),
    "job": ("prep shelf",),
    "wait": (),
}


@dataclass(frozen=True)
class Capacity:
    """The most orders a story second a kitchen serves for good, and what limits it."""

    per_s: float  # inf when nothing is scarce (only waits, on a loop)
    bottleneck: str
    by_resource: dict[str, float]  # every scarce resource's own limit


def demands(dish: Dish, settings: KitchenSettings) -> dict[str, float]:
    """Story seconds of each resource one order of `dish` holds."""
    held: dict[str, float] = {}

    def add(resource: str, seconds: float) -> None:
        held[resource] = held.get(resource, 0.0) + seconds

    for step in dish.steps:
        op = served_as(step, settings)
        if step.kind == "cpu" and settings.workers > 1:  # the processes share the machine
            add("cores", step.seconds)
        if settings.mode == "async":
            for resource in _LOOP_HOLDS[op]:
                add(resource, step.seconds)
            continue
        if op != "job":  # a cook waits for everything but a job, the shelf included
            add("cooks" if settings.mode == "threads" else "cook", step.seconds)
        if op == "cpu":
            add("GIL", step.seconds)
        elif op in ("shelf", "job"):
            add("prep shelf", step.seconds)
    return held


def servers(settings: KitchenSettings) -> dict[str, int]:
    """How many of each resource the kitchen has: each worker process has its own."""
    workers = settings.workers
    return {
        "cook": workers,
        "cooks": settings.cooks * workers,
        "GIL": workers,
        "loop": workers,
        "threads": THREAD_TOKENS * workers,
        "prep shelf": settings.shelf_workers * workers,
        "cores": os.cpu_count() or 1,
    }


def capacity(
    mix: Mapping[str, float], dishes: Mapping[str, Dish], settings: KitchenSettings
) -> Capacity:
    """The capacity of a kitchen serving `mix` (dish: weight) in story orders a second."""
    total = sum(mix.values())
    if total <= 0:
        raise ValueError("a mix needs a dish of weight above 0")
    mean: dict[str, float] = {}
    for name, weight in mix.items():
        for resource, seconds in demands(dishes[name], settings).items():
            mean[resource] = mean.get(resource, 0.0) + seconds * weight / total
    count = servers(settings)
    limits = {r: count[r] / seconds for r, seconds in mean.items() if seconds > 0}
    if not limits:
        return Capacity(float("inf"), "nothing", {})
    bottleneck = min(limits, key=lambda r: limits[r])
    return Capacity(limits[bottleneck], bottleneck, limits)


def capacity_as_sent(
    mix: Mapping[str, float], menu: Mapping[str, Any], settings: Mapping[str, Any]
) -> float | None:
    """The capacity for `mix` of a kitchen as its events describe it (menu and settings as
    JSON); None when a dish or a setting is not known."""
    try:
        dishes = {name: Dish.from_json(menu[name]) for name in mix}
        return capacity(mix, dishes, KitchenSettings.from_json(dict(settings))).per_s
    except (KeyError, TypeError, ValueError):
        return None


def steady_throughput(done_at: list[float], until: float) -> float | None:
    """Orders a second served in steady state: between the first and the last order served by
    `until` (the end of the arrivals), so neither the first order's latency nor the drain after
    the stream ends counts. N cooks finish in rounds, so a window of fewer than a few dozen
    rounds reads up to N / window too high. A kitchen so far behind that it served only in the
    last half of the stream (an async loop past its capacity answers in bunches, as each long
    turn of the loop ends) is read over the whole run instead, drain included, in which it was
    busy throughout: a bunch of forty answers in 0.3 s read 141 a second for a loop that serves
    25. None without two instants."""
    window = _steady_window(sorted(done_at), until)
    return None if window is None else (len(window) - 1) / (window[-1] - window[0])


def _steady_window(times: list[float], until: float) -> list[float] | None:
    """The instants (sorted) steady_throughput reads its rate over."""
    steady = [t for t in times if t <= until]
    if len(steady) >= 2 and steady[-1] - steady[0] >= until / 2:
        return steady
    if len(times) < 2 or times[-1] <= times[0]:
        return None
    return times


@dataclass(frozen=True)
class Throughput:
    """What a kitchen served a second in steady state, and what it was offered meanwhile."""

    served_per_s: float  # never above offered_per_s
    offered_per_s: float  # arrivals a second while the orders it served arrived


def served_against_offered(
    stays: list[tuple[float, float | None]], until: float
) -> Throughput | None:
    """steady_throughput of the (arrived, served or None) story times, held against the
    arrivals actually offered meanwhile: every arrival (served or not) from the first to the
    last arrival of the orders it counted, a second. A Poisson stream's arrivals bunch: a
    window of 20 of them at 1 a second may hold 25, and a kitchen that keeps up serves those 25
    in that window, faster than the rate it was asked for. Read over the arrivals of the same
    orders, a kitchen that keeps up serves what it is offered, and one that falls behind (its
    orders take longer to serve than they took to come) less. It cannot serve for good more
    than arrives: more reads a window's luck (its latencies shorter at the end than at the
    start, N cooks' rounds), not capacity, so the served rate is capped at the offered one.
    None without two instants served."""
    served = sorted((done, arrived) for arrived, done in stays if done is not None)
    window = _steady_window([done for done, _ in served], until)
    if window is None:
        return None
    rate = (len(window) - 1) / (window[-1] - window[0])
    counted = [arrived for done, arrived in served if window[0] <= done <= window[-1]]
    first, last = min(counted), max(counted)
    came = sum(1 for arrived, _ in stays if first <= arrived <= last)
    if last <= first:  # one burst, all at once: no rate of arrivals to hold it against
        return Throughput(rate, rate)
    offered = (came - 1) / (last - first)
    return Throughput(min(rate, offered), offered)


def littles_law(
    stays: list[tuple[float, float | None]], start: float, end: float
) -> tuple[float, float]:
    """Little's law over [start, end] from each order's (arrived, served or None) story times:
    L, the time-average number in the kitchen, and X x W, the orders served in the window a
    second times their mean latency. In a stable kitchen the two agree."""
    span = end - start
    if not span > 0:
        raise ValueError("the window must have a length")
    inside = 0.0
    latencies = []
    for arrived, served in stays:
        leaves = end if served is None else served
        inside += max(0.0, min(leaves, end) - max(arrived, start))
        if served is not None and start <= served <= end:
            latencies.append(served - arrived)
    if not latencies:
        return inside / span, 0.0
    throughput = len(latencies) / span
    return inside / span, throughput * sum(latencies) / len(latencies)
