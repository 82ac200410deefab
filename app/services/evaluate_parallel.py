"""Evaluate a large workspace with worker processes: they read and decide, the caller writes.

Why: a million-count run is ~15 s of single-threaded Python (reading facts, running the
rules, encoding reasons); a county laptop has a second core. Each worker process opens
its own read-only connection, streams a range of people, evaluates them and encodes the
results (:class:`app.store.evaluation.ResultEncoder`); the calling process keeps the one
write transaction and only inserts the encoded batches, in person-id order. A cancel, an
error or a killed caller rolls the whole run back exactly as on the serial path, and the
workers are terminated and joined before the caller returns or raises.

When it is used (see :func:`worker_count`): only for runs of at least
:data:`MIN_COUNTS` counts (below that, process start-up costs more than it saves), only
when the facts are committed and the workspace is in WAL mode (a worker cannot see the
caller's uncommitted rows, and without WAL it would block the writer), and only with two
or more CPUs. The environment variable ``CLEARSLATE_WORKERS`` overrides the number of
worker processes: ``CLEARSLATE_WORKERS=1`` forces the serial path.

Processes are started with the ``spawn`` method (the only one on Windows, and safe with
the Qt and helper threads of the caller); the frozen app calls
``multiprocessing.freeze_support()`` first thing in ``app.__main__.main``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import multiprocessing
import os
import pickle
import traceback
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any

from app.core.errors import Cancelled, ClearSlateError
from app.core.model import Outcome
from app.core.progress import Progress
from app.rules.engine import evaluate_person_results
from app.rules.packs import load_pack
from app.services.spawn import can_spawn
from app.store import evaluation as store

# Below this many counts a run stays in one process (tests and small counties pay no
# process start-up, ~0.3-0.5 s per worker).
MIN_COUNTS = 50_000
# People per task: small enough that the workers finish together and progress moves, large
# enough that a task's fixed costs (three range queries, one message) do not show.
PEOPLE_PER_TASK = 10_000
MAX_WORKERS = 4  # the caller's insert thread needs a core too; more buys nothing here
WORKERS_ENV = "CLEARSLATE_WORKERS"
_POLL_SECONDS = 0.05  # how often a waiting caller looks at cancel and at dead workers


def worker_count(count_total: int) -> int:
    """How many worker processes a run of ``count_total`` counts should use (1 = serial)."""
    text = os.environ.get(WORKERS_ENV, "").strip()
    if text:
        try:
            return max(1, int(text))
        except ValueError:
            return 1  # a malformed override must not fail the run: the safe path
    if count_total < MIN_COUNTS or not can_spawn():
        return 1
    return max(1, min(os.cpu_count() or 1, MAX_WORKERS))


@dataclass
class ParallelResult:
    """What the caller's run needs from the workers (the recommendations go to ``writer``)."""

    done: int = 0
    outcome_tally: Counter[Outcome] = field(default_factory=Counter)
    changed_total: int = 0
    changed: list[tuple[int, str | None, str]] = field(default_factory=list)


@dataclass(frozen=True)
class _Config:
    """Everything a worker needs, all plain and picklable (never a connection)."""

    path: str
    policy_id: str
    options: dict[str, Any]
    pack_sha256: str
    as_of: dt.date
    previous_run_id: int | None
    encode: bool  # False for a dry run: only tallies and changes are needed
    changed_limit: int


# A task: (task index, first person id, last person id); a reply: ("ok", index, payload)
# or ("error", index, exception or text).
_Task = tuple[int, int, int]


def tally_results(
    results: list[Any],
    tally: Counter[Outcome],
    previous: Mapping[int, str] | None,
    changed: list[tuple[int, str | None, str]],
    limit: int,
) -> int:
    """Count each result's outcome in ``tally``; with a previous run's outcomes, list (up to
    ``limit`` in ``changed``) the counts whose outcome differs. Returns how many differ."""
    tally.update([r[1] for r in results])
    if previous is None:
        return 0
    differ = 0
    for count_id, outcome, _ in results:
        before = previous.get(count_id)
        if before != outcome.value:
            differ += 1
            if len(changed) < limit:
                changed.append((count_id, before, outcome.value))
    return differ


