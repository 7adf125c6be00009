"""The panels tell one story: the stall that mattered, the timeline's last end, story seconds in
slow motion, and stats that match the lanes, each drawn from the ledger."""

from __future__ import annotations

import re
from typing import Any

import pytest

from kitchen_tui.protocol.events import Event
from kitchen_tui.protocol.orders import Order
from kitchen_tui.protocol.settings import KitchenSettings, Mode
from kitchen_tui.stream.headless import run_scenario
from kitchen_tui.talk.scenario import load_scenario
from kitchen_tui.ui.board import Board
from kitchen_tui.ui.glyphs import ms_text
from kitchen_tui.ui.scene import Scene
from kitchen_tui.ui.widgets.line_cook import LineCook
from kitchen_tui.ui.widgets.stats_panel import StatsPanel, rate_text
from kitchen_tui.ui.widgets.timeline import Timeline
from tests.conftest import dish, scenario

T0 = 1000.0


def _event(type_: str, t: float, **fields: Any) -> Event:
    return {"v": 1, "seq": 0, "type": type_, "t": T0 + t, "story": t, **fields}


def _hello(mode: Mode = "async", speed: float = 1.0) -> Event:
    settings = KitchenSettings(mode=mode, speed=speed).to_json()
    return _event("hello", 0.0, pid=1, backend="asyncio", settings=settings, menu={})


def _redis(n: int, at: float, mode: str = "async", io_s: float = 0.05) -> list[Event]:
    """One ticket's whole life: 1 ms at the desk, then an awaited wait of `io_s`."""
    ids = {"id": f"F{n}", "n": n}
    step = {**ids, "i": 0, "kind": "wait", "label": "GET", "where": "rail", "nominal_s": io_s}
    done = at + 0.001 + io_s
    return [
        _event("arrived", at, dish="redis", front_desk=1, **ids),
        _event("seated", at + 0.001, mode=mode, cook=None, prep_shelf=False, **ids),
        _event("step_started", at + 0.001, **step),
        _event("step_finished", done, measured_s=io_s, story_s=io_s, cpu_s=None, **step),
        _event(
            "served",
            done,
            dish="redis",
            latency_s=done - at,
            real_latency_s=done - at,
            split={"front_desk": 0.001, "ready": 0.0, "cook": 0.0, "rail": io_s, "shelf": 0.0},
            **ids,
        ),
    ]


@pytest.mark.slow
@pytest.mark.timeout(60)
def test_the_stall_that_mattered_stays_after_three_tables_in_sync() -> None:
    """A held the only cook 2 s and kept B and C waiting about 2 s each; B's and C's own short
    holds after it must not take its place (they read 'C held the cook 80 ms, delayed 0')."""
    scenario = load_scenario("three-tables")
    result = run_scenario(scenario, KitchenSettings(mode="sync"))
    board = Board()
    board.apply_all(result.events)
    board.recount_stall_victims(result.events[-1]["t"] + 5)
    shown = board.last_stall
    assert shown is not None
    assert (shown.held.ticket, shown.victims) == ("A", 2), shown
    assert shown.seconds == pytest.approx(2.0, abs=0.05)
    assert shown.delay_s == pytest.approx(4.0, abs=0.1)
    # The stats panel's figures come from the same holds: A, B and C held the cook in turn.
    assert board.ledger.holds.longest(result.events[-1]["t"]) == pytest.approx(2.0, abs=0.05)


@pytest.mark.slow
@pytest.mark.timeout(60)
def test_a_slow_motion_stall_is_told_in_story_seconds() -> None:
    """At 10x, ten chats in sync: the first message held the cook 1.84 story seconds (0.18
    real) and kept nine waiting for it, 1.84 s each."""
    result = run_scenario(load_scenario("ten-chats"), KitchenSettings(mode="sync", speed=10.0))
    board = Board()
    board.apply_all(result.events)
    board.recount_stall_victims(result.events[-1]["t"] + 5)
    shown = board.last_stall
    assert shown is not None and shown.victims == 9, shown
    assert shown.seconds == pytest.approx(1.84, abs=0.1)
    assert shown.delay_s == pytest.approx(9 * 1.84, rel=0.1)


