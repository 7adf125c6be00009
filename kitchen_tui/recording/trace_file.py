"""Trace files: the kitchen's events as `--trace` wrote them, one JSON object a line.

`TraceFile` streams a trace (a line at a time, so a trace of any length starts at once and costs
the memory of one line); every line is checked against the protocol and its text made printable
before anyone sees it. A bad line in the middle becomes a `malformed` event naming its line
number, and the replay goes on; a file that is no trace at all is a UsageError before it starts.
`load_trace` reads a whole trace strictly, for tests and tools: its first bad line is the error.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson

from kitchen_tui.errors import UsageError
from kitchen_tui.files import open_regular
from kitchen_tui.protocol.checked import event_problem, printable, printable_event
from kitchen_tui.protocol.events import STREAM_VERSION, Event

MAX_LINE_BYTES = 1 << 20  # a kitchen event is a few hundred bytes; hello with a menu, a few KiB
NOT_JSON = "expected one JSON event a line"


@dataclass(frozen=True)
class Line:
    """One line of a trace: its number, its bytes (without the newline) and whether one ended it."""

    number: int
    data: bytes
    whole: bool


class TraceFile:
    """A trace on disk; each iteration reads it again from the top, one line at a time."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        first = next(self._lines(), None)
        if first is None:
            raise UsageError(f"{self.path}: empty: not a kitchen trace")
        event, problem = parse_line(first.data)
        if event is None or not _is_hello_like(event):
            raise UsageError(f"{self.path}:1: not a kitchen trace ({problem or NOT_JSON})")
        _check_version(event, self.path, 1)

    def __iter__(self) -> Iterator[Event]:
        """The events; a bad line as a `malformed` event, a last line cut mid-write left out."""
        stamp = 0.0
        for line in self._lines():
            event, problem = parse_line(line.data)
            if event is None and not line.whole:
                return  # the recorder was killed mid-write: replay up to the cut
            version = STREAM_VERSION if event is None else event.get("v", STREAM_VERSION)
            if version != STREAM_VERSION:
                event, problem = None, f"event stream version {version!r}"
            if event is None:
                yield _malformed(f"{self.path.name}:{line.number}: {problem}", stamp)
                continue
            stamp = event.get("t", stamp)
            yield event

    def _lines(self) -> Iterator[Line]:
        with open_regular(self.path, "trace") as file:
            number = 0
            while chunk := file.readline(MAX_LINE_BYTES + 1):
                number += 1
                whole = chunk.endswith(b"\n")
                if not whole and len(chunk) > MAX_LINE_BYTES:
                    while (rest := file.readline(MAX_LINE_BYTES)) and not rest.endswith(b"\n"):
                        pass  # a line longer than any event: skipped to its end, unread
                    yield Line(number, b"", True)
                    continue
                if chunk.strip():
                    yield Line(number, chunk.rstrip(b"\r\n"), whole)


def parse_line(data: bytes) -> tuple[Event | None, str | None]:
    """The line's event, checked and made printable; or None and why it is not one."""
    if not data:
        return None, f"longer than {MAX_LINE_BYTES:,} bytes"
    try:
        value = orjson.loads(data)  # nesting past 1,024 is a decode error, not a RecursionError
    except orjson.JSONDecodeError:
        return None, NOT_JSON
    if not isinstance(value, dict):
        return None, NOT_JSON
    problem = event_problem(value)
    if problem is not None:
        return None, printable(problem)
    return printable_event(value), None


@dataclass(frozen=True)
class Trace:
    """A recorded run of a kitchen: its events in the order it wrote them."""

    path: Path
    events: tuple[Event, ...]
    # The last line was cut off mid-write (the recorder was killed): it was left out.
    truncated: bool = False


def load_trace(path: Path | str) -> Trace:
    """A whole trace, strictly: its first bad line is a UsageError of one line."""
    trace = TraceFile(path)
    events: list[Event] = []
    truncated = False
    for line in trace._lines():
        event, problem = parse_line(line.data)
        if event is None and not line.whole and events:
            truncated = True
            break
        if event is None:
            what = "not a kitchen trace" if not events else "not a kitchen event"
            raise UsageError(f"{trace.path}:{line.number}: {what} ({problem})")
        events.append(_check_version(event, trace.path, line.number))
    return Trace(trace.path, tuple(events), truncated)


def _is_hello_like(event: Event) -> bool:
    """A kitchen event: versioned and stamped (a trace starts with one, usually `hello`)."""
    return "v" in event and "t" in event


def _check_version(event: Event, path: Path, number: int) -> Event:
    version = event.get("v", STREAM_VERSION)
    if version != STREAM_VERSION:
        raise UsageError(
            f"{path}:{number}: event stream version {version!r} is not supported"
            f" (this kitchen reads version {STREAM_VERSION})"
        )
    return event


def _malformed(where: str, stamp: float) -> Event:
    """A bad line, told as the client tells one: skipped, counted, shown with its place."""
    return {"type": "malformed", "seq": None, "t": stamp, "count": 1, "line": where[:200]}
