"""`kitchen-tui gif CAST GIF` and `record --gif FILE`: a take as a GIF for the slides, offline."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from kitchen_tui.cli.run_files import file_path
from kitchen_tui.errors import UsageError
from kitchen_tui.outputs import check_outputs, stdout_writes
from kitchen_tui.recording.gif import GifLook, GifSummary, cast_has_theme, make_gif


def _font_size(text: str) -> int:
    if not text.isdigit() or not 6 <= int(text) <= 72:
        raise argparse.ArgumentTypeError(f"takes pixels from 6 to 72, got {text!r}")
    return int(text)


def _bounded(low: float, high: float) -> Any:
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"takes a number, got {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be from {low:g} to {high:g}, got {text}")
        return value

    return parse


def add_gif_options(parser: argparse.ArgumentParser, speed: str) -> None:
    """How the GIF is drawn; `speed` names the playback speed option (record has its own)."""
    defaults = GifLook()
    parser.add_argument(
        "--font-size",
        type=_font_size,
        default=defaults.font_size,
        help=f"the GIF's font size in pixels (default {defaults.font_size})",
    )
    parser.add_argument(
        "--idle-limit",
        type=_bounded(0.1, 60),
        default=defaults.idle_limit,
        metavar="SECONDS",
        help=f"cut longer pauses to this (default {defaults.idle_limit:g})",
    )
    parser.add_argument(
        speed,
        dest="gif_speed",
        type=_bounded(0.1, 10),
        default=defaults.speed,
        help="the GIF's playback speed (default 1)",
    )


def add_gif_command(commands: Any) -> None:
    gif = commands.add_parser("gif", help="draw a recorded cast as a GIF (agg, offline)")
    gif.add_argument("cast", metavar="CAST", help="an asciicast v2 file, e.g. from `record`")
    gif.add_argument("gif", metavar="GIF", help="the GIF file to write")
    gif.add_argument(
        "--theme",
        help="the GIF's colours (default: the ones `record` keeps in the cast, else dark)",
    )
    gif.add_argument("--force", action="store_true", help="overwrite an existing GIF")
    add_gif_options(gif, "--speed")


def gif_look(options: argparse.Namespace, cast: Path | None = None) -> GifLook:
    """The look the options ask for, in the colours of --theme, else of the cast, else dark."""
    theme = options.theme or (None if cast is not None and cast_has_theme(cast) else "dark")
    return GifLook(
        font_size=options.font_size,
        palette=agg_palette(theme) if theme else None,
        idle_limit=options.idle_limit,
        speed=options.gif_speed,
    )


def agg_palette(theme_name: str) -> str:
    """agg's custom theme from ours: background, foreground, then the 8 terminal colours."""
    return ",".join(colour[1:] for colour in _terminal_colours(theme_name))


def cast_theme(theme_name: str) -> dict[str, str]:
    """The same colours as an asciicast v2 header's `theme`, for players and for agg."""
    background, foreground, *palette = _terminal_colours(theme_name)
    return {"fg": foreground, "bg": background, "palette": ":".join(palette)}


def _terminal_colours(theme_name: str) -> list[str]:
    """Background, foreground, and black, red, green, yellow, blue, magenta, cyan, white."""
    from textual.color import Color

    from kitchen_tui.ui.themes import resolve_theme

    theme = resolve_theme(theme_name)
    background = theme.background or ("#101318" if theme.dark else "#ffffff")
    foreground = theme.foreground or ("#e4e8ef" if theme.dark else "#000000")
    black, white = (background, foreground) if theme.dark else (foreground, background)
    colours = [background, foreground, black, theme.error, theme.success, theme.warning]
    colours += [theme.primary, theme.secondary, theme.accent, white]
    return [Color.parse(c or foreground).hex[:7].lower() for c in colours]


def run_gif(options: argparse.Namespace) -> int:
    cast, out = Path(options.cast), file_path(options.gif, "GIF", "take.gif")
    if out.suffix.lower() != ".gif":
        raise UsageError(f"{out}: a GIF file ends in .gif (the cast comes first: gif CAST GIF)")
    check_outputs([("GIF", out)], [("CAST", cast)], force=options.force)  # never over its cast
    made = make_gif(cast, out, gif_look(options, cast), force=options.force, option="GIF")
    with stdout_writes():
        print(describe(made))
    return 0


def describe(summary: GifSummary) -> str:
    return (
        f"wrote {summary.path}: {summary.width}x{summary.height} px,"
        f" {summary.size_bytes / 1e6:.1f} MB"
    )
