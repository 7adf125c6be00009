"""Scenarios: who orders what and when, plus the kitchen settings to serve them with."""

from __future__ import annotations

from dataclasses import dataclass, field

from kitchen_tui.kitchen.menu import Dish
from kitchen_tui.kitchen.settings import KitchenSettings


@dataclass(frozen=True)
class Order:
    """One customer's order: a dish, arriving `at` seconds (story time) after the scenario starts."""

    id: str
    dish: str
    at: float = 0.0


@dataclass(frozen=True)
class Scenario:
    """A named run: settings, extra dishes and the orders in the order they arrive."""

    name: str
    title: str
    settings: KitchenSettings = field(default_factory=KitchenSettings)
    dishes: dict[str, Dish] = field(default_factory=dict)
    orders: tuple[Order, ...] = ()
