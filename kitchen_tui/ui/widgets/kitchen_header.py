"""The header: how the kitchen is set up (as the kitchen confirmed it), and the last key."""

from __future__ import annotations

from collections.abc import Hashable

from textual.strip import Strip

from kitchen_tui.ui.glyphs import counted
from kitchen_tui.ui.scene import Scene
from kitchen_tui.ui.stream_dial import stream_words
from kitchen_tui.ui.strips import fit
from kitchen_tui.ui.tcss import css_beside
from kitchen_tui.ui.widgets.kitchen_view import KitchenView

TITLE = " KITCHEN "
STATUS_MARGIN = 3  # columns between the fields and the status, and after it
# Left out, in this order, when the last key's echo would not fit beside them (100 columns,
# a recording's usual size, with a mode change pending): the status answers the key just
# pressed, and these two change least.
GIVE_WAY = ("backend", "cooks")


class KitchenHeader(KitchenView):
    """One line: mode, prep shelf (or the remedies), cooks, backend, speed; then the last
    command (a remedy's says what it trades) and freeze."""

    DEFAULT_CSS = css_beside(__file__)

    def __init__(self, scene: Scene, *, id: str | None = None) -> None:
        super().__init__(scene, id=id)

    def view_key(self) -> Hashable:
        scene = self.scene
        return (
            scene.board.versions["header"],
            scene.frozen,
            scene.held_events,
            tuple(scene.asked.items()),
            scene.last_command,
        )

    def build(self, width: int, height: int) -> list[Strip]:
        line = self.line(width)
        line.add(TITLE, self.style("kitchen--key"))
        status = self._status()
        fields = self._fields()
        if status:
            fields = _making_room(fields, width - len(status) - STATUS_MARGIN)
        for label, value in fields:
            if line.room < _field_width(label, value):
                break  # a narrow header (a race's half) keeps the fields that matter most
            line.add(f"  {label} ", self.style("kitchen--dim"))
            line.add(value, self.style("kitchen--strong"))
        if status and line.room > 12:
            shown = shortened(status, line.room - STATUS_MARGIN)
            line.right(shown + " ", self.style("kitchen--accent"))
        return [line.strip()]

    def _fields(self) -> list[tuple[str, str]]:
        board = self.scene.board
        settings = board.settings
        if not settings:
            return [("", "starting the kitchen...")]
        mode = str(settings.get("mode", "?"))
        cooks = {"sync": "1", "async": "1 loop"}.get(mode, str(settings.get("cooks", "?")))
        shelf = "on" if settings.get("prep_shelf") else "off"
        speed = f"{float(settings.get('speed', 1.0)):g}x"
        stream = board.ledger.flow.stream
        running = [("stream", stream_words(stream["rate"], stream["mix"]))] if stream else []
        return [
            ("mode", self._asked("mode", mode)),
            *running,
            *self._remedies(settings, shelf),
            ("cooks", cooks),
            *([("workers", str(board.workers))] if board.workers > 1 else []),
            ("backend", str(board.ledger.backend or "?")),
            ("speed", self._asked("speed", speed)),
        ]

    def _remedies(self, settings: dict[str, object], shelf: str) -> list[tuple[str, str]]:
        """The prep shelf, or the remedies when one is on: the blocking call's, the CPU's."""
        blocking = str(settings.get("fix_blocking", "inline"))
        cpu = str(settings.get("fix_cpu", "inline"))
        asked = self.scene.asked
        if blocking == cpu == "inline" and not {"fix_blocking", "fix_cpu"} & set(asked):
            return [("prep shelf", self._asked("prep_shelf", shelf))]
        return [
            ("blocking", self._asked("fix_blocking", blocking)),
            ("cpu", self._asked("fix_cpu", cpu)),
        ]

    def _asked(self, name: str, shown: str) -> str:
        """A change sent but not yet confirmed by the kitchen shows as `old -> new`."""
        if name not in self.scene.asked:
            return shown
        wanted = self.scene.asked[name]
        if isinstance(wanted, bool):
            wanted = "on" if wanted else "off"
        elif isinstance(wanted, float):
            wanted = f"{wanted:g}x"
        # Asked back to where it is (m pressed round the three modes during a stall): no change.
        return shown if str(wanted) == shown else f"{shown} -> {wanted}"

    def _status(self) -> str:
        scene = self.scene
        if scene.frozen:
            held = f", {counted(scene.held_events, 'event')} held" if scene.held_events else ""
            return f"FROZEN (kitchen runs on{held}; space resumes)"
        if scene.board.ledger.died:
            return "KITCHEN STOPPED: press x"
        return scene.last_command


def shortened(status: str, room: int) -> str:
    """The status in `room`: whole; else its part before ': ' (a scenario's name without its
    title); else cut after a whole word. Never a word cut in two ('> hidden-blocker: .')."""
    if len(status) <= room:
        return status
    head = status.split(": ", 1)[0]
    if ": " in status and len(head) <= room:
        return head
    words = status[: max(0, room - 1)].rsplit(" ", 1)[0]
    return fit(status, room) if not words.strip("> ") else words.rstrip(",;:") + "."


def _field_width(label: str, value: str) -> int:
    return len(label) + len(value) + 3


def _making_room(fields: list[tuple[str, str]], room: int) -> list[tuple[str, str]]:
    """The fields, less as few of those that give way as it takes to fit in `room` with the
    title; all of them when even that is not enough (then the status is cut instead)."""
    for leave_out in range(len(GIVE_WAY) + 1):
        kept = [field for field in fields if field[0] not in GIVE_WAY[:leave_out]]
        if len(TITLE) + sum(_field_width(*field) for field in kept) <= room:
            return kept
    return fields
