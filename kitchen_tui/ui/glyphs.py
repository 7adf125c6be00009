"""How tickets and timeline parts look: a colour (a theme variable) plus a shape or letter.

Every state has a second cue besides its colour, so a colour-blind viewer, a grey-scale print
or a washed-out projector still tells a queued ticket from one that holds the loop.
"""

from __future__ import annotations

from dataclasses import dataclass

from kitchen_tui.stream.tickets import PART_NAMES, PARTS, Part, TicketState


@dataclass(frozen=True)
class Look:
    """A ticket state or a timeline part as drawn: a letter or glyph, and its style's name."""

    glyph: str
    ascii: str
    name: str  # the suffix of its component class and theme variable
    caption: str


STATE_LOOKS: dict[str, Look] = {
    "front_desk": Look("Q", "Q", "queued", "queued at the front desk"),
    "seated": Look("R", "R", "ready", "ready, waiting for the cook (or the loop)"),
    "cook": Look("C", "C", "cook", "on a cook: its thread does nothing else"),
    "loop": Look("!", "!", "loop", "holding the event loop: nothing else runs"),
    # A broken "!": it holds the loop one short slice at a time, and lets go between slices.
    "slices": Look("¦", ":", "slices", "computing in slices; the loop is free between"),
    "rail": Look("~", "~", "rail", "on the rail: awaiting I/O, the loop is free"),
    # A cook's colour: a worker thread is busy with it as a cook thread would be. Its CPU work
    # takes the GIL from the loop for most of each switch interval; a blocking call does not.
    "thread": Look("T", "T", "cook", "on a to_thread worker; the loop runs on"),
    "shelf": Look("P", "P", "shelf", "on the prep shelf, in a worker process"),
    "served": Look("✓", "+", "served", "served"),
    "failed": Look("✗", "x", "failed", "failed (a step raised, or a reset)"),
    "refused": Look("86", "86", "refused", "86'd: the front desk was full"),
    # Giving up: the colours of failed and 86'd, told apart by their letters.
    "timed_out": Look("T/O", "T/O", "failed", "timed out: the server's deadline ended it"),
    "uneaten": Look("W/O", "W/O", "refused", "walked out: the answer went to nobody"),
}
GIVING_UP_STATES = ("timed_out", "uneaten")
# What an open ticket's chip says instead of its dish, when nobody waits for it any more.
WALKED_OUT_NOTE = "for nobody"  # its customer left; the kitchen cooks on, it cannot tell
CANCEL_PENDING_NOTE = "cancel pending"  # its deadline passed; a step holds the cancel back
RUNS_ON_NOTE = "thread runs on"  # its deadline passed on a thread, which cannot be stopped
TOKEN_NOTE = "no token"  # its to_thread call waits for one of the limiter's 40 tokens

PART_LOOKS: dict[Part, Look] = {
    "front_desk": Look("░", ".", "front-desk", PART_NAMES["front_desk"][0]),
    "ready": Look("▒", ":", "ready", PART_NAMES["ready"][0]),
    "cook": Look("█", "#", "cook", PART_NAMES["cook"][0]),
    "rail": Look("─", "~", "rail", PART_NAMES["rail"][0]),
    "shelf": Look("▓", "=", "shelf", PART_NAMES["shelf"][0]),
}
assert tuple(PART_LOOKS) == PARTS

# What each stall alarm level (protocol.events.stall_level) reads on screen.
ALARM_CAPTIONS = ("", "> 50 ms", "> 250 ms", "> 1 s")
# What each level means to the people waiting (the help page's legend says it).
ALARM_MEANINGS = (
    "",
    "a stall a user starts to notice",
    "a stall that feels slow",
    "a stall that feels broken",
)


def state_look(state: TicketState | str) -> Look:
    return STATE_LOOKS.get(state, STATE_LOOKS["seated"])


def counted(count: int, noun: str) -> str:
    """A count and its noun, singular for one: 1 worker, 2 workers."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def seconds_text(seconds: float | None) -> str:
    """A duration in a fixed-ish width: 0.05s, 1.23s, 12.3s, 123s."""
    if seconds is None:
        return "-"
    seconds = max(0.0, seconds)
    if seconds < 10:
        return f"{seconds:.2f}s"
    if seconds < 100:
        return f"{seconds:.1f}s"
    return f"{seconds:.0f}s"


def age_text(seconds: float) -> str:
    """A live, growing age: tenths are enough to see it move, and redraw 10 times a second."""
    seconds = max(0.0, seconds)
    tenths = int(seconds * 10) / 10  # truncated, so it never shows a time not yet reached
    return f"{tenths:.1f}s" if tenths < 100 else f"{tenths:.0f}s"


LIVE_HZ = 10  # how often a live age can change on screen


def ms_text(seconds: float) -> str:
    """Short durations read better in milliseconds: 50 ms, 1.00 s, 11.4 s, 125 s (never wider
    than six cells, so a panel's label beside it is not cut)."""
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds:.{2 if seconds < 10 else 1 if seconds < 100 else 0}f} s"


ALL_STYLE_NAMES: tuple[str, ...] = tuple(dict.fromkeys(look.name for look in STATE_LOOKS.values()))
