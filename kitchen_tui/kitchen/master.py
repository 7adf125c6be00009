"""The master process: one front desk, several worker processes, one event stream out."""

from __future__ import annotations

import itertools
import json
import os
import threading
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from kitchen_tui.kitchen.accept_board import AcceptBoard
from kitchen_tui.kitchen.clock import StoryClock
from kitchen_tui.kitchen.customers import Customers
from kitchen_tui.kitchen.doorman import Doorman
from kitchen_tui.kitchen.events import Emitter
from kitchen_tui.kitchen.frontdesk import Ticket
from kitchen_tui.kitchen.pool_beats import PoolBeats
from kitchen_tui.kitchen.roll_call import RollCaller
from kitchen_tui.kitchen.shared_desk import SharedDesk
from kitchen_tui.kitchen.worker_process import Event, WorkerProcess
from kitchen_tui.protocol.commands import (
    ChangeSettings,
    Command,
    DefineDishes,
    PlaceOrders,
    Reset,
    RestartWorker,
    SetStream,
    SetWorkers,
    Shutdown,
)
from kitchen_tui.protocol.menu import MENU
from kitchen_tui.protocol.pool_commands import Retire
from kitchen_tui.protocol.settings import MAX_WORKERS, KitchenSettings

HEARTBEAT_S = 0.25
START_TIMEOUT_S = 15.0
STOP_GRACE_S = 2.0
# A worker's own events the master sums or answers for itself, never passed on as they are.
_OWN = frozenset({"hello", "settings", "dishes", "reset", "bye", "roll_call"})
_OUTCOMES = frozenset({"served", "failed", "timed_out", "uneaten"})


