"""A steady stream of customers: seeded open-loop arrivals, their checks, and the model's
capacity against its own discrete-event run of the same arrivals."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from kitchen_tui.protocol.menu import MENU, Dish, Step, StepKind
from kitchen_tui.protocol.settings import KitchenSettings, Mode
from kitchen_tui.stream.capacity import (
    capacity,
    littles_law,
    served_against_offered,
    steady_throughput,
)
from kitchen_tui.stream.headless import run_scenario
from kitchen_tui.stream.model import predict
from kitchen_tui.talk.load import LoadSpec, check_rate, parse_mix
from kitchen_tui.talk.scenario import Scenario, parse_scenario
from tests.conftest import SCHEDULING_TOLERANCE_S, kitchen_tui, usage_error

MENU_NAMES = tuple(MENU)
POISSON_SEED = 7  # its 4 s at 5 a second hold 27 arrivals, not 20 (found by trying seeds)


def test_poisson_arrivals_repeat_for_a_seed_and_differ_for_another() -> None:
    spec = LoadSpec(rate=20.0, seconds=60.0, mix={"message": 9, "pdf": 1}, seed=1)
    first, again = spec.orders(), spec.orders()
    assert first == again
    other = LoadSpec(rate=20.0, seconds=60.0, mix={"message": 9, "pdf": 1}, seed=2).orders()
    assert [o.at for o in other] != [o.at for o in first]
    # 1,200 expected: a Poisson count is within 4 standard deviations (4 x 35) of it.
    assert abs(len(first) - 1200) < 140
    pdfs = sum(order.dish == "pdf" for order in first)
    assert 0.05 < pdfs / len(first) < 0.15
    assert all(0 <= a.at <= b.at < 60 for a, b in itertools.pairwise(first))


def test_even_arrivals_are_exactly_one_every_1_over_rate() -> None:
    orders = LoadSpec(rate=4.0, seconds=10.0, arrivals="even", at=2.0).orders()
    assert [o.at for o in orders] == [2.0 + n / 4 for n in range(40)]
    assert [o.id for o in orders[:3]] == ["L1", "L2", "L3"]


def test_a_load_table_in_a_scenario_stamps_its_orders_beside_the_files_own() -> None:
    text = """
        mode = "threads"
        [[orders]]
        dish = "llm"
        at = 0.5
        [load]
        rate = 20.0
        arrivals = "poisson"
        seed = 1
        seconds = 60
        mix = { message = 9, pdf = 1 }
    """
    scenario = parse_scenario(text, "steady.toml")
    assert scenario.load == LoadSpec(20.0, 60.0, {"message": 9, "pdf": 1}, "poisson", 1)
    assert len(scenario.orders) == len(scenario.load.orders()) + 1
    assert [o.at for o in scenario.orders] == sorted(o.at for o in scenario.orders)


@pytest.mark.parametrize(
    ("table", "words"),
    [
        ("rate = 0.0", "load.rate: must be above 0"),
        ("rate = -1.0", "load.rate: must be above 0 customers a second, got -1"),
        ("rate = 'fast'", "load.rate: expected a number"),
        ("rate = 5000.0", "past the 1000 the doorman can seat"),
        ("rate = 1.0\nmix = {}", "load.mix: empty"),
        ("rate = 1.0\nmix = { mesage = 1 }", "unknown dish; did you mean 'message'?"),
        ("rate = 1.0\nmix = { message = 0 }", "load.mix.message: expected an integer from 1"),
        ("rate = 1.0\narrivals = 'bursty'", "load.arrivals: expected one of poisson, even"),
        ("seconds = 5", "load.rate: missing"),
        ("rate = 100.0\nseconds = 3600", "past 100000 orders"),
        ("rate = 1.0\nburst = 2", "load.burst: unknown key"),
    ],
)
def test_bad_load_tables_are_one_line_naming_the_key(table: str, words: str) -> None:
    message = usage_error(parse_scenario, f"[load]\n{table}\n", "bad.toml")
    assert message.startswith("bad.toml: load")
    assert words in message


def test_bad_load_in_a_file_is_exit_2_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "zero.toml"
    path.write_text("[load]\nrate = 0.0\n")
    run = kitchen_tui("report", "--scenario", str(path))
    assert run.returncode == 2
    assert len(run.stderr.strip().splitlines()) == 1
    assert "load.rate" in run.stderr


def test_rate_past_what_the_doorman_seats_counts_the_speed() -> None:
    check_rate(100.0, speed=10.0)
    assert "1100 real arrivals" in usage_error(check_rate, 110.0, 10.0)
    assert "above 0" in usage_error(check_rate, -2.0, 1.0)
    assert "above 0" in usage_error(check_rate, math.nan, 1.0)


def test_mix_option() -> None:
    assert parse_mix("message=9, pdf=1", MENU_NAMES) == {"message": 9, "pdf": 1}
    assert parse_mix("llm", MENU_NAMES) == {"llm": 1}
    assert "empty" in usage_error(parse_mix, " , ", MENU_NAMES)
    assert "DISH=WEIGHT" in usage_error(parse_mix, "message=lots", MENU_NAMES)
    assert "unknown dish 'soup'" in usage_error(parse_mix, "soup=1", MENU_NAMES)
    assert ">= 1" in usage_error(parse_mix, "message=-1", MENU_NAMES)


def test_the_lessons_chat_message_capacities_are_the_arithmetic() -> None:
    def per_s(**changes: object) -> float:
        return capacity({"message": 1}, MENU, KitchenSettings().changed(changes)).per_s

    assert per_s(mode="sync") == pytest.approx(1 / 1.84)
    assert per_s(mode="threads", cooks=40) == pytest.approx(40 / 1.84)
    assert per_s(mode="threads", cooks=400) == pytest.approx(25.0)  # the GIL's cap
    assert per_s(mode="async") == pytest.approx(25.0)
    assert per_s(mode="async", fix_cpu="prep_shelf", shelf_size=3) == pytest.approx(75.0)


# --- the model of open-loop load against the capacity --------------------------------------

KINDS: tuple[StepKind, ...] = ("wait", "cpu", "blocking")


@st.composite
def kitchens(draw: st.DrawFn) -> tuple[Dish, KitchenSettings]:
    """A 1-3 step dish and a kitchen to serve it (remedies the capacity reads as inline)."""
    count = draw(st.integers(1, 3))
    steps = tuple(
        Step(draw(st.sampled_from(KINDS)), draw(st.integers(1, 200)) / 1000, f"step {i}")
        for i in range(count)
    )
    mode: Mode = draw(st.sampled_from(("sync", "threads", "async")))
    shelf = draw(st.booleans())
    settings = KitchenSettings(
        mode=mode,
        fix_cpu="prep_shelf" if shelf else "inline",
        cooks=draw(st.integers(1, 50)),
        shelf_size=draw(st.integers(1, 4)),
        front_desk=1_000_000,
    )
    return Dish("d", "d", steps), settings


def model_throughput(dish: Dish, kitchen: KitchenSettings, rate: float, limit: float) -> float:
    """The model's steady throughput over 300 rounds of its cooks or shelf workers served (a
    shorter window reads N cooks finishing in rounds as up to N orders too many), after the
    first order's own time (a window shorter than the dish read one or two orders, or none)."""
    rounds = max(kitchen.cooks if kitchen.mode == "threads" else 1, kitchen.shelf_workers)
    seconds = sum(step.seconds for step in dish.steps) + 300 * rounds / min(rate, limit)
    spec = LoadSpec(rate=rate, seconds=seconds, mix={"d": 1}, arrivals="even")
    served = [p.served for p in predict(spec.orders(), {"d": dish}, kitchen)]
    measured = steady_throughput([t for t in served if t is not None], seconds)
    assert measured is not None
    return measured


