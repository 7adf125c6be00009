"""The kitchen's event stream: stamped, numbered events written one JSON object a line.

Any thread may emit (the loop, cook threads, the doorman); a writer thread numbers, encodes
and writes them in batches, so a slow reader never blocks the kitchen: past the buffer, step
detail is thinned (a ticket's life events never are) and the count of what went, per kind,
goes out before the next event that does.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import time
from collections import deque
from typing import IO, Any

import orjson

from kitchen_tui.kitchen.clock import StoryClock
from kitchen_tui.protocol.events import STREAM_VERSION, Event
from kitchen_tui.protocol.thinning import DropCount, StepThinner

DEFAULT_BUFFER = 200_000
BATCH_S = 0.002  # the writer's pause before taking a batch: well under a frame at 60 fps
# In a flood (a batch this big or bigger), pause a frame at 50 fps instead: each batch takes
# the GIL from the event loop, and each hand-over costs both threads a wake-up.
FLOOD_EVENTS = 64
FLOOD_BATCH_S = 0.02
PIPE_BYTES = 1 << 20  # Linux's default most for a pipe (/proc/sys/fs/pipe-max-size)


class Emitter:
    """Buffers events from any thread without a lock; the writer numbers and stamps them.

    Locks here made a convoy: a thread emitting in a tight loop (the doorman greeting a burst
    of arrivals) kept the event loop waiting for the lock for hundreds of milliseconds. A
    deque's append and popleft are atomic, so none is needed.
    """

    def __init__(self, clock: StoryClock, buffer: int = DEFAULT_BUFFER) -> None:
        self._clock = clock
        self._buffer: deque[Event] = deque()
        self._drops = DropCount()
        self._thinner = StepThinner()
        self._thinned = self._thinner.thinned
        self._capacity = buffer
        self._seq = 0
        # Set when events wait for the writer. A writer that polled instead woke a thousand
        # times a second, each time taking the GIL from a cook thread in the middle of its work.
        self.ready = threading.Event()

    def emit(self, event_type: str, /, t: float | None = None, **fields: Any) -> None:
        stamp = time.perf_counter() if t is None else t
        self.put({"type": event_type, "t": stamp, **fields})

    def put(self, event: Event) -> None:
        """Buffer an event that has its "type" and "t" (a perf_counter stamp) already.

        The hot path: a ticket's own events are built as one literal each by the caller, which
        costs half of `emit`'s keyword packing and merging (five events a ticket, ten thousand
        tickets in a burst).
        """
        full = len(self._buffer) >= self._capacity
        if (full or self._thinned) and not self._thinner.keeps(event, full):
            self._drops.add(event)
            if not self.ready.is_set():
                self.ready.set()
            return
        self._buffer.append(event)
        # Append first, then look: the writer clears the flag only when it found nothing to
        # take, and looks again after clearing, so no event waits for a flag nobody sets.
        if not self.ready.is_set():
            self.ready.set()

    def idle(self) -> bool:
        """The writer's side: clear the flag and say whether there is still nothing to take
        (an event appended meanwhile has set the flag again, or is seen here)."""
        self.ready.clear()
        return not self.pending()

    def pending(self) -> bool:
        """Events or drops wait for the writer."""
        return bool(self._buffer or self._drops)

    def take(self) -> list[Event]:
        """Everything buffered so far, numbered and stamped with story time, after a `dropped`
        event for what was thinned before it (if anything was). Only the writer thread calls
        this. The thinned events keep their numbers: the seq jump equals the count."""
        dropped = self._drops.take(time.perf_counter()) if self._drops else None
        buffer = self._buffer
        events = [buffer.popleft() for _ in range(len(buffer))]
        seq, story = self._seq, self._clock.story
        for event in events:
            event["v"] = STREAM_VERSION
            event["seq"] = seq
            event["story"] = story(event["t"])
            seq += 1
        self._seq = seq
        if dropped is not None:
            self._seq += dropped["count"]
            events.insert(0, dropped)
        return events


class StreamWriter:
    """The thread that writes buffered events, one JSON object a line, in batches."""

    def __init__(self, emitter: Emitter, out: IO[bytes]) -> None:
        self._emitter = emitter
        self._fd = out.fileno()
        self._stop = False
        self._thread = threading.Thread(target=self._run, name="event-writer", daemon=True)
        self.broken = False

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        """Write what is left, then stop."""
        self._stop = True
        self._emitter.ready.set()
        self._thread.join(timeout=5)
        self._flush()

    def _run(self) -> None:
        emitter = self._emitter
        written = 0
        while not self._stop:
            # Clear the flag only when idle: cleared every batch, the first event after each
            # one paid for setting it (a condition variable's notify) in a burst.
            if not emitter.pending() and emitter.idle():
                emitter.ready.wait()
            # Let a batch gather: a wake-up for every event in a burst took the GIL from the
            # event loop thousands of times a second, for a line or two each time.
            time.sleep(FLOOD_BATCH_S if written >= FLOOD_EVENTS else BATCH_S)
            written = self._flush()

    def _flush(self) -> int:
        """Write what is buffered; how many events that was."""
        events = self._emitter.take()
        if events:
            self._write(_encode(events))
        return len(events)

    def _write(self, data: bytes | bytearray) -> None:
        if self.broken:
            return
        try:
            view = memoryview(data)
            while view:
                written = os.write(self._fd, view)
                view = view[written:]
        except (BrokenPipeError, OSError):
            self.broken = True  # the reader is gone; the kitchen shuts down on stdin EOF


class EventStream:
    """The way out: a duplicate of stdout kept for events, and the writer thread feeding it."""

    def __init__(self, emitter: Emitter) -> None:
        self._out = os.fdopen(os.dup(1), "wb", buffering=0)
        _widen_pipe(self._out.fileno())
        self._writer = StreamWriter(emitter, self._out)
        self._writer.start()

    def close(self) -> None:
        """Write what is left, then close."""
        self._writer.close()
        with contextlib.suppress(OSError):
            self._out.close()


def _encode(events: list[Event]) -> bytearray:
    """One JSON line an event. This is GIL time taken from the event loop and the cook threads:
    orjson costs a fifth of the json module (1.4 against 5 to 10 us an event), and appending
    each line to one buffer as it is made lets the allocator reuse the line's memory (keeping
    every line for a join cost 2.9 us an event, this 0.8 us)."""
    out = bytearray()
    for event in events:
        out += orjson.dumps(event, option=orjson.OPT_APPEND_NEWLINE)
    return out


def _widen_pipe(fd: int) -> None:
    """Make the pipe hold a whole batch of a flood, so the writer hands it over in one write.

    A 64 KiB pipe takes a flood's 20 ms batch (about 500 KiB) in pieces, and after each piece
    the writer needs the GIL again while the loop is busy. Linux only; elsewhere, or when the
    system's pipe limits refuse, the pipe keeps its size.
    """
    set_size = getattr(fcntl, "F_SETPIPE_SZ", None)
    if set_size is not None:
        with contextlib.suppress(OSError):
            fcntl.fcntl(fd, set_size, PIPE_BYTES)
