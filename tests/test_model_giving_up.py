"""The model's walk-outs, timeouts and wasted work: examples worked by hand, and properties in
every mode (the kitchen cannot tell a walk-out; a deadline ends an order as its mode can)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from kitchen_tui.protocol.menu import Dish, Step
from kitchen_tui.protocol.orders import Order
from kitchen_tui.protocol.settings import KitchenSettings, Mode
from kitchen_tui.stream.model import Prediction, predict
from tests.conftest import dish
from tests.test_model import workloads

MODES: tuple[Mode, ...] = ("sync", "threads", "async")
EPS = 1e-9
NAP = {"nap": dish("nap", ("wait", 1.0))}


def _one(orders: list[Order], menu: dict[str, Dish], **knobs: object) -> list[Prediction]:
    return predict(orders, menu, KitchenSettings.from_json({"front_desk": 1000, **knobs}))


def test_sync_kills_at_the_deadline_from_the_seat_and_cooks_the_next() -> None:
    a, b = _one([Order("A", "nap"), Order("B", "nap")], NAP, mode="sync", deadline=0.4)
    assert a.timed_out and b.timed_out
    assert [a.latency, b.seated, b.latency] == pytest.approx([0.4, 0.4, 0.8])


def test_threads_times_out_at_the_desk_and_a_cook_runs_on() -> None:
    a, b = _one([Order("A", "nap"), Order("B", "nap")], NAP, mode="threads", cooks=1, deadline=0.3)
    assert a.timed_out and b.timed_out and b.seated is None
    assert [a.latency, a.wasted, b.latency] == pytest.approx([1.0, 0.7, 0.3])


def test_async_cancels_at_an_await_and_not_inside_a_loop_step() -> None:
    menu = {
        "hog": dish("hog", ("blocking", 0.6), ("wait", 0.5)),
        "late": dish("late", ("wait", 0.1), ("blocking", 0.5)),
    }
    hog, late = _one([Order("H", "hog"), Order("L", "late", at=2.0)], menu, deadline=0.3)
    assert hog.timed_out and not late.timed_out  # served late: no await after the deadline
    assert [hog.latency, hog.wasted, late.latency] == pytest.approx([0.6, 0.3, 0.6])


def test_a_woken_ticket_runs_its_loop_step_before_the_cancel_lands() -> None:
    """anyio delivers a cancel at an await: a task whose wait is over runs on to the next."""
    menu = {"qc": dish("qc", ("wait", 0.05), ("cpu", 0.2), ("wait", 0.1))}
    predictions = _one([Order(f"Q{i}", "qc") for i in range(5)], menu, deadline=0.3)
    # Each ticket woke from its first wait before the deadline and ran its 0.2 s on the loop
    # all the same; the cancels land at the last waits, once the loop is free at 1.05 s.
    assert all(p.timed_out for p in predictions)
    assert [p.latency for p in predictions] == [pytest.approx(1.05)] * 5


@pytest.mark.parametrize("mode", MODES)
def test_a_customer_who_walks_out_is_cooked_for_in_full(mode: Mode) -> None:
    orders = [Order("A", "nap", patience=0.3), Order("B", "nap")]
    a, b = _one(orders, NAP, mode=mode, cooks=1)
    assert a.walked_out and not b.walked_out
    assert [a.latency, a.wasted] == pytest.approx([1.0, 0.7])


# --- properties -------------------------------------------------------------------------------

LIMITS = st.sampled_from([0.0, 0.02, 0.08, 0.2, 0.6])


@settings(max_examples=200, deadline=None)
@given(workloads(), st.sampled_from(MODES), LIMITS, LIMITS, st.integers(1, 3))
def test_the_kitchen_cannot_tell_a_walk_out(
    work: tuple[list[Order], dict[str, Dish]],
    mode: Mode,
    patience: float,
    deadline: float,
    cooks: int,
) -> None:
    """Patience changes who is there for the answer, never when the kitchen answers."""
    orders, menu = work
    base = _one(orders, menu, mode=mode, cooks=cooks, deadline=deadline)
    impatient = _one(orders, menu, mode=mode, cooks=cooks, deadline=deadline, patience=patience)
    for before, after in zip(base, impatient, strict=True):
        assert (before.served, before.timed_out) == (after.served, after.timed_out)
        assert after.served is not None
        leaves = after.arrived + patience
        assert after.walked_out == (patience > 0 and after.served > leaves)
        if not after.timed_out:  # work after the customer left, at most the time since
            assert after.wasted <= (after.served - leaves if after.walked_out else 0) + EPS


@settings(max_examples=200, deadline=None)
@given(workloads(), st.sampled_from(MODES), LIMITS, st.integers(1, 3))
def test_a_deadline_ends_an_order_only_once_it_has_passed(
    work: tuple[list[Order], dict[str, Dish]], mode: Mode, deadline: float, cooks: int
) -> None:
    orders, menu = work
    for p in _one(orders, menu, mode=mode, cooks=cooks, deadline=deadline):
        assert p.latency is not None and 0 <= p.wasted <= p.latency + EPS
        if not p.timed_out:
            continue
        assert deadline > 0
        # From arrival in threads; from the seat in sync and async (a threads ticket may
        # never be seated).
        start = p.arrived if mode == "threads" or p.seated is None else p.seated
        assert p.served is not None and p.served >= start + deadline - EPS
        if mode == "sync":  # gunicorn kills the worker right at its timeout
            assert p.served == pytest.approx(start + deadline)


@settings(max_examples=200, deadline=None)
@given(workloads(), st.sampled_from(MODES), st.integers(1, 3))
def test_no_deadline_and_no_patience_is_the_model_as_before(
    work: tuple[list[Order], dict[str, Dish]], mode: Mode, cooks: int
) -> None:
    orders, menu = work
    for p in _one(orders, menu, mode=mode, cooks=cooks):
        assert not p.timed_out and not p.walked_out and p.wasted == 0.0


ELEVEN_SECONDS_ON_ONE_LOOP = (  # found by hypothesis: the eleventh was seated at 10.0 s
    [Order(id=f"o{i}", dish="d0", at=0.0) for i in range(11)],
    {"d0": Dish("d0", "d0", (Step("cpu", 0.5, "cpu"), Step("cpu", 0.5, "cpu")))},
)


@settings(max_examples=100, deadline=None)
@given(workloads(), LIMITS)
@example(ELEVEN_SECONDS_ON_ONE_LOOP, 0.0)
def test_an_orders_own_patience_wins_over_the_kitchens(
    work: tuple[list[Order], dict[str, Dish]], patience: float
) -> None:
    orders, menu = work
    # Longer than every order's work end to end on the one loop (eleven 1 s orders took 11 s).
    every_step = sum(step.seconds for order in orders for step in menu[order.dish].steps)
    own = [
        replace(order, patience=every_step + max(o.at for o in orders) + 1.0) for order in orders
    ]
    for p in _one(own, menu, mode="async", patience=patience or 0.01):
        assert not p.walked_out
