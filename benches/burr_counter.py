"""The `counter` and `spans` scenarios of the `bench` example, run by Apache Burr.

    python3 benches/burr_counter.py counter --steps N [--track DIR]
    python3 benches/burr_counter.py spans --steps N --track DIR

Prints one JSON line in the `bench` example's shape (`scenario`, `steps`, `seconds`,
`us_per_step`), so that both can be compared in one run on one machine.
"""

import argparse
import json
import tempfile
import time

from burr.core import ApplicationBuilder, State, action, default, expr
from burr.tracking import LocalTrackingClient
from burr.visibility import trace


@action(reads=["count"], writes=["count"])
def increment(state: State) -> State:
    return state.update(count=state["count"] + 1)


@action(reads=[], writes=[])
def done(state: State) -> State:
    return state


@trace()
def square(x: int) -> int:
    return x * x


@action(reads=["count"], writes=["count"])
def traced_increment(state: State, __tracer) -> State:
    count = state["count"]
    with __tracer("outer") as outer:
        outer.log_attributes(count=count)
        with __tracer("middle") as middle:
            middle.log_attributes(half=count // 2)
            with __tracer("inner"):
                square(count)
    return state.update(count=count + 1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("scenario", choices=["counter", "spans"])
    parser.add_argument("--steps", type=int, default=10_000)
    parser.add_argument("--track", default=None)
    args = parser.parse_args()
    first = traced_increment if args.scenario == "spans" else increment
    builder = (
        ApplicationBuilder()
        .with_actions(increment=first, done=done)
        .with_transitions(
            ("increment", "increment", expr(f"count < {args.steps}")),
            ("increment", "done", default),
        )
        .with_state(count=0)
        .with_entrypoint("increment")
    )
    track = args.track
    if args.scenario == "spans" and track is None:
        track = tempfile.mkdtemp(prefix="burr-bench-")
    if track is not None:
        builder = builder.with_tracker(
            LocalTrackingClient(project="bench", storage_dir=track)
        )
    app = builder.build()
    start = time.perf_counter()
    _, _, state = app.run(halt_after=["done"])
    seconds = time.perf_counter() - start
    assert state["count"] == args.steps
    executed = args.steps + 1
    print(
        json.dumps(
            {
                "scenario": args.scenario,
                "runtime": "apache-burr",
                "tracked": track is not None,
                "steps": executed,
                "seconds": seconds,
                "us_per_step": seconds * 1e6 / executed,
            }
        )
    )


if __name__ == "__main__":
    main()
