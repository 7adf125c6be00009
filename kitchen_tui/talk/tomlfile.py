"""The project's TOML files, built in or a user's own, read with one-line errors."""

from __future__ import annotations

import difflib
import re
import sys
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

from kitchen_tui.errors import UsageError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

MAX_FILE_BYTES = 1_000_000  # count/every keep real files tiny; this stops a wrong path early

# tomllib on 3.11-3.13 puts the position only in the message; 3.14 adds lineno/colno.
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)\Z")
_TOML_AT_END = re.compile(r"\s*\(at end of document\)\Z")


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


def parse_toml(text: str, source: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise UsageError(toml_error(error, text, source)) from None


def read_text_file(name: str, kind: str, builtins: tuple[str, ...]) -> str:
    path = Path(name)
    try:
        if path.is_dir():
            raise UsageError(f"{name}: is a directory, not a {kind} file")
        if not path.exists():
            raise UsageError(
                f"no such {kind} {name!r}: not a built-in ({', '.join(builtins)})"
                f" and no file at {name}{did_you_mean(name, builtins)}"
            )
        if not path.is_file():  # a FIFO or a device would block or never end
            raise UsageError(f"{name}: not a regular file")
        with path.open("rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise UsageError(f"{name}: cannot read: {error.strerror or error}") from None
    if len(data) > MAX_FILE_BYTES:
        raise UsageError(f"{name}: too large for a {kind} file (limit {MAX_FILE_BYTES} bytes)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UsageError(f"{name}: not UTF-8 text (byte {error.start})") from None


def toml_error(error: tomllib.TOMLDecodeError, text: str, source: str) -> str:
    message = str(getattr(error, "msg", None) or error)
    line, column = getattr(error, "lineno", None), getattr(error, "colno", None)
    if (match := _TOML_POSITION.search(message)) is not None:
        line, column = int(match[1]), int(match[2])
        message = message[: match.start()]
    elif (match := _TOML_AT_END.search(message)) is not None:
        lines = text.split("\n")
        line, column = len(lines), len(lines[-1]) + 1
        message = message[: match.start()]
    where = f"{source}:{line}:{column}" if line is not None else source
    return f"{where}: invalid TOML: {message}"


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""
