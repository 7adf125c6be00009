"""The served strip: the latest tickets out of the kitchen, newest first, with their latency."""

from __future__ import annotations

from collections.abc import Hashable
from itertools import islice

from textual.strip import Strip

from kitchen_tui.ui.scene import Scene
from kitchen_tui.ui.widgets.kitchen_view import CHIP_WITH_DISH, KitchenView


class ServedStrip(KitchenView):
    """Done tickets across the width: served (with latency), failed, 86'd, timed out (T/O), or
    answered after the customer walked out (W/O)."""

    def __init__(self, scene: Scene, *, id: str | None = None) -> None:
        super().__init__(scene, id=id, classes="lane")
        self.border_title = "served"

    def view_key(self) -> Hashable:
        return self.scene.board.versions["served"]

    def titles(self) -> tuple[str, str]:
        ledger = self.scene.board.ledger
        lost = ledger.giving_up
        gave_up = f"  walked out {lost.walked_out}" * bool(lost.walked_out)
        gave_up += f"  timed out {lost.timed_out}" * bool(lost.timed_out)
        return f"served {ledger.served}  86'd {ledger.refused}  failed {ledger.failed}{gave_up}", ""

    def build(self, width: int, height: int) -> list[Strip]:
        board = self.scene.board
        if not board.done:
            hint = "served tickets leave here, with the latency each customer felt"
            return [self.line(width).add(hint, self.style("kitchen--dim")).strip()]
        per_line = max(1, width // (CHIP_WITH_DISH + 1))
        cell = width // per_line
        newest = list(islice(reversed(board.done), per_line * height))
        lines = []
        for row in range(height):
            line = self.line(width)
            for column, ticket in enumerate(newest[row * per_line : (row + 1) * per_line]):
                line.pad_to(column * cell)
                self.add_chip(line, ticket, ticket.latency_s, cell - 1)
            lines.append(line.strip())
        return lines
