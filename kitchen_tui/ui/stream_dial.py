"""The rate dial: the steps a steady stream's rate goes through, and where it starts.

The steps are the R10 preferred numbers (ten a decade, each about 1.26 times the last), fine
enough to walk up to a knee and see it: the lesson's chat message has sync's at 0.54 a second,
threads' at 21.7 and async's at 25.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kitchen_tui.protocol.commands import SetStream
from kitchen_tui.stream.capacity import capacity_as_sent
from kitchen_tui.talk.load import MAX_REAL_RATE_PER_S
from kitchen_tui.ui.commands import RunStream
from kitchen_tui.ui.keys import KEY_BY_ACTION

_R10 = (1.0, 1.25, 1.6, 2.0, 2.5, 3.2, 4.0, 5.0, 6.3, 8.0)
RATES = tuple(round(step * 10.0**decade, 3) for decade in range(-1, 3) for step in _R10)
DEFAULT_MIX: dict[str, int] = {"message": 1}  # the lesson's chat message
START_SHARE = 0.5  # a new stream starts at about half what the kitchen can serve
NO_LIMIT_START = 10.0  # where it starts for a kitchen nothing limits (waits on a loop)


def toggled(
    running: SetStream | None, menu: Mapping[str, Any], settings: Mapping[str, Any]
) -> RunStream:
    """The l key: start a stream at about half the kitchen's capacity, or stop the one running."""
    if running is not None:
        return RunStream(0.0, dict(running.mix))
    return RunStream(start_rate(DEFAULT_MIX, menu, settings), dict(DEFAULT_MIX))


def turned(
    running: SetStream | None,
    direction: int,
    menu: Mapping[str, Any],
    settings: Mapping[str, Any],
    speed: float,
) -> RunStream:
    """The > and < keys: the next step of the rate (> starts a stream when none runs)."""
    key = KEY_BY_ACTION[f"stream_rate({1 if direction > 0 else -1})"]
    if running is None:
        return RunStream(start_rate(DEFAULT_MIX, menu, settings), dict(DEFAULT_MIX), key)
    return RunStream(rate_step(running.rate, direction, speed), dict(running.mix), key)


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
    dishes = next(iter(mix)) if len(mix) == 1 else " ".join(f"{d}:{w}" for d, w in mix.items())
    return f"{rate:g}/s {dishes}"
