"""The stats panel: counts, latency percentiles per dish, who is busy, stall time, throughput.

Counts come straight from the ledger, as the served strip's do; stalls from the ledger's holds,
as the line cook lane's do; latencies are those of the kitchen's current setting only.
"""

from __future__ import annotations

from collections.abc import Hashable

from textual.strip import Strip

from kitchen_tui.stream.ledger import Ledger
from kitchen_tui.stream.pool_account import WorkerState
from kitchen_tui.ui.glyphs import counted, ms_text, seconds_text
from kitchen_tui.ui.scene import Scene
from kitchen_tui.ui.strips import fit
from kitchen_tui.ui.widgets.kitchen_view import KitchenView

REFRESH_HZ = 4  # numbers that change 30 times a second cannot be read anyway


class StatsPanel(KitchenView):
    """Everything measured so far, from the kitchen's own events (nothing is estimated)."""

    def __init__(self, scene: Scene, *, id: str | None = None) -> None:
        super().__init__(scene, id=id, classes="panel")
        self.border_title = "stats"
        self._seen = -1
        self._slot = -1

    def view_key(self) -> Hashable:
        board = self.scene.board
        version = board.versions["stats"]
        slot = int(self.scene.now * REFRESH_HZ)
        if version != self._seen and (slot != self._slot or self.scene.paused):
            self._seen, self._slot = version, slot
        ledger = board.ledger
        # Counts change together with the lanes and the served strip: never behind them.
        lost = ledger.giving_up
        gave_up = (lost.walked_out, lost.timed_out, lost.uneaten)
        counts = (ledger.served, ledger.failed, ledger.refused, board.in_flight, gave_up)
        # The stall going on counts in the stall time, redrawn on every frame as the line cook's
        # counter is: at 4 Hz the stats read "stalls 935 ms" beside "COOK BUSY 1.18 s".
        held = self.scene.now if board.held is not None else None
        loop = self.scene.history.latest  # the loop's busy share is the queueing figures' own
        return self._seen, counts, held, id(board), id(loop) if board.mode == "async" else None

    def build(self, width: int, height: int) -> list[Strip]:
        lines = self._counts(width)
        lines += self._kitchen_lines(width, height - len(lines))
        dishes = len(
            self.scene.board.ledger.latencies_by_setting.get(self.scene.board.ledger.setting, {})
        )
        if height - len(lines) > 1 + max(1, dishes):  # the table's rows before a blank line
            lines.append(self.line(width).strip())
        lines += self._dish_table(width, height - len(lines))
        return lines[:height]

    def _counts(self, width: int) -> list[Strip]:
        board = self.scene.board
        ledger = board.ledger
        lines = [
            self.pair(width, ("served", str(ledger.served)), ("in flight", str(board.in_flight))),
            self.pair(width, ("86'd", str(ledger.refused)), ("failed", str(ledger.failed))),
        ]
        lost = ledger.giving_up
        settings = board.settings
        if (
            lost.walked_out
            or lost.timed_out
            or settings.get("patience")
            or settings.get("deadline")
        ):
            walked, timed = ("walked out", str(lost.walked_out)), ("timed out", str(lost.timed_out))
            wasted = ("wasted", seconds_text(lost.wasted_s))
            ran_on = ("ran on", str(lost.threads_ran_on))
            lines += [self.pair(width, walked, timed), self.pair(width, wasted, ran_on)]
        return lines

    def _kitchen_lines(self, width: int, room: int) -> list[Strip]:
        board = self.scene.board
        ledger = board.ledger
        now = self.scene.now
        every = ledger.pool.every_holds  # one kitchen's holds, and each worker's
        stalled = ms_text(sum(holds.held_so_far(now) for holds in every))
        each = [s for s in (holds.longest(now) for holds in every) if s is not None]
        longest = max(each) if each else None
        lines = [
            self.pair(width, self._busy(), ("stalls", stalled)),
            self.pair(
                width,
                ("served/s", rate_text(ledger.throughput())),
                ("longest", "-" if longest is None else ms_text(longest)),
            ),
        ]
        for text in _stream_notes(ledger):
            lines.append(self._text(fit(text, width), width, "alarm--2"))
        if ledger.malformed:
            text = f"{counted(ledger.malformed, 'unreadable line')} skipped"
            lines.append(self._text(fit(text, width), width, "alarm--2"))
        return lines + self._worker_lines(width, room - len(lines))

    def _worker_lines(self, width: int, room: int) -> list[Strip]:
        """With several workers, a line each: what it served and failed, and its tickets open
        (in flight: not "holds", which a learner read as its stalls). Past the room, a down
        worker keeps its line and the last says what the others hidden did, together."""
        board = self.scene.board
        lines = []
        lanes = (board.working, board.ready, board.rail, board.shelf)
        workers = sorted(board.ledger.pool.workers.items())
        retired = board.ledger.pool.retired
        room -= bool(retired)  # their line comes last
        hidden: list[WorkerState] = []
        if len(workers) > room:  # the down ones first, then by number
            first = sorted(workers, key=lambda item: item[1].alive)[: max(0, room - 1)]
            shown = {worker for worker, _state in first}
            hidden = [state for worker, state in workers if worker not in shown]
            workers = [(worker, state) for worker, state in workers if worker in shown]
        for worker, state in workers:
            holding = sum(1 for lane in lanes for t in lane.values() if t.worker == worker)
            counts = f"served {state.served}, failed {state.failed}"
            if state.alive:
                words, style = f"w{worker} {counts}, open {holding}", "kitchen--strong"
            else:
                words, style = f"w{worker} DOWN, {counts}", "alarm--3"
            lines.append(self._text(fit(words, width), width, style))
        if hidden and room > 0:
            others = f"+{len(hidden)} more" if lines else counted(len(hidden), "worker")
            served, failed = sum(s.served for s in hidden), sum(s.failed for s in hidden)
            down = sum(not state.alive for state in hidden)
            words = f"{others}: served {served}, failed {failed}"
            words += f", {down} DOWN" if down else ""
            style = "alarm--3" if down else "kitchen--dim"
            lines.append(self._text(fit(words, width), width, style))
        if retired and room >= 0:
            served, failed = sum(s.served for s in retired), sum(s.failed for s in retired)
            words = f"{len(retired)} retired: served {served}, failed {failed}"
            lines.append(self._text(fit(words, width), width, "kitchen--dim"))
        return lines

    def _busy(self) -> tuple[str, str]:
        """Who runs handler code, and how busy: the loop (async), the cooks (sync, threads)."""
        board = self.scene.board
        if board.mode == "async":  # the queueing figures' own, over their window
            figures = self.scene.history.latest
            busy = None if figures is None else figures.loop_busy
            return "loop busy", "-" if busy is None else f"{busy * 100:.0f}%"
        cooks = 1 if board.mode == "sync" else int(board.settings.get("cooks", 1))
        return "cooks busy", f"{board.cooks_busy}/{cooks * board.workers}"

    def _dish_table(self, width: int, room: int) -> list[Strip]:
        ledger = self.scene.board.ledger
        setting = ledger.setting
        latencies = ledger.latencies_by_setting.get(setting, {})
        if room <= 0:
            return []
        name_width = max(4, width - 3 * 7)
        title = f"in {setting}"  # the setting these figures were served in
        if len(title) > name_width:  # too long to head the names' column: a line of its own
            lines_above = [self._text(fit(f"served {title}", width), width, "kitchen--dim")]
            title, room = "dish", room - 1
        else:
            lines_above = []
        head = self.line(width).add(f"{title:<{name_width}}", self.style("kitchen--dim"))
        for title in ("p50", "p95", "max"):
            head.add(f"{title:>7}", self.style("kitchen--dim"))
        lines = [head.strip()]
        dishes = sorted(latencies)
        shown = dishes if len(dishes) <= room - 1 else dishes[: max(0, room - 2)]
        for dish in shown:
            sketch = latencies[dish]
            line = self.line(width).add(f"{fit(dish, name_width):<{name_width}}")
            for q in (50, 95, 100):
                line.add(f"{seconds_text(sketch.percentile(q)):>7}", self.style("kitchen--strong"))
            lines.append(line.strip())
        if len(lines) == 1 and not dishes:
            text = fit(f"nothing served in {setting} yet", width)
            lines.append(self._text(text, width, "kitchen--dim"))
        elif len(shown) < len(dishes):  # never drop a dish without saying so
            text = fit(f"+{len(dishes) - len(shown)} more dishes: see report", width)
            lines.append(self._text(text, width, "kitchen--dim"))
        return (lines_above + lines)[: len(lines_above) + room]

    def _text(self, text: str, width: int, style: str) -> Strip:
        return self.line(width).add(text, self.style(style)).strip()


