"""The one dispatcher: every command, from a key or the talk's script, performed the same way.

It has the command done (by the talk's director or the session: live kitchen or replay), echoes
what was done in the header at once (the kitchen's answer comes a frame later), shows the key
and the echo in the key overlay, and tells the recording which key the script pressed. The key
comes with the command, so nothing keeps track of which key is running.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from kitchen_tui.recording.channel import CastChannel
from kitchen_tui.ui.commands import Command
from kitchen_tui.ui.keys import Key, typed
from kitchen_tui.ui.scene import Scene
from kitchen_tui.ui.widgets.key_overlay import KeyOverlay
from kitchen_tui.ui.widgets.kitchen_header import KitchenHeader


class Performer(Protocol):
    def perform(self, command: Command) -> str | None:
        """Do it and return the echo, or None to leave it to the next performer."""
        ...


class Dispatcher:
    """Sends, echoes and reports commands; `performers` are asked in turn."""

    def __init__(
        self, scene: Scene, header: KitchenHeader, overlay: KeyOverlay, cast: CastChannel
    ) -> None:
        self.performers: Sequence[Performer] = ()
        self._scene = scene
        self._header = header
        self._overlay = overlay
        self._cast = cast

    def run(self, command: Command, *, scripted: bool = False) -> None:
        for performer in self.performers:
            echo = performer.perform(command)
            if echo is not None:
                self.report(echo, command.key, scripted=scripted)
                return

    def report(self, echo: str, key: Key | None, *, scripted: bool = False) -> None:
        """Echo what a key did; the overlay shows it, and a scripted key goes to the recording."""
        self.echo(echo)
        if key is None:
            return
        words = echo.removeprefix("> ")
        self._overlay.add(key.shown, f"{words} (script)" if scripted else words)
        if scripted:
            self._cast.key(typed(key))

    def echo(self, text: str | None) -> None:
        if text is None:
            return
        self._scene.last_command = text
        self._header.tick()
