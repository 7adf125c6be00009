"""`python -m kitchen_tui` runs the same command line as `kitchen-tui`."""

from kitchen_tui.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
