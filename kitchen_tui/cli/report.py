"""`kitchen-tui report`: serve a scenario for real, headless, and print what each order met."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys

from rich.console import Console
from rich.table import Table

from kitchen_tui.cli.options import scenario_and_settings
from kitchen_tui.cli.run_files import claim_outputs
from kitchen_tui.cli.talk_options import trace_path
from kitchen_tui.errors import UsageError
from kitchen_tui.outputs import stdout_writes
from kitchen_tui.protocol.menu import Dish
from kitchen_tui.protocol.settings import KitchenSettings
from kitchen_tui.stream.headless import OrderResult, RunResult, run_scenario
from kitchen_tui.stream.tickets import PART_NAMES, PARTS
from kitchen_tui.talk.scenario import full_menu
from kitchen_tui.ui.glyphs import counted

UNWRAPPED_WIDTH = 1_000  # wider than any report line: the table keeps its own width
PART_TITLES = {part: short for part, (_long, short) in PART_NAMES.items()}
OUTCOME_WORDS = {"refused": "86'd", "walked_out": "walked out", "timed_out": "timed out"}


def run_report(options: argparse.Namespace) -> int:
    scenario, settings = scenario_and_settings(options)
    if scenario is None:
        raise UsageError("report needs a scenario: --scenario NAME|FILE (try three-tables)")
    trace = trace_path(options.trace)
    claim_outputs(options, [("--trace", trace)])
    try:
        result = run_scenario(
            scenario, settings, backend=options.backend, trace=trace, keep_events=False
        )
    except RuntimeError as error:
        print(f"kitchen-tui: {error}", file=sys.stderr)
        return 1
    with stdout_writes():
        if options.json:
            print(json.dumps(report_json(result), indent=2))
        else:
            print_report(result, report_console())
    if result.missing():
        print(f"kitchen-tui: {_incomplete(result)}", file=sys.stderr)
        return 1
    return 0


def report_console() -> Console:
    """The terminal's width on a terminal; into a pipe or a file, whole lines (rich would
    squeeze the table into 80 columns and cut its headers)."""
    if sys.stdout.isatty() or "COLUMNS" in os.environ:
        return Console()
    return Console(width=UNWRAPPED_WIDTH)


def report_json(result: RunResult) -> dict[str, object]:
    return {
        "scenario": result.scenario.name,
        "title": result.scenario.title,
        "backend": result.backend,
        "settings": result.settings.served_json(),
        "orders": [_order_json(order, full_menu(result.scenario)) for order in result.orders],
        "summary": result.summary(),
        # With several workers, each death and the tickets it cost, as the banner says.
        "deaths": [
            {"worker": worker, **dataclasses.asdict(death)}
            for worker, death in result.ledger.pool.deaths
        ],
    }


def _order_json(order: OrderResult, menu: dict[str, Dish]) -> dict[str, object]:
    ticket = order.ticket
    return {
        "id": order.id,
        "dish": order.dish,
        "outcome": order.outcome,
        "arrived_s": order.arrived_s,
        "served_s": order.served_s,
        "latency_s": order.latency_s,
        "predicted_s": order.predicted.latency,
        "worker": ticket.worker if ticket else None,
        "fix_blocking": ticket.fix_blocking if ticket else None,
        "fix_cpu": ticket.fix_cpu if ticket else None,
        "remedy": served_by(order, menu),  # the table's column: what served its problem steps
        "job_latency_s": order.job_latency_s,
        "predicted_job_s": order.predicted.job_latency,
        "predicted_outcome": order.predicted.outcome,
        "split": ticket.split if ticket else {},
        "error": ticket.error if ticket else None,
        "wasted_s": ticket.wasted_s if ticket else None,
        "predicted_wasted_s": order.predicted.wasted,
    }


def print_report(result: RunResult, console: Console) -> None:
    settings = result.settings
    shelf = f"prep shelf {settings.shelf_workers}" if settings.uses_shelf else "no prep shelf"
    cooks = f", {settings.cooks} cooks" if settings.mode == "threads" else ""
    workers = f", {counted(settings.workers, 'worker')}" if settings.workers > 1 else ""
    console.print(
        f"[b]{result.scenario.title}[/b]  {settings.mode}{cooks}{workers},"
        f" {_remedies(settings)}{shelf}, "
        f"{result.backend}, speed {settings.speed:g}  (seconds are story seconds)"
    )
    table = _orders_table(result)
    unbounded = console.options.update_width(UNWRAPPED_WIDTH)
    if console.measure(table, options=unbounded).maximum > console.width:
        table.padding = (0, 1, 0, 0)  # one space between columns, so 80 columns fit it whole
    console.print(table)
    for note in [*_notes(result), *remedy_lines(result)]:
        console.print(note, markup=False, highlight=False)
    console.print(_summary_line(result))


def _orders_table(result: RunResult) -> Table:
    table = Table(box=None, header_style="bold", pad_edge=False)
    titles = ["order", "dish", "arrived", "served", "latency", "model", *PART_TITLES.values()]
    remedied = _remedied(result)
    jobs = any(order.predicted.job_done is not None for order in result.orders)
    titles += ["remedy"] * remedied + ["job", "job model"] * jobs
    pooled = result.settings.workers > 1
    titles += ["worker"] * pooled
    for title in titles:
        table.add_column(title, justify="left" if title in ("order", "dish", "remedy") else "right")
    menu = full_menu(result.scenario)
    for order in result.orders:
        cells = _order_cells(order)
        cells += [""] * (len(PART_TITLES) + 6 - len(cells))
        if remedied:
            cells.append(served_by(order, menu))
        if jobs:
            cells += [_seconds(order.job_latency_s), _seconds(order.predicted.job_latency)]
        if pooled:
            worker = order.ticket.worker if order.ticket else None
            cells.append("-" if worker is None else str(worker))
        table.add_row(*cells)
    return table


def _remedies(settings: KitchenSettings) -> str:
    """The remedies in the report's first line, when any is on."""
    fixes = [f"fix_blocking {settings.fix_blocking}"] * (settings.fix_blocking != "inline")
    fixes += [f"fix_cpu {settings.fix_cpu}"] * (settings.fix_cpu not in ("inline", "prep_shelf"))
    return "".join(f"{fix}, " for fix in fixes)


