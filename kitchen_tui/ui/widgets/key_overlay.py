"""The keystroke overlay: the last few keys pressed and what each did, for recordings."""

from __future__ import annotations

from collections import deque

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from kitchen_tui.ui.tcss import css_beside

KEYS_SHOWN = 4


class KeyOverlay(Static):
    """A small box in the corner: `s  slow LLM order`, newest last; `k` shows or hides it."""

    DEFAULT_CSS = css_beside(__file__)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self.pressed: deque[tuple[str, str]] = deque(maxlen=KEYS_SHOWN)

    def on_mount(self) -> None:
        self.border_title = "keys"

    def add(self, key: str, what: str) -> None:
        self.pressed.append((key, what))
        table = Table.grid(padding=(0, 2))
        # The key keeps its width: a long echo is cut short, never the key beside it.
        widest = max(len(shown) for shown, _ in self.pressed)
        table.add_column(justify="right", style="bold", no_wrap=True, min_width=widest)
        table.add_column(no_wrap=True)
        for shown, words in self.pressed:
            table.add_row(Text(shown), Text(words))
        self.update(table)

    def toggle(self) -> bool:
        self.display = not self.display
        return bool(self.display)
