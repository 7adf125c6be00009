"""Story time: the lesson's seconds, which the kitchen's clock runs at its speed factor.

Every figure on screen is in story seconds, so slow motion stretches the picture and never the
numbers. The kitchen stamps each event with its story time; a change of speed starts a new
stretch of the mapping, and earlier instants keep the speed they happened at.
"""

from __future__ import annotations

import bisect

from kitchen_tui.protocol.events import HelloEvent, SettingsEvent


class StoryClock:
    """Real `perf_counter()` instants to story seconds, piece by piece between speed changes."""

    def __init__(self) -> None:
        self._real: list[float] = []
        self._pieces: list[tuple[float, float]] = []  # (story at its start, speed)

    def note(self, e: HelloEvent | SettingsEvent, speed: float) -> None:
        """An event that sets the speed (hello, settings): a new piece if the speed changed."""
        t = e.get("t")
        if not isinstance(t, float | int):
            return
        if self._pieces and self._pieces[-1][1] == speed:
            return
        story = e.get("story")
        start = float(story) if isinstance(story, float | int) else self.at(float(t))
        self._real.append(float(t))
        self._pieces.append((start, speed))

    def at(self, t: float) -> float:
        if not self._pieces:
            return t
        index = max(0, bisect.bisect_right(self._real, t) - 1)
        story, speed = self._pieces[index]
        return story + (t - self._real[index]) * speed

    def span(self, start: float, end: float) -> float:
        """Story seconds between two real instants."""
        return self.at(end) - self.at(start)

    def copy(self) -> StoryClock:
        clock = StoryClock()
        clock._real, clock._pieces = list(self._real), list(self._pieces)
        return clock
