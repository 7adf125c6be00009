"""The prep shelf: one slot per worker process, and the CPU steps waiting for a free one."""

from __future__ import annotations

from collections.abc import Hashable

from textual.strip import Strip

from kitchen_tui.stream.remedy_account import Job
from kitchen_tui.stream.tickets import Ticket
from kitchen_tui.ui.glyphs import counted
from kitchen_tui.ui.scene import Scene
from kitchen_tui.ui.strips import fit, wrap
from kitchen_tui.ui.widgets.kitchen_view import KitchenView


class PrepShelf(KitchenView):
    """Worker slots with the ticket each one cooks, and how long it has been at it."""

    def __init__(self, scene: Scene, *, id: str | None = None) -> None:
        super().__init__(scene, id=id, classes="lane")
        self.border_title = "prep shelf"

    def view_key(self) -> Hashable:
        board = self.scene.board
        jobs = tuple((job.job, job.state) for job in self._open_jobs())
        live = self.live_slot() if board.shelf or jobs else None
        return board.versions["shelf"], board.versions["header"], live, jobs

    def titles(self) -> tuple[str, str]:
        on = self._on()
        each = " each" if self.scene.board.workers > 1 else ""  # a shelf per worker process
        return "prep shelf", f"on, {counted(self._workers(), 'worker')}{each}" if on else "off"

    def _on(self) -> bool:
        """Open for the prep shelf, or for jobs (fix_cpu = "job" hands its work to it)."""
        settings = self.scene.board.settings
        return bool(settings.get("prep_shelf")) or settings.get("fix_cpu") == "job"

    def _open_jobs(self) -> list[Job]:
        return [job for job in self.scene.board.ledger.remedies.jobs.values() if job.done is None]

    def _workers(self) -> int:
        return self.scene.board.shelf_workers

    def build(self, width: int, height: int) -> list[Strip]:
        board = self.scene.board
        on = self._on()
        jobs = self._open_jobs()
        if not on and not board.shelf and not jobs:
            hint = "off: CPU steps run on the cook or the loop. Press p to open it."
            dim = self.style("kitchen--dim")
            return [self.line(width).add(text, dim).strip() for text in wrap(hint, width)][:height]
        waiting = [ticket for ticket in board.shelf.values() if ticket.shelf_slot is None]
        if board.workers > 1:
            lines = self._pool_slots(width, jobs)
        else:
            lines = self._kitchen_slots(width, jobs)
        lines += self._job_lines([job for job in jobs if job.slot is None], width)
        if waiting and len(lines) < height:
            text = f"{len(waiting)} waiting for a worker"
            lines.append(self.line(width).add(fit(text, width), self.style("kitchen--dim")).strip())
            lines += self.chip_grid(waiting, len(waiting), width, height - len(lines))
        return lines[:height]

    def _kitchen_slots(self, width: int, jobs: list[Job]) -> list[Strip]:
        """One kitchen's shelf: a line per shelf worker, idle or with its ticket or job."""
        slots: dict[int, Ticket] = {}
        for ticket in self.scene.board.shelf.values():
            if ticket.shelf_slot is not None:
                slots[ticket.shelf_slot] = ticket
        running = {job.slot: job for job in jobs if job.slot is not None}
        numbers = sorted(set(self._slot_numbers(slots)) | set(running))
        return [self._slot(slot, slots.get(slot), width, running.get(slot)) for slot in numbers]

    def _pool_slots(self, width: int, jobs: list[Job]) -> list[Strip]:
        """Several workers, each with a shelf of its own: the busy shelf workers, named by
        their worker (w2.1), the jobs at work (a job does not say whose), then how many stand
        idle."""
        board = self.scene.board
        busy = sorted(
            (
                (t.worker or 0, t.shelf_slot, t)
                for t in board.shelf.values()
                if t.shelf_slot is not None
            ),
            key=lambda item: (item[0], item[1]),
        )
        lines = []
        for worker, slot, ticket in busy:
            line = self.line(width).add(f"w{worker}.{slot + 1} ", self.style("kitchen--dim"))
            age = self.scene.age(ticket.segments[-1].start if ticket.segments else ticket.arrived)
            self.add_chip(line, ticket, age, width - 5, live=True)
            lines.append(line.strip())
        at_work = [job for job in jobs if job.slot is not None and job.started is not None]
        for job in at_work:
            text = f"{job.job} for {job.order} {self.scene.age(job.started or 0.0):.1f}s"
            lines.append(
                self.line(width).add(fit(text, width), self.style("kitchen--strong")).strip()
            )
        total = self._workers() * len(board.worker_slots)
        idle = f"{max(0, total - len(busy) - len(at_work))} of {total} idle"
        lines.append(self.line(width).add(fit(idle, width), self.style("kitchen--dim")).strip())
        return lines

    def _job_lines(self, jobs: list[Job], width: int) -> list[Strip]:
        """Jobs waiting for a worker: their orders were answered already."""
        dim = self.style("kitchen--dim")
        return [
            self.line(width).add(fit(f"{job.job} for {job.order} queued", width), dim).strip()
            for job in jobs
        ]

    def _slot_numbers(self, busy: dict[int, Ticket]) -> list[int]:
        # Slots are numbered by the kitchen; show every worker even if a number is unexpected.
        return sorted(set(range(self._workers())) | set(busy))

    def _slot(self, slot: int, ticket: Ticket | None, width: int, job: Job | None) -> Strip:
        line = self.line(width)
        line.add(f"{slot + 1:>2} ", self.style("kitchen--dim"))
        if ticket is None and job is not None and job.started is not None:
            # A job of its own: its order was answered when it was handed in.
            text = f"{job.job} for {job.order} {self.scene.age(job.started):.1f}s"
            return line.add(fit(text, width - 3), self.style("kitchen--strong")).strip()
        if ticket is None:
            return line.add("idle", self.style("kitchen--dim")).strip()
        started = ticket.segments[-1].start if ticket.segments else ticket.arrived
        cooking = self.scene.age(started)
        self.add_chip(line, ticket, cooking, width - 3, live=True)
        return line.strip()
