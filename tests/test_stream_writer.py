"""The event writer: every event out, in order, and a flood written in few big batches."""

from __future__ import annotations

import fcntl
import itertools
import os
import threading
import time

import orjson

from kitchen_tui.kitchen.clock import StoryClock
from kitchen_tui.kitchen.events import BATCH_S, PIPE_BYTES, Emitter, StreamWriter, _widen_pipe
from kitchen_tui.protocol.events import Event

F_SETPIPE_SZ = getattr(fcntl, "F_SETPIPE_SZ", 1031)  # Linux's numbers
F_GETPIPE_SZ = getattr(fcntl, "F_GETPIPE_SZ", 1032)
FLOOD_S = 0.2
EVENTS_A_MS = 100  # 100,000 events/s: a 10,000-ticket burst's pace


class Pipe:
    """A pipe with a thread reading everything the writer sends (once let, with `hold`)."""

    def __init__(self, hold: bool = False) -> None:
        read_fd, write_fd = os.pipe()
        self.out = os.fdopen(write_fd, "wb", buffering=0)
        self._in = os.fdopen(read_fd, "rb", buffering=0)
        self.data = bytearray()
        self._go = threading.Event()
        if not hold:
            self._go.set()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def let_read(self) -> None:
        self._go.set()

    def _read(self) -> None:
        self._go.wait()
        while chunk := self._in.read(1 << 16):
            self.data += chunk

    def lines(self) -> list[Event]:
        self._go.set()
        self.out.close()
        self._reader.join(timeout=10)
        return [orjson.loads(line) for line in self.data.splitlines()]


def test_a_flood_goes_out_whole_in_order_in_few_batches() -> None:
    emitter = Emitter(StoryClock())
    pipe = Pipe()
    writer = StreamWriter(emitter, pipe.out)
    writes: list[int] = []
    write = writer._write

    def counted(data: bytes | bytearray) -> None:
        writes.append(len(data))
        write(data)

    writer._write = counted  # type: ignore[method-assign]
    writer.start()
    sent = 0
    end = time.perf_counter() + FLOOD_S
    while time.perf_counter() < end:
        for _ in range(EVENTS_A_MS):
            emitter.emit("served", id=f"o{sent}", n=sent, latency_s=1.8)
            sent += 1
        time.sleep(0.001)
    writer.close()
    events = pipe.lines()

    assert [e["n"] for e in events] == list(range(sent))
    assert [e["seq"] for e in events] == list(range(sent))
    # A batch every BATCH_S made 76 writes here; a flood is written a frame at a time
    # instead, so the writer takes the GIL from the loop far less often.
    assert len(writes) < FLOOD_S / BATCH_S / 2


def test_a_reader_too_slow_gets_a_count_of_what_was_dropped_never_a_gap() -> None:
    emitter = Emitter(StoryClock(), buffer=200)
    pipe = Pipe(hold=True)
    fcntl.fcntl(pipe.out.fileno(), F_SETPIPE_SZ, 4096)  # full after a few dozen lines
    writer = StreamWriter(emitter, pipe.out)
    writer.start()
    sent = 3_000
    for n in range(sent):
        emitter.emit("served", id=f"o{n}", n=n, latency_s=0.05)
    pipe.let_read()  # only now: the pipe and the buffer were full long before
    writer.close()
    lines = pipe.lines()

    drops = [e for e in lines if e["type"] == "dropped"]
    served = [e for e in lines if e["type"] == "served"]
    assert drops, "a reader this slow must lose events"
    dropped = sum(int(e["count"]) for e in drops)
    assert len(served) + dropped == sent
    seqs = [int(e["seq"]) for e in served]
    jumps = sum(b - a - 1 for a, b in itertools.pairwise(seqs))
    assert jumps + seqs[0] + (sent - 1 - seqs[-1]) == dropped


def test_the_kitchen_widens_its_pipe_to_hold_a_floods_batch() -> None:
    read_fd, write_fd = os.pipe()
    try:
        _widen_pipe(write_fd)
        assert fcntl.fcntl(write_fd, F_GETPIPE_SZ) == PIPE_BYTES
    finally:
        os.close(read_fd)
        os.close(write_fd)
