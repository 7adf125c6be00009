"""The race's verdict: each dish's measured median in the two kitchens, side by side.

The median is the true middle (the mean of the two middle values for an even count): with
two samples a nearest-rank p50 picks the lower, and one order that waited 2 s beside one that
did not read 'about the same'. Each line says how many orders it stands on.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from kitchen_tui.stream.ledger import Ledger
from kitchen_tui.ui.tcss import css_beside

MANY = 5  # orders of a dish on each side before its count goes without saying


def ms_text(seconds: float) -> str:
    """0.052 -> "52 ms", 2.047 -> "2,047 ms": one unit, so the two sides compare at a glance."""
    return f"{seconds * 1000:,.0f} ms"


def difference_lines(left: Ledger, right: Ledger, names: tuple[str, str]) -> list[str]:
    """One line per dish: "redis: 2,047 ms vs 52 ms   async 39x faster" (and "(2 vs 3)" while a
    side has served fewer than MANY of it)."""
    lines: list[str] = []
    for dish in sorted(set(left.latencies) | set(right.latencies)):
        served = (left.latencies.get(dish), right.latencies.get(dish))
        a, b = (None if values is None else values.median() for values in served)
        counts = [0 if values is None else values.count for values in served]
        if a is None or b is None:
            waiting = names[0] if a is None else names[1]
            lines.append(f"{dish}: waiting for {waiting} to serve one")
            continue
        if min(a, b) > 0 and max(a, b) / min(a, b) >= 1.5:
            faster = names[0] if a < b else names[1]
            verdict = f"   {faster} {max(a, b) / min(a, b):,.0f}x faster"
        else:
            verdict = "   about the same"
        few = f" ({counts[0]} vs {counts[1]})" if min(counts) < MANY else ""
        lines.append(f"{dish}{few}: {ms_text(a)} vs {ms_text(b)}{verdict}")
    return lines


class RaceDiff(Static):
    """p50 latency per dish, left kitchen vs right kitchen, redrawn when either serves."""

    DEFAULT_CSS = css_beside(__file__)

    def __init__(self, names: tuple[str, str], title: str = "", *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self.names = names
        self.title = title  # the scenario's: whole here, where each half's header would cut it
        self.lines: list[str] = []
        self._seen: tuple[int, int] = (-1, -1)

    def on_mount(self) -> None:
        versus = f"median per dish: {self.names[0]} vs {self.names[1]}"
        self.border_title = f"{self.title}: {versus}" if self.title else versus

    def tick(self, left: Ledger, right: Ledger) -> None:
        seen = (left.served, right.served)
        if seen == self._seen:
            return
        self._seen = seen
        self.lines = difference_lines(left, right, self.names)
        shown = self.lines or ["nothing served in both kitchens yet"]
        self.update(Text("\n".join(shown)))
