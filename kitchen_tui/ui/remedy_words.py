"""What each remedy trades, in one plain sentence: the header says it when a remedy is chosen."""

from __future__ import annotations

from kitchen_tui.protocol.settings import remedy_problem

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


def remedy_echo(setting: str, value: str) -> str:
    """The header's echo for a remedy just chosen."""
    return f"{setting} -> {value}"


def remedy_trade(fix_blocking: str, fix_cpu: str, mode: str) -> str | None:
    """One plain sentence on what the remedies in use trade (None when none is on), or why
    one means nothing in `mode`."""
    problem = remedy_problem(mode, fix_blocking, fix_cpu)
    if problem is not None:
        return f"{problem.setting} {problem.value}: no event loop in {mode} mode, served inline"
    chosen = [(s, v) for s, v in (("fix_cpu", fix_cpu), ("fix_blocking", fix_blocking))]
    on = [(s, v) for s, v in chosen if v != "inline"]
    if not on:
        return None
    return "; ".join(f"{v}: {TRADES[(s, v)]}" for s, v in on)
