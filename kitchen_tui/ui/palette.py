"""The kitchen's colours: a rich style for each ticket state, timeline part, alarm and text role.

Every colour is a theme variable (themes/*.toml); this table only says which variable colours
which role. It used to be forty TCSS rules on a hidden widget's component classes: Textual
parsed and applied them at start-up, a third of the first frame (34 of 107 ms, measured).
"""

from __future__ import annotations

from typing import Any

from rich.style import Style
from textual.app import App
from textual.color import Color

from kitchen_tui.ui.glyphs import PART_LOOKS, STATE_LOOKS

# role -> (text colour variable, background variable or None, bold)
Look = tuple[str, str | None, bool]


def _looks() -> dict[str, Look]:
    looks: dict[str, Look] = {}
    for state in {look.name for look in STATE_LOOKS.values()}:
        looks[f"ticket--{state}"] = (f"ticket-{state}", None, False)
        looks[f"badge--{state}"] = ("ticket-text", f"ticket-{state}", True)
    for part in PART_LOOKS.values():
        looks[f"part--{part.name}"] = (f"part-{part.name}", None, False)
    looks["alarm--0"] = ("foreground", None, False)
    looks["alarm-badge--0"] = ("foreground", "panel", True)
    for level in (1, 2, 3):
        looks[f"alarm--{level}"] = (f"alarm-{level}", None, True)
        looks[f"alarm-badge--{level}"] = ("alarm-text", f"alarm-{level}", True)
    looks["kitchen--dim"] = ("kitchen-dim", None, False)
    looks["kitchen--strong"] = ("foreground", None, True)
    looks["kitchen--accent"] = ("accent", None, False)
    looks["kitchen--key"] = ("background", "primary", True)
    return looks


LOOKS = _looks()


class StylePalette:
    """The app's kitchen colours, made again from its theme variables when the theme changes."""

    def __init__(self, app: App[Any]) -> None:
        self._app = app
        self._variables: dict[str, str] | None = None
        self._styles: dict[str, Style] = {}

    def part_style(self, name: str) -> Style:
        """Only what the role sets (colour, background, boldness), to lay over a view."""
        variables = self._app.theme_variables
        if variables is not self._variables:  # a new dict each time the theme changes
            self._styles = {role: _style(look, variables) for role, look in LOOKS.items()}
            self._variables = variables
        return self._styles[name]


def _style(look: Look, variables: dict[str, str]) -> Style:
    color, background, bold = look
    return Style(
        color=Color.parse(variables[color]).rich_color,
        bgcolor=Color.parse(variables[background]).rich_color if background else None,
        bold=True if bold else None,
    )
