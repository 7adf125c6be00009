"""`kitchen-tui` with no command: the live kitchen in the terminal."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from kitchen_tui.cli.options import scenario_and_settings
from kitchen_tui.cli.run_files import claim_outputs
from kitchen_tui.cli.talk_options import trace_path

if TYPE_CHECKING:
    from kitchen_tui.ui.app import KitchenApp


def build_app(options: argparse.Namespace) -> KitchenApp:
    """The app, its options checked (a UsageError of one line otherwise); not yet running."""
    from kitchen_tui.ui.app import SCREENSHOT_DIR, KitchenApp
    from kitchen_tui.ui.themes import resolve_theme

    scenario, settings = scenario_and_settings(options)
    resolve_theme(options.theme)  # a bad theme is a usage error before the screen changes
    trace = trace_path(options.trace)
    claim_outputs(options, [("--trace", trace)])
    app = KitchenApp(
        settings=settings,
        backend=options.backend,
        theme=options.theme,
        ascii=options.ascii,
        scenario=scenario,
        screenshot_dir=Path(options.screenshot_dir) if options.screenshot_dir else SCREENSHOT_DIR,
        still_formats=options.stills_format,
        trace=trace,
    )
    return app
