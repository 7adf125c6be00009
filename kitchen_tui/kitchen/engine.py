"""The kitchen engine: every order ticket is a real anyio task, served in sync, threads or async."""

from __future__ import annotations

import contextlib
import itertools
import math
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace

import anyio
import anyio.lowlevel
from anyio.abc import TaskGroup

from kitchen_tui.kitchen.chores import KitchenChores
from kitchen_tui.kitchen.clock import StoryClock
from kitchen_tui.kitchen.collector import QuietCollector
from kitchen_tui.kitchen.cookline import CookLine, Job
from kitchen_tui.kitchen.customers import Customers
from kitchen_tui.kitchen.deadline import deadline_after, loop_time, within
from kitchen_tui.kitchen.doorman import Doorman
from kitchen_tui.kitchen.events import Emitter
from kitchen_tui.kitchen.frontdesk import FrontDesk, Ticket, arrived_event
from kitchen_tui.kitchen.prepshelf import PrepShelf
from kitchen_tui.kitchen.rail import Rail
from kitchen_tui.kitchen.responses import Responses
from kitchen_tui.kitchen.steps import StepRunner
from kitchen_tui.kitchen.timers import timers_for
from kitchen_tui.protocol.commands import (
    ChangeSettings,
    Command,
    DefineDishes,
    PlaceOrders,
    Reset,
    SetStream,
    Shutdown,
)
from kitchen_tui.protocol.menu import MENU, Dish
from kitchen_tui.protocol.settings import KitchenSettings, Mode


@dataclass(frozen=True)
class NewTickets:
    """Orders made tickets on the command reader's thread, for the loop to start."""

    tickets: list[Ticket]


