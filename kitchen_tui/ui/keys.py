"""Every key the kitchen answers to, in one table: bindings, footer, help and palette use it."""

from __future__ import annotations

from dataclasses import dataclass

from kitchen_tui.talk.catalog import BUILTIN_SCENARIOS
from kitchen_tui.ui.dishes import DISH_WORDS, RUSH_SIZE


@dataclass(frozen=True)
class Key:
    """One key: Textual's name for it, how we print it, its action, a title and one line of help."""

    key: str
    shown: str
    action: str
    title: str
    help: str
    footer: str = ""  # a short label puts the key in the footer
    need: int = 0  # how much the footer needs it, 0 most: see KITCHEN_FOOTER


@dataclass(frozen=True)
class Hint:
    """One footer entry: the key or keys as printed, a short label, and how much it is needed
    (0 most). A short line drops the least needed first; the rest keep their places."""

    keys: str
    label: str
    need: int = 0


ORDER_KEYS = (
    *(Key(d.key, d.key, f"order('{d.dish}')", d.title, d.help, d.footer) for d in DISH_WORDS),
    Key("r", "r", "rush", "Rush", f"rush: {RUSH_SIZE} chat messages at once"),
)

KITCHEN_KEYS = (
    Key("m", "m", "cycle_mode", "Mode", "mode: sync, threads, async", "Mode"),
    Key("p", "p", "toggle_shelf", "Prep shelf", "prep shelf on / off (CPU to workers)", "Shelf"),
    Key(
        "B",
        "B",
        "cycle_remedy('fix_blocking')",
        "Blocking fix",
        "fix a blocking call: inline, to_thread, await",
    ),
    Key(
        "P",
        "P",
        "cycle_remedy('fix_cpu')",
        "CPU fix",
        "fix CPU: inline, checkpoints, to_thread, shelf, job",
    ),
    Key("plus", "+", "speed(1)", "Faster", "faster story clock (up to 10x)"),
    Key("minus", "-", "speed(-1)", "Slower", "slower story clock (down to 0.1x)"),
    Key("x", "x", "reset", "Reset", "reset (talk: the scene again; replay: rewind)"),
    Key("w", "w", "workers(1)", "Add worker", "one more worker process (uvicorn --workers N)"),
    Key(
        "W",
        "W",
        "workers(-1)",
        "Remove worker",
        "one worker fewer: it serves its tickets, then goes",
    ),
)

STREAM_KEYS = (
    Key("l", "l", "stream", "Stream", "start a steady stream of customers / stop it", "Stream", 3),
    Key(
        "greater_than_sign", ">", "stream_rate(1)", "Rate up", "more customers a second", "Rate", 3
    ),
    Key("less_than_sign", "<", "stream_rate(-1)", "Rate down", "fewer customers a second"),
    Key("L", "L", "stream_mix", "Stream dish", "the stream's next dish or mix", "Dish", 3),
    Key("g", "g", "toggle_queueing", "Queueing", "queueing figures and chart: show / hide"),
)

SCENARIO_KEYS = tuple(
    Key(str(k), str(k), f"scenario({k})", f"Scenario {k}", "orders of " + name.replace("-", " "))
    for k, name in enumerate(BUILTIN_SCENARIOS, start=1)
)

SCREEN_KEYS = (
    Key("t", "t", "next_theme", "Theme", "next colour theme"),
    Key(
        "space",
        "space",
        "freeze",
        "Freeze / go on",
        "freeze the picture (kitchen runs on); in a talk, first goes on from a pause",
    ),
    Key("ctrl+s", "ctrl+s", "snapshot", "Screenshot", "save a screenshot (SVG)"),
    Key("question_mark", "?", "help", "Help", "this help", "Help", need=1),
    Key("q", "q", "quit", "Quit", "quit, or ctrl+c (stops the kitchen too)", "Quit", need=2),
)
# ctrl+c quits too, as in any terminal program (Textual's default only says to press ctrl+q):
# bound beside q, not a row of its own, so the key overlay and the palette show q for quit.
QUIT_TOO = "ctrl+c"

TALK_KEYS = (
    Key("n", "n", "next_scene", "Next scene", "talk: jump to the next scene"),
    Key("C", "C", "toggle_captions", "Captions", "talk: captions on / off"),
    Key("k", "k", "toggle_keys", "Key overlay", "show the last keys pressed and what they did"),
)

TALK_ONLY = TALK_KEYS[:2]  # n and C mean nothing without a talk; k shows any kitchen's keys

ALL_KEYS = ORDER_KEYS + KITCHEN_KEYS + STREAM_KEYS + SCENARIO_KEYS + SCREEN_KEYS + TALK_KEYS

# A talk's footer: the keys a speaker presses on stage, most needed first (the line keeps as
# many as fit; ? lists the rest).
TALK_FOOTER = tuple(
    Hint(keys, label, need)
    for need, (keys, label) in enumerate(
        (
            ("space", "Go on"),
            ("n", "Next"),
            ("x", "Again"),
            ("C", "Captions"),
            ("+ -", "Pace"),
            ("k", "Keys"),
            ("?", "Help"),
            ("q", "Quit"),
        )
    )
)
# A kitchen's footer: the problems (order keys) and their fixes (m, p, B and P, the two remedy
# keys sharing one entry) first; then help, which lists every key; then quit, which q and
# ctrl+c do in every terminal program anyway; the stream's keys last, the first to give way.
# At 80 columns all but quit and the stream's fit.
REMEDY_HINT = Hint("B/P", "Fix")
KITCHEN_FOOTER = (
    *(Hint(k.shown, k.footer, k.need) for k in ORDER_KEYS + KITCHEN_KEYS if k.footer),
    REMEDY_HINT,
    *(Hint(k.shown, k.footer, k.need) for k in SCENARIO_KEYS + SCREEN_KEYS + TALK_KEYS if k.footer),
    *(Hint(k.shown, k.footer, k.need) for k in STREAM_KEYS if k.footer),
)
KEY_BY_ACTION: dict[str, Key] = {key.action: key for key in ALL_KEYS}
# What a terminal sends for a key, for the recording's input events.
_TYPED = {
    "space": " ",
    "plus": "+",
    "minus": "-",
    "question_mark": "?",
    "greater_than_sign": ">",
    "less_than_sign": "<",
}


def typed(key: Key) -> str:
    """The characters a terminal sends for `key` (ctrl keys as their control code)."""
    if key.key.startswith("ctrl+") and len(key.key) == 6:
        return chr(ord(key.key[-1]) - ord("a") + 1)
    return _TYPED.get(key.key, key.key)
