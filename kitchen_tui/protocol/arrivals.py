"""Open-loop arrivals: seeded gaps between customers and the dish each one orders.

Both a scenario's `[load]` table (every order stamped before any is sent) and the live stream
the kitchen runs from the rate dial draw from this, so one seed gives the same customers.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Literal

ArrivalKind = Literal["poisson", "even"]
ARRIVAL_KINDS: tuple[ArrivalKind, ...] = ("poisson", "even")
MAX_STREAM_RATE = 10_000.0  # story customers a second a stream command may ask for


class ArrivalDraws:
    """Seeded draws: the story seconds to the next customer at a rate, and their dish."""

    def __init__(self, mix: Mapping[str, int], kind: ArrivalKind = "poisson", seed: int = 1):
        self.kind = kind
        self._rng = random.Random(seed)
        self._dishes = list(mix)
        self._weights = list(mix.values())

    def gap(self, rate: float) -> float:
        """Story seconds to the next customer: exponential (poisson) or exactly 1 / rate."""
        return self._rng.expovariate(rate) if self.kind == "poisson" else 1.0 / rate

    def first_gap(self, rate: float) -> float:
        """To the first customer: evenly spaced streams start at once."""
        return self.gap(rate) if self.kind == "poisson" else 0.0

    def dish(self) -> str:
        if len(self._dishes) == 1:
            return self._dishes[0]
        return self._rng.choices(self._dishes, self._weights)[0]
