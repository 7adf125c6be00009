"""What an overload did, read from a headless report (`report --json`): how the front desk
grew, when the first order was 86'd and the first customer walked out, and how soon after the
overload the kitchen served newcomers as if it were idle again (its recovery)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

RECOVERED = 1.5  # a newcomer served within this many times its dish's own time: recovered

Order = Mapping[str, Any]


@dataclass(frozen=True)
class Overload:
    """The story of one overload, in story seconds from the start of the run."""

    desk_wait_peak_s: float  # the longest an order waited at the front desk
    first_86_s: float | None  # arrival of the first order 86'd
    first_walk_out_s: float | None  # when the first customer left (arrival + patience)
    recovery_s: float | None  # from the overload's end to the first newcomer served promptly
    served: int
    refused: int
    walked_out: int
    timed_out: int
    wasted_s: float


def overload(report: Mapping[str, Any], ends_s: float, nominal_s: float) -> Overload:
    """The figures of `report` for an overload that ended at `ends_s`, of a dish that takes
    `nominal_s` on an idle kitchen."""
    orders: Sequence[Order] = report["orders"]
    summary = report["summary"]
    patience = report["settings"].get("patience") or 0.0
    refused = [o["arrived_s"] for o in orders if o["outcome"] == "refused"]
    walked = [o["arrived_s"] + patience for o in orders if o["outcome"] == "walked_out"]
    return Overload(
        desk_wait_peak_s=max((o["split"].get("front_desk", 0.0) for o in orders), default=0.0),
        first_86_s=min(refused, default=None),
        first_walk_out_s=min(walked, default=None) if patience else None,
        recovery_s=recovery(orders, ends_s, nominal_s),
        served=int(summary["served"]),
        refused=int(summary["refused"]),
        walked_out=int(summary["walked_out"]),
        timed_out=int(summary["timed_out"]),
        wasted_s=float(summary["wasted_s"]),
    )


def recovery(orders: Sequence[Order], ends_s: float, nominal_s: float) -> float | None:
    """Story seconds from `ends_s` to the arrival of the first order since then that was served
    within RECOVERED times `nominal_s`, every later one too; None if the kitchen never did."""
    after = sorted(
        (o for o in orders if o["arrived_s"] is not None and o["arrived_s"] >= ends_s),
        key=lambda o: o["arrived_s"],
    )
    prompt = [_prompt(o, nominal_s) for o in after]
    for i, order in enumerate(after):
        if all(prompt[i:]):
            return max(0.0, float(order["arrived_s"]) - ends_s)
    return None


def _prompt(order: Order, nominal_s: float) -> bool:
    latency = order["latency_s"]
    return order["outcome"] == "served" and latency is not None and latency <= RECOVERED * nominal_s


def overload_scenario(
    dish: str,
    rate: float,
    seconds: float,
    probe_every: float,
    probe_for: float,
    settings: Mapping[str, object],
) -> str:
    """A scenario file's text: a stream of `dish` at `rate` a second for `seconds` (the
    overload), then one order every `probe_every` s for `probe_for` s (newcomers, ids P1..)."""
    lines = [f"{key} = {_toml(value)}" for key, value in settings.items()]
    lines += ["[load]", f"rate = {rate:g}", 'arrivals = "even"', f"seconds = {seconds:g}"]
    lines += [f"mix = {{ {dish} = 1 }}", "[[orders]]", 'id = "P"', f'dish = "{dish}"']
    lines += [f"at = {seconds:g}", f"count = {max(1, round(probe_for / probe_every))}"]
    lines.append(f"every = {probe_every:g}")
    return "\n".join(lines) + "\n"


def _toml(value: object) -> str:
    return (
        f'"{value}"'
        if isinstance(value, str)
        else f"{value:g}"
        if isinstance(value, float)
        else str(value)
    )
