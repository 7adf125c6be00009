"""The rail: tickets parked at an `await` while their I/O is in flight."""

from __future__ import annotations

from kitchen_tui.kitchen.timers import Timers


class Rail:
    """Where awaited I/O hangs until it comes back; the loop is free meanwhile.

    Waits of one length end in the order they began, as the backend's timers keep them.
    """

    def __init__(self, timers: Timers) -> None:
        self._timers = timers

    async def wait(self, seconds: float) -> None:
        """Suspend the calling task for `seconds`, as awaited I/O would."""
        await self._timers.sleep(seconds)
