"""The protocol as written: docs/events.md, the TypedDicts and a real kitchen's events agree."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kitchen_tui.protocol.events import EVENT_TYPES, Header
from kitchen_tui.protocol.orders import Order
from kitchen_tui.protocol.settings import KitchenSettings
from kitchen_tui.stream.headless import run_scenario
from tests.conftest import dish, scenario

DOCS = Path(__file__).resolve().parents[1] / "docs" / "events.md"
HEADER_KEYS = set(Header.__optional_keys__)
ROW = re.compile(r"^\| `(\w+)` \|(.*?)\|[^|]+\|$")


def _documented() -> dict[str, set[str]]:
    """Each event type of the Types table, with the keys its row names (in backticks)."""
    table = DOCS.read_text().split("## Types", 1)[1].strip().split("\n\n", 1)[0]
    rows = (ROW.match(line) for line in table.splitlines())
    return {
        row[1]: {key for key in re.findall(r"`(\w+)`", re.sub(r"\(.*?\)", "", row[2]))}
        for row in rows
        if row is not None
    }


def _keys(event_type: str, optional: bool = True) -> set[str]:
    """The keys its TypedDict names, beside the ones every event has; with `optional`, also
    those it may leave out."""
    typed = EVENT_TYPES[event_type]
    keys = set(typed.__required_keys__)  # type: ignore[attr-defined]
    if optional:
        keys |= set(typed.__optional_keys__)  # type: ignore[attr-defined]
    return keys - HEADER_KEYS - {"type", "t"}


def test_every_documented_event_has_a_typed_dict_with_the_same_keys() -> None:
    documented = _documented()
    assert set(documented) == set(EVENT_TYPES)
    for event_type, keys in documented.items():
        assert keys == _keys(event_type), event_type


@pytest.mark.timeout(60)
def test_a_real_kitchen_writes_each_event_with_exactly_its_keys() -> None:
    dishes = [
        dish("hog", ("blocking", 0.06)),  # holds the loop: a stall
        dish("crunch", ("cpu", 0.01)),  # the prep shelf
        dish("broken", ("wait", 0.01), error="upstream timed out"),
        dish("nap", ("wait", 0.3)),  # long enough for a heartbeat
    ]
    orders = [Order("H", "hog"), Order("C", "crunch"), Order("B", "broken"), Order("N", "nap")]
    async_run = run_scenario(
        scenario(orders, dishes), KitchenSettings(mode="async", prep_shelf=True)
    )
    # A sync cook takes the first, the desk's one place holds the second: the third is 86'd.
    three = [Order(f"R{i}", "redis") for i in range(3)]
    sync_run = run_scenario(scenario(three), KitchenSettings(mode="sync", front_desk=1))
    # A sync worker killed at its deadline, and a customer who walks out meanwhile.
    naps = [Order("D", "nap"), Order("W", "redis", patience=0.1)]
    giving_up = run_scenario(scenario(naps, dishes), KitchenSettings(mode="sync", deadline=0.2))
    # Two workers: the master passes each worker's events on, and adds its own.
    # (A wait longer than two of their heartbeats' interval, so each worker's beat is seen.)
    long_naps = [Order("W1", "long_nap"), Order("W2", "long_nap")]
    pool_settings = KitchenSettings(mode="sync", workers=2)
    pool_run = run_scenario(scenario(long_naps, [dish("long_nap", ("wait", 0.6))]), pool_settings)
    events = async_run.events + sync_run.events + giving_up.events + pool_run.events
    seen = {event["type"] for event in events}
    assert seen >= {"walked_out", "uneaten", "timed_out"}
    assert seen >= {"accepted", "worker_up", "worker_beat"}
    assert seen >= {"hello", "arrived", "refused", "seated", "step_started", "shelf_in"}
    assert seen >= {"shelf_out", "step_finished", "stall", "served", "failed", "heartbeat"}
    for event in events:
        own = set(event) - HEADER_KEYS - {"type", "t"}
        assert _keys(event["type"], optional=False) <= own <= _keys(event["type"]), event
        assert set(event) >= {"v", "seq", "story", "type", "t"}, event
