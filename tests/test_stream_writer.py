"""The event writer: every event out, in order, and a flood written in few big batches."""

from __future__ import annotations

import os
import threading
import time

import orjson

from kitchen_tui.kitchen.clock import StoryClock
from kitchen_tui.kitchen.events import BATCH_S, Emitter, StreamWriter

FLOOD_S = 0.2
EVENTS_A_MS = 100  # 100,000 events/s: a 10,000-ticket burst's pace


class Pipe:
    """A pipe with a thread reading everything the writer sends."""

    def __init__(self) -> None:
        read_fd, write_fd = os.pipe()
        self.out = os.fdopen(write_fd, "wb", buffering=0)
        self._in = os.fdopen(read_fd, "rb", buffering=0)
        self.data = bytearray()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while chunk := self._in.read(1 << 16):
            self.data += chunk

    def lines(self) -> list[dict[str, object]]:
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
    # A batch every BATCH_S would be a hundred writes or more; a flood is written a frame
    # at a time instead, so the writer takes the GIL from the loop far less often.
    assert len(writes) < FLOOD_S / BATCH_S / 2
