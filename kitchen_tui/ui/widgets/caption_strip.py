"""The caption strip: one line of narration, big and high-contrast, for the back row."""

from __future__ import annotations

from textual.widgets import Static

from kitchen_tui.ui.tcss import css_beside


class CaptionStrip(Static):
    """The scene's current caption; hidden when there is none or the speaker turned it off."""

    DEFAULT_CSS = css_beside(__file__)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self.text: str | None = None
        self.enabled = True

    def show(self, text: str | None) -> None:
        """Show `text` (None clears it); a no-op when nothing changed."""
        if text == self.text:
            return
        self.text = text
        self.update(text or "")
        self._apply()

    def toggle(self) -> bool:
        """Turn the strip on or off; True when it is on now."""
        self.enabled = not self.enabled
        self._apply()
        return self.enabled

    def _apply(self) -> None:
        self.display = self.enabled and bool(self.text)
