"""`kitchen-tui race`: one order stream, two kitchens, side by side."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from kitchen_tui.cli.options import check_backend, check_remedies, limit_changes
from kitchen_tui.cli.run_files import claim_outputs
from kitchen_tui.cli.talk_options import (
    parse_modes,
    parse_race_fixes,
    parse_race_workers,
    race_trace_paths,
)
from kitchen_tui.errors import UsageError
from kitchen_tui.protocol.settings import BLOCKING_FIXES, CPU_FIXES, KitchenSettings
from kitchen_tui.talk.scenario import load_scenario

if TYPE_CHECKING:
    from kitchen_tui.ui.race import RaceApp


def race_sides(
    options: argparse.Namespace, base: KitchenSettings, modes: tuple[str, str]
) -> tuple[KitchenSettings, KitchenSettings]:
    """Each kitchen's settings: the scenario's, with its mode and its remedies on top."""
    blocking = parse_race_fixes(options.fix_blocking, "--fix-blocking", BLOCKING_FIXES)
    cpu = parse_race_fixes(options.fix_cpu, "--fix-cpu", CPU_FIXES)
    workers = parse_race_workers(options.workers) or (base.workers, base.workers)
    sides = []
    limits = limit_changes(options)  # one patience and one deadline for both kitchens
    for mode, fix_blocking, fix_cpu, count in zip(modes, blocking, cpu, workers, strict=True):
        changes = {"mode": mode, "fix_blocking": fix_blocking, "fix_cpu": fix_cpu}
        changes = {k: v for k, v in changes.items() if v}
        sides.append(check_remedies(base.changed({**changes, **limits, "workers": count})))
    if sides[0] == sides[1]:
        # Two identical kitchens race to a tie the screen would present as a finding.
        raise UsageError(
            f"both kitchens of the race would be {modes[0]} with the same remedies: give them"
            " different --modes, --fix-blocking, --fix-cpu or --workers (e.g. --modes"
            " async,async --fix-cpu inline,prep_shelf)"
        )
    return sides[0], sides[1]


def build_race(options: argparse.Namespace) -> RaceApp:
    """The app, its options checked (a UsageError of one line otherwise); not yet running."""
    from kitchen_tui.ui.race import RaceApp, racer_names
    from kitchen_tui.ui.themes import resolve_theme

    modes = parse_modes(options.modes)
    check_backend(options.backend)
    scenario = load_scenario(options.scenario or "three-tables")
    sides = race_sides(options, scenario.settings, modes)
    resolve_theme(options.theme)
    traces = race_trace_paths(options.trace, racer_names(sides))
    claim_outputs(options, [("--trace", trace) for trace in traces])
    app = RaceApp(
        scenario,
        modes,
        sides=sides,
        backend=options.backend,
        theme=options.theme,
        ascii=options.ascii,
        traces=traces,
    )
    return app
