"""A discrete-event model of the kitchen: predicts every order's latency without running a task.

It mirrors the engine's scheduling rules (one cook, a pool of cooks sharing the GIL, or one event
loop; a prep shelf of worker processes; a front desk that refuses orders when full), so the
engine can be checked against it. Times are story seconds; the speed factor only scales them.

It knows the remedies too: a blocking call on a to_thread worker (behind the limiter's 40
tokens) or awaited; CPU work in checkpointed slices, on a to_thread worker sharing the GIL with
the loop, on the prep shelf, or as a job the order does not wait for.

And customers who give up: a customer walks out at arrival + patience without changing what
the kitchen does (it cannot tell); a deadline ends a ticket as its mode can (docs/patience.md):
killed at it in sync, cancelled at the desk or run on to the end in threads, cancelled at the
next await in async. Wasted work is step time after nobody waited for it any more.

Ties: events at the same time run in the order they were scheduled, and every arrival is
scheduled before the simulation starts, so arrivals come first (in the order of `orders`); an
idle event loop takes its turn once everything due at that instant is in line, as asyncio
collects every timer come due before it runs the first.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial

from kitchen_tui.protocol.events import Event
from kitchen_tui.protocol.menu import Dish, Step
from kitchen_tui.protocol.orders import Order
from kitchen_tui.protocol.settings import CHECKPOINT_SLICE_S, KitchenSettings
from kitchen_tui.stream.model_kitchens import Cooks
from kitchen_tui.stream.model_loop import Loop
from kitchen_tui.stream.model_parts import Clock, Op, Ticket
from kitchen_tui.stream.model_pool import Pool


@dataclass(frozen=True)
class Prediction:
    """What the model says happens to one order: when it was seated and served, or 86'd."""

    id: str
    dish: str
    arrived: float
    seated: float | None
    served: float | None  # None when refused (86'd)
    refused: bool
    failed: bool = False  # a step raised: the error response went out at `served`
    job_done: float | None = None  # when the order's last job (fix_cpu = "job") was done
    walked_out: bool = False  # its customer left before the answer (which went to nobody)
    timed_out: bool = False  # the server's deadline ended it, no answer
    wasted: float = 0.0  # seconds of its steps run after nobody waited for them
    worker: int | None = None  # with several workers: the one it was handed to (from 1)

    @property
    def latency(self) -> float | None:
        return None if self.served is None else self.served - self.arrived

    @property
    def outcome(self) -> str:
        """As `report` names an order's outcome: refused, walked_out, timed_out, failed, served."""
        if self.refused:
            return "refused"
        if self.walked_out:
            return "walked_out"
        if self.timed_out:
            return "timed_out"
        return "failed" if self.failed else "served"

    @property
    def job_latency(self) -> float | None:
        """Arrival to the order's last job done: what a job's customer waits for the result."""
        return None if self.job_done is None else self.job_done - self.arrived


def _prediction(ticket: Ticket, worker: int | None = None) -> Prediction:
    walked_out = ticket.walked_out
    return Prediction(
        ticket.order.id,
        ticket.order.dish,
        ticket.arrived,
        ticket.seated,
        ticket.served,
        ticket.refused,
        ticket.failed and not ticket.refused and not ticket.timed_out,
        None if ticket.refused else ticket.job_done,
        walked_out=walked_out,
        timed_out=ticket.timed_out,
        wasted=ticket.wasted if ticket.timed_out else ticket.wasted_left if walked_out else 0.0,
        worker=worker,
    )


def served_as(step: Step, settings: KitchenSettings) -> Op:
    """How the kitchen serves `step` under the settings' remedies, in their mode."""
    if step.kind == "wait":
        return "wait"
    if step.kind == "blocking":
        return _BLOCKING_OPS[settings.blocking_fix]
    return _CPU_OPS[settings.cpu_fix]


_BLOCKING_OPS: dict[str, Op] = {"inline": "block", "to_thread": "thread_io", "await": "wait"}
_CPU_OPS: dict[str, Op] = {
    "inline": "cpu",
    "checkpoints": "slices",
    "to_thread": "thread_cpu",
    "prep_shelf": "shelf",
    "job": "job",
}


