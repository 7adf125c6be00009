"""The remedies, measured tightly through the real kitchen process, each beside the model.

Run: python bench/bench_remedies.py [--backend asyncio|trio] [--only blocking|pool|cpu]

1. blocking: one `sneaky` order (a 1 s blocking call) and ten `redis` orders 0.1 s apart behind
   it, async. inline: the redis orders that arrive during the call are served only after it.
   to_thread and await: every redis order within 10 ms of its 50 ms.
2. pool: fifty 0.5 s blocking calls arriving together, async, to_thread: forty served at
   0.5 s and ten at 1.0 s (anyio's 40 tokens), each within 5 ms + 1 % of that (on trio
   compared sorted: which forty go first is trio's random run order). Beside it, the floor:
   the same fifty calls from a bare anyio task group in a fresh process, its threads warmed as
   the kitchen's are, so what the backend itself costs shows apart from the kitchen's share.
3. cpu: a 1 s CPU order and redis orders 0.1 s apart, async. inline: the redis orders wait for
   its end. checkpoints: each within 10 ms + one slice of its 50 ms. to_thread: later than
   50 ms but long before the CPU order ends (the GIL share printed). prep_shelf: within
   10 ms. job: the CPU order's own answer in under 20 ms, its job done about 1 s later.

Every figure printed is measured in this run; the model's prediction is printed beside it.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys

from machine import machine  # bench/machine.py: run as `python bench/<script>.py`

from kitchen_tui.protocol.menu import Dish, Step
from kitchen_tui.protocol.orders import Order
from kitchen_tui.protocol.settings import CHECKPOINT_SLICE_S, KitchenSettings
from kitchen_tui.stream.headless import RunResult, run_scenario
from kitchen_tui.talk.scenario import Scenario

CRUNCH = Dish("crunch", "1 s of CPU", (Step("cpu", 1.0, "crunch"),))
BLOCK = Dish("block", "a 0.5 s blocking call", (Step("blocking", 0.5, "time.sleep"),))
REDIS_S = 0.05


_POOL_FLOOR_CODE = """
import sys, time, anyio, anyio.to_thread
from functools import partial
async def main():
    async with anyio.create_task_group() as warm:  # forty threads, as the kitchen warms them
        for _ in range(40):
            warm.start_soon(partial(anyio.to_thread.run_sync, time.sleep, 0.005))
    ends = []
    go = anyio.Event()
    async def one():
        await go.wait()
        await anyio.to_thread.run_sync(time.sleep, 0.5)
        ends.append(time.perf_counter())
    async with anyio.create_task_group() as tg:
        for _ in range(50):
            tg.start_soon(one)
        await anyio.sleep(0.2)
        t0 = time.perf_counter()
        go.set()
    print(" ".join(f"{end - t0:.6f}" for end in sorted(ends)))
anyio.run(main, backend=sys.argv[1])
"""


def pool_floor(backend: str) -> list[float]:
    """The fifty calls' ends, sorted, from a bare anyio task group in a fresh process."""
    run = [sys.executable, "-c", _POOL_FLOOR_CODE, backend]
    out = subprocess.run(run, capture_output=True, text=True, check=True, timeout=60).stdout
    return [float(word) for word in out.split()]


def serve(orders: list[Order], backend: str, **fixes: str) -> RunResult:
    scenario = Scenario(
        "bench", "bench", dishes={"crunch": CRUNCH, "block": BLOCK}, orders=tuple(orders)
    )
    settings = KitchenSettings.from_json({"mode": "async", "front_desk": 1000, **fixes})
    return run_scenario(scenario, settings, backend=backend)


def behind(first: Order) -> list[Order]:
    return [first] + [Order(f"r{i}", "redis", round(0.1 * i, 3)) for i in range(1, 11)]


def redis_rows(result: RunResult) -> list[tuple[str, float, float]]:
    return [
        (o.id, o.latency_s or 0.0, o.predicted.latency or 0.0)
        for o in result.orders
        if o.dish == "redis"
    ]


def describe(result: RunResult, label: str, target: str, ok: bool) -> None:
    rows = redis_rows(result)
    worst = max(abs(m - p) for _, m, p in rows)
    latencies = ", ".join(f"{m * 1000:.1f}" for _, m, _p in rows)
    print(f"  {label:<12} redis ms: {latencies}")
    print(f"  {'':<12} worst |measured - model| {worst * 1000:.1f} ms; {target}: {_pass(ok)}")


def _within(ends: list[float], at: float) -> bool:
    """Each end within the pool target's 5 ms + 1 % of `at`."""
    return all(abs(end - at) <= 0.005 + 0.01 * at for end in ends)


