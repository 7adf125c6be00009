"""How the kitchen serves: the mode, the remedies, the cooks, the speed. Shared by every part."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Literal, NamedTuple

Mode = Literal["sync", "threads", "async"]
MODES: tuple[Mode, ...] = ("sync", "threads", "async")
BACKENDS = ("asyncio", "trio")

# The remedies: how a blocking call, and how CPU work, is served.
BlockingFix = Literal["inline", "to_thread", "await"]
BLOCKING_FIXES: tuple[BlockingFix, ...] = ("inline", "to_thread", "await")
CpuFix = Literal["inline", "checkpoints", "to_thread", "prep_shelf", "job"]
CPU_FIXES: tuple[CpuFix, ...] = ("inline", "checkpoints", "to_thread", "prep_shelf", "job")
# These need an event loop in the handler; a plain `def` handler (sync, threads) has none.
LOOP_BLOCKING_FIXES: tuple[BlockingFix, ...] = ("to_thread", "await")
LOOP_CPU_FIXES: tuple[CpuFix, ...] = ("checkpoints", "to_thread")

MIN_SPEED = 0.1
MAX_SPEED = 10.0
DEFAULT_COOKS = 40  # anyio's default to_thread limiter: what FastAPI gives plain `def` routes
THREAD_TOKENS = 40  # the same limiter, as `to_thread` remedies meet it on the loop
CHECKPOINT_SLICE_S = 0.001  # real CPU seconds between two checkpoints of checkpointed work
GIL_SWITCH_S = 0.005  # sys.getswitchinterval()'s default, which the kitchen keeps
MAX_COOKS = 1000
DEFAULT_FRONT_DESK = 1000
MAX_FRONT_DESK = 1_000_000
MAX_SHELF = 64
SHELF_PER_CPU = 0  # the shelf_size that means one worker per CPU (the default)
NO_LIMIT = 0.0  # a patience or deadline of 0: customers wait forever, handlers run unbounded
MAX_PATIENCE_S = 3600.0  # story seconds; past an hour is a typo, not a demo
MAX_DEADLINE_S = 3600.0
# Kitchen processes behind one front desk: each is a whole Python process (about 30 MB and a
# tenth of a second to start), so a few per core is already more than a real server runs.
MAX_WORKERS = 16


class Range(NamedTuple):
    """The values a setting may take, both ends included."""

    low: int
    high: int


# The one account of the counted settings' ranges: the scenario files, the command line and
# the kitchen's command reader all check against these (the reader lets SHELF_PER_CPU by too).
COOKS = Range(1, MAX_COOKS)
SHELF_SIZE = Range(1, MAX_SHELF)
FRONT_DESK = Range(1, MAX_FRONT_DESK)
WORKERS = Range(1, MAX_WORKERS)


def default_shelf_size() -> int:
    return os.cpu_count() or 1


class RemedyProblem(NamedTuple):
    """A remedy that means nothing in a mode: which setting, its value, and why (one line)."""

    setting: str
    value: str
    reason: str
    instead: str  # the values of `setting` that the mode can serve, in words
    mode: str


def remedy_problem(mode: str, fix_blocking: str, fix_cpu: str) -> RemedyProblem | None:
    """Why a remedy means nothing in `mode`, with the fix, or None when every remedy fits."""
    if mode == "async":
        return None
    if fix_blocking in LOOP_BLOCKING_FIXES:
        return _needs_loop(mode, "fix_blocking", fix_blocking, "inline")
    if fix_cpu in LOOP_CPU_FIXES:
        return _needs_loop(mode, "fix_cpu", fix_cpu, "inline, prep_shelf or job")
    return None


def _needs_loop(mode: str, setting: str, value: str, instead: str) -> RemedyProblem:
    reason = (
        f"needs an event loop, and {mode} mode runs plain def handlers"
        f" (use mode async, or {setting} {instead})"
    )
    return RemedyProblem(setting, value, reason, instead, mode)


@dataclass(frozen=True)
class KitchenSettings:
    """The knobs of one kitchen; every one of them may change while orders are in flight.

    `prep_shelf` is the older spelling of `fix_cpu = "prep_shelf"`: accepted by the
    constructor (so by `replace` and old traces) and kept as a read-only view.
    """

    mode: Mode
    fix_blocking: BlockingFix
    fix_cpu: CpuFix
    cooks: int
    shelf_size: int  # 0: one worker per CPU
    front_desk: int
    speed: float
    patience: float  # story seconds a customer waits before walking out; 0: for ever
    deadline: float  # story seconds of the server's `fail_after` around a handler; 0: none
    workers: int  # kitchen processes behind the front desk (uvicorn --workers, gunicorn -w)

    def __init__(
        self,
        mode: Mode = "async",
        fix_blocking: BlockingFix = "inline",
        fix_cpu: CpuFix = "inline",
        cooks: int = DEFAULT_COOKS,
        shelf_size: int = SHELF_PER_CPU,
        front_desk: int = DEFAULT_FRONT_DESK,
        speed: float = 1.0,
        prep_shelf: bool | None = None,
        patience: float = NO_LIMIT,
        deadline: float = NO_LIMIT,
        workers: int = 1,
    ) -> None:
        if prep_shelf is True:
            fix_cpu = "prep_shelf"
        elif prep_shelf is False and fix_cpu == "prep_shelf":
            fix_cpu = "inline"
        for name, value in (
            ("mode", mode),
            ("fix_blocking", fix_blocking),
            ("fix_cpu", fix_cpu),
            ("cooks", cooks),
            ("shelf_size", shelf_size),
            ("front_desk", front_desk),
            ("speed", speed),
            ("patience", patience),
            ("deadline", deadline),
            ("workers", workers),
        ):
            object.__setattr__(self, name, value)

    @property
    def prep_shelf(self) -> bool:
        return self.fix_cpu == "prep_shelf"

    @property
    def shelf_workers(self) -> int:
        return self.shelf_size or default_shelf_size()

    @property
    def remedy_problem(self) -> RemedyProblem | None:
        return remedy_problem(self.mode, self.fix_blocking, self.fix_cpu)

    @property
    def blocking_fix(self) -> BlockingFix:
        """The blocking remedy as served in this mode: one that needs a loop falls back."""
        if self.fix_blocking in LOOP_BLOCKING_FIXES and not self._loop:
            return "inline"
        return self.fix_blocking

    @property
    def cpu_fix(self) -> CpuFix:
        """The CPU remedy as served in this mode: one that needs a loop falls back."""
        if self.fix_cpu in LOOP_CPU_FIXES and not self._loop:
            return "inline"
        return self.fix_cpu

    @property
    def uses_shelf(self) -> bool:
        return self.fix_cpu in ("prep_shelf", "job")

    @property
    def _loop(self) -> bool:
        return self.mode == "async"

    @property
    def line_cooks(self) -> int:
        """Who runs handler code in this mode: N pool threads (threads), else one (the only
        thread in sync, the event loop in async); `cooks` is kept for a switch to threads."""
        return self.cooks if self.mode == "threads" else 1

    def to_json(self) -> dict[str, object]:
        # prep_shelf too: readers of older streams (and the screens) look for it.
        return {**asdict(self), "prep_shelf": self.prep_shelf}

    def served_json(self) -> dict[str, object]:
        """`to_json` as a result reports it: `cooks` counts the cooks that served."""
        return {**self.to_json(), "cooks": self.line_cooks}

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> KitchenSettings:
        return cls(**data)  # type: ignore[arg-type]

    def changed(self, changes: Mapping[str, object]) -> KitchenSettings:
        """These settings with `changes` on top (`prep_shelf` too, as the constructor reads it)."""
        return self.from_json({**asdict(self), **changes})
