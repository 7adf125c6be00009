"""Real CPU work: pure-Python arithmetic that holds the GIL until the thread burned its share."""

from __future__ import annotations

import ctypes
import functools
import signal
import threading
import time

# Iterations between clock reads: small enough to stop within ~0.1 ms, large enough that reading
# the clock costs under a few percent of the work.
_CHUNK = 2_000
_PR_SET_PDEATHSIG = 1


def burn_cpu(seconds: float, cancel: threading.Event | None = None) -> float:
    """Do real Python work until this thread's own CPU time has advanced by `seconds`.

    Counting thread CPU time, not wall time, makes the work a fixed amount: two threads sharing
    the GIL take twice as long, exactly as real Python code would. Returns the CPU seconds used.
    """
    start = time.thread_time()
    deadline = start + seconds
    acc = 0
    while time.thread_time() < deadline:
        for i in range(_CHUNK):
            acc = (acc * 31 + i) & 0xFFFF
        if cancel is not None and cancel.is_set():
            break
    return time.thread_time() - start


def burn_cpu_on_shelf(seconds: float) -> tuple[float, int]:
    """The prep shelf's job, run in a worker process: the CPU seconds it used and the worker pid."""
    import os

    _die_with_kitchen()
    return burn_cpu(seconds), os.getpid()


@functools.cache
def _die_with_kitchen() -> None:
    """Have Linux kill this worker when the kitchen dies: a busy worker reads no EOF until its
    job ends, so a killed kitchen would otherwise leave it burning CPU for the rest of the job."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass  # not Linux: the worker ends at its next read of a closed pipe
