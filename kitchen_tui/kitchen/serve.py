"""The kitchen process: `python -m kitchen_tui.kitchen.serve SETTINGS_JSON`.

Commands arrive one JSON object a line on standard input; events leave on standard output.
The kitchen shuts down when told to or when its standard input closes (its parent is gone).
"""

from __future__ import annotations

import gc
import json
import os
import sys
import threading
import traceback

import anyio

from kitchen_tui.kitchen.clock import StoryClock
from kitchen_tui.kitchen.engine import Kitchen
from kitchen_tui.kitchen.events import Emitter, EventStream
from kitchen_tui.kitchen.lifeline import die_with_parent
from kitchen_tui.protocol.commands import MalformedCommand, Shutdown, parse_command
from kitchen_tui.protocol.settings import KitchenSettings

# The kitchen is a latency-sensitive server: with 10,000 tickets in flight, CPython's default
# collections (every 700 allocations, each full one walking every live task) cost a quarter
# of a burst's serving time (measured: 10,000 orders 1.48 x 1.8 s with them, 1.30 x without).
# Collect young objects every 50,000 allocations and the old ones twenty times less often.
GC_THRESHOLDS = (50_000, 20, 10)


def _quiet_stdout() -> None:
    """The event stream has its own copy of stdout; fd 1 points at stderr from now on, so a
    stray print cannot corrupt the stream."""
    os.dup2(2, 1)
    sys.stdout = sys.stderr


def _read_commands(kitchen: Kitchen) -> None:
    """Parse each command line once; a malformed one is ignored, with one line on stderr."""
    for line in sys.stdin.buffer:
        if not line.strip():
            continue
        try:
            command = parse_command(line)
        except MalformedCommand as error:
            print(f"kitchen: ignored a malformed command: {error}: {line[:80]!r}", file=sys.stderr)
            continue
        kitchen.submit(command)
    kitchen.submit(Shutdown())


def main(argv: list[str]) -> int:
    config = json.loads(argv[1]) if len(argv) > 1 else {}
    backend = str(config.pop("backend", "asyncio"))
    settings = KitchenSettings.from_json(config)
    die_with_parent()
    gc.freeze()  # what is alive now lives as long as the kitchen: never walk it again
    gc.set_threshold(*GC_THRESHOLDS)
    clock = StoryClock(settings.speed)
    emitter = Emitter(clock)
    stream = EventStream(emitter)
    _quiet_stdout()
    kitchen = Kitchen(settings, clock, emitter, backend)
    reader = threading.Thread(target=_read_commands, args=(kitchen,), name="orders-in", daemon=True)
    code = 0
    try:
        anyio.run(kitchen.run, reader.start, backend=backend)
    except BaseException:
        traceback.print_exc()
        code = 1
    finally:
        stream.close()
    sys.stderr.flush()
    # Exit now: the command reader thread may be blocked in a read of stdin, and a normal
    # interpreter shutdown aborts on such a daemon thread.
    os._exit(code)


if __name__ == "__main__":  # guarded: prep shelf workers re-import the main module
    raise SystemExit(main(sys.argv))
