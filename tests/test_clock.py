"""Story time: real stamps scaled by the speed, across speed changes."""

from __future__ import annotations

import pytest

from kitchen_tui.kitchen.clock import StoryClock


def test_story_follows_each_speed_from_its_change_on() -> None:
    clock = StoryClock(speed=1.0, start=100.0)
    clock.set_speed(0.5, at=102.0)  # slow motion from story second 2
    clock.set_speed(2.0, at=106.0)  # then fast: story second 4 from here
    assert clock.story(101.0) == pytest.approx(1.0)
    assert clock.story(104.0) == pytest.approx(3.0)
    assert clock.story(107.0) == pytest.approx(6.0)
    assert clock.story(99.0) == pytest.approx(-1.0)  # before the start: the first speed


def test_span_is_story_seconds_between_two_stamps() -> None:
    clock = StoryClock(speed=1.0, start=100.0)
    clock.set_speed(0.5, at=102.0)
    assert clock.span(103.0, 105.0) == pytest.approx(1.0)  # inside the latest segment
    assert clock.span(101.0, 104.0) == pytest.approx(2.0)  # across the change: 1 + 1
    assert clock.real_after(110.0, 1.0) == pytest.approx(112.0)
