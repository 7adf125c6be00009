"""`kitchen-tui sweep`: each kitchen served for real at rising rates, its capacity curve drawn."""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from kitchen_tui.cli.options import add_force_option, check_backend
from kitchen_tui.cli.report import report_console
from kitchen_tui.cli.run_files import claim_outputs
from kitchen_tui.errors import UsageError
from kitchen_tui.outputs import stdout_writes
from kitchen_tui.protocol.commands import ChangeSettings, MalformedCommand
from kitchen_tui.protocol.menu import MENU
from kitchen_tui.protocol.settings import (
    BACKENDS,
    MAX_DEADLINE_S,
    MAX_SPEED,
    MIN_SPEED,
    WORKERS,
    KitchenSettings,
)
from kitchen_tui.stream.capacity import capacity
from kitchen_tui.stream.sweep import LOST, KitchenCurve, Point, Progress, SweepPlan, sweep
from kitchen_tui.talk.load import ARRIVALS, check_rate, parse_mix

DEFAULT_MODES = ("sync", "threads", "async")
# Multiples of each kitchen's predicted capacity: the knee sits in the middle of the chart.
DEFAULT_RATES = "0.25x,0.5x,0.75x,0.9x,1x,1.1x,1.25x,1.5x"
CHART_SUFFIXES = (".svg", ".png")
LOST_WORDS = {"refused": "86'd", "walked_out": "walked out", "timed_out": "timed out"}


def add_sweep_command(commands: Any) -> None:
    sweep_parser = commands.add_parser(
        "sweep", help="serve a steady stream at rising rates: each kitchen's capacity curve"
    )
    what = sweep_parser.add_mutually_exclusive_group()
    what.add_argument("--dish", choices=tuple(MENU), help="one dish for every customer")
    what.add_argument("--mix", help="dishes by weight, e.g. message=9,pdf=1 (default: message)")
    sweep_parser.add_argument(
        "--modes",
        nargs="+",
        default=list(DEFAULT_MODES),
        metavar="KITCHEN",
        help="kitchens: MODE[,SETTING=VALUE...], e.g. async,fix_cpu=prep_shelf,shelf_size=2",
    )
    sweep_parser.add_argument(
        "--rates",
        default=DEFAULT_RATES,
        help="orders a story second: a list (1,2,5), a range (FROM:TO:STEP), or multiples of"
        f" each kitchen's predicted capacity (0.5x,1x; default {DEFAULT_RATES})",
    )
    sweep_parser.add_argument(
        "--workers",
        metavar="COUNTS",
        help="sweep each kitchen with each of these worker counts, e.g. 1,2,4 (default 1)",
    )
    sweep_parser.add_argument("--seconds", type=float, default=20.0, help="story seconds a rate")
    sweep_parser.add_argument("--speed", type=float, default=1.0, help="story clock speed")
    sweep_parser.add_argument("--arrivals", choices=ARRIVALS, default="poisson")
    sweep_parser.add_argument("--seed", type=int, default=1)
    sweep_parser.add_argument("--out", metavar="FILE", help="the chart, .svg or .png")
    sweep_parser.add_argument("--json", action="store_true", help="print one JSON object")
    sweep_parser.add_argument("--backend", choices=BACKENDS, default="asyncio")
    add_force_option(sweep_parser)


def run_sweep(options: argparse.Namespace) -> int:
    check_backend(options.backend)
    plan = sweep_plan(options)
    kitchens = [kitchen(spec, options.speed) for spec in options.modes]
    if options.workers is not None:
        kitchens = with_workers(kitchens, options.workers)
    if not kitchens:
        raise UsageError("--modes: name at least one kitchen, e.g. --modes sync async")
    out = chart_path(options.out)
    claim_outputs(options, [("--out", out)])
    if out is not None:
        from kitchen_tui.recording.sweep_chart import check_charts

        check_charts()
    for label, settings in kitchens:
        predicted = capacity(plan.mix, plan.dishes, settings).per_s
        if plan.relative and predicted == float("inf"):
            raise UsageError(f"--rates: {label} has no limit to take multiples of; give rates")
        for rate in plan.rates_for(predicted):
            check_rate(rate, settings.speed, f"--rates ({label})")
    curves = sweep(kitchens, plan, progress=_progress_line(plan, len(kitchens)))
    with stdout_writes():
        if options.json:
            print(json.dumps({"kitchens": [curve.to_json() for curve in curves]}, indent=2))
        else:
            print_sweep(curves, report_console())
    if out is not None:
        from kitchen_tui.recording.sweep_chart import write_chart

        write_chart(curves, out, plan)
        print(f"kitchen-tui: wrote {out}", file=sys.stderr)
    return 0


