"""The recorded app's end of `record`'s side channel (see cast.py): markers, key presses, and
the one-line error the app ends with (the pty mixes it into the picture; `record` repeats it).

Its own module: the app opens it on every start, and cast.py's pseudo-terminal machinery is
not worth importing for a channel that is usually silent.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping

CAST_FD_ENV = "KITCHEN_TUI_CAST_FD"


class CastChannel:
    """The recorded app's end of the side channel: tells the recording what the speaker did."""

    def __init__(self, fd: int | None) -> None:
        self._fd = fd

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> CastChannel:
        """The channel named by KITCHEN_TUI_CAST_FD; a silent one when absent or unusable."""
        value = (os.environ if env is None else env).get(CAST_FD_ENV, "")
        try:
            fd = int(value)
            os.fstat(fd)
            # A full pipe must drop a note, never stall the app's frame.
            os.set_blocking(fd, False)
        except (ValueError, OSError):
            return cls(None)
        return cls(fd)

    @property
    def active(self) -> bool:
        return self._fd is not None

    def marker(self, label: str) -> None:
        """A chapter mark in the recording, e.g. a scene's title."""
        self._send({"m": label})

    def key(self, key: str) -> None:
        """A key press the app acted on, for a keystroke overlay."""
        self._send({"i": key})

    def error(self, line: str) -> None:
        """The one line the app ends with on stderr, for `record` to repeat on its own."""
        self._send({"e": line})

    def _send(self, message: dict[str, str]) -> None:
        if self._fd is None:
            return
        # One write of one line under PIPE_BUF bytes is atomic: lines never interleave.
        data = (json.dumps(message) + "\n").encode()
        try:
            os.write(self._fd, data)
        except BlockingIOError:
            pass  # the recorder is behind: lose this note rather than the frame
        except OSError:
            self._fd = None  # the recorder is gone: stop trying


def tell_recorder(line: str) -> None:
    """Pass the app's closing error line to `record`, if this run is being recorded."""
    CastChannel.from_env().error(line)
