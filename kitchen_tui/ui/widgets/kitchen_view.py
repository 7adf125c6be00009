"""The base of every Line-API kitchen widget: cached lines, rebuilt only when the view changed.

The app calls `tick()` once a frame. A widget compares a cheap key (the board's version for its
areas, the clock reading if it shows live times, its size) with the last one and only then
asks Textual for a repaint; `render_line` rebuilds its lines lazily, once per repaint.
"""

from __future__ import annotations

from collections.abc import Hashable
from itertools import islice

from rich.style import Style
from textual.events import Resize
from textual.strip import Strip
from textual.widget import Widget

from kitchen_tui.stream.tickets import Ticket
from kitchen_tui.ui.glyphs import (
    CANCEL_PENDING_NOTE,
    LIVE_HZ,
    RUNS_ON_NOTE,
    TOKEN_NOTE,
    WALKED_OUT_NOTE,
    age_text,
    seconds_text,
    state_look,
)
from kitchen_tui.ui.palette import StylePalette
from kitchen_tui.ui.scene import Scene
from kitchen_tui.ui.strips import LineBuilder, fit

CHIP_MIN = 15  # badge, id and elapsed time
CHIP_WITH_DISH = 22


def chip_note(ticket: Ticket, now: float) -> str | None:
    """What an open ticket's chip says instead of its dish, if anything: nobody waits for it
    any more, or its to_thread call still waits for a limiter token."""
    note = giving_up_note(ticket, now)
    return TOKEN_NOTE if note is None and waits_for_token(ticket) else note


def waits_for_token(ticket: Ticket) -> bool:
    """A to_thread call not on a worker thread yet: it waits for one of the limiter's tokens."""
    return ticket.state == "thread" and ticket.thread_step != ticket.step_index


def giving_up_note(ticket: Ticket, now: float) -> str | None:
    """What an open ticket's chip says when nobody waits for it any more, if anything."""
    if ticket.cancel_pending(now):
        on_thread = ticket.mode == "threads" or (
            (ticket.step_kind, "to_thread")
            in (("blocking", ticket.fix_blocking), ("cpu", ticket.fix_cpu))
        )
        return RUNS_ON_NOTE if on_thread else CANCEL_PENDING_NOTE
    return WALKED_OUT_NOTE if ticket.walked_out_t is not None else None