class Master:
    """gunicorn's master (uvicorn's supervisor): holds the listening socket, starts the
    workers, passes on their events as one stream, and fails a dead worker's tickets."""

    def __init__(
        self,
        settings: KitchenSettings,
        backend: str,
        clock: StoryClock,
        emitter: Emitter,
        run_worker: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        """`run_worker(config)`: a worker's main, to fork the first workers into."""
        self._run_worker = run_worker
        self.settings = settings
        self.backend = backend
        self.emitter = emitter
        self.clock = clock
        self.board = AcceptBoard(MAX_WORKERS)  # a slot for as many as it may come to run
        self.desk = SharedDesk(emitter, self.clock, settings.front_desk, self.board)
        self.desk.menu = dict(MENU)
        self.doorman = Doorman(self)
        self.beats = PoolBeats()
        self.roll = RollCaller(self.desk, self._lose)
        # A live stream's customers come to the front desk, whichever worker serves them.
        self.customers = Customers(self.submit, clock, emitter)
        self._retiring: set[int] = set()  # told to leave once their tickets are served
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()
        self._tickets: dict[int, Ticket] = {}  # sent out and not yet done
        self._taken: dict[int, dict[int, Ticket]] = {}  # slot -> tickets it accepted, not done
        # slot -> its last death: pid, message, tickets it failed, of those lost (roll calls)
        self._deaths: dict[int, tuple[int, str, int, int]] = {}
        # While a reset is under way: each live worker's cancelled count, None until it is in.
        self._resets: dict[int, int | None] = {}
        self._reset_drained: int | None = None
        self._said_hello = False
        self.stopping = False
        self.workers: dict[int, WorkerProcess] = {}

    # -- life -------------------------------------------------------------------------------

    def fork_workers(self) -> None:
        """The first workers, forked (gunicorn's pre-fork), before this process has a thread;
        a new interpreter each when there is no worker main to fork into."""
        for slot in range(1, self.settings.workers + 1):
            self._spawn(slot, fork=self._run_worker is not None)
        for worker in self.workers.values():
            worker.start_reading()

    def start(self) -> None:
        """Wait for every worker's hello (forked first if need be); then say hello as one."""
        if not self.workers:
            self.fork_workers()
        deadline = time.perf_counter() + START_TIMEOUT_S
        for worker in self.workers.values():
            worker.hello.wait(max(0.0, deadline - time.perf_counter()))
        self.doorman.start()
        self.emitter.emit(
            "hello",
            pid=os.getpid(),
            backend=self.backend,
            settings=self.settings.to_json(),
            menu={name: dish.to_json() for name, dish in self.desk.menu.items()},
        )
        with self._lock:
            self._said_hello = True
            for worker in self.workers.values():
                if worker.hello.is_set():
                    self.emitter.emit("worker_up", worker=worker.slot, pid=worker.pid)
        threading.Thread(target=self._heartbeat, name="pool-heartbeat", daemon=True).start()
        self.customers.start()

    def _spawn(self, slot: int, fork: bool = False) -> None:
        config: dict[str, Any] = {
            **self.settings.to_json(),
            "backend": self.backend,
            "worker": slot,
            "listen_fd": self.desk.listening.fileno(),
            "board_fd": self.board.fd,
        }
        self._taken[slot] = {}
        run = self._run_worker
        worker = WorkerProcess(
            slot,
            config,
            (self.desk.listening.fileno(), self.board.fd),
            self._on_event,
            self._on_exit,
            fork=partial(run, config) if fork and run is not None else None,
        )
        self.workers[slot] = worker
        if not fork:
            worker.start_reading()
        extra = [dish for name, dish in self.desk.menu.items() if MENU.get(name) != dish]
        if extra:  # a worker started later (more workers, a restart) learns the dishes too
            worker.send(_command_line(DefineDishes(tuple(extra))))

    def stop(self) -> None:
        """Shut every worker down (killed after a grace), then say bye."""
        self.stopping = True
        self.customers.close()
        self.doorman.close()
        self._broadcast(Shutdown())
        deadline = time.perf_counter() + STOP_GRACE_S
        for worker in self.workers.values():
            if not worker.wait(max(0.0, deadline - time.perf_counter())):
                worker.kill()
                worker.wait(STOP_GRACE_S)
        self.desk.close()
        self.emitter.emit("bye")

    # -- commands, on the main thread -------------------------------------------------------

    def submit(self, command: Command) -> None:
        match command:
            case PlaceOrders():
                self._place(command)
            case DefineDishes(dishes):
                self.desk.menu.update((dish.name, dish) for dish in dishes)
                self._broadcast(command)
                menu = {name: dish.to_json() for name, dish in self.desk.menu.items()}
                self.emitter.emit("dishes", menu=menu)
            case ChangeSettings():
                self._configure(command)
            case Reset():
                self._reset()
            case RestartWorker(slot):
                self._restart(slot)
            case SetWorkers(count):
                self._resize(count)
            case SetStream():
                self.customers.set(command)
            case Shutdown():
                pass  # the command reader stops and the caller calls stop()

    def _place(self, command: PlaceOrders) -> None:
        t0 = time.perf_counter() if command.t0 is None else command.t0
        tickets = []
        for order in command.orders:
            arrival = self.clock.real_after(t0, order.at)
            ticket = Ticket(next(self._numbers), order.id, order.dish, arrival, threading.Event())
            patience = self.settings.patience if order.patience is None else order.patience
            if patience:  # the worker that takes it sees the customer leave (or has, by then)
                ticket.leaves_at = arrival + patience / self.clock.speed
            tickets.append(ticket)
        with self._lock:
            self._tickets.update((ticket.n, ticket) for ticket in tickets)
        self.doorman.expect(tickets)

    def arrive(self, ticket: Ticket) -> bool:
        """On the doorman's thread: the desk takes it, or it is done (86'd, an unknown dish)."""
        taken = self.desk.arrive(ticket)
        if not taken:
            with self._lock:
                self._tickets.pop(ticket.n, None)
        return taken

    def _configure(self, command: ChangeSettings) -> None:
        changes = command.changes()
        self.settings = self.settings.changed(changes)
        if "speed" in changes:
            self.clock.set_speed(float(self.settings.speed))
        self.desk.capacity = self.settings.front_desk
        self._broadcast(command)
        self.emitter.emit("settings", settings=self.settings.to_json())

    def _reset(self) -> None:
        """Cancel everything: the orders not yet arrived, those in the socket, and each
        worker's; one `reset` once every live worker has reset."""
        self.doorman.clear()
        drained = self.desk.drain()
        with self._lock:
            live = [w.slot for w in self.workers.values() if w.alive]
            self._resets = dict.fromkeys(live)
            self._reset_drained = drained
        self._broadcast(Reset())
        self._maybe_reset_done()

    def _restart(self, slot: int) -> None:
        worker = self.workers.get(slot)
        if worker is None or worker.alive or self.stopping:
            return  # only a dead worker comes back; a live one serves on
        self._spawn(slot)

    def _resize(self, count: int) -> None:
        """Start workers up to `count`, or retire the newest ones past it (gracefully)."""
        live = sorted(s for s, w in self.workers.items() if w.alive and s not in self._retiring)
        free = [s for s in range(1, MAX_WORKERS + 1) if s not in self.workers or self._gone(s)]
        for slot in free[: max(0, count - len(live))]:  # fewer: free[:-1] would start 14
            self._spawn(slot)
        for slot in live[count:]:
            self._retiring.add(slot)
            self.workers[slot].send(_command_line(Retire()))
        self.settings = self.settings.changed({"workers": count})
        self.emitter.emit("settings", settings=self.settings.to_json())

    def _gone(self, slot: int) -> bool:
        return not self.workers[slot].alive and slot not in self._retiring

    def _broadcast(self, command: Command) -> None:
        line = _command_line(command)
        for worker in list(self.workers.values()):
            worker.send(line)

    # -- events, on each worker's reader thread ---------------------------------------------

    def _on_event(self, slot: int, event: Event) -> None:
        kind = event["type"]
        if kind in _OWN:
            self._own_event(slot, kind, event)
            return
        if kind == "heartbeat":
            self.beats.note(slot, event)
            event["type"] = "worker_beat"
        elif kind == "accepted" or kind in _OUTCOMES:
            self._track(slot, kind, event["n"])
        event["worker"] = slot
        self.emitter.put(event)

    def _own_event(self, slot: int, kind: str, event: Event) -> None:
        worker = self.workers[slot]
        if kind == "hello":
            worker.pid = int(event["pid"])
            with self._lock:
                if self._said_hello:
                    self.emitter.emit("worker_up", worker=slot, pid=worker.pid)
            worker.hello.set()
        elif kind == "roll_call" and worker.pid is not None:
            self.roll.answered(worker.pid, int(event["call"]))
        elif kind == "reset":
            with self._lock:
                if slot in self._resets:
                    self._resets[slot] = int(event["cancelled"])
            self._maybe_reset_done()

    def _track(self, slot: int, kind: str, n: int) -> None:
        if kind == "accepted":
            self.desk.taken(n)
            self.workers[slot].heard_accepted += 1
        with self._lock:
            if kind == "accepted":
                ticket = self._tickets.get(n)
                if ticket is not None:
                    self._taken[slot][n] = ticket
            else:
                self._tickets.pop(n, None)
                self._taken[slot].pop(n, None)

    def _maybe_reset_done(self) -> None:
        with self._lock:
            counts = self._resets.values()
            if self._reset_drained is None or None in counts:
                return
            cancelled = self._reset_drained + sum(count or 0 for count in counts)
            self._reset_drained = None
            self._resets = {}
            self._tickets.clear()
            for taken in self._taken.values():
                taken.clear()
        self.emitter.emit("reset", cancelled=cancelled)

    def _on_exit(self, slot: int, code: int) -> None:
        """A worker ended: unless asked to, it died; its tickets fail, the others serve on."""
        worker = self.workers[slot]
        if self.stopping:
            return
        counted = self.desk.forget_slot(slot)
        self.beats.gone(slot)
        if slot in self._retiring and code == 0:  # it served its tickets and left, as asked
            self._retiring.discard(slot)
            self.emitter.emit("worker_retired", worker=slot, pid=worker.pid or 0)
            self.roll.gone(worker.pid or 0)
            return
        self._retiring.discard(slot)
        how = f"was killed by signal {-code}" if code < 0 else f"exited with code {code}"
        message = f"worker {slot} (pid {worker.pid}) {how}"
        with self._lock:
            victims = list(self._taken[slot].values())
            self._taken[slot] = {}
            for ticket in victims:
                self._tickets.pop(ticket.n, None)
            self._resets.pop(slot, None)
            self._deaths[slot] = (worker.pid or 0, message, len(victims), 0)
        self.emitter.emit(
            "worker_died",
            worker=slot,
            pid=worker.pid or 0,
            code=code,
            message=message,
            failed=len(victims),
        )
        for ticket in victims:
            self._fail(ticket, slot, f"{message} while serving it")
        living = [w for w in self.workers.values() if w.alive and w is not worker]
        self.roll.after_death(slot, message, counted - worker.heard_accepted, living)
        self._maybe_reset_done()

    def _lose(self, tickets: list[Ticket], slot: int, error: str) -> None:
        """The roll call found tickets lost with a dead worker (not one a reset ended):
        `worker_lost` says what the death has cost now, in all, then each fails (as
        `worker_died` comes before its tickets' failures: a reader that stops at the last
        outcome has heard the count)."""
        with self._lock:
            known = [t for t in tickets if self._tickets.pop(t.n, None) is not None]
            if not known:
                return
            pid, message, failed, lost = self._deaths[slot]
            failed, lost = failed + len(known), lost + len(known)
            self._deaths[slot] = (pid, message, failed, lost)
        self.emitter.emit(
            "worker_lost", worker=slot, pid=pid, message=message, failed=failed, lost=lost
        )
        for ticket in known:
            self._fail(ticket, slot, error)

    def _fail(self, ticket: Ticket, slot: int, error: str) -> None:
        done = time.perf_counter()
        self.desk.responses.count("failed")
        self.emitter.put(
            {
                "type": "failed",
                "t": done,
                "id": ticket.id,
                "n": ticket.n,
                "dish": ticket.dish,
                "error": error,
                "latency_s": self.clock.span(ticket.arrival, done),
                "worker": slot,
            }
        )

    def _heartbeat(self) -> None:
        while not self.stopping:
            time.sleep(HEARTBEAT_S)
            beat = self.beats.total(self.desk.responses.counts)
            beat["front_desk"] = self.desk.waiting
            # Every ticket not yet done, as one kitchen counts them: a held worker sends no
            # heartbeat, so its last one would say it had nothing in flight.
            with self._lock:
                beat["in_flight"] = len(self._tickets)
            self.emitter.emit("heartbeat", **beat)


def _command_line(command: Command) -> bytes:
    return (json.dumps(command.to_json()) + "\n").encode()
