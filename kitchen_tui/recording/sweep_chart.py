"""The sweep's chart for slides, drawn by matplotlib (the `charts` extra): latency p50 and p99
against offered load, a colour per kitchen, the model dashed beside it, capacities marked; when
customers were lost (86'd, walked out, timed out), a second panel below: the share of them."""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from kitchen_tui.errors import UsageError
from kitchen_tui.outputs import write_failed
from kitchen_tui.stream.sweep import LOST, KitchenCurve, SweepPlan

if TYPE_CHECKING:
    from matplotlib.axes import Axes

COLOURS = ("#d1495b", "#edae49", "#00798c", "#30638e", "#6a4c93", "#2a9d8f")


def check_charts() -> None:
    """UsageError (one line, naming the extra) unless matplotlib can be imported."""
    if importlib.util.find_spec("matplotlib") is None:
        raise UsageError("--out needs matplotlib: pip install 'kitchen-tui[charts]'")


def write_chart(curves: list[KitchenCurve], path: Path, plan: SweepPlan) -> None:
    """Draw `curves` into `path` (.svg or .png); WriteFailed if it cannot be written."""
    import matplotlib

    matplotlib.use("Agg")  # files only: never a window, never a display
    from matplotlib import pyplot, ticker

    losses = any(point.lost for curve in curves for point in curve.points)
    if losses:
        figure, (axes, lost_axes) = pyplot.subplots(
            2, 1, figsize=(10, 7.4), dpi=150, sharex=True, height_ratios=(3, 1.3)
        )
    else:
        figure, axes = pyplot.subplots(figsize=(10, 5.6), dpi=150)
    for curve, colour in zip(curves, COLOURS * len(curves), strict=False):
        _draw_kitchen(axes, curve, colour)
        if losses:
            _draw_lost(lost_axes, curve, colour)
    axes.set_title(f"Latency against offered load: {mix_words(plan.mix)}, {plan.arrivals} arrivals")
    (lost_axes if losses else axes).set_xlabel("offered load (orders a second, log scale)")
    if losses:
        lost_axes.set_ylabel("customers lost (share)")
        lost_axes.set_ylim(-0.03, 1.03)
        lost_axes.grid(True, which="both", alpha=0.25)
        lost_axes.set_title("86'd, walked out or timed out, of all who came", fontsize=8)
    axes.set_ylabel("latency (seconds, log scale)")
    axes.set_xscale("log")
    axes.set_yscale("log")
    for axis in (axes.xaxis, axes.yaxis):  # 2 and 20, not 2 x 10^0 and 2 x 10^1
        # 1, 2 and 5 a decade: a curve within one decade (2 to 4 s) still has labelled ticks.
        axis.set_major_locator(ticker.LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        axis.set_major_formatter(ticker.FormatStrFormatter("%g"))
        axis.set_minor_formatter(ticker.NullFormatter())
    axes.grid(True, which="both", alpha=0.25)
    _legend(axes, curves)
    figure.tight_layout()
    try:
        figure.savefig(path, bbox_inches="tight")  # the legend stands outside the axes
    except OSError as error:
        raise write_failed("--out", path, error) from None
    finally:
        pyplot.close(figure)


def mix_words(mix: Mapping[str, int]) -> str:
    """The customers' dishes for a title: one dish by name, a mix by shares."""
    if len(mix) == 1:
        return next(iter(mix))
    total = sum(mix.values())
    return "mix " + ", ".join(f"{dish} {weight / total:.0%}" for dish, weight in mix.items())


def _legend(axes: Axes, curves: list[KitchenCurve]) -> None:
    """Beside the axes, never over a curve: a colour per kitchen, then what each line means."""
    from matplotlib.lines import Line2D

    kitchens = [
        Line2D([], [], color=colour, linewidth=2.5, label=curve.label)
        for curve, colour in zip(curves, COLOURS * len(curves), strict=False)
    ]
    grey = "#555555"
    styles = [
        Line2D([], [], color=grey, linewidth=2.0, marker="o", label="p99, measured"),
        Line2D([], [], color=grey, linewidth=1.0, marker=".", label="p50, measured"),
        Line2D([], [], color=grey, linewidth=1.5, linestyle="--", label="p99, model"),
        Line2D([], [], color=grey, linewidth=0.8, linestyle="--", label="p50, model"),
        Line2D([], [], color=grey, linewidth=1.2, linestyle=":", label="capacity, measured"),
    ]
    axes.legend(
        handles=[*kitchens, *styles], fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0)
    )


def _draw_kitchen(axes: Axes, curve: KitchenCurve, colour: str) -> None:
    rates = [p.rate_per_s for p in curve.points]
    lines = (
        ([p.p99_s for p in curve.points], "-", "o", 2.0),  # the legend says which is which
        ([p.p50_s for p in curve.points], "-", ".", 1.0),
        ([p.predicted_p99_s for p in curve.points], "--", None, 1.5),
        ([p.predicted_p50_s for p in curve.points], "--", None, 0.8),
    )
    for values, style, marker, width in lines:
        xs = [r for r, v in zip(rates, values, strict=True) if v is not None]
        ys = [v for v in values if v is not None]
        axes.plot(xs, ys, style, marker=marker, color=colour, linewidth=width)
    measured = curve.capacity_per_s
    if measured is not None and curve.capacity_reached:  # a floor is no capacity to mark
        model = curve.predicted_capacity_per_s
        model_text = "no limit" if math.isinf(model) else f"{model:.3g}"
        axes.axvline(measured, color=colour, linestyle=":", linewidth=1.2)
        axes.annotate(
            f"{curve.label}: {measured:.3g}/s (model {model_text})",
            xy=(measured, 1),
            xycoords=("data", "axes fraction"),
            rotation=90,
            va="top",
            ha="right",
            fontsize=7,
            color=colour,
        )


def _draw_lost(axes: Axes, curve: KitchenCurve, colour: str) -> None:
    """The share of each point's customers who got no answer, measured and (dashed) modelled."""
    rates = [p.rate_per_s for p in curve.points]
    shares = [p.lost / p.orders if p.orders else 0.0 for p in curve.points]
    modelled = [
        sum(p.predicted_outcomes.get(name, 0) for name in LOST) / p.orders if p.orders else 0.0
        for p in curve.points
    ]
    axes.plot(rates, shares, "-", marker="o", color=colour, linewidth=1.5)
    axes.plot(rates, modelled, "--", color=colour, linewidth=1.0)