def sweep_plan(options: argparse.Namespace) -> SweepPlan:
    menu = tuple(MENU)
    mix = (
        {options.dish: 1}
        if options.dish
        else parse_mix("message" if options.mix is None else options.mix, menu)
    )
    if not 0 < options.seconds <= 3600:
        raise UsageError(f"--seconds must be above 0 and at most 3600, got {options.seconds:g}")
    if not MIN_SPEED <= options.speed <= MAX_SPEED:
        raise UsageError(f"--speed must be from {MIN_SPEED} to {MAX_SPEED:g}")
    rates, relative = parse_rates(options.rates)
    return SweepPlan(
        mix, MENU, rates, relative, options.seconds, options.arrivals, options.seed, options.backend
    )


def parse_rates(text: str) -> tuple[tuple[float, ...], bool]:
    """A list (1,2,5), a range (FROM:TO:STEP, TO included) or capacity multiples (0.5x,1x)."""
    relative = text.strip().endswith("x")
    try:
        if ":" in text:
            low, high, step = (float(part) for part in text.split(":"))
            if not step > 0:
                raise UsageError(f"--rates {text}: the step must be above 0")
            count = int((high - low) / step + 1e-9) + 1
            rates = tuple(round(low + n * step, 9) for n in range(min(count, 1000)))
        else:
            parts = [part.strip().removesuffix("x") for part in text.split(",") if part.strip()]
            if relative != all(p.strip().endswith("x") for p in text.split(",") if p.strip()):
                raise UsageError(f"--rates {text}: all multiples (1x) or all rates (20), not both")
            rates = tuple(float(part) for part in parts)
    except ValueError:
        raise UsageError(f"--rates {text!r}: expected 1,2,5 or FROM:TO:STEP or 0.5x,1x") from None
    if len(rates) < 2:
        raise UsageError(f"--rates {text}: a sweep needs two rates or more")
    for rate in rates:
        if not rate > 0:
            raise UsageError(f"--rates: every rate must be above 0, got {rate:g}")
    return rates, relative


def kitchen(spec: str, speed: float) -> tuple[str, KitchenSettings]:
    """`async,fix_cpu=prep_shelf,shelf_size=2` as a label and the settings it names."""
    mode, *rest = (part.strip() for part in spec.split(","))
    changes: dict[str, object] = {"mode": mode, "speed": speed}
    for part in rest:
        name, sep, value = part.partition("=")
        if not sep:
            raise UsageError(f"--modes {spec}: expected SETTING=VALUE, got {part!r}")
        changes[name.strip()] = int(value) if value.strip().isdigit() else value.strip()
    for name in ("patience", "deadline"):
        if name in changes:
            changes[name] = _limit(spec, name, str(changes[name]))
    workers = changes.pop("workers", 1)  # how many kitchen processes: not a live setting
    if not (isinstance(workers, int) and WORKERS.low <= workers <= WORKERS.high):
        raise UsageError(
            f"--modes {spec}: workers must be from {WORKERS.low} to {WORKERS.high}, got {workers}"
        )
    try:
        settings = KitchenSettings(workers=workers).changed(ChangeSettings.of(changes).changes())
    except MalformedCommand as error:
        raise UsageError(f"--modes {spec}: {str(error).removeprefix('settings: ')}") from None
    problem = settings.remedy_problem
    if problem is not None:
        raise UsageError(f"--modes {spec}: {problem.setting} {problem.value!r} {problem.reason}")
    return spec, settings