def test_a_kitchen_that_served_only_late_is_read_over_the_whole_run() -> None:
    """Steady: one a second over a 10 s stream. Far behind: forty answers bunched in the last
    0.3 s of the stream, then one every 0.04 s to the end of the drain: read over the whole
    run, 25 a second, not forty in 0.3 s."""
    assert steady_throughput([float(t) for t in range(1, 11)], 10.0) == pytest.approx(1.0)
    bunch = [9.7 + 0.3 * i / 39 for i in range(40)]
    drain = [10.0 + 0.04 * i for i in range(1, 461)]
    assert steady_throughput(bunch + drain, 10.0) == pytest.approx(499 / (drain[-1] - 9.7))
    assert steady_throughput([5.0], 10.0) is None


def test_a_kitchen_is_never_read_as_serving_more_than_it_was_offered() -> None:
    """One a second for 10 s, the first order 1 s late (a cold start): served over [2, 10],
    nine answers in 8 s read 1.125 a second, faster than anyone came; held against the
    arrivals of the same orders, 1 a second. A kitchen that falls behind (each order 0.5 s
    later than the one before) reads what it served, below what came."""
    arrivals = [float(t) for t in range(10)]
    cold = [(a, a + (2.0 if a == 0 else 1.0)) for a in arrivals]
    assert (steady_throughput([done for _, done in cold], 10.0) or 0.0) > 1.1
    read = served_against_offered(list(cold), 10.0)
    assert read is not None
    assert read.served_per_s == pytest.approx(1.0) and read.offered_per_s == pytest.approx(1.0)
    behind = [(a, a + 1.0 + 0.5 * a) for a in arrivals[:7]]
    read = served_against_offered([*behind, (7.0, None), (8.0, None)], 10.0)
    assert read is not None
    assert read.served_per_s == pytest.approx(6 / 9.0)  # served from 1.0 to 10.0
    assert read.offered_per_s == pytest.approx(1.0)  # all who came from 0 to 6, served or not
    assert served_against_offered([(0.0, None), (1.0, 2.0)], 10.0) is None  # one answer


