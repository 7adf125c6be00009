"""The cook line: fine GIL slices while cooks are at work, the usual ones when none is."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from functools import partial

import pytest

from kitchen_tui.kitchen.cookline import COOKS_SWITCH_S, CookLine, Job
from kitchen_tui.kitchen.frontdesk import Ticket
from kitchen_tui.protocol.settings import Mode
from tests.conftest import wait_until

USUAL_S = 0.005  # CPython's default


@pytest.fixture(autouse=True)
def usual_slices() -> Iterator[None]:
    was = sys.getswitchinterval()
    sys.setswitchinterval(USUAL_S)
    yield
    sys.setswitchinterval(was)


def _job(n: int) -> Job:
    ticket = Ticket(n=n, id=f"t{n}", dish="llm", arrival=0.0, cancel=threading.Event())
    return Job((0.0, n), ticket)


class Cooks:
    """Cook functions that note the GIL slice they cooked under and hold on until released."""

    def __init__(self) -> None:
        self.slices: list[float] = []
        self.done: list[int] = []
        self.release = threading.Event()

    def cook(self, job: Job, cook: int, mode: Mode) -> None:
        self.slices.append(sys.getswitchinterval())
        self.release.wait(timeout=10)
        self.done.append(job.ticket.n)


def test_slices_are_fine_while_any_cook_works_and_usual_once_all_are_done() -> None:
    cooks = Cooks()
    line = CookLine(cooks.cook)
    line.configure("threads", 3)
    try:
        for n in range(3):
            line.enqueue(_job(n))
        assert wait_until(lambda: len(cooks.slices) == 3, timeout=10)
        assert cooks.slices == [COOKS_SWITCH_S] * 3
        assert sys.getswitchinterval() == COOKS_SWITCH_S
        cooks.release.set()
        assert wait_until(lambda: len(cooks.done) == 3, timeout=10)
        assert wait_until(lambda: sys.getswitchinterval() == USUAL_S, timeout=10)
    finally:
        cooks.release.set()
        line.close()


def test_a_cook_that_raises_still_gives_the_usual_slices_back() -> None:
    slices: list[float] = []

    def burn(job: Job, cook: int, mode: Mode) -> None:
        slices.append(sys.getswitchinterval())
        raise RuntimeError("the stove caught fire")

    line = CookLine(burn)
    line.configure("sync", 1)
    hook = threading.excepthook
    threading.excepthook = lambda args: None  # the cook thread dies; that is the point
    try:
        line.enqueue(_job(1))
        assert wait_until(lambda: bool(slices), timeout=10)
        assert slices == [COOKS_SWITCH_S]
        assert wait_until(lambda: sys.getswitchinterval() == USUAL_S, timeout=10)
    finally:
        threading.excepthook = hook
        line.close()


def test_a_cook_still_at_work_after_a_switch_to_async_keeps_fine_slices_until_done() -> None:
    cooks = Cooks()
    line = CookLine(cooks.cook)
    line.configure("threads", 2)
    try:
        line.enqueue(_job(1))
        assert wait_until(lambda: bool(cooks.slices), timeout=10)
        line.configure("async", 2)  # the seated ticket finishes the way it started
        assert sys.getswitchinterval() == COOKS_SWITCH_S
        cooks.release.set()
        assert wait_until(lambda: cooks.done == [1], timeout=10)
        assert wait_until(lambda: sys.getswitchinterval() == USUAL_S, timeout=10)
    finally:
        cooks.release.set()
        line.close()


def served(cooks: Cooks, count: int) -> bool:
    return len(cooks.done) == count


@pytest.mark.parametrize("after", ["sync", "fewer cooks"])
def test_cooks_hired_for_threads_mode_never_swallow_a_ticket_only_cook_0_may_take(
    after: str,
) -> None:
    """Forty cooks wait once threads mode was on; in sync (or with fewer cooks) only the first
    may take a ticket, so a wake-up given to cook 39 must not be the only one."""
    cooks = Cooks()
    cooks.release.set()
    line = CookLine(cooks.cook)
    line.configure("threads", 40)
    try:
        line.enqueue(_job(0))
        assert wait_until(lambda: cooks.done == [0], timeout=10)
        if after == "sync":
            line.configure("sync", 40)
        else:
            line.configure("threads", 2)
        for n in range(1, 6):
            line.enqueue(_job(n))
            assert wait_until(partial(served, cooks, n + 1), timeout=5), cooks.done
    finally:
        line.close()
