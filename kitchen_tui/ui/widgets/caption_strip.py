"""The caption strip: one line of narration, big and high-contrast, for the back row.

A remedy's trade (outside a talk) is a quieter strip, one line (two on a tall terminal): it sat
on the stats panel's rows, and a third line was cut mid-sentence ("..., the CPU"). Whatever the
kind, the text is shortened at a word, with an ellipsis, to the lines the strip has.
"""

from __future__ import annotations

from textual.events import Resize
from textual.widgets import Static

from kitchen_tui.ui.strips import wrap
from kitchen_tui.ui.tcss import css_beside

LINES = 2  # text lines a caption gets, narration or trade (the TCSS heights match)
TALL = 40  # a terminal this tall or taller gives a trade its two lines; shorter ones, one


def shortened(text: str, width: int, lines: int = LINES) -> str:
    """`text` wrapped to `width`, kept to `lines` lines: cut after a whole word, with '…'."""
    wrapped = wrap(text, width)
    if len(wrapped) <= lines:
        return "\n".join(wrapped)
    kept = wrapped[:lines]
    words = kept[-1].split(" ")
    while words and len(" ".join(words)) + 1 > width:
        words.pop()
    kept[-1] = " ".join(words) + "…"
    return "\n".join(kept)


class CaptionStrip(Static):
    """The scene's current caption; hidden when there is none or the speaker turned it off."""

    DEFAULT_CSS = css_beside(__file__)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self.text: str | None = None
        self.enabled = True

    def show(self, text: str | None, *, trade: bool = False) -> None:
        """Show `text` (None clears it); a remedy's `trade` takes the quieter strip."""
        self.set_class(trade, "-trade")
        if text == self.text:
            return
        self.text = text
        self._fill()
        self._apply()

    def toggle(self) -> bool:
        """Turn the strip on or off; True when it is on now."""
        self.enabled = not self.enabled
        self._apply()
        return self.enabled

    def on_resize(self, event: Resize) -> None:
        self._fill()

    def _fill(self) -> None:
        width = self.content_size.width
        text = self.text or ""
        # At 120x36 a two-line trade left the stats table one dish row and "+2 more dishes".
        lines = 1 if self.has_class("-trade") and self.app.size.height < TALL else LINES
        self.update(shortened(text, width, lines) if width > 0 else text)

    def _apply(self) -> None:
        self.display = self.enabled and bool(self.text)
