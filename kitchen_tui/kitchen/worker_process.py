"""One worker process as its master sees it: started, told commands, read, and ended."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import Any

import orjson

from kitchen_tui.kitchen.forked import ForkedProcess

Event = dict[str, Any]


class WorkerProcess:
    """A kitchen process in a pool (a gunicorn worker): its own loop, cooks and prep shelf.

    It inherits the listening socket and the accept board; its event stream is read by a
    thread that hands each event to the master, and its end (an exit code) too.
    """

    def __init__(
        self,
        slot: int,
        config: dict[str, object],
        fds: tuple[int, ...],
        on_event: Callable[[int, Event], None],
        on_exit: Callable[[int, int], None],
        fork: Callable[[], None] | None = None,
    ) -> None:
        """`fork`: the worker's main, run in a child forked from this process (gunicorn's
        way, and ten times cheaper); without it, a new interpreter runs serve.py."""
        self.slot = slot
        self._on_event = on_event
        self._on_exit = on_exit
        self._lock = threading.Lock()
        self.pid: int | None = None
        self.alive = True
        self.hello = threading.Event()
        self.heard_accepted = 0  # its `accepted` events read: what its board slot counts, or less
        # The worker asks to die with its parent (serve.py), and Linux takes the parent to be
        # the thread that started it: the master starts workers on its main thread only.
        self._proc: subprocess.Popen[bytes] | ForkedProcess
        if fork is not None:
            self._proc = ForkedProcess(fork, fds)
        else:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "kitchen_tui.kitchen.serve", json.dumps(config)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                pass_fds=fds,
            )
        self.pid = self._proc.pid
        self._reader = threading.Thread(
            target=self._read, name=f"worker-{slot}-events", daemon=True
        )

    def start_reading(self) -> None:
        """Start the thread that reads its events (after every fork: see ForkedProcess)."""
        self._reader.start()

    def send(self, line: bytes) -> None:
        """A command line for this worker; nothing when it is gone (its reader says so)."""
        stdin = self._proc.stdin
        if stdin is None or not self.alive:
            return
        with self._lock, contextlib.suppress(BrokenPipeError, OSError, ValueError):
            stdin.write(line)
            stdin.flush()

    def wait(self, timeout: float) -> bool:
        """Wait for the process to end and its last event to be read; False on timeout."""
        try:
            self._proc.wait(timeout=timeout)
        except (subprocess.TimeoutExpired, TimeoutError):
            return False
        self._reader.join(timeout=timeout)
        return True

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError, OSError):
            self._proc.kill()

    def _read(self) -> None:
        stdout = self._proc.stdout
        assert stdout is not None
        fd, rest = stdout.fileno(), b""
        while chunk := os.read(fd, 1 << 16):
            lines = (rest + chunk).split(b"\n")
            rest = lines.pop()
            for line in lines:
                with contextlib.suppress(orjson.JSONDecodeError):
                    event = orjson.loads(line)
                    if isinstance(event, dict) and "type" in event:
                        self._on_event(self.slot, event)
        code = self._proc.wait()
        self.alive = False
        self._on_exit(self.slot, code)
