"""A handler's steps: a dish cooked for one ticket, every step timed and told to the stream."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import anyio
from anyio import from_thread

from kitchen_tui.kitchen.cpu import burn_cpu
from kitchen_tui.kitchen.deadline import RanOn, WorkerKilled
from kitchen_tui.kitchen.remedy_steps import Jobs, OnThread, in_slices
from kitchen_tui.protocol.events import stall_level

if TYPE_CHECKING:
    from collections.abc import Callable

    from anyio.abc import TaskGroup
    from anyio.lowlevel import EventLoopToken

    from kitchen_tui.kitchen.clock import StoryClock
    from kitchen_tui.kitchen.events import Emitter
    from kitchen_tui.kitchen.frontdesk import FrontDesk, Ticket
    from kitchen_tui.kitchen.prepshelf import PrepShelf
    from kitchen_tui.kitchen.rail import Rail
    from kitchen_tui.protocol.menu import Dish, Step


class StepFailed(Exception):
    """A step of the dish raised: the order fails, the kitchen serves on."""


class OrderCancelled(Exception):
    """A reset or shutdown reached a ticket that a cook thread was working on."""


class StepRunner:
    """A request handler's body: it awaits I/O, computes or blocks, step by step, as an
    `async def` handler on the loop or a plain `def` on a cook thread would."""

    def __init__(
        self, clock: StoryClock, emitter: Emitter, desk: FrontDesk, rail: Rail, shelf: PrepShelf
    ) -> None:
        self.clock = clock
        self.emitter = emitter
        self.desk = desk
        self.rail = rail
        self.shelf = shelf
        self.token: EventLoopToken | None = None  # the loop's, once it runs
        self.service: TaskGroup | None = None  # the tickets' task group: a reset cancels it
        self.loop_busy_s = 0.0  # real seconds steps held the loop, since the start
        self.threads = OnThread(self)
        self.jobs = Jobs(self)

    async def cook_on_loop(self, ticket: Ticket, dish: Dish) -> None:
        """An `async def` handler: waits are awaited; cpu and blocking steps hold the loop,
        unless the ticket's remedies serve them another way."""
        try:
            for i, step in enumerate(dish.steps):
                real = step.seconds / self.clock.speed
                how = _served_on_loop(ticket, step)
                if how == "rail":  # I/O awaited, or the blocking call's async client
                    start = self.started(ticket, i, step, "rail")
                    self.desk.let_go(start)
                    await self.rail.wait(real)
                    self.finished(ticket, i, step, "rail", start, real)
                elif how == "shelf":
                    start = self.started(ticket, i, step, "shelf")
                    self.desk.let_go(start)
                    cpu_s, shelf_s = await self._on_shelf(ticket, i, real)
                    self.finished(ticket, i, step, "shelf", start, real, cpu_s, shelf_s)
                elif how == "job":
                    self.jobs.hand_in(ticket, i, step, real)
                elif how == "slices":
                    await in_slices(self, ticket, i, step, real)
                elif how == "thread":
                    await self.threads.run(ticket, i, step, real)
                else:
                    start = self.started(ticket, i, step, "loop")
                    self.desk.hold(start)  # arrivals wait at the desk until the loop is free
                    burned = self.block_this_thread(ticket, step, real)
                    self.finished(ticket, i, step, "loop", start, real, burned)
        finally:
            now = time.perf_counter()
            self.desk.let_go(now)
            cut_short(ticket, now)

    def cook_on_thread(self, ticket: Ticket, dish: Dish) -> None:
        """A plain `def` handler on a cook thread: every step blocks this thread until done."""
        try:
            self._steps_on_thread(ticket, dish)
        finally:
            cut_short(ticket, time.perf_counter())
        if ticket.mode == "threads" and time.perf_counter() >= ticket.deadline_at:
            # The route's answer goes back through the loop, where the cancel waits for it.
            ticket.where = "cook"
            raise RanOn("the deadline passed while its cook worked: the answer is thrown away")

    def _steps_on_thread(self, ticket: Ticket, dish: Dish) -> None:
        for i, step in enumerate(dish.steps):
            real = step.seconds / self.clock.speed
            if step.kind == "cpu" and ticket.cpu_fix == "job":
                from_thread.run_sync(self.jobs.hand_in, ticket, i, step, real, token=self.token)
            elif step.kind == "cpu" and ticket.prep_shelf:
                start = self.started(ticket, i, step, "shelf")
                cpu_s, shelf_s = from_thread.run(
                    self._shelf_for_thread, ticket, i, real, token=self.token
                )
                self.finished(ticket, i, step, "shelf", start, real, cpu_s, shelf_s)
            else:
                start = self.started(ticket, i, step, "cook")
                burned = self.block_this_thread(ticket, step, real)
                self.finished(ticket, i, step, "cook", start, real, burned)

    @staticmethod
    def check_cancel(ticket: Ticket) -> None:
        if ticket.cancel.is_set():
            raise OrderCancelled

    @staticmethod
    def block_this_thread(
        ticket: Ticket, step: Step, real: float, progress: Callable[[float], None] | None = None
    ) -> float | None:
        """Run a step on the calling thread; the CPU seconds it burned (cpu steps)."""
        kill_at = ticket.kill_at  # a sync worker's --timeout; inf elsewhere
        if step.kind == "cpu":
            cpu_s: float | None = burn_cpu(real, ticket.cancel, kill_at, progress)
        else:
            # time.sleep, or blocking I/O: the thread does nothing else until it returns.
            ticket.cancel.wait(min(real, kill_at - time.perf_counter()))
            cpu_s = None
        StepRunner.check_cancel(ticket)
        if time.perf_counter() >= kill_at:
            raise WorkerKilled("killed at the deadline, as gunicorn's --timeout kills a worker")
        return cpu_s

    async def _shelf_for_thread(self, ticket: Ticket, i: int, real: float) -> tuple[float, float]:
        """A cook thread's shelf job, run inside the service, so that a reset cancels it."""
        result: list[tuple[float, float]] = []
        finished = anyio.Event()

        async def job() -> None:
            try:
                result.append(await self._on_shelf(ticket, i, real))
            finally:
                finished.set()

        assert self.service is not None
        self.service.start_soon(job)
        with anyio.move_on_after(ticket.kill_at - time.perf_counter()):  # sync's --timeout
            await finished.wait()
        if not finished.is_set():  # the worker is killed; its shelf job runs to its end
            raise WorkerKilled("killed at the deadline while its shelf job ran")
        if not result:
            raise OrderCancelled
        return result[0]

    async def _on_shelf(self, ticket: Ticket, i: int, real: float) -> tuple[float, float]:
        marks: dict[str, float] = {"asked": time.perf_counter()}

        def moved(kind: str, slot: int, t: float, pid: int) -> None:
            marks[kind] = t
            # How long it queued for a free worker: the model queues it itself.
            extra = {"waited_s": t - marks["asked"]} if kind == "shelf_in" else {}
            self.emitter.emit(kind, t=t, id=ticket.id, n=ticket.n, i=i, slot=slot, pid=pid, **extra)

        cpu_s, _pid = await self.shelf.cook(real, moved)
        return cpu_s, marks["shelf_out"] - marks["shelf_in"]

    # -- what each step tells the stream ----------------------------------------------------

    def started(self, ticket: Ticket, i: int, step: Step, where: str) -> float:
        start = time.perf_counter()
        ticket.step_start, ticket.where = start, where
        self.emitter.put(_step_event("step_started", start, ticket, i, step, where))
        return start

    def finished(
        self,
        ticket: Ticket,
        i: int,
        step: Step,
        where: str,
        start: float,
        real: float,
        cpu_s: float | None = None,
        shelf_s: float | None = None,
        waited_s: float = 0.0,
    ) -> None:
        """Time the step and tell the stream; a step's error fails its order (a job's fails
        the job, which reports it)."""
        end = time.perf_counter()
        measured = end - start
        ticket.step_start, ticket.where = None, "ready"
        if end > ticket.gone_at:
            credit_waste(ticket, start, end)
        _credit(ticket, step, where, measured - waited_s, real, cpu_s, shelf_s)
        story_s = self.clock.span(start, end)
        event = _step_event("step_finished", end, ticket, i, step, where)
        event["measured_s"] = measured
        event["story_s"] = story_s
        event["cpu_s"] = cpu_s
        event["shelf_s"] = shelf_s
        self.emitter.put(event)
        if where == "loop":
            self.loop_busy_s += measured
            self.emitter.emit(
                "stall",
                t=end,
                id=ticket.id,
                n=ticket.n,
                i=i,
                kind=step.kind,
                label=step.label,
                seconds=measured,
                story_s=story_s,
                level=stall_level(measured),
            )
        if step.error is not None and where != "job":
            raise StepFailed(f"{step.label}: {step.error}")


