"""The kitchen's event stream: stamped, numbered events written one JSON object a line.

Any thread may emit (the loop, cook threads, the doorman); a writer thread serialises and writes
them, so a slow reader never blocks the kitchen: past the buffer, events are counted as dropped
and the count is written before the next event that gets through.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any, BinaryIO

EVENT_VERSION = 1
DEFAULT_BUFFER = 200_000
STALL_LEVELS = (0.05, 0.25, 1.0)  # the alarm levels people know: 50 ms, 250 ms, 1 s

Event = dict[str, Any]


def stall_level(seconds: float) -> int:
    """0 below 50 ms, 1 from 50 ms, 2 from 250 ms, 3 from 1 s."""
    return sum(1 for level in STALL_LEVELS if seconds >= level)


class Emitter:
    """Numbers and buffers events from any thread; `story` maps a real stamp to story time."""

    def __init__(self, story: Callable[[float], float], buffer: int = DEFAULT_BUFFER) -> None:
        self._story = story
        self._buffer: deque[Event] = deque()
        self._capacity = buffer
        self._lock = threading.Lock()
        self._seq = 0
        self.dropped = 0

    def emit(self, event_type: str, /, t: float | None = None, **fields: Any) -> None:
        stamp = time.perf_counter() if t is None else t
        event: Event = {"v": EVENT_VERSION, "seq": 0, "type": event_type, "t": stamp}
        event["story"] = round(self._story(stamp), 6)
        event.update(fields)
        with self._lock:
            event["seq"] = self._seq
            self._seq += 1
            if len(self._buffer) >= self._capacity:
                self.dropped += 1
            else:
                self._buffer.append(event)

    def take(self) -> tuple[list[Event], int]:
        """Everything buffered so far, and how many events were dropped before it."""
        with self._lock:
            events = list(self._buffer)
            self._buffer.clear()
            dropped, self.dropped = self.dropped, 0
        return events, dropped


class StreamWriter:
    """The thread that turns buffered events into JSON lines on the output file descriptor."""

    def __init__(self, emitter: Emitter, out: BinaryIO, poll: float = 0.001) -> None:
        self._emitter = emitter
        self._fd = out.fileno()
        self._poll = poll
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="event-writer", daemon=True)
        self.broken = False

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        """Write what is left, then stop."""
        self._stop.set()
        self._thread.join(timeout=5)
        self._flush()

    def _run(self) -> None:
        while not self._stop.is_set():
            if not self._flush():
                self._stop.wait(self._poll)

    def _flush(self) -> bool:
        events, dropped = self._emitter.take()
        if not events and not dropped:
            return False
        lines = []
        if dropped:
            lines.append(_encode(_dropped_event(dropped)))
        lines.extend(map(_encode, events))
        self._write(("\n".join(lines) + "\n").encode())
        return True

    def _write(self, data: bytes) -> None:
        if self.broken:
            return
        try:
            view = memoryview(data)
            while view:
                written = os.write(self._fd, view)
                view = view[written:]
        except (BrokenPipeError, OSError):
            self.broken = True  # the reader is gone; the kitchen shuts down on stdin EOF


def _dropped_event(count: int) -> Event:
    return {
        "v": EVENT_VERSION,
        "seq": None,
        "type": "dropped",
        "t": time.perf_counter(),
        "count": count,
    }


# One C encoder made once: `JSONEncoder.encode` builds a new one per call, which cost the
# writer thread more per event (measured 9.4 -> 4.9 us for a step_started, 7.0 -> 5.6 us
# for a served): GIL time the writer takes from the event loop.
# Same output as json.dumps(event, separators=(",", ":")).
_c_make_encoder = getattr(json.encoder, "c_make_encoder", None)  # Any: no stubs for it
_slow_encode = json.JSONEncoder(separators=(",", ":")).encode
_c_encode = (
    None
    if _c_make_encoder is None
    else _c_make_encoder(
        None,  # no check for circular references: events are flat, made here
        json.JSONEncoder().default,  # the usual TypeError for a value JSON cannot hold
        json.encoder.encode_basestring_ascii,
        None,  # no indent
        ":",
        ",",
        False,  # sort_keys
        False,  # skipkeys
        True,  # allow_nan
    )
)


def _encode(event: Event) -> str:
    if _c_encode is None:
        return _slow_encode(event)
    return "".join(_c_encode(event, 0))
