"""The pool's heartbeat: every worker's latest one, summed into the kitchen's."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

# What a worker's heartbeat counts, summed over the workers (lag_s: the worst of them).
SUMMED = (
    "in_flight",
    "loop_busy_s",
    "served",
    "failed",
    "refused",
    "timed_out",
    "uneaten",
    "walked_out",
    "thread_tokens",
    "thread_limit",
    "token_waiting",
    "jobs_open",
    "jobs_queued",
)
OUTCOMES = ("served", "failed", "refused", "timed_out", "uneaten", "walked_out")


class PoolBeats:
    """The workers' latest heartbeats, and the outcomes dead workers had counted.

    A worker writes its outcomes ahead of the heartbeat that counts them, and the master
    passes both on in that order, so the sum never counts an outcome not yet passed on.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._latest: dict[int, Mapping[str, Any]] = {}
        self._carried = dict.fromkeys(OUTCOMES, 0)  # outcomes of workers gone

    def note(self, slot: int, beat: Mapping[str, Any]) -> None:
        with self._lock:
            self._latest[slot] = dict(beat)

    def gone(self, slot: int) -> None:
        """A worker died: what it counted stays counted; its load is gone."""
        with self._lock:
            beat = self._latest.pop(slot, None)
            if beat is not None:
                for kind in OUTCOMES:
                    self._carried[kind] += int(beat.get(kind, 0))

    def total(self, own: Mapping[Any, int]) -> dict[str, Any]:
        """The pool's heartbeat fields: the workers' sums plus the master's `own` outcomes."""
        with self._lock:
            beats = list(self._latest.values())
            total: dict[str, Any] = {name: 0 for name in SUMMED}
            for kind in OUTCOMES:
                total[kind] = self._carried[kind] + int(own.get(kind, 0))
        for beat in beats:
            for name in SUMMED:
                total[name] += beat.get(name, 0)
        total["lag_s"] = max((float(beat.get("lag_s", 0.0)) for beat in beats), default=0.0)
        return total
