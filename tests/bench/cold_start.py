"""Cold-start benchmark: CPU of import + first invoke of every function, as shipped, against baselines.

Every function and baseline is staged as `make build` stages it (`layers.build`, byte code included when the
build ships it), and each sample is a fresh interpreter started with `-S -B` from the staged folders, as Lambda
runs a read-only /var/task and /opt: nothing compiled on this machine's checkout is used, and only the locked
runtime dependencies are importable (the deps layer), not the dev tools installed beside them, some of which
would change what a runtime package imports (pyjwt loads `cryptography` when it is there). Every function of
kind http in `resources.FUNCTIONS` is measured against the goal, each on a real route doing its real work on moto
(tests/bench/cold_world.py: a record read, a catalog lookup as a superuser, a token verified and reissued, a file
streamed from S3, ...). A function whose child crashes or does not get a 200 fails its goal (NOT MET, with its
answer printed) and is sampled no more, so that one broken function does not hide the others' figures; a
failing hello fails the run, as nothing then has a baseline.

Sampling, in rounds (LB_BENCH_COLD_RUNS of them, 5 by default): each round runs every measured function and
baseline once, GROUP of them between two hello samples (hello, f1, f2, hello, f3, f4, hello, ...), and a
sample's ratio is its CPU over the mean of the two hello samples that bracket its group. The figure is the
median of a function's per-round ratios, so load from elsewhere on the machine still hits both sides of every
ratio alike: no sample is more than one sample away from a hello. Each hello sample serves the groups on both
of its sides, so a round costs N + N/GROUP + 1 samples where pairs of (hello, function) cost 2N: with every HTTP
function (22 subjects, 34 samples a round, against 12 subjects and 24 samples in pairs before) the section
takes about 1.3 times its old wall time, where pairs would take about 1.8. Each round starts one function
further into the list, so that a function's neighbours and its place in its group change from round to round.
What a first event uses up is put back before each sample (`cold_world.rearm`), so every sample does the same work.

What is measured is the whole cold start as Lambda runs it without SnapStart: init (the handler module's import,
which builds the app and prepares the SDK's models) plus the first invoke, both in CPU. Each row also shows the
two parts; the first invoke alone is what a SnapStart restore adds to its restore, init being in the snapshot.
Baselines: a plain `def handler`, the hello function plus one boto3 client and one DynamoDB read as boto3 comes,
and the same built the way the functions ship (init paused for the collector, the layer's trimmed models), which
is the floor of any FastAPI + Mangum function that calls DynamoDB; the same on Starlette + Mangum, the functions'
own framework (FastAPI, which only the FastAPI baselines load, is staged beside them); and that read from a plain
handler, shipped the same way, which is what the SDK costs without a web framework.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from layers.build import BYTECODE_INVALIDATION, BuildLayout, compile_bytecode, stage_code
from layers.sdk_models import write_sdk_models
from shared import resources
from shared.events.envelope import EventEnvelope
from tests.bench import cold_world, goals

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = int(os.environ.get("LB_BENCH_COLD_RUNS", "5"))
# Functions and baselines sampled between two hello samples: 2 keeps each one next to a hello.
GROUP = 2
GOAL_RATIO = 1.25
HTTP_GOAL = tuple(fn.name for fn in resources.FUNCTIONS if fn.kind == "http")
# The baselines, each a one-file function staged beside the real ones.
HELLO = "hello_function"
BASELINES = {"plain handler": "plain_function", "hello + one boto3 client": "hello_boto3_function",
             "hello + one client, as shipped": "hello_sdk_function",
             "Starlette hello + one client, as shipped": "hello_starlette_sdk_function",
             "plain handler + one client, as shipped": "hello_plain_sdk_function"}
# Baselines that run on the shared layer, as the functions do.
ON_SHARED_LAYER = {"hello_sdk_function", "hello_plain_sdk_function", "hello_starlette_sdk_function"}
# Baselines built on FastAPI, which only they load (the functions are Starlette apps).
ON_FASTAPI = {HELLO, "hello_boto3_function", "hello_sdk_function"}

_CHILD = r"""
import json, sys, time
cpu0, wall0 = time.process_time(), time.perf_counter()
import importlib
module = importlib.import_module(sys.argv[1])
init = time.process_time() - cpu0
event = json.loads(sys.argv[2])
class Context:  # Lambda's context, without importing the local stack (moto) into the measurement
    function_name = "bench"; memory_limit_in_mb = 512; aws_request_id = "bench"; function_version = "1"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench"
    def get_remaining_time_in_millis(self): return 29000
