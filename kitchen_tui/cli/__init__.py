"""The command line: `kitchen-tui` starts the app; `kitchen-tui report` runs a scenario headless."""

from __future__ import annotations

import sys

from kitchen_tui.cli.options import build_parser
from kitchen_tui.errors import UsageError


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    try:
        options = build_parser().parse_args(args)
        command = options.command or "app"
        if command == "report":
            from kitchen_tui.cli.report import run_report

            return run_report(options)
        from kitchen_tui.cli.app import run_app

        return run_app(options)
    except UsageError as error:
        print(f"kitchen-tui: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
