"""What the remedies cost, as the stream tells it: jobs on the prep shelf, to_thread workers and
the limiter's tokens, checkpointed slices, the GIL share a computing thread got. The figures
of CPU steps still at work (cpu_progress) count live, until the step's own end replaces them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kitchen_tui.protocol.events import (
    CpuProgressEvent,
    HeartbeatEvent,
    JobDoneEvent,
    JobInEvent,
    JobQueuedEvent,
    SlicesEvent,
    StepFinishedEvent,
    ThreadInEvent,
    ThreadOutEvent,
)

if TYPE_CHECKING:
    from kitchen_tui.stream.tickets import Ticket


@dataclass
class Job:
    """One job (fix_cpu = "job"): its order was answered; the work goes on on the shelf."""

    job: str
    order: str
    n: int
    queued: float  # real stamps
    started: float | None = None
    slot: int | None = None  # the shelf worker it runs on
    done: float | None = None
    job_latency_s: float | None = None  # story seconds, the order's arrival to the job done
    error: str | None = None

    @property
    def state(self) -> str:
        if self.done is not None:
            return "failed" if self.error else "done"
        return "queued" if self.started is None else "running"


class RemedyAccount:
    """The running figures of every remedy; the ledger feeds it the remedies' events."""

    def __init__(self) -> None:
        self.jobs: dict[str, Job] = {}
        self.threads_running = 0  # to_thread workers at work on a ticket's step
        self.thread_waits: list[float] = []  # real seconds each waited for a token
        self.gil_shares: list[float] = []  # each computing thread's share of the GIL
        self.sliced_steps = 0
        self.slices = 0
        self.longest_slice_s = 0.0
        self.longest_gap_s = 0.0
        self.tokens: tuple[int, int, int] | None = None  # in use, limit, tasks waiting
        # What the last sliced or threaded CPU step paid itself: its wall time past its CPU
        # time, in story seconds.
        self.cpu_extra_s: float | None = None
        self.live: dict[tuple[int, int], CpuProgressEvent] = {}  # (n, i): CPU steps at work

    def jobs_in(self, state: str) -> list[Job]:
        return [job for job in self.jobs.values() if job.state == state]

    @property
    def jobs_open(self) -> int:
        return sum(1 for job in self.jobs.values() if job.done is None)

    def on_job_queued(self, e: JobQueuedEvent) -> None:
        self.jobs[e["job"]] = Job(e["job"], e["id"], e["n"], e["t"])

    def on_job_in(self, e: JobInEvent) -> None:
        job = self.jobs.get(e["job"])
        if job is not None:
            job.started, job.slot = e["t"], e["slot"]

    def on_job_done(self, e: JobDoneEvent, ticket: Ticket | None) -> None:
        """The job is done; its order's ticket (if still kept) learns its job latency."""
        job = self.jobs.get(e["job"])
        if job is not None:
            job.done, job.job_latency_s, job.error = e["t"], e["job_latency_s"], e["error"]
        if ticket is not None:
            ticket.job_latency_s = max(ticket.job_latency_s or 0.0, e["job_latency_s"])

    def on_thread_in(self, e: ThreadInEvent, ticket: Ticket | None) -> None:
        """A worker thread took the step (its ticket got a limiter token)."""
        if ticket is not None:
            ticket.thread_step = e["i"]
        self.threads_running += 1
        self.thread_waits.append(e["waited_s"])

    def on_thread_out(self, e: ThreadOutEvent) -> None:
        self.threads_running = max(0, self.threads_running - 1)
        self.live.pop((e["n"], e["i"]), None)
        if e["gil_share"] is not None:
            self.gil_shares.append(e["gil_share"])

    def on_cpu_progress(self, e: CpuProgressEvent) -> None:
        self.live[(e["n"], e["i"])] = e

    def forget(self, n: int) -> None:
        """Ticket `n` is done (a cancel may end a step without its end events)."""
        for key in [key for key in self.live if key[0] == n]:
            del self.live[key]

    def on_slices(self, e: SlicesEvent) -> None:
        self.live.pop((e["n"], e["i"]), None)  # its totals replace its figures so far
        self.sliced_steps += 1
        self.slices += e["slices"]
        self.longest_slice_s = max(self.longest_slice_s, e["longest_slice_s"])
        self.longest_gap_s = max(self.longest_gap_s, e["longest_gap_s"])

    def on_heartbeat(self, e: HeartbeatEvent) -> None:
        if "thread_tokens" in e:  # not in streams written before the remedies
            self.tokens = (e["thread_tokens"], e["thread_limit"], e["token_waiting"])

    def on_step_finished(self, e: StepFinishedEvent) -> None:
        if e["where"] in ("slices", "thread") and e["cpu_s"] is not None:
            scale = e["story_s"] / e["measured_s"] if e["measured_s"] > 0 else 1.0
            self.cpu_extra_s = max(0.0, e["story_s"] - e["cpu_s"] * scale)

    # -- live figures: the steps done, and those still at work ------------------------------

    def _live(self, where: str) -> list[CpuProgressEvent]:
        return [e for e in self.live.values() if e["where"] == where]

    @property
    def slices_now(self) -> int:
        return self.slices + sum(e["slices"] for e in self._live("slices"))

    @property
    def longest_gap_now_s(self) -> float:
        return max([self.longest_gap_s, *(e["longest_gap_s"] for e in self._live("slices"))])

    @property
    def gil_share_now(self) -> float | None:
        """The computing thread's share of the GIL: the one at work now, else the last one."""
        working = [e["cpu_s"] / e["wall_s"] for e in self._live("thread") if e["wall_s"] > 0]
        if working:
            return min(1.0, working[-1])
        return self.gil_shares[-1] if self.gil_shares else None

    @property
    def cpu_extra_now_s(self) -> float | None:
        """What the CPU step paid beyond its CPU time: the one at work now, else the last."""
        if self.live:
            return list(self.live.values())[-1]["extra_s"]
        return self.cpu_extra_s

    def costs(
        self, fix_blocking: str, fix_cpu: str, tickets: Iterable[Ticket] = (), workers: int = 0
    ) -> str:
        """What the remedies in use cost so far, measured, in a few words (`tickets`: those
        in flight, for the prep shelf's figures; `workers`: the shelf's size)."""
        parts = []
        if "to_thread" in (fix_blocking, fix_cpu) and self.tokens is not None:
            busy, limit, waiting = self.tokens
            parts.append(f"threads {busy}/{limit}, {waiting} waiting for a token")
        share = self.gil_share_now
        if fix_cpu == "to_thread" and share is not None:
            parts.append(f"{'GIL share' if self.live else 'last GIL share'} {share:.0%}")
        if fix_cpu == "checkpoints" and self.slices_now:
            gap = self.longest_gap_now_s * 1000
            parts.append(f"{self.slices_now} slices, longest gap {gap:.1f} ms")
        extra = self.cpu_extra_now_s
        if fix_cpu in ("checkpoints", "to_thread") and extra is not None:
            parts.append(f"the CPU order {'pays' if self.live else 'paid'} +{extra:.3f} s")
        if fix_cpu in ("prep_shelf", "job"):
            busy, queued = self.shelf_use(tickets)
            parts.append(f"shelf {busy}/{workers} busy, {queued} queued")
        if fix_cpu == "job":
            parts.append(f"jobs {self.jobs_open} open")
        return ", ".join(parts)

    def shelf_use(self, tickets: Iterable[Ticket]) -> tuple[int, int]:
        """Shelf workers busy and CPU work waiting for one: tickets' shelf steps and jobs."""
        on_shelf = [t for t in tickets if t.state == "shelf"]
        busy = sum(1 for t in on_shelf if t.shelf_slot is not None)
        busy += len(self.jobs_in("running"))
        queued = sum(1 for t in on_shelf if t.shelf_slot is None) + len(self.jobs_in("queued"))
        return busy, queued

    def summary(self, speed: float) -> dict[str, object]:
        """The remedies' prices over a run, in story seconds, for the report."""
        done = [j.job_latency_s for j in self.jobs.values() if j.job_latency_s is not None]
        return {
            "to_thread_calls": len(self.thread_waits),
            "longest_token_wait_s": max(self.thread_waits, default=0.0) * speed,
            "gil_share": min(self.gil_shares) if self.gil_shares else None,
            "sliced_steps": self.sliced_steps,
            "slices": self.slices,
            "longest_slice_s": self.longest_slice_s * speed,
            "longest_gap_s": self.longest_gap_s * speed,
            "jobs": len(self.jobs),
            "jobs_failed": len(self.jobs_in("failed")),
            "longest_job_s": max(done, default=None),
        }

    def reset(self, t: float) -> None:
        """A reset cancelled every job in flight with its service."""
        for job in self.jobs.values():
            if job.done is None:
                job.done, job.error = t, "cancelled by reset"
        self.threads_running = 0
        self.live.clear()
