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
from collections.abc import Iterator
from typing import Any

import anyio

from kitchen_tui.kitchen.clock import StoryClock
from kitchen_tui.kitchen.engine import Kitchen
from kitchen_tui.kitchen.events import Emitter, EventStream
from kitchen_tui.kitchen.lifeline import ask_to_die_with_parent, die_with_parent
from kitchen_tui.kitchen.master import Master
from kitchen_tui.kitchen.pool_worker import WorkerKitchen
from kitchen_tui.protocol.commands import Command, MalformedCommand, Shutdown, parse_command
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
    for command in _commands():
        kitchen.submit(command)
    kitchen.submit(Shutdown())


def _commands() -> Iterator[Command]:
    """Each command line parsed once; a malformed one is ignored, with one line on stderr."""
    for line in sys.stdin.buffer:
        if not line.strip():
            continue
        try:
            yield parse_command(line)
        except MalformedCommand as error:
            print(f"kitchen: ignored a malformed command: {error}: {line[:80]!r}", file=sys.stderr)


def _serve_as_master(settings: KitchenSettings, backend: str) -> int:
    """Several workers: this process is their master and front desk."""
    clock = StoryClock(settings.speed)
    emitter = Emitter(clock)
    master = Master(settings, backend, clock, emitter, run_worker=_forked_worker)
    master.fork_workers()  # first: a fork is safe only while this process has one thread
    stream = EventStream(emitter)
    _quiet_stdout()
    code = 0
    try:
        master.start()
        for command in _commands():
            if isinstance(command, Shutdown):
                break
            master.submit(command)
        master.stop()
    except BaseException:
        traceback.print_exc()
        code = 1
    finally:
        stream.close()
    sys.stderr.flush()
    os._exit(code)


def _forked_worker(config: dict[str, Any]) -> None:
    """A worker's main in a child forked from its master: it asks to die with it again."""
    ask_to_die_with_parent()
    _serve(dict(config))


def main(argv: list[str]) -> int:
    return _serve(json.loads(argv[1]) if len(argv) > 1 else {})


def _serve(config: dict[str, Any]) -> int:
    backend = str(config.pop("backend", "asyncio"))
    slot = config.pop("worker", None)
    pool: dict[str, Any] = {k: config.pop(k) for k in ("listen_fd", "board_fd") if k in config}
    settings = KitchenSettings.from_json(config)
    die_with_parent()
    if settings.workers > 1 and slot is None:
        return _serve_as_master(settings, backend)
    gc.freeze()  # what is alive now lives as long as the kitchen: never walk it again
    gc.set_threshold(*GC_THRESHOLDS)
    clock = StoryClock(settings.speed)
    emitter = Emitter(clock)
    stream = EventStream(emitter)
    _quiet_stdout()
    if slot is None:
        kitchen = Kitchen(settings, clock, emitter, backend)
    else:
        fds = (int(pool["listen_fd"]), int(pool["board_fd"]))  # inherited from the master
        kitchen = WorkerKitchen(settings, clock, emitter, backend, int(slot), fds)
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
