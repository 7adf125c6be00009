"""A replay: a recorded kitchen's events animated again, with no kitchen running."""

from __future__ import annotations

from pathlib import Path

from kitchen_tui.protocol.events import Event
from kitchen_tui.protocol.settings import KitchenSettings
from kitchen_tui.recording.replay import ReplayKitchen
from kitchen_tui.ui.commands import Again, Command, SetSpeed
from kitchen_tui.ui.frame import Frame

NOTHING_TO_SEND = "replay: nothing to send"


class ReplaySession:
    """Nothing cooks, so keys that would send orders or settings say so; x rewinds to the
    first event and + / - change the pace of the replay."""

    def __init__(self, frame: Frame, kitchen: ReplayKitchen, name: str) -> None:
        self.frame = frame
        self.kitchen = kitchen
        self._name = Path(name).name  # the file's name: a long path would crowd the bar

    @property
    def title(self) -> str:
        """Where the replay is, at what pace, and its end: the header's speed is the recorded
        kitchen's, the pace here is the replay's."""
        kitchen = self.kitchen
        played = f"{kitchen.position:.1f} s played at {kitchen.speed:g}x"
        if kitchen.finished:
            return f"REPLAY  -- the end: x plays it again, q quits  {self._name}"
        # Progress first: on a narrow bar the file's name gives way, never where the replay is.
        return f"REPLAY  {played}  {self._name}  (a recorded kitchen: x rewinds)"

    def open(self) -> str | None:
        if not self.kitchen.alive:
            self.kitchen.start()
        return None

    def close(self) -> None:
        self.kitchen.stop()

    def drain(self) -> list[Event]:
        events = self.kitchen.drain()
        for event in events:
            if event.get("type") == "died":  # the recorded kitchen died here
                self.frame.show_death(str(event.get("message", "it ended unexpectedly")))
        return events

    def perform(self, command: Command) -> str | None:
        match command:
            case SetSpeed(speed=speed):
                self.kitchen.set_speed(speed)
                return f"> replay speed {speed:g}x"
            case Again():
                self.kitchen.start()  # from the first event again
                self.frame.show_death(None)
                self.frame.clear()
                return "> replay from the top"
        return NOTHING_TO_SEND

    def speed(self) -> float:
        return self.kitchen.speed

    @property
    def stream(self) -> None:
        return None  # a recorded kitchen's customers came long ago

    def setting(self, name: str) -> object:
        return self.frame.scene.board.settings.get(name, getattr(KitchenSettings(), name, None))