class KitchenView(Widget):
    """A widget that draws part of the kitchen from the shared scene, line by line."""

    def __init__(self, scene: Scene, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.scene = scene
        self._key: Hashable = None
        self._dirty = True
        self._lines: list[Strip] = []
        self._built_for: tuple[int, int] = (-1, -1)
        self._view_size: tuple[int, int] = (0, 0)
        self.palette: StylePalette | None = None  # set by the app: the shared colours
        self._base = Style()
        self._styles: dict[str, Style] = {}

    # -- what subclasses provide ----------------------------------------------------------------

    def view_key(self) -> Hashable:
        """Changes whenever what the widget shows changes."""
        return self.scene.board.versions["header"]

    def build(self, width: int, height: int) -> list[Strip]:
        return []

    def titles(self) -> tuple[str, str] | None:
        """Border title and subtitle, or None to leave them; set before the repaint."""
        return None

    # -- the frame protocol -------------------------------------------------------------------

    def tick(self) -> None:
        # Titles follow the settings too (the header's version), which a view key may not cover.
        key = (self.view_key(), self.scene.board.versions["header"])
        if key != self._key:
            self._key = key
            self._dirty = True
            self._set_titles()
            self.refresh()

    def redraw_now(self) -> None:
        """Rebuild on the next paint whatever the view key says: a screenshot must not catch a
        panel that redraws only a few times a second behind the others."""
        self._key = object()
        self._dirty = True
        self._set_titles()
        self.refresh()

    def _set_titles(self) -> None:
        titles = self.titles()
        if titles is None:
            return
        title, subtitle = titles
        if self.border_title != title:
            self.border_title = title
        if self.border_subtitle != subtitle:
            self.border_subtitle = subtitle

    def on_resize(self, event: Resize) -> None:
        size = self.size  # the content area: the event's size includes border and padding
        self._view_size = (size.width, size.height)
        self._dirty = True
        self.refresh()  # lines drawn before the first resize were drawn for no size at all

    def render_line(self, y: int) -> Strip:
        # The size comes from Resize events: reading self.size walks the compositor's map.
        size = self._view_size
        if self._dirty or size != self._built_for:
            # rich_style walks the DOM on every read: read it once per build.
            self._base = self.rich_style
            self._styles.clear()
            self._lines = self.build(*size)
            self._dirty, self._built_for = False, size
        if y < len(self._lines):
            return self._lines[y]
        return Strip.blank(size[0], self._base)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._dirty = True  # a new theme: cached lines carry the old colours

    # -- drawing helpers ------------------------------------------------------------------------

    def style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            part = self.palette.part_style(name) if self.palette is not None else Style()
            style = self._styles[name] = self._base + part
        return style

    def line(self, width: int) -> LineBuilder:
        return LineBuilder(width, self._base)

    def pair(self, width: int, left: tuple[str, str], right: tuple[str, str]) -> Strip:
        """Two label-value pairs, each value right-aligned in its half, a space before the
        next label whatever the value's length (the label gives way, never the value)."""
        line = self.line(width)
        half = (width + 1) // 2
        for column, (label, value) in ((0, left), (half, right)):
            room = half - 1 - len(value) - 1
            shown = fit(label, room) if room > 0 else ""
            line.pad_to(column).add(shown, self.style("kitchen--dim"))
            line.pad_to(max(line.used, column + half - 1 - len(value)))
            line.add(value, self.style("kitchen--strong"))
        return line.strip()

    def glyph(self, state: str) -> str:
        look = state_look(state)
        return look.ascii if self.scene.ascii else look.glyph

    def add_chip(
        self,
        line: LineBuilder,
        ticket: Ticket,
        seconds: float | None,
        width: int,
        live: bool = False,
    ) -> None:
        """One ticket: a state badge, its id, its dish if there is room, and a time (a growing
        age when `live`, else a measured latency)."""
        look = state_look(ticket.state)
        start = line.used
        badge = f"{self.glyph(ticket.state):^3}"
        line.add(badge, self.style(f"badge--{look.name}"))
        line.add(" " + fit(ticket.id, 6), self.style(f"ticket--{look.name}") + Style(bold=True))
        time_text = age_text(seconds or 0.0) if live else seconds_text(seconds)
        dish_room = width - (line.used - start) - len(time_text) - 2
        note = chip_note(ticket, self.scene.now) if live else None
        if dish_room >= 4 and note is not None:
            line.add(" " + fit(note, dish_room), self.style("alarm--2"))
        elif dish_room >= 4:
            # With several workers, the one that took it: lanes are shared, tickets are not.
            dish = ticket.dish if ticket.worker is None else f"w{ticket.worker} {ticket.dish}"
            line.add(" " + fit(dish, dish_room), self.style("kitchen--dim"))
        line.pad_to(start + width - len(time_text))
        line.add(time_text, self.style(f"ticket--{look.name}"))

    def shown_key(self, *lanes: dict[int, Ticket]) -> tuple[object, ...]:
        """Which tickets, in which states, the lane can show: tickets that only pass through
        (seated and started within one frame) must not cost a redraw."""
        width, height = self._view_size
        room = max(1, height) * max(1, width // CHIP_MIN)
        shown: list[object] = []
        for lane in lanes:
            shown += [(n, t.state, t.walked_out_t) for n, t in islice(lane.items(), room)]
            shown.append(len(lane))
        return tuple(shown)

    def live_slot(self) -> int:
        """The clock in steps of a live age: a lane with waiting tickets redraws on each step."""
        return int(self.scene.now * LIVE_HZ)

    def chip_grid(self, tickets: list[Ticket], total: int, width: int, height: int) -> list[Strip]:
        """Tickets in columns (read down, then across); the last cell says how many are hidden."""
        if height <= 0 or width <= 0:
            return []
        columns = max(1, min(width // CHIP_WITH_DISH, (len(tickets) + height - 1) // height or 1))
        cell = width // columns
        room = columns * height
        shown = tickets[: room - 1] if total > room else tickets[:room]
        lines = [self.line(width) for _ in range(height)]
        for index, ticket in enumerate(shown):
            column, row = divmod(index, height)
            line = lines[row]
            line.pad_to(column * cell)
            if ticket.done is None:
                self.add_chip(line, ticket, self.scene.age(ticket.arrived), cell - 1, live=True)
            else:
                latency = ticket.latency_s
                if latency is None:
                    latency = self.scene.span(ticket.arrived, ticket.done)
                self.add_chip(line, ticket, latency, cell - 1)
        if total > len(shown):
            column, row = divmod(len(shown), height)
            more = f" +{total - len(shown)} more"
            lines[row].pad_to(column * cell).add(more, self.style("kitchen--strong"))
        return [line.strip() for line in lines]
