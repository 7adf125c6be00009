"""The kitchen process: `python -m kitchen_tui.kitchen.serve SETTINGS_JSON`.

Commands arrive one JSON object a line on standard input; events leave on standard output.
The kitchen shuts down when told to or when its standard input closes (its parent is gone).
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import sys
import threading
import traceback
from typing import BinaryIO

import anyio

from kitchen_tui.kitchen.clock import StoryClock
from kitchen_tui.kitchen.engine import Kitchen
from kitchen_tui.kitchen.events import Emitter, StreamWriter
from kitchen_tui.kitchen.settings import KitchenSettings

_PR_SET_PDEATHSIG = 1
# GIL time slices finer than CPython's 5 ms default: cook threads that compute together then
# share the GIL evenly, as the model and the eye assume. The work and the contention are the
# same; only the slices are thinner.
GIL_SWITCH_S = 0.0005


def _die_with_parent() -> None:
    """Ask Linux to kill this process when its parent dies, so no kitchen is ever orphaned."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass  # not Linux: stdin EOF still shuts the kitchen down


def _take_stdout() -> BinaryIO:
    """Keep the real stdout for events and point fd 1 at stderr, so a stray print is harmless."""
    events = os.fdopen(os.dup(1), "wb", buffering=0)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return events


def _read_commands(kitchen: Kitchen) -> None:
    for line in sys.stdin.buffer:
        if not line.strip():
            continue
        try:
            command = json.loads(line)
        except json.JSONDecodeError:
            print(f"kitchen: ignored a malformed command: {line[:80]!r}", file=sys.stderr)
            continue
        kitchen.submit(command)
    kitchen.submit({"cmd": "shutdown"})


def main(argv: list[str]) -> int:
    config = json.loads(argv[1]) if len(argv) > 1 else {}
    backend = str(config.pop("backend", "asyncio"))
    settings = KitchenSettings.from_json(config)
    _die_with_parent()
    sys.setswitchinterval(GIL_SWITCH_S)
    out = _take_stdout()
    clock = StoryClock(settings.speed)
    emitter = Emitter(clock.story)
    writer = StreamWriter(emitter, out)
    writer.start()
    kitchen = Kitchen(settings, clock, emitter, backend)
    reader = threading.Thread(target=_read_commands, args=(kitchen,), name="orders-in", daemon=True)
    code = 0
    try:
        anyio.run(kitchen.run, reader.start, backend=backend)
    except BaseException:
        traceback.print_exc()
        code = 1
    finally:
        writer.close()
    sys.stderr.flush()
    # Exit now: the command reader thread may be blocked in a read of stdin, and a normal
    # interpreter shutdown aborts on such a daemon thread.
    os._exit(code)


if __name__ == "__main__":  # guarded: prep shelf workers re-import the main module
    raise SystemExit(main(sys.argv))
