"""The kitchen engine: every order ticket is a real anyio task, served in sync, threads or async."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import socket
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import anyio
import anyio.lowlevel
from anyio import from_thread
from anyio.abc import TaskGroup

from kitchen_tui.kitchen.clock import StoryClock
from kitchen_tui.kitchen.collector import QuietCollector
from kitchen_tui.kitchen.cookline import CookLine, Job
from kitchen_tui.kitchen.cpu import burn_cpu
from kitchen_tui.kitchen.doorman import Doorman
from kitchen_tui.kitchen.events import Emitter
from kitchen_tui.kitchen.frontdesk import FrontDesk, Ticket
from kitchen_tui.kitchen.prepshelf import PrepShelf
from kitchen_tui.kitchen.rail import Rail
from kitchen_tui.protocol.events import stall_level
from kitchen_tui.protocol.menu import MENU, Dish, Step
from kitchen_tui.protocol.settings import MODES, KitchenSettings, Mode

HEARTBEAT_S = 0.25
LAG_PROBE_S = 0.01
ALARM_BATCH = 64  # tickets woken together at one arrival instant

Command = dict[str, Any]


class StepFailed(Exception):
    """A step of the dish raised: the order fails, the kitchen serves on."""


class OrderCancelled(Exception):
    """A reset or shutdown reached a ticket that a cook thread was working on."""


class Response:
    """A handler's ending, on the loop or a cook thread: `Kitchen.respond` decides what it
    means. A class, not a generator-based context manager: entered once a ticket, it costs a
    third as much."""

    __slots__ = ("kitchen", "ticket")

    def __init__(self, kitchen: Kitchen, ticket: Ticket) -> None:
        self.kitchen, self.ticket = kitchen, ticket

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, _tb: Any
    ) -> bool:
        return self.kitchen.respond(self.ticket, exc)


class Kitchen:
    """A restaurant kitchen on one anyio loop: doorman, front desk, cooks, rail and prep shelf."""

    def __init__(
        self, settings: KitchenSettings, clock: StoryClock, emitter: Emitter, backend: str
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.emitter = emitter
        self.backend = backend
        self.menu: dict[str, Dish] = dict(MENU)
        self.desk = FrontDesk(emitter, settings.front_desk)
        self.doorman = Doorman(self.desk, self._poke)
        self.line = CookLine(self._cook_job)
        self.line.configure(settings.mode, settings.cooks)
        self._staff_the_desk()
        self.shelf = PrepShelf(settings.shelf_workers)
        self.rail = Rail(backend)
        self._cooked: deque[Job] = deque()  # jobs cook threads finished, for the loop to hear
        self._service: TaskGroup | None = None
        self._token: anyio.lowlevel.EventLoopToken | None = None
        self._counts_lock = threading.Lock()
        # arrival instant -> its alarms, each a future and how many tickets wait on it
        self._alarms: dict[float, deque[tuple[asyncio.Future[None], int]]] = {}
        self._numbers = itertools.count(1)
        self._cancel = threading.Event()
        self._inbox: deque[Command] = deque()
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._in_flight: set[Ticket] = set()
        self.collector = QuietCollector()
        self._counts = {"served": 0, "failed": 0, "refused": 0}
        self._loop_busy = 0.0
        self._worst_lag = 0.0
        self._shelf_warm = False
        # Tickets a reset's cancel flag stopped, maybe before the loop read the reset.
        self._unwound: set[int] = set()

    # -- commands, from any thread --------------------------------------------------------

    def submit(self, command: Command) -> None:
        """Hand a command to the kitchen; safe from any thread, never blocks."""
        if command.get("cmd") in ("reset", "shutdown"):
            # Stop cook threads and loop-blocking steps right away; orders sent after this
            # belong to the next service and get a fresh flag.
            self._cancel.set()
            self._cancel = threading.Event()
            self.doorman.clear()
        if command.get("cmd") == "dishes" and not self._learn_dishes(command):
            return
        if command.get("cmd") == "order":
            command = {"cmd": "tickets", "tickets": self._make_tickets(command)}
        self._inbox.append(command)
        self._poke()

    def _learn_dishes(self, command: Command) -> bool:
        """Put a command's dishes on the menu now, not when the loop reads the command: the
        orders sent right after them reach the doorman first, and he greets only what the
        kitchen serves (a dict write; the loop only reads the menu). False if malformed."""
        try:
            dishes = [Dish.from_json(data) for data in command.get("dishes", [])]
        except (KeyError, TypeError, ValueError, AssertionError) as error:
            print(f"kitchen: ignored a malformed dishes command: {error!r}", file=sys.stderr)
            return False
        for dish in dishes:
            self.menu[dish.name] = dish
        return True

    def _poke(self) -> None:
        """Wake the loop now; a full socket buffer means wake-ups are pending already."""
        with contextlib.suppress(BlockingIOError, OSError):
            self._wake_w.send(b"\0")

    def _make_tickets(self, command: Command) -> list[Ticket]:
        t0 = float(command.get("t0") or time.perf_counter())
        tickets = [
            Ticket(
                n=next(self._numbers),
                id=str(order["id"]),
                dish=str(order["dish"]),
                arrival=self.clock.real_after(t0, float(order.get("at", 0.0))),
                cancel=self._cancel,
            )
            for order in command.get("orders", [])
        ]
        self.doorman.expect([t for t in tickets if t.dish in self.menu])
        return tickets

    # -- the loop ---------------------------------------------------------------------------

    async def run(self, on_ready: Callable[[], None] | None = None) -> None:
        """Serve until shut down; `on_ready` runs once the loop is up and hello is out."""
        self.doorman.start()
        async with anyio.create_task_group() as chores:
            if self.settings.prep_shelf:
                await self._warm_shelf()
            self._token = anyio.lowlevel.current_token()
            self.hello()
            if on_ready is not None:
                on_ready()
            chores.start_soon(self._heartbeat)
            chores.start_soon(self._lag_probe)
            while await self._serve_until_reset():
                pass
            chores.cancel_scope.cancel()
        self.line.close()
        self.doorman.close()
        self.emitter.emit("bye")

    async def _serve_until_reset(self) -> bool:
        """Serve orders until a reset (returns True) or a shutdown (returns False)."""
        go_on, cancelled = True, 0
        async with anyio.create_task_group() as service:
            self._service = service
            while go_on:
                command = await self._next_command()
                name = command.get("cmd")
                if name in ("reset", "shutdown"):
                    go_on = name == "reset"
                    cancelled = len({t.n for t in self._in_flight} | self._unwound)
                    service.cancel_scope.cancel()
                    break
                await self._obey(command, service)
        self._unwound = set()
        self._alarms.clear()
        self.line.clear()
        if go_on:
            self.emitter.emit("reset", cancelled=cancelled)
        return go_on

    async def _next_command(self) -> Command:
        while not self._inbox:
            await anyio.wait_readable(self._wake_r)
            self._hear_cooks()
            with contextlib.suppress(BlockingIOError):
                self._wake_r.recv(65536)
        self._hear_cooks()
        return self._inbox.popleft()

    def _hear_cooks(self) -> None:
        """Wake the ticket tasks whose cook threads are done with them."""
        while self._cooked:
            done = self._cooked.popleft().done
            if done is not None:
                done.set()

    async def _obey(self, command: Command, service: TaskGroup) -> None:
        name = command.get("cmd")
        if name == "tickets":
            for ticket in command["tickets"]:
                self._accept(ticket, service)
        elif name == "settings":
            await self._configure(command)
        elif name == "dishes":
            self.emitter.emit("dishes", menu=self._menu_json())

    def _accept(self, ticket: Ticket, service: TaskGroup) -> None:
        if ticket.dish not in self.menu:
            self._count("refused")
            self.emitter.emit(
                "refused", id=ticket.id, n=ticket.n, dish=ticket.dish, reason="unknown dish"
            )
            return
        self._in_flight.add(ticket)
        self.collector.rush()
        service.start_soon(self._serve, ticket, name=f"ticket {ticket.id}")

    async def _configure(self, command: Command) -> None:
        fields = {k: command[k] for k in KitchenSettings.__dataclass_fields__ if k in command}
        if fields.get("mode") not in (None, *MODES):
            fields.pop("mode")
        self.settings = replace(self.settings, **fields)
        if "speed" in fields:
            self.clock.set_speed(float(self.settings.speed))
        for job in self.line.configure(self.settings.mode, self.settings.cooks):
            self._job_done(job)
        self._staff_the_desk()
        self.desk.capacity = self.settings.front_desk
        if self.settings.shelf_workers != self.shelf.size:
            self.shelf.resize(self.settings.shelf_workers)
        self.emitter.emit("settings", settings=self.settings.to_json())
        if self.settings.prep_shelf:
            await self._warm_shelf()

    def _staff_the_desk(self) -> None:
        """Tell the front desk who takes tickets off it now: cooks, or the loop (async)."""
        self.desk.cooks = self.line.on_duty
        self.desk.loop_seats = self.line.mode == "async"

    async def _warm_shelf(self) -> None:
        if not self._shelf_warm:
            self._shelf_warm = True
            await self.shelf.warm_up()

    # -- one ticket -------------------------------------------------------------------------

    async def _serve(self, ticket: Ticket) -> None:
        """One ticket's task: arrive, wait for a cook thread or cook on the loop, finish."""
        try:
            await self._until_arrival(ticket)
            accepted = self.desk.arrive(ticket)
            if accepted is None:  # the doorman is greeting it at this moment
                accepted = await self._verdict(ticket)
            if not accepted:
                self._count("refused")
                return
            if self.line.mode != "async" and not await self._cooked_by_line(ticket):
                return
            self.desk.leave(ticket)
            self._seat(ticket, "async", None)
            with Response(self, ticket):
                await self._cook_async(ticket, self.menu[ticket.dish])
        finally:
            self.desk.leave(ticket)
            self._in_flight.discard(ticket)
            if not self._in_flight:
                self.collector.quiet()

    @staticmethod
    async def _verdict(ticket: Ticket) -> bool:
        """Wait out the doorman's greeting: its verdict follows within microseconds."""
        while ticket.accepted is None:
            await anyio.sleep(0.0001)
        return ticket.accepted

    async def _cooked_by_line(self, ticket: Ticket) -> bool:
        """Hand the ticket to the cook line; True when it came back to be cooked async."""
        done = anyio.Event()
        job = Job((ticket.arrival, ticket.n), ticket, done=done)
        self.line.enqueue(job)
        try:
            await done.wait()
        finally:
            if not done.is_set():
                self.line.withdraw(job)
        return job.rerouted

    async def _until_arrival(self, ticket: Ticket) -> None:
        """Sleep until the ticket arrives.

        On asyncio, the tickets of one instant share one timer (not thousands in the loop's
        heap, whose pops cost more than the tickets' own work in a burst) and wake in the
        order they started waiting, which is ticket order: a batch of ALARM_BATCH at a time,
        so the first are seated at once instead of after every ticket of the burst has been
        scheduled (a 10,000-ticket burst's first seat: 30 ms late with one shared future).
        The loop's clock is perf_counter's. Trio wakes ready tasks in random order.
        """
        if self.backend != "asyncio":
            await anyio.sleep(max(0.0, ticket.arrival - time.perf_counter()))
            return
        loop = asyncio.get_running_loop()
        batches = self._alarms.get(ticket.arrival)
        if batches is None:
            batches = self._alarms[ticket.arrival] = deque()
            loop.call_at(ticket.arrival, self._ring, ticket.arrival)
        if not batches or batches[-1][1] >= ALARM_BATCH:
            batches.append((loop.create_future(), 0))
        alarm, waiting = batches[-1]
        batches[-1] = (alarm, waiting + 1)
        # Not shielded: only a reset cancels a waiting ticket, and it cancels every ticket
        # sharing this alarm along with it.
        await alarm

    def _ring(self, instant: float) -> None:
        batches = self._alarms.pop(instant, None)
        if batches:
            self._release(batches)

    def _release(self, batches: deque[tuple[asyncio.Future[None], int]]) -> None:
        """Wake one batch; the next goes after the tickets this one woke."""
        alarm, _ = batches.popleft()
        if not alarm.done():
            alarm.set_result(None)
        if batches:
            asyncio.get_running_loop().call_soon(self._release, batches)

    def _count(self, outcome: str) -> None:
        with self._counts_lock:  # cook threads count too
            self._counts[outcome] += 1

    def _job_done(self, job: Job) -> None:
        """From any thread: the job is cooked (or rerouted); its ticket task may go on."""
        self._cooked.append(job)
        self._poke()

    def _seat(self, ticket: Ticket, mode: Mode, cook: int | None) -> None:
        ticket.mode, ticket.prep_shelf = mode, self.settings.prep_shelf
        ticket.seated = time.perf_counter()
        ticket.parts["front_desk"] = ticket.seated - ticket.arrival
        self.emitter.put(
            {
                "type": "seated",
                "t": ticket.seated,
                "id": ticket.id,
                "n": ticket.n,
                "mode": mode,
                "cook": cook,
                "prep_shelf": ticket.prep_shelf,
            }
        )

    def respond(self, ticket: Ticket, exc: BaseException | None) -> bool:
        """How the handler ended decides the response: served, failed (a bug in one order
        must not take the kitchen down), or none at all when a reset cancelled it. True when
        the exception is dealt with; a cancellation or an exit goes on up."""
        if exc is None:
            self._finish(ticket, "served")
        elif isinstance(exc, OrderCancelled):
            self._unwound.add(ticket.n)
        elif isinstance(exc, Exception):
            self._finish(ticket, "failed", error=_error_text(exc))
        else:
            return False
        return True

    def _cook_job(self, job: Job, cook: int, mode: Mode) -> None:
        """On a cook thread: seat the ticket, run its plain `def` handler, send the response."""
        ticket = job.ticket
        self.desk.taken(ticket)
        try:
            if not ticket.cancel.is_set():  # a reset while it waited: nothing to cook
                with Response(self, ticket):
                    self._seat(ticket, mode, cook)
                    self._cook_in_thread(ticket, self.menu[ticket.dish])
        finally:
            self.desk.cook_free()
            self._job_done(job)

    async def _cook_async(self, ticket: Ticket, dish: Dish) -> None:
        """An `async def` handler: waits are awaited; cpu and blocking steps hold the loop."""
        try:
            for i, step in enumerate(dish.steps):
                real = step.seconds / self.clock.speed
                if step.kind == "wait":
                    start = self._step_started(ticket, i, step, "rail")
                    self.desk.let_go(start)
                    await self.rail.wait(real)
                    self._step_finished(ticket, i, step, "rail", start, real)
                elif step.kind == "cpu" and ticket.prep_shelf:
                    start = self._step_started(ticket, i, step, "shelf")
                    self.desk.let_go(start)
                    cpu_s, shelf_s = await self._on_shelf(ticket, i, real)
                    self._step_finished(ticket, i, step, "shelf", start, real, cpu_s, shelf_s)
                else:
                    start = self._step_started(ticket, i, step, "loop")
                    self.desk.hold(start)  # arrivals wait at the desk until the loop is free
                    held = self._hold(ticket, step, real)
                    self._step_finished(ticket, i, step, "loop", start, real, held)
        finally:
            self.desk.let_go(time.perf_counter())

    def _cook_in_thread(self, ticket: Ticket, dish: Dish) -> None:
        """A plain `def` handler on a cook thread: every step blocks this thread until done."""
        for i, step in enumerate(dish.steps):
            real = step.seconds / self.clock.speed
            if step.kind == "cpu" and ticket.prep_shelf:
                start = self._step_started(ticket, i, step, "shelf")
                cpu_s, shelf_s = from_thread.run(
                    self._shelf_for_thread, ticket, i, real, token=self._token
                )
                self._step_finished(ticket, i, step, "shelf", start, real, cpu_s, shelf_s)
            else:
                start = self._step_started(ticket, i, step, "cook")
                held = self._hold(ticket, step, real)
                self._step_finished(ticket, i, step, "cook", start, real, held)

    def _hold(self, ticket: Ticket, step: Step, real: float) -> float | None:
        """Run a step on the calling thread; the CPU seconds it burned (cpu steps)."""
        if step.kind == "cpu":
            cpu_s: float | None = burn_cpu(real, ticket.cancel)
        else:
            # time.sleep, or blocking I/O: the thread does nothing else until it returns.
            ticket.cancel.wait(real)
            cpu_s = None
        if ticket.cancel.is_set():
            raise OrderCancelled
        return cpu_s

    async def _shelf_for_thread(self, ticket: Ticket, i: int, real: float) -> tuple[float, float]:
        """A cook thread's shelf job, run inside the service, so that a reset cancels it."""
        result: list[tuple[float, float]] = []
        finished = anyio.Event()

        async def job() -> None:
            try:
                result.append(await self._on_shelf(ticket, i, real))
            finally:
                finished.set()

        assert self._service is not None
        self._service.start_soon(job)
        await finished.wait()
        if not result:
            raise OrderCancelled
        return result[0]

    async def _on_shelf(self, ticket: Ticket, i: int, real: float) -> tuple[float, float]:
        marks: dict[str, float] = {"asked": time.perf_counter()}

        def moved(kind: str, slot: int, t: float, pid: int) -> None:
            marks[kind] = t
            # How long it queued for a free worker: the model queues it itself.
            extra = {"waited_s": t - marks["asked"]} if kind == "shelf_in" else {}
            self.emitter.emit(kind, t=t, id=ticket.id, n=ticket.n, i=i, slot=slot, pid=pid, **extra)

        cpu_s, _pid = await self.shelf.cook(real, moved)
        return cpu_s, marks["shelf_out"] - marks["shelf_in"]

    # -- bookkeeping --------------------------------------------------------------------------

    def _step_started(self, ticket: Ticket, i: int, step: Step, where: str) -> float:
        start = time.perf_counter()
        self.emitter.put(_step_event("step_started", start, ticket, i, step, where))
        return start

    def _step_finished(
        self,
        ticket: Ticket,
        i: int,
        step: Step,
        where: str,
        start: float,
        real: float,
        cpu_s: float | None = None,
        shelf_s: float | None = None,
    ) -> None:
        end = time.perf_counter()
        measured = end - start
        self._account(ticket, step, where, measured, real, cpu_s, shelf_s)
        story_s = self.clock.span(start, end)
        event = _step_event("step_finished", end, ticket, i, step, where)
        event["measured_s"] = measured
        event["story_s"] = story_s
        event["cpu_s"] = cpu_s
        event["shelf_s"] = shelf_s
        self.emitter.put(event)
        if where == "loop":
            self._loop_busy += measured
            self.emitter.emit(
                "stall",
                t=end,
                id=ticket.id,
                n=ticket.n,
                i=i,
                kind=step.kind,
                label=step.label,
                seconds=measured,
                story_s=story_s,
                level=stall_level(measured),
            )
        if step.error is not None:
            raise StepFailed(f"{step.label}: {step.error}")

    @staticmethod
    def _account(
        ticket: Ticket,
        step: Step,
        where: str,
        measured: float,
        real: float,
        cpu_s: float | None,
        shelf_s: float | None,
    ) -> None:
        """Credit a step's time to where it went; whatever is left over counts as ready."""
        if where == "shelf":
            ticket.parts["shelf"] += shelf_s or 0.0
        elif step.kind == "wait":
            ticket.parts["rail"] += min(measured, real)
        elif step.kind == "cpu":
            ticket.parts["cook"] += min(measured, cpu_s or 0.0)
        else:
            ticket.parts["cook"] += measured

    def _finish(self, ticket: Ticket, outcome: str, error: str | None = None) -> None:
        done = time.perf_counter()
        real_latency = done - ticket.arrival
        latency = self.clock.span(ticket.arrival, done)
        self._count(outcome)
        if outcome == "failed":
            self.emitter.emit(
                "failed",
                t=done,
                error=error,
                latency_s=latency,
                id=ticket.id,
                n=ticket.n,
                dish=ticket.dish,
            )
            return
        self.emitter.put(
            {
                "type": "served",
                "t": done,
                "latency_s": latency,
                "real_latency_s": real_latency,
                "split": _split(ticket.parts, latency, real_latency),
                "id": ticket.id,
                "n": ticket.n,
                "dish": ticket.dish,
            }
        )

    # -- chores -----------------------------------------------------------------------------

    def hello(self) -> None:
        """The stream's first event: who this kitchen is and what it serves."""
        self.emitter.emit(
            "hello",
            pid=os.getpid(),
            backend=self.backend,
            settings=self.settings.to_json(),
            menu=self._menu_json(),
        )

    def _menu_json(self) -> dict[str, Any]:
        return {name: dish.to_json() for name, dish in self.menu.items()}

    async def _heartbeat(self) -> None:
        while True:
            await anyio.sleep(HEARTBEAT_S)
            self.collector.check()
            lag, self._worst_lag = self._worst_lag, 0.0
            self.emitter.emit(
                "heartbeat",
                front_desk=self.desk.waiting,
                in_flight=len(self._in_flight),
                lag_s=lag,
                loop_busy_s=self._loop_busy,
                **self._counts,
            )

    async def _lag_probe(self) -> None:
        """How late the loop wakes a 10 ms sleeper: a stall felt by every task."""
        while True:
            before = time.perf_counter()
            await anyio.sleep(LAG_PROBE_S)
            lag = time.perf_counter() - before - LAG_PROBE_S
            self._worst_lag = max(self._worst_lag, lag)


def _step_event(
    event_type: str, t: float, ticket: Ticket, i: int, step: Step, where: str
) -> dict[str, Any]:
    return {
        "type": event_type,
        "t": t,
        "id": ticket.id,
        "n": ticket.n,
        "i": i,
        "kind": step.kind,
        "label": step.label,
        "where": where,
        "nominal_s": step.seconds,
    }


def _error_text(exc: Exception) -> str:
    return str(exc) if isinstance(exc, StepFailed) else f"{type(exc).__name__}: {exc}"


def _split(parts: dict[str, float], latency: float, real_latency: float) -> dict[str, float]:
    """The real seconds of each part, in story seconds, with `ready` taking the remainder.

    Not rounded: `round` cost more than the rest of the split (five calls, 1.7 us a ticket).
    """
    scale = latency / real_latency if real_latency > 0 else 1.0
    front_desk = parts["front_desk"] * scale
    cook = parts["cook"] * scale
    rail = parts["rail"] * scale
    shelf = parts["shelf"] * scale
    ready = max(0.0, latency - front_desk - cook - rail - shelf)
    return {"front_desk": front_desk, "cook": cook, "rail": rail, "shelf": shelf, "ready": ready}
