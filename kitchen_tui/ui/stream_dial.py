"""The rate dial: the steps a steady stream's rate goes through, and where it starts.

The steps are the R10 preferred numbers (ten a decade, each about 1.26 times the last), fine
enough to walk up to a knee and see it: the lesson's chat message has sync's at 0.54 a second,
threads' at 21.7 and async's at 25.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kitchen_tui.protocol.commands import SetStream
from kitchen_tui.stream.capacity import capacity_as_sent
from kitchen_tui.talk.load import MAX_REAL_RATE_PER_S
from kitchen_tui.ui.commands import RunStream
from kitchen_tui.ui.keys import KEY_BY_ACTION

_R10 = (1.0, 1.25, 1.6, 2.0, 2.5, 3.2, 4.0, 5.0, 6.3, 8.0)
RATES = tuple(round(step * 10.0**decade, 3) for decade in range(-1, 3) for step in _R10)
DEFAULT_MIX: dict[str, int] = {"message": 1}  # the lesson's chat message
# What the L key steps through: the lesson's chat message (CPU first, on the loop), the chat
# pipeline (waits, then its CPU), the mix of messages and a PDF, an LLM call (only a
# wait), a Redis lookup and the sneaky blocker (for the to_thread remedy).
MIXES: tuple[dict[str, int], ...] = (
    DEFAULT_MIX,
    {"chat": 1},
    {"message": 9, "pdf": 1},
    {"llm": 1},
    {"redis": 1},
    {"sneaky": 1},
)
START_SHARE = 0.5  # a new stream starts at about half what the kitchen can serve
NO_LIMIT_START = 10.0  # where it starts for a kitchen nothing limits (waits on a loop)


@dataclass(frozen=True)
class Dial:
    """What the dial turns for: the customers asked for (None: none), the dish or mix they
    order or would, and the kitchen as set (its menu, settings and story speed)."""

    running: SetStream | None
    mix: Mapping[str, int]
    menu: Mapping[str, Any]
    settings: Mapping[str, Any]
    speed: float

    def start_rate(self, mix: Mapping[str, int]) -> float:
        return start_rate(mix, self.menu, self.settings)


def toggled(dial: Dial) -> RunStream:
    """The l key: start a stream of the dial's mix at about half the kitchen's capacity, or
    stop the one running."""
    if dial.running is not None:
        return RunStream(0.0, dict(dial.running.mix))
    return RunStream(dial.start_rate(dial.mix), dict(dial.mix))


def turned(dial: Dial, direction: int) -> RunStream:
    """The > and < keys: the next step of the rate (> starts a stream when none runs)."""
    key = KEY_BY_ACTION[f"stream_rate({1 if direction > 0 else -1})"]
    if dial.running is None:
        return RunStream(dial.start_rate(dial.mix), dict(dial.mix), key)
    rate = rate_step(dial.running.rate, direction, dial.speed)
    return RunStream(rate, dict(dial.running.mix), key)


def next_mix(mix: Mapping[str, int]) -> dict[str, int]:
    """The L key's next choice after `mix` (a mix of the user's own goes back to the first)."""
    index = next((i for i, known in enumerate(MIXES) if known == dict(mix)), -1)
    return dict(MIXES[(index + 1) % len(MIXES)])


def remixed(dial: Dial, running: SetStream) -> RunStream:
    """The running stream with its customers ordering the dial's mix instead, at the same
    share of what the kitchen can serve (a rate past the knee stays past it), on a step."""
    key = KEY_BY_ACTION["stream_mix"]
    before = capacity_as_sent(running.mix, dial.menu, dial.settings)
    after = capacity_as_sent(dial.mix, dial.menu, dial.settings)
    if not before or not after or math.inf in (before, after):
        return RunStream(dial.start_rate(dial.mix), dict(dial.mix), key)
    wanted = running.rate * after / before
    return RunStream(_nearest_step(wanted, dial.speed), dict(dial.mix), key)


def _nearest_step(wanted: float, speed: float) -> float:
    steps = [r for r in RATES if r * speed <= MAX_REAL_RATE_PER_S] or [RATES[0]]
    return min(steps, key=lambda r: abs(math.log(r / wanted)))


def rate_step(current: float, direction: int, speed: float) -> float:
    """The next step up (direction > 0) or down from `current`, at most what the machine can
    stamp on time at this speed; never below the lowest step."""
    top = max(r for r in RATES if r * speed <= MAX_REAL_RATE_PER_S) if speed else RATES[0]
    if direction > 0:
        return min(next((r for r in RATES if r > current * 1.001), RATES[-1]), top)
    return min(next((r for r in reversed(RATES) if r < current * 0.999), RATES[0]), top)


def start_rate(
    mix: Mapping[str, int], menu: Mapping[str, Any], settings: Mapping[str, Any]
) -> float:
    """The step nearest half the kitchen's capacity for `mix`, as the model predicts it."""
    limit = capacity_as_sent(mix, menu, settings)
    if limit is None or limit == float("inf"):
        return NO_LIMIT_START
    wanted = limit * START_SHARE
    return min(RATES, key=lambda r: abs(r - wanted) / wanted)


def stream_words(rate: float, mix: Mapping[str, int]) -> str:
    """`12.5/s message`, or `12.5/s message:9 pdf:1` for a mix."""
    return f"{rate:g}/s {mix_words(mix)}"


def mix_words(mix: Mapping[str, int]) -> str:
    """`message`, or `message:9 pdf:1` for a mix."""
    return next(iter(mix)) if len(mix) == 1 else " ".join(f"{d}:{w}" for d, w in mix.items())
