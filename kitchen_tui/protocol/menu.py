"""The menu: dishes as lists of steps, each step a wait, real CPU work or a hidden blocking call."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

StepKind = Literal["wait", "cpu", "blocking"]
STEP_KINDS: tuple[StepKind, ...] = ("wait", "cpu", "blocking")

# Durations past this are a typo, not a demo: an hour of one step.
MAX_STEP_SECONDS = 3600.0


@dataclass(frozen=True)
class Step:
    """One thing a handler does: await I/O (wait), compute (cpu), or block the thread (blocking)."""

    kind: StepKind
    seconds: float
    label: str
    # When set, the step raises this error after its duration: a call that times out or fails.
    error: str | None = None

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {"kind": self.kind, "seconds": self.seconds, "label": self.label}
        if self.error is not None:
            data["error"] = self.error
        return data

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Step:
        error = data.get("error")
        return cls(
            kind=str(data["kind"]),  # type: ignore[arg-type]
            seconds=float(data["seconds"]),  # type: ignore[arg-type]
            label=str(data["label"]),
            error=None if error is None else str(error),
        )


@dataclass(frozen=True)
class Dish:
    """What one order asks the kitchen for: a request handler, as the steps it takes in order."""

    name: str
    label: str
    steps: tuple[Step, ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "label": self.label,
            "steps": [step.to_json() for step in self.steps],
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Dish:
        steps = data["steps"]
        assert isinstance(steps, list)
        return cls(
            name=str(data["name"]),
            label=str(data["label"]),
            steps=tuple(Step.from_json(step) for step in steps),
        )


def _dish(name: str, label: str, *steps: tuple[StepKind, float, str]) -> Dish:
    return Dish(name, label, tuple(Step(kind, seconds, text) for kind, seconds, text in steps))


MENU: dict[str, Dish] = {
    dish.name: dish
    for dish in (
        _dish("llm", "LLM call", ("wait", 2.0, "LLM generation")),
        _dish("redis", "Redis lookup", ("wait", 0.05, "Redis GET")),
        _dish("postgres", "Postgres query", ("wait", 0.08, "Postgres SELECT")),
        _dish(
            "chat",
            "AI chat pipeline",
            ("wait", 0.02, "auth service"),
            ("wait", 0.005, "Redis session"),
            ("wait", 0.12, "vector search"),
            ("cpu", 0.04, "build prompt"),
            ("wait", 1.8, "LLM generation"),
            ("wait", 0.03, "billing write"),
        ),
        _dish(
            "message",
            "Chat message",
            ("cpu", 0.04, "tokenize + prompt"),
            ("wait", 1.8, "LLM generation"),
        ),
        _dish("pdf", "PDF embed", ("cpu", 15.0, "chunk + embed 500 pages")),
        _dish("sneaky", "Sneaky blocker", ("blocking", 1.0, "requests.get in async def")),
    )
}
