"""The queueing figures over time: the latest reading for the panel, a sample every half
second for the live chart, and the steady points of each rate a stream ran at (the capacity
curve a talk draws from its own measured runs)."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kitchen_tui.stream.capacity import capacity_as_sent
from kitchen_tui.stream.queueing import WINDOW_S, QueueFigures, queue_figures

if TYPE_CHECKING:
    from kitchen_tui.stream.ledger import Ledger

READ_HZ = 4  # the panel's figures change this often: faster cannot be read anyway
SAMPLE_S = 0.5  # real seconds between the chart's points
KEEP_SAMPLES = 240  # two minutes of them


@dataclass(frozen=True)
class Sample:
    """The figures at one instant, with what the kitchen was and what the stream asked."""

    t: float  # real perf_counter()
    setting: str  # "sync", "async + shelf", ...
    rate_per_s: float | None  # the stream's dialled rate (None: no stream)
    figures: QueueFigures


@dataclass(frozen=True)
class CapacityPoint:
    """One rate a kitchen was run at long enough to fill the window: what it measured."""

    setting: str
    rate_per_s: float
    offered_per_s: float
    throughput_per_s: float
    p50_s: float | None
    p99_s: float | None
    predicted_per_s: float | None  # the model's capacity of that kitchen for that mix


def stream_rate(ledger: Ledger) -> float | None:
    """The steady stream's rate (story customers a second), None while none runs."""
    return None if ledger.flow.stream is None else float(ledger.flow.stream["rate"])


class FigureHistory:
    """Reads the figures off the ledger at READ_HZ and keeps a sample every SAMPLE_S."""

    def __init__(self, window_s: float = WINDOW_S) -> None:
        self.window_s = window_s
        self.latest: QueueFigures | None = None
        self.read_at = 0.0  # the instant `latest` was read at
        self.samples: deque[Sample] = deque(maxlen=KEEP_SAMPLES)
        self.version = 0  # grows with every new sample: the chart redraws on it
        self._slot = -1
        self._stretch: tuple[object, float] | None = None  # (what ran, since when)
        self._points: dict[tuple[str, float], CapacityPoint] = {}

    def read(self, ledger: Ledger, now: float, rate_per_s: float | None) -> bool:
        """Take a reading if its time has come; True when the figures changed."""
        slot = int(now * READ_HZ)
        if slot == self._slot:
            return False
        self._slot = slot
        self.latest, self.read_at = queue_figures(ledger, now, self.window_s), now
        if self.latest is None:
            return True
        last = self.samples[-1].t if self.samples else None
        if last is None or now - last >= SAMPLE_S:
            sample = Sample(now, ledger.setting, rate_per_s, self.latest)
            self.samples.append(sample)
            self.version += 1
            self._note_steady(sample, ledger)
        return True

    def _note_steady(self, sample: Sample, ledger: Ledger) -> None:
        """A point for the (setting, rate) running, once the window holds nothing else: the
        same setting, rate and account (a reset starts a new one) for a whole window."""
        if sample.rate_per_s is None:
            self._stretch = None
            return
        running = (sample.setting, sample.rate_per_s, id(ledger))
        if self._stretch is None or self._stretch[0] != running:
            self._stretch = (running, sample.t)
        if sample.t - self._stretch[1] < self.window_s:
            return
        f = sample.figures
        key = (sample.setting, sample.rate_per_s)
        mix = ledger.flow.stream["mix"] if ledger.flow.stream else {}
        predicted = capacity_as_sent(mix, ledger.menu, ledger.settings) if mix else None
        self._points[key] = CapacityPoint(
            sample.setting,
            sample.rate_per_s,
            f.offered_per_s,
            f.throughput_per_s,
            f.p50_s,
            f.p99_s,
            predicted,
        )

    def capacity_points(self) -> list[CapacityPoint]:
        """Each (setting, rate) run for a whole window, as last measured, by setting and rate."""
        return [self._points[key] for key in sorted(self._points)]
