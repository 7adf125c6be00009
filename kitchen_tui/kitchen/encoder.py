"""The stream encoder: a small process that turns the kitchen's event batches into JSON lines.

JSON encoding costs about ten times what marshal does, and in the kitchen process every
microsecond of it is GIL time taken from the event loop and the cook threads. So the kitchen
hands marshalled batches through a pipe to this process, on the other core, which writes the
JSON lines to the stream the parent reads.

Frames on standard input: a 4-byte big-endian length, then `marshal.dumps(list_of_events)`.
"""

from __future__ import annotations

import json
import marshal
import os
import struct
import sys
from typing import Any

from kitchen_tui.kitchen.lifeline import die_with_parent

FRAME_HEADER = struct.Struct(">I")

# One C encoder made once: `JSONEncoder.encode` builds a new one per call (measured 9.4 -> 4.9
# us for a step_started). Same output as json.dumps(event, separators=(",", ":")).
_c_make_encoder = getattr(json.encoder, "c_make_encoder", None)  # Any: no stubs for it
_slow_encode = json.JSONEncoder(separators=(",", ":")).encode
_c_encode = (
    None
    if _c_make_encoder is None
    else _c_make_encoder(
        None,  # no check for circular references: events are flat, made by the kitchen
        json.JSONEncoder().default,  # the usual TypeError for a value JSON cannot hold
        json.encoder.encode_basestring_ascii,
        None,  # no indent
        ":",
        ",",
        False,  # sort_keys
        False,  # skipkeys
        True,  # allow_nan
    )
)


def encode(event: dict[str, Any]) -> str:
    if _c_encode is None:
        return _slow_encode(event)
    return "".join(_c_encode(event, 0))


def frame(events: list[dict[str, Any]]) -> bytes:
    payload = marshal.dumps(events)
    return FRAME_HEADER.pack(len(payload)) + payload


def _read_exactly(fd: int, size: int) -> bytes | None:
    chunks = []
    while size:
        chunk = os.read(fd, size)
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def main() -> int:
    die_with_parent()
    stdin, stdout = sys.stdin.fileno(), sys.stdout.fileno()
    while (header := _read_exactly(stdin, FRAME_HEADER.size)) is not None:
        payload = _read_exactly(stdin, FRAME_HEADER.unpack(header)[0])
        if payload is None:
            break
        events = marshal.loads(payload)
        try:
            _write_all(stdout, ("\n".join(map(encode, events)) + "\n").encode())
        except OSError:
            return 0  # the reader is gone
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
