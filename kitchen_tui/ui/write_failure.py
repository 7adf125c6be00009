"""An output that cannot be written (a full disk) ends the app: one line, exit code 1."""

from __future__ import annotations

import weakref
from typing import Any

from textual.app import App

from kitchen_tui.protocol.events import Event
from kitchen_tui.recording.channel import tell_recorder


def stop_on_write_failure(app: App[Any], events: list[Event]) -> list[Event]:
    """`events`, after ending `app` if the client said its trace could not be written: the run
    stops there and the lines already written are kept (the client wrote them)."""
    for event in events:
        if event.get("type") == "write_failed":
            stop_with_line(app, f"kitchen-tui: {event.get('message')}")
    return events


def stop_with_line(app: App[Any], line: str) -> None:
    """End `app` with exit code 1; `line` goes to `record` now, and to stderr once the app has
    left the screen (`closing_line`)."""
    tell_recorder(line)
    _CLOSING[app] = line
    app.exit(return_code=1)


def closing_line(app: App[Any]) -> str | None:
    """The line `app` ended with, for the command line to print as it is: Textual's exit
    message would wrap it at the terminal's width, one error in two lines."""
    return _CLOSING.get(app)


_CLOSING: weakref.WeakKeyDictionary[App[Any], str] = weakref.WeakKeyDictionary()
