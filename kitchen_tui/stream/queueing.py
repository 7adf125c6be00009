"""The queueing figures, live: what a window of the ledger's flow says about the kitchen.

Every figure is arithmetic on the events of the last WINDOW_S real seconds (story seconds in
the units), so the TUI, its chart, the tests and the bench read one account:

- offered load: customers who came a second, 86'd ones too;
- throughput: orders served a second;
- utilisation: the share of the window each cook, the loop and the shelf's workers were busy;
- Little's law: L, the time-average number of customers in the kitchen, beside X x W, the
  customers who left a second (answered, or walked out) times their mean time in it; in a
  stable kitchen the two agree. A customer who walked out has left: their ticket, still
  cooking, counts apart, as work for nobody;
- latency p50, p95 and p99 of the orders served in the window.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kitchen_tui.protocol.settings import default_shelf_size
from kitchen_tui.stream.flow import Busy, Flow
from kitchen_tui.stream.sketch import percentile
from kitchen_tui.stream.story import StoryClock

if TYPE_CHECKING:
    from kitchen_tui.stream.holds import HeldStep
    from kitchen_tui.stream.ledger import Ledger

WINDOW_S = 10.0  # real seconds: long enough for a few hundred orders at the lesson's rates
# Little's law holds over a steady window: L and X x W are compared only when this many
# customers left within it, and as many were inside at its end as at its start (within
# STEADY_SHARE of them, or STEADY_SLACK customers); else the panel says why not.
MIN_LEFT = 30
STEADY_SHARE = 0.1
STEADY_SLACK = 2

# One line of help for each figure: the help screen and the panel's tooltip show them.
FIGURE_HELP: tuple[tuple[str, str], ...] = (
    ("offered/s", "customers who came a second over the window, 86'd ones too (arrivals)"),
    ("served/s", "orders served a second over the window (throughput)"),
    ("util / busy", "share of the window the cooks, the loop or the shelf's workers worked"),
    ("L inside", "mean customers inside, arrival to answer or walk-out (L nobody: cooking after)"),
    ("X x W", "customers who left a second x their mean time inside: = L over a steady window"),
    ("p50 p95 p99", "latency of the orders served in the window, 50th/95th/99th percentile"),
)


# The same, short enough for the help page's legend column.
FIGURE_SHORT_HELP: tuple[tuple[str, str], ...] = (
    ("offered/s", "customers who came a second (86'd too)"),
    ("served/s", "orders served a second (throughput)"),
    ("util busy", "share of time the cooks, loop, shelf worked"),
    ("L inside", "mean number of customers inside"),
    ("X x W", "left a second x mean time inside (= L)"),
    ("p50..p99", "latency percentiles of the window's orders"),
)


@dataclass(frozen=True)
class QueueFigures:
    """The window's figures; rates are story orders a second, times story seconds."""

    window_s: float  # story seconds the window covers
    offered_per_s: float
    throughput_per_s: float
    in_kitchen: float  # L: customers present
    answered_x_latency: float  # X x W (customers answered, or who walked out)
    p50_s: float | None
    p95_s: float | None
    p99_s: float | None
    cooks_busy: tuple[float, ...]  # each cook's share, cook 0 first (sync and threads)
    loop_busy: float | None  # async: the share the loop ran handler code
    shelf_busy: float | None  # the shelf's workers, on average (None: no shelf in use)
    for_nobody: float = 0.0  # time-average tickets cooking on after their customer left
    walked_out_per_s: float = 0.0  # customers who walked out a second
    left: int = 0  # customers who left within the window (answered, or walked out)
    inside_at_start: int = 0  # customers inside at the window's start
    inside_at_end: int = 0  # and at its end

    @property
    def little_gap(self) -> float | None:
        """How far X x W is from L, as a share of L (None while the kitchen is empty)."""
        if self.in_kitchen <= 0:
            return None
        return abs(self.answered_x_latency - self.in_kitchen) / self.in_kitchen

    @property
    def little_unsteady(self) -> str | None:
        """Why L and X x W cannot be compared over this window, or None when they can: with
        few customers gone, or a kitchen filling up or draining, the window's edges (stays
        cut by them) outweigh the law, and a gap of 100 % would say nothing of the kitchen."""
        if self.left < MIN_LEFT:
            return "too few yet"
        drift = self.inside_at_end - self.inside_at_start
        most = max(self.inside_at_start, self.inside_at_end)
        if abs(drift) > max(STEADY_SLACK, STEADY_SHARE * most):
            return "filling up" if drift > 0 else "draining"
        return None


def queue_figures(ledger: Ledger, now: float, window_s: float = WINDOW_S) -> QueueFigures | None:
    """The figures of the last `window_s` real seconds up to `now`; None before any event."""
    if ledger.first_t is None:
        return None
    start = max(now - window_s, ledger.first_t)
    if not now > start:
        return None
    flow, story = ledger.flow, ledger.story
    span = story.span(start, now)
    if not span > 0:  # a speed change stamped after `now`: no story time has passed yet
        return None
    stays = [s for s in flow.stays if s.left >= start and s.left <= now]
    served = [s.latency_s for s in stays if s.served]
    mean_w = sum(s.latency_s for s in stays) / len(stays) if stays else 0.0
    settings = ledger.settings
    mode = settings.get("mode")
    return QueueFigures(
        window_s=span,
        offered_per_s=sum(1 for t in flow.arrivals if start <= t <= now) / span,
        throughput_per_s=len(served) / span,
        in_kitchen=_time_inside(flow, story, start, now) / span,
        answered_x_latency=len(stays) / span * mean_w,
        p50_s=percentile(served, 50),
        p95_s=percentile(served, 95),
        p99_s=percentile(served, 99),
        cooks_busy=_cooks_busy(flow, mode, int(settings.get("cooks", 1)), start, now),
        loop_busy=_loop_busy(ledger, start, now) if mode == "async" else None,
        shelf_busy=_shelf_busy(flow, _shelf_workers(ledger), start, now),
        for_nobody=_time_for_nobody(flow, story, start, now) / span,
        walked_out_per_s=sum(1 for s in stays if s.walked) / span,
        left=len(stays),
        inside_at_start=_inside_at(flow, start),
        inside_at_end=_inside_at(flow, now),
    )


