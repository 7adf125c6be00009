"""The rail: tickets parked at an `await` while their I/O is in flight."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from kitchen_tui.kitchen.timers import Timers


class Rail:
    """Where awaited I/O hangs until it comes back; the loop is free meanwhile.

    Waits of one length end in the order they began, as the backend's timers keep them.
    """

    def __init__(self, timers: Timers) -> None:
        # Suspend the calling task for that many seconds, as awaited I/O would: the timers'
        # own sleep, bound once, with no coroutine of the rail's around it (10,000 tickets in
        # a burst each wait once).
        self.wait: Callable[[float], Awaitable[None]] = timers.sleep
