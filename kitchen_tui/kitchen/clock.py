"""Story time: the kitchen's clock scaled by the speed factor, so slow motion keeps true figures."""

from __future__ import annotations

import bisect
import threading
import time


class StoryClock:
    """Slow motion's clock: real `perf_counter()` stamps in story seconds, across every speed
    change so far."""

    def __init__(self, speed: float = 1.0, start: float | None = None) -> None:
        origin = time.perf_counter() if start is None else start
        # Segment i starts at real time _real[i], story time _story[i], and runs at _speed[i].
        self._real = [origin]
        self._story = [0.0]
        self._speed = [speed]
        # The latest segment (real start, story start, speed) in one tuple: read without the
        # lock, it is always a consistent segment; most stamps fall in it.
        self.segment = (origin, 0.0, speed)
        self._lock = threading.Lock()

    @property
    def speed(self) -> float:
        return self._speed[-1]

    @property
    def origin(self) -> float:
        return self._real[0]

    def set_speed(self, speed: float, at: float | None = None) -> None:
        now = time.perf_counter() if at is None else at
        with self._lock:
            story = self.story(now)
            self._real.append(now)
            self._story.append(story)
            self._speed.append(speed)
            self.segment = (now, story, speed)

    def story(self, t: float) -> float:
        """Story seconds at real stamp `t` (before the origin counts at the first speed)."""
        real0, story0, speed = self.segment
        if t >= real0:
            return story0 + (t - real0) * speed
        i = max(0, bisect.bisect_right(self._real, t) - 1)
        return self._story[i] + (t - self._real[i]) * self._speed[i]

    def span(self, start: float, end: float) -> float:
        """Story seconds between two real stamps."""
        real0, _, speed = self.segment
        if start >= real0:
            return (end - start) * speed
        return self.story(end) - self.story(start)

    def real_after(self, t0: float, story_seconds: float) -> float:
        """The real stamp `story_seconds` after `t0`, at the current speed."""
        return t0 + story_seconds / self.speed