def _remedied(result: RunResult) -> bool:
    settings = result.settings
    return settings.fix_blocking != "inline" or settings.fix_cpu not in ("inline", "prep_shelf")


def served_by(order: OrderResult, menu: dict[str, Dish]) -> str:
    """The remedies that served the order's problem steps (its blocking calls, its CPU)."""
    ticket, dish = order.ticket, menu.get(order.dish)
    if ticket is None or dish is None:
        return "-"
    kinds = {step.kind for step in dish.steps}
    fixes = [ticket.fix_blocking] * ("blocking" in kinds) + [ticket.fix_cpu] * ("cpu" in kinds)
    return ",".join(dict.fromkeys(fixes)) or "-"


def remedy_lines(result: RunResult) -> list[str]:
    """One line for each remedy at work in the run: what it cost, measured."""
    account, speed = result.ledger.remedies, result.settings.speed
    lines = []
    if account.thread_waits:
        wait = max(account.thread_waits) * speed
        gil = ""
        if account.gil_shares:
            gil = f"; a computing thread got as little as {min(account.gil_shares):.0%} of the GIL"
        lines.append(
            f"to_thread: {counted(len(account.thread_waits), 'call')},"
            f" the longest waited {wait:.3f} s"
            f" for one of the limiter's tokens{gil}"
        )
    if account.sliced_steps:
        lines.append(
            f"checkpoints: {counted(account.slices, 'slice')}, the longest"
            f" {account.longest_slice_s * speed * 1000:.1f} ms; the longest gap between two"
            f" slices {account.longest_gap_s * speed * 1000:.1f} ms"
        )
    if account.jobs:
        done = [j.job_latency_s for j in account.jobs.values() if j.job_latency_s is not None]
        failed = len(account.jobs_in("failed"))
        lines.append(
            f"jobs: {len(account.jobs)} ({failed} failed), the longest done"
            f" {_seconds(max(done, default=None))} s after its order arrived"
        )
    return lines


def _order_cells(order: OrderResult) -> list[str]:
    """The row up to what the order has: a failed or 86'd order has no split."""
    ticket = order.ticket
    predicted = _seconds(order.predicted.latency) if not order.predicted.refused else "86'd"
    cells = [order.id, order.dish, _seconds(order.arrived_s)]
    if ticket is None or order.outcome != "served":
        return [*cells, _outcome(order), _seconds(order.latency_s), predicted]
    split = [_seconds(ticket.split.get(part)) for part in PARTS]
    return [*cells, _seconds(order.served_s), _seconds(order.latency_s), predicted, *split]


def _outcome(order: OrderResult) -> str:
    return OUTCOME_WORDS.get(order.outcome, order.outcome)


def _notes(result: RunResult) -> list[str]:
    """A line for each order that was not served: its error, or why it was 86'd."""
    notes = []
    for order in result.orders:
        ticket = order.ticket
        if order.outcome == "missing":
            notes.append(f"{order.id} missing: its outcome never reached the report")
        elif order.outcome != "served":
            why = ticket.error if ticket is not None and ticket.error else "no reason given"
            notes.append(f"{order.id} {_outcome(order)}: {why}")
    deaths = [death.words for _worker, death in result.ledger.pool.deaths]
    return notes + deaths + _stream_notes(result)


def _stream_notes(result: RunResult) -> list[str]:
    """What the stream left out: only step detail may be thinned, and no row needs it."""
    notes = []
    thinned = result.ledger.thinned
    if thinned:
        kinds = ", ".join(f"{count:,} {kind}" for kind, count in sorted(thinned.items()))
        notes.append(
            f"step detail thinned in the flood ({kinds}): every row is whole, from each"
            " order's own outcome; the loop stall counts the thinned stalls too"
        )
    if result.missing():
        notes.append(_incomplete(result))
    return notes


def _incomplete(result: RunResult) -> str:
    lost = {kind: count for kind, count in result.ledger.reconciler.lost.items() if count}
    counted = ", ".join(f"{count:,} {kind}" for kind, count in lost.items())
    why = f"the kitchen counted {counted} that never arrived" if lost else "the kitchen went idle"
    return f"incomplete: {len(result.missing()):,} orders without an outcome ({why})"


def _summary_line(result: RunResult) -> str:
    s = result.summary()
    lost = ""
    if s["walked_out"] or s["timed_out"]:
        lost = (
            f"walked out {s['walked_out']}, timed out {s['timed_out']},"
            f" wasted {_seconds(s['wasted_s'])} s   "
        )
    return (
        f"served {s['served']}, failed {s['failed']}, 86'd {s['refused']}   {lost}"
        f"p50 {_seconds(s['p50_s'])}  p95 {_seconds(s['p95_s'])}  max {_seconds(s['max_s'])}   "
        f"stalls {_seconds(s['stall_s'])}  longest {_seconds(s['longest_stall_s'])}   "
        f"wall {_seconds(s['wall_s'])}"
    )


def _seconds(value: object) -> str:
    return f"{value:.3f}" if isinstance(value, float | int) else "-"
