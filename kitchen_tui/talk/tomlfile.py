"""The project's TOML files, built in or a user's own, read with one-line errors."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

from kitchen_tui.errors import UsageError
from kitchen_tui.files import parse_toml, read_text

__all__ = ["did_you_mean", "load_toml", "parse_toml", "read_text_file"]


def load_toml(
    name_or_path: str, *, kind: str, builtins: tuple[str, ...], folder: str
) -> tuple[dict[str, Any], str]:
    """The document and its source name: a built-in by name (it wins over a file of the same
    name: use `./name`), or a file. `kind` names it in errors ("scenario", "scene")."""
    if name_or_path in builtins:
        resource = resources.files("kitchen_tui.talk") / folder / f"{name_or_path}.toml"
        source = f"{name_or_path}.toml"
        return parse_toml(resource.read_text(encoding="utf-8"), source), source
    return parse_toml(read_text_file(name_or_path, kind, builtins), name_or_path), name_or_path


def read_text_file(name: str, kind: str, builtins: tuple[str, ...]) -> str:
    if not Path(name).exists() and not Path(name).is_symlink():
        raise UsageError(
            f"no such {kind} {name!r}: not a built-in ({', '.join(builtins)})"
            f" and no file at {name}{did_you_mean(name, builtins)}"
        )
    return read_text(name, kind)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""
