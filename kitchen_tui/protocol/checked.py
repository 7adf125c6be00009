"""What the parent takes from outside as events: checked against events.py, text made printable.

`event_problem` says why a decoded JSON object is not an event of the protocol (an unknown type,
a key missing or of the wrong type, a settings or menu the kitchen could not have sent), using
the TypedDicts themselves. `printable_event` is the one sanitizer every text from a trace or the
stream passes before it can reach the screen: an escape code in a step label would otherwise
retitle or clear the terminal.
"""

from __future__ import annotations

import math
import types
import typing
from functools import cache
from typing import Any, Literal, Union, get_args, get_origin

from kitchen_tui.protocol.events import EVENT_TYPES, Event
from kitchen_tui.protocol.menu import STEP_KINDS, Dish
from kitchen_tui.protocol.settings import MAX_SPEED, MIN_SPEED, KitchenSettings

MAX_DEPTH = 8  # hello's menu is the deepest event: menu, dish, steps, step, label
# Keys version 1 gained after traces had been recorded with it (no consumer needs them):
# checked when present, not asked of an older trace.
ADDED_LATER = frozenset(
    {"shelf_s", "waited_s", "fix_blocking", "fix_cpu", "jobs_open", "jobs_queued"}
    | {"thread_tokens", "thread_limit", "token_waiting", "turns_s"}
    | {"deadline_t", "timed_out", "uneaten", "walked_out"}
)
NOT_PRINTABLE = "\ufffd"  # what an escape code, a newline or a bidi control becomes on screen

Hint = Any


def printable(text: str) -> str:
    """`text` with each character that is not printable (every control, separator and format
    character but the space) replaced by U+FFFD."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else NOT_PRINTABLE for c in text)


def printable_event(value: Any) -> Any:
    """A copy of a decoded JSON value with every string in it (keys too) made printable."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, dict):
        return {printable(str(k)): printable_event(v) for k, v in value.items()}
    if isinstance(value, list):
        return [printable_event(item) for item in value]
    return value


def event_problem(event: Event) -> str | None:
    """Why `event` is not an event of the protocol, in a few words; None if it is one."""
    kind = event.get("type")
    if not isinstance(kind, str):
        return "no event type"
    if kind not in EVENT_TYPES:
        return f"unknown event type {printable(kind)[:40]!r}"
    if _too_deep(event):
        return f"{kind}: nested too deep"
    for key, (required, hint) in _keys(kind).items():
        if key not in event:
            if required:
                return f"{kind}: missing {key!r}"
            continue
        if not _fits(event[key], hint):
            return f"{kind}: {key!r} is not {_describe(hint)}"
    return _content_problem(kind, event)


@cache
def _keys(kind: str) -> dict[str, tuple[bool, Hint]]:
    typed = EVENT_TYPES[kind]
    hints = typing.get_type_hints(typed)
    required: frozenset[str] = getattr(typed, "__required_keys__", frozenset())
    return {key: (key in required - ADDED_LATER, hint) for key, hint in hints.items()}


def _fits(value: object, hint: Hint) -> bool:
    origin: object = get_origin(hint)
    if hint is Any:
        return True
    if origin is Literal:
        return isinstance(value, str) and value in get_args(hint)
    if origin in (Union, types.UnionType):
        return any(_fits(value, option) for option in get_args(hint))
    if hint is type(None):
        return value is None
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        number = isinstance(value, int | float) and not isinstance(value, bool)
        return number and math.isfinite(value)  # type: ignore[arg-type]
    if hint is str:
        return isinstance(value, str)
    if origin is dict:
        _, values = get_args(hint)
        return isinstance(value, dict) and all(
            isinstance(k, str) and _fits(v, values) for k, v in value.items()
        )
    return False


def _describe(hint: Hint) -> str:
    origin: object = get_origin(hint)
    if origin is Literal:
        return "one of " + ", ".join(get_args(hint))
    if origin in (Union, types.UnionType):
        return " or ".join(_describe(option) for option in get_args(hint))
    if origin is dict:
        return "a table"
    names = {int: "a whole number", float: "a number", str: "a string", bool: "true or false"}
    return names.get(hint, "null" if hint is type(None) else str(hint))


def _content_problem(kind: str, event: Event) -> str | None:
    """Settings and menus are tables the kitchen writes from its own values: check them whole."""
    if "settings" in event and not _are_settings(event["settings"]):
        return f"{kind}: 'settings' are not the kitchen's settings"
    for name, dish in event.get("menu", {}).items():
        if not _is_dish(dish):
            return f"{kind}: menu dish {printable(name)[:40]!r} is not a dish"
    return None


def _are_settings(settings: dict[str, object]) -> bool:
    """Each value of the type KitchenSettings declares, the speed in its range."""
    hints = {**typing.get_type_hints(KitchenSettings), "prep_shelf": bool}
    if not all(key in hints and _fits(value, hints[key]) for key, value in settings.items()):
        return False
    speed = settings.get("speed", 1.0)
    return isinstance(speed, int | float) and MIN_SPEED <= speed <= MAX_SPEED


def _is_dish(data: object) -> bool:
    if not isinstance(data, dict) or not isinstance(data.get("steps"), list):
        return False
    try:
        dish = Dish.from_json(data)
    except (KeyError, TypeError, ValueError, AttributeError):
        return False
    return all(step.kind in STEP_KINDS and math.isfinite(step.seconds) for step in dish.steps)


def _too_deep(value: object) -> bool:
    """Deeper than any event: checked without recursion, so no depth can overflow the stack."""
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return False
