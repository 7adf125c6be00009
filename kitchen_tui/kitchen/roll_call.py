"""The roll call after a worker dies: the tickets it took off the socket before it said so."""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kitchen_tui.protocol.pool_commands import RollCall

if TYPE_CHECKING:
    from kitchen_tui.kitchen.frontdesk import Ticket
    from kitchen_tui.kitchen.shared_desk import SharedDesk
    from kitchen_tui.kitchen.worker_process import WorkerProcess

Lose = Callable[[list["Ticket"], int, str], None]


@dataclass
class _Call:
    number: int = 0
    candidates: set[int] = field(default_factory=set)  # sent, not in the socket, not said
    pending: set[int] = field(default_factory=set)  # the living workers' pids yet to answer
    dead: list[tuple[int, str]] = field(default_factory=list)  # (slot, how it died)
    unheard: int = 0  # tickets the dead had counted on the board but never said


class RollCaller:
    """A worker killed between its recv and its `accepted` takes a ticket nobody hears of
    again: the kernel closes an accepted connection with its process, so the customer gets
    no answer. After a death the master empties the socket and fills it again (what is in it
    is waiting, not lost), and asks every living worker to answer from its loop; once all
    have, a ticket sent, not in the socket and still said by nobody was lost with the dead.
    One call at a time: a death during one widens it and asks again; what it finds is the
    first dead worker's (with several, no one can tell which took it)."""

    def __init__(self, desk: SharedDesk, lose: Lose) -> None:
        self._desk = desk
        self._lose = lose
        self._lock = threading.Lock()
        self._numbers = itertools.count(1)
        self._call: _Call | None = None

    def after_death(self, slot: int, how: str, unheard: int, living: list[WorkerProcess]) -> None:
        unseen = self._desk.unseen()
        with self._lock:
            call = self._call or _Call()
            call.number = next(self._numbers)
            call.candidates |= unseen
            call.dead.append((slot, how))
            call.unheard += unheard
            call.pending = {worker.pid for worker in living if worker.pid is not None}
            self._call = call
        line = (json.dumps(RollCall(call.number).to_json()) + "\n").encode()
        for worker in living:
            worker.send(line)
        self._maybe_done()

    def answered(self, pid: int, number: int) -> None:
        with self._lock:
            if self._call is not None and number >= self._call.number:
                self._call.pending.discard(pid)
        self._maybe_done()

    def gone(self, pid: int) -> None:
        """A worker left as asked (retired): it has nothing more to say."""
        self.answered(pid, 1 << 62)

    def _maybe_done(self) -> None:
        with self._lock:
            call = self._call
            if call is None or call.pending:
                return
            self._call = None
        slot, how = call.dead[0]
        if len(call.dead) == 1:
            error = f"lost: {how} just after taking it off the front desk, before it said so"
        else:
            hows = "; ".join(how for _slot, how in call.dead)
            error = f"lost with one of the workers that died ({hows}) as it took it"
        self._lose(self._desk.lost(call.candidates, call.unheard), slot, error)
