"""The event stream's vocabulary: its version, what an event is, and the stall alarm levels."""

from __future__ import annotations

from typing import Any

STREAM_VERSION = 1
STALL_LEVELS = (0.05, 0.25, 1.0)  # the alarm levels people know: 50 ms, 250 ms, 1 s

Event = dict[str, Any]


def stall_level(seconds: float) -> int:
    """0 below 50 ms, 1 from 50 ms, 2 from 250 ms, 3 from 1 s."""
    return sum(1 for level in STALL_LEVELS if seconds >= level)
