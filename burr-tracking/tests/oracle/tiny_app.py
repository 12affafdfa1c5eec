"""Writes a small tracked app with Apache Burr into the folder given as first argument.

Project `p`: `app-main` (spans, nested spans, attributes, a streamed step, a failing step),
`app-fork` (forked from app-main at step 2) and `app-child` (spawned by app-main at step 1).
Used by tests/server_vs_burr.rs as data both servers must read alike.
"""
import sys

from burr.core import ApplicationBuilder, State, action, expr, default
from burr.core.action import streaming_action
from burr.tracking import LocalTrackingClient
from burr.visibility import TracerFactory, trace

root = sys.argv[1]


@trace()
def double(x: int, secret: str = "hidden") -> int:
    return x * 2


@action(reads=["counter"], writes=["counter", "last_double"])
def counter(state: State, __tracer: TracerFactory) -> State:
    __tracer.log_attribute("action_level_attr", {"n": state["counter"]})
    with __tracer("outer") as t:
        t.log_attribute("outer_attr", 1.5)
        with __tracer("inner", span_dependencies=["outer"]) as t2:
            t2.log_attributes(a=1, b=[1, 2], c=None)
            d = double(state["counter"])
    with __tracer("second_top"):
        pass
    return state.update(counter=state["counter"] + 1, last_double=d)


@action(reads=["counter"], writes=["counter"])
def add(state: State, amount: int) -> tuple:
    result = {"added": amount}
    return result, state.update(counter=state["counter"] + amount)


@streaming_action(reads=["counter"], writes=["streamed"])
def stream_it(state: State):
    for i in range(3):
        yield {"item": i}, None
    yield {"item": "done"}, state.update(streamed=3)


@action(reads=["counter"], writes=["counter"])
def boom(state: State) -> State:
    raise RuntimeError("kaboom")


def graph(builder):
    return builder.with_actions(counter, add, stream_it, boom).with_transitions(
        ("counter", "counter", expr("counter < 5")),
        ("counter", "add", default),
        ("add", "stream_it", default),
        ("stream_it", "boom", default),
    )


app = (
    graph(ApplicationBuilder())
    .with_identifiers(app_id="app-main", partition_key="user_1")
    .with_state(counter=0)
    .with_entrypoint("counter")
    .with_tracker(LocalTrackingClient(project="p", storage_dir=root))
    .build()
)
app.run(halt_after=["add"], inputs={"amount": 10})
_, container = app.stream_result(halt_after=["stream_it"])
for _ in container:
    pass
try:
    app.step()
except RuntimeError:
    pass

fork = (
    graph(ApplicationBuilder())
    .initialize_from(
        LocalTrackingClient(project="p", storage_dir=root),
        resume_at_next_action=True,
        default_state={"counter": 0},
        default_entrypoint="counter",
        fork_from_app_id="app-main",
        fork_from_partition_key="user_1",
        fork_from_sequence_id=2,
    )
    .with_identifiers(app_id="app-fork", partition_key="user_1")
    .with_tracker(LocalTrackingClient(project="p", storage_dir=root))
    .build()
)
fork.step()

child = (
    graph(ApplicationBuilder())
    .with_identifiers(app_id="app-child")
    .with_state(counter=100)
    .with_entrypoint("counter")
    .with_spawning_parent("app-main", 1, "user_1")
    .with_tracker(LocalTrackingClient(project="p", storage_dir=root))
    .build()
)
child.step()