def rate_text(per_second: float) -> str:
    """A rate in at most six characters: 6.2, 661.4, 6614, 66k."""
    rate = max(0.0, per_second)
    if rate < 1000:
        return f"{rate:.1f}"
    if rate < 10_000:
        return f"{rate:.0f}"
    return f"{rate / 1000:.0f}k"


# What each kind of thinned detail is called on screen.
_THINNED_NAMES = {
    "step_started": "step start",
    "step_finished": "step end",
    "shelf_in": "shelf trip in",
    "shelf_out": "shelf trip out",
    "stall": "short stall",
}


def _stream_notes(ledger: Ledger) -> list[str]:
    """What the stream left out: detail thinned under a flood, per kind, and any outcome the
    kitchen counted that never arrived (both nothing unless a reader fell behind)."""
    notes = []
    if ledger.thinned:
        notes.append("thinned (reader too slow):")
        for kind, count in sorted(ledger.thinned.items()):
            name = _THINNED_NAMES.get(kind, kind)
            notes.append(f"  {count:,} {name}{'' if count == 1 else 's'}")
    lost = ledger.reconciler.lost
    if any(lost.values()):
        missing = ", ".join(f"{count:,} {kind}" for kind, count in lost.items() if count)
        notes.append(f"never arrived: {missing}")
    return notes