def _pass(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def bench_blocking(backend: str) -> None:
    print("1. a 1 s blocking call, ten redis orders 0.1 s apart behind it (async)")
    for fix in ("inline", "to_thread", "await"):
        result = serve(behind(Order("S", "sneaky")), backend, fix_blocking=fix)
        rows = redis_rows(result)
        if fix == "inline":
            during = [m for oid, m, _ in rows if int(oid[1:]) * 0.1 < 1.0]
            # Served only after the call returned (1.0 s): arrival + latency >= 1.0.
            ok = all(
                int(oid[1:]) * 0.1 + m >= 1.0 for oid, m, _ in rows if int(oid[1:]) * 0.1 < 1.0
            )
            describe(result, fix, f"{len(during)} that arrived during it served after it", ok)
        else:
            ok = all(abs(m - REDIS_S) <= 0.010 for _, m, _ in rows)
            describe(result, fix, "every redis within 10 ms of 50 ms", ok)


def bench_pool(backend: str) -> None:
    print("2. fifty 0.5 s blocking calls together (async, to_thread: anyio's 40 tokens)")
    result = serve([Order(f"b{i}", "block") for i in range(50)], backend, fix_blocking="to_thread")
    pairs = [(o.latency_s or 0.0, o.predicted.latency or 0.0) for o in result.orders]
    # Which forty calls get the tokens first is asyncio's arrival order, which the model
    # follows order by order; trio reverses its run batch at random (docs/model.md), so there
    # the forty and the ten are compared as latencies sorted, not call by call.
    if backend == "trio":
        pairs = list(zip(sorted(m for m, _ in pairs), sorted(p for _, p in pairs), strict=True))
    rows = sorted(pairs, key=lambda r: r[1])
    ok = all(_within([m], p) for m, p in rows)
    first = [m for m, p in rows if p == 0.5]
    then = [m for m, p in rows if p == 1.0]
    print(
        f"  {len(first)} predicted at 0.5 s: measured {min(first):.4f} to {max(first):.4f};"
        f" {len(then)} predicted at 1.0 s: measured {min(then):.4f} to {max(then):.4f}"
    )
    waits = sorted(e["waited_s"] for e in result.events if e["type"] == "thread_in")
    print(f"  waited for a token: {sum(w > 0.1 for w in waits)} calls, up to {waits[-1]:.4f} s")
    each = "sorted, each" if backend == "trio" else "each call"
    print(f"  {each} within 5 ms + 1 % of the model: {_pass(ok)}")
    floor = pool_floor(backend)
    print(
        f"  floor, bare anyio on {backend}: forty end {floor[0]:.4f} to {floor[39]:.4f},"
        f" ten {floor[40]:.4f} to {floor[-1]:.4f}; within 5 ms + 1 %:"
        f" {_pass(_within(floor[:40], 0.5) and _within(floor[40:], 1.0))}"
    )
    print(
        f"  the kitchen's own share: the fortieth {(max(first) - floor[39]) * 1000:+.1f} ms,"
        f" the last {(max(then) - floor[-1]) * 1000:+.1f} ms past the floor's"
    )


def bench_cpu(backend: str) -> None:
    print("3. 1 s of CPU, ten redis orders 0.1 s apart behind it (async)")
    for fix in ("inline", "checkpoints", "to_thread", "prep_shelf", "job"):
        result = serve(behind(Order("P", "crunch")), backend, fix_cpu=fix)
        cpu = next(o for o in result.orders if o.id == "P")
        rows = redis_rows(result)
        cpu_end = cpu.served_s or 0.0
        if fix == "inline":
            ok = all(int(oid[1:]) * 0.1 + m >= cpu_end - 0.001 for oid, m, _ in rows[:-1])
            target = "those arriving during it served after it"
        elif fix == "checkpoints":
            ok = all(m <= REDIS_S + 0.010 + CHECKPOINT_SLICE_S for _, m, _ in rows)
            target = "every redis within 10 ms + one slice of 50 ms"
        elif fix == "to_thread":
            early = [m for oid, m, _ in rows if int(oid[1:]) * 0.1 < cpu_end - 0.2]
            ok = all(REDIS_S < m < cpu_end / 4 for m in early)
            target = "later than 50 ms, long before the CPU order ends"
        else:
            ok = all(abs(m - REDIS_S) <= 0.010 for _, m, _ in rows)
            target = "every redis within 10 ms of 50 ms"
        describe(result, fix, target, ok)
        extra = _cpu_extra(result, fix, cpu.latency_s or 0.0, cpu.predicted.latency or 0.0)
        print(f"  {'':<12} {extra}")
        if fix == "job":
            job = cpu.job_latency_s or 0.0
            ok = (cpu.latency_s or 1.0) < 0.020 and 0.95 <= job <= 1.15
            print(f"  {'':<12} answer under 20 ms, job done about 1 s later: {_pass(ok)}")


def _cpu_extra(result: RunResult, fix: str, measured: float, predicted: float) -> str:
    account = result.ledger.remedies
    own = f"the CPU order itself: {measured:.4f} s (model {predicted:.4f})"
    if fix == "checkpoints":
        return (
            f"{own}; {account.slices} slices, longest {account.longest_slice_s * 1000:.1f} ms,"
            f" longest gap {account.longest_gap_s * 1000:.1f} ms"
        )
    if fix == "to_thread":
        share = account.gil_shares[0] if account.gil_shares else float("nan")
        lags = [e["lag_s"] for e in result.events if e["type"] == "heartbeat"]
        lag = statistics.median(lags) * 1000 if lags else float("nan")
        return f"{own}; its GIL share {share:.1%}; the loop's median worst lag {lag:.1f} ms"
    if fix == "job":
        (job,) = account.jobs.values()
        return f"{own}; its job done {job.job_latency_s:.4f} s after it arrived (model 1.0000)"
    return own


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("asyncio", "trio"), default="asyncio")
    parser.add_argument("--only", choices=("blocking", "pool", "cpu"))
    options = parser.parse_args()
    print(machine(), f"backend {options.backend}")
    for name, run in (("blocking", bench_blocking), ("pool", bench_pool), ("cpu", bench_cpu)):
        if options.only in (None, name):
            run(options.backend)


if __name__ == "__main__":
    main()
