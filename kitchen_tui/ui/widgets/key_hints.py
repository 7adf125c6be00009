"""The footer: the keys worth knowing by heart, drawn as one line."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

from rich.style import Style
from textual.strip import Strip

from kitchen_tui.ui.keys import Hint
from kitchen_tui.ui.scene import Scene
from kitchen_tui.ui.tcss import css_beside
from kitchen_tui.ui.widgets.kitchen_view import KitchenView

PALETTE_HINT = "^p palette"


class KeyHints(KitchenView):
    """Key hints along the bottom edge, and where the rest are (help, command palette).

    One Line-API widget in place of Textual's Footer, which builds a widget per key: that cost
    the first frame about 80 ms, a third of it.
    """

    DEFAULT_CSS = css_beside(__file__)

    def __init__(self, scene: Scene, hints: Sequence[Hint], *, id: str | None = None) -> None:
        super().__init__(scene, id=id)
        self.hints = tuple(hints)

    def view_key(self) -> Hashable:
        return self.hints

    def build(self, width: int, height: int) -> list[Strip]:
        line = self.line(width)
        key_style = self.style("kitchen--accent") + Style(bold=True)
        for hint in fitting(self.hints, width):
            line.add(f" {hint.keys} ", key_style)
            line.add(f"{hint.label} ", self.style("kitchen--dim"))
        line.right(("|" if self.scene.ascii else "▏") + PALETTE_HINT, key_style)
        return [line.strip()]


def fitting(hints: Sequence[Hint], width: int) -> list[Hint]:
    """The hints a line of `width` keeps: the most needed first, while they fit beside the
    palette hint at the right edge (which says where the others are), in their own order."""
    room = width - len(PALETTE_HINT) - 2  # its bar, and a gap before it
    kept: set[int] = set()
    for i in sorted(range(len(hints)), key=lambda i: (hints[i].need, i)):
        cost = len(hints[i].keys) + len(hints[i].label) + 3
        if cost > room:
            break  # a less needed hint never takes the place of a more needed one
        kept.add(i)
        room -= cost
    return [hint for i, hint in enumerate(hints) if i in kept]