@pytest.mark.slow
@pytest.mark.timeout(60)
def test_the_lanes_costliest_stall_and_the_stats_longest_are_named_for_what_each_is() -> None:
    """Five chats at once in async, 60 ms of CPU each: the slices hold the loop in turn. The
    first keeps four waiting (the costliest); a later one may last longer. In ten chats the
    lane said "worst stall 54 ms" beside the stats' "longest 57 ms": two names a learner reads
    as one fact. Each figure comes from the holds' one account, under a label saying which
    stall it is."""
    chat = dish("chat", ("cpu", 0.06), ("wait", 0.1))
    orders = [Order(f"M{n}", "chat") for n in range(1, 6)]
    result = run_scenario(scenario(orders, [chat]), KitchenSettings(mode="async"))
    board = Board()
    board.apply_all(result.events)
    end = result.events[-1]["t"] + 5
    board.recount_stall_victims(end)
    scene = Scene(board, end)
    lane = " ".join(line.text for line in LineCook(scene).build(39, 12))
    stats = " ".join(line.text for line in StatsPanel(scene).build(32, 8))
    costliest, holds = board.last_stall, board.ledger.holds
    longest = holds.longest(end)
    assert costliest is not None and longest is not None
    assert "worst" not in lane
    shown = re.search(r"costliest stall (\S+) held the loop (\d+ ms)", lane)
    assert shown is not None, lane
    assert shown[1] == costliest.held.ticket and shown[2] == ms_text(costliest.seconds)
    assert re.search(rf"longest +{ms_text(longest)}", stats), stats
    # The costliest kept the most waiting; the longest is at least as long, never costlier.
    assert all(hold.delay_s <= costliest.delay_s for hold in holds.finished)
    assert costliest.seconds <= longest
    assert costliest.victims == 4, costliest


def test_the_timeline_draws_the_last_tickets_end_once_the_kitchen_is_idle() -> None:
    """Redraws are limited to 15 a second; the news that the last ticket was served came within
    one slot of the one before and, with nothing left in flight, was never drawn."""
    board = Board()
    scene = Scene(board, T0)
    timeline = Timeline(scene)
    board.apply(_hello())
    events = _redis(1, 0.0)
    for event in events[:-1]:
        board.apply(event)
    scene.now = T0 + 0.05
    before = timeline.view_key()
    board.apply(events[-1])  # served, in the same fifteenth of a second
    scene.now = T0 + 0.052
    timeline.view_key()
    scene.now = T0 + 0.2  # a later frame: the served ticket must be drawn by now
    assert timeline.view_key() != before


def test_a_short_order_reads_as_io_wait_not_front_desk_when_the_axis_is_long() -> None:
    """A 50 ms Redis order on an axis of 0.1 s a column: its one cell is the part that took most
    of its time (the I/O), not the first part of its life (1 ms at the front desk)."""
    board = Board()
    scene = Scene(board, T0 + 5.0)
    board.apply(_hello())
    board.apply_all(_redis(1, 1.0))
    ticket = board.ledger.tickets[1]
    cells = Timeline(scene)._cells(ticket, 50, 0.0, 0.1)
    assert [cell for cell in cells if cell] == ["rail"]


def test_slow_motion_keeps_ages_and_the_axis_in_story_seconds() -> None:
    """At 0.1x, 2.9 real seconds into a wait are 0.29 story seconds."""
    board = Board()
    scene = Scene(board, T0)
    board.apply(_hello(speed=0.1))
    board.apply_all(_redis(1, 0.0, io_s=2.0)[:3])
    scene.now = T0 + 2.9
    assert scene.age(board.ledger.tickets[1].arrived) == pytest.approx(0.29)
    timeline = Timeline(scene)
    timeline._view_size = (80, 10)
    axis = timeline.build(80, 10)[0].text
    assert "0.2s" in axis and "2s" not in axis.replace("0.2s", ""), axis


def test_the_stats_count_a_stall_going_on_and_name_the_cook_in_sync() -> None:
    board = Board()
    scene = Scene(board, T0)
    board.apply(_hello(mode="sync"))
    ids = {"id": "S1", "n": 1}
    step = {**ids, "i": 0, "kind": "wait", "label": "LLM", "where": "cook", "nominal_s": 2.0}
    board.apply(_event("arrived", 0.0, dish="llm", front_desk=1, **ids))
    board.apply(_event("seated", 0.0, mode="sync", cook=0, prep_shelf=False, **ids))
    board.apply(_event("step_started", 0.0, **step))
    scene.now = T0 + 1.3
    panel = StatsPanel(scene)
    text = "\n".join(line.text for line in panel.build(40, 8))
    assert "cooks busy" in text and "1/1" in text, text
    assert "stalls" in text and "1.30 s" in text, text
    assert "loop busy" not in text


