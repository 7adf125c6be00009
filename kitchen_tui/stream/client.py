"""The parent's side of the kitchen process: send commands, read events, never leave a stray."""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import queue
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, TypeGuard

import orjson

from kitchen_tui.outputs import open_output, write_failed
from kitchen_tui.protocol.checked import printable_event
from kitchen_tui.protocol.commands import (
    ChangeSettings,
    Command,
    DefineDishes,
    PlaceOrders,
    Reset,
    RestartWorker,
    SetStream,
    SetWorkers,
    Shutdown,
)
from kitchen_tui.protocol.events import Event
from kitchen_tui.protocol.menu import Dish
from kitchen_tui.protocol.orders import Order
from kitchen_tui.protocol.settings import KitchenSettings
from kitchen_tui.protocol.thinning import DropCount, StepThinner
from kitchen_tui.stream.process_group import kill_group

# Events waiting for the consumer; past this, step detail is thinned (never a ticket's life).
# A parsed event costs about 1.5 KB: a million of them held a slow UI at 1.5 GB.
MAX_PENDING = 100_000
STOP_GRACE_S = 1.0


class KitchenProcess:
    """The kitchen running in a child process (its own session), seen from the parent.

    A reader thread parses the event stream into a queue the consumer drains when it likes; with
    `trace`, every line is also written to that file as it arrives, flushed batch by batch.
    """

    def __init__(
        self, settings: KitchenSettings, backend: str = "asyncio", trace: Path | None = None
    ) -> None:
        self.settings = settings
        self.backend = backend
        self.trace_path = trace
        self._events: queue.SimpleQueue[Event] = queue.SimpleQueue()
        self._proc: subprocess.Popen[bytes] | None = None
        self._reader: threading.Thread | None = None
        self._stderr_tail: deque[str] = deque(maxlen=20)
        self._send_lock = threading.Lock()
        self._stopping = False
        self._thinner = StepThinner()
        self._dropped = DropCount()
        self._ready = threading.Event()

    # -- life cycle -------------------------------------------------------------------------

    def start(self, wait: bool = False, timeout: float = 15.0) -> None:
        """Spawn the kitchen; with `wait`, return once it has said hello (or died)."""
        self._ready.clear()
        config = {**self.settings.to_json(), "backend": self.backend}
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self._stopping = False
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "kitchen_tui.kitchen.serve", json.dumps(config)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,  # its own process group: one killpg takes the prep shelf too
            env=env,
        )
        trace = open_output(self.trace_path, "--trace", append=True) if self.trace_path else None
        self._reader = threading.Thread(
            target=self._read_events, args=(self._proc, trace), name="kitchen-events", daemon=True
        )
        self._reader.start()
        threading.Thread(
            target=self._read_stderr, args=(self._proc,), name="kitchen-stderr", daemon=True
        ).start()
        atexit.register(self.stop)
        if wait and not self._ready.wait(timeout):
            raise RuntimeError(f"the kitchen process did not start within {timeout:.0f} s")

    @property
    def alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def stop(self, grace: float = STOP_GRACE_S) -> None:
        """Ask the kitchen to shut down; after `grace` seconds, kill its whole process group."""
        proc = self._proc
        if proc is None:
            return
        self._stopping = True
        if proc.poll() is None:
            self._send(Shutdown())
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=grace)
        kill_group(proc.pid)
        proc.wait()
        if self._reader is not None:
            self._reader.join(timeout=2)
        atexit.unregister(self.stop)

    # -- commands -----------------------------------------------------------------------------

    def order(self, orders: Sequence[Order], t0: float | None = None) -> None:
        stamp = time.perf_counter() if t0 is None else t0
        self._send(PlaceOrders(tuple(orders), stamp))

    def define_dishes(self, dishes: Iterable[Dish]) -> None:
        self._send(DefineDishes(tuple(dishes)))

    def configure(self, **changes: object) -> None:
        """Change settings by name; MalformedCommand if one is not a setting or out of range."""
        self._send(ChangeSettings.of(changes))

    def reset(self) -> None:
        self._send(Reset())

    def set_workers(self, count: int) -> None:
        """Run this many workers from now (a kitchen started with one has no master for it)."""
        self._send(SetWorkers(count))

    def restart_worker(self, worker: int) -> None:
        """Start a worker of several again, if it died (a live one serves on)."""
        self._send(RestartWorker(worker))

    def stream(self, stream: SetStream) -> None:
        """Customers at a rate, sent in by the kitchen's own thread (a rate of 0 stops them)."""
        self._send(stream)

    def _send(self, command: Command) -> None:
        self._write((json.dumps(command.to_json()) + "\n").encode())

    def _write(self, data: bytes) -> None:
        proc = self._proc
        if proc is None or proc.stdin is None or proc.poll() is not None:
            return
        with self._send_lock:
            try:
                proc.stdin.write(data)
                proc.stdin.flush()
            except (BrokenPipeError, OSError):
                pass  # the reader thread reports the death

    # -- events -------------------------------------------------------------------------------

    def drain(self, limit: int | None = None) -> list[Event]:
        """Every event received since the last drain (at most `limit`); never blocks."""
        events: list[Event] = []
        while limit is None or len(events) < limit:
            try:
                events.append(self._events.get_nowait())
            except queue.Empty:
                break
        return events

    def get(self, timeout: float | None = None) -> Event | None:
        """The next event, waiting up to `timeout` seconds; None when none came."""
        try:
            return self._events.get(timeout=timeout)
        except queue.Empty:
            return None

    def _read_events(self, proc: subprocess.Popen[bytes], trace: IO[bytes] | None) -> None:
        assert proc.stdout is not None
        fd = proc.stdout.fileno()
        rest = b""
        try:
            while chunk := os.read(fd, 1 << 16):
                data = rest + chunk
                lines = data.split(b"\n")
                rest = lines.pop()
                if trace is not None and lines:
                    trace = self._write_trace(trace, lines)
                events, malformed = _parse(lines)
                if not _plain_text(data):  # an escape code must never reach the screen
                    events = [printable_event(event) for event in events]
                for event in events:
                    self._put(event)
                if malformed:  # skipped and counted, never the end of this thread
                    self._events.put(printable_event(_malformed(malformed)))
                self._ready.set()
        finally:
            if trace is not None:
                with contextlib.suppress(OSError):
                    trace.close()
        code = proc.wait()
        if not self._stopping:
            self._put(printable_event(_died(code, list(self._stderr_tail))))
        self._ready.set()

    def _write_trace(self, trace: IO[bytes], lines: list[bytes]) -> IO[bytes] | None:
        """The trace after writing `lines`; None once a write failed (a full disk): the lines
        written so far stay, and a `write_failed` event tells the consumer to stop the run."""
        try:
            trace.write(b"\n".join(lines) + b"\n")
            trace.flush()
            return trace
        except OSError as error:
            with contextlib.suppress(OSError):
                trace.close()
            assert self.trace_path is not None
            message = str(write_failed("--trace", self.trace_path, error))
            now = time.perf_counter()
            self._put({"type": "write_failed", "seq": None, "t": now, "message": message})
            return None

    def _put(self, event: Event) -> None:
        full = self._events.qsize() >= MAX_PENDING
        if (full or self._thinner.thinned) and not self._thinner.keeps(event, full):
            self._dropped.add(event)
            return
        if self._dropped:
            dropped = self._dropped.take(time.perf_counter())
            if dropped is not None:
                self._events.put(dropped)
        self._events.put(event)

    def _read_stderr(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            self._stderr_tail.append(line.decode(errors="replace").rstrip())


def _parse(lines: list[bytes]) -> tuple[list[Event], list[bytes]]:
    """The events of a chunk's lines, and the lines that were not an event.

    Parsed as one JSON array by orjson: one call for the whole chunk (measured 60k -> 115k
    events/s with the json module, and orjson parses in half json's time). A chunk that will
    not parse whole, one event a line, is parsed line by line. An event is a JSON object with
    a "type"; the whole chunk is checked by looking its types up (16 ns an event, where a
    check a call costs 210 ns: half of orjson's own time).
    """
    if not lines:
        return [], []
    try:
        events: list[Event] = orjson.loads(b"[" + b",".join(lines) + b"]")
        for event in events:
            event["type"]  # a list, a number or a string raises TypeError
    except (orjson.JSONDecodeError, KeyError, TypeError):
        pass
    else:
        if len(events) == len(lines):
            return events, []
    good: list[Event] = []
    bad: list[bytes] = []
    for line in lines:
        if not line.strip():
            continue
        try:
            value: object = orjson.loads(line)
        except orjson.JSONDecodeError:
            value = None
        if _is_event(value):
            good.append(value)
        else:
            bad.append(line)
    return good, bad


def _is_event(value: object) -> TypeGuard[Event]:
    return type(value) is dict and "type" in value


def _plain_text(chunk: bytes) -> bool:
    """Every string in these JSON lines is printable ASCII: no escape (a control character is
    always escaped in JSON) and no byte past ASCII. The stream's usual case, checked in C."""
    return chunk.isascii() and b"\\" not in chunk


def _malformed(lines: list[bytes]) -> Event:
    first = lines[0][:80].decode(errors="replace")
    return {
        "type": "malformed",
        "seq": None,
        "t": time.perf_counter(),
        "count": len(lines),
        "line": first,
    }


def _died(code: int, stderr: list[str]) -> Event:
    last = next((line for line in reversed(stderr) if line.strip()), "")
    how = f"was killed by signal {-code}" if code < 0 else f"exited with code {code}"
    message = f"the kitchen process {how}" + (f": {last}" if last else "")
    return {"type": "died", "seq": None, "t": time.perf_counter(), "code": code, "message": message}