def _inside_at(flow: Flow, t: float) -> int:
    """Customers inside at real instant `t`: come, and not yet answered nor walked out."""
    gone = sum(1 for s in flow.stays if s.arrived <= t < s.left)
    return gone + sum(1 for arrived in flow.inside.values() if arrived <= t)


def _time_inside(flow: Flow, story: StoryClock, start: float, end: float) -> float:
    """Story seconds spent inside the kitchen within [start, end], all orders together."""
    inside = 0.0
    for stay in flow.stays:
        if stay.left >= start:
            inside += _overlap(story, stay.arrived, stay.left, start, end)
    for arrived in flow.inside.values():
        inside += _overlap(story, arrived, end, start, end)
    return inside


def _time_for_nobody(flow: Flow, story: StoryClock, start: float, end: float) -> float:
    """Story seconds tickets spent cooking for customers who had walked out, in [start, end]."""
    stretches = [*flow.nobody, *((gone, end) for gone in flow.for_nobody.values())]
    return sum(_overlap(story, a, b, start, end) for a, b in stretches)


def _overlap(story: StoryClock, a: float, b: float, start: float, end: float) -> float:
    lo, hi = max(a, start), min(b, end)
    return story.span(lo, hi) if hi > lo else 0.0


def _busy_by_server(
    done: Iterable[Busy], open_: Iterable[tuple[int, float]], start: float, end: float
) -> dict[int, float]:
    """Real seconds each server was busy within [start, end]."""
    busy: dict[int, float] = {}
    stretches = [(b.server, b.start, b.end) for b in done]
    stretches += [(server, since, end) for server, since in open_]
    for server, a, b in stretches:
        lo, hi = max(a, start), min(b, end)
        if hi > lo:
            busy[server] = busy.get(server, 0.0) + hi - lo
    return busy


def _cooks_busy(
    flow: Flow, mode: object, cooks: int, start: float, end: float
) -> tuple[float, ...]:
    if mode not in ("sync", "threads"):
        return ()
    count = 1 if mode == "sync" else max(1, cooks)
    busy = _busy_by_server(flow.cooks, flow.cooking.values(), start, end)
    return tuple(min(1.0, busy.get(cook, 0.0) / (end - start)) for cook in range(count))


def _loop_busy(ledger: Ledger, start: float, end: float) -> float | None:
    samples = [s for s in ledger.flow.loop_samples if s[0] <= end]
    before = [s for s in samples if s[0] <= start]
    first = before[-1] if before else next((s for s in samples if s[0] >= start), None)
    if first is None:
        return None
    # With several workers the heartbeat sums their loops: the share of them all.
    workers = max(1, int(ledger.settings.get("workers") or 1))
    last = samples[-1]
    # A loop too busy to beat (new tickets' CPU crowding out the heartbeat's own task) read 0 %
    # through seconds of holds: what the step events say it held since its last beat counts.
    since = sum(s for t, s in ledger.flow.loop_holds if last[0] < t <= end)
    if since > 0:
        last = (end, last[1] + since)
    return loop_share(first, last, _holding_now(ledger, samples[-1][0]), end, workers)


def _holding_now(ledger: Ledger, last_beat: float) -> list[tuple[HeldStep, float]]:
    """Each loop held now, and since when its busy time is not yet in the heartbeat: a held
    loop sends no beat, so the kitchen's (or, with workers, that worker's) last one."""
    pool = ledger.pool
    if not pool.workers:
        held = ledger.holds.now
        return [] if held is None else [(held, last_beat)]
    holding = []
    for slot, holds in pool.worker_holds.items():
        state = pool.workers.get(slot)
        if holds.now is not None and state is not None and state.alive:
            beat = state.beat["t"] if state.beat is not None else holds.now.started
            holding.append((holds.now, beat))
    return holding


def loop_share(
    first: tuple[float, float],
    last: tuple[float, float],
    holding: list[tuple[HeldStep, float]],
    end: float,
    loops: int = 1,
) -> float | None:
    """The share of time the loops ran handler code between two heartbeats (t, loop busy s so
    far, summed over the loops), with each hold going on now counted until `end` from its
    loop's last beat (or its start, if later)."""
    (t0, busy0), (t1, busy1) = first, last
    ongoing = [end - max(beat, held.started) for held, beat in holding if held.where == "loop"]
    if any(seconds > 0 for seconds in ongoing):
        busy1 += sum(seconds for seconds in ongoing if seconds > 0)
        t1 = max(t1, end)
    if t1 <= t0:
        return None
    return max(0.0, min(1.0, (busy1 - busy0) / (t1 - t0) / loops))


def _shelf_workers(ledger: Ledger) -> int:
    size = ledger.settings.get("shelf_size")
    return int(size) if isinstance(size, int) and size > 0 else default_shelf_size()


def _shelf_busy(flow: Flow, workers: int, start: float, end: float) -> float | None:
    busy = _busy_by_server(flow.shelf, flow.on_shelf.values(), start, end)
    if not busy and not flow.on_shelf:
        return None
    slots = max(workers, len(busy), 1)
    return min(1.0, sum(busy.values()) / (slots * (end - start)))
