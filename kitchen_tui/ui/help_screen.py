"""The help screen: every key, and how to read tickets, lanes and the timeline."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from kitchen_tui.ui.glyphs import (
    ALARM_CAPTIONS,
    ALARM_MEANINGS,
    CANCEL_PENDING_NOTE,
    GIVING_UP_STATES,
    PART_LOOKS,
    RUNS_ON_NOTE,
    STATE_LOOKS,
    WALKED_OUT_NOTE,
    Look,
)
from kitchen_tui.ui.keys import (
    KITCHEN_KEYS,
    ORDER_KEYS,
    SCENARIO_KEYS,
    SCREEN_KEYS,
    TALK_KEYS,
    Key,
)

# One line at 120 columns: the page fits 120x36 whole.
INTRO = (
    "Every ticket is a real request, an anyio task in a kitchen process of its own;"
    " every time shown was measured."
)


# What an open ticket's chip says, in place of its dish, once nobody waits for it.
GIVING_UP_NOTES = (
    (WALKED_OUT_NOTE, "its customer walked out: the kitchen cooks on, it cannot tell"),
    (CANCEL_PENDING_NOTE, "past its deadline: a step on the loop holds the cancel back"),
    (RUNS_ON_NOTE, "past its deadline on a thread, which cannot be stopped"),
)


class HelpScreen(ModalScreen[None]):
    """Keys in groups, then a legend of ticket letters and timeline glyphs."""

    # Its own style sheet, read when help first opens: not parsed for every start.
    CSS_PATH = "help_screen.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "dismiss", "Close help"),
    ]

    def __init__(self, *, ascii: bool, settings: Mapping[str, object] | None = None) -> None:
        super().__init__()
        self.ascii = ascii
        # Letters for customers who give up, only where they can: the page fits 120x36 whole.
        limits = settings or {}
        self.giving_up = bool(limits.get("patience") or limits.get("deadline"))

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Static(Text(INTRO), id="help-intro")
            yield Static(self._keys(), id="help-keys")
            yield Static(self._legend(), id="help-legend")

    def on_mount(self) -> None:
        body = self.query_one("#help-body")
        body.border_title = "Kitchen TUI: keys and legend"
        body.border_subtitle = "escape or ? closes this page"

    def _keys(self) -> Table:
        # Two columns of about the same height, so the page fits 120x36 whole.
        left = [*_rows("Orders", ORDER_KEYS), *_rows("Kitchen", KITCHEN_KEYS)]
        right = [
            *_rows("Scenarios (in your mode and shelf)", SCENARIO_KEYS),
            *_rows("Screen", SCREEN_KEYS),
        ]
        right += _rows("Talks (kitchen-tui play)", TALK_KEYS)
        return _side_by_side(left, right)

    def _legend(self) -> Table:
        letters: list[Row] = [("", Text("Ticket letters", style="bold underline"))]
        letters += [
            (self._sample(look, f"ticket-{look.name}", badge=True), look.caption)
            for state, look in STATE_LOOKS.items()
            if self.giving_up or state not in GIVING_UP_STATES
        ]
        if self.giving_up:
            letters += [("", f"'{note}': {meaning}") for note, meaning in GIVING_UP_NOTES]
        parts: list[Row] = [("", Text("Timeline: where time went", style="bold underline"))]
        parts += [
            (self._sample(look, f"part-{look.name}", badge=False), look.caption)
            for look in PART_LOOKS.values()
        ]
        parts.append(("!", "on the axis: a stall, one step holding every ticket"))
        parts += [
            (Text(caption, style=f"bold {self._alarm(level)}"), ALARM_MEANINGS[level])
            for level, caption in enumerate(ALARM_CAPTIONS)
            if caption
        ]
        return _side_by_side(letters, parts)

    def _alarm(self, level: int) -> str:
        return self.app.theme_variables.get(f"alarm-{level}", "")

    def _sample(self, look: Look, variable: str, *, badge: bool) -> Text:
        """The glyph as the kitchen draws it, in the current theme's colour for it."""
        colour = self.app.theme_variables.get(variable, "")
        glyph = look.ascii if self.ascii else look.glyph
        if badge:
            text_colour = self.app.theme_variables.get("ticket-text", "")
            return Text(f"{glyph:^3}", style=f"bold {text_colour} on {colour}")
        return Text(glyph * 3, style=colour)


Row = tuple[str | Text, str | Text]


# Keys that go two ways, each pair on one row of the help page (so that it fits 120x36).
_PAIRS = {
    ("plus", "minus"): "faster / slower story clock (0.1x to 10x)",
    ("w", "W"): "a worker process more / fewer (uvicorn --workers N)",
}


def _rows(title: str, keys: tuple[Key, ...]) -> list[Row]:
    rows: list[Row] = [("", Text(title, style="bold underline"))]
    paired = {second: (first, words) for (first, second), words in _PAIRS.items()}
    for key in keys:
        if key.key in paired:
            continue  # shown on its partner's row
        partner = next((p for (f, p) in _PAIRS if f == key.key), None)
        if partner is not None:
            second = next(k for k in keys if k.key == partner)
            rows.append((f"{key.shown} {second.shown}", _PAIRS[(key.key, partner)]))
        else:
            rows.append((key.shown, key.help))
    return rows


def _side_by_side(left: list[Row], right: list[Row]) -> Table:
    table = Table.grid(padding=(0, 1))
    for _ in range(2):
        table.add_column(justify="right", style="bold", min_width=5)
        table.add_column(ratio=1)
    blank: Row = ("", "")
    for index in range(max(len(left), len(right))):
        a = left[index] if index < len(left) else blank
        b = right[index] if index < len(right) else blank
        table.add_row(*a, *b)
    return table
