"""Scene files: a scenario plus a timed script, cut into scenes, for talks and demos.

A scene file is a scenario TOML file (every scenario key works) with a `[[script]]` array. Each
step happens `at` story seconds after the start of the file and does exactly one thing::

    title = "Three tables"
    mode = "sync"

    [[script]]
    at = 0.0
    marker = "Sync: one cook"   # starts a scene; the script starts with one
    [[script]]
    at = 0.2
    caption = "One cook finishes each order before starting the next."
    [[script]]
    at = 0.5
    action = "order"            # order | mode | fix_blocking | fix_cpu | prep_shelf | speed
    dish = "llm"                # order: dish, and optionally id, count, every
    [[script]]
    at = 3.0
    action = "mode"             # mode: mode = "sync" | "threads" | "async"
    mode = "async"              # fix_blocking: fix_blocking = "to_thread"; fix_cpu: fix_cpu =
                                # "job"; prep_shelf: on = true | false; speed: speed = 0.1..10;
                                # pause; reset
    [[script]]
    at = 3.1
    action = "pause"            # the script waits here until the speaker continues

Steps are in time order (steps at the same time keep their file order). A scene is a marker and
the steps up to the next marker; each scene should set the kitchen up itself (reset, mode, prep
shelf) so that it can be restarted or jumped to. Errors are one line naming the file and the
place, with 0-based indexes: `talk.toml: script[3].action: unknown action 'ordr' (...)`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, get_args

from kitchen_tui.errors import UsageError
from kitchen_tui.protocol.settings import BLOCKING_FIXES, CPU_FIXES, MAX_SPEED, MIN_SPEED, MODES
from kitchen_tui.talk import script
from kitchen_tui.talk.catalog import BUILTIN_SCENES
from kitchen_tui.talk.load import MAX_REAL_RATE_PER_S, check_mix, check_rate
from kitchen_tui.talk.scenario import MAX_AT_SECONDS, ScenarioChecker, full_menu
from kitchen_tui.talk.toml_checker import MAX_LABEL
from kitchen_tui.talk.tomlfile import did_you_mean, load_toml, parse_toml

ActionName = Literal[
    "order",
    "mode",
    "fix_blocking",
    "fix_cpu",
    "prep_shelf",
    "speed",
    "stream",
    "chart",
    "pause",
    "reset",
]
ACTIONS: tuple[ActionName, ...] = get_args(ActionName)
CHARTS: tuple[Literal["live", "capacity"], ...] = ("live", "capacity")
MAX_CAPTION = 120  # one line under the kitchen on an 80-column screen, with room to wrap once
MAX_SCRIPT_STEPS = 1000
MAX_ORDER_COUNT = 1000  # orders one step may send: a scene is a demo, not a load test

_ACTION_KEYS: dict[ActionName, tuple[str, ...]] = {
    "order": ("dish", "id", "count", "every"),
    "mode": ("mode",),
    "fix_blocking": ("fix_blocking",),
    "fix_cpu": ("fix_cpu",),
    "prep_shelf": ("on",),
    "speed": ("speed",),
    "stream": ("rate", "mix"),
    "chart": ("chart",),
    "pause": (),
    "reset": (),
}
_REQUIRED_KEYS = ("dish", "mode", "fix_blocking", "fix_cpu", "on", "speed", "rate", "chart")


def load_scene_file(name_or_path: str) -> script.SceneFile:
    """A built-in by name (it wins over a file of the same name: use `./name`), or a TOML file."""
    doc, source = load_toml(name_or_path, kind="scene", builtins=BUILTIN_SCENES, folder="scenes")
    return _scene_file(doc, source)


def parse_scene_file(text: str, source: str) -> script.SceneFile:
    """Parse and check a scene file; `source` names the file in errors and gives the name."""
    return _scene_file(parse_toml(text, source), source)


def _scene_file(doc: dict[str, Any], source: str) -> script.SceneFile:
    parser = ScriptChecker(source)
    scenario = parser.scenario(doc, Path(source).stem, extra_keys=("script",))
    steps = parser.steps(doc.get("script"), tuple(full_menu(scenario)))
    script.check_script_remedies(source, steps, scenario.settings)
    return script.SceneFile(scenario, script.cut_into_scenes(steps, scenario.settings))


class ScriptChecker(ScenarioChecker):
    """Checks a scene file: its scenario keys, then its [[script]]; the value checks are the
    scenario checker's own, so both formats word their errors alike."""

    def steps(self, value: object, menu: tuple[str, ...]) -> list[script.ScriptStep]:
        if value is None:
            raise self.fail("script", "missing: a scene file needs [[script]] steps")
        blocks = self.array(value, "script", "an array of tables ([[script]])")
        if not 1 <= len(blocks) <= MAX_SCRIPT_STEPS:
            raise self.fail("script", f"expected 1 to {MAX_SCRIPT_STEPS} steps, got {len(blocks)}")
        steps: list[script.ScriptStep] = []
        for index, block in enumerate(blocks):
            step = self.script_step(block, index, menu)
            self.check_order(step, steps[-1] if steps else None)
            steps.append(step)
        return steps

    def check_order(self, step: script.ScriptStep, previous: script.ScriptStep | None) -> None:
        path = f"script[{step.index}]"
        if previous is None and not isinstance(step, script.Marker):
            raise self.fail(path, "the script must start with a marker (the first scene's title)")
        if previous is None or step.at >= previous.at:
            return
        before = f"comes before the previous step at {previous.at:g} s"
        if isinstance(step, script.Marker):
            raise self.fail(f"{path}.marker", f"marker {step.label!r} at {step.at:g} s {before}")
        raise self.fail(f"{path}.at", f"{step.at:g} s {before}; keep steps in time order")

    def script_step(self, value: object, index: int, menu: tuple[str, ...]) -> script.ScriptStep:
        path = f"script[{index}]"
        table = self.table(value, path, "a table ([[script]])")
        what = [key for key in ("marker", "caption", "action") if key in table]
        if len(what) != 1:
            found = f"got {' and '.join(what)}" if what else "got none"
            raise self.fail(path, f"a step needs exactly one of marker, caption, action ({found})")
        if "at" not in table:
            raise self.fail(path + ".at", "missing: every step needs a time (seconds)")
        at = self.number(table, "at", path + ".", 0, MAX_AT_SECONDS, 0.0)
        if what[0] == "action":
            return self.action(table, path, at, index, menu)
        self.check_keys(table, path + ".", ("at", what[0]))
        if what[0] == "marker":
            return script.Marker(
                at=at, index=index, label=self.words(table, "marker", path, MAX_LABEL)
            )
        return script.Caption(
            at=at, index=index, text=self.words(table, "caption", path, MAX_CAPTION)
        )

    def words(self, table: dict[str, object], key: str, path: str, limit: int) -> str:
        value = table[key]
        if isinstance(value, str) and not value.strip():
            raise self.fail(f"{path}.{key}", f"a {key} needs text")
        return self.text(table, key, path + ".", "", limit=limit)

    def action(
        self, table: dict[str, object], path: str, at: float, index: int, menu: tuple[str, ...]
    ) -> script.ScriptStep:
        name = self.action_name(table["action"], path + ".action")
        self.check_keys(table, path + ".", ("at", "action", *_ACTION_KEYS[name]))
        for key in _ACTION_KEYS[name]:
            if key not in table and key in _REQUIRED_KEYS:
                raise self.fail(f"{path}.{key}", f"missing: a {name} action needs {key}")
        where = path + "."
        if name == "order":
            return self.order(table, path, at, index, menu)
        if name == "mode":
            return script.ModeAction(
                at=at, index=index, mode=self.choice(table["mode"], where + "mode", MODES)
            )
        if name == "fix_blocking":
            fix: str = self.fix(table, name, where, BLOCKING_FIXES)
            return script.RemedyAction(at=at, index=index, setting=name, value=fix)
        if name == "fix_cpu":
            fix = self.fix(table, name, where, CPU_FIXES)
            return script.RemedyAction(at=at, index=index, setting=name, value=fix)
        if name == "prep_shelf":
            return script.PrepShelfAction(
                at=at, index=index, on=self.boolean(table, "on", where, False)
            )
        if name == "speed":
            speed = self.number(table, "speed", where, MIN_SPEED, MAX_SPEED, 1.0)
            return script.SpeedAction(at=at, index=index, speed=speed)
        if name == "stream":
            return self.stream(table, where, at, index, menu)
        if name == "chart":
            chart = self.choice(table["chart"], where + "chart", CHARTS)
            return script.ChartAction(at=at, index=index, chart=chart)
        if name == "pause":
            return script.PauseAction(at=at, index=index)
        return script.ResetAction(at=at, index=index)

    def stream(
        self, table: dict[str, object], where: str, at: float, index: int, menu: tuple[str, ...]
    ) -> script.StreamAction:
        """A stream step: a rate of 0 (stop) up to what the machine stamps on time."""
        rate = self.number(table, "rate", where, 0, MAX_REAL_RATE_PER_S, 0.0)
        if rate > 0:
            try:
                check_rate(rate, MAX_SPEED)
            except UsageError as error:
                raise self.fail(where + "rate", str(error).removeprefix("rate: ")) from None
        mix_table = self.table(table.get("mix", {"message": 1}), where + "mix", "dish = weight")
        mix = {
            dish: self.integer(mix_table, dish, where + "mix.", 1, 1_000_000, 1)
            for dish in mix_table
        }
        try:
            check_mix(mix, menu, where + "mix")
        except UsageError as error:
            raise self.fail(where + "mix", str(error).split(": ", 1)[-1]) from None
        return script.StreamAction(at=at, index=index, rate=rate, mix=mix)

    def action_name(self, value: object, path: str) -> ActionName:
        for name in ACTIONS:  # returns the Literal itself, so no cast is needed
            if value == name:
                return name
        shown = repr(value) if isinstance(value, str) else "a non-string"
        hint = did_you_mean(value, ACTIONS) if isinstance(value, str) else ""
        raise self.fail(
            path, f"unknown action {shown} (expected one of {', '.join(ACTIONS)}){hint}"
        )

    def order(
        self, table: dict[str, object], path: str, at: float, index: int, menu: tuple[str, ...]
    ) -> script.OrderAction:
        dish = self.order_dish(table, path, menu)
        order_id = self.name(table["id"], path + ".id", "an order id") if "id" in table else None
        count = self.integer(table, "count", path + ".", 1, MAX_ORDER_COUNT, 1)
        every = self.number(table, "every", path + ".", 0, MAX_AT_SECONDS, 0.0)
        return script.OrderAction(
            at=at, index=index, dish=dish, id=order_id, count=count, every=every
        )
