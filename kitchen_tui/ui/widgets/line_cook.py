"""The line cook: what the cook (or the event loop) is doing now, and who is stuck behind it.

When one step holds the loop (async) or the only cook (sync), this lane says so in words: which
ticket, what kind of step, for how long so far, and the alarm level it has reached. When the
hold ends it reports the victims: how many tickets it kept waiting, and for how long in all.
"""

from __future__ import annotations

from collections.abc import Hashable
from itertools import chain, islice

from textual.strip import Strip

from kitchen_tui.protocol.events import stall_level
from kitchen_tui.stream.holds import HeldStep, Hold
from kitchen_tui.ui.glyphs import ALARM_CAPTIONS, counted, ms_text, seconds_text
from kitchen_tui.ui.scene import Scene
from kitchen_tui.ui.strips import fit, wrap
from kitchen_tui.ui.widgets.kitchen_view import KitchenView

# Why a held step matters, by (where, kind): in our words, for the people in the room.
_WHY: dict[tuple[str, str], str] = {
    ("loop", "cpu"): "CPU work on the event loop: no other ticket can run",
    ("loop", "blocking"): "a blocking call inside async code: the loop cannot switch tickets",
    ("loop", "wait"): "a wait on the loop itself: every ticket waits with it",
    ("cook", "wait"): "waiting on I/O, and the only cook waits with it",
    ("cook", "cpu"): "CPU work: the only cook is busy",
    ("cook", "blocking"): "a blocking call: the only cook is stuck",
}


