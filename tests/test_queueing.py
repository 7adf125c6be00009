"""The live queueing figures: arithmetic on the ledger's flow, checked on hand-made streams
and against a real kitchen's run and its report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kitchen_tui.protocol.events import Event
from kitchen_tui.protocol.menu import Dish, Step
from kitchen_tui.protocol.orders import Order
from kitchen_tui.protocol.settings import KitchenSettings, Mode
from kitchen_tui.recording.trace_file import load_trace
from kitchen_tui.stream.capacity import littles_law
from kitchen_tui.stream.headless import run_scenario
from kitchen_tui.stream.ledger import Ledger
from kitchen_tui.stream.queueing import FIGURE_HELP, queue_figures
from kitchen_tui.stream.sketch import percentile
from kitchen_tui.talk.load import LoadSpec
from kitchen_tui.talk.scenario import Scenario
from kitchen_tui.ui.widgets.queue_panel import little_words
from tests.conftest import kitchen_tui

T0 = 1000.0


def _event(type_: str, t: float, **fields: Any) -> Event:
    return {"v": 1, "seq": 0, "type": type_, "t": T0 + t, "story": t, **fields}


def _hello(mode: Mode = "threads", speed: float = 1.0, cooks: int = 2) -> Event:
    settings = KitchenSettings(mode=mode, speed=speed, cooks=cooks).to_json()
    return _event("hello", 0.0, pid=1, backend="asyncio", settings=settings, menu={})


def _order(n: int, at: float, stay: float, cook: int | None, speed: float = 1.0) -> list[Event]:
    ids = {"id": f"L{n}", "n": n}
    return [
        _event("arrived", at, dish="llm", front_desk=0, **ids),
        _event("seated", at, mode="threads", cook=cook, prep_shelf=False, **ids),
        _event(
            "served",
            at + stay,
            dish="llm",
            latency_s=stay * speed,
            real_latency_s=stay,
            split={},
            **ids,
        ),
    ]


def _ledger(events: list[Event]) -> Ledger:
    ledger = Ledger()
    for event in sorted(events, key=lambda e: e["t"]):
        ledger.apply(event)
    return ledger


def test_two_cooks_one_order_a_second_each_held_half_a_second() -> None:
    """One arrival a second, each served in 0.5 s by cook 0 or 1 in turn: offered = served = 1/s,
    L = 0.5 = X x W, each cook busy a quarter of the time, p50 = 0.5 s."""
    events = [_hello()]
    for n in range(20):
        events += _order(n + 1, float(n), 0.5, cook=n % 2)
    ledger = _ledger(events)
    figures = queue_figures(ledger, T0 + 20.0, window_s=10.0)
    assert figures is not None
    assert figures.window_s == pytest.approx(10.0)
    assert figures.offered_per_s == pytest.approx(1.0)
    assert figures.throughput_per_s == pytest.approx(1.0)
    assert figures.in_kitchen == pytest.approx(0.5)
    assert figures.answered_x_latency == pytest.approx(0.5)
    assert figures.little_gap == pytest.approx(0.0)
    assert figures.cooks_busy == pytest.approx((0.25, 0.25))
    assert figures.loop_busy is None  # threads mode: no loop runs handler code
    assert figures.p50_s == figures.p99_s == pytest.approx(0.5)


def test_an_order_still_inside_counts_in_l_until_now_and_not_in_x() -> None:
    events = [_hello(), *_order(1, 0.0, 100.0, cook=0)[:2]]
    ledger = _ledger(events)
    figures = queue_figures(ledger, T0 + 10.0, window_s=10.0)
    assert figures is not None
    assert figures.in_kitchen == pytest.approx(1.0)
    assert figures.answered_x_latency == 0.0
    assert figures.throughput_per_s == 0.0
    assert figures.cooks_busy == pytest.approx((1.0, 0.0))
    assert figures.p50_s is None


def test_slow_motion_keeps_rates_in_story_seconds() -> None:
    """At 0.5x, one arrival every two real seconds is one a story second."""
    events = [_hello(speed=0.5)]
    for n in range(10):
        events += _order(n + 1, 2.0 * n, 1.0, cook=0, speed=0.5)
    ledger = _ledger(events)
    figures = queue_figures(ledger, T0 + 20.0, window_s=10.0)
    assert figures is not None
    assert figures.window_s == pytest.approx(5.0)
    assert figures.offered_per_s == pytest.approx(1.0)
    assert figures.in_kitchen == pytest.approx(0.5)
    assert figures.p50_s == pytest.approx(0.5)  # the kitchen's story latency


def test_a_customer_who_walked_out_has_left_and_their_ticket_cooks_for_nobody() -> None:
    """Arrived at 0, walked out at 2 (patience 2 s), the ticket ended uneaten at 5: over the
    window [0, 10] the customer was inside 2 s (L = 0.2), left after W = 2 s (X x W = 0.1 x 2),
    and the ticket cooked 3 s for nobody (0.3 on average)."""
    ids = {"id": "L1", "n": 1, "dish": "llm"}
    events = [
        _hello(),
        _event("arrived", 0.0, front_desk=0, **ids),
        _event("seated", 0.0, mode="threads", cook=0, prep_shelf=False, id="L1", n=1),
        _event("walked_out", 2.0, patience_s=2.0, where="rail", **ids),
        _event("uneaten", 5.0, response="served", latency_s=5.0, wasted_s=3.0, **ids),
    ]
    figures = queue_figures(_ledger(events), T0 + 10.0, window_s=10.0)
    assert figures is not None
    assert figures.in_kitchen == pytest.approx(0.2)
    assert figures.answered_x_latency == pytest.approx(0.2)
    assert figures.little_gap == pytest.approx(0.0)
    assert figures.for_nobody == pytest.approx(0.3)
    assert figures.walked_out_per_s == pytest.approx(0.1)
    assert figures.throughput_per_s == 0.0  # nobody was served
    assert figures.cooks_busy == pytest.approx((0.5, 0.0))  # the cook worked on for nobody


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_live_figures_with_walk_outs_agree_with_the_run_and_littles_law() -> None:
    """A sync kitchen offered an LLM order a story second (it serves one every 2 s), customers
    who wait 3 s: most walk out while their tickets wait or cook for nobody. Over the whole run
    the live L is the customers' own time inside (arrival to answer or walk-out), X x W agrees,
    and the walk-outs counted are the run's."""
    stream = LoadSpec(rate=1.0, seconds=30.0, mix={"llm": 1}, seed=4, arrivals="even")
    run = run_scenario(
        Scenario("impatient", "impatient", orders=stream.orders()),
        KitchenSettings(mode="sync", speed=10.0, patience=3.0),
    )
    ledger = Ledger()
    for event in run.events:
        ledger.apply(event)
    assert ledger.first_t is not None and ledger.last_t is not None
    end = ledger.last_t + 0.01
    figures = queue_figures(ledger, end, window_s=end - ledger.first_t + 1.0)
    assert figures is not None
    story = ledger.story
    tickets = [o.ticket for o in run.orders if o.ticket is not None]
    walked = [t for t in tickets if t.walked_out_t is not None]
    assert len(walked) > 10
    stays: list[tuple[float, float | None]] = [
        (story.at(t.arrived), story.at(t.walked_out_t if t.walked_out_t is not None else t.done))
        for t in tickets
        if t.done is not None
    ]
    in_kitchen, x_w = littles_law(stays, story.at(ledger.first_t), story.at(end))
    assert figures.in_kitchen == pytest.approx(in_kitchen, rel=0.03)
    assert figures.answered_x_latency == pytest.approx(x_w, rel=0.03)
    assert figures.answered_x_latency == pytest.approx(figures.in_kitchen, rel=0.05)
    assert figures.walked_out_per_s * figures.window_s == pytest.approx(len(walked))
    assert figures.for_nobody > 0  # the one cook kept cooking for customers who had left


