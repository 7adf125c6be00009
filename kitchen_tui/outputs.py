"""Every file a run writes, checked together before anything is written.

No output overwrites a file without --force, no two outputs of one run are the same file, and no
output is one of the run's inputs (`report --scenario mine.toml --trace mine.toml` would destroy
the scenario). A FIFO nobody reads is refused at once instead of blocking the open forever.
A device (`/dev/null`, `/dev/full`) is written as it is: overwriting it loses nothing.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO

from kitchen_tui.errors import UsageError, WriteFailed

Named = tuple[str, Path]  # the option that names a file ("--trace"), and the file
_HELD: list[IO[bytes]] = []  # FIFOs checked for a reader, open until the process ends


def check_outputs(
    outputs: Sequence[Named], inputs: Sequence[Named] = (), force: bool = False
) -> None:
    """A UsageError of one line for the first output that must not be written."""
    for number, (option, path) in enumerate(outputs):
        for other_option, other in [*outputs[:number], *inputs]:
            if same_file(path, other):
                raise UsageError(
                    f"{option} {path} is the same file as {other_option} {other}:"
                    " give each its own file"
                )
        _check_one(option, path, force)


def same_file(a: Path, b: Path) -> bool:
    """The same file, by its real path, or by its inode when both exist (a hard link)."""
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return a.resolve() == b.resolve()


def _check_one(option: str, path: Path, force: bool) -> None:
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise UsageError(f"{option} {path}: no such directory {str(parent)!r}")
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        mode = None
    except OSError as error:
        raise UsageError(f"{option} {path}: cannot write: {error.strerror or error}") from None
    if mode is None:
        if not os.access(parent, os.W_OK):
            raise UsageError(f"{option} {path}: cannot write in {str(parent)!r}")
        return
    if stat.S_ISDIR(mode):
        raise UsageError(f"{option} {path}: is a directory, not a file")
    if stat.S_ISFIFO(mode):  # refused if nobody reads it; else held open, so that its reader
        _HELD.append(open_output(path, option, append=True))  # sees no end before the trace
        return
    if stat.S_ISREG(mode) and not force:
        raise UsageError(f"refusing to overwrite {path}: pass --force")
    if not os.access(path, os.W_OK):
        raise UsageError(f"{option} {path}: not writable")


def open_output(path: Path, option: str, append: bool = False) -> IO[bytes]:
    """`path` opened for writing (created, emptied unless `append`); the open never blocks:
    a FIFO with no reader is a UsageError instead of a wait for one that may never come."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_NONBLOCK | os.O_CLOEXEC
    flags |= os.O_APPEND if append else os.O_TRUNC
    try:
        fd = os.open(path, flags, 0o666)
    except OSError as error:
        if error.errno == errno.ENXIO:
            raise UsageError(f"{option} {path}: a FIFO that no process reads") from None
        raise UsageError(f"{option} {path}: cannot write: {error.strerror or error}") from None
    os.set_blocking(fd, True)
    return os.fdopen(fd, "ab" if append else "wb")


def empty_output(path: Path, option: str) -> None:
    """Empty a regular file now, so one run makes one file; a FIFO or a device is left alone
    (opening and closing a FIFO would end its reader's stream)."""
    if path.exists() and not path.is_file():
        return
    open_output(path, option).close()


def write_new(
    folder: Path, name: str, text: str, numbered: bool = False, overwrite: bool = False
) -> Path:
    """Write `text` to `folder/name`, a file that must not exist yet (unless `overwrite`, as
    --force asks); `numbered`: to the first free one of `stem-1.svg`, `stem-2.svg`... A
    FileExistsError rather than an overwrite. A write that fails (a full disk) leaves no half
    file behind: a cut SVG is no picture."""
    folder.mkdir(parents=True, exist_ok=True)
    stem, suffix = Path(name).stem, Path(name).suffix
    names = (f"{stem}-{n}{suffix}" for n in range(1, 10_000)) if numbered else iter([name])
    for candidate in names:
        path = folder / candidate
        try:
            file = path.open("w" if overwrite else "x", encoding="utf-8")
        except FileExistsError:
            if not numbered:
                raise
            continue
        try:
            with file:
                file.write(text)
        except OSError:
            path.unlink(missing_ok=True)
            raise
        return path
    raise FileExistsError(errno.EEXIST, "no free file name", str(folder / name))


def write_failed(option: str, path: Path, error: OSError) -> WriteFailed:
    """The one line a failed write (a full disk) ends a run with."""
    reason = error.strerror or str(error)
    return WriteFailed(f"{option} {path}: write failed: {reason}; what was written is kept")


@contextlib.contextmanager
def stdout_writes() -> Iterator[None]:
    """Print inside: a stdout that cannot be written (`report > /dev/full`) ends the run with
    one line (WriteFailed), where it gave a traceback. Flushed before leaving, so no write is
    left for the interpreter's exit to fail on."""
    try:
        yield
        sys.stdout.flush()
    except OSError as error:
        # What could not be written is gone; stdout now points nowhere, so that Python's own
        # flush at exit does not fail again with a second message.
        with contextlib.suppress(OSError, ValueError):
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, sys.stdout.fileno())
            os.close(null)
        reason = error.strerror or str(error)
        raise WriteFailed(f"stdout: write failed: {reason}; what was written is kept") from None
