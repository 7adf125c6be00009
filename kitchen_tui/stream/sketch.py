"""A latency distribution in bounded memory: exact while small, log buckets once large."""

from __future__ import annotations

import bisect
import math
from collections import Counter
from collections.abc import Iterable

EXACT_LIMIT = 1_024  # values kept as they are: a demo's figures stay exact
BUCKET_RATIO = 1.001  # each bucket 0.1 % wide: a percentile is off by at most 0.05 %
_LOG_RATIO = math.log(BUCKET_RATIO)
_ZERO = -(10**9)  # the bucket of latencies too small to take a logarithm of


class LatencySketch:
    """Percentiles of every latency seen, whatever runs for hours.

    The first EXACT_LIMIT values are kept sorted; past that they fold into a fixed-bucket
    histogram on a log scale (as HdrHistogram does): one counter per bucket in use, about
    2,300 from 1 ms to 10 s, however many values came. The smallest and largest stay exact.
    """

    __slots__ = ("_buckets", "_exact", "count", "largest", "smallest")

    def __init__(self, values: Iterable[float] = ()) -> None:
        self.count = 0
        self.smallest = math.inf
        self.largest = -math.inf
        self._exact: list[float] | None = []
        self._buckets: Counter[int] = Counter()
        for value in values:
            self.add(value)

    def add(self, value: float) -> None:
        self.count += 1
        self.smallest = min(self.smallest, value)
        self.largest = max(self.largest, value)
        exact = self._exact
        if exact is None:
            self._buckets[_bucket(value)] += 1
            return
        bisect.insort(exact, value)
        if len(exact) > EXACT_LIMIT:
            self._buckets.update(_bucket(v) for v in exact)
            self._exact = None

    def percentile(self, q: float) -> float | None:
        """Nearest-rank percentile (q in 0..100), as `ledger.percentile`; None for no values."""
        if not self.count:
            return None
        rank = max(1, min(self.count, math.ceil(q / 100 * self.count)))
        if self._exact is not None:
            return self._exact[rank - 1]
        if rank == self.count:
            return self.largest
        seen = 0
        for key in sorted(self._buckets):
            seen += self._buckets[key]
            if seen >= rank:
                return min(self.largest, max(self.smallest, _value(key)))
        return self.largest

    def median(self) -> float | None:
        """The true middle: for an even count, the mean of the two middle values (a
        nearest-rank p50 of two is the lower one); from buckets, the p50."""
        exact = self._exact
        if exact is None or not exact:
            return self.percentile(50)
        middle = len(exact) // 2
        return exact[middle] if len(exact) % 2 else (exact[middle - 1] + exact[middle]) / 2

    @property
    def buckets(self) -> int:
        """Counters in use: what this sketch costs in memory, besides the exact values."""
        return len(self._buckets) if self._exact is None else 0


def merged(sketches: Iterable[LatencySketch]) -> LatencySketch:
    """One sketch of all these values together."""
    whole = LatencySketch()
    for sketch in sketches:
        if sketch._exact is not None:
            for value in sketch._exact:
                whole.add(value)
            continue
        if whole._exact is not None:
            whole._buckets.update(_bucket(v) for v in whole._exact)
            whole._exact = None
        whole._buckets.update(sketch._buckets)
        whole.count += sketch.count
        whole.smallest = min(whole.smallest, sketch.smallest)
        whole.largest = max(whole.largest, sketch.largest)
    return whole


def _bucket(value: float) -> int:
    return _ZERO if value <= 1e-12 else math.floor(math.log(value) / _LOG_RATIO)


def _value(key: int) -> float:
    """A bucket's geometric middle: within half a bucket of every value in it."""
    return 0.0 if key == _ZERO else math.exp((key + 0.5) * _LOG_RATIO)


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(q / 100 * len(ordered))))
    return ordered[rank - 1]