def test_an_86d_customer_is_offered_load_but_never_inside() -> None:
    events = [
        _hello(),
        _event("refused", 1.0, id="L1", n=1, dish="llm", reason="front desk full"),
    ]
    figures = queue_figures(_ledger(events), T0 + 10.0, window_s=10.0)
    assert figures is not None
    assert figures.offered_per_s == pytest.approx(0.1)
    assert figures.in_kitchen == 0.0


def test_every_figure_has_one_line_of_help() -> None:
    assert len(FIGURE_HELP) == 6
    assert all(name and 20 < len(text) < 90 for name, text in FIGURE_HELP)


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_figures_of_a_real_steady_stream_agree_with_the_report_and_littles_law() -> None:
    """LLM orders (2 s of waiting, no CPU: steady on a busy machine too) at 10 a story second,
    a minute of story time at 10x: over the steady part the live figures match the run's own
    orders (what `report` prints from) and L = X x W."""
    stream = LoadSpec(rate=10.0, seconds=60.0, mix={"llm": 1}, seed=3)
    run = run_scenario(
        Scenario("steady", "steady", orders=stream.orders()), KitchenSettings(speed=10.0)
    )
    ledger = Ledger()
    for event in run.events:
        ledger.apply(event)
    first = ledger.first_t
    assert first is not None
    start, end = first + 1.5, first + 6.0  # real seconds: story 15 s to 60 s
    figures = queue_figures(ledger, end, window_s=end - start)
    assert figures is not None
    story_start, story_end = ledger.story.at(start), ledger.story.at(end)
    # The report's account: each order's ticket, its arrival and answer on the story clock.
    story = ledger.story
    tickets = [o.ticket for o in run.orders if o.ticket is not None]
    assert len(tickets) == len(run.orders)
    stays = [(story.at(t.arrived), None if t.done is None else story.at(t.done)) for t in tickets]
    in_kitchen, x_w = littles_law(stays, story_start, story_end)
    assert figures.in_kitchen == pytest.approx(in_kitchen, rel=0.02)
    assert figures.answered_x_latency == pytest.approx(x_w, rel=0.02)
    assert figures.answered_x_latency == pytest.approx(figures.in_kitchen, rel=0.05)
    served = [
        t.latency_s
        for t in tickets
        if t.state == "served" and t.done is not None and start <= t.done <= end
    ]
    assert figures.p99_s == percentile(served, 99)  # type: ignore[arg-type]
    assert figures.throughput_per_s == pytest.approx(len(served) / (story_end - story_start))
    assert figures.offered_per_s == pytest.approx(10.0, rel=0.2)
    assert figures.in_kitchen == pytest.approx(20.0, rel=0.2)  # 10 a second for 2 s each
    assert figures.loop_busy is not None and figures.loop_busy < 0.5  # waits: the loop is free


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_over_a_whole_run_the_figures_are_what_report_prints(tmp_path: Path) -> None:
    """`kitchen-tui report` of a steady stream, and the live figures of its own trace over the
    whole run: the same percentiles and the same count served."""
    scenario = tmp_path / "steady.toml"
    scenario.write_text(
        'title = "Steady"\nmode = "async"\nspeed = 10.0\n'
        "[load]\nrate = 10.0\nseconds = 20\nmix = { redis = 3, llm = 1 }\nseed = 2\n"
    )
    trace = tmp_path / "steady.trace"
    done = kitchen_tui("report", "--scenario", str(scenario), "--json", "--trace", str(trace))
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)["summary"]
    ledger = Ledger()
    for event in load_trace(trace).events:
        ledger.apply(event)
    assert ledger.first_t is not None and ledger.last_t is not None
    whole = ledger.last_t - ledger.first_t + 1.0
    figures = queue_figures(ledger, ledger.last_t, window_s=whole)
    assert figures is not None
    assert summary["served"] == ledger.served > 150
    assert figures.throughput_per_s * figures.window_s == pytest.approx(summary["served"])
    assert figures.p50_s == summary["p50_s"]
    assert figures.p95_s == summary["p95_s"]


