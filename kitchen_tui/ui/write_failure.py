"""A trace that cannot be written (a full disk) ends the app: one line, exit code 1."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import App

from kitchen_tui.protocol.events import Event


def stop_on_write_failure(app: App[Any], events: list[Event]) -> list[Event]:
    """`events`, after ending `app` if the client said its trace could not be written: the run
    stops there and the lines already written are kept (the client wrote them)."""
    for event in events:
        if event.get("type") == "write_failed":
            app.exit(return_code=1, message=Text(f"kitchen-tui: {event.get('message')}"))
    return events
