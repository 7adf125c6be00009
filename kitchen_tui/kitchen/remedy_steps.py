"""The remedies' code paths: a step on a to_thread worker, CPU work in checkpointed slices, and
CPU work handed to the prep shelf as a job that the answer does not wait for."""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

import anyio
import anyio.lowlevel
import anyio.to_thread

from kitchen_tui.kitchen.cpu import PROGRESS_S, burn_cpu
from kitchen_tui.protocol.settings import CHECKPOINT_SLICE_S, KitchenSettings

_WARM_S = 0.5  # the longest a warming call holds its thread, waiting for the others

if TYPE_CHECKING:
    from kitchen_tui.kitchen.frontdesk import Ticket
    from kitchen_tui.kitchen.steps import StepRunner
    from kitchen_tui.protocol.menu import Step


class OnThread:
    """`anyio.to_thread.run_sync` behind anyio's own default limiter (40 tokens a loop): a
    blocking call or CPU work on a worker thread, while the ticket awaits it on the loop."""

    def __init__(self, runner: StepRunner) -> None:
        self.runner = runner

    @staticmethod
    def tokens() -> dict[str, int]:
        """The limiter as it stands: tokens in use, its size, tasks waiting for a token."""
        limiter = anyio.to_thread.current_default_thread_limiter()
        return {
            "thread_tokens": limiter.borrowed_tokens,
            "thread_limit": int(limiter.total_tokens),
            "token_waiting": limiter.statistics().tasks_waiting,
        }

    async def warm_up(self, settings: KitchenSettings) -> None:
        """Start the limiter's worker threads before the first order needs one, as a server's
        pool is after its first requests: spawning 40 cold took 28 ms for the last one. anyio
        retires a worker idle for 10 s, so a quiet kitchen cools down again, as real ones do."""
        if "to_thread" not in (settings.blocking_fix, settings.cpu_fix):
            return
        limit = int(anyio.to_thread.current_default_thread_limiter().total_tokens)
        spawned = threading.Event()  # each call holds its thread until all are spawned
        async with anyio.create_task_group() as warm:
            for _ in range(limit):  # held together, so that each gets a thread of its own
                warm.start_soon(partial(anyio.to_thread.run_sync, spawned.wait, _WARM_S))
                # A thread's start costs the loop about a millisecond: orders go between.
                await anyio.lowlevel.checkpoint()
            spawned.set()

    async def run(self, ticket: Ticket, i: int, step: Step, real: float) -> None:
        runner = self.runner
        start = runner.started(ticket, i, step, "thread")
        runner.desk.let_go(start)
        began: list[float] = []

        def told(cpu_s: float) -> None:  # on the worker, while it computes
            t = time.perf_counter()
            runner.emitter.put(_progress(runner, ticket, i, "thread", t, began[0], cpu_s))

        def on_worker() -> float | None:
            began.append(time.perf_counter())
            waited = began[0] - start
            runner.emitter.put(_moved("thread_in", began[0], ticket, i, waited_s=waited))
            burned = runner.block_this_thread(ticket, step, real, told)
            began.append(time.perf_counter())  # the thread's own end, before the loop hears
            return burned

        # anyio's default, abandon_on_cancel=False: a cancel (a deadline) waits for the thread,
        # which cannot be stopped; a reset's cancel flag makes the worker stop soon.
        burned = await anyio.to_thread.run_sync(on_worker)
        end = began[1]
        ticket.ran_on |= end > ticket.deadline_at
        share = None
        if burned is not None and end > began[0]:
            share = min(1.0, burned / (end - began[0]))  # of the GIL, while it computed
        runner.emitter.put(_moved("thread_out", end, ticket, i, gil_share=share))
        runner.finished(ticket, i, step, "thread", start, real, burned, waited_s=began[0] - start)


async def in_slices(runner: StepRunner, ticket: Ticket, i: int, step: Step, real: float) -> None:
    """The same CPU work on the loop, in slices of CHECKPOINT_SLICE_S with a checkpoint
    between them: other tickets run in the gaps, this one takes a little longer."""
    start = runner.started(ticket, i, step, "slices")
    tally = _Slices(start)
    left = real
    while True:
        began = time.perf_counter()
        runner.desk.hold(began)
        used = burn_cpu(min(CHECKPOINT_SLICE_S, left), ticket.cancel)
        end = time.perf_counter()
        runner.desk.let_go(end)
        others = runner.loop_busy_s  # what other steps held the loop since the last slice
        runner.loop_busy_s += end - began  # each slice at once: the heartbeat's busy is live
        tally.add(began, end, used, others, runner.loop_busy_s)
        left -= used
        runner.check_cancel(ticket)
        if left <= 0:
            break
        if end - tally.told >= PROGRESS_S:
            tally.told = end
            runner.emitter.put(
                _progress(runner, ticket, i, "slices", end, start, tally.burned, tally)
            )
        await anyio.lowlevel.checkpoint()
    runner.emitter.put(
        _moved(
            "slices", tally.last_end, ticket, i, slices=tally.count,
            longest_slice_s=tally.longest, longest_gap_s=tally.gap, held_s=tally.held,
            turns_s=tally.turns,
        )
    )  # fmt: skip
    runner.finished(ticket, i, step, "slices", start, real, tally.burned)


