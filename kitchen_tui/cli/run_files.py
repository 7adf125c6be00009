"""What one command reads and writes, checked together before anything is written (outputs.py)."""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from pathlib import Path

from kitchen_tui.errors import UsageError
from kitchen_tui.outputs import Named, check_outputs, empty_output
from kitchen_tui.talk.catalog import BUILTIN_SCENARIOS, BUILTIN_SCENES

# What --stills writes: `01-scene-title.svg` (and .png); a rerun scene adds higher numbers.
STILL_NAME = re.compile(r"\d{2,}-.*\.(svg|png)")


def run_inputs(options: argparse.Namespace) -> list[Named]:
    """The files a command reads: those no output of the same run may be."""
    named = {
        "--scenario": (getattr(options, "scenario", None), BUILTIN_SCENARIOS),
        "scene": (getattr(options, "scene", None), BUILTIN_SCENES),
        "--theme": (_theme_file(getattr(options, "theme", None)), ()),
        "trace": (getattr(options, "file", None), ()),
    }
    return [
        (option, Path(value))
        for option, (value, builtins) in named.items()
        if value is not None and value not in builtins and Path(value).exists()
    ]


def _theme_file(theme: str | None) -> str | None:
    """A --theme that names a file, not a built-in (the rule ui/themes.py reads it by)."""
    return theme if theme is not None and ("/" in theme or theme.endswith(".toml")) else None


def file_path(text: str, option: str, example: str) -> Path:
    """An output FILE as typed: "dir/" names a folder (Path() would drop the slash and a file
    named dir be written), so it is refused in one line."""
    if text.endswith("/"):
        raise UsageError(f"{option} {text}: names a folder; give a file, e.g. {text}{example}")
    return Path(text)


def claim_outputs(
    options: argparse.Namespace,
    outputs: Sequence[tuple[str, Path | None]],
    stills: Path | None = None,
) -> None:
    """Refuse the run (one line) if an output would overwrite a file without --force, be another
    output or an input; then empty the traces, so one run makes one trace of each."""
    force = bool(getattr(options, "force", False))
    named = [(option, path) for option, path in outputs if path is not None]
    check_outputs(named, run_inputs(options), force)
    if stills is not None and not force:
        check_stills(stills)
    for option, path in named:
        if option == "--trace":
            empty_output(path, option)


def check_stills(folder: Path) -> None:
    """--stills DIR must not hold stills already: a new talk's would overwrite them."""
    if not folder.is_dir():
        return
    old = sorted(p.name for p in folder.iterdir() if STILL_NAME.fullmatch(p.name))
    if old:
        raise UsageError(
            f"refusing to overwrite the stills in {folder} ({old[0]}, ...): pass --force"
            " or choose another --stills directory"
        )
