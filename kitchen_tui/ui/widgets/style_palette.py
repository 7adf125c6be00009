"""One hidden widget that holds every kitchen colour as a component class.

Textual styles each component class of each widget as its own little DOM node; forty classes
on eight widgets made the first frame ten times slower than a hello-world. The views share this
one palette instead and lay its partial styles over their own background.
"""

from __future__ import annotations

from typing import ClassVar

from rich.style import Style
from textual.widget import Widget

from kitchen_tui.kitchen.ledger import PARTS
from kitchen_tui.ui.glyphs import PART_LOOKS, STATE_LOOKS

_STATE_CLASSES = {f"ticket--{look.name}" for look in STATE_LOOKS.values()}
_BADGE_CLASSES = {f"badge--{look.name}" for look in STATE_LOOKS.values()}
_PART_CLASSES = {f"part--{PART_LOOKS[part].name}" for part in PARTS}
_ALARM_CLASSES = {f"alarm--{level}" for level in range(4)}
_ALARM_BADGES = {f"alarm-badge--{level}" for level in range(4)}
_TEXT_CLASSES = {"kitchen--dim", "kitchen--strong", "kitchen--key", "kitchen--accent"}


class StylePalette(Widget):
    """Never shown; asked for the rich style of a ticket state, a part, an alarm or text."""

    COMPONENT_CLASSES: ClassVar[set[str]] = (
        _STATE_CLASSES | _BADGE_CLASSES | _PART_CLASSES | _ALARM_CLASSES | _ALARM_BADGES
    ) | _TEXT_CLASSES

    def part_style(self, name: str) -> Style:
        """Only what the class sets (colour, background, boldness), to lay over a view."""
        return self.get_component_rich_style(name, partial=True)
