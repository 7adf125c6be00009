"""The shared front desk: one listening socket that every worker takes its tickets from."""

from __future__ import annotations

import contextlib
import socket
import threading
from typing import TYPE_CHECKING

import orjson

from kitchen_tui.kitchen.accept_board import AcceptBoard
from kitchen_tui.kitchen.frontdesk import Ticket
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

    @property
    def waiting(self) -> int:
        """Tickets in the socket that no worker has accepted yet."""
        accepted, _ready = self.board.totals()
        return self.sent - accepted - self.taken_elsewhere

    def arrive(self, ticket: Ticket) -> bool:
        """On the doorman's thread, at the ticket's arrival: 86 it, or send it to the workers."""
        with self._lock:
            accepted, ready = self.board.totals()
            waiting = self.sent - accepted - self.taken_elsewhere
            known = ticket.dish in self.menu
            room = known and waiting - ready < self.capacity
            self.sent += room
        self._emitter.put(
            {
                "type": "arrived",
                "t": ticket.arrival,
                "id": ticket.id,
                "n": ticket.n,
                "dish": ticket.dish,
                "front_desk": waiting + room,
            }
        )
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
        else:
            order = {"n": ticket.n, "id": ticket.id, "dish": ticket.dish, "arrival": ticket.arrival}
            self._sender.send(orjson.dumps(order))
        return room

    def drain(self) -> int:
        """Take back every ticket still waiting (a reset): how many there were."""
        drained = 0
        with self._lock:
            while True:
                try:
                    self.listening.recv(4096)
                except (BlockingIOError, InterruptedError):
                    break
                drained += 1
            self.taken_elsewhere += drained
        return drained

    def forget_slot(self, slot: int) -> None:
        """A worker is gone and its slot starts again from nothing: keep what it took."""
        with self._lock:
            accepted, _ready = self.board.read(slot)
            self.taken_elsewhere += accepted
            self.board.publish(slot, 0, 0)

    def close(self) -> None:
        for sock in (self._sender, self.listening):
            with contextlib.suppress(OSError):
                sock.close()
