"""The workers of a pool as the stream tells of them: who is up, who died, what each holds."""

from __future__ import annotations

from dataclasses import dataclass, field

from kitchen_tui.protocol.events import (
    AcceptedEvent,
    FailedEvent,
    ServedEvent,
    WorkerBeatEvent,
    WorkerDiedEvent,
    WorkerLostEvent,
    WorkerRetiredEvent,
    WorkerUpEvent,
)
from kitchen_tui.stream.holds import Holds
from kitchen_tui.stream.tickets import Ticket


@dataclass
class Death:
    """A worker's death, as the stream told it: what ended it and how many tickets it cost."""

    message: str
    failed: int  # those it had said it took, then those a roll call found lost with it
    lost: int = 0  # of those, taken off the front desk as it died, never said

    @property
    def words(self) -> str:
        """What the banner and the report say of it, the one count for both."""
        tickets = "1 ticket" if self.failed == 1 else f"{self.failed} tickets"
        lost = f" ({self.lost} taken off the front desk as it died)" if self.lost else ""
        return f"{self.message}: {tickets} failed{lost}"


@dataclass
class WorkerState:
    """One worker process behind the front desk: its pid, whether it is up, its last beat."""

    worker: int
    pid: int
    alive: bool = True
    accepted: int = 0
    served: int = 0
    failed: int = 0  # its dying fails its tickets too
    beat: WorkerBeatEvent | None = None
    deaths: list[Death] = field(default_factory=list)  # oldest first


class PoolAccount:
    """The ledger's part about workers: nothing happens here with one kitchen process."""

    def __init__(self, kitchen_holds: Holds) -> None:
        self.workers: dict[int, WorkerState] = {}
        self.worker_holds: dict[int, Holds] = {}
        self._kitchen_holds = kitchen_holds  # one kitchen's, with no worker
        self.retired: list[WorkerState] = []  # workers that left as asked, with their counts

    def holds_of(self, ticket: Ticket | None) -> Holds:
        """The holds of the ticket's own worker (a step holds only its own worker's tickets),
        or the one kitchen's."""
        worker = None if ticket is None else ticket.worker
        if worker is None:
            return self._kitchen_holds
        holds = self.worker_holds.get(worker)
        if holds is None:
            holds = self.worker_holds[worker] = self._kitchen_holds.sibling()
        return holds

    @property
    def every_holds(self) -> list[Holds]:
        """The one kitchen's holds, and each worker's (with several)."""
        return [self._kitchen_holds, *self.worker_holds.values()]

    def new_kitchen(self, mode: str) -> None:
        """A mode switch starts a new kitchen, for every worker's holds too."""
        for holds in self.every_holds:
            holds.new_kitchen(mode)

    def on_up(self, e: WorkerUpEvent) -> None:
        slot = int(e.get("worker", 0))
        state = self.workers.get(slot)
        if state is None:
            self.workers[slot] = WorkerState(slot, e["pid"])
        else:
            state.pid, state.alive, state.beat = e["pid"], True, None

    def on_accepted(self, e: AcceptedEvent, ticket: Ticket | None) -> None:
        slot = e.get("worker")
        if slot is None:
            return
        if ticket is not None:
            ticket.worker = slot
        state = self.workers.get(slot)
        if state is not None:
            state.accepted += 1

    def on_outcome(self, e: ServedEvent | FailedEvent, ticket: Ticket) -> None:
        """Counted for its worker; a ticket lost with a dead worker (it never said it took
        it) learns whose it was from its failure."""
        if ticket.worker is None and e.get("worker") is not None:
            ticket.worker = int(e.get("worker", 0))
        state = self.workers.get(int(e.get("worker", 0)))
        if state is not None:
            if e["type"] == "served":
                state.served += 1
            else:
                state.failed += 1

    def on_beat(self, e: WorkerBeatEvent) -> None:
        state = self.workers.get(int(e.get("worker", 0)))
        if state is not None:
            state.beat = e

    def on_retired(self, e: WorkerRetiredEvent) -> None:
        """A worker left as asked: no line of its own any more (its counts are kept, so the
        workers' still add up to the kitchen's)."""
        slot = int(e.get("worker", 0))
        state = self.workers.pop(slot, None)
        if state is not None:
            state.alive = False
            self.retired.append(state)
        self.worker_holds.pop(slot, None)

    def on_died(self, e: WorkerDiedEvent) -> None:
        slot = int(e.get("worker", 0))
        state = self.workers.setdefault(slot, WorkerState(slot, e["pid"]))
        state.alive = False
        state.beat = None
        state.deaths.append(Death(e["message"], int(e.get("failed", 0))))
        holds = self.worker_holds.get(slot)
        if holds is not None:  # the step that held it ended with it: no line says it goes on
            holds.now = None

    def on_lost(self, e: WorkerLostEvent) -> None:
        """The roll call after a death found tickets it had taken: the death cost more."""
        state = self.workers.get(int(e.get("worker", 0)))
        if state is not None and state.deaths:
            death = state.deaths[-1]
            death.failed, death.lost = e["failed"], e["lost"]

    @property
    def deaths(self) -> list[tuple[int, Death]]:
        """Every worker's deaths: (worker, death)."""
        return [(slot, death) for slot, state in self.workers.items() for death in state.deaths]
