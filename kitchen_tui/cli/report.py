"""`kitchen-tui report`: serve a scenario for real, headless, and print what each order met."""

from __future__ import annotations

import argparse
import json
import os
import sys

from rich.console import Console
from rich.table import Table

from kitchen_tui.cli.options import scenario_and_settings
from kitchen_tui.cli.run_files import claim_outputs
from kitchen_tui.cli.talk_options import trace_path
from kitchen_tui.errors import UsageError
from kitchen_tui.stream.headless import OrderResult, RunResult, run_scenario
from kitchen_tui.stream.ledger import PART_NAMES, PARTS

UNWRAPPED_WIDTH = 1_000  # wider than any report line: the table keeps its own width
PART_TITLES = {part: short for part, (_long, short) in PART_NAMES.items()}


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
        "settings": result.settings.to_json(),
        "orders": [_order_json(order) for order in result.orders],
        "summary": result.summary(),
    }


def _order_json(order: OrderResult) -> dict[str, object]:
    ticket = order.ticket
    return {
        "id": order.id,
        "dish": order.dish,
        "outcome": order.outcome,
        "arrived_s": order.arrived_s,
        "served_s": order.served_s,
        "latency_s": order.latency_s,
        "predicted_s": order.predicted.latency,
        "predicted_outcome": _predicted_outcome(order),
        "split": ticket.split if ticket else {},
        "error": ticket.error if ticket else None,
    }


def _predicted_outcome(order: OrderResult) -> str:
    if order.predicted.refused:
        return "refused"
    return "failed" if order.predicted.failed else "served"


def print_report(result: RunResult, console: Console) -> None:
    settings = result.settings
    shelf = f"prep shelf {settings.shelf_workers}" if settings.prep_shelf else "no prep shelf"
    cooks = f", {settings.cooks} cooks" if settings.mode == "threads" else ""
    console.print(
        f"[b]{result.scenario.title}[/b]  {settings.mode}{cooks}, {shelf}, "
        f"{result.backend}, speed {settings.speed:g}  (seconds are story seconds)"
    )
    table = _orders_table(result)
    unbounded = console.options.update_width(UNWRAPPED_WIDTH)
    if console.measure(table, options=unbounded).maximum > console.width:
        table.padding = (0, 1, 0, 0)  # one space between columns, so 80 columns fit it whole
    console.print(table)
    for note in _notes(result):
        console.print(note, markup=False, highlight=False)
    console.print(_summary_line(result))


def _orders_table(result: RunResult) -> Table:
    table = Table(box=None, header_style="bold", pad_edge=False)
    for title in ("order", "dish", "arrived", "served", "latency", "model", *PART_TITLES.values()):
        table.add_column(title, justify="left" if title in ("order", "dish") else "right")
    for order in result.orders:
        table.add_row(*_order_cells(order))
    return table


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
    return "86'd" if order.outcome == "refused" else order.outcome


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
    return notes + _stream_notes(result)


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
    return (
        f"served {s['served']}, failed {s['failed']}, 86'd {s['refused']}   "
        f"p50 {_seconds(s['p50_s'])}  p95 {_seconds(s['p95_s'])}  max {_seconds(s['max_s'])}   "
        f"stalls {_seconds(s['stall_s'])}  longest {_seconds(s['longest_stall_s'])}   "
        f"wall {_seconds(s['wall_s'])}"
    )


def _seconds(value: object) -> str:
    return f"{value:.3f}" if isinstance(value, float | int) else "-"
