"""The live chart: latency (p50, p99) and throughput over the last two minutes, so the knee
shows as the rate dial turns; or, for a talk's last slide, the capacity curves: latency and
throughput against the offered load, a line per kitchen, from the runs measured so far.

Drawn by textual-plot (the `plot` extra), a Textual widget made for live plots: braille lines,
nice ticks, redrawn only while shown, when the figures' history has a new sample, at most once
a second (two minutes on some 60 braille dots is two seconds a dot: a finer redraw would show
nothing new), never at the frame rate. Without the extra the panel says how to get it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.events import Resize
from textual.widgets import Static

from kitchen_tui.stream.figure_history import CapacityPoint
from kitchen_tui.ui.scene import Scene
from kitchen_tui.ui.tcss import css_beside

if TYPE_CHECKING:
    from textual_plot import PlotWidget

SPAN_S = 120.0  # real seconds of history on the live chart
LIVE_TITLE, LIVE_SUBTITLE = "latency and throughput, last 2 min", "x: seconds ago"
NO_PLOT = "The live chart needs textual-plot:  pip install 'kitchen-tui[plot]'"
TALL_ENOUGH = 12  # rows: below this only the latency plot is shown
REDRAW_S = 1.0  # real seconds at least between the samples of two redraws (new samples alone)
# Each series' colour: a theme variable (the same as the tickets' and the timeline's).
SERIES = {
    "p50": "ticket-served",
    "p99": "ticket-loop",
    "served/s": "ticket-cook",
    "offered/s": "ticket-queued",
}
# The capacity slide: a colour per kitchen setting, in the order they usually come.
SETTING_COLOURS = ("ticket-queued", "ticket-cook", "ticket-served", "ticket-shelf", "ticket-rail")


class LiveChart(Vertical):
    """Two plots sharing a time axis: latency above, throughput and offered load below."""

    DEFAULT_CSS = css_beside(__file__)

    def __init__(self, scene: Scene, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="panel")
        self.scene = scene
        self.border_title = LIVE_TITLE
        self.border_subtitle = LIVE_SUBTITLE
        self.capacity: list[CapacityPoint] | None = None  # the capacity slide, once shown
        self._drawn: tuple[int, tuple[bool, str]] | None = None
        self._drawn_at = -math.inf  # the latest sample's stamp at the last redraw
        self.redraws = 0  # how often it has drawn (tests and the bench count them)
        # What each line shows, by name: (x, y) as drawn (tests compare it with the figures).
        self.series: dict[str, tuple[list[float], list[float | None]]] = {}
        self._plots: tuple[PlotWidget, PlotWidget] | None = None

    def compose(self) -> ComposeResult:
        try:
            from kitchen_tui.ui.widgets.chart_plot import ChartPlot
        except ImportError:
            yield Static(NO_PLOT, classes="chart-missing", markup=False)
            return
        latency, rate = ChartPlot(id="chart-latency"), ChartPlot(id="chart-rate")
        self._plots = (latency, rate)
        yield Static(id="chart-latency-key", classes="chart-key")
        yield latency
        yield Static(id="chart-rate-key", classes="chart-key")
        yield rate

    # -- the frame protocol (the app's frame calls these as it does a kitchen view's) ----------

    def tick(self) -> None:
        """Redraw only on a new sample, and only while shown: a hidden chart costs nothing."""
        if self._plots is None or not self.display:
            return
        version, look = self.scene.history.version, (self.capacity is None, self.app.theme)
        if (version, look) == self._drawn:
            return
        samples = self.scene.history.samples
        latest = samples[-1].t if samples else self.scene.now
        only_new_samples = self._drawn is not None and self._drawn[1] == look
        if only_new_samples and latest - self._drawn_at < REDRAW_S - 1e-6:
            return  # drawn on the frame of the first sample a second later, with all since
        self._drawn, self._drawn_at = (version, look), latest
        self.redraws += 1
        self._draw()

    def redraw_now(self) -> None:
        self._drawn = None
        self.tick()

    def show(self, capacity: list[CapacityPoint] | None) -> None:
        """The capacity slide (measured points by setting, the model's capacity beside each),
        or with None the live chart again."""
        if capacity is None and self.capacity is None:
            return
        self.capacity = capacity
        self.set_class(capacity is not None, "-capacity")
        if capacity is None:
            self.border_title, self.border_subtitle = LIVE_TITLE, LIVE_SUBTITLE
        else:
            self.border_title = "capacity, as measured here"
            self.border_subtitle = "x: offered/s   | the model's capacity"
        self.redraw_now()

    def on_resize(self, event: Resize) -> None:
        if self._plots is not None:
            tall = event.size.height >= TALL_ENOUGH
            self._plots[1].display = tall
            self.query_one("#chart-rate-key").display = tall

    # -- drawing ---------------------------------------------------------------------------------

    def _colour(self, variable: str) -> str:
        return self.app.theme_variables.get(variable, "")

    def _key(self, widget_id: str, names: Iterable[tuple[str, str]], unit: str) -> None:
        text = Text()
        for name, variable in names:
            text.append("── ", style=self._colour(variable))
            text.append(f"{name}  ")
        text.append(unit, style=self._colour("kitchen-dim"))
        self.query_one(f"#{widget_id}", Static).update(text)

    def _draw(self) -> None:
        if self.capacity is not None:  # the points measured so far, the latest included
            self.capacity = self.scene.history.capacity_points()
            self._draw_capacity(self.capacity)
        else:
            self._draw_live()

    def _draw_live(self) -> None:
        assert self._plots is not None
        latency, rate = self._plots
        samples = list(self.scene.history.samples)
        now = self.scene.now
        xs = [s.t - now for s in samples]
        figures = [s.figures for s in samples]
        self._key("chart-latency-key", [("p50", SERIES["p50"]), ("p99", SERIES["p99"])], "s")
        self._key(
            "chart-rate-key",
            [("served/s", SERIES["served/s"]), ("offered/s", SERIES["offered/s"])],
            "",
        )
        latency.clear()
        rate.clear()
        self.series = {}
        for plot, name, values in (
            (latency, "p50", [f.p50_s for f in figures]),
            (latency, "p99", [f.p99_s for f in figures]),
            (rate, "offered/s", [f.offered_per_s for f in figures]),
            (rate, "served/s", [f.throughput_per_s for f in figures]),
        ):
            self.series[name] = (xs, list(values))
            _line(plot, xs, values, self._colour(SERIES[name]))
        for plot, names in ((latency, ("p50", "p99")), (rate, ("offered/s", "served/s"))):
            plot.set_xlimits(-SPAN_S, 0.0)
            plot.set_ylimits(0.0, _top(value for name in names for value in self.series[name][1]))
        latency.set_xticks([])  # the plot below has the time axis for both

    def _draw_capacity(self, points: list[CapacityPoint]) -> None:
        """Log-log: p99 latency, and throughput, against the measured offered load."""
        from kitchen_tui.ui.widgets.chart_plot import log_axes

        assert self._plots is not None
        latency, rate = self._plots
        settings = list(dict.fromkeys(p.setting for p in points))
        colours = {s: SETTING_COLOURS[i % len(SETTING_COLOURS)] for i, s in enumerate(settings)}
        named = [(s, colours[s]) for s in settings]
        self._key("chart-latency-key", named, "p99 latency")
        self._key("chart-rate-key", named, "served/s")
        latency.clear()
        rate.clear()
        self.series = {}
        for setting in settings:
            mine = [p for p in points if p.setting == setting and p.offered_per_s > 0]
            xs = [math.log10(p.offered_per_s) for p in mine]
            colour = self._colour(colours[setting])
            self.series[f"{setting} p99"] = (xs, [_log(p.p99_s) for p in mine])
            _line(latency, xs, [_log(p.p99_s) for p in mine], colour)
            _line(rate, xs, [_log(p.throughput_per_s) for p in mine], colour)
            limit = mine[-1].predicted_per_s if mine else None
            if limit is not None and 0 < limit < math.inf:
                for plot in (latency, rate):
                    plot.add_v_line(math.log10(limit), line_style=colour)
        log_axes(latency, seconds=True)
        log_axes(rate, seconds=False)


def _top(values: Iterable[float | None]) -> float | None:
    """Let the plot fit its data; with nothing above zero yet, 0 to 1 (a flat line at zero
    would otherwise get ticks like 0.000 and -0.00)."""
    return None if any(v is not None and v > 0 for v in values) else 1.0


def _log(value: float | None) -> float | None:
    return None if value is None or value <= 0 else math.log10(value)


def _line(plot: PlotWidget, xs: Sequence[float], ys: Sequence[float | None], colour: str) -> None:
    values: list[Any] = [math.nan if y is None else y for y in ys]
    from textual_plot import HiResMode

    plot.plot(xs, values, line_style=colour, hires_mode=HiResMode.BRAILLE)