response = module.handler(event, Context())
cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
print(json.dumps({"cpu": cpu, "init": init, "wall": wall, "response": response}, default=str))
"""


@dataclass(frozen=True)
class Staged:
    """Where one function runs from: its code folder (the working directory) and the layers on its path."""

    module: str
    cwd: Path
    path: tuple[Path, ...]


@dataclass(frozen=True)
class Row:
    """One function's medians: CPU of the whole cold start, its ratio to hello's, and its two parts."""

    name: str
    cpu_ms: float
    ratio: float
    init_ms: float
    invoke_ms: float


@dataclass(frozen=True)
class Sample:
    """CPU seconds of one cold start, and of its init (the handler module's import) within it."""

    cpu: float
    init: float


def runtime_distributions(roots: list[str] | None = None) -> set[str]:
    """The locked runtime dependencies and their own, extras included: what `make build` puts in the deps layer
    (or, given `roots`, those requirements and their own)."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    project = importlib.metadata.distribution("lambdabase")
    texts = roots if roots is not None else [r for r in project.requires or [] if "extra ==" not in r]
    wanted = [Requirement(r) for r in texts]
    extras: dict[str, set[str]] = {}
    while wanted:
        req = wanted.pop()
        name = canonicalize_name(req.name)
        if name in extras and set(req.extras) <= extras[name]:
            continue
        extras.setdefault(name, set()).update(req.extras)
        for text in importlib.metadata.distribution(name).requires or []:
            dep = Requirement(text)
            if dep.marker is None or any(dep.marker.evaluate({"extra": e}) for e in extras[name] | {""}):
                wanted.append(dep)
    return set(extras)


def stage_deps(target: Path, distributions: set[str], *, sdk_models: bool = True) -> None:
    """A deps layer of these installed distributions, linked rather than copied, with the trimmed SDK models
    `make build` writes into it."""
    target.mkdir(parents=True)
    tops: set[Path] = set()
    for name in distributions:
        dist = importlib.metadata.distribution(name)
        for file in dist.files or []:
            if file.parts and file.parts[0] not in ("..", "__pycache__") and not file.parts[0].endswith(".pth"):
                tops.add(Path(str(dist.locate_file(file.parts[0]))))
    for top in tops:
        if top.exists():
            (target / top.name).symlink_to(top)
    # What a first import would have compiled: the deps layer ships all of its byte code. A linked package keeps
    # its own __pycache__; a linked one-file module (typing_extensions, six) is looked up in the layer's, which
    # only the second pass writes: without it each cold start compiled them again, about 20 ms.
    subprocess.run([sys.executable, "-m", "compileall", "-q", "-j", "0", *map(str, tops)], capture_output=True)
    subprocess.run([sys.executable, "-m", "compileall", "-q", "-l", "--invalidation-mode", BYTECODE_INVALIDATION,
                    str(target)], check=True, capture_output=True)
    if sdk_models:
        write_sdk_models(target)


@contextmanager
def staged_build() -> Iterator[dict[str, Staged]]:
    """Every function and baseline staged in a temporary build folder, with byte code as `make build` ships it."""
    with tempfile.TemporaryDirectory(prefix="lb-cold-") as tmp:
        layout = BuildLayout(Path(tmp))
        # This interpreter stands in for the Lambda runtime's: the build compiles with the runtime's version.
        stage_code((fn.name for fn in resources.FUNCTIONS), layout, python=sys.executable)
        shared, deps = layout.shared_layer / "python", layout.deps_layer / "python"
        runtime = runtime_distributions()
        stage_deps(deps, runtime)
        # The baselines' FastAPI (a dev dependency: no function ships it), on a folder of its own before the layer.
        fastapi = layout.root / "baselines" / "fastapi"
        stage_deps(fastapi, runtime_distributions(["fastapi"]) - runtime, sdk_models=False)
        staged = {fn.name: Staged(fn.module, layout.function(fn.name), (shared, deps)) for fn in resources.FUNCTIONS}
        for module in (HELLO, *BASELINES.values()):
            folder = layout.root / "baselines" / module
            folder.mkdir(parents=True)
            shutil.copy2(Path(__file__).with_name(f"{module}.py"), folder / f"{module}.py")
            compile_bytecode(folder, sys.executable)
            layers = (shared, deps) if module in ON_SHARED_LAYER else (deps,)
            staged[module] = Staged(module, folder, (fastapi, *layers) if module in ON_FASTAPI else layers)
        yield staged


class FirstEventError(RuntimeError):
    """A child that crashed, or answered its first event with anything but success; `answer` says which, briefly."""

    def __init__(self, message: str, answer: str) -> None:
        super().__init__(message)
        self.answer = answer


def sample(staged: Staged, event: dict[str, Any], env: dict[str, str]) -> Sample:
    """CPU seconds of one fresh interpreter's import + first invoke; FirstEventError on a response that is not OK."""
    child_env = {**env, "PYTHONPATH": os.pathsep.join(str(p) for p in staged.path)}
    out = subprocess.run([sys.executable, "-S", "-B", "-c", _CHILD, staged.module, json.dumps(event)], cwd=staged.cwd,
                         env=child_env, capture_output=True, text=True)
    if out.returncode != 0:
        raise FirstEventError(f"{staged.module} failed its cold start:\n{out.stderr[-3000:]}", "crashed")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    response = result["response"]
    if not _succeeded(response):
        status = response.get("statusCode", "?") if isinstance(response, dict) else "?"
        body = response.get("body", response) if isinstance(response, dict) else response
        raise FirstEventError(f"{staged.module} answered its first event with {status}: {str(body)[:300]}",
                              f"answered {status}")
    return Sample(float(result["cpu"]), float(result["init"]))


def _succeeded(response: Any) -> bool:
    if isinstance(response, dict) and "statusCode" in response:
        return int(response["statusCode"]) == 200
    if isinstance(response, dict) and "batchItemFailures" in response:
        return not response["batchItemFailures"]
    return response is None or isinstance(response, dict)


@dataclass(frozen=True)
class Subject:
    """One function or baseline measured against hello: its row's name, where it runs and its first event."""

    name: str
    staged: Staged
    event: dict[str, Any]


def in_rounds(hello: Callable[[], Sample], subjects: list[Subject],
              take: Callable[[Subject], Sample]) -> tuple[list[Row], dict[str, FirstEventError]]:
    """hello's row, then each subject's medians over ROUNDS rounds, with the median of its per-round ratios to the
    mean of the two hello samples around its group (the module docstring tells why and how); and the subjects
    whose first event failed, sampled no more, by name (a failing hello fails the run: nothing has a baseline)."""
    hellos: list[Sample] = []
    samples: dict[str, list[Sample]] = {s.name: [] for s in subjects}
    ratios: dict[str, list[float]] = {s.name: [] for s in subjects}
    failed: dict[str, FirstEventError] = {}
    for round_no in range(ROUNDS):
        shift = round_no % len(subjects)
        order = [s for s in subjects[shift:] + subjects[:shift] if s.name not in failed]
        before = hello()
        hellos.append(before)
        for start in range(0, len(order), GROUP):
            group = []
            for subject in order[start:start + GROUP]:
                try:
                    group.append((subject.name, take(subject)))
                except FirstEventError as exc:
                    failed[subject.name] = exc
            after = hello()
            hellos.append(after)
            baseline = (before.cpu + after.cpu) / 2
            for name, taken in group:
                samples[name].append(taken)
                ratios[name].append(taken.cpu / baseline)
            before = after
    rows = [_row(s.name, samples[s.name], statistics.median(ratios[s.name])) for s in subjects
            if s.name not in failed]
    return [_row("hello (baseline)", hellos, 1.0), *rows], failed


def _row(name: str, samples: list[Sample], ratio: float) -> Row:
    return Row(name, statistics.median(s.cpu for s in samples) * 1000, ratio,
               statistics.median(s.init for s in samples) * 1000,
               statistics.median(s.cpu - s.init for s in samples) * 1000)


def sample_events(world: cold_world.World) -> dict[str, dict[str, Any]]:
    """The first event of every declared function: a real route for HTTP, a real batch for the others."""
    from local.events import websocket_event
    from shared.jobs.messages import IndexBuildMessage

    events: dict[str, dict[str, Any]] = dict(cold_world.http_events(world))
    events["realtime"] = websocket_event(event_type="DISCONNECT", connection_id="bench", host="bench",
                                         stage="ws", source_ip=cold_world.SOURCE_IP)
    events["changes"] = {"Records": [{"eventID": "1", "eventName": "INSERT", "eventSource": "aws:dynamodb",
                                      "eventSourceARN": "arn:aws:dynamodb:us-east-1:1:table/t/stream/x",
                                      "dynamodb": {"Keys": {"pk": {"S": "x#1"}, "sk": {"S": "1"}},
                                                   "SequenceNumber": "1",
                                                   "StreamViewType": "NEW_AND_OLD_IMAGES"}}]}
    attributes = {"ApproximateReceiveCount": "1", "SentTimestamp": "1700000000000", "SenderId": "bench",
                  "ApproximateFirstReceiveTimestamp": "1700000000000"}  # what Lambda always sends

    def sqs(body: str) -> dict[str, Any]:
        return {"Records": [{"messageId": "1", "receiptHandle": "h", "body": body, "attributes": attributes,
                             "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
                             "eventSourceARN": "arn:aws:sqs:us-east-1:1:q", "awsRegion": "us-east-1"}]}

    # a build step of a collection that no longer exists: reads the checkpoint and the catalog, then ends
    events["jobs"] = sqs(IndexBuildMessage(job_id="bench", collection_id="pbc_bench").model_dump_json())
    # a record event from the bus: matched against the webhook subscriptions (none), nothing sent
    envelope = EventEnvelope(id="evt_bench", type="record.created", time="2026-01-01T00:00:00.000Z",
                             collection_id=world.posts_id, collection_name=cold_world.POSTS, subject=cold_world.POST_ID,
                             sequence="1", data={"record": {"id": cold_world.POST_ID}})
    events["deliveries"] = sqs(json.dumps({"detail-type": envelope.type,
                                           "detail": envelope.model_dump(mode="json", by_alias=True)}))
    return events


def child_env(moto_endpoint: str) -> dict[str, str]:
    """The environment of a deployed function, pointed at moto's loopback server (the children are other
    processes, outside this one's in-process mock): tracing off on both sides of every ratio. The WebSocket API's
    @connections endpoint, which the stack tells the functions granted `ws_manage`, is moto's too (only those
    functions read it). The runtime switches every function gets (`resources.RUNTIME_ENVIRONMENT`) go to the
    baselines too, so that a ratio compares code, not settings."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return {**env, **resources.RUNTIME_ENVIRONMENT, "AWS_ENDPOINT_URL": moto_endpoint,
            "LB_WS_MANAGEMENT_ENDPOINT": moto_endpoint, "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_LOG_LEVEL": "ERROR", "PYTHONDONTWRITEBYTECODE": "1"}


def run() -> tuple[list[Row], dict[str, FirstEventError]]:
    from tests.support.moto_cloud import running_cloud

    with running_cloud() as moto, staged_build() as staged:
        world = cold_world.seed()
        env = child_env(moto.endpoint)
        hello_event = cold_world.http("GET", "/hello")
        events = sample_events(world)
        if missing := [name for name in HTTP_GOAL if name not in events]:
            raise RuntimeError(f"no first event for {missing}: give each a real route in cold_world.http_events")
        subjects = [Subject(name, staged[module], hello_event) for name, module in BASELINES.items()]
        subjects += [Subject(name, staged[name], event) for name, event in events.items()]

        def take(subject: Subject) -> Sample:
            cold_world.rearm(subject.name)
            return sample(subject.staged, subject.event, env)

        return in_rounds(lambda: sample(staged[HELLO], hello_event, env), subjects, take)


def _ratio(value: float) -> str:
    return f"x{value:.3f}" if value < 0.1 else f"x{value:.2f}"


def report() -> None:
    print(f"Cold start: CPU of import + first invoke, as shipped, median of {ROUNDS} rounds' ratios to hello "
          "FastAPI+Mangum")
    rows, failed = run()
    sdk = next(r.ratio for r in rows if r.name == "hello + one boto3 client")
    floor = next(r.ratio for r in rows if r.name == "hello + one client, as shipped")
    print(f"  {'':<38} {'cold start':>10}   {'/ hello':>7}   {'init':>6}   {'1st invoke':>10}")
    for row in rows:
        print(f"  {row.name:<38} {row.cpu_ms:8.1f} ms   {_ratio(row.ratio):>7}   {row.init_ms:6.1f}   "
              f"{row.invoke_ms:10.1f}")
        measured = f"{_ratio(row.ratio)} ({row.cpu_ms:.0f} ms)"
        if row.name in HTTP_GOAL:
            goals.record("cold start", f"{row.name} / hello", f"<= x{GOAL_RATIO}", measured, row.ratio <= GOAL_RATIO)
        else:
            goals.record("cold start", f"{row.name} / hello", "reported", measured, None)
    for name, exc in failed.items():
        print(f"  {name:<38} FAILED: {exc}")
        goal = f"<= x{GOAL_RATIO}" if name in HTTP_GOAL else "a real event"
        goals.record("cold start", f"{name} / hello", goal, exc.answer, False)
    # What is ours rather than the SDK's: each data function over the hello function that makes one AWS call,
    # as boto3 comes and as this project ships it (the floor of a FastAPI + Mangum + SDK function).
    for row in rows:
        if row.name in HTTP_GOAL and row.name != "health":
            goals.record("cold start", f"{row.name} / (hello + boto3)", "reported", _ratio(row.ratio / sdk), None)
            goals.record("cold start", f"{row.name} / (hello + client, as shipped)", "reported",
                         _ratio(row.ratio / floor), None)
    # What a SnapStart restore adds to its restore: the first invoke alone, init being in the snapshot.
    for row in rows:
        if row.name in HTTP_GOAL:
            goals.record("cold start", f"{row.name}: first invoke after init", "reported",
                         f"{row.invoke_ms:.0f} ms (init {row.init_ms:.0f} ms)", None)
