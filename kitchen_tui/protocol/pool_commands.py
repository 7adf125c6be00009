"""The commands a master sends its workers (never the parent): retire, and a roll call."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Retire:
    """To one worker of several, from its master: take no more tickets, serve yours, exit."""

    def to_json(self) -> dict[str, object]:
        return {"cmd": "retire"}


@dataclass(frozen=True)
class RollCall:
    """To every living worker after one died: answer `roll_call` with this number from your
    loop. Every ticket a worker took off the socket before it read this was taken on its loop
    and said `accepted` first, so what nobody has said by the answers was lost with the dead."""

    call: int

    def to_json(self) -> dict[str, object]:
        return {"cmd": "roll_call", "call": self.call}