def _evaluate_range(
    ws: Any, cfg: _Config, pack: Any, encoder: store.ResultEncoder | None, task: _Task
) -> tuple[Any, ...]:
    _, first, last = task
    previous = (
        store.range_outcomes(ws, cfg.previous_run_id, first, last)
        if cfg.previous_run_id is not None
        else None
    )
    tally: Counter[Outcome] = Counter()
    changed_total = 0
    changed: list[tuple[int, str | None, str]] = []
    batches: list[store.EncodedBatch] = []
    done = 0
    for people in store.iter_people_range(ws, first, last):
        results = [r for person in people for r in evaluate_person_results(pack, person, cfg.as_of)]
        changed_total += tally_results(results, tally, previous, changed, cfg.changed_limit)
        if encoder is not None:
            batches.append(encoder.encode(results))
        done += len(results)
    return (done, dict(tally), changed_total, changed, batches)


def _worker_main(conn: Connection, cfg: _Config) -> None:
    """A worker's loop: evaluate each range it is sent until it is sent None."""
    gc.set_threshold(100_000, 50, 100)  # as the serial path's _bulk_gc, for the same reason
    ws = None
    task: _Task | None = None
    try:
        pack = load_pack(cfg.policy_id, cfg.options)
        if pack.sha256 != cfg.pack_sha256:  # the caller's pack must be the one applied
            raise ClearSlateError("The policy pack changed while the evaluation was starting.")
        ws = store.open_reader(cfg.path)
        encoder = store.ResultEncoder() if cfg.encode else None
        while (task := conn.recv()) is not None:
            conn.send(("ok", task[0], _evaluate_range(ws, cfg, pack, encoder, task)))
    except (EOFError, OSError, KeyboardInterrupt):
        return  # the caller went away or stopped us: nothing to report to
    except BaseException as exc:
        index = task[0] if task is not None else -1
        try:
            pickle.loads(pickle.dumps(exc))  # noqa: S301 (our own bytes): must come back whole
            payload: Any = exc
        except Exception:  # it would not: send its text instead
            payload = "".join(traceback.format_exception(exc))
        with contextlib.suppress(OSError):
            conn.send(("error", index, payload))
    finally:
        if ws is not None:
            ws.close()


class _Workers:
    """Worker processes, each with a pipe; terminated and joined however the run ends."""

    def __init__(self, count: int, cfg: _Config) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.procs: list[Any] = []
        self.conns: list[Connection] = []
        try:
            for slot in range(count):
                parent, child = ctx.Pipe(duplex=True)
                proc = ctx.Process(
                    target=_worker_main,
                    args=(child, cfg),
                    name=f"clearslate-evaluate-{slot + 1}",
                    daemon=True,  # never outlive the caller, whatever happens to it
                )
                proc.start()
                child.close()  # the caller keeps only its end: a dead worker reads as EOF
                self.procs.append(proc)
                self.conns.append(parent)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        for proc in self.procs:
            if proc.is_alive():
                proc.terminate()
        for proc in self.procs:
            proc.join(timeout=5)
            if proc.is_alive():  # terminate was ignored: no orphan either way
                proc.kill()
                proc.join()
        for conn in self.conns:
            conn.close()

    def finish(self) -> None:
        """Ask every worker to exit, then make sure each has."""
        for conn in self.conns:
            with contextlib.suppress(OSError):
                conn.send(None)
        for proc in self.procs:
            proc.join(timeout=5)
        self.stop()


