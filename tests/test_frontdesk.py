"""The front desk: a ticket whose task finds another thread greeting it waits for the verdict."""

from __future__ import annotations

import threading
import time

import anyio
import anyio.from_thread
import anyio.lowlevel
import pytest

from kitchen_tui.kitchen.clock import StoryClock
from kitchen_tui.kitchen.engine import Kitchen
from kitchen_tui.kitchen.events import Emitter
from kitchen_tui.kitchen.frontdesk import FrontDesk, Ticket

pytestmark = pytest.mark.anyio


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def test_a_task_that_finds_the_doorman_greeting_hears_his_verdict(anyio_backend: str) -> None:
    token = anyio.lowlevel.current_token()

    def wake(heard: anyio.Event) -> None:  # what the kitchen does through its wake-up socket
        anyio.from_thread.run_sync(heard.set, token=token)

    emitter = Emitter(StoryClock())
    desk = FrontDesk(emitter, capacity=10, wake=wake)
    ticket = Ticket(
        n=1, id="A", dish="redis", arrival=time.perf_counter(), cancel=threading.Event()
    )
    doorman_done = threading.Event()

    def doorman() -> None:
        desk.arrive(ticket)
        doorman_done.set()

    verdicts: list[bool] = []

    async def hear() -> None:
        verdicts.append(await Kitchen._verdict(ticket))

    with anyio.fail_after(10):
        async with anyio.create_task_group() as tasks:
            with desk._lock:  # the doorman stops mid-greeting, inside arrive(), at the lock
                greeter = threading.Thread(target=doorman)
                greeter.start()
                while repr(ticket.greetings) == "count(0)":  # until he has taken the greeting
                    await anyio.sleep(0.001)
                assert desk.arrive(ticket) is None  # the task's own: someone else is at it
                tasks.start_soon(hear)
                await anyio.wait_all_tasks_blocked()
                assert ticket.verdict_heard is not None and verdicts == []
        await anyio.to_thread.run_sync(greeter.join)
    assert verdicts == [True] and doorman_done.is_set()
    assert [e["type"] for e in emitter.take()] == ["arrived"]