class LineCook(KitchenView):
    """The cook's lane: the held step and its alarm, busy cooks, ready tickets, last stall."""

    def __init__(self, scene: Scene, *, id: str | None = None) -> None:
        super().__init__(scene, id=id, classes="lane")
        self.border_title = "line cook"

    def view_key(self) -> Hashable:
        board = self.scene.board
        # A held step's counter runs at the frame rate; ages of other tickets at LIVE_HZ.
        if board.held is not None:
            live: float | None = self.scene.now
        else:
            live = self.live_slot() if board.working or board.ready else None
        # While a step holds everyone, the lane counts who is stuck at the desk and the rail.
        held = (board.versions["front_desk"], board.versions["rail"]) if board.held else None
        workers = tuple((w, state.alive) for w, state in board.ledger.pool.workers.items())
        return (
            self.shown_key(board.working, board.ready),
            board.holds_now,
            workers,
            held,
            live,
            id(board.last_stall),
            len(board.shelf),  # cooks waiting for the shelf are busy too
        )

    def build(self, width: int, height: int) -> list[Strip]:
        board = self.scene.board
        if board.workers > 1:
            return self._pool_lines(width, height)
        top = self._held_lines(board.held, width) if board.held else self._status_lines(width)
        report = self._report_lines(board.last_stall, width)
        room = height - len(top) - len(report) - (1 if report else 0)
        tickets = self._busy_tickets(room, width)
        filler = [self.line(width).strip()] * max(0, height - len(top) - len(tickets) - len(report))
        return (top + tickets + filler + report)[:height]

    def titles(self) -> tuple[str, str]:
        board = self.scene.board
        subtitle = {"async": "one event loop", "threads": "a pool of threads"}.get(
            board.mode, "one cook thread"
        )
        if board.workers > 1:
            return "line cooks", f"{board.workers} workers, each {subtitle}"
        return "line cook", subtitle

    # -- several workers: a few lines each -------------------------------------------------------

    def _pool_lines(self, width: int, height: int) -> list[Strip]:
        """Each worker's lines, then the last stall's report if there is room for both: each
        worker's state comes first (at 80x24 the report hid every worker but the first, and
        with them the loop held now and its ticket)."""
        board = self.scene.board
        slots = board.worker_slots
        fewest = [line for worker in slots for line in self._worker_lines(worker, width, 1)]
        report = self._report_lines(board.last_stall, width)
        if len(fewest) + len(report) > height:
            report = []
        room = max(0, height - len(report))
        rows = max(1, room // len(slots))
        lines = [line for worker in slots for line in self._worker_lines(worker, width, rows)]
        if len(lines) > room:  # a held step's ticket on a line of its own took a row
            lines = fewest
        lines = lines[:room]
        filler = [self.line(width).strip()] * (room - len(lines))
        return (lines + filler + report)[:height]

    def _worker_lines(self, worker: int, width: int, rows: int) -> list[Strip]:
        """The worker's state (a held step names the worker and its ticket), then its tickets."""
        board = self.scene.board
        state = board.ledger.pool.workers.get(worker)
        held = board.worker_held(worker)
        head = self.line(width).add(f"w{worker} ", self.style("kitchen--strong"))
        named: list[Strip] = []
        if state is not None and not state.alive:
            head.add(" DOWN ", self.style("alarm-badge--3"))
            head.add(" x restarts it", self.style("alarm--3"))  # the banner says what failed
        elif held is not None:
            seconds = self.scene.age(held.started)
            level = stall_level(seconds)
            what = "LOOP HELD" if held.where == "loop" else "COOK BUSY"
            head.add(f" {what} {ms_text(seconds):>7} ", self.style(f"alarm-badge--{level}"))
            who = f"{held.ticket} {held.label}"
            if len(who) < head.room:
                head.add(f" {who}", self.style(f"alarm--{level}"))
            else:  # a narrow lane: the ticket that holds it on a line of its own
                named = [self._text(fit(f"   {who}", width), width, f"alarm--{level}")]
        else:
            head.add(self._worker_status(worker), self.style("kitchen--dim"))
        mine = chain(board.working.values(), board.ready.values())
        tickets = [ticket for ticket in mine if ticket.worker == worker]
        room = rows - 1 - len(named)
        chips = self.chip_grid(tickets, len(tickets), width, room) if tickets else []
        return [head.strip(), *named, *chips]

    def _worker_status(self, worker: int) -> str:
        board = self.scene.board
        lanes = (board.working, board.ready, board.shelf)
        seated = [t for lane in lanes for t in lane.values() if t.worker == worker]
        if board.mode == "async":
            ready = sum(1 for t in board.ready.values() if t.worker == worker)
            return f"loop free {self._dot()} {ready} ready"
        if board.mode == "threads":
            cooks = int(board.settings.get("cooks", 0))
            return f"{len(seated)} of {counted(cooks, 'cook')} busy"
        return "cook busy" if seated else "cook idle"

    # -- a step holds everyone ----------------------------------------------------------------

    def _held_lines(self, held: HeldStep, width: int) -> list[Strip]:
        seconds = self.scene.age(held.started)
        level = stall_level(seconds)
        what = "LOOP HELD" if held.where == "loop" else "COOK BUSY"
        head = self.line(width)
        head.add(f" {what} {ms_text(seconds):>7} ", self.style(f"alarm-badge--{level}"))
        caption = ALARM_CAPTIONS[level]
        if len(caption) < head.room:  # narrow: the time and the colour tell the level
            head.add(f" {caption}", self.style(f"alarm--{level}"))
        who = self.line(width)
        who.add(held.ticket, self.style("kitchen--strong"))
        who.add(f" {held.dish}", self.style("kitchen--dim"))
        who.add(f" {self._dot()} {held.label}", self.style("kitchen--accent"))
        why = _WHY.get((held.where, held.kind), f"a {held.kind} step holds the {held.where}")
        lines = [head.strip(), who.strip()]
        lines += [self._text(text, width, "kitchen--dim") for text in wrap(why, width)]
        lines += [self._text(text, width, "kitchen--strong") for text in self._stuck(width)]
        return lines

    def _stuck(self, width: int) -> list[str]:
        board = self.scene.board
        parts = [f"{len(board.front_desk)} at the front desk", f"{len(board.ready)} ready"]
        if board.mode == "async":
            parts.append(f"{len(board.rail)} on the rail")
        return wrap("stuck behind it: " + ", ".join(parts), width)

    # -- nobody holds everyone ------------------------------------------------------------------

    def _status_lines(self, width: int) -> list[Strip]:
        board = self.scene.board
        line = self.line(width)
        if board.mode == "threads":
            cooks = int(board.settings.get("cooks", 0))
            busy = f"{board.cooks_busy} of {counted(cooks, 'cook')} busy"
            line.add(busy, self.style("kitchen--strong"))
        elif board.mode == "async":
            sliced = sum(1 for ticket in board.working.values() if ticket.state == "slices")
            if sliced:  # held a slice at a time: free between slices, never for long
                line.add("loop shared", self.style("ticket--slices"))
                extras = [f"{sliced} in slices", f"{len(board.ready)} ready"]
            else:
                line.add("loop free", self.style("ticket--served"))
                extras = [f"{len(board.ready)} ready"]
            for extra in extras:  # whole words or none: a narrow lane drops the last
                if len(extra) + 3 <= line.room:
                    line.add(f" {self._dot()} {extra}", self.style("kitchen--dim"))
        else:
            busy = "cook busy" if board.working else "cook idle"
            line.add(busy, self.style("kitchen--strong"))
        return [line.strip()]

    def _busy_tickets(self, room: int, width: int) -> list[Strip]:
        board = self.scene.board
        if room <= 0:
            return []
        total = len(board.working) + len(board.ready)
        tickets = list(islice(chain(board.working.values(), board.ready.values()), room * width))
        return self.chip_grid(tickets, total, width, min(room, total)) if total else []

    # -- after a hold: its victims ----------------------------------------------------------------

    def _report_lines(self, report: Hold | None, width: int) -> list[Strip]:
        if report is None:
            return []
        held = report.held
        verb = "held the loop" if held.where == "loop" else "held the cook"
        # The costliest stall (the most waiting it caused) stays until one that cost as much
        # or more; until some stall kept a ticket waiting, the latest one shows. Not "worst":
        # the stats' "longest" may be another stall, longer but cheaper.
        label = "costliest stall " if report.victims else "last stall "
        if held.mode and held.mode != self.scene.board.mode:  # a mode switch: a new kitchen
            label = f"earlier {held.mode} kitchen's {label}"
        where = f"w{held.worker}: " if held.worker is not None else ""
        what = f"{where}{held.ticket} {verb} {ms_text(report.seconds)}"
        delayed = counted(report.victims, "ticket")
        body = f"it delayed {delayed}, {seconds_text(report.delay_s)} in total"
        alarm = f"alarm--{report.level}"
        if len(label) + len(what) <= width:
            head = self.line(width).add(label, self.style("kitchen--dim"))
            lines = [head.add(what, self.style(alarm)).strip()]
        else:  # a narrow lane (a race's half): the label on a line of its own, words wrapped
            figure = ms_text(report.seconds)
            kept = what.replace(figure, figure.replace(" ", "\u00a0"))  # "2.00 s" stays whole
            texts = [*wrap(label.strip(), width), *wrap(kept, width)]
            lines = [self._text(text, width, alarm) for text in texts]
        return lines + [self._text(text, width, "kitchen--strong") for text in wrap(body, width)]

    def _text(self, text: str, width: int, style: str) -> Strip:
        return self.line(width).add(text, self.style(style)).strip()

    def _dot(self) -> str:
        return "-" if self.scene.ascii else "·"
