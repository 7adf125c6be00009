"""What the kitchen measured each step to take, fed back to the model to check it.

The model (stream/model.py) predicts latencies from nominal step lengths; a real kitchen's
steps run a little long. Tests replay the measured lengths through the model: what is left
between its latencies and the kitchen's is then the kitchen's own doing.
"""

from __future__ import annotations

from collections.abc import Mapping

from kitchen_tui.protocol.events import Event
from kitchen_tui.stream.model import loop_turns as measured_turns

__all__ = ["measured_durations", "measured_turns"]


def measured_durations(events: list[Event]) -> Mapping[str, list[float]]:
    """Each order's step durations as measured (story seconds), for the model to replay."""
    shared = _gil_shared_steps(events)
    # Waiting for a shelf worker or for a to_thread token: the model queues for them itself.
    queued = {
        (e["id"], e["i"]): e["waited_s"] for e in events if e["type"] in ("shelf_in", "thread_in")
    }
    jobs = _job_seconds(events)
    # Checkpointed work: the slices' own time; the gaps between them belong to the others.
    sliced = {(e["id"], e["i"]): e["held_s"] for e in events if e["type"] == "slices"}
    # ...and from its last slice's end to the step's: still the ticket's, on the loop's thread
    # (a busy machine, or the GIL's switch interval, can make that milliseconds).
    sliced_end = {(e["id"], e["i"]): e["t"] for e in events if e["type"] == "slices"}
    # A to_thread step: the worker's own time, not the loop's delay in hearing it is done.
    threads = _thread_seconds(events)
    held = _loop_held(events)
    steps: dict[str, dict[int, float]] = {}
    for event in events:
        if event["type"] == "step_finished":
            key = (event["id"], event["i"])
            if event["where"] == "job":  # the job's own time on the shelf, not the hand-off
                own = jobs.get(key, 0.0)
            elif event["where"] == "thread" and key in threads and key not in shared:
                own = threads[key]
            elif event["where"] == "slices" and key in sliced:
                scale = event["story_s"] / event["measured_s"] if event["measured_s"] > 0 else 1.0
                tail = max(0.0, event["t"] - sliced_end[key])
                own = (sliced[key] + tail) * scale
            elif event["where"] == "rail" and not _during(held, _io_done(event)):
                # The loop was free when the I/O was due: resuming late was the timer's own
                # slack (epoll counts whole milliseconds), part of the step.
                own = float(event["story_s"])
            else:
                own = _own_seconds(event, key in shared, queued.get(key, 0.0))
            steps.setdefault(event["id"], {})[event["i"]] = own
    return {order: [d for _i, d in sorted(found.items())] for order, found in steps.items()}


def _loop_held(events: list[Event]) -> list[tuple[float, float]]:
    """The real time spans in which a step held the event loop."""
    return [
        (e["t"] - e["measured_s"], e["t"])
        for e in events
        if e["type"] == "step_finished" and e["where"] in ("loop", "slices")
    ]


def _thread_seconds(events: list[Event]) -> dict[tuple[str, int], float]:
    """Each to_thread step's time on its worker thread (story seconds)."""
    began = {(e["id"], e["i"]): e["story"] for e in events if e["type"] == "thread_in"}
    return {
        (e["id"], e["i"]): e["story"] - began[(e["id"], e["i"])]
        for e in events
        if e["type"] == "thread_out" and (e["id"], e["i"]) in began
    }


def _job_seconds(events: list[Event]) -> dict[tuple[str, int], float]:
    """Each job's time on the shelf, from a worker taking it to its end (story seconds)."""
    started = {e["job"]: e["story"] for e in events if e["type"] == "job_in"}
    return {
        (e["id"], e["i"]): e["story"] - started[e["job"]]
        for e in events
        if e["type"] == "job_done" and e["job"] in started
    }


def _io_done(event: Event) -> float:
    """When an awaited wait's I/O was due: its start plus its nominal length in real time."""
    scale = event["story_s"] / event["measured_s"] if event["measured_s"] > 0 else 1.0
    return float(event["t"] - event["measured_s"] + event["nominal_s"] / scale)


def _during(spans: list[tuple[float, float]], instant: float) -> bool:
    return any(start <= instant <= end for start, end in spans)


def _gil_shared_steps(events: list[Event]) -> set[tuple[str, int]]:
    """The cpu steps on cook threads that ran while another cook thread computed too."""
    spans: dict[tuple[str, int], list[float]] = {}
    for event in events:
        is_step = event["type"] in ("step_started", "step_finished")
        if not is_step or event["kind"] != "cpu" or event["where"] not in ("cook", "thread"):
            continue
        key = (event["id"], event["i"])
        spans.setdefault(key, []).append(event["t"])
    done = {key: (ts[0], ts[1]) for key, ts in spans.items() if len(ts) == 2}
    return {
        key
        for key, (start, end) in done.items()
        for other, (o_start, o_end) in done.items()
        if other != key and o_start < end and start < o_end
    }


def _own_seconds(event: Event, gil_shared: bool, queued_s: float) -> float:
    """The time a step itself took, without waiting for its turn (story seconds)."""
    scale = event["story_s"] / event["measured_s"] if event["measured_s"] > 0 else 1.0
    if event["kind"] == "cpu" and gil_shared and event["cpu_s"] is not None:
        # Threads shared the GIL: the model does the sharing, so it takes the CPU time.
        return float(event["cpu_s"]) * scale
    if event["where"] in ("shelf", "thread"):
        # The trip there and back counts, not only the computing; queueing for a free worker
        # (or a to_thread token) does not: the model queues the job itself.
        return float(event["story_s"]) - queued_s * scale
    if event["where"] == "rail":
        return float(event["nominal_s"])  # the I/O itself; resuming late is the loop's doing
    # The step had its thread (or the loop) to itself: its wall time is its own, including
    # any time the machine gave its core to another process.
    return float(event["story_s"])
