"""Headless runs: serve a scenario in a kitchen process and gather what really happened."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from kitchen_tui.protocol.events import Event
from kitchen_tui.protocol.settings import KitchenSettings
from kitchen_tui.stream.client import KitchenProcess
from kitchen_tui.stream.ledger import Ledger
from kitchen_tui.stream.model import Prediction, loop_turns, predict
from kitchen_tui.stream.sketch import percentile
from kitchen_tui.stream.tickets import Ticket
from kitchen_tui.talk.scenario import Scenario, full_menu

# Orders are sent this long before the first one arrives, so the kitchen has every ticket
# in hand before the clock starts: arrival times are then exact.
LEAD_S = 0.1
QUIET_TIMEOUT_S = 30.0  # real seconds without a single event: the kitchen is stuck
IDLE_BEATS = 2  # heartbeats in a row with nothing in flight: the kitchen has no more to tell
OUTCOME_EVENTS = ("served", "failed", "refused", "timed_out", "uneaten")  # one an order


@dataclass
class OrderResult:
    """One order: what was measured, next to what the model predicted."""

    id: str
    dish: str
    at: float
    ticket: Ticket | None
    predicted: Prediction
    arrived_s: float | None = None
    served_s: float | None = None

    @property
    def latency_s(self) -> float | None:
        return None if self.ticket is None else self.ticket.latency_s

    @property
    def outcome(self) -> str:
        """served, failed, refused, timed_out, or walked_out (its customer left before the
        answer, whatever the kitchen did next); "missing" when its outcome never reached us."""
        ticket = self.ticket
        if ticket is None or ticket.lost or not ticket.is_done:
            return "missing"
        return "walked_out" if ticket.walked_out_t is not None else ticket.state

    @property
    def job_latency_s(self) -> float | None:
        """Arrival to its last job done (fix_cpu = "job"); None for an order without one."""
        return None if self.ticket is None else self.ticket.job_latency_s


@dataclass
class RunResult:
    """A whole headless run: every order and the kitchen's totals."""

    scenario: Scenario
    settings: KitchenSettings
    backend: str
    orders: list[OrderResult]
    ledger: Ledger
    wall_s: float
    events: list[Event] = field(default_factory=list)

    def latencies(self) -> list[float]:
        return [
            o.latency_s for o in self.orders if o.latency_s is not None and o.outcome == "served"
        ]

    def summary(self) -> dict[str, object]:
        values = self.latencies()
        return {
            "served": self.ledger.served,
            "failed": self.ledger.failed,
            "refused": self.ledger.refused,
            "p50_s": percentile(values, 50),
            "p95_s": percentile(values, 95),
            "max_s": max(values) if values else None,
            "loop_stall_s": self.ledger.stall_total_s * self.settings.speed,
            # Every step that held every ticket: the loop (async) or the only cook (sync).
            "stall_s": sum(holds.total_s for holds in self.ledger.pool.every_holds),
            "longest_stall_s": self.longest_stall_s(),
            "wall_s": self.wall_s,
            "dropped_events": self.ledger.dropped,
            "malformed_lines": self.ledger.malformed,
            "thinned": dict(self.ledger.thinned),
            "missing": self.missing(),
            "lost": dict(self.ledger.reconciler.lost),
            "remedies": self.ledger.remedies.summary(self.settings.speed),
            **self.ledger.giving_up.summary(),
        }

    def longest_stall_s(self) -> float | None:
        now = self.ledger.last_t or 0.0
        longest = [holds.longest(now) for holds in self.ledger.pool.every_holds]
        return max((s for s in longest if s is not None), default=None)

    def missing(self) -> list[str]:
        """Orders whose outcome never arrived: empty unless the stream lost it."""
        return [order.id for order in self.orders if order.outcome == "missing"]


def run_scenario(
    scenario: Scenario,
    settings: KitchenSettings,
    backend: str = "asyncio",
    trace: Path | None = None,
    keep_events: bool = True,
) -> RunResult:
    """Serve every order of `scenario` for real and wait until each is served, failed or 86'd,
    or until the kitchen's own counts say it has nothing more to tell (then the result says
    which orders it lacks). `keep_events=False` keeps the tickets but not every event (only
    the checkpointed steps', which the model's loop turns are read from)."""
    kitchen = KitchenProcess(settings, backend=backend, trace=trace)
    kitchen.start(wait=True)
    try:
        if scenario.dishes:
            kitchen.define_dishes(scenario.dishes.values())
        t0 = time.perf_counter() + LEAD_S
        kitchen.order(scenario.orders, t0=t0)
        ledger, events, last = _collect(kitchen, len(scenario.orders), keep_events)
    finally:
        kitchen.stop()
    wall = (last - t0) if last else 0.0
    return _result(scenario, settings, backend, ledger, t0, wall, events)


def _collect(
    kitchen: KitchenProcess, expected: int, keep_events: bool
) -> tuple[Ledger, list[Event], float]:
    ledger = Ledger()
    events: list[Event] = []
    done, last = 0, 0.0
    while done < expected or ledger.remedies.jobs_open:  # a job may end long after its answer
        event = kitchen.get(timeout=QUIET_TIMEOUT_S)
        if event is None:
            raise RuntimeError(f"the kitchen went quiet for {QUIET_TIMEOUT_S:.0f} s")
        if keep_events or _a_loop_turn(event):
            events.append(event)
        ledger.apply(event)
        kind = event["type"]
        if kind in ("died", "write_failed"):
            raise RuntimeError(event["message"])
        if kind in OUTCOME_EVENTS:
            done += 1
            last = float(event["t"])
        elif kind == "job_done":
            last = max(last, float(event["t"]))
        elif kind == "heartbeat" and _nothing_more_due(ledger, expected):
            break
    return ledger, events, last


def _a_loop_turn(event: Event) -> bool:
    """An event the model's loop turns are read from (loop_turns), kept for the report."""
    kind = event["type"]
    return kind == "slices" or (kind == "step_finished" and bool(event["where"] == "slices"))


def _nothing_more_due(ledger: Ledger, expected: int) -> bool:
    """The kitchen's heartbeats say every outcome it will send has been sent: it had counted
    them all a heartbeat ago, or it has had nothing in flight for a while."""
    counts = ledger.reconciler
    if ledger.remedies.jobs_open:  # a job's end comes after its order's outcome
        return False
    return counts.settled_total >= expected or counts.idle_beats >= IDLE_BEATS


def _result(
    scenario: Scenario,
    settings: KitchenSettings,
    backend: str,
    ledger: Ledger,
    t0: float,
    wall: float,
    events: list[Event],
) -> RunResult:
    by_id = {ticket.id: ticket for ticket in ledger.tickets.values()}
    # Nominal steps; the loop's own time between checkpoints as this run measured it.
    turns = loop_turns(events)
    predictions = predict(scenario.orders, full_menu(scenario), settings, turns=turns)
    speed = settings.speed
    orders = []
    for order, prediction in zip(scenario.orders, predictions, strict=True):
        ticket = by_id.get(order.id)
        result = OrderResult(order.id, order.dish, order.at, ticket, prediction)
        if ticket is not None:
            result.arrived_s = (ticket.arrived - t0) * speed
            result.served_s = None if ticket.done is None else (ticket.done - t0) * speed
        orders.append(result)
    return RunResult(scenario, settings, backend, orders, ledger, wall * speed, events)