def test_stats_keep_a_space_between_a_long_value_and_the_next_label() -> None:
    assert rate_text(6614.4) == "6614" and rate_text(66144.0) == "66k"
    board = Board()
    scene = Scene(board, T0)
    panel = StatsPanel(scene)
    line = panel.pair(30, ("served/s", "123456"), ("longest", "1.00 s")).text
    assert re.search(r"123456 +long", line), line


def test_latencies_of_one_setting_are_never_mixed_with_anothers() -> None:
    board = Board()
    board.apply(_hello(mode="sync"))
    board.apply_all(_redis(1, 0.0, mode="sync", io_s=2.0))
    settings = KitchenSettings(mode="threads").to_json()
    board.apply(_event("settings", 3.0, settings=settings))
    scene = Scene(board, T0 + 3.0)
    text = "\n".join(line.text for line in StatsPanel(scene).build(40, 8))
    assert "nothing served in threads yet" in text, text
    assert "redis" not in text


def test_a_long_setting_is_named_whole_above_the_latency_table() -> None:
    board = Board()
    board.apply(_hello())
    settings = KitchenSettings(mode="async", prep_shelf=True).to_json()
    board.apply(_event("settings", 1.0, settings=settings))
    lines = [line.text for line in StatsPanel(Scene(board, T0 + 1)).build(30, 12)]
    assert any("served in async + shelf" in line for line in lines), lines  # was 'in async.'


@pytest.mark.slow
@pytest.mark.timeout(60)
def test_walk_outs_and_timeouts_read_the_same_in_the_stats_the_served_strip_and_the_lanes() -> None:
    """A real sync kitchen with a deadline: one order killed at it, one customer who walked out
    while it waited; the stats panel, the served strip and the lanes tell one story."""
    from kitchen_tui.protocol.orders import Order
    from kitchen_tui.ui.widgets.served_strip import ServedStrip
    from tests.conftest import dish, scenario

    nap = dish("nap", ("wait", 0.4))
    orders = [Order("K", "nap"), Order("W", "redis", patience=0.1), Order("S", "redis")]
    settings = KitchenSettings(mode="sync", deadline=0.25)
    result = run_scenario(scenario(orders, [nap]), settings)
    board = Board()
    board.apply_all(result.events)
    scene = Scene(board, result.events[-1]["t"])
    stats = "\n".join(line.text for line in StatsPanel(scene).build(40, 10))
    lost = board.ledger.giving_up
    assert (lost.walked_out, lost.timed_out) == (1, 1)
    assert re.search(r"walked out +1 +timed out +1", stats), stats
    title = ServedStrip(scene).titles()[0]
    assert "walked out 1" in title and "timed out 1" in title, title
    strip = "\n".join(line.text for line in ServedStrip(scene).build(120, 2))
    assert "T/O K" in strip and "W/O W" in strip, strip
    summary = result.summary()
    assert (summary["walked_out"], summary["timed_out"]) == (1, 1)  # the report's account


def test_a_ticket_past_its_deadline_or_its_customer_says_so_on_its_chip() -> None:
    from kitchen_tui.ui.widgets.kitchen_view import giving_up_note

    board = Board()
    board.apply(_hello())
    hog = {"id": "H", "n": 1}
    board.apply(_event("arrived", 0.0, dish="sneaky", front_desk=1, **hog))
    seated = {"mode": "async", "cook": None, "prep_shelf": False, "deadline_t": T0 + 0.5}
    board.apply(_event("seated", 0.0, **seated, **hog))
    ticket = board.ledger.tickets[1]
    assert giving_up_note(ticket, T0 + 0.4) is None
    assert giving_up_note(ticket, T0 + 0.6) == "cancel pending"
    board.apply(_event("walked_out", 0.7, dish="sneaky", patience_s=0.7, where="loop", **hog))
    assert giving_up_note(ticket, T0 + 0.6) == "cancel pending"  # the deadline says more
    ticket.deadline_t = None
    assert giving_up_note(ticket, T0 + 0.8) == "for nobody"