def test_a_poisson_window_that_held_more_customers_reads_them_and_no_more() -> None:
    """A seeded Poisson stream whose arrivals came faster than its rate: a kitchen far below
    its capacity (the model's async loop, 5 chats a second against 25) serves what came, so
    the served rate of that window reads above the rate; held against the same arrivals, it
    reads what was offered, never more."""
    rate, seconds = 5.0, 4.0
    spec = LoadSpec(rate, seconds, {"message": 1}, "poisson", POISSON_SEED)
    predicted = predict(spec.orders(), MENU, KitchenSettings(mode="async"))
    served = [p.served for p in predicted if p.served is not None]
    assert (steady_throughput(served, seconds) or 0.0) > 1.1 * rate  # the window's luck
    read = served_against_offered([(p.arrived, p.served) for p in predicted], seconds)
    assert read is not None
    assert read.served_per_s <= read.offered_per_s
    assert read.served_per_s == pytest.approx(read.offered_per_s, rel=0.05)  # it kept up


@settings(max_examples=60, deadline=None)
@given(kitchens(), st.floats(0.2, 0.9))
def test_below_capacity_the_model_keeps_up_with_the_stream(
    kitchen: tuple[Dish, KitchenSettings], load: float
) -> None:
    dish, kitchen_settings = kitchen
    limit = capacity({"d": 1}, {"d": dish}, kitchen_settings).per_s
    rate = load * min(limit, 200.0)
    assert model_throughput(dish, kitchen_settings, rate, limit) == pytest.approx(rate, rel=0.03)


SHORT_CPU_ON_A_LOOP = (  # 1000/s through the loop, each order 0.3 s long: found by hypothesis
    Dish("d", "d", (Step("wait", 0.149, "a"), Step("cpu", 0.001, "b"), Step("wait", 0.148, "c"))),
    KitchenSettings(mode="async", front_desk=1_000_000),
)


@settings(max_examples=60, deadline=None)
@given(kitchens(), st.floats(1.0, 3.0))
@example(SHORT_CPU_ON_A_LOOP, 1.0)
def test_past_capacity_the_model_never_serves_faster_than_it(
    kitchen: tuple[Dish, KitchenSettings], load: float
) -> None:
    dish, kitchen_settings = kitchen
    limit = capacity({"d": 1}, {"d": dish}, kitchen_settings).per_s
    if math.isinf(limit):  # only waits on a loop: nothing is scarce
        return
    assert model_throughput(dish, kitchen_settings, load * limit, limit) <= limit * 1.01


def test_a_kitchen_behind_its_stream_still_greets_each_customer_on_time() -> None:
    """No coordinated omission: a sync cook at twice its capacity seats each order late, but
    each arrives (is stamped) at its intended instant."""
    slow = Dish("slow", "slow", (Step("blocking", 0.1, "held"),))
    stream = LoadSpec(rate=20.0, seconds=1.0, mix={"slow": 1}, arrivals="poisson", seed=3)
    run = run_scenario(
        Scenario("stream", "stream", dishes={"slow": slow}, orders=stream.orders()),
        KitchenSettings(mode="sync"),
        keep_events=False,
    )
    assert len(run.orders) > 10
    assert all(order.outcome == "served" for order in run.orders)
    for order in run.orders:
        assert order.arrived_s is not None
        assert abs(order.arrived_s - order.at) < SCHEDULING_TOLERANCE_S
    last = run.orders[-1]
    assert last.latency_s is not None and last.latency_s > 0.3  # it did fall behind


def test_littles_law_holds_on_a_real_kitchen_under_a_steady_stream() -> None:
    """A minute of story time (six real seconds at speed 10) of chats at half the loop's
    capacity: the number in the kitchen agrees with throughput x mean latency within 5 %."""
    stream = LoadSpec(rate=12.5, seconds=60.0, mix={"message": 1}, seed=5)
    run = run_scenario(
        Scenario("steady", "steady", orders=stream.orders()),
        KitchenSettings(mode="async", speed=10.0),
        keep_events=False,
    )
    stays = [(o.arrived_s, o.served_s) for o in run.orders if o.arrived_s is not None]
    assert len(stays) == len(run.orders)
    in_kitchen, throughput_x_latency = littles_law(stays, 10.0, 60.0)
    assert in_kitchen > 20  # 12.5 a second for about 1.9 s each
    assert throughput_x_latency == pytest.approx(in_kitchen, rel=0.05)


def test_littles_law_counts_a_stay_only_inside_its_window() -> None:
    assert littles_law([(0.0, 2.0), (1.0, 3.0)], 0.0, 4.0) == (1.0, 1.0)
    # An order still in the kitchen at the end counts in L until then, not in X x W.
    assert littles_law([(0.0, 2.0), (3.0, None)], 0.0, 4.0) == (0.75, 0.5)
    with pytest.raises(ValueError):
        littles_law([], 1.0, 1.0)