def _replies(
    workers: _Workers,
    tasks: list[_Task],
    cancelled: Callable[[], bool],
) -> Iterator[tuple[Any, ...]]:
    """Hand out tasks (two in flight per worker) and yield (worker slot, payload) in task
    order."""
    pending: dict[int, tuple[int, tuple[Any, ...]]] = {}
    next_task = 0
    in_flight = dict.fromkeys(range(len(workers.conns)), 0)

    def feed(slot: int) -> None:
        nonlocal next_task
        if next_task < len(tasks):
            workers.conns[slot].send(tasks[next_task])
            next_task += 1
            in_flight[slot] += 1

    for slot in in_flight:
        feed(slot)
        feed(slot)
    slot_of = {c: i for i, c in enumerate(workers.conns)}
    sentinels = {p.sentinel: p for p in workers.procs}
    for want in range(len(tasks)):
        while want not in pending:
            if cancelled():
                raise Cancelled()
            ready = wait([*workers.conns, *sentinels], timeout=_POLL_SECONDS)
            got_reply = False
            for item in ready:
                if item in slot_of:
                    conn = item
                    try:
                        kind, index, payload = conn.recv()  # type: ignore[union-attr]
                    except (EOFError, OSError):
                        raise ClearSlateError(
                            "An evaluation worker stopped unexpectedly; nothing was saved. "
                            "Try again (or set CLEARSLATE_WORKERS=1 to evaluate in one process)."
                        ) from None
                    if kind == "error":
                        if isinstance(payload, BaseException):
                            raise payload
                        raise ClearSlateError(
                            f"An evaluation worker failed; nothing was saved.\n{payload}"
                        )
                    got_reply = True
                    slot = slot_of[conn]
                    pending[index] = (slot, payload)
                    in_flight[slot] -= 1
                    feed(slot)
            # Checked after the pipes: a worker that replied and then exited is fine.
            if (
                not got_reply
                and any(s in ready for s in sentinels)
                and any(not p.is_alive() and in_flight[i] for i, p in enumerate(workers.procs))
            ):
                raise ClearSlateError(
                    "An evaluation worker stopped unexpectedly; nothing was saved. "
                    "Try again (or set CLEARSLATE_WORKERS=1 to evaluate in one process)."
                )
        yield pending.pop(want)


def evaluate_parallel(
    ws: Any,
    *,
    workers: int,
    pack: Any,
    as_of: dt.date,
    previous_run_id: int | None,
    writer: store.ResultWriter | None,
    changed_limit: int,
    progress: Progress | None,
    count_total: int,
) -> ParallelResult:
    """Evaluate every person of ``ws`` in ``workers`` processes; the encoded results go to
    ``writer`` (None for a dry run) in person-id order. The caller holds the transaction.
    """
    cfg = _Config(
        path=str(ws.path),
        policy_id=pack.id,
        options=dict(pack.options),
        pack_sha256=pack.sha256,
        as_of=as_of,
        previous_run_id=previous_run_id,
        encode=writer is not None,
        changed_limit=changed_limit,
    )
    ranges = store.person_id_ranges(ws, PEOPLE_PER_TASK)
    tasks = [(i, first, last) for i, (first, last) in enumerate(ranges)]
    out = ParallelResult()
    if not tasks:
        return out
    cancelled = progress.cancelled if progress is not None else (lambda: False)
    pool = _Workers(min(workers, len(tasks)), cfg)
    try:
        for slot, payload in _replies(pool, tasks, cancelled):
            done, tally, changed_total, changed, batches = payload
            if writer is not None:
                # Each worker's encoder numbers its own sets: offsets keep them apart, and
                # 0 stays the caller's own encoder's.
                offset = (slot + 1) * store.SET_ID_SPAN
                for batch in batches:
                    writer.write_encoded(batch, offset)
            out.done += done
            out.outcome_tally.update(tally)
            out.changed_total += changed_total
            room = changed_limit - len(out.changed)
            if room > 0:
                out.changed.extend(changed[:room])
            if progress is not None:
                progress.report(
                    out.done, count_total, f"Evaluated {out.done:,} of {count_total:,} counts"
                )
        pool.finish()
    finally:
        pool.stop()
    return out
