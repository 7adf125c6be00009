"""The queueing panel: offered load, throughput, who is busy, Little's law and the latency
percentiles of the last few seconds, read off the ledger (stream/queueing.py does the sums)."""

from __future__ import annotations

from collections.abc import Hashable

from textual.strip import Strip

from kitchen_tui.stream.queueing import FIGURE_HELP, QueueFigures
from kitchen_tui.ui.glyphs import seconds_text
from kitchen_tui.ui.scene import Scene
from kitchen_tui.ui.stream_dial import mix_words
from kitchen_tui.ui.strips import fit
from kitchen_tui.ui.widgets.kitchen_view import KitchenView
from kitchen_tui.ui.widgets.stats_panel import rate_text

TOOLTIP = "\n".join(f"{name}: {text}" for name, text in FIGURE_HELP)


class QueuePanel(KitchenView):
    """The queueing figures of a sliding window, as the ledger's flow gives them."""

    def __init__(self, scene: Scene, *, id: str | None = None) -> None:
        super().__init__(scene, id=id, classes="panel")
        self.border_title = "queueing"
        self.tooltip = TOOLTIP

    def view_key(self) -> Hashable:
        stream = self.scene.board.ledger.flow.stream
        running = None if stream is None else (stream["rate"], tuple(stream["mix"].items()))
        mix = tuple(self.scene.stream_mix.items())
        return id(self.scene.history.latest), id(self.scene.board), running, mix

    def titles(self) -> tuple[str, str]:
        history = self.scene.history
        return f"queueing, last {history.window_s:g} s", little_words(history.latest)

    def build(self, width: int, height: int) -> list[Strip]:
        f = self.scene.history.latest
        stream = self.pair(width, *self._stream())
        if f is None:
            hint = self.line(width).add(fit("no figures yet", width), self.style("kitchen--dim"))
            return [stream, hint.strip()]
        lines = [
            stream,
            self.pair(
                width,
                ("offered/s", rate_text(f.offered_per_s)),
                ("served/s", rate_text(f.throughput_per_s)),
            ),
            self.pair(
                width,
                ("L inside", f"{f.in_kitchen:.1f}"),
                ("X x W", f"{f.answered_x_latency:.1f}"),
            ),
            self.pair(width, ("p50", seconds_text(f.p50_s)), ("p95", seconds_text(f.p95_s))),
            self.pair(width, ("p99", seconds_text(f.p99_s)), busy_pair(f)),
        ]
        if f.for_nobody > 0 or f.walked_out_per_s > 0:
            walked = ("walkouts/s", rate_text(f.walked_out_per_s))
            lines.append(self.pair(width, walked, ("L nobody", f"{f.for_nobody:.1f}")))
        extra = shelf_and_cooks(f)
        if extra is not None:
            lines.append(self.pair(width, *extra))
        return lines[:height]

    def _stream(self) -> tuple[tuple[str, str], tuple[str, str]]:
        """The rate dial: the stream's rate and dish, or off and the dish l would send."""
        stream = self.scene.board.ledger.flow.stream
        if stream is None:
            return ("stream", "off"), ("dish", mix_words(self.scene.stream_mix))
        return ("stream", f"{stream['rate']:g}/s"), ("dish", mix_words(stream["mix"]))


def busy_pair(f: QueueFigures) -> tuple[str, str]:
    """Who runs handler code, and how busy over the window: the loop (as the stats panel
    says it), the cook, the cooks (their mean share; the stats count those busy now)."""
    if f.loop_busy is not None:
        return "loop busy", percent(f.loop_busy)
    if len(f.cooks_busy) == 1:
        return "cook util", percent(f.cooks_busy[0])
    if f.cooks_busy:
        return "cooks util", percent(sum(f.cooks_busy) / len(f.cooks_busy))
    return "util", "-"


def shelf_and_cooks(f: QueueFigures) -> tuple[tuple[str, str], tuple[str, str]] | None:
    """A line for the shelf and the busiest of many cooks, when either says something."""
    if f.shelf_busy is None and len(f.cooks_busy) < 2:
        return None
    shelf = ("shelf util", "-" if f.shelf_busy is None else percent(f.shelf_busy))
    busiest = ("top cook", percent(max(f.cooks_busy))) if len(f.cooks_busy) > 1 else ("", "")
    return shelf, busiest


def percent(share: float) -> str:
    return f"{share * 100:.0f}%"


def little_words(f: QueueFigures | None) -> str:
    """How well L and X x W agree: Little's law, as the subtitle states it; over a window
    too thin or not steady, why they are not compared."""
    gap = None if f is None else f.little_gap
    if f is None or gap is None:
        return ""
    unsteady = f.little_unsteady
    if unsteady is not None:
        return f"L vs X x W: {unsteady}"
    return f"L vs X x W: {gap * 100:.0f}% apart"
