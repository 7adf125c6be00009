"""Building one line of a Line-API widget from (text, style) pieces, cropped to its width."""

from __future__ import annotations

import textwrap

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip


class LineBuilder:
    """Collects styled text for one line; anything past the width is cut off, never wrapped."""

    def __init__(self, width: int, base: Style) -> None:
        self.width = width
        self.base = base
        self.used = 0
        self._segments: list[Segment] = []

    @property
    def room(self) -> int:
        return max(0, self.width - self.used)

    def add(self, text: str, style: Style | None = None) -> LineBuilder:
        if not text or self.room == 0:
            return self
        text = text[: self.room]  # our text is single-width: ASCII, Latin-1 and box glyphs
        self._segments.append(Segment(text, style or self.base))
        self.used += len(text)
        return self

    def pad_to(self, column: int) -> LineBuilder:
        if column > self.used:
            self.add(" " * (column - self.used))
        return self

    def right(self, text: str, style: Style | None = None) -> LineBuilder:
        """Put `text` flush right, if it fits after what is already there."""
        if len(text) + 1 <= self.room:
            self.pad_to(self.width - len(text))
            self.add(text, style)
        return self

    def strip(self) -> Strip:
        if self.used < self.width:
            self._segments.append(Segment(" " * (self.width - self.used), self.base))
        return Strip(self._segments, self.width)


def fit(text: str, width: int) -> str:
    """Cut `text` to `width` cells, marking the cut with a dot so it never reads as complete."""
    if width <= 0:
        return ""
    if len(text) <= width:
        return text
    return text[: max(0, width - 1)] + "."


def wrap(text: str, width: int) -> list[str]:
    """Word-wrap a caption to a lane's width (lanes are narrow at 80 columns)."""
    return textwrap.wrap(text, max(1, width)) or [""]
