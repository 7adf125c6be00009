"""The footer: the keys worth knowing by heart, drawn as one line."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

from rich.style import Style
from textual.strip import Strip

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

    def __init__(
        self, scene: Scene, hints: Sequence[tuple[str, str]], *, id: str | None = None
    ) -> None:
        super().__init__(scene, id=id)
        self.hints = tuple(hints)

    def view_key(self) -> Hashable:
        return self.hints

    def build(self, width: int, height: int) -> list[Strip]:
        line = self.line(width)
        key_style = self.style("kitchen--accent") + Style(bold=True)
        for key, label in self.hints:
            if line.room < len(key) + len(label) + 3 + len(PALETTE_HINT) + 2:
                break  # the palette hint at the right edge says where the others are
            line.add(f" {key} ", key_style)
            line.add(f"{label} ", self.style("kitchen--dim"))
        line.right(("|" if self.scene.ascii else "▏") + PALETTE_HINT + " ", key_style)
        return [line.strip()]
