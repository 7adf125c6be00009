"""Write the README screenshots: one SVG per named state (and theme) into screenshots/.

    python scripts/screenshots.py            # every state
    python scripts/screenshots.py sync-stall # just some
    python scripts/screenshots.py --png      # also PNGs (needs rsvg-convert), to look at them
    python scripts/screenshots.py race       # two real kitchens racing three-tables

Each state replays a recorded kitchen trace at a fixed instant (tests/ui/states.py), so the
pictures are real kitchens and come out the same on every run.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.ui.states import STATES, build  # noqa: E402

OUT = ROOT / "screenshots"
RACE = "race"
RACE_SIZE = (120, 36)
RACE_TIMEOUT_S = 20.0


async def shoot_race() -> Path:
    """A real race: sync vs async kitchens serving three-tables, shot once both are done."""
    from kitchen_tui.talk.scenario import load_scenario
    from kitchen_tui.ui.race import RaceApp

    scenario = load_scenario("three-tables")
    app = RaceApp(scenario, ("sync", "async"))
    async with app.run_test(size=RACE_SIZE) as pilot:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + RACE_TIMEOUT_S
        wanted = len(scenario.orders)
        while any(r.scene.board.ledger.served < wanted for r in app.racers):
            if loop.time() > deadline:
                raise SystemExit("the race did not finish in time")
            await pilot.pause(0.1)
        await pilot.pause(0.3)
        svg = app.export_screenshot(title="Kitchen TUI: race, sync vs async")
    path = OUT / f"{RACE}.svg"
    path.write_text(svg, encoding="utf-8")
    return path


async def shoot(name: str) -> Path:
    app, run_before = build(name)
    size = STATES[name].size
    async with app.run_test(size=size) as pilot:
        await run_before(pilot)
        svg = app.export_screenshot(title=f"Kitchen TUI: {name}")
    path = OUT / f"{name}.svg"
    path.write_text(svg, encoding="utf-8")
    return path


def to_png(svg: Path) -> Path:
    """rsvg-convert lacks the SVG's web font and drops leading spaces: patch a copy for it."""
    text = svg.read_text(encoding="utf-8")
    text = text.replace('"Fira Code"', '"DejaVu Sans Mono"')
    text = re.sub("&#160;", "&#x2800;", text)
    patched = svg.with_suffix(".for-png.svg")
    patched.write_text(text, encoding="utf-8")
    png = svg.with_suffix(".png")
    subprocess.run(["rsvg-convert", str(patched), "-o", str(png)], check=True)
    patched.unlink()
    return png


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="states to shoot (default: all)")
    parser.add_argument("--png", action="store_true", help="also write PNGs with rsvg-convert")
    args = parser.parse_args()
    names = args.names or [*STATES, RACE]
    unknown = [n for n in names if n not in STATES and n != RACE]
    if unknown:
        parser.error(f"unknown state {unknown[0]!r}; known: {', '.join(STATES)}")
    if args.png and shutil.which("rsvg-convert") is None:
        parser.error("--png needs rsvg-convert (apt-get install librsvg2-bin)")
    OUT.mkdir(exist_ok=True)
    for name in names:
        svg = asyncio.run(shoot_race() if name == RACE else shoot(name))
        print(svg.relative_to(ROOT))
        if args.png:
            print(to_png(svg).relative_to(ROOT))


if __name__ == "__main__":
    main()
