"""The served strip: the latest tickets out of the kitchen, newest first, with their latency."""

from __future__ import annotations

from collections.abc import Hashable
from itertools import islice

from rich.style import Style
from textual.strip import Strip

from kitchen_tui.stream.remedy_account import Job
from kitchen_tui.ui.glyphs import seconds_text, state_look
from kitchen_tui.ui.scene import Scene
from kitchen_tui.ui.strips import LineBuilder, fit
from kitchen_tui.ui.widgets.kitchen_view import CHIP_WITH_DISH, KitchenView


class ServedStrip(KitchenView):
    """Done tickets across the width: served (with latency), failed, 86'd, timed out (T/O), or
    answered after the customer walked out (W/O); and jobs done (fix_cpu = "job"), each once its
    job is done, with its job latency (its order's arrival to the job done), beside its order's
    quick answer."""

    def __init__(self, scene: Scene, *, id: str | None = None) -> None:
        super().__init__(scene, id=id, classes="lane")
        self.border_title = "served"

    def view_key(self) -> Hashable:
        return self.scene.board.versions["served"]

    def titles(self) -> tuple[str, str]:
        ledger = self.scene.board.ledger
        lost = ledger.giving_up
        gave_up = f"  walked out {lost.walked_out}" * bool(lost.walked_out)
        gave_up += f"  timed out {lost.timed_out}" * bool(lost.timed_out)
        jobs = ledger.remedies.jobs
        done = sum(1 for job in jobs.values() if job.done is not None)
        gave_up += f"  jobs done {done}/{len(jobs)}" * bool(jobs)
        return f"served {ledger.served}  86'd {ledger.refused}  failed {ledger.failed}{gave_up}", ""

    def build(self, width: int, height: int) -> list[Strip]:
        board = self.scene.board
        if not board.out:
            hint = "served tickets leave here, with the latency each customer felt"
            return [self.line(width).add(hint, self.style("kitchen--dim")).strip()]
        per_line = max(1, width // (CHIP_WITH_DISH + 1))
        cell = width // per_line
        newest = list(islice(reversed(board.out), per_line * height))
        lines = []
        for row in range(height):
            line = self.line(width)
            for column, entry in enumerate(newest[row * per_line : (row + 1) * per_line]):
                line.pad_to(column * cell)
                if isinstance(entry, Job):
                    self._add_job(line, entry, cell - 1)
                else:
                    self.add_chip(line, entry, entry.latency_s, cell - 1)
            lines.append(line.strip())
        return lines

    def _add_job(self, line: LineBuilder, job: Job, width: int) -> None:
        """A job done: its badge, its id, its order, and its job latency."""
        state = "failed" if job.error else "served"
        look = state_look(state)
        start = line.used
        line.add(f"{self.glyph(state):^3}", self.style(f"badge--{look.name}"))
        line.add(" " + fit(job.job, 6), self.style(f"ticket--{look.name}") + Style(bold=True))
        time_text = seconds_text(job.job_latency_s)
        room = width - (line.used - start) - len(time_text) - 2
        if room >= 4:
            line.add(" " + fit(f"for {job.order}", room), self.style("kitchen--dim"))
        line.pad_to(start + width - len(time_text))
        line.add(time_text, self.style(f"ticket--{look.name}"))
