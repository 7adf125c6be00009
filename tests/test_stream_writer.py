"""The event writer: every event out, in order, and a flood written in few big batches."""

from __future__ import annotations

import fcntl
import itertools
import os
import threading
import time
from collections import Counter
from typing import Any

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


def test_a_reader_too_slow_loses_whole_steps_of_detail_counted_never_a_tickets_life() -> None:
    emitter = Emitter(StoryClock(), buffer=200)
    pipe = Pipe(hold=True)
    fcntl.fcntl(pipe.out.fileno(), F_SETPIPE_SZ, 4096)  # full after a few dozen lines
    writer = StreamWriter(emitter, pipe.out)
    writer.start()
    sent = 3_000
    for n in range(sent):
        _ticket_life(emitter, n)
    pipe.let_read()  # only now: the pipe and the buffer were full long before
    writer.close()
    lines = pipe.lines()

    kinds = Counter(str(e["type"]) for e in lines)
    for life in ("arrived", "seated", "served"):
        assert kinds[life] == sent  # a ticket's life is never dropped
    assert kinds["stall"] >= sent  # a stall of 50 ms or more is never dropped either
    drops = [e for e in lines if e["type"] == "dropped"]
    assert drops, "a reader this slow must lose detail"
    dropped: Counter[str] = Counter()
    for event in drops:
        dropped.update(event["kinds"])
        assert event["count"] == sum(event["kinds"].values())
    assert set(dropped) <= {"step_started", "step_finished", "stall"}
    # Whole steps: a finish (and its short stall) goes with its start, never alone.
    assert dropped["step_started"] == dropped["step_finished"] == dropped["stall"] > 0
    assert kinds["step_started"] + dropped["step_started"] == sent
    started = {(e["n"], e["i"]) for e in lines if e["type"] == "step_started"}
    assert {(e["n"], e["i"]) for e in lines if e["type"] == "step_finished"} == started
    # The loop's held time stays whole: what went is carried in the count.
    short = sum(float(e["seconds"]) for e in lines if e["type"] == "stall" and e["level"] == 0)
    held = short + sum(float(e["stall_s"]) for e in drops)
    assert abs(held - sent * SHORT_STALL_S) < 1e-6
    # Every event was numbered, the thinned ones too: the gaps in seq are exactly the count.
    seqs = [int(e["seq"]) for e in lines if e["type"] != "dropped"]
    numbered = len(seqs) + dropped.total()
    gaps = sum(b - a - 1 for a, b in itertools.pairwise(seqs)) + seqs[0] + numbered - 1 - seqs[-1]
    assert gaps == dropped.total()


SHORT_STALL_S = 0.001


def _ticket_life(emitter: Emitter, n: int) -> None:
    """A ticket: arrived, seated, a step on the loop with a short stall, a long stall, served."""
    base: dict[str, Any] = {"t": time.perf_counter(), "id": f"o{n}", "n": n}
    step = {**base, "i": 0, "kind": "cpu", "label": "crunch", "where": "loop", "nominal_s": 0.0}
    emitter.put({**base, "type": "arrived", "dish": "crunch", "front_desk": 1})
    emitter.put({**base, "type": "seated", "mode": "async", "cook": None, "prep_shelf": False})
    emitter.put({**step, "type": "step_started"})
    emitter.put({**step, "type": "step_finished", "measured_s": SHORT_STALL_S})
    emitter.put({**step, "type": "stall", "seconds": SHORT_STALL_S, "level": 0})
    emitter.put({**step, "type": "stall", "i": 1, "seconds": 0.3, "level": 2})
    emitter.put({**base, "type": "served", "dish": "crunch", "latency_s": 0.05})


def test_the_kitchen_widens_its_pipe_to_hold_a_floods_batch() -> None:
    read_fd, write_fd = os.pipe()
    try:
        _widen_pipe(write_fd)
        assert fcntl.fcntl(write_fd, F_GETPIPE_SZ) == PIPE_BYTES
    finally:
        os.close(read_fd)
        os.close(write_fd)
