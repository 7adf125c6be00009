"""Event stream benchmark: does the stream carry a burst to its consumer, and are drops announced?

Run: python bench/bench_stream.py [--orders N]

Target: the stream carries at least 50,000 events/s to a consumer, with no drops.

1. Kitchen burst. N short orders (redis: one 50 ms wait, 5 events each: arrived, seated,
   step_started, step_finished, served) injected at once into an async kitchen process; the
   consumer is `KitchenProcess.drain()` in this process. Printed: events received, events/s
   from the first to the last event's arrival at the consumer and by the kitchen's own `t`
   stamps, how far behind the consumer was (receipt time - `t`) and how much of that came
   before the client's reader thread parsed the event, `dropped` and seq gaps.
   The rate over a burst is bounded by how fast the kitchen makes events, so part 2 measures
   the pipe alone.
2. Stream capacity. The kitchen's own Emitter + StreamWriter in a child process emit M
   served-like events as fast as they can; the parent reads them with the client's reader
   thread (`KitchenProcess`'s) and counts them: the most the stream can carry here. The same
   child writing to /dev/null first gives the kitchen side's own ceiling.
3. Slow consumers get a count, not a silent gap.
   a. In the kitchen process: an Emitter with a small buffer, a StreamWriter on a 4 KiB pipe,
      a reader that sleeps: every ticket's arrived and served events come through; only
      whole steps of detail are thinned, and the `dropped` events' counts equal the jumps in
      `seq`.
   b. In the parent: the client queues up to `client.MAX_PENDING` events (100,000) for a
      consumer that does not drain; past that it thins step detail (never an outcome), counts
      it and hands the consumer a `dropped` event. Shown with MAX_PENDING lowered to 2,000.
"""

from __future__ import annotations

import argparse
import fcntl
import itertools
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

from machine import machine  # bench/machine.py: run as `python bench/<script>.py`

from kitchen_tui.protocol.events import Event
from kitchen_tui.protocol.orders import Order
from kitchen_tui.protocol.settings import KitchenSettings
from kitchen_tui.stream import client
from kitchen_tui.stream.client import KitchenProcess

TARGET_EPS = 50_000
QUIET_S = 30.0
F_SETPIPE_SZ = getattr(fcntl, "F_SETPIPE_SZ", 1031)


# -- 1. a burst through the real kitchen ------------------------------------------------------


def kitchen_burst(n: int) -> bool:
    print(f"\n== 1. {n:,} redis orders at once, async kitchen, consumer = KitchenProcess.drain ==")
    kitchen = KitchenProcess(KitchenSettings(mode="async", front_desk=n))
    reads = _stamp_reads()
    kitchen.start(wait=True)
    before = len(kitchen.drain())
    received: list[tuple[float, Event]] = []
    try:
        t0 = time.perf_counter() + 0.3 + n * 150e-6  # every ticket in hand before t0
        kitchen.order([Order(id=f"r{i}", dish="redis") for i in range(n)], t0=t0)
        served = 0
        for now, batch in _drained(kitchen):
            for event in batch:
                received.append((now, event))
                if event["type"] in ("served", "failed", "refused", "died"):
                    served += 1
            if served >= n:
                break
    finally:
        kitchen.stop()
        client._parse = _PARSE
    read_at = _read_times(reads, before, [e for _, e in received])
    burst = [(at, e) for at, e in received if e["type"] != "heartbeat"]
    count = len(burst)
    recv_s = burst[-1][0] - burst[0][0]
    stamp_s = burst[-1][1]["t"] - burst[0][1]["t"]
    # `arrived` carries the order's arrival stamp, not the moment it was written: left out.
    behind = sorted(at - e["t"] for at, e in burst if e["type"] != "arrived")
    dropped = sum(e["count"] for _, e in received if e["type"] == "dropped")
    seqs = [e["seq"] for _, e in received if e.get("seq") is not None]
    gaps = sum(1 for a, b in itertools.pairwise(seqs) if b != a + 1)
    types: dict[str, int] = {}
    for _, e in burst:
        types[e["type"]] = types.get(e["type"], 0) + 1
    print(f"events received: {count:,} ({', '.join(f'{k} {v:,}' for k, v in types.items())})")
    print(
        f"over the burst: {count / recv_s:,.0f} events/s at the consumer ({recv_s:.3f} s"
        f" first to last arrival), {count / stamp_s:,.0f} events/s by the kitchen's t stamps"
        f" ({stamp_s:.3f} s)"
    )
    print(
        "consumer behind the kitchen (receipt - t, all but arrived):"
        f" p50 {statistics.median(behind) * 1000:.1f}"
        f" ms, p99 {behind[int(len(behind) * 0.99)] * 1000:.1f} ms,"
        f" max {behind[-1] * 1000:.1f} ms"
    )
    # Where the lag is: before the client's reader thread parsed an event (the kitchen's writer
    # and the pipe), or after it (the queue, this consumer).
    written = [
        (read_at[id(e)] - e["t"], at - read_at[id(e)]) for at, e in burst if e["type"] != "arrived"
    ]
    print(
        "  of which until the client's reader parsed it:"
        f" p50 {statistics.median(w for w, _ in written) * 1000:.1f} ms;"
        f" from there to the consumer: p50 {statistics.median(c for _, c in written) * 1000:.1f} ms"
    )
    print(f"dropped: {dropped}, seq gaps: {gaps}")
    ok = dropped == 0 and gaps == 0 and count == 5 * n
    print(f"no drops, every event: {'PASS' if ok else 'FAIL'}")
    return ok


