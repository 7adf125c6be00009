"""The one reader of every file a user hands the program: scenario, scene, theme and trace.

Each problem is a UsageError of one line: a path that is not a regular file (a FIFO would block
the open or the read, /dev/zero would never end, a directory is a typo), a file over its size
limit, text that is not UTF-8, TOML nested deeper than the parser's recursion allows.
"""

from __future__ import annotations

import os
import re
import stat
import sys
from pathlib import Path
from typing import IO, Any

from kitchen_tui.errors import UsageError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

# Real scenario, scene and theme files are a few KiB; this stops a wrong path early.
MAX_TEXT_BYTES = 1_000_000

# tomllib on 3.11-3.13 puts the position only in the message; 3.14 adds lineno/colno.
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)\Z")
_TOML_AT_END = re.compile(r"\s*\(at end of document\)\Z")


def open_regular(path: Path | str, what: str) -> IO[bytes]:
    """`path` opened for reading, if it is a regular file. The open itself cannot block: a FIFO
    is opened without waiting for a writer, then refused by what it is."""
    name = str(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise UsageError(f"{name}: no such {what} file") from None
    except OSError as error:
        raise UsageError(f"{name}: cannot read: {_reason(error)}") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise UsageError(f"{name}: is {_kind_of(mode)}, not a {what} file")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_bytes(path: Path | str, what: str, limit: int | None = None) -> bytes:
    """The whole file, if it is a regular file of at most `limit` bytes (MAX_TEXT_BYTES)."""
    limit = MAX_TEXT_BYTES if limit is None else limit
    with open_regular(path, what) as file:
        try:
            data = file.read(limit + 1)
        except OSError as error:
            raise UsageError(f"{path}: cannot read: {_reason(error)}") from None
    if len(data) > limit:
        raise UsageError(f"{path}: too large for a {what} file (limit {limit:,} bytes)")
    return data


def read_text(path: Path | str, what: str, limit: int | None = None) -> str:
    """The file as UTF-8 text (see `read_bytes`)."""
    return decode_utf8(read_bytes(path, what, limit), str(path), what)


def decode_utf8(data: bytes, source: str, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise UsageError(
            f"{source}:{line}: not UTF-8 text (byte {error.start}): save the {what} file as UTF-8"
        ) from None


def read_toml(path: Path | str, what: str) -> dict[str, Any]:
    """A TOML file read with `read_text` and parsed with `parse_toml`."""
    return parse_toml(read_text(path, what), str(path))


def parse_toml(text: str, source: str) -> dict[str, Any]:
    """The document, or a UsageError with the place and the parser's reason."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise UsageError(toml_error(error, text, source)) from None
    except RecursionError:
        raise UsageError(
            f"{source}: invalid TOML: arrays or tables nested too deep for the parser"
        ) from None


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


def _kind_of(mode: int) -> str:
    kinds = (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a device"),
        (stat.S_ISBLK, "a device"),
        (stat.S_ISSOCK, "a socket"),
    )
    return next((name for test, name in kinds if test(mode)), "no regular file")


def _reason(error: OSError) -> str:
    return error.strerror or str(error)
