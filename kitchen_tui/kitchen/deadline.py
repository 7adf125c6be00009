"""The server's deadline on a request, as each mode's real server has it.

async: `anyio.fail_after` around the handler, from the moment it starts: the cancel lands at
the handler's next `await`; a step holding the loop (or a to_thread worker, awaited with
anyio's default `abandon_on_cancel=False`) runs to its end first, the cancel pending.
threads: the same `fail_after` around a plain `def` route (FastAPI), from arrival, since the
route waits for one of the limiter's tokens inside it: a ticket still waiting is cancelled
there; a cook at work cannot be stopped, runs on, and its answer is thrown away.
sync: gunicorn's `--timeout` on a sync worker: from the moment the worker takes the request,
the arbiter kills a worker that long at it; the cook stops where it is, nobody is answered.
"""

from __future__ import annotations

import contextlib
import math
import time
from typing import TYPE_CHECKING

import anyio

if TYPE_CHECKING:
    from kitchen_tui.kitchen.clock import StoryClock
    from kitchen_tui.protocol.settings import KitchenSettings


class WorkerKilled(TimeoutError):
    """gunicorn's arbiter killed the sync worker at its --timeout: no response goes out."""


class RanOn(TimeoutError):
    """The deadline passed while a cook thread worked: its answer is thrown away."""


def deadline_after(start: float, settings: KitchenSettings, clock: StoryClock) -> float:
    """The real stamp at which a deadline begun at `start` falls; inf without one."""
    return start + settings.deadline / clock.speed if settings.deadline else math.inf


def within(deadline_at: float) -> contextlib.AbstractContextManager[object]:
    """`anyio.fail_after` until `deadline_at` (a real stamp), or nothing without a deadline."""
    if deadline_at == math.inf:
        return contextlib.nullcontext()
    return anyio.fail_after(deadline_at - time.perf_counter())


def loop_time(stamp: float) -> float:
    """A real `perf_counter()` stamp on the loop's own clock (trio's carries an offset)."""
    return math.inf if stamp == math.inf else anyio.current_time() + stamp - time.perf_counter()
