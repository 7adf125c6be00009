"""An order: what the parent sends the kitchen for each customer."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Order:
    """One customer's order: a dish, arriving `at` seconds (story time) after the start, and
    how long they wait for it before walking out (None: the kitchen's patience setting)."""

    id: str
    dish: str
    at: float = 0.0
    patience: float | None = None
    # Why the kitchen could not read this order off its line (an id, dish or time that is no
    # such thing): it fails alone, on arrival, with this reason; never sent by the parent.
    problem: str | None = None