@pytest.mark.parametrize("workers", [1, 2])
def test_a_loop_held_now_counts_in_loop_busy_with_one_worker_or_several(workers: int) -> None:
    """Mid-way through 1.5 s of CPU on one loop, loop busy counts the hold so far: a held loop
    sends no beat, and with workers the master goes on summing that worker's last one (the
    panel said 0 % through an 11 s hold with three workers)."""
    crunch = Dish("crunch", "1.5 s of CPU", (Step("cpu", 1.5, "crunch"),))
    orders = (Order(id="C1", dish="crunch", at=0.3),)
    scenario = Scenario("hold", "hold", dishes={"crunch": crunch}, orders=orders)
    run = run_scenario(scenario, KitchenSettings(mode="async", workers=workers))
    starts = [e["t"] for e in run.events if e["type"] == "step_started" and e.get("kind") == "cpu"]
    assert starts, "the CPU step's start is in the stream"
    mid = starts[0] + 1.0
    ledger = _ledger([e for e in run.events if e["t"] <= mid])
    figures = queue_figures(ledger, mid, window_s=10.0)
    assert figures is not None and figures.loop_busy is not None
    held_so_far = 1.0 / (mid - ledger.flow.loop_samples[0][0]) / workers
    assert figures.loop_busy == pytest.approx(held_so_far, abs=0.15)


