"""Options of the talk commands: replay, play, record and race."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from kitchen_tui.cli.options import (
    add_force_option,
    add_limit_options,
    add_remedy_options,
    add_workers_option,
    parse_speed,
)
from kitchen_tui.cli.run_files import file_path
from kitchen_tui.errors import UsageError
from kitchen_tui.protocol.settings import (
    BACKENDS,
    BLOCKING_FIXES,
    CPU_FIXES,
    MODES,
    WORKERS,
)
from kitchen_tui.talk.catalog import BUILTIN_SCENARIOS, BUILTIN_SCENES

DEFAULT_SIZE = "100x30"


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"takes a number of seconds, got {text!r}") from None
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError(f"must be from 0 to 3600 seconds, got {text}")
    return value


def parse_size(text: str) -> tuple[int, int]:
    """`100x30` as (width, height); a UsageError of one line otherwise."""
    width, sep, height = text.lower().partition("x")
    if not sep or not _ascii_digits(width) or not _ascii_digits(height):
        raise UsageError(f"--size takes COLUMNSxROWS like {DEFAULT_SIZE}, got {text!r}")
    w, h = int(width), int(height)
    if not (20 <= w <= 1000 and 10 <= h <= 1000):
        raise UsageError(f"--size must be from 20x10 to 1000x1000, got {text!r}")
    return w, h


def _ascii_digits(text: str) -> bool:
    """0-9 only: str.isdigit() also takes '²', which int() refuses."""
    return text.isascii() and text.isdigit()


def parse_modes(text: str) -> tuple[str, str]:
    """`sync,async` as two modes (the same one twice only with different remedies)."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 2 or any(p not in MODES for p in parts):
        raise UsageError(
            f"--modes takes two of {', '.join(MODES)} separated by a comma, got {text!r}"
        )
    return parts[0], parts[1]


def parse_race_fixes(text: str | None, option: str, allowed: tuple[str, ...]) -> tuple[str, str]:
    """`to_thread` for both kitchens, or `inline,await` for one each; "" where not given."""
    if text is None:
        return "", ""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) not in (1, 2) or any(p not in allowed for p in parts):
        raise UsageError(
            f"{option} takes one or two of {', '.join(allowed)} separated by a comma, got {text!r}"
        )
    return (parts[0], parts[-1])


def parse_race_workers(text: str | None) -> tuple[int, int] | None:
    """`4` for both kitchens, or `1,4` for one each; None where not given."""
    if text is None:
        return None
    parts = [p.strip() for p in text.split(",")]
    if len(parts) not in (1, 2) or not all(
        p.isdigit() and WORKERS.low <= int(p) <= WORKERS.high for p in parts
    ):
        raise UsageError(
            f"--workers takes one or two counts from {WORKERS.low} to {WORKERS.high}"
            f" separated by a comma, got {text!r}"
        )
    return int(parts[0]), int(parts[-1])


