"""The race's verdict: each dish's measured p50 in the two kitchens, side by side."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from kitchen_tui.stream.ledger import Ledger
from kitchen_tui.ui.tcss import css_beside


def ms_text(seconds: float) -> str:
    """0.052 -> "52 ms", 2.047 -> "2,047 ms": one unit, so the two sides compare at a glance."""
    return f"{seconds * 1000:,.0f} ms"


def difference_lines(left: Ledger, right: Ledger, names: tuple[str, str]) -> list[str]:
    """One line per dish served in both kitchens: "redis: 52 ms vs 2,047 ms"."""
    lines: list[str] = []
    for dish in sorted(set(left.latencies) | set(right.latencies)):
        a, b = left.percentile(dish, 50), right.percentile(dish, 50)
        if a is None or b is None:
            waiting = names[0] if a is None else names[1]
            lines.append(f"{dish}: waiting for {waiting} to serve one")
            continue
        if min(a, b) > 0 and max(a, b) / min(a, b) >= 1.5:
            faster = names[0] if a < b else names[1]
            verdict = f"   {faster} {max(a, b) / min(a, b):,.0f}x faster"
        else:
            verdict = "   about the same"
        lines.append(f"{dish}: {ms_text(a)} vs {ms_text(b)}{verdict}")
    return lines


class RaceDiff(Static):
    """p50 latency per dish, left kitchen vs right kitchen, redrawn when either serves."""

    DEFAULT_CSS = css_beside(__file__)

    def __init__(self, names: tuple[str, str], *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self.names = names
        self.lines: list[str] = []
        self._seen: tuple[int, int] = (-1, -1)

    def on_mount(self) -> None:
        self.border_title = f"p50 per dish: {self.names[0]} vs {self.names[1]}"

    def tick(self, left: Ledger, right: Ledger) -> None:
        seen = (left.served, right.served)
        if seen == self._seen:
            return
        self._seen = seen
        self.lines = difference_lines(left, right, self.names)
        shown = self.lines or ["nothing served in both kitchens yet"]
        self.update(Text("\n".join(shown)))
