"""The kitchen's own counts beside a consumer's: what reached it, and what the stream lost."""

from __future__ import annotations

from collections.abc import Mapping

from kitchen_tui.protocol.events import HeartbeatEvent

OUTCOMES = ("served", "failed", "refused", "timed_out", "uneaten")


class Reconciler:
    """Holds a ledger's outcome counts against the kitchen's heartbeats.

    A heartbeat's counts may run microseconds ahead of the stream (a cook thread counts its
    order, then writes the event), but by the next heartbeat, 0.25 s later, every outcome the
    one before counted has been written ahead of it. So whatever the previous heartbeat counted
    that the ledger has not seen when the next one arrives was lost on the way.
    """

    def __init__(self, base: Mapping[str, int] | None = None) -> None:
        # Outcomes the kitchen counted before this account began (an earlier service).
        self.base = {kind: int((base or {}).get(kind, 0)) for kind in OUTCOMES}
        self.kitchen: dict[str, int] | None = None  # the latest heartbeat's counts
        self.settled: dict[str, int] | None = None  # the one before: all of these are due
        self.lost = dict.fromkeys(OUTCOMES, 0)
        self.idle_beats = 0  # heartbeats in a row with nothing at the desk or in flight

    def heartbeat(self, event: HeartbeatEvent, counted: Mapping[str, int]) -> None:
        if self.kitchen is not None:
            self.settled = self.kitchen
            self.lost = {
                kind: max(0, self.settled[kind] - self.base[kind] - counted[kind])
                for kind in OUTCOMES
            }
        # Heartbeats from before timeouts and walk-outs name only the first three.
        self.kitchen = {kind: int(event.get(kind, 0)) for kind in OUTCOMES}  # type: ignore[call-overload]
        idle = not event.get("in_flight") and not event.get("front_desk")
        self.idle_beats = self.idle_beats + 1 if idle else 0

    def missed(self, kind: str) -> None:
        """An outcome the consumer set aside on purpose (a ticket from before a reset)."""
        if kind in self.base:
            self.base[kind] += 1

    @property
    def settled_total(self) -> int:
        """Outcomes of this account that the kitchen had counted a heartbeat ago."""
        if self.settled is None:
            return 0
        return sum(self.settled[kind] - self.base[kind] for kind in OUTCOMES)

    @property
    def lost_total(self) -> int:
        return sum(self.lost.values())

    def carried(self, counted: Mapping[str, int]) -> dict[str, int]:
        """The base of the next account (after a reset): everything this one covered."""
        return {kind: self.base[kind] + counted[kind] + self.lost[kind] for kind in OUTCOMES}
