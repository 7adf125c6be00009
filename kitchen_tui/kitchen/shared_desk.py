"""The shared front desk: one listening socket that every worker takes its tickets from."""

from __future__ import annotations

import contextlib
import math
import socket
import threading
from typing import TYPE_CHECKING

import orjson

from kitchen_tui.kitchen.accept_board import AcceptBoard
from kitchen_tui.kitchen.frontdesk import Ticket, arrived_event
from kitchen_tui.kitchen.responses import Responses

if TYPE_CHECKING:
    from kitchen_tui.kitchen.clock import StoryClock
    from kitchen_tui.kitchen.events import Emitter
    from kitchen_tui.protocol.menu import Dish

# The socket's send buffer: Linux caps it at twice net.core.wmem_max (4 MiB here, so 8 MiB),
# about 10,900 orders queued; past that a send waits for a worker to take one.
SEND_BUFFER = 1 << 24


class SharedDesk:
    """The listening socket and its accept queue (the backlog), as the kernel keeps them.

    Its own process stamps each order's arrival on time, whatever the workers are doing, and
    sends it into a socket every worker inherited (one datagram an order): whichever worker
    calls accept (recv) first takes it. Full (more tickets waiting than its capacity, not
    counting those a waiting worker will take at once) means 86'd, as one kitchen's desk does.
    """

    def __init__(
        self, emitter: Emitter, clock: StoryClock, capacity: int, board: AcceptBoard
    ) -> None:
        self._emitter = emitter
        self.capacity = capacity
        self.board = board
        self.menu: dict[str, Dish] = {}
        self.responses = Responses(clock, emitter)  # the desk's own: 86'd, unknown, lost
        self.listening, self._sender = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        with contextlib.suppress(OSError):
            self._sender.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER)
        self.listening.setblocking(False)
        self._lock = threading.Lock()
        self.sent = 0
        self.taken_elsewhere = 0  # tickets taken off the board's count: dead slots, a reset
        # Sent and not yet said `accepted` by any worker: in the socket, or just taken.
        self.in_socket: dict[int, Ticket] = {}

    @property
    def waiting(self) -> int:
        """Tickets in the socket that no worker has accepted yet."""
        accepted, _ready = self.board.totals()
        return self.sent - accepted - self.taken_elsewhere

    def arrive(self, ticket: Ticket) -> bool:
        """On the doorman's thread, at the ticket's arrival: 86 it, or send it to the workers.
        Counted and sent under the lock, so that a take-back sees every ticket sent or none."""
        with self._lock:
            accepted, ready = self.board.totals()
            waiting = self.sent - accepted - self.taken_elsewhere
            known = ticket.dish in self.menu
            room = known and waiting - ready < self.capacity
            self.sent += room
            self._emitter.put(arrived_event(ticket, waiting + room))
            if room:
                self.in_socket[ticket.n] = ticket
                order = {
                    "n": ticket.n,
                    "id": ticket.id,
                    "dish": ticket.dish,
                    "arrival": ticket.arrival,
                }
                if ticket.leaves_at != math.inf:
                    order["leaves"] = ticket.leaves_at
                self._sender.send(orjson.dumps(order))
        if not known:
            self.responses.finish(ticket, "failed", error=f"unknown dish {ticket.dish!r}")
        elif not room:
            self.responses.count("refused")
            self._emitter.emit(
                "refused",
                t=ticket.arrival,
                id=ticket.id,
                n=ticket.n,
                dish=ticket.dish,
                reason=f"front desk full ({self.capacity} waiting)",
            )
        return room

    def taken(self, n: int) -> None:
        """A worker said it accepted ticket `n`."""
        with self._lock:
            self.in_socket.pop(n, None)

    def drain(self) -> int:
        """Take back every ticket still waiting (a reset): how many there were."""
        with self._lock:
            drained = self._take_all()
            for order in drained:
                self.in_socket.pop(orjson.loads(order)["n"], None)
        return len(drained)

    def unseen(self) -> set[int]:
        """The tickets sent that no worker has said it took, and that are not in the socket:
        each was taken by a worker whose `accepted` is on its way, or was lost with a worker
        that died first. The socket is emptied and filled again in the same order, under the
        lock, so no ticket is sent or taken meanwhile but by a worker's recv finding nothing."""
        with self._lock:
            waiting = self._take_all()
            for order in waiting:
                self._sender.send(order)
            self.sent += len(waiting)
            back = {int(orjson.loads(order)["n"]) for order in waiting}
            return set(self.in_socket) - back

    def lost(self, numbers: set[int], unheard: int) -> list[Ticket]:
        """These tickets went with a dead worker: off the desk's count too, but for the
        `unheard` its board had counted (it published them, then died before saying so)."""
        with self._lock:
            gone = [self.in_socket.pop(n) for n in sorted(numbers) if n in self.in_socket]
            self.taken_elsewhere += max(0, len(gone) - unheard)
        return gone

    def _take_all(self) -> list[bytes]:
        """Every datagram in the socket now (with the lock held); the board's count kept."""
        taken: list[bytes] = []
        while True:
            try:
                taken.append(self.listening.recv(4096))
            except (BlockingIOError, InterruptedError):
                break
        self.taken_elsewhere += len(taken)
        return taken

    def forget_slot(self, slot: int) -> int:
        """A worker is gone and its slot starts again from nothing: keep what it took (and
        say how many that was)."""
        with self._lock:
            accepted, _ready = self.board.read(slot)
            self.taken_elsewhere += accepted
            self.board.publish(slot, 0, 0)
        return accepted

    def close(self) -> None:
        for sock in (self._sender, self.listening):
            with contextlib.suppress(OSError):
                sock.close()
