"""Themes as TOML files: Textual's theme colours plus the kitchen's own colour variables.

A theme file looks like this (every colour is a CSS colour: `#rrggbb`, `rgb(...)`, a name)::

    name = "dark"          # optional: defaults to the file's stem
    dark = true            # optional: true for light text on a dark background

    [colors]               # textual.theme.Theme fields; `primary` is required
    primary = "#4aa8ff"
    background = "#101318"

    [variables]            # the kitchen's colours: ticket states, timeline parts, alarms
    ticket-queued = "#ffb454"

Built-in themes live in the package's `themes/` folder (the wheel puts the repository's top-level
`themes/` there); `--theme PATH` loads any file in this format.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from textual.color import Color, ColorParseError
from textual.theme import Theme

from kitchen_tui.errors import UsageError
from kitchen_tui.files import read_toml

_PACKAGE_THEMES = Path(__file__).resolve().parent.parent / "themes"
_REPO_THEMES = Path(__file__).resolve().parent.parent.parent / "themes"
THEME_ORDER = ("dark", "light", "projector")  # `t` cycles in this order, then any others
# A theme's name becomes a CSS class (`-theme-NAME`): Textual's identifier rule.
THEME_NAME = re.compile(r"[A-Za-z_-][A-Za-z0-9_-]*")

THEME_COLORS = (
    "primary",
    "secondary",
    "warning",
    "error",
    "success",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
)

# The kitchen's own colours, and their values when a theme leaves one out (the dark theme's).
VARIABLE_DEFAULTS: dict[str, str] = {
    "ticket-queued": "#ffb454",
    "ticket-ready": "#e6db74",
    "ticket-cook": "#59a7ff",
    "ticket-loop": "#ff5c5c",
    "ticket-slices": "#ff9f80",
    "ticket-rail": "#4fd6d6",
    "ticket-shelf": "#b48cff",
    "ticket-served": "#6bd88a",
    "ticket-failed": "#ff6b9a",
    "ticket-refused": "#e07ce0",
    "ticket-text": "#101318",
    "part-front-desk": "#ffb454",
    "part-ready": "#e6db74",
    "part-cook": "#59a7ff",
    "part-rail": "#4fd6d6",
    "part-shelf": "#b48cff",
    "alarm-1": "#e6db74",
    "alarm-2": "#ffb454",
    "alarm-3": "#ff5c5c",
    "alarm-text": "#101318",
    "kitchen-dim": "#8d96a8",
    "kitchen-border": "#3b4252",
    "kitchen-title": "#cfd6e4",
}


def theme_dir() -> Path:
    """The installed package's themes first, then the repository's (an editable install)."""
    return _PACKAGE_THEMES if _PACKAGE_THEMES.is_dir() else _REPO_THEMES


def _builtin_names() -> tuple[str, ...]:
    found = {path.stem for path in theme_dir().glob("*.toml")}
    ordered = [name for name in THEME_ORDER if name in found]
    return tuple(ordered + sorted(found - set(ordered)))


THEME_NAMES: tuple[str, ...] = _builtin_names()


def resolve_theme(name_or_path: str) -> Theme:
    """A built-in theme by name, or a theme file by path; UsageError names what to fix."""
    if name_or_path in THEME_NAMES:
        return load_theme_file(theme_dir() / f"{name_or_path}.toml")
    path = Path(name_or_path)
    if path.suffix == ".toml" or path.exists() or "/" in name_or_path:
        return load_theme_file(path)
    raise UsageError(
        f"unknown theme {name_or_path!r}: use one of {', '.join(THEME_NAMES)}"
        " or the path to a .toml theme file"
    )


def load_theme_file(path: Path) -> Theme:
    return _theme_from(read_toml(path, "theme"), path)


def _theme_from(doc: dict[str, Any], path: Path) -> Theme:
    unknown = set(doc) - {"name", "dark", "colors", "variables"}
    if unknown:
        raise UsageError(
            f"theme file {path}: unknown key {sorted(unknown)[0]!r};"
            " use name, dark, [colors] and [variables]"
        )
    colors = _table(doc, "colors", path)
    variables = _table(doc, "variables", path)
    bad = sorted(set(colors) - set(THEME_COLORS))
    if bad:
        raise UsageError(
            f"theme file {path}: [colors] has no {bad[0]!r}; use {', '.join(THEME_COLORS)}"
        )
    if "primary" not in colors:
        raise UsageError(f"theme file {path}: [colors] needs a primary colour")
    for key, value in {**colors, **variables}.items():
        _check_colour(path, key, value, must=key in colors or key in VARIABLE_DEFAULTS)
    dark = doc.get("dark", True)
    if not isinstance(dark, bool):
        raise UsageError(f"theme file {path}: dark must be true or false")
    name = _theme_name(doc, path)
    theme = Theme(name=name, primary=colors["primary"], dark=dark, variables=dict(variables))
    for key, value in colors.items():
        setattr(theme, key, value)  # the other colour fields, all optional strings
    return theme


def _theme_name(doc: dict[str, Any], path: Path) -> str:
    name = doc.get("name", path.stem)
    if not isinstance(name, str):
        raise UsageError(f'theme file {path}: name must be a string, like name = "dusk"')
    if THEME_NAME.fullmatch(name) is None:
        where = "name" if "name" in doc else "its file name"
        shown = name.encode("unicode_escape").decode("ascii")
        raise UsageError(
            f"theme file {path}: {where} {shown!r} is not a theme name: use letters, digits,"
            ' "-" and "_" (not a digit first), e.g. name = "solar-v2"'
        )
    return name


def _table(doc: dict[str, Any], key: str, path: Path) -> dict[str, str]:
    table = doc.get(key, {})
    if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
        raise UsageError(f"theme file {path}: [{key}] must map names to colour strings")
    return dict(table)


def _check_colour(path: Path, key: str, value: str, *, must: bool) -> None:
    """Our colours must parse; other Textual variables (not always colours) pass through."""
    if not must:
        return
    try:
        Color.parse(value)
    except ColorParseError:
        raise UsageError(
            f'theme file {path}: {key} = {value!r} is not a colour; use e.g. "#ffb454"'
        ) from None
