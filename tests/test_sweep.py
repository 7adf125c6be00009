"""`kitchen-tui sweep`: real kitchens at rising rates, the documented JSON, one-line errors."""

from __future__ import annotations

import importlib.util
import json
import math
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image

from kitchen_tui.cli.sweep import capacity_words
from kitchen_tui.protocol.settings import KitchenSettings
from kitchen_tui.stream.sweep import KitchenCurve, Point
from tests.conftest import kitchen_tui, usage_error


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--rates", "1"], "two rates or more"),
        (["--rates", "0,1"], "above 0"),
        (["--rates", "-1,1"], "every rate must be above 0, got -1"),  # not "expected one argument"
        (["--modes", "async,patience=0"], "patience must be above 0"),
        (["--rates", "1,2x"], "not both"),
        (["--rates", "5:1:0"], "step must be above 0"),
        (["--mix", ""], "empty"),
        (["--mix", "soup=1"], "unknown dish 'soup'"),
        (["--modes", "fast"], "`mode` must be one of"),
        (["--modes", "sync,fix_cpu=checkpoints"], "needs an event loop"),
        (["--rates", "100,2000", "--speed", "10"], "past the 1000"),
        (["--out", "chart.txt"], ".svg or .png"),
        (["--seconds", "0"], "--seconds must be above 0"),
    ],
)
def test_bad_sweeps_are_one_line_and_exit_2(args: list[str], words: str) -> None:
    run = kitchen_tui("sweep", *args)
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1
    assert words in run.stderr


@pytest.mark.slow
def test_sweep_json_is_the_documented_object_and_the_chart_is_drawn(tmp_path: Path) -> None:
    chart = tmp_path / "curve.png"
    run = kitchen_tui(
        "sweep", "--dish", "redis", "--modes", "sync", "async", "--rates", "4,12",
        "--seconds", "2", "--speed", "5", "--json", "--out", str(chart),
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert set(report) == {"kitchens"}
    sync, asyncio = report["kitchens"]
    assert set(sync) == {
        "label", "settings", "capacity_per_s", "capacity_reached", "predicted_capacity_per_s",
        "points",
    }  # fmt: skip
    outcomes = ("served", "refused", "walked_out", "timed_out", "failed")
    assert set(sync["points"][0]) == {
        "rate_per_s", "offered_per_s", "throughput_per_s", "p50_s", "p99_s", "predicted_p50_s",
        "predicted_p99_s", "orders", *outcomes, *(f"predicted_{name}" for name in outcomes),
    }  # fmt: skip
    assert sync["settings"]["mode"] == "sync"
    assert sync["predicted_capacity_per_s"] == pytest.approx(20.0)  # 1 / 50 ms
    # Below the cook's 20/s, the sync kitchen keeps up with both rates, as the async one does.
    for kitchen in (sync, asyncio):
        for point, rate in zip(kitchen["points"], (4.0, 12.0), strict=True):
            assert point["rate_per_s"] == rate
            assert point["throughput_per_s"] == pytest.approx(rate, rel=0.35)
            assert point["throughput_per_s"] <= point["offered_per_s"]  # never more than came
            assert point["p50_s"] >= 0.05
        assert kitchen["capacity_reached"] is False  # what it served is a floor, not a knee
    assert "[4/4] async at 12/s" in run.stderr  # progress, a line a point
    with Image.open(chart) as image:
        assert image.size[0] > 1000


@pytest.mark.slow
def test_a_sweep_with_patience_counts_who_walked_out_and_serves_only_who_stayed(
    tmp_path: Path,
) -> None:
    """A sync kitchen (one LLM order every 2 s) offered 2 a second, customers who wait 3 s:
    most walk out, and the cook spends its time on their tickets, for nobody. Each point counts
    every customer once (served, walked out, ...), the model's too; served/s counts only those
    served while they were there, far below the cook's 0.5 a second; the table gets a
    walked-out column and the chart a panel of the customers lost."""
    chart = tmp_path / "lost.svg"
    run = kitchen_tui(
        "sweep", "--dish", "llm", "--modes", "sync,patience=3", "--rates", "0.25,2",
        "--seconds", "10", "--speed", "10", "--json", "--out", str(chart),
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    low, high = json.loads(run.stdout)["kitchens"][0]["points"]
    outcomes = ("served", "refused", "walked_out", "timed_out", "failed")
    for point in (low, high):
        assert sum(point[name] for name in outcomes) == point["orders"]
        assert sum(point[f"predicted_{name}"] for name in outcomes) == point["orders"]
    assert high["walked_out"] > high["orders"] / 2  # four times what one cook can serve
    assert high["predicted_walked_out"] > high["orders"] / 2
    assert high["served"] < high["orders"] / 4
    assert high["throughput_per_s"] is None or high["throughput_per_s"] < 0.3
    assert "walked out" in run.stderr  # the progress line says so
    assert "customers lost" in chart.read_text()
    table = kitchen_tui(
        "sweep", "--dish", "llm", "--modes", "sync,patience=3", "--rates", "0.25,2",
        "--seconds", "10", "--speed", "10",
    )  # fmt: skip
    assert table.returncode == 0, table.stderr
    assert "┃ walked out ┃" in table.stdout  # a column of the table's header
    assert f"/{high['orders']} │" in table.stdout  # walked out of all who came


def test_a_chart_without_matplotlib_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    from kitchen_tui.recording import sweep_chart

    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    assert "kitchen-tui[charts]" in usage_error(sweep_chart.check_charts)


def test_a_chart_is_never_written_over_a_file_without_force(tmp_path: Path) -> None:
    chart = tmp_path / "curve.svg"
    chart.write_text("the speaker's own slide")
    run = kitchen_tui("sweep", "--out", str(chart))
    assert run.returncode == 2
    assert "--force" in run.stderr
    assert chart.read_text() == "the speaker's own slide"


def test_a_capacity_is_claimed_only_where_a_rate_asked_more_than_was_served() -> None:
    def curve(*served: tuple[float, float], predicted: float = 20.0) -> KitchenCurve:
        points = [
            Point(rate, throughput, 0.1, 0.2, throughput, 0.1, 0.2, 40, 1.0)
            for rate, throughput in served
        ]
        return KitchenCurve("k", KitchenSettings(), predicted, "cook", points)

    below = curve((5.0, 5.2), (10.0, 11.9))
    assert not below.capacity_reached
    assert capacity_words(below).startswith("capacity not reached (served all offered up to 10/s)")
    past = curve((10.0, 10.1), (40.0, 19.1))
    assert past.capacity_reached and past.capacity_per_s == 19.1
    assert capacity_words(past) == "capacity 19.1/s measured, 20/s predicted (cook)"
    # Held against what its customers really offered (a Poisson stream's differ from the
    # rate): 11.5 of 12.9 offered is short of it, though above the 10 a second asked for.
    short = replace(below.points[1], throughput_per_s=11.5, offered_per_s=12.9)
    assert KitchenCurve("k", KitchenSettings(), 20.0, "cook", [short]).capacity_reached
    waits = curve((40.0, 40.2), predicted=math.inf)
    assert capacity_words(waits).endswith("no limit predicted (every step waits off the loop)")