def _beat(t: float, loop_busy_s: float) -> Event:
    counts = dict.fromkeys(("served", "failed", "refused", "timed_out", "uneaten", "walked_out"), 0)
    waits = dict.fromkeys(("thread_tokens", "token_waiting", "jobs_open", "jobs_queued"), 0)
    return _event(
        "heartbeat", t, front_desk=0, in_flight=1, lag_s=0.0, loop_busy_s=loop_busy_s,
        thread_limit=40, **counts, **waits,
    )  # fmt: skip


def test_a_loop_too_busy_to_beat_counts_the_steps_it_held_since_its_last_beat() -> None:
    """Past capacity, new tickets' CPU crowds the heartbeat's own task off the loop for
    seconds; the panel read 0 % loop busy beside a line cook lane that said LOOP HELD (play
    giving-up). Nine 0.9 s CPU steps after the last beat: busy 8.1 s of the 10 s window."""
    events = [_hello(mode="async"), _beat(0.0, 0.0), _beat(1.0, 0.5)]
    for n in range(1, 10):
        ids = {"id": f"M{n}", "n": n}
        step = {**ids, "i": 0, "kind": "cpu", "label": "prompt", "where": "loop"}
        start = 1.0 + n - 0.9
        events += [
            _event("arrived", 1.0, dish="message", front_desk=n, **ids),
            _event("seated", start, mode="async", cook=None, prep_shelf=False, **ids),
            _event("step_started", start, **step),
            _event("step_finished", start + 0.9, measured_s=0.9, story_s=0.9, cpu_s=0.9, **step),
        ]
    figures = queue_figures(_ledger(events), T0 + 11.0, window_s=10.0)
    assert figures is not None and figures.loop_busy == pytest.approx(8.1 / 10.0)


def _little(stays: list[tuple[float, float]], now: float) -> str:
    """The panel's Little's-law words for orders (arrival, stay) over the 10 s up to `now`."""
    events = [_hello()]
    for n, (at, stay) in enumerate(stays, 1):
        events += [e for e in _order(n, at, stay, cook=n % 2) if e["t"] <= T0 + now]
    figures = queue_figures(_ledger(events), T0 + now, window_s=10.0)
    assert figures is not None
    return little_words(figures)


def test_little_s_law_is_compared_only_over_a_steady_window_of_enough_orders() -> None:
    """A few orders, a kitchen filling up, one draining: no alarming percentage, the reason;
    twenty orders a second held half a second each, steadily: L and X x W agree."""
    few = [(float(n), 0.5) for n in range(5)]
    assert _little(few, 5.2) == "L vs X x W: too few yet"
    steady = [(n * 0.05, 0.5) for n in range(300)]
    words = _little(steady, 12.0)  # the window's edges cut a stay or two: a percent at most
    assert words.startswith("L vs X x W: ") and words.endswith("% apart")
    assert int(words.removeprefix("L vs X x W: ").removesuffix("% apart")) <= 1
    # Past capacity: each customer waits 0.1 s longer than the one before.
    filling = [(n * 0.05, 0.5 + 0.1 * n) for n in range(300)]
    assert _little(filling, 12.0) == "L vs X x W: filling up"
    # The stream stopped at 10 s and the backlog is answered until 20 s.
    draining = [(n * 0.05, 5.0 + n * 0.05) for n in range(200)]
    assert _little(draining, 16.0) == "L vs X x W: draining"
