"""Options shared by every command, checked up front: a bad value is one line and exit code 2."""

from __future__ import annotations

import argparse
import importlib.util
from typing import NoReturn

from kitchen_tui import __version__
from kitchen_tui.errors import UsageError
from kitchen_tui.protocol.settings import (
    BACKENDS,
    BLOCKING_FIXES,
    COOKS,
    CPU_FIXES,
    MAX_DEADLINE_S,
    MAX_PATIENCE_S,
    MAX_SPEED,
    MIN_SPEED,
    MODES,
    SHELF_SIZE,
    WORKERS,
    KitchenSettings,
)
from kitchen_tui.talk.catalog import BUILTIN_SCENARIOS
from kitchen_tui.talk.scenario import Scenario, load_scenario


class _Parser(argparse.ArgumentParser):
    """argparse, but a mistake raises UsageError (one line) instead of printing a usage block."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{self.prog} --help')")


def parse_speed(text: str) -> float:
    """--speed: a number from MIN_SPEED to MAX_SPEED (every command that has one)."""
    value = _number(text, "--speed")
    if not MIN_SPEED <= value <= MAX_SPEED:
        raise argparse.ArgumentTypeError(
            f"speed must be from {MIN_SPEED} to {MAX_SPEED:g}, got {text}"
        )
    return value


def _limit_seconds(name: str, most: float, what: str) -> argparse._ActionType:
    """--patience, --deadline: story seconds above 0, up to `most`."""

    def parse(text: str) -> float:
        value = _number(text, name)
        if not 0 < value <= most:
            raise argparse.ArgumentTypeError(
                f"{name} must be above 0 and at most {most:g} story seconds ({what}), got {text}"
            )
        return value

    return parse


def _bounded_int(name: str, low: int, high: int) -> argparse._ActionType:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} takes a whole number, got {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{name} must be from {low} to {high}, got {value}")
        return value

    return parse


def _number(text: str, name: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{name} takes a number, got {text!r}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise argparse.ArgumentTypeError(f"{name} takes a finite number, got {text!r}")
    return value


def add_kitchen_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--scenario",
        metavar="NAME|FILE",
        help=f"a built-in scenario ({', '.join(BUILTIN_SCENARIOS)}) or a TOML file",
    )
    parser.add_argument(
        "--mode",
        choices=MODES,
        help="how the kitchen serves (default: the scenario's mode, else async)",
    )
    add_remedy_options(parser)
    parser.add_argument(
        "--cooks", type=_bounded_int("--cooks", *COOKS), help="cooks in threads mode"
    )
    parser.add_argument(
        "--shelf-size",
        type=_bounded_int("--shelf-size", *SHELF_SIZE),
        help="prep shelf worker processes (default: one per CPU)",
    )
    add_workers_option(parser)
    parser.add_argument("--backend", choices=BACKENDS, default="asyncio", help="the event loop")
    parser.add_argument(
        "--speed", type=parse_speed, help="0.1 (slow motion) to 10; scales every step"
    )
    add_limit_options(parser)


def add_limit_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--patience",
        metavar="S",
        type=_limit_seconds("--patience", MAX_PATIENCE_S, "how long a customer waits"),
        help="customers walk out after S seconds without their answer (the kitchen cooks on)",
    )
    parser.add_argument(
        "--deadline",
        metavar="S",
        type=_limit_seconds("--deadline", MAX_DEADLINE_S, "the server's fail_after"),
        help="the server's deadline on each request (anyio.fail_after; sync: gunicorn --timeout)",
    )


def add_workers_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--workers",
        type=_bounded_int("--workers", *WORKERS),
        help="kitchen processes behind one front desk, as uvicorn --workers N (default 1)",
    )


def add_remedy_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--fix-blocking",
        choices=BLOCKING_FIXES,
        help="a blocking call in async code: inline (holds the loop), to_thread, await",
    )
    parser.add_argument(
        "--fix-cpu",
        choices=CPU_FIXES,
        help="cpu work: inline, checkpoints, to_thread, prep_shelf (worker processes), job",
    )
    parser.add_argument(
        "--prep-shelf",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="the same as --fix-cpu prep_shelf (--no-prep-shelf: inline)",
    )


def limit_changes(options: argparse.Namespace) -> dict[str, object]:
    """The --patience and --deadline the options give (story seconds), by setting name."""
    limits = {name: getattr(options, name, None) for name in ("patience", "deadline")}
    return {name: value for name, value in limits.items() if value is not None}


def remedy_changes(options: argparse.Namespace, base: KitchenSettings) -> dict[str, object]:
    """The remedies the options ask for, over `base`: --prep-shelf is --fix-cpu prep_shelf."""
    fix_cpu, shelf = options.fix_cpu, options.prep_shelf
    if shelf is not None and fix_cpu is not None and shelf != (fix_cpu == "prep_shelf"):
        flag = "--prep-shelf" if shelf else "--no-prep-shelf"
        raise UsageError(f"{flag} disagrees with --fix-cpu {fix_cpu}: give only --fix-cpu")
    if shelf is not None and fix_cpu is None:
        fix_cpu = "prep_shelf" if shelf else ("inline" if base.prep_shelf else base.fix_cpu)
    changes = {"fix_blocking": options.fix_blocking, "fix_cpu": fix_cpu}
    return {key: value for key, value in changes.items() if value is not None}


def check_remedies(settings: KitchenSettings) -> KitchenSettings:
    """The settings, or a one-line UsageError when a remedy means nothing in the mode."""
    problem = settings.remedy_problem
    if problem is not None:
        flag = "--" + problem.setting.replace("_", "-")
        raise UsageError(f"{flag} {problem.value} {problem.reason}")
    return settings


def add_trace_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--trace",
        metavar="FILE",
        help="write the kitchen's event stream to FILE as it happens (replay it later)",
    )


def add_force_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--force", action="store_true", help="overwrite output files that exist already"
    )


def add_screen_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--theme", default="dark", help="dark, light, projector, or a theme file")
    parser.add_argument("--ascii", action="store_true", help="draw with ASCII characters only")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="kitchen-tui",
        description="A terminal kitchen that makes sync vs async visible.",
    )
    parser.add_argument("--version", action="version", version=f"kitchen-tui {__version__}")
    add_kitchen_options(parser)
    add_trace_option(parser)
    add_force_option(parser)
    add_screen_options(parser)
    parser.add_argument(
        "--screenshot-dir",
        metavar="DIR",
        help="where ctrl+s saves screenshots (default: kitchen-screenshots/ here)",
    )
    from kitchen_tui.cli.talk_options import add_stills_format

    add_stills_format(parser, "ctrl+s screenshots")
    commands = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")
    report = commands.add_parser(
        "report", help="run a scenario headless and print every order's latency"
    )
    add_kitchen_options(report)
    add_trace_option(report)
    add_force_option(report)
    report.add_argument("--json", action="store_true", help="print one JSON object")
    from kitchen_tui.cli.talk_options import add_talk_commands

    add_talk_commands(commands)
    from kitchen_tui.cli.gif import add_gif_command

    add_gif_command(commands)
    from kitchen_tui.cli.sweep import add_sweep_command

    add_sweep_command(commands)
    # Listed for --help; `main` hands `serve` its own parser (cli/serve.py).
    commands.add_parser(
        "serve", help="the app in a browser tab: serve [--port N] [--host H] [play NAME | race ...]"
    )
    return parser


def scenario_and_settings(options: argparse.Namespace) -> tuple[Scenario | None, KitchenSettings]:
    """The scenario named by --scenario (if any) and its settings with the options on top."""
    check_backend(options.backend)
    scenario = load_scenario(options.scenario) if options.scenario else None
    base = scenario.settings if scenario else KitchenSettings()
    changes = {
        "mode": options.mode,
        "cooks": options.cooks,
        "shelf_size": options.shelf_size,
        "speed": options.speed,
        **limit_changes(options),
        "workers": options.workers,
    }
    fields = {k: v for k, v in changes.items() if v is not None}
    settings = base.changed({**fields, **remedy_changes(options, base)})
    return scenario, check_remedies(settings)


def check_backend(backend: str) -> None:
    if backend == "trio" and importlib.util.find_spec("trio") is None:
        raise UsageError("--backend trio needs the trio package: pip install 'kitchen-tui[trio]'")
