"""The stats panel: counts, latency percentiles per dish, loop busy, stall time, throughput."""

from __future__ import annotations

from collections.abc import Hashable

from textual.strip import Strip

from kitchen_tui.stream.ledger import percentile
from kitchen_tui.ui.glyphs import counted, ms_text, seconds_text
from kitchen_tui.ui.scene import Scene
from kitchen_tui.ui.strips import fit
from kitchen_tui.ui.widgets.kitchen_view import KitchenView

REFRESH_HZ = 4  # numbers that change 30 times a second cannot be read anyway


class StatsPanel(KitchenView):
    """Everything measured so far, from the kitchen's own events (nothing is estimated)."""

    def __init__(self, scene: Scene, *, id: str | None = None) -> None:
        super().__init__(scene, id=id, classes="panel")
        self.border_title = "stats"
        self._seen = -1
        self._slot = -1

    def view_key(self) -> Hashable:
        version = self.scene.board.versions["stats"]
        slot = int(self.scene.now * REFRESH_HZ)
        if version != self._seen and (slot != self._slot or self.scene.paused):
            self._seen, self._slot = version, slot
        return self._seen, id(self.scene.board)

    def build(self, width: int, height: int) -> list[Strip]:
        lines = self._counts(width) + self._kitchen_lines(width)
        lines.append(self.line(width).strip())
        lines += self._dish_table(width, height - len(lines))
        return lines[:height]

    def _pair(self, width: int, left: tuple[str, str], right: tuple[str, str]) -> Strip:
        line = self.line(width)
        half = (width + 1) // 2
        for column, (label, value) in ((0, left), (half, right)):
            line.pad_to(column).add(label + " ", self.style("kitchen--dim"))
            line.pad_to(column + half - len(value) - 1).add(value, self.style("kitchen--strong"))
        return line.strip()

    def _counts(self, width: int) -> list[Strip]:
        board = self.scene.board
        ledger = board.ledger
        return [
            self._pair(width, ("served", str(ledger.served)), ("in flight", str(board.in_flight))),
            self._pair(width, ("86'd", str(ledger.refused)), ("failed", str(ledger.failed))),
        ]

    def _kitchen_lines(self, width: int) -> list[Strip]:
        board = self.scene.board
        ledger = board.ledger
        busy = board.loop_busy(self.scene.now)
        busy_text = "-" if busy is None else f"{busy * 100:.0f}%"
        throughput = f"{max(0.0, ledger.throughput()):.1f}"
        lines = [
            self._pair(width, ("loop busy", busy_text), ("stalls", ms_text(ledger.stall_total_s))),
            self._pair(width, ("served/s", throughput), ("worst", self._worst_stall())),
        ]
        if ledger.dropped:
            text = f"{counted(ledger.dropped, 'event')} dropped by the kitchen (reader too slow)"
            lines.append(self._text(fit(text, width), width, "alarm--2"))
        if ledger.malformed:
            text = f"{counted(ledger.malformed, 'unreadable line')} skipped"
            lines.append(self._text(fit(text, width), width, "alarm--2"))
        return lines

    def _worst_stall(self) -> str:
        stalls = self.scene.board.ledger.stalls
        return ms_text(max(s.seconds for s in stalls)) if stalls else "-"

    def _dish_table(self, width: int, room: int) -> list[Strip]:
        latencies = self.scene.board.ledger.latencies
        if room <= 0:
            return []
        name_width = max(4, width - 3 * 7)
        head = self.line(width).add(f"{'dish':<{name_width}}", self.style("kitchen--dim"))
        for title in ("p50", "p95", "max"):
            head.add(f"{title:>7}", self.style("kitchen--dim"))
        lines = [head.strip()]
        for dish in sorted(latencies)[: room - 1]:
            values = latencies[dish]
            line = self.line(width).add(f"{fit(dish, name_width):<{name_width}}")
            for q in (50, 95, 100):
                line.add(f"{seconds_text(percentile(values, q)):>7}", self.style("kitchen--strong"))
            lines.append(line.strip())
        if len(lines) == 1:
            lines.append(self._text("no dish served yet", width, "kitchen--dim"))
        return lines

    def _text(self, text: str, width: int, style: str) -> Strip:
        return self.line(width).add(text, self.style(style)).strip()
