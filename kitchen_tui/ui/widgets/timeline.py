"""The timeline: a Gantt row per recent ticket on one time axis, coloured by where time went.

Each column is a slice of story time (slow motion stretches the picture, never the seconds); a
cell shows the part of the ticket's life that covers most of it (the ledger's segments: front
desk, ready, cook, I/O wait, prep shelf), with a distinct glyph per part so the chart reads
without colour. Stalls (the ledger's holds) are marked on the axis, and the axis reaches back to
the start of any stall whose victims are on screen.
"""

from __future__ import annotations

import math
from collections.abc import Hashable

from textual.strip import Strip

from kitchen_tui.protocol.events import stall_level
from kitchen_tui.stream.tickets import PART_NAMES, PARTS, Part, Ticket
from kitchen_tui.ui.glyphs import PART_LOOKS, state_look
from kitchen_tui.ui.scene import Scene
from kitchen_tui.ui.strips import fit, wrap
from kitchen_tui.ui.widgets.kitchen_view import KitchenView

REFRESH_HZ = 15
MIN_SPAN_S = 0.5
TICK_STEPS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600)
MIN_TICK_GAP = 8  # columns between axis labels


class Timeline(KitchenView):
    """Recent tickets as bars on a shared axis that ends at now."""

    def __init__(self, scene: Scene, *, id: str | None = None) -> None:
        super().__init__(scene, id=id, classes="panel")
        self.border_title = "timeline"
        self._seen = -1
        self._slot = -1

    def view_key(self) -> Hashable:
        board = self.scene.board
        version = board.versions["timeline"]
        slot = int(self.scene.now * REFRESH_HZ)
        # Redraw on news, at most REFRESH_HZ times a second (every time when stepped by hand);
        # news held back by the limit is drawn in a later slot, with the kitchen idle or not.
        if version != self._seen and (slot != self._slot or self.scene.paused):
            self._seen, self._slot = version, slot
        elif slot != self._slot and board.in_flight:
            self._slot = slot  # bars of tickets in flight grow with the clock
        return self._seen, self._slot, id(board)

    def build(self, width: int, height: int) -> list[Strip]:
        rows = self.scene.board.recent(max(0, height - 2))
        if not rows:
            hint = "each ticket gets a row here: where its time went, second by second"
            dim = self.style("kitchen--dim")
            return [self.line(width).add(part, dim).strip() for part in wrap(hint, width)][:height]
        label_width = 13 if width >= 70 else 9
        bar_width = max(1, width - label_width - 2)
        story = self.scene.board.ledger.story
        first = min(min(t.arrived for t in rows), self._first_stall_start(rows))
        start = story.at(first)
        end = max(story.at(self.scene.now), start + MIN_SPAN_S)
        per_column = (end - start) / bar_width
        lines = [self._axis(label_width, bar_width, start, per_column, width)]
        lines += [self._row(t, label_width, bar_width, start, per_column, width) for t in rows]
        lines += [self.line(width).strip()] * (height - 1 - len(lines))
        lines.append(self._legend(width))
        return lines[:height]

    # -- one ticket -------------------------------------------------------------------------------

    def _row(
        self, ticket: Ticket, label_width: int, bar_width: int, start: float, per: float, width: int
    ) -> Strip:
        line = self.line(width)
        label = fit(f"{ticket.id} {ticket.dish}", label_width)
        line.add(f"{label:<{label_width}} ", self.style("kitchen--dim"))
        cells = self._cells(ticket, bar_width, start, per)
        if ticket.is_done:
            cells = cells[: _last_filled(cells) + 1]  # the outcome glyph follows the bar
        for part, run in _runs(cells):
            if part is None:
                line.add(" " * run)
            else:
                look = PART_LOOKS[part]
                glyph = look.ascii if self.scene.ascii else look.glyph
                line.add(glyph * run, self.style(f"part--{look.name}"))
        if ticket.is_done:
            look = state_look(ticket.state)
            line.add(self.glyph(ticket.state), self.style(f"ticket--{look.name}"))
        return line.strip()

    def _cells(self, ticket: Ticket, bar_width: int, start: float, per: float) -> list[Part | None]:
        """Each column the ticket lived through at least half of shows the part that covered
        most of it, so rounding never paints time that did not pass; a ticket shorter than
        that still gets the column it lived in most."""
        cover: list[dict[Part, float]] = [{} for _ in range(bar_width)]
        story = self.scene.board.ledger.story
        now = self.scene.now
        for segment in ticket.segments:
            seg_end = now if segment.end is None else segment.end
            left = (story.at(segment.start) - start) / per
            right = (story.at(seg_end) - start) / per
            for column in range(max(0, math.floor(left)), min(bar_width, math.ceil(right))):
                part_of = min(right, column + 1) - max(left, column)
                if part_of > 0:
                    parts = cover[column]
                    parts[segment.part] = parts.get(segment.part, 0.0) + part_of
        cells: list[Part | None] = [None] * bar_width
        for column, parts in enumerate(cover):
            if sum(parts.values()) >= 0.5:
                cells[column] = max(parts, key=parts.__getitem__)
        if not any(cells) and any(cover):
            column = max(range(bar_width), key=lambda c: sum(cover[c].values()))
            cells[column] = max(cover[column], key=cover[column].__getitem__)
        return cells

    def _first_stall_start(self, rows: list[Ticket]) -> float:
        """The start of the earliest stall that kept a ticket on screen waiting (or infinity):
        a stall stays in view as long as any of its victims does."""
        first = math.inf
        oldest = min(t.arrived for t in rows)
        for hold in reversed(self.scene.board.ledger.holds.finished):
            if hold.end < oldest:
                break
            if hold.victims and hold.held.started < first:
                first = hold.held.started
        return first

    # -- axis and legend -------------------------------------------------------------------------

    def _axis(
        self, label_width: int, bar_width: int, start: float, per: float, width: int
    ) -> Strip:
        line = self.line(width)
        line.add(f"{'seconds':<{label_width}} ", self.style("kitchen--dim"))
        text = [" "] * bar_width
        step = next((s for s in TICK_STEPS if s / per >= MIN_TICK_GAP), TICK_STEPS[-1])
        tick = 0.0
        labelled: set[int] = set()  # a label's columns and one either side: marks stay off them
        while True:
            column = int(tick / per)
            label = f"{tick:g}s"
            if column + len(label) > bar_width:
                break
            text[column : column + len(label)] = label
            labelled.update(range(column - 1, column + len(label) + 1))
            tick += step
        levels, held_by = self._marks(bar_width, start, per)
        # With several workers a step holds only its own worker's tickets: '!' only where every
        # worker was held at once, ':' where some were and the others kept serving.
        everyone = max(1, self.scene.board.workers)
        for column, glyph in enumerate(text):
            level = levels[column]
            if level and glyph == " " and column not in labelled:
                mark = "!" if len(held_by[column]) >= everyone else ":"
                line.add(mark, self.style(f"alarm--{level}"))
            else:
                line.add(glyph, self.style("kitchen--dim"))
        return line.strip()

    def _marks(
        self, bar_width: int, start: float, per: float
    ) -> tuple[list[int], list[set[int | None]]]:
        """Each column's highest stall level, and whose loop or cook was held in it (None: the
        one kitchen's). Holds under 50 ms are not kept: nobody feels them."""
        levels = [0] * bar_width
        held_by: list[set[int | None]] = [set() for _ in range(bar_width)]
        story = self.scene.board.ledger.story
        now = story.at(self.scene.now)
        for holds in self.scene.board.ledger.pool.every_holds:
            spans = [(h.held, h.held.started, story.at(h.end), h.level) for h in holds.finished]
            held = holds.now
            level = stall_level(self.scene.age(held.started)) if held is not None else 0
            if held is not None and level:  # the stall going on, at the level it has reached
                spans.append((held, held.started, now, level))
            for step, started, end, level in spans:
                first = int((story.at(started) - start) / per)
                last = math.ceil((end - start) / per)
                for column in range(max(0, first), min(bar_width, last)):
                    levels[column] = max(levels[column], level)
                    held_by[column].add(step.worker)
        return levels, held_by

    def _legend(self, width: int) -> Strip:
        line = self.line(width)
        wide = width >= 70
        for part in PARTS:
            look = PART_LOOKS[part]
            glyph = look.ascii if self.scene.ascii else look.glyph
            line.add(glyph * (2 if wide else 1), self.style(f"part--{look.name}"))
            caption = look.caption if wide else PART_NAMES[part][1]
            line.add(f" {caption}  " if wide else f" {caption} ", self.style("kitchen--dim"))
        return line.strip()


def _runs(cells: list[Part | None]) -> list[tuple[Part | None, int]]:
    runs: list[tuple[Part | None, int]] = []
    for cell in cells:
        if runs and runs[-1][0] == cell:
            runs[-1] = (cell, runs[-1][1] + 1)
        else:
            runs.append((cell, 1))
    return runs


def _last_filled(cells: list[Part | None]) -> int:
    for index in range(len(cells) - 1, -1, -1):
        if cells[index] is not None:
            return index
    return -1
