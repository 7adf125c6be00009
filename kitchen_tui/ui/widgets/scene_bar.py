"""The scene bar: which scene of the talk is on, and whether the script waits for the speaker."""

from __future__ import annotations

from textual.widgets import Static

from kitchen_tui.ui.tcss import css_beside


class SceneBar(Static):
    """One line: "Scene 2/4  Async: the same three tables", and what the speaker may press."""

    DEFAULT_CSS = css_beside(__file__)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self._shown = ""

    def show(self, text: str) -> None:
        if text != self._shown:
            self._shown = text
            self.update(text)
            self.display = bool(text)

    @property
    def shown(self) -> str:
        return self._shown
