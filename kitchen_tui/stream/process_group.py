"""Ending a child process together with everything it started."""

from __future__ import annotations

import contextlib
import os
import signal


def kill_group(pgid: int, sig: signal.Signals = signal.SIGKILL) -> None:
    """Signal a whole process group (a child started in its own session, and its children);
    nothing to do when it is gone already."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)
