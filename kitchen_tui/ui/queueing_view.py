"""Where the queueing panel and the live chart go: beside the timeline and the stats when the
terminal has room, in their place when it has not (g swaps them in and out)."""

from __future__ import annotations

ROOMY = (110, 32)  # from this size on, everything fits side by side
BESIDE, INSTEAD = "-queueing-beside", "-queueing-instead"


class QueueingView:
    """The g key's state: None follows the terminal's size, True or False is the user's."""

    def __init__(self) -> None:
        self.wanted: bool | None = None
        self.size = (0, 0)

    def toggle(self) -> bool:
        """Show or hide the figures and the chart; True when they are now shown."""
        self.wanted = not self.shown
        return self.wanted

    @property
    def roomy(self) -> bool:
        width, height = self.size
        return width >= ROOMY[0] and height >= ROOMY[1]

    @property
    def shown(self) -> bool:
        return self.roomy if self.wanted is None else self.wanted

    def classes(self) -> dict[str, bool]:
        """The app's classes that place them (app.tcss says what each does)."""
        shown = self.shown
        return {BESIDE: shown and self.roomy, INSTEAD: shown and not self.roomy}
