"""Customers the kitchen lost, as the stream tells it: who walked out, what the deadline cut
off, how late its cancel landed, and the seconds of work done for nobody."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kitchen_tui.protocol.events import TimedOutEvent, UneatenEvent, WalkedOutEvent

if TYPE_CHECKING:
    from kitchen_tui.stream.tickets import Ticket


class GivingUpAccount:
    """Walk-outs, timeouts and wasted work: the ledger feeds it their events."""

    def __init__(self) -> None:
        self.walked_out = 0  # customers who left before their answer (whatever came of it)
        self.uneaten = 0  # answers written to a customer who had left
        self.timed_out = 0  # tickets the deadline ended
        self.wasted_s = 0.0  # story seconds of steps run after nobody waited for them
        self.threads_ran_on = 0  # timed out on a thread that could not be stopped
        self.longest_overrun_s = 0.0  # the longest a cancel was pending past its deadline
        self.by_where: dict[str, int] = {}  # timeouts by where the ticket was
        self.by_how: dict[str, int] = {}  # cancelled, killed (a sync worker), ran_on

    def on_walked_out(self, e: WalkedOutEvent, ticket: Ticket | None) -> None:
        self.walked_out += 1
        if ticket is not None:
            ticket.walked_out_t = e["t"]

    def on_uneaten(self, e: UneatenEvent, ticket: Ticket) -> None:
        self.uneaten += 1
        self.wasted_s += e["wasted_s"]
        ticket.wasted_s = e["wasted_s"]
        ticket.error = f"its customer left; the {e['response']} answer went to nobody"

    def on_timed_out(self, e: TimedOutEvent, ticket: Ticket) -> None:
        self.timed_out += 1
        self.wasted_s += e["wasted_s"]
        self.longest_overrun_s = max(self.longest_overrun_s, e["overrun_s"])
        self.by_where[e["where"]] = self.by_where.get(e["where"], 0) + 1
        self.by_how[e["how"]] = self.by_how.get(e["how"], 0) + 1
        self.threads_ran_on += e["how"] == "ran_on"
        ticket.wasted_s = e["wasted_s"]
        ticket.overrun_s = e["overrun_s"]
        ticket.error = _why(e)

    def summary(self) -> dict[str, object]:
        return {
            "walked_out": self.walked_out,
            "uneaten": self.uneaten,
            "timed_out": self.timed_out,
            "wasted_s": self.wasted_s,
            "threads_ran_on": self.threads_ran_on,
            "longest_overrun_s": self.longest_overrun_s,
            "timed_out_at": dict(self.by_where),
            "timed_out_how": dict(self.by_how),
        }


def _why(e: TimedOutEvent) -> str:
    """One line: how the deadline ended the ticket, and how long its cancel was pending."""
    where = "at the front desk" if e["where"] == "desk" else f"at {e['where']}"
    how = {
        "cancelled": f"cancelled {where}",
        "killed": "its worker killed (gunicorn --timeout)",
        "ran_on": "its thread could not be stopped and ran on; the answer was thrown away",
    }[e["how"]]
    pending = e["overrun_s"]
    late = f", {pending:.3f} s past the deadline" if pending >= 0.0005 else ""
    return f"{how}{late}"