def test_a_walk_out_of_a_ticket_still_cooking_is_counted_in_the_served_strips_title() -> None:
    """The strip redraws when a ticket is done; a customer who leaves while their ticket
    cooks ends none, and its title said 113 walked out while the stats said 300 (giving-up)."""
    from kitchen_tui.ui.widgets.served_strip import ServedStrip

    board = Board()
    board.apply(_hello())
    hog = {"id": "H", "n": 1}
    board.apply(_event("arrived", 0.0, dish="sneaky", front_desk=1, **hog))
    board.apply(_event("seated", 0.0, mode="async", cook=None, prep_shelf=False, **hog))
    strip = ServedStrip(Scene(board, T0))
    before = strip.view_key()
    board.apply(_event("walked_out", 0.7, dish="sneaky", patience_s=0.7, where="loop", **hog))
    assert strip.view_key() != before, "the strip would keep its old title"
    assert "walked out 1" in strip.titles()[0]


def _shown(view: LineCook | StatsPanel, width: int, height: int, last: list[str]) -> str:
    """What the screen shows on this frame: rebuilt only when the view key changed."""
    view.tick()
    if view._dirty:  # the frame protocol's own flag
        view._dirty = False
        last[:] = [" ".join(line.text for line in view.build(width, height))]
    return last[0]


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_the_hold_going_on_reads_the_same_in_the_lane_and_the_stats_on_every_frame(
    mode: Mode,
) -> None:
    """A first hold going on: the lane's 'COOK BUSY 1.18 s' and the stats' stall time are one
    fact (the time held so far; no earlier hold), frame by frame at 30 Hz. The stats redrew at
    4 Hz and read 'stalls 935 ms' on the same frame."""
    where = "cook" if mode == "sync" else "loop"
    step = {"id": "A", "n": 1, "i": 0, "kind": "cpu", "label": "think", "where": where}
    board = Board()
    board.apply_all(
        [
            _hello(mode),
            _event("arrived", 0.0, dish="chat", front_desk=1, id="A", n=1),
            _event("seated", 0.001, mode=mode, cook=0, prep_shelf=False, id="A", n=1),
            _event("step_started", 0.002, nominal_s=2.0, **step),
        ]
    )
    assert board.held is not None
    scene = Scene(board, T0)
    lane, stats = LineCook(scene), StatsPanel(scene)
    lane_seen: list[str] = [""]
    stats_seen: list[str] = [""]
    for frame in range(1, 60):
        scene.now = T0 + 0.002 + frame / 30
        lane_text = _shown(lane, 39, 12, lane_seen)
        stats_text = _shown(stats, 32, 8, stats_seen)
        held = re.search(r"(?:COOK BUSY|LOOP HELD) +(\d[\d.]* m?s)", lane_text)
        stalls = re.search(r"stalls +(\d[\d.]* m?s)", stats_text)
        assert held is not None and stalls is not None, (lane_text, stats_text)
        assert held[1] == stalls[1], (frame, lane_text, stats_text)