@dataclass
class _Slices:
    """Checkpointed work's figures so far: its slices, their time on the loop, the gaps."""

    start: float
    count: int = 0
    burned: float = 0.0  # CPU seconds
    held: float = 0.0  # real seconds the slices held the loop
    longest: float = 0.0
    gap: float = 0.0  # the longest the other tickets had between two slices
    last_end: float = 0.0
    # The loop's own time between slices: each gap less what other steps held the loop in it
    # (the select call, timers, other tasks' turns that hold nothing for long).
    turns: float = 0.0
    busy_mark: float = 0.0  # the loop's busy seconds when the last slice ended
    told: float = field(init=False)  # the last progress event's stamp

    def __post_init__(self) -> None:
        self.told = self.start

    def add(self, began: float, end: float, used: float, busy_before: float, busy: float) -> None:
        """A slice from `began` to `end` burned `used`; the loop's busy seconds were
        `busy_before` at its end without it, `busy` with it."""
        if self.count:
            self.gap = max(self.gap, began - self.last_end)
            self.turns += max(0.0, began - self.last_end - (busy_before - self.busy_mark))
        self.busy_mark = busy
        self.count += 1
        self.burned += used
        self.held += end - began
        self.longest = max(self.longest, end - began)
        self.last_end = end


def _progress(
    runner: StepRunner,
    ticket: Ticket,
    i: int,
    where: str,
    t: float,
    began: float,
    cpu_s: float,
    sliced: _Slices | None = None,
) -> dict[str, Any]:
    """A cpu_progress event: what the step has burned and paid since `began`, so far."""
    wall = t - began
    extra = runner.clock.span(began, t) * (1 - cpu_s / wall) if wall > 0 else 0.0
    return _moved(
        "cpu_progress", t, ticket, i, where=where, cpu_s=cpu_s, wall_s=wall,
        extra_s=max(0.0, extra), slices=sliced.count if sliced else 0,
        longest_gap_s=sliced.gap if sliced else 0.0,
    )  # fmt: skip


class Jobs:
    """The lesson's job id: the handler hands its CPU work to the prep shelf and answers at
    once; the job runs in the service (a reset cancels it) and reports when it is done."""

    def __init__(self, runner: StepRunner) -> None:
        self.runner = runner
        self._numbers = itertools.count(1)
        self.open = 0  # handed in, not done
        self.queued = 0  # handed in, waiting for a free worker

    def hand_in(self, ticket: Ticket, i: int, step: Step, real: float) -> None:
        """On the loop: the step itself is the hand-off; the job goes on in its own task."""
        runner = self.runner
        start = runner.started(ticket, i, step, "job")
        job = f"job-{next(self._numbers)}"
        self.open += 1
        self.queued += 1
        runner.emitter.put(_moved("job_queued", start, ticket, i, job=job, nominal_s=step.seconds))
        assert runner.service is not None
        runner.service.start_soon(self._cook, ticket, i, step, real, job, name=job)
        runner.finished(ticket, i, step, "job", start, real)

    async def _cook(self, ticket: Ticket, i: int, step: Step, real: float, job: str) -> None:
        runner = self.runner
        marks: dict[str, float] = {}

        def moved(kind: str, slot: int, t: float, pid: int) -> None:
            marks[kind] = t
            if kind == "shelf_in":
                self.queued -= 1
                runner.emitter.put(_moved("job_in", t, ticket, i, job=job, slot=slot))

        try:
            cpu_s, pid = await runner.shelf.cook(real, moved)
        finally:
            self.open -= 1
            if "shelf_in" not in marks:
                self.queued -= 1
        done = time.perf_counter()
        runner.emitter.put(
            _moved(
                "job_done", done, ticket, i, job=job, pid=pid, cpu_s=cpu_s,
                job_latency_s=runner.clock.span(ticket.arrival, done),
                error=None if step.error is None else f"{step.label}: {step.error}",
            )
        )  # fmt: skip


def _moved(kind: str, t: float, ticket: Ticket, i: int, **extra: Any) -> dict[str, Any]:
    return {"type": kind, "t": t, "id": ticket.id, "n": ticket.n, "i": i, **extra}