def _screen(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--theme", default="dark", help="dark, light, projector, or a theme file")
    parser.add_argument("--ascii", action="store_true", help="draw with ASCII characters only")


def add_talk_commands(commands: Any) -> None:
    """Add replay, play, record and race to the `kitchen-tui` subcommands."""
    replay = commands.add_parser("replay", help="animate a recorded trace; no kitchen runs")
    replay.add_argument("file", metavar="FILE", help="a trace written with --trace")
    replay.add_argument("--speed", type=parse_speed, default=1.0, help="0.1 to 10 times the pace")
    _screen(replay)

    play = commands.add_parser("play", help="present a scene file: captions, markers, scenes")
    play.add_argument(
        "scene",
        metavar="FILE|NAME",
        help=f"a scene file, or a built-in ({', '.join(BUILTIN_SCENES)})",
    )
    play.add_argument("--speed", type=parse_speed, help="0.1 to 10; the script keeps pace")
    play.add_argument("--backend", choices=BACKENDS, default="asyncio", help="the event loop")
    add_remedy_options(play)
    add_limit_options(play)
    add_workers_option(play)
    play.add_argument("--stills", metavar="DIR", help="save an SVG of the screen at each marker")
    play.add_argument("--trace", metavar="FILE", help="write the kitchen's event stream to FILE")
    add_force_option(play)
    add_stills_format(play, "stills and ctrl+s screenshots")
    play.add_argument(
        "--no-hold",
        action="store_true",
        help="run on at markers instead of waiting for space",
    )
    play.add_argument(
        "--autoplay",
        type=_seconds,
        metavar="SECONDS",
        help="go on by itself after a pause step (for recordings)",
    )
    play.add_argument(
        "--quit-at-end",
        action="store_true",
        help="quit once the last scene's orders are done (for recordings)",
    )
    _screen(play)

    record = commands.add_parser("record", help="record a take as an asciicast v2 file")
    what = record.add_mutually_exclusive_group()
    what.add_argument(
        "--scenario",
        metavar="NAME|FILE",
        help=f"record the live app with a scenario ({', '.join(BUILTIN_SCENARIOS)})",
    )
    what.add_argument("--scene", metavar="NAME|FILE", help="record `kitchen-tui play` of a talk")
    record.add_argument("--out", metavar="FILE", required=True, help="the .cast file to write")
    record.add_argument("--size", default=DEFAULT_SIZE, help="COLUMNSxROWS (default 100x30)")
    record.add_argument("--speed", type=parse_speed, help="0.1 to 10")
    add_remedy_options(record)
    add_limit_options(record)
    add_workers_option(record)
    record.add_argument("--stills", metavar="DIR", help="save an SVG at each marker")
    add_stills_format(record, "the stills")
    record.add_argument("--trace", metavar="FILE", help="also write the kitchen's event stream")
    record.add_argument(
        "--seconds", type=_seconds, help="length of the take (default: the script's, or 10)"
    )
    add_force_option(record)
    record.add_argument("--gif", metavar="FILE", help="also draw the take as a GIF (agg)")
    from kitchen_tui.cli.gif import add_gif_options

    add_gif_options(record, "--gif-speed")
    _screen(record)

    race = commands.add_parser("race", help="the same orders to two kitchens, side by side")
    race.add_argument(
        "--scenario",
        metavar="NAME|FILE",
        help=f"a built-in ({', '.join(BUILTIN_SCENARIOS)}) or a TOML file",
    )
    race.add_argument("--modes", default="sync,async", help="two modes (default sync,async)")
    race.add_argument(
        "--workers",
        metavar="N[,N]",
        help=f"worker processes: one count for both kitchens, or one each (1 to {WORKERS.high})",
    )
    race.add_argument("--backend", choices=BACKENDS, default="asyncio", help="the event loop")
    race.add_argument(
        "--fix-blocking",
        metavar="FIX[,FIX]",
        help=f"one for both kitchens, or one each ({', '.join(BLOCKING_FIXES)})",
    )
    race.add_argument(
        "--fix-cpu",
        metavar="FIX[,FIX]",
        help=f"one for both kitchens, or one each ({', '.join(CPU_FIXES)})",
    )
    race.add_argument(
        "--trace",
        metavar="FILE",
        help="write each kitchen's event stream, named by its mode: race.trace gives"
        " race.sync.trace and race.async.trace",
    )
    add_limit_options(race)
    add_force_option(race)
    _screen(race)


def trace_path(text: str | None) -> Path | None:
    """A --trace FILE; run_files.claim_outputs checks it and empties it."""
    return None if text is None else file_path(text, "--trace", "run.trace")


def race_trace_paths(text: str | None, names: list[str]) -> list[Path | None]:
    """One trace per kitchen of a race: the kitchen's name goes before the file's suffix."""
    if text is None:
        return [None for _ in names]
    path = file_path(text, "--trace", "race.jsonl")
    # /dev/full, a fifo, a folder: no file of the two can go beside it
    if not path.name or (path.exists() and not path.is_file()):
        raise UsageError(
            f"--trace {text}: a race writes a trace a kitchen beside the name (race.sync.jsonl"
            " for race.jsonl), so it must name a file in a folder, e.g. --trace race.jsonl"
        )
    return [
        trace_path(str(path.with_name(f"{path.stem}.{name.replace(' ', '-')}{path.suffix}")))
        for name in names
    ]


def add_stills_format(parser: argparse.ArgumentParser, what: str) -> None:
    from kitchen_tui.recording.stills import parse_still_formats

    parser.add_argument(
        "--stills-format",
        type=parse_still_formats,  # a UsageError of one line, e.g. for png without its extra
        default=("svg",),
        metavar="svg|png|svg,png",
        help=f"the format of {what} (default svg; png needs kitchen-tui[png])",
    )


def stills_dir(text: str | None) -> Path | None:
    """A --stills DIR: created if missing; a file in its way is a usage error."""
    if text is None:
        return None
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise UsageError(f"--stills {text}: not a directory")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(f"--stills {text}: cannot create: {error.strerror or error}") from None
    return path
