"""The kitchen's garbage collection waits for a quiet kitchen, and never forever."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest

from kitchen_tui.kitchen.collector import QuietCollector


@pytest.fixture(autouse=True)
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if was:
        gc.enable()
    else:
        gc.disable()


def test_a_rush_holds_collection_off_until_the_kitchen_is_quiet() -> None:
    collector = QuietCollector()
    collector.rush()
    assert not gc.isenabled()
    collector.rush()  # more tickets: still off
    assert not gc.isenabled()
    collector.quiet()
    assert gc.isenabled()


def test_a_kitchen_that_never_goes_quiet_still_collects() -> None:
    generations: list[int] = []

    def seen(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            generations.append(info["generation"])

    collector = QuietCollector(max_pause_s=0.0)
    gc.callbacks.append(seen)
    try:
        collector.rush()
        collector.check()
    finally:
        gc.callbacks.remove(seen)
        collector.quiet()
    assert 0 in generations
    assert gc.isenabled()


def test_collection_switched_off_by_someone_else_stays_off() -> None:
    gc.disable()
    collector = QuietCollector()
    collector.rush()
    collector.quiet()
    assert not gc.isenabled()