class Kitchen(KitchenChores):
    """A web service's server process: one anyio loop, its accept queue, workers and I/O."""

    desk_type: type[FrontDesk] = FrontDesk
    # threads: a deadline from arrival, the wait for a cook inside the route's fail_after; a
    # worker of several takes a ticket only with a cook free, and its handler's starts then.
    deadline_from_arrival = True

    def __init__(
        self, settings: KitchenSettings, clock: StoryClock, emitter: Emitter, backend: str
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.emitter = emitter
        self.backend = backend
        self.menu: dict[str, Dish] = dict(MENU)
        self.timers = timers_for(backend)
        self.desk = self.desk_type(emitter, settings.front_desk, self._wake_from_thread)
        self.responses = Responses(clock, emitter)
        self.doorman = Doorman(self.desk, self._wake_loop, self.responses.walk_out)
        self.customers = Customers(self.submit, clock, emitter)  # the live stream's thread
        self.line = CookLine(self._cook_job)
        self.line.configure(settings.mode, settings.cooks)
        self._staff_the_desk()
        self.shelf = PrepShelf(settings.shelf_workers)
        self.steps = StepRunner(clock, emitter, self.desk, Rail(self.timers), self.shelf)
        # Events other threads want set on the loop: a cooked ticket's, a greeted ticket's.
        self._wakeups: deque[anyio.Event] = deque()
        self._numbers = itertools.count(1)
        self._cancel = threading.Event()
        self._inbox: deque[Command | NewTickets] = deque()
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._in_flight: set[Ticket] = set()
        self.collector = QuietCollector()
        self._worst_lag = 0.0
        self._shelf_warm = False

    # -- commands, from any thread --------------------------------------------------------

    def submit(self, command: Command) -> None:
        """Hand a command to the kitchen; safe from any thread, never blocks."""
        match command:
            case Reset() | Shutdown():
                # Stop cook threads and loop-blocking steps right away; orders sent after this
                # belong to the next service and get a fresh flag.
                self._cancel.set()
                self._cancel = threading.Event()
                self.doorman.clear()
            case DefineDishes(dishes):
                # On the menu now, not when the loop reads the command: the orders sent right
                # after them reach the doorman first, and he greets only what the kitchen
                # serves (a dict write; the loop only reads the menu).
                self.menu.update((dish.name, dish) for dish in dishes)
            case PlaceOrders():
                self._inbox.append(NewTickets(self._make_tickets(command)))
                self._wake_loop()
                return
            case SetStream():  # at once, whatever the loop is doing: customers do not wait
                return self.customers.set(command)
        self._inbox.append(command)
        self._wake_loop()

    def _wake_loop(self) -> None:
        """Wake the loop now; a full socket buffer means wake-ups are pending already."""
        with contextlib.suppress(BlockingIOError, OSError):
            self._wake_w.send(b"\0")

    def _wake_from_thread(self, event: anyio.Event) -> None:
        """From any thread: have the loop set `event` (anyio's events are the loop's own)."""
        self._wakeups.append(event)
        self._wake_loop()

    def _make_tickets(self, command: PlaceOrders) -> list[Ticket]:
        t0 = time.perf_counter() if command.t0 is None else command.t0
        speed, kitchen_patience = self.clock.speed, self.settings.patience
        tickets = []
        for order in command.orders:
            arrival = self.clock.real_after(t0, order.at)
            patience = kitchen_patience if order.patience is None else order.patience
            ticket = Ticket(next(self._numbers), order.id, order.dish, arrival, self._cancel)
            ticket.problem = order.problem
            if patience:
                ticket.leaves_at = arrival + patience / speed
            tickets.append(ticket)
        self.doorman.expect([t for t in tickets if self._servable(t)])
        return tickets

    # -- the loop ---------------------------------------------------------------------------

    async def run(self, on_ready: Callable[[], None] | None = None) -> None:
        """Serve until shut down; `on_ready` runs once the loop is up and hello is out."""
        self.doorman.start()
        self.customers.start()
        async with anyio.create_task_group() as chores:
            if self.settings.uses_shelf:
                await self._warm_shelf()
            await self.steps.threads.warm_up(self.settings)
            self.steps.token = anyio.lowlevel.current_token()
            self.hello()
            if on_ready is not None:
                on_ready()
            chores.start_soon(self._heartbeat)
            chores.start_soon(self._lag_probe)
            while await self._serve_until_reset():
                pass
            chores.cancel_scope.cancel()
        self.customers.close()
        self.line.close()
        self.doorman.close()
        self.emitter.emit("bye")

    async def _serve_until_reset(self) -> bool:
        """Serve orders until a reset (returns True) or a shutdown (returns False)."""
        go_on, cancelled = True, 0
        async with anyio.create_task_group() as service:
            self.steps.service = service
            self._open_service(service)
            while True:
                match await self._next_command():
                    case Reset() | Shutdown() as command:
                        go_on = isinstance(command, Reset)
                        cancelled = len({t.n for t in self._in_flight} | self.responses.unwound)
                        service.cancel_scope.cancel()
                        break
                    case NewTickets(tickets):
                        for ticket in tickets:
                            self._start_ticket(ticket, service)
                    case ChangeSettings() as command:
                        await self._configure(command)
                    case DefineDishes():
                        self.emitter.emit("dishes", menu=self._menu_json())
                    case other:
                        self._on_loop(other)
        self.responses.unwound = set()
        self.timers.forget()
        self.line.clear()
        if go_on:
            self.emitter.emit("reset", cancelled=cancelled)
        return go_on

    async def _next_command(self) -> Command | NewTickets:
        while not self._inbox:
            await anyio.wait_readable(self._wake_r)
            # Empty the socket first, then look: a wake-up sent after this is still heard.
            with contextlib.suppress(BlockingIOError):
                self._wake_r.recv(65536)
            self._set_wakeups()
        self._set_wakeups()
        return self._inbox.popleft()

    def _set_wakeups(self) -> None:
        """Wake the ticket tasks other threads are done with."""
        while self._wakeups:
            self._wakeups.popleft().set()

    def _servable(self, ticket: Ticket) -> bool:
        return ticket.problem is None and ticket.dish in self.menu

    def _start_ticket(self, ticket: Ticket, service: TaskGroup) -> None:
        serve = self._serve if self._servable(ticket) else self._fail_on_arrival
        self._in_flight.add(ticket)
        self.collector.rush()
        service.start_soon(serve, ticket, name=f"ticket {ticket.id}")

    async def _configure(self, command: ChangeSettings) -> None:
        changes = command.changes()
        self.settings = self.settings.changed(changes)
        if "speed" in changes:
            self.clock.set_speed(float(self.settings.speed))
        for job in self.line.configure(self.settings.mode, self.settings.cooks):
            self._job_done(job)
        self._staff_the_desk()
        self.desk.capacity = self.settings.front_desk
        if self.settings.shelf_workers != self.shelf.size:
            self.shelf.resize(self.settings.shelf_workers)
        self.emitter.emit("settings", settings=self.settings.to_json())
        if self.settings.uses_shelf:
            await self._warm_shelf()
        # Beside the orders, not before them: awaited here, the 40 warming calls held up the
        # commands behind this one, and an order placed with the switch was seated 0.3 s late.
        if self.steps.service is not None:
            self.steps.service.start_soon(self.steps.threads.warm_up, self.settings)

    def _on_loop(self, command: Command) -> None:
        """A command only a worker of several takes (its master's), on its loop: none here."""

    def _open_service(self, service: TaskGroup) -> None:
        """A service's own tasks, started with it: none (a worker of several: its acceptor)."""

    def _staff_the_desk(self) -> None:
        """Tell the front desk who takes tickets off it now: cooks, or the loop (async)."""
        self.desk.cooks = self.line.on_duty
        self.desk.loop_seats = self.line.mode == "async"

    async def _warm_shelf(self) -> None:
        if not self._shelf_warm:
            self._shelf_warm = True
            await self.shelf.warm_up()

    # -- one ticket -------------------------------------------------------------------------

    async def _serve(self, ticket: Ticket, greeted: bool = False) -> None:
        """One ticket's task: arrive, wait for a cook thread or cook on the loop, finish."""
        try:
            if not greeted:
                await self.timers.sleep_until(ticket.arrival)
                accepted = self.desk.arrive(ticket)
                if accepted is None:  # the doorman is greeting it at this moment
                    accepted = await self._verdict(ticket)
                if not accepted:
                    self.responses.count("refused")
                    return
            if self.line.mode != "async" and not await self._cooked_by_line(ticket):
                return
            self.desk.leave(ticket)
            self._seat(ticket, "async", None)
            with self.responses.on_exit(ticket), within(ticket.deadline_at):
                await self.steps.cook_on_loop(ticket, self.menu[ticket.dish])
        finally:
            self.desk.leave(ticket)
            self._in_flight.discard(ticket)
            if not self._in_flight:
                self.collector.quiet()

    async def _fail_on_arrival(self, ticket: Ticket) -> None:
        """A request the server cannot route (a dish it lacks, an order it could not read):
        it arrives, takes no place, and fails."""
        try:
            await self.timers.sleep_until(ticket.arrival)
            self.emitter.put(arrived_event(ticket, self.desk.waiting))
            error = ticket.problem or f"unknown dish {ticket.dish!r}"
            self.responses.finish(ticket, "failed", error=error)
        finally:
            self._in_flight.discard(ticket)
            if not self._in_flight:
                self.collector.quiet()

    @staticmethod
    async def _verdict(ticket: Ticket) -> bool:
        """Wait out the doorman's greeting: the desk has the loop set this event after it."""
        heard = anyio.Event()
        ticket.verdict_heard = heard
        if ticket.accepted is None:  # looked at after setting `verdict_heard`: see arrive()
            await heard.wait()
        return bool(ticket.accepted)

    async def _cooked_by_line(self, ticket: Ticket) -> bool:
        """Hand the ticket to the cook line; True when it came back to be cooked async. In
        threads mode a deadline runs from arrival: the route waits for a cook inside it."""
        done = anyio.Event()
        job = Job((ticket.arrival, ticket.n), ticket, done=done)
        if self.line.mode == "threads":
            start = ticket.arrival if self.deadline_from_arrival else time.perf_counter()
            ticket.deadline_at = deadline_after(start, self.settings, self.clock)
        self.line.enqueue(job)
        try:
            with anyio.move_on_at(loop_time(ticket.deadline_at)):
                await done.wait()
            if not done.is_set() and self.line.withdraw(job):  # timed out waiting for a cook
                self.desk.leave(ticket)
                self.responses.time_out(ticket)
                return False
            await done.wait()  # a cook has it and cannot be stopped: the cancel is pending
        finally:
            if not done.is_set():
                self.line.withdraw(job)
        return job.rerouted

    def _job_done(self, job: Job) -> None:
        """From any thread: the job is cooked (or rerouted); its ticket task may go on."""
        self._wake_from_thread(job.done)

    def _seat(self, ticket: Ticket, mode: Mode, cook: int | None) -> None:
        served = self.settings if mode == self.settings.mode else replace(self.settings, mode=mode)
        ticket.mode, ticket.blocking_fix, ticket.cpu_fix = mode, served.blocking_fix, served.cpu_fix
        ticket.seated = time.perf_counter()
        ticket.parts["front_desk"] = ticket.seated - ticket.arrival
        if mode != "threads":  # sync and async: from the moment the handler starts
            ticket.deadline_at = deadline_after(ticket.seated, served, self.clock)
            ticket.kill_at = ticket.deadline_at if mode == "sync" else math.inf
        self.emitter.put(
            {
                "type": "seated",
                "t": ticket.seated,
                "id": ticket.id,
                "n": ticket.n,
                "mode": mode,
                "cook": cook,
                "prep_shelf": ticket.prep_shelf,
                "fix_blocking": ticket.blocking_fix,
                "fix_cpu": ticket.cpu_fix,
                "deadline_t": None if ticket.deadline_at == math.inf else ticket.deadline_at,
            }
        )

    def _cook_job(self, job: Job, cook: int, mode: Mode) -> None:
        """On a cook thread: seat the ticket, run its plain `def` handler, send the response."""
        ticket = job.ticket
        self.desk.taken(ticket)
        try:
            if time.perf_counter() >= ticket.deadline_at:  # threads: timed out as it was taken
                self.responses.time_out(ticket)
            elif not ticket.cancel.is_set():  # a reset while it waited: nothing to cook
                with self.responses.on_exit(ticket):
                    self._seat(ticket, mode, cook)
                    self.steps.cook_on_thread(ticket, self.menu[ticket.dish])
        finally:
            self.desk.cook_free()
            self._job_done(job)