def _limit(spec: str, name: str, text: str) -> float:
    """A kitchen's patience or deadline: story seconds above 0 (0 would mean none)."""
    try:
        value = float(text)
    except ValueError:
        raise UsageError(f"--modes {spec}: {name} takes seconds, got {text!r}") from None
    if not 0 < value <= MAX_DEADLINE_S:
        raise UsageError(
            f"--modes {spec}: {name} must be above 0 and at most {MAX_DEADLINE_S:g} s, got {text}"
        )
    return value


def with_workers(
    kitchens: list[tuple[str, KitchenSettings]], counts: str
) -> list[tuple[str, KitchenSettings]]:
    """Each kitchen once for each worker count of `counts` ("1,2,4"), labelled with it."""
    parts = [part.strip() for part in counts.split(",")]
    if not all(part.isdigit() and WORKERS.low <= int(part) <= WORKERS.high for part in parts):
        raise UsageError(
            f"--workers {counts}: worker counts from {WORKERS.low} to {WORKERS.high}, e.g. 1,2,4"
        )
    return [
        (f"{label} x{count}", settings.changed({"workers": int(count)}))
        for label, settings in kitchens
        for count in parts
    ]


def chart_path(out: str | None) -> Path | None:
    if out is None:
        return None
    path = Path(out)
    if path.suffix.lower() not in CHART_SUFFIXES:
        raise UsageError(f"--out {out}: the chart is .svg or .png")
    return path


def _progress_line(plan: SweepPlan, kitchens: int) -> Progress:
    total = kitchens * len(plan.rates)
    done = [0]

    def show(curve: KitchenCurve, point: Point) -> None:
        done[0] += 1
        print(
            f"[{done[0]}/{total}] {curve.label} at {point.rate_per_s:.3g}/s:"
            f" served {_rate(point.throughput_per_s)}, p99 {_seconds(point.p99_s)}"
            f"{_lost_words(point)} ({point.orders} orders, {point.wall_s:.1f} s)",
            file=sys.stderr,
            flush=True,
        )

    return show


def print_sweep(curves: list[KitchenCurve], console: Console) -> None:
    # The customers lost, a column each, once any point of any kitchen lost some that way.
    lost = [name for name in LOST if any(p.outcomes.get(name) for c in curves for p in c.points)]
    for curve in curves:
        table = Table(
            title=f"{curve.label}: {capacity_words(curve)}",
            title_justify="left",
        )
        # rate/s: what the point asked for; offered/s: the arrivals a second that came while
        # the orders served/s counts arrived (a Poisson stream's differ from its rate).
        headers = ("rate/s", "offered/s", "served/s", "p50", "p99", "model p50", "model p99")
        for header in headers:
            table.add_column(header, justify="right")
        for name in lost:
            table.add_column(LOST_WORDS[name], justify="right")
        for p in curve.points:
            table.add_row(
                f"{p.rate_per_s:.3g}",
                _rate(p.offered_per_s),
                _rate(p.throughput_per_s),
                *(_seconds(v) for v in (p.p50_s, p.p99_s, p.predicted_p50_s, p.predicted_p99_s)),
                *(f"{p.outcomes.get(name, 0)}/{p.orders}" for name in lost),
            )
        console.print(table)
    if lost:
        console.print(
            "served/s and the latencies count only customers served while still there;"
            " the last columns count the point's customers lost, of all who came."
        )


def _lost_words(point: Point) -> str:
    """`, 12 walked out, 3 86'd` for a point that lost customers; nothing for one that lost none."""
    parts = [f"{point.outcomes[n]} {LOST_WORDS[n]}" for n in LOST if point.outcomes.get(n)]
    return "".join(f", {part}" for part in parts)


def capacity_words(curve: KitchenCurve) -> str:
    """The measured capacity, or the floor under it when no rate reached it; the model's."""
    if curve.capacity_reached:
        measured = f"capacity {_rate(curve.capacity_per_s)} measured"
    else:
        top = max((p.rate_per_s for p in curve.points), default=0.0)
        measured = f"capacity not reached (served all offered up to {top:.3g}/s)"
    if math.isinf(curve.predicted_capacity_per_s):
        return f"{measured}, no limit predicted (every step waits off the loop)"
    predicted = _rate(curve.predicted_capacity_per_s)
    return f"{measured}, {predicted} predicted ({curve.bottleneck})"


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{value:.3g}/s"


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f} s"
