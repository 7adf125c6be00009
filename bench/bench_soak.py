"""Soak: the live app under a steady stream of orders; does its memory stay flat?

Run: python bench/bench_soak.py [--minutes 10] [--rate 33] [--sample 30] [--warm-up 2]

The real `kitchen-tui` (Textual, its kitchen process) runs on a pseudo-terminal of a fixed
size, and this script types its order keys at a steady rate, open loop (each key at its own
instant, however the app is doing): `f` (Redis, 50 ms), `d` (Postgres, 80 ms) and `s` (LLM,
2 s) in turn, so about 25 tickets are in flight at 33 orders a second. Every `--sample`
seconds it reads the resident memory (VmRSS) of the UI process and of the kitchen process and
prints it; at the end, the growth of each from the first sample after `--warm-up` minutes to
the last, and the most either reached. Target: under 5 % after warm-up. The app's output is read
continuously (and thrown away), as a terminal would. Quits with `q` and checks the app ends.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

from machine import machine  # bench/machine.py: run as `python bench/<script>.py`

TARGET_GROWTH = 0.05
KEYS = b"fds"  # Redis, Postgres, LLM: waits only, so the kitchen keeps up at any rate here
SIZE = (120, 36)
START_TIMEOUT_S = 30.0


class Terminal:
    """The app on a pseudo-terminal of a fixed size; a thread reads everything it draws."""

    def __init__(self, args: list[str], size: tuple[int, int]) -> None:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
        env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
        env.update(TERM="xterm-256color", COLORTERM="truecolor", TEXTUAL_ANIMATIONS="none")
        self.proc = subprocess.Popen(
            args, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True
        )
        os.close(slave)
        self.master = master
        self.received = 0
        self.tail = b""  # the last few KiB drawn, for a message if something goes wrong
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self.master, 1 << 16)
            except OSError:
                return
            if not data:
                return
            self.received += len(data)
            self.tail = (self.tail + data)[-4096:]

    def send(self, keys: bytes) -> None:
        os.write(self.master, keys)

    def quit(self, timeout: float = 15.0) -> int | None:
        """Press q; the exit code, or None if the app had to be killed."""
        self.send(b"q")
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, 9)
            self.proc.wait()
            return None
        finally:
            os.close(self.master)


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def kitchen_pid(ui: int) -> int | None:
    """The UI's child running the kitchen (`python -m kitchen_tui.kitchen.serve`)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == ui and b"kitchen_tui.kitchen.serve" in cmdline:
            return int(entry.name)
    return None


def wait_for_kitchen(term: Terminal) -> int:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        pid = kitchen_pid(term.proc.pid)
        if pid is not None and term.received > 0:
            time.sleep(1.0)  # the first frame and the kitchen's hello
            return pid
        time.sleep(0.1)
    raise SystemExit(f"the app did not start its kitchen; it drew:\n{term.tail!r}")


Sample = tuple[float, int, float, float]  # seconds in, orders sent, UI MB, kitchen MB


def soak(minutes: float, rate: float, sample_s: float) -> list[Sample]:
    """Type orders for `minutes`, sampling both processes' memory every `sample_s`."""
    term = Terminal([sys.executable, "-m", "kitchen_tui"], SIZE)
    samples: list[Sample] = []
    try:
        kitchen = wait_for_kitchen(term)
        print(f"{'time':>6} {'orders':>7} {'UI MB':>8} {'kitchen MB':>11}  (UI {term.proc.pid})")
        start = time.perf_counter()
        end = start + minutes * 60
        next_sample, sent = start, 0
        while (now := time.perf_counter()) < end:
            if now >= next_sample:
                samples.append(sample(term, kitchen, now - start, sent))
                next_sample += sample_s
            if now >= start + sent / rate:  # open loop: each order at its own instant
                term.send(KEYS[sent % len(KEYS) :][:1])
                sent += 1
            wake = min(start + sent / rate, next_sample, end)
            time.sleep(max(0.0, wake - time.perf_counter()))
        samples.append(sample(term, kitchen, time.perf_counter() - start, sent))
    finally:
        code = term.quit()
    print(f"quit with q: {'exit code ' + str(code) if code is not None else 'KILLED (no exit)'}")
    return samples


def sample(term: Terminal, kitchen: int, seconds: float, sent: int) -> Sample:
    ui_mb, kitchen_mb = rss_mb(term.proc.pid), rss_mb(kitchen)
    if ui_mb is None or kitchen_mb is None:
        raise SystemExit(f"a process ended during the soak; the app drew:\n{term.tail!r}")
    minute, second = divmod(round(seconds), 60)
    print(f"{minute:>3}:{second:02} {sent:>7,} {ui_mb:>8.1f} {kitchen_mb:>11.1f}", flush=True)
    return seconds, sent, ui_mb, kitchen_mb


def growth(samples: list[Sample], warm_s: float, column: int) -> str:
    warm = next((s for s in samples if s[0] >= warm_s), samples[0])
    last = samples[-1]
    peak = max(s[column] for s in samples if s[0] >= warm[0])
    change = (last[column] - warm[column]) / warm[column]
    most = (peak - warm[column]) / warm[column]
    ok = change < TARGET_GROWTH and most < TARGET_GROWTH
    return (
        f"{warm[column]:.1f} MB at {warm[0] / 60:.1f} min -> {last[column]:.1f} MB at"
        f" {last[0] / 60:.1f} min: {change * 100:+.1f} % (peak {peak:.1f} MB, {most * 100:+.1f} %;"
        f" target < {TARGET_GROWTH * 100:.0f} %: {'PASS' if ok else 'FAIL'})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="how long to soak")
    parser.add_argument("--rate", type=float, default=33.0, help="orders a second")
    parser.add_argument("--sample", type=float, default=30.0, help="seconds between samples")
    parser.add_argument("--warm-up", type=float, default=2.0, help="minutes before growth counts")
    args = parser.parse_args()
    print(f"{time.strftime('%Y-%m-%d %H:%M:%S')}  {machine()}")
    print(
        f"soak: kitchen-tui at {SIZE[0]}x{SIZE[1]}, {args.rate:g} orders/s ({KEYS.decode()} in"
        f" turn) for {args.minutes:g} min, RSS every {args.sample:g} s"
    )
    samples = soak(args.minutes, args.rate, args.sample)
    warm_s = args.warm_up * 60
    lines = [f"UI:      {growth(samples, warm_s, 2)}", f"kitchen: {growth(samples, warm_s, 3)}"]
    print("\n".join(lines))
    print(f"load average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0 if all("PASS" in line for line in lines) else 1


if __name__ == "__main__":
    raise SystemExit(main())