def _ticket(
    order: Order,
    dishes: Mapping[str, Dish],
    settings: KitchenSettings,
    durations: Mapping[str, Sequence[float]] | None,
    turns: Mapping[str, Sequence[float]] | None = None,
) -> Ticket:
    dish = dishes.get(order.dish)
    if dish is None:
        raise KeyError(f"order {order.id!r} asks for an unknown dish {order.dish!r}")
    seconds = [step.seconds for step in dish.steps]
    if durations is not None and order.id in durations:
        seconds = [float(s) for s in durations[order.id]]
        if len(seconds) != len(dish.steps):
            raise ValueError(
                f"order {order.id!r}: {len(seconds)} durations for {len(dish.steps)} steps"
            )
    if any(not s >= 0 for s in seconds):  # also rejects NaN
        raise ValueError(f"order {order.id!r}: step durations must be >= 0, got {seconds}")
    patience = settings.patience if order.patience is None else order.patience
    steps: list[tuple[Op, float]] = []
    slices: dict[int, float] = {}
    failed = False
    for i, (step, s) in enumerate(zip(dish.steps, seconds, strict=True)):
        op = served_as(step, settings)
        steps.append((op, s))
        if op == "slices":
            slices[i] = s / _slice_count(step, settings)
        if step.error is not None and op != "job":  # the step raises: the ticket ends there
            failed = True
            break
    ticket = Ticket(order, steps, failed=failed, patience=patience)
    ticket.slice_s = slices
    own_turns = (turns or {}).get(order.id, ())
    ticket.turn_s = {i: float(t) for i, t in enumerate(own_turns) if i in slices and t > 0}
    return ticket


def _slice_count(step: Step, settings: KitchenSettings) -> int:
    """How many slices the kitchen cuts checkpointed work into: one per CHECKPOINT_SLICE_S of
    its CPU time. A measured length (wall time: a busy machine stretches each slice) is spread
    over as many slices, so each holds the loop as long as the kitchen's did."""
    cpu = step.seconds / settings.speed
    return max(1, math.ceil(cpu / CHECKPOINT_SLICE_S - 1e-9))


def predict(
    orders: Sequence[Order],
    dishes: Mapping[str, Dish],
    settings: KitchenSettings,
    durations: Mapping[str, Sequence[float]] | None = None,
    turns: Mapping[str, Sequence[float]] | None = None,
    cores: int | None = None,
) -> list[Prediction]:
    """Predict when each order is seated and served (or refused), in the order of `orders`.

    `durations`, per order id, replaces that order's nominal step durations one for one;
    `turns`, per order id and step, the loop's own time from one of a checkpointed step's
    slices to the next (the kitchen measures it: `slices` events' `turns_s`); none without.
    `cores`: the machine's, which several workers' computing shares (default: this one's).
    """
    tickets = [_ticket(order, dishes, settings, durations, turns) for order in orders]
    clock = Clock()
    kitchen: Cooks | Loop | Pool = _kitchen(clock, settings)
    if settings.workers > 1:
        # Each worker its own kitchen; the shared desk alone turns tickets away.
        unbounded = settings.changed({"front_desk": len(tickets) + 1})
        workers = [_kitchen(clock, unbounded) for _ in range(settings.workers)]
        kitchen = Pool(settings.front_desk, workers, clock, cores or os.cpu_count() or 1)
    for ticket in tickets:  # pushed in position order: arrival ties go by position
        clock.at(ticket.arrived, partial(kitchen.arrive, ticket))
    clock.run()
    worker_of = kitchen.worker_of if isinstance(kitchen, Pool) else {}
    return [_prediction(ticket, worker_of.get(id(ticket))) for ticket in tickets]


def _kitchen(clock: Clock, settings: KitchenSettings) -> Cooks | Loop:
    if settings.mode == "sync":
        return Cooks(clock, settings, cooks=1)
    if settings.mode == "threads":
        return Cooks(clock, settings, cooks=settings.cooks)
    if settings.mode == "async":
        return Loop(clock, settings)
    raise ValueError(f"unknown mode {settings.mode!r}")


def loop_turns(events: list[Event]) -> Mapping[str, list[float]]:
    """Each order's checkpointed steps: the loop's own time from one slice to the next, as
    the kitchen measured it (story seconds; 0 for every other step), for `predict`'s `turns`.

    A machine's figure, not a dish's: the select call and the kitchen's own tasks between two
    checkpoints (tens of microseconds on a quiet machine, far more on a loaded one). The
    report's model takes it from the run it reports on; no nominal figure would fit both."""
    per_turn = {
        (e["id"], e["i"]): e["turns_s"] / (e["slices"] - 1)
        for e in events
        if e["type"] == "slices" and e.get("turns_s") is not None and e["slices"] > 1
    }
    turns: dict[str, dict[int, float]] = {}
    for e in events:
        if e["type"] == "step_finished":
            scale = e["story_s"] / e["measured_s"] if e["measured_s"] > 0 else 1.0
            own = per_turn.get((e["id"], e["i"]), 0.0) * scale
            turns.setdefault(e["id"], {})[e["i"]] = own
    return {order: [t for _i, t in sorted(found.items())] for order, found in turns.items()}
