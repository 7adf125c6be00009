"""Latency sketches: exact while small, within 0.05 % once large, and bounded whatever comes."""

from __future__ import annotations

import random

from kitchen_tui.stream.sketch import EXACT_LIMIT, LatencySketch, merged, percentile

QUANTILES = (1, 50, 90, 95, 99, 99.9, 100)


def test_a_small_sample_gives_the_exact_nearest_rank_percentiles() -> None:
    values = [random.Random(1).uniform(0.001, 3.0) for _ in range(EXACT_LIMIT)]
    sketch = LatencySketch(values)
    for q in QUANTILES:
        assert sketch.percentile(q) == percentile(values, q)
    assert LatencySketch().percentile(50) is None


def test_many_latencies_fit_in_a_few_thousand_counters_and_stay_right() -> None:
    draw = random.Random(7)
    # Mostly fast orders, some slow, a long tail: what a busy kitchen serves.
    values = [draw.lognormvariate(-3.0, 1.2) for _ in range(300_000)] + [0.0, 42.0]
    sketch = LatencySketch(values)
    assert sketch.count == len(values)
    assert sketch.buckets < 20_000
    ordered = sorted(values)
    for q in QUANTILES:
        exact = percentile(ordered, q)
        got = sketch.percentile(q)
        assert exact is not None and got is not None
        assert abs(got - exact) <= 0.0005 * exact, (q, got, exact)
    assert sketch.percentile(100) == 42.0 and sketch.percentile(0) == 0.0


def test_sketches_merge_into_one_of_all_their_values() -> None:
    draw = random.Random(3)
    small = [draw.uniform(0.05, 0.06) for _ in range(100)]
    large = [draw.uniform(1.8, 2.2) for _ in range(2 * EXACT_LIMIT)]
    whole = merged([LatencySketch(small), LatencySketch(large)])
    both = small + large
    assert whole.count == len(both)
    for q in QUANTILES:
        exact = percentile(both, q)
        got = whole.percentile(q)
        assert exact is not None and got is not None
        assert abs(got - exact) <= 0.0005 * exact