_PARSE = client._parse


def _drained(kitchen: KitchenProcess) -> Iterator[tuple[float, list[Event]]]:
    """The kitchen's events a drain at a time, as the TUI takes them once a frame, each batch
    with when it was taken; a RuntimeError once QUIET_S seconds pass without one."""
    quiet_since = time.perf_counter()
    taken = 0
    while True:
        batch = kitchen.drain()
        now = time.perf_counter()
        if batch:
            quiet_since, taken = now, taken + len(batch)
            yield now, batch
        elif now - quiet_since > QUIET_S:
            raise RuntimeError(f"no event for {QUIET_S} s after {taken:,} events")
        else:
            time.sleep(0.001)


def _stamp_reads() -> list[tuple[float, int]]:
    """Have the client's reader thread note when it parsed each chunk, and how many events."""
    reads: list[tuple[float, int]] = []

    def parse(lines: list[bytes]) -> tuple[list[Event], list[bytes]]:
        events, malformed = _PARSE(lines)
        reads.append((time.perf_counter(), len(events)))
        return events, malformed

    client._parse = parse
    return reads


def _read_times(reads: list[tuple[float, int]], skip: int, events: list[Event]) -> dict[int, float]:
    """When the reader parsed each event: the queue keeps the order it parsed them in, so the
    first `skip` stamps are the events drained before the burst, then one each."""
    stamps = itertools.islice((at for at, count in reads for _ in range(count)), skip, None)
    return {id(event): next(stamps) for event in events}


# -- 2. the pipe alone -----------------------------------------------------------------------

_FLOOD_CODE = """
import os, sys, time
from kitchen_tui.kitchen.clock import StoryClock
from kitchen_tui.kitchen.events import Emitter, EventStream
n = int(sys.argv[1])
start = time.perf_counter()
emitter = Emitter(StoryClock())
writer = EventStream(emitter)  # the writer thread on a copy of stdout, as the kitchen has
split = {"front_desk": 0.0001, "ready": 0.0002, "cook": 0.0, "rail": 0.05, "shelf": 0.0}
for i in range(n):
    emitter.emit("served", id=f"r{i}", n=i, dish="redis", latency_s=0.0503,
                 real_latency_s=0.0503, split=split)
    if i % 1000 == 999:
        time.sleep(0)  # let the writer in, as the kitchen's awaits do
writer.close()
print(n / (time.perf_counter() - start), file=sys.stderr)  # made, encoded and written per s
"""


