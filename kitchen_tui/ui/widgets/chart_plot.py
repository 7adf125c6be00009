"""One plot of the live chart: textual-plot's widget, kept from taking the kitchen's keys.

Only imported with the `plot` extra installed (live_chart.py says how to get it otherwise).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from textual.reactive import reactive
from textual_plot import AxisFormatter, PlotWidget


class ChartPlot(PlotWidget, can_focus=False):
    """A plot that never takes focus: its zoom and pan keys (+, -, arrows) stay the app's."""

    margin_top = reactive(0)  # the chart's own key line above says what each line is
    margin_bottom = reactive(1)  # tick labels only
    margin_left = reactive(6)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, allow_pan_and_zoom=False)


class LogAxis(AxisFormatter):
    """Ticks for values plotted as their log10: one a power of ten (0.1, 1, 10 ...)."""

    def __init__(self, seconds: bool = False) -> None:
        self.seconds = seconds

    def get_ticks(self, min_: float, max_: float, max_ticks: int = 8) -> list[float]:
        """Powers of ten; 1, 2 and 5 times them when the range spans less than two decades."""
        steps = (1.0,) if max_ - min_ >= 2 else (1.0, 2.0, 5.0)
        ticks = [
            math.log10(step) + k
            for k in range(math.floor(min_), math.ceil(max_) + 1)
            for step in steps
        ]
        return [tick for tick in ticks if min_ <= tick <= max_]

    def get_labels_for_ticks(self, ticks: Sequence[float]) -> list[str]:
        return [self._label(10.0**tick) for tick in ticks]

    def _label(self, value: float) -> str:
        if self.seconds and value < 1:
            return f"{value * 1000:.0f}ms"
        return f"{value:.3g}{'s' if self.seconds else ''}"


def log_axes(plot: PlotWidget, *, seconds: bool) -> None:
    """Both axes on a log scale: the kitchens' knees lie tens of times apart, and past a knee
    the latency climbs by tens of times."""
    plot.set_x_formatter(LogAxis())
    plot.set_y_formatter(LogAxis(seconds=seconds))
    plot.set_xlimits(None, None)
    plot.set_ylimits(None, None)
