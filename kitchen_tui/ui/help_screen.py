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

from kitchen_tui.stream.queueing import FIGURE_HELP, WINDOW_S
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
    STREAM_KEYS,
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

SCROLL_HINT = "more below: down, page down, end   "

FIGURES_NOTE = (
    f"Each figure covers the last {WINDOW_S:g} real seconds, in story seconds, and comes from"
    " the kitchen's own events. In a kitchen that keeps up, L and X x W agree (Little's law);"
    " past its capacity the front desk grows, L runs ahead, and the latencies climb."
)


class HelpScreen(ModalScreen[None]):
    """Keys in groups, then a legend of ticket letters and timeline glyphs."""

    # Its own style sheet, read when help first opens: not parsed for every start.
    CSS_PATH = "help_screen.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "dismiss", "Close help"),
        Binding("g", "figures", "Queueing figures"),
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
            yield Static(self._figures(), id="help-figures")

    def on_mount(self) -> None:
        self._show_figures(False)
        self.call_after_refresh(self._say_how_to_scroll)

    def on_resize(self) -> None:
        self.call_after_refresh(self._say_how_to_scroll)

    def action_figures(self) -> None:
        """g: the page on the queueing figures, or back to the keys."""
        self._show_figures(not self.query_one("#help-figures").display)

    def _show_figures(self, figures: bool) -> None:
        for part in ("#help-keys", "#help-legend"):
            self.query_one(part).display = not figures
        self.query_one("#help-figures").display = figures
        body = self.query_one("#help-body")
        body.border_title = "Kitchen TUI: " + (
            "the queueing figures" if figures else "keys and legend"
        )
        other = "the keys" if figures else "the queueing figures"
        body.border_subtitle = f"g: {other}   escape or ? closes this page"
        self.call_after_refresh(self._say_how_to_scroll)

    def _say_how_to_scroll(self) -> None:
        """A page taller than the screen (the giving-up letters, a small terminal) says how to
        see the rest: a scroll bar alone was easy to miss, and the ascii page draws none."""
        body = self.query_one("#help-body")
        subtitle = str(body.border_subtitle or "").removeprefix(SCROLL_HINT)
        body.border_subtitle = (SCROLL_HINT if body.max_scroll_y > 0 else "") + subtitle

    def _keys(self) -> Table:
        # Two columns of about the same height, so the page fits 120x36 whole.
        left = [*_rows("Orders", ORDER_KEYS), *_rows("Kitchen", KITCHEN_KEYS)]
        right = [*_scenario_rows(), *_rows("Screen", SCREEN_KEYS)]
        right += _rows("Customers (a steady stream)", STREAM_KEYS)
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
        # One row for both marks: a row more pushed the page past 120x36.
        parts.append(("! :", "on the axis: every ticket held, one worker held"))
        parts += [
            (Text(caption, style=f"bold {self._alarm(level)}"), ALARM_MEANINGS[level])
            for level, caption in enumerate(ALARM_CAPTIONS)
            if caption
        ]
        return _side_by_side(letters, parts)

    def _figures(self) -> Table:
        rows: list[Row] = [
            ("", Text("The queueing figures (g shows them)", style="bold underline"))
        ]
        rows += [(name, text) for name, text in FIGURE_HELP]
        rows += [("", ""), ("", Text(FIGURES_NOTE))]
        return _side_by_side(rows)

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
    ("w", "W"): "a worker more / fewer (1 <-> 2: a new kitchen)",
    ("greater_than_sign", "less_than_sign"): "more / fewer customers a second (> starts some)",
    ("l", "L"): "start / stop a steady stream; L: its dish or mix",
}


def _rows(title: str, keys: tuple[Key, ...]) -> list[Row]:
    """A group's rows: a key a row, but a pair that goes both ways (+ -, > <) on one."""
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


def _scenario_rows() -> list[Row]:
    """Keys 1 to 5 on one row: the scenarios' names say what each plays."""
    names = ", ".join(key.help.removeprefix("orders of ") for key in SCENARIO_KEYS)
    title = Text("Scenarios (in your mode and shelf)", style="bold underline")
    return [("", title), (f"1-{len(SCENARIO_KEYS)}", f"the orders of {names}")]


def _side_by_side(*columns: list[Row]) -> Table:
    table = Table.grid(padding=(0, 1))
    for _ in columns:
        table.add_column(justify="right", style="bold", min_width=5)
        table.add_column(ratio=1)
    blank: Row = ("", "")
    for index in range(max(len(column) for column in columns)):
        cells = [column[index] if index < len(column) else blank for column in columns]
        table.add_row(*(cell for row in cells for cell in row))
    return table
