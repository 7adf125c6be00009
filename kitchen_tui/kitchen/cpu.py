"""Real CPU work: pure-Python arithmetic that holds the GIL until the thread burned its share."""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Callable

from kitchen_tui.kitchen.lifeline import die_with_parent

# Iterations between clock reads: small enough to stop within ~0.1 ms, large enough that reading
# the clock costs under a few percent of the work.
_CHUNK = 2_000
PROGRESS_S = 0.1  # how often long remedied CPU work tells its figures so far (10 a second)


def burn_cpu(
    seconds: float,
    cancel: threading.Event | None = None,
    until: float = math.inf,
    progress: Callable[[float], None] | None = None,
) -> float:
    """Do real Python work until this thread's own CPU time has advanced by `seconds`.

    Counting thread CPU time, not wall time, makes the work a fixed amount: two threads sharing
    the GIL take twice as long, exactly as real Python code would. Returns the CPU seconds used;
    it stops early when `cancel` is set or at the real stamp `until` (a killed worker).
    `progress` hears the CPU seconds used so far, every PROGRESS_S of wall time.
    """
    start = time.thread_time()
    deadline = start + seconds
    told = time.perf_counter()
    acc = 0
    while (now := time.thread_time()) < deadline:
        for i in range(_CHUNK):
            acc = (acc * 31 + i) & 0xFFFF
        if cancel is not None and cancel.is_set():
            break
        if until < math.inf and time.perf_counter() >= until:
            break
        if progress is not None and time.perf_counter() - told >= PROGRESS_S:
            told = time.perf_counter()
            progress(now - start)
    return time.thread_time() - start


def burn_cpu_on_shelf(seconds: float) -> tuple[float, int]:
    """The prep shelf's job, run in a worker process: the CPU seconds it used and the worker pid."""
    die_with_parent()  # the kitchen: a busy worker would outlive it until its job ends
    return burn_cpu(seconds), os.getpid()
