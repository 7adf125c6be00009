"""What the remedies cost, as the stream tells it: jobs on the prep shelf, to_thread workers and
the limiter's tokens, checkpointed slices, the GIL share a computing thread got."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from kitchen_tui.protocol.events import (
    HeartbeatEvent,
    JobDoneEvent,
    JobInEvent,
    JobQueuedEvent,
    SlicesEvent,
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
            job.started = e["t"]

    def on_job_done(self, e: JobDoneEvent, ticket: Ticket | None) -> None:
        """The job is done; its order's ticket (if still kept) learns its job latency."""
        job = self.jobs.get(e["job"])
        if job is not None:
            job.done, job.job_latency_s, job.error = e["t"], e["job_latency_s"], e["error"]
        if ticket is not None:
            ticket.job_latency_s = max(ticket.job_latency_s or 0.0, e["job_latency_s"])

    def on_thread_in(self, e: ThreadInEvent) -> None:
        self.threads_running += 1
        self.thread_waits.append(e["waited_s"])

    def on_thread_out(self, e: ThreadOutEvent) -> None:
        self.threads_running = max(0, self.threads_running - 1)
        if e["gil_share"] is not None:
            self.gil_shares.append(e["gil_share"])

    def on_slices(self, e: SlicesEvent) -> None:
        self.sliced_steps += 1
        self.slices += e["slices"]
        self.longest_slice_s = max(self.longest_slice_s, e["longest_slice_s"])
        self.longest_gap_s = max(self.longest_gap_s, e["longest_gap_s"])

    def on_heartbeat(self, e: HeartbeatEvent) -> None:
        if "thread_tokens" in e:  # not in streams written before the remedies
            self.tokens = (e["thread_tokens"], e["thread_limit"], e["token_waiting"])

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
