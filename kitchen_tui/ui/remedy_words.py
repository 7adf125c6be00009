"""What each remedy trades, in one plain sentence: the header says it when a remedy is chosen."""

from __future__ import annotations

from kitchen_tui.protocol.settings import LOOP_BLOCKING_FIXES, LOOP_CPU_FIXES

TRADES: dict[tuple[str, str], str] = {
    ("fix_blocking", "inline"): "the call holds the loop; every order waits until it returns",
    (
        "fix_blocking",
        "to_thread",
    ): "a worker thread waits instead; 40 at once, the 41st waits for a token",
    ("fix_blocking", "await"): "an async client: the loop stays free and no thread is used",
    ("fix_cpu", "inline"): "the work holds the loop; every order waits until it is done",
    ("fix_cpu", "checkpoints"): "others run between slices; this order ends a little later",
    ("fix_cpu", "to_thread"): "the loop runs on but shares the GIL: others slowed, not stopped",
    ("fix_cpu", "prep_shelf"): "a worker process computes; the order still waits for it",
    ("fix_cpu", "job"): "answered at once with a job id; the job is timed on its own",
}
_NEED_A_LOOP = {"fix_blocking": LOOP_BLOCKING_FIXES, "fix_cpu": LOOP_CPU_FIXES}


def remedy_echo(setting: str, value: str) -> str:
    """The header's echo for a remedy just chosen."""
    return f"{setting} -> {value}"


def served_remedies(fix_blocking: str, fix_cpu: str, mode: str) -> tuple[str, str]:
    """The remedies as `mode` serves them: one that needs an event loop is served inline."""
    fixes = {"fix_blocking": fix_blocking, "fix_cpu": fix_cpu}
    served = {s: "inline" if _idle(s, v, mode) else v for s, v in fixes.items()}
    return served["fix_blocking"], served["fix_cpu"]


def _idle(setting: str, value: str, mode: str) -> bool:
    return mode != "async" and value in _NEED_A_LOOP[setting]


def remedy_trade(fix_blocking: str, fix_cpu: str, mode: str) -> str | None:
    """One plain sentence on what the remedies in use trade (None when none is on), first
    those that mean nothing in `mode` (served inline there)."""
    chosen = [("fix_cpu", fix_cpu), ("fix_blocking", fix_blocking)]
    idle = [f"{s} {v}" for s, v in chosen if _idle(s, v, mode)]
    said = [f"{', '.join(idle)}: no event loop in {mode} mode, served inline"] if idle else []
    said += [f"{v}: {TRADES[(s, v)]}" for s, v in chosen if v != "inline" and not _idle(s, v, mode)]
    return "; ".join(said) or None
