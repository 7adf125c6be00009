"""A kitchen that is one worker of several: it takes its tickets off the shared socket."""

from __future__ import annotations

import socket

from anyio.abc import TaskGroup

from kitchen_tui.kitchen.accept_board import AcceptBoard
from kitchen_tui.kitchen.acceptor import Acceptor, WorkerDesk
from kitchen_tui.kitchen.clock import StoryClock
from kitchen_tui.kitchen.engine import Kitchen
from kitchen_tui.kitchen.events import Emitter
from kitchen_tui.kitchen.frontdesk import Ticket
from kitchen_tui.protocol.commands import ChangeSettings, Command
from kitchen_tui.protocol.pool_commands import Retire, RollCall
from kitchen_tui.protocol.settings import MAX_WORKERS, KitchenSettings


class WorkerKitchen(Kitchen):
    """A uvicorn or gunicorn worker process: a whole kitchen whose tickets come from the
    master's listening socket (its acceptor), never from a doorman of its own."""

    desk_type = WorkerDesk
    deadline_from_arrival = False  # the time in the shared socket is the kernel's

    def __init__(
        self,
        settings: KitchenSettings,
        clock: StoryClock,
        emitter: Emitter,
        backend: str,
        slot: int,
        fds: tuple[int, int],
    ) -> None:
        """`fds`: the listening socket and the accept board, inherited from the master."""
        super().__init__(settings, clock, emitter, backend)
        listening, board = fds
        self.acceptor = Acceptor(
            self, socket.socket(fileno=listening), AcceptBoard(MAX_WORKERS, fd=board), slot
        )
        assert isinstance(self.desk, WorkerDesk)
        self.desk.acceptor = self.acceptor

    def submit(self, command: Command) -> None:
        if isinstance(command, Retire):  # on the loop: the acceptor stops, the rest is served
            self._wake_from_thread(self.acceptor.retiring)
            return
        super().submit(command)

    def _on_loop(self, command: Command) -> None:
        """The master's roll call, answered from the loop: the acceptor takes tickets on this
        loop and says `accepted` in the same step, so every ticket taken so far is said."""
        if isinstance(command, RollCall):
            self.emitter.emit("roll_call", call=command.call)

    def admit(self, ticket: Ticket) -> None:
        """A ticket the master greeted and this worker accepted: in flight now."""
        ticket.cancel = self._cancel  # this service's flag: a reset sets it
        self._in_flight.add(ticket)
        self.collector.rush()

    async def serve_greeted(self, ticket: Ticket) -> None:
        """An accepted ticket's task: cooked as one kitchen cooks its own."""
        await self._serve(ticket, greeted=True)

    def _open_service(self, service: TaskGroup) -> None:
        service.start_soon(self.acceptor.run, service)

    async def _configure(self, command: ChangeSettings) -> None:
        await super()._configure(command)
        self.acceptor.wake()  # the mode or the cooks changed: how many it takes at once too
