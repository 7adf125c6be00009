"""The scene bar: which scene of the talk is on, and whether the script waits for the speaker."""

from __future__ import annotations

from textual.widgets import Static

from kitchen_tui.ui.tcss import css_beside


class SceneBar(Static):
    """One line: "Scene 2/4  Async: the same three tables", and what the speaker may press.

    What the speaker may press (`tail`) is never cut: on a narrow screen the scene's title
    gives way (at 80 columns "-- waiting: space goes on" lost its last word)."""

    DEFAULT_CSS = css_beside(__file__)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self._text = ""
        self._tail = ""

    def show(self, text: str, tail: str = "") -> None:
        if (text, tail) != (self._text, self._tail):
            self._text, self._tail = text, tail
            self.refresh()
            self.display = bool(text or tail)

    @property
    def shown(self) -> str:
        return self._text + self._tail

    def render(self) -> str:
        room = self.content_size.width
        text, tail = self._text, self._tail
        if room <= 0 or len(text) + len(tail) <= room:
            return text + tail
        if len(tail) >= room:
            return tail[-room:]
        return text[: room - len(tail) - 1] + "…" + tail
