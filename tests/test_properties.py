"""Property: for any small scenario, in every mode and remedy, the kitchen serves each order (and
finishes each job) when the model says it would, once the model is fed the step durations the
kitchen really measured, and turns away at a small front desk the orders the model turns away."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st

from kitchen_tui.protocol.menu import Dish, Step, StepKind
from kitchen_tui.protocol.orders import Order
from kitchen_tui.protocol.settings import GIL_SWITCH_S, KitchenSettings, Mode
from kitchen_tui.stream.headless import run_scenario
from kitchen_tui.stream.model import predict
from kitchen_tui.talk.scenario import Scenario, full_menu
from tests.conftest import ABS_TOLERANCE_S, close_enough, machine_stretch, scenario
from tests.measured import measured_durations, measured_turns

# Milliseconds per step kind, as the issue sets them.
STEP_MS: dict[StepKind, tuple[int, int]] = {"wait": (5, 80), "cpu": (2, 30), "blocking": (5, 40)}
EXAMPLES = 8  # per mode and remedies: about a second each
# (mode, fix_blocking, fix_cpu): each mode with the remedies it can serve, the loop's in pairs.
CASES = [
    *(
        (mode, "inline", fix)
        for mode in ("sync", "threads", "async")
        for fix in ("inline", "prep_shelf", "job")
    ),
    # The model now has what made these late (docs/model.md): to_thread's hops and its wait
    # for the GIL, the loop's order around holds, checkpointed slices as the kitchen cut them
    # and the loop's own turn between them. Two were expected to fail on a busy machine
    # (docs/model.md, "The property cases that were expected to fail"); on a quiet one each
    # passed ten runs in ten, and CI runs every timed test alone.
    ("async", "to_thread", "inline"),
    ("async", "await", "checkpoints"),
    ("async", "inline", "checkpoints"),
    ("async", "to_thread", "to_thread"),
    ("async", "await", "job"),
]
# How late the kitchen's own clockwork may be on its own: a ticket is seated 0.2 to 1 ms after
# it arrives (the doorman's and the loop's wake-ups), and a timer rounds up to the millisecond.
JITTER_S = 0.0015


def step_ranges(mode: Mode, fix_cpu: str) -> dict[StepKind, tuple[int, int]]:
    """The step kinds and lengths a mode is checked with, and the two limits of the model.

    - Threads: the model shares the GIL evenly; the real GIL hands over in time slices and not
      quite fairly, an error that grows with the work, so cpu steps stay short (2-5 ms).
    - Async with the prep shelf: asyncio notices a shelf job's return when it reads the
      worker's pipe, after the tasks its timers woke in the same round; the model counts the
      ticket ready when the worker finishes. The two order differently only while steps stall
      the loop, so this case has no blocking steps (with the shelf on, no cpu step is inline).
      A job's return is heard the same way.
    - CPU on a to_thread worker: each wake-up of the loop waits for the GIL, up to one switch
      interval (5 ms) of it, where the model counts a whole one; cpu steps stay short.
    """
    ranges = dict(STEP_MS)
    if mode == "threads":
        ranges["cpu"] = (2, 5)
    if mode == "async" and fix_cpu in ("prep_shelf", "job"):
        del ranges["blocking"]
    if fix_cpu == "to_thread":
        ranges["cpu"] = (2, 10)
    return ranges


def gil_slack(plan: Scenario, kitchen: KitchenSettings, order_id: str) -> float:
    """How far a computing to_thread worker may move an order from the model: one switch
    interval for each time the order wakes the loop (arriving, and after each step)."""
    if kitchen.cpu_fix != "to_thread":
        return 0.0
    order = next(o for o in plan.orders if o.id == order_id)
    return GIL_SWITCH_S * (len(full_menu(plan)[order.dish].steps) + 1)


@st.composite
def steps(draw: st.DrawFn, ranges: dict[StepKind, tuple[int, int]]) -> Step:
    kind: StepKind = draw(st.sampled_from(sorted(ranges)))
    low, high = ranges[kind]
    return Step(kind, draw(st.integers(low, high)) / 1000, kind)


@st.composite
def scenarios(draw: st.DrawFn, ranges: dict[StepKind, tuple[int, int]]) -> Scenario:
    """2-6 orders, each with its own 1-3 step dish, arriving >= 3 ms apart within 0.3 s."""
    count = draw(st.integers(2, 6))
    gaps = draw(st.lists(st.integers(3, 60), min_size=count - 1, max_size=count - 1))
    at_ms = [0]
    for gap in gaps:
        at_ms.append(at_ms[-1] + gap)
    dishes = [
        Dish(f"d{i}", f"d{i}", tuple(draw(st.lists(steps(ranges), min_size=1, max_size=3))))
        for i in range(count)
    ]
    orders = [Order(f"o{i}", f"d{i}", ms / 1000) for i, ms in enumerate(at_ms)]
    return scenario(orders, dishes, name="property")


@pytest.mark.slow
@pytest.mark.timeout(240)
@pytest.mark.parametrize(("mode", "fix_blocking", "fix_cpu"), CASES)
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    # No shrinking: every run is a real kitchen; the failure message carries the whole case.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.filter_too_much,
    ],
    print_blob=True,
)
@given(data=st.data(), cooks=st.integers(1, 3), desk=st.sampled_from([1, 2, 1000]))
def test_measured_latency_is_the_models(
    mode: Mode, fix_blocking: str, fix_cpu: str, data: st.DataObject, cooks: int, desk: int
) -> None:
    plan = data.draw(scenarios(step_ranges(mode, fix_cpu)), label="plan")
    fixes = {"fix_blocking": fix_blocking, "fix_cpu": fix_cpu}
    knobs = {"mode": mode, "cooks": cooks, "front_desk": desk, **fixes}
    kitchen = KitchenSettings.from_json(knobs)
    assume(not ambiguous(plan, kitchen))
    misses = disagreements(plan, kitchen)
    if misses:
        # One more run of the same case: a scheduling error repeats, a busy moment on the
        # shared machine (another process taking the core) rarely does. While the machine is
        # measurably busy (a CPU burn takes 2 to 3 times its CPU time: misses of 7 to 13 ms
        # were seen at load 6), the 5 ms scale by that much; on a quiet one they stay 5 ms.
        stretch = machine_stretch()
        misses = disagreements(plan, kitchen, ABS_TOLERANCE_S * stretch)
        stretch = max(stretch, machine_stretch())
        assert not misses, f"{misses} (tolerance x{stretch:.1f}, the machine's stretch)"


def ambiguous(
    plan: Scenario,
    kitchen: KitchenSettings,
    durations: Mapping[str, Sequence[float]] | None = None,
    turns: Mapping[str, Sequence[float]] | None = None,
) -> bool:
    """True when one order running JITTER_S late changes some order's predicted latency past
    the tolerance: two events, closer than a real clock can order them, decide that case
    (say, a wait ending 1 ms before another ticket's blocking step arrives).

    Late means arriving later, or any one of its steps taking longer: the kitchen's wake-up
    slack adds up along a ticket's steps, which arriving late alone does not show. Checked
    before a run with nominal durations and, when the run disagrees, with the measured ones.
    """
    menu = full_menu(plan)
    steps = {o.id: [step.seconds for step in menu[o.dish].steps] for o in plan.orders}
    steps.update({k: list(v) for k, v in (durations or {}).items()})
    base = predict(plan.orders, menu, kitchen, durations=steps, turns=turns)
    variants: list[tuple[list[Order], dict[str, list[float]]]] = []
    for late in plan.orders:
        moved = [replace(late, at=late.at + JITTER_S) if o is late else o for o in plan.orders]
        variants.append((moved, steps))
        for i in range(len(steps[late.id])):
            longer = list(steps[late.id])
            longer[i] += JITTER_S
            variants.append((list(plan.orders), {**steps, late.id: longer}))
    for orders, lengths in variants:
        predicted = predict(orders, menu, kitchen, durations=lengths, turns=turns)
        for before, after in zip(base, predicted, strict=True):
            if before.refused or after.refused:
                if before.refused != after.refused:  # turned away, or not, by a hair
                    return True
                continue
            assert before.latency is not None and after.latency is not None
            if not close_enough(after.latency, before.latency):
                return True
    return False


def disagreements(plan: Scenario, kitchen: KitchenSettings, abs_s: float = ABS_TOLERANCE_S) -> str:
    """Serve `plan` for real; each order whose latency is not the model's (`abs_s` + 1 %),
    in one line."""
    result = run_scenario(plan, kitchen)
    durations = measured_durations(result.events)
    turns = measured_turns(result.events)
    predictions = predict(plan.orders, full_menu(plan), kitchen, durations=durations, turns=turns)
    misses = []
    for order, prediction in zip(result.orders, predictions, strict=True):
        expected = "refused" if prediction.refused else "served"
        if order.outcome != expected:
            misses.append(f"{order.id} at {order.at:.3f}: {order.outcome}, model {expected}")
            continue
        if prediction.refused:
            continue
        assert order.latency_s is not None and prediction.latency is not None
        slack = gil_slack(plan, kitchen, order.id)
        if not close_enough(order.latency_s, prediction.latency, abs_s=abs_s + slack):
            misses.append(
                f"{order.id} at {order.at:.3f}: measured {order.latency_s:.4f},"
                f" model {prediction.latency:.4f}"
            )
        job, predicted_job = order.job_latency_s, prediction.job_latency
        if (job is None) != (predicted_job is None) or not close_enough(
            job or 0, predicted_job or 0, abs_s=abs_s
        ):
            misses.append(f"{order.id}'s job: measured {job}, model {predicted_job}")
    if not misses:
        return ""
    # A near tie that only the measured durations reveal: no clock can check that case.
    assume(not ambiguous(plan, kitchen, durations, turns))
    menu = {d.name: [(s.kind, s.seconds) for s in d.steps] for d in plan.dishes.values()}
    return "; ".join(misses) + f"; dishes {menu}; measured {dict(durations)}"