def cut_short(ticket: Ticket, now: float) -> None:
    """A step that a cancel, a kill or an error ended before `finished`: its waste counts."""
    if ticket.step_start is not None:
        credit_waste(ticket, ticket.step_start, now)
        ticket.step_start = None


def credit_waste(ticket: Ticket, start: float, end: float) -> None:
    """Step time after the customer walked out, and after nobody waited any more (the customer
    gone or the deadline passed): work for nobody."""
    if end > ticket.leaves_at:
        ticket.wasted_left += end - max(start, ticket.leaves_at)
    if end > ticket.gone_at:
        ticket.wasted += end - max(start, ticket.gone_at)


def _credit(
    ticket: Ticket,
    step: Step,
    where: str,
    measured: float,
    real: float,
    cpu_s: float | None,
    shelf_s: float | None,
) -> None:
    """Credit a step's time to where it went; whatever is left over counts as ready."""
    if where == "shelf":
        ticket.parts["shelf"] += shelf_s or 0.0
    elif where == "job":
        return
    elif step.kind == "wait" or where == "rail" or (where == "thread" and step.kind == "blocking"):
        # I/O, wherever it waits: on the rail, or on the cook's own thread in sync and threads
        ticket.parts["rail"] += min(measured, real)
    elif step.kind == "cpu":
        ticket.parts["cook"] += min(measured, cpu_s or 0.0)
    else:
        ticket.parts["cook"] += measured


def _step_event(
    event_type: str, t: float, ticket: Ticket, i: int, step: Step, where: str
) -> dict[str, Any]:
    return {
        "type": event_type,
        "t": t,
        "id": ticket.id,
        "n": ticket.n,
        "i": i,
        "kind": step.kind,
        "label": step.label,
        "where": where,
        "nominal_s": step.seconds,
    }


def _served_on_loop(ticket: Ticket, step: Step) -> str:
    """Where an `async def` handler's step runs, under the remedies the ticket was seated with."""
    if step.kind == "wait":
        return "rail"
    if step.kind == "blocking":
        return {"await": "rail", "to_thread": "thread"}.get(ticket.blocking_fix, "loop")
    fixes = {"prep_shelf": "shelf", "job": "job", "checkpoints": "slices", "to_thread": "thread"}
    return fixes.get(ticket.cpu_fix, "loop")