def stream_capacity(m: int) -> bool:
    print(f"\n== 2. the stream alone: {m:,} served events, Emitter + StreamWriter -> client ==")
    alone = subprocess.run(
        [sys.executable, "-c", _FLOOD_CODE, str(m)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=True,
    )
    print(
        f"the kitchen's side alone (to /dev/null): {float(alone.stderr):,.0f} events/s"
        " made, encoded and written"
    )
    kitchen = KitchenProcess(KitchenSettings())
    proc = subprocess.Popen(
        [sys.executable, "-c", _FLOOD_CODE, str(m)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    kitchen._proc = proc  # the client's own reader thread, on this child's stdout
    kitchen._stopping = True  # its end is expected: no `died` event
    reader = threading.Thread(target=kitchen._read_events, args=(proc, None), daemon=True)
    reader.start()
    got, first, last, dropped = 0, 0.0, 0.0, 0
    for now, batch in _drained(kitchen):
        for event in batch:
            if event["type"] == "dropped":
                dropped += event["count"]
            else:
                first = first or now
                last = now
                got += 1
        if got >= m:
            break
    proc.wait()
    eps = (got - 1) / (last - first)
    ok = eps >= TARGET_EPS and dropped == 0
    print(
        f"received {got:,} in {last - first:.3f} s: {eps:,.0f} events/s, dropped {dropped}"
        f"  (target >= {TARGET_EPS:,}/s: {'PASS' if ok else 'FAIL'})"
    )
    return ok


# -- 3. slow consumers -------------------------------------------------------------------------

_SLOW_CODE = """
import fcntl, os, sys, time
from kitchen_tui.kitchen.clock import StoryClock
from kitchen_tui.kitchen.events import Emitter, EventStream
n, buffer = int(sys.argv[1]), int(sys.argv[2])
emitter = Emitter(StoryClock(), buffer=buffer)
writer = EventStream(emitter)  # writes to a copy of this fd 1 (and widens the pipe)
fcntl.fcntl(1, int(sys.argv[3]), 4096)  # then a 4 KiB pipe: fills after a few dozen lines
step = {"i": 0, "kind": "wait", "label": "GET", "where": "rail", "nominal_s": 0.05}
for i in range(n // 4):  # a ticket's life around one step: four events
    emitter.emit("arrived", id=f"r{i}", n=i, dish="redis", front_desk=1)
    emitter.emit("step_started", id=f"r{i}", n=i, **step)
    emitter.emit("step_finished", id=f"r{i}", n=i, **step, measured_s=0.05)
    emitter.emit("served", id=f"r{i}", n=i, dish="redis", latency_s=0.05)
    time.sleep(0.0004)
writer.close()
"""


def slow_consumer_kitchen_side(n: int = 5_000, buffer: int = 500) -> bool:
    print(
        f"\n== 3a. slow reader of the kitchen's pipe: {n:,} events, Emitter buffer {buffer},"
        " 4 KiB pipe, reader sleeps 1 ms a line for the first 200 lines =="
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", _SLOW_CODE, str(n), str(buffer), str(F_SETPIPE_SZ)],
        stdout=subprocess.PIPE,
    )
    assert proc.stdout is not None
    import json

    seqs: list[int] = []
    lives: dict[str, int] = {"arrived": 0, "served": 0}
    announced: dict[str, int] = {}
    jumps = 0
    last_seq = -1
    for i, line in enumerate(proc.stdout):
        if i < 200:
            time.sleep(0.001)  # a consumer too slow for the stream
        event = json.loads(line)
        if event["type"] == "dropped":
            for kind, count in event["kinds"].items():
                announced[kind] = announced.get(kind, 0) + count
            continue
        seq = event["seq"]
        jumps += seq - last_seq - 1
        last_seq = seq
        seqs.append(seq)
        if event["type"] in lives:
            lives[event["type"]] += 1
    proc.wait()
    thinned = sum(announced.values())
    whole = set(announced) <= {"step_started", "step_finished"}
    every_life = lives["arrived"] == lives["served"] == n // 4
    ok = thinned > 0 and thinned == jumps and len(seqs) + thinned == n and whole and every_life
    print(
        f"lines read {len(seqs):,}, thinned {thinned:,} ({announced}), seq jumps {jumps:,},"
        f" read + thinned = {len(seqs) + thinned:,} of {n:,}; arrived {lives['arrived']:,},"
        f" served {lives['served']:,} of {n // 4:,}  ({'PASS' if ok else 'FAIL'}: a ticket's"
        " life always arrives, step detail goes a whole step at a time, every loss counted)"
    )
    return ok


def slow_consumer_client_side(n: int = 2_000, pending: int = 2_000) -> bool:
    print(
        f"\n== 3b. slow consumer of KitchenProcess: {n:,} redis orders (~{5 * n:,} events),"
        f" client.MAX_PENDING lowered to {pending:,}, consumer waits until all are served =="
    )
    saved = client.MAX_PENDING
    client.MAX_PENDING = pending
    kitchen = KitchenProcess(KitchenSettings(mode="async", front_desk=n))
    try:
        kitchen.start(wait=True)
        kitchen.drain()
        kitchen.order([Order(id=f"r{i}", dish="redis") for i in range(n)])
        time.sleep(3.0)  # the consumer is busy elsewhere; the kitchen serves on
        events = kitchen.drain()
        kitchen.stop()
        events += kitchen.drain()
    finally:
        client.MAX_PENDING = saved
    dropped: int = sum(e["count"] for e in events if e["type"] == "dropped")
    kept = [e for e in events if e["type"] != "dropped"]
    seqs = [e["seq"] for e in kept if e.get("seq") is not None]
    jumps = sum(b - a - 1 for a, b in itertools.pairwise(seqs))
    served = sum(1 for e in kept if e["type"] == "served")
    ok = dropped > 0 and dropped == jumps and served == n
    print(
        f"events kept {len(kept):,} (served {served:,} of {n:,}), `dropped` announced"
        f" {dropped:,}, seq jumps {jumps:,}  ({'PASS' if ok else 'FAIL'}: every order's"
        " outcome arrives, the gap in detail is counted)"
    )
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=20_000, help="part 1: redis orders")
    parser.add_argument("--events", type=int, default=200_000, help="part 2: events")
    parser.add_argument("--only", choices=("burst", "pipe", "slow"))
    args = parser.parse_args()
    print(f"{time.strftime('%Y-%m-%d %H:%M:%S')}  {machine()}")
    ok = True
    if args.only in (None, "burst"):
        ok &= kitchen_burst(args.orders)
    if args.only in (None, "pipe"):
        ok &= stream_capacity(args.events)
    if args.only in (None, "slow"):
        ok &= slow_consumer_kitchen_side()
        ok &= slow_consumer_client_side()
    print(f"\nload average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
