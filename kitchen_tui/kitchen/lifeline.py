"""A lifeline to the parent process: Linux kills this process when its parent dies."""

from __future__ import annotations

import ctypes
import functools
import signal

_PR_SET_PDEATHSIG = 1


@functools.cache
def die_with_parent() -> None:
    """Ask for SIGKILL when the parent dies, so no kitchen or prep shelf worker is orphaned.

    A busy process reads no EOF until it looks at its input again; this reaches it at once.
    """
    ask_to_die_with_parent()


def ask_to_die_with_parent() -> None:
    """The same, every call: a forked child has no such wish of its own (fork clears it)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass  # not Linux: the process ends at its next read of a closed pipe
