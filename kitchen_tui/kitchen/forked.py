"""A worker forked from its master, as gunicorn starts its workers (no new interpreter)."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Callable
from typing import IO

_POLL_S = 0.005  # while waiting for a forked worker to end (only at its end)


class ForkedProcess:
    """A child made by os.fork(): it has everything the master imported already, so it starts
    in milliseconds where a new interpreter takes a quarter of a second of CPU. Only a master
    with no other thread forks (a lock another thread held would stay held in the child)."""

    def __init__(self, run: Callable[[], None], keep: tuple[int, ...]) -> None:
        commands_in, commands_out = os.pipe()
        events_in, events_out = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: its pipes on 0 and 1, the shared fds kept, the rest closed
            code = 1
            try:
                os.dup2(commands_in, 0)
                os.dup2(events_out, 1)
                _close_all_but((0, 1, 2, *keep))
                run()
                code = 0
            finally:
                os._exit(code)
        os.close(commands_in)
        os.close(events_out)
        self.pid = pid
        self.stdin: IO[bytes] = os.fdopen(commands_out, "wb")
        self.stdout: IO[bytes] = os.fdopen(events_in, "rb", buffering=0)
        self.returncode: int | None = None
        self._lock = threading.Lock()

    def poll(self) -> int | None:
        with self._lock:
            if self.returncode is None:
                with contextlib.suppress(ChildProcessError):
                    pid, status = os.waitpid(self.pid, os.WNOHANG)
                    if pid:
                        self.returncode = os.waitstatus_to_exitcode(status)
            return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        """Its exit code (minus the signal that killed it), as subprocess.Popen.wait gives;
        TimeoutError past `timeout`."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while (code := self.poll()) is None:
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"worker {self.pid} still running")
            time.sleep(_POLL_S)
        return code

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)


def _close_all_but(keep: tuple[int, ...]) -> None:
    try:
        fds = [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:
        fds = list(range(3, 1024))
    for fd in fds:
        if fd not in keep:
            with contextlib.suppress(OSError):
                os.close(fd)
