"""A worker's accept loop: it takes order tickets off the socket every worker shares."""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
from typing import TYPE_CHECKING

import anyio
import orjson

from kitchen_tui.kitchen.accept_board import UNLIMITED, AcceptBoard
from kitchen_tui.kitchen.frontdesk import FrontDesk, Ticket
from kitchen_tui.protocol.commands import Shutdown

if TYPE_CHECKING:
    from anyio.abc import TaskGroup

    from kitchen_tui.kitchen.pool_worker import WorkerKitchen


_NO_FLAG = threading.Event()  # replaced by the service's own when the kitchen admits it
# A test's hook: the worker that takes this order off the socket is killed at once, before it
# can say `accepted` (the window a roll call covers, made certain; see Master._on_exit).
DIE_AFTER_TAKING = os.environ.get("KITCHEN_TUI_TEST_DIE_AFTER_TAKING")


class WorkerDesk(FrontDesk):
    """A worker's own side of the accept queue: it tells the board while a step holds its loop.

    The front desk process greets every order and 86's it when full; a worker's loop that a
    step holds accepts nothing, so the desk must not count on it meanwhile.
    """

    acceptor: Acceptor | None = None

    def hold(self, t: float) -> None:
        super().hold(t)
        if self.acceptor is not None:
            self.acceptor.loop_held(True)

    def let_go(self, t: float) -> None:
        held = self.acceptor is not None and self.acceptor.held
        super().let_go(t)
        if held and self.acceptor is not None:
            self.acceptor.loop_held(False)


class Acceptor:
    """The server's accept loop, as each kind of worker runs it.

    An async worker (uvicorn) has the socket on its event loop and, each time it is readable,
    accepts every connection waiting (asyncio's accept loop): tickets it took before a stall
    wait for its loop while other workers stand free, and a held loop accepts nothing. A sync
    worker (gunicorn's sync worker) accepts only when its cook is free; a threaded one (gthread)
    while a cook is free.
    """

    def __init__(
        self, kitchen: WorkerKitchen, sock: socket.socket, board: AcceptBoard, slot: int
    ) -> None:
        self.kitchen = kitchen
        self.sock = sock
        sock.setblocking(False)
        self.board = board
        self.slot = slot
        self.accepted = 0
        self.in_line = 0  # tickets taken and not yet done (sync and threads count their cooks)
        self.held = False
        self.retired = False  # told to take no more tickets: it leaves once its own are done
        self._freed = anyio.Event()
        self._accepting: anyio.CancelScope | None = None
        # Set on the loop when the master says go (see WorkerKitchen.submit); made here, in
        # the loop's thread, before the command reader starts.
        self.retiring = anyio.Event()

    @property
    def eager(self) -> bool:
        return self.kitchen.line.mode == "async"

    def ready(self) -> int:
        """How many tickets this worker would take at once now."""
        if self.retired:
            return 0
        if self.eager:
            return 0 if self.held else UNLIMITED
        return max(0, self.kitchen.line.on_duty - self.in_line)

    def publish(self) -> None:
        self.board.publish(self.slot, self.accepted, self.ready())

    def loop_held(self, held: bool) -> None:
        self.held = held
        self.publish()

    def wake(self) -> None:
        """Look again at how many to take (a cook came free, the mode or cooks changed)."""
        self.publish()
        self._freed.set()

    def retire(self) -> None:
        """On the loop: stop accepting (gunicorn's graceful stop); exit once all is served."""
        self.retired = True
        self.publish()
        if self._accepting is not None:
            self._accepting.cancel()
        self._leave_when_done()

    async def _retire_when_told(self) -> None:
        await self.retiring.wait()
        self.retire()

    def _leave_when_done(self) -> None:
        if self.retired and not self.in_line:
            self.kitchen.submit(Shutdown())

    async def run(self, service: TaskGroup) -> None:
        self.publish()
        service.start_soon(self._retire_when_told)
        with anyio.CancelScope() as self._accepting:
            while not self.retired:
                while not self.ready():
                    self._freed = anyio.Event()
                    await self._freed.wait()
                await anyio.wait_readable(self.sock)
                self._take(service)

    def _take(self, service: TaskGroup) -> None:
        """Accept what this worker takes now: all that waits (async) or one per free cook."""
        kitchen = self.kitchen
        while self.ready():
            try:
                data = self.sock.recv(4096)
            except (BlockingIOError, InterruptedError):
                return  # another worker was quicker
            order = orjson.loads(data)
            ticket = Ticket(order["n"], order["id"], order["dish"], order["arrival"], _NO_FLAG)
            if ticket.id == DIE_AFTER_TAKING:
                os.kill(os.getpid(), signal.SIGKILL)
            self.accepted += 1
            kitchen.emitter.put(
                {"type": "accepted", "t": time.perf_counter(), "id": ticket.id, "n": ticket.n}
            )
            if ticket.dish not in kitchen.menu:  # defined after it left the desk: not heard yet
                self.publish()
                kitchen.responses.finish(ticket, "failed", error=f"unknown dish {ticket.dish!r}")
                continue
            self.in_line += 1
            self.publish()
            kitchen.admit(ticket)
            if "leaves" in order:  # the customer's patience: this worker sees them leave
                ticket.leaves_at = float(order["leaves"])
                kitchen.doorman.expect_walk_out(ticket)
            service.start_soon(self._serve, ticket, name=f"ticket {ticket.id}")

    async def _serve(self, ticket: Ticket) -> None:
        try:
            await self.kitchen.serve_greeted(ticket)
        finally:
            self.in_line -= 1
            self.wake()
            self._leave_when_done()