def test_after_a_mode_switch_the_loop_lane_does_not_show_the_sync_stall_as_its_own() -> None:
    """In sync, A held the only cook 2 s and kept B waiting; then `m m` to async. The loop's
    lane read "costliest stall A held the cook 2.00 s ... delayed 1 ticket" under "one event
    loop": the old kitchen's stall under the new one's name. It is labelled as the earlier
    kitchen's until the new kitchen has a stall of its own, which then takes its place."""
    cook = {"id": "A", "n": 1, "i": 0, "kind": "cpu", "label": "think", "where": "cook"}
    board = Board()
    board.apply_all(
        [
            _hello("sync"),
            _event("arrived", 0.0, dish="chat", front_desk=1, id="A", n=1),
            _event("seated", 0.001, mode="sync", cook=0, prep_shelf=False, id="A", n=1),
            _event("step_started", 0.002, nominal_s=2.0, **cook),
            _event("arrived", 0.1, dish="redis", front_desk=1, id="B", n=2),
            _event("step_finished", 2.002, measured_s=2.0, story_s=2.0, cpu_s=2.0, **cook),
        ]
    )
    board.recount_stall_victims(T0 + 2.5)
    before = board.last_stall
    assert before is not None and before.victims == 1, before
    switch = KitchenSettings(mode="async").to_json()
    board.apply_all([_event("settings", 3.0, settings=switch)])
    scene = Scene(board, T0 + 3.1)
    lane = " ".join(line.text for line in LineCook(scene).build(60, 12))
    assert "earlier sync kitchen's" in lane, lane
    assert not re.search(r"(?<!kitchen's )costliest stall A", lane), lane
    # The async kitchen's own stall (the loop held 80 ms) takes the lane.
    loop = {"id": "C", "n": 3, "i": 0, "kind": "cpu", "label": "think", "where": "loop"}
    board.apply_all(
        [
            _event("arrived", 3.2, dish="chat", front_desk=1, id="C", n=3),
            _event("seated", 3.201, mode="async", cook=None, prep_shelf=False, id="C", n=3),
            _event("step_started", 3.202, nominal_s=0.08, **loop),
            _event("step_finished", 3.282, measured_s=0.08, story_s=0.08, cpu_s=0.08, **loop),
        ]
    )
    board.recount_stall_victims(T0 + 5.0)
    scene.now = T0 + 5.0
    lane = " ".join(line.text for line in LineCook(scene).build(60, 12))
    assert re.search(r"(costliest|last) stall C held the loop 80 ms", lane), lane
    assert "sync kitchen" not in lane, lane


def _held_cook(worker: int | None, n: int, at: float, seconds: float | None) -> list[Event]:
    """Ticket n on a worker's only cook (sync; None: the one kitchen's): a CPU step of `seconds`
    (None: still going)."""
    ids: dict[str, Any] = {"id": f"W{n}", "n": n}
    on = {} if worker is None else {"worker": worker}
    step = {**ids, "i": 0, "kind": "cpu", "label": "think", "where": "cook", **on}
    events = [
        _event("arrived", at, dish="chat", front_desk=1, **ids),
        *([_event("accepted", at, **on, **ids)] if on else []),
        _event("seated", at, mode="sync", cook=0, prep_shelf=False, **on, **ids),
        _event("step_started", at + 0.001, nominal_s=1.0, **step),
    ]
    if seconds is not None:
        end = at + 0.001 + seconds
        events.append(
            _event("step_finished", end, measured_s=seconds, story_s=seconds, cpu_s=seconds, **step)
        )
    return events


def _axis_marks(board: Board, now: float, width: int) -> str:
    return Timeline(Scene(board, T0 + now)).build(width, 10)[0].text


def test_the_axis_marks_one_workers_stall_apart_from_one_holding_every_ticket() -> None:
    """With three workers, w1's cook held 1 s while w2 and w3 kept serving: the axis read
    '!!!!!!', which the help calls 'one step holding every ticket'. One worker's stall is ':';
    '!' only where every worker was held at once."""
    settings = KitchenSettings(mode="sync", workers=3).to_json()
    hello = _event("hello", 0.0, pid=1, backend="asyncio", settings=settings, menu={})
    ups = [_event("worker_up", 0.0, worker=w, pid=10 + w) for w in (1, 2, 3)]
    board = Board()
    board.apply_all([hello, *ups, *_held_cook(1, 1, 0.0, 1.0)])
    axis = _axis_marks(board, 2.0, 80)
    assert ":" in axis and "!" not in axis, axis
    # All three held at once (w2 and w3 start while w1 still holds): '!' where they overlap.
    board.apply_all([*_held_cook(2, 2, 2.0, 1.0), *_held_cook(3, 3, 2.0, 1.0)])
    board.apply_all(_held_cook(1, 4, 2.0, None))
    assert "!" in _axis_marks(board, 2.8, 80)


def test_stall_marks_keep_off_the_axis_labels() -> None:
    """At 80x24 in sync the axis read '0s!!!!!!!!0.5s!!!!!!1s': a space keeps each label whole."""
    board = Board()
    board.apply_all([_hello("sync"), *_held_cook(None, 1, 0.0, None)])
    axis = _axis_marks(board, 1.6, 80)
    labels = re.findall(r"\S*\d+(?:\.\d+)?s\S*", axis[13:])
    assert labels and all(re.fullmatch(r"\d+(?:\.\d+)?s", label) for label in labels), axis
