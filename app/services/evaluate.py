"""Evaluate every count of a workspace under its policy, and change the county's policy options.

A run stores the pack id, version and SHA-256, the effective options, the as-of date and
the engine version, so every recommendation can be reproduced; the run, its
recommendations and its audit entry are written in one transaction. ``dry_run`` evaluates
without saving and reports which outcomes would change against the latest run.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import json
import threading
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from app.core.clock import utc_now
from app.core.errors import Cancelled, PolicyError
from app.core.model import Outcome
from app.core.progress import Progress
from app.rules.engine import ENGINE_VERSION, effective_as_of, evaluate_person_results
from app.rules.packs import Pack, load_pack
from app.services.evaluate_parallel import evaluate_parallel, tally_results, worker_count
from app.store import evaluation as store

# How many changed counts a report lists by id (the total is always exact).
CHANGED_LIST_LIMIT = 1000


@dataclass(frozen=True)
class ChangedCount:
    count_id: int
    case_number: str | None
    before: str | None
    after: str


@dataclass(frozen=True)
class EvaluationReport:
    run_id: int | None  # None for a dry run
    policy_id: str
    pack_version: str
    pack_sha256: str
    options: dict[str, Any]
    as_of: dt.date
    engine_version: str
    count_total: int
    people_total: int
    outcomes: dict[str, int]
    dry_run: bool
    previous_run_id: int | None = None
    changed_total: int = 0
    changed: list[ChangedCount] = field(default_factory=list)
    rereview_total: int = 0
    seconds: float = 0.0
    # The outcomes this policy's rules can give (with not eligible and needs review), in the
    # order of ``Outcome``: the summary lists these, so Prop 64 shows no "Eligible: vacate 0".
    possible: tuple[str, ...] = tuple(o.value for o in Outcome)

    def shown_outcomes(self) -> list[Outcome]:
        """The outcomes to list: those the policy can give, and any other that occurred."""
        return [o for o in Outcome if o.value in self.possible or self.outcomes.get(o.value)]

    def to_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "policy_id": self.policy_id,
            "pack_version": self.pack_version,
            "pack_sha256": self.pack_sha256,
            "options": {
                k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in self.options.items()
            },
            "as_of": self.as_of.isoformat(),
            "engine_version": self.engine_version,
            "counts": self.count_total,
            "people": self.people_total,
            "outcomes": self.outcomes,
            "dry_run": self.dry_run,
            "previous_run_id": self.previous_run_id,
            "changed_total": self.changed_total,
            "changed": [
                {
                    "count_id": c.count_id,
                    "case_number": c.case_number,
                    "before": c.before,
                    "after": c.after,
                }
                for c in self.changed
            ],
            "rereview": self.rereview_total,
            "seconds": round(self.seconds, 2),
        }

    def lines(self) -> list[str]:
        head = "Dry run (nothing saved)" if self.dry_run else f"Evaluation run {self.run_id}"
        out = [
            f"{head}: {self.count_total} counts of {self.people_total} people under {self.policy_id} "
            f"{self.pack_version} as of {self.as_of.isoformat()} ({self.seconds:.1f} s)"
        ]
        for outcome in self.shown_outcomes():
            out.append(f"  {outcome.label:<18} {self.outcomes.get(outcome.value, 0)}")
        if self.previous_run_id is not None:
            out.append(f"  {self.changed_total} outcomes differ from run {self.previous_run_id}")
            for c in self.changed[:50]:
                out.append(
                    f"    count {c.count_id} (case {c.case_number}): {c.before or 'none'} -> {c.after}"
                )
            if self.changed_total > 50:
                out.append(
                    f"    ... and {self.changed_total - 50} more (use --json for up to {CHANGED_LIST_LIMIT})"
                )
        if self.rereview_total:
            out.append(
                f"  {self.rereview_total} reviewed counts now need re-review (their recommendation changed)"
            )
        return out


def possible_outcomes(pack: Pack) -> tuple[str, ...]:
    """What ``pack`` can answer: its rules' outcomes, not eligible and needs review (the engine
    gives those two for any policy: another territory, a missing fact, an open question)."""
    given = {rule.outcome for rule in pack.rules} | {Outcome.NOT_ELIGIBLE, Outcome.NEEDS_REVIEW}
    return tuple(o.value for o in Outcome if o in given)


_GC_LOCK = threading.Lock()
_gc_depth = 0
_gc_saved: tuple[int, int, int] | None = None


@contextlib.contextmanager
def _bulk_gc() -> Iterator[None]:
    """Fewer cyclic-GC passes while a run allocates millions of short-lived tuples.

    With the default threshold (700) a million-count run triggers thousands of young
    collections, and the live batch survives into the old generations, whose full passes
    then rescan the heap: about a fifth of the run's time, for garbage that reference
    counting frees anyway. The thresholds are restored when the last concurrent run ends.
    """
    global _gc_depth, _gc_saved
    with _GC_LOCK:
        if _gc_depth == 0:
            _gc_saved = gc.get_threshold()
            gc.set_threshold(100_000, 50, 100)
        _gc_depth += 1
    try:
        yield
    finally:
        with _GC_LOCK:
            _gc_depth -= 1
            if _gc_depth == 0 and _gc_saved is not None:
                gc.set_threshold(*_gc_saved)


def _tally(by_outcome: Counter[Outcome]) -> Counter[str]:
    return Counter({outcome.value: n for outcome, n in by_outcome.items()})


def stored_options(ws: Any) -> dict[str, Any]:
    """The county's option overrides saved in the workspace settings (``policy_options``)."""
    text = ws.get_setting("policy_options") or "{}"
    try:
        value = json.loads(text)
    except ValueError:
        raise PolicyError(
            "The workspace's policy options are not valid JSON; set them again in Settings."
        ) from None
    if not isinstance(value, dict):
        raise PolicyError(
            "The workspace's policy options must be a JSON object of option names and values."
        )
    return value


def workspace_pack(ws: Any, options: Mapping[str, Any] | None = None) -> Pack:
    """The workspace's pack with its stored options, and ``options`` on top when given."""
    policy_id = ws.get_setting("policy_id")
    if not policy_id:
        raise PolicyError("This workspace has no policy yet: choose one in Settings (policy_id).")
    merged = stored_options(ws)
    if options:
        merged.update(options)
    return load_pack(policy_id, merged)


def evaluate(
    ws: Any,
    *,
    user: str,
    as_of: dt.date | None = None,
    dry_run: bool = False,
    options: Mapping[str, Any] | None = None,
    progress: Progress | None = None,
) -> EvaluationReport:
    """Evaluate every count; save a run (or, with ``dry_run``, compare with the latest run)."""
    started = utc_now()
    pack = workspace_pack(ws, options)
    day = effective_as_of(pack, as_of, started.date())
    people_total, count_total = store.count_totals(ws)
    previous = store.latest_run(ws)
    # Facts a caller's still-open transaction inserted are visible on ws's connection only.
    separate_reader = not store.uncommitted(ws)
    # Worker processes read on connections of their own: only committed facts in WAL mode.
    workers = worker_count(count_total) if separate_reader and store.is_wal(ws) else 1
    # Only the serial path needs every previous outcome at once (workers read their range's).
    previous_outcomes = (
        store.run_outcomes(ws, previous.id) if previous is not None and workers == 1 else None
    )

    outcome_tally: Counter[Outcome] = Counter()
    changed_ids: list[tuple[int, str | None, str]] = []
    changed_total = 0
    done = 0
    cache = store.ReasonCache()

    def run_all(source: Any, writer: store.ResultWriter | None) -> None:
        nonlocal done, changed_total
        # Tuple twins of the facts (app.core.records) and plain result tuples: at a million
        # counts, building a frozen dataclass per count and per recommendation costs seconds.
        for batch in store.iter_people_fast(source):
            if progress is not None and progress.cancelled():
                raise Cancelled()
            results = [r for person in batch for r in evaluate_person_results(pack, person, day)]
            changed_total += tally_results(
                results, outcome_tally, previous_outcomes, changed_ids, CHANGED_LIST_LIMIT
            )
            if writer is not None:
                writer.write(results)
            done += len(results)
            if progress is not None:
                progress.report(done, count_total, f"Evaluated {done:,} of {count_total:,} counts")

    options_json = {
        k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in pack.options.items()
    }
    run_id: int | None = None
    rereview = 0

    def run_parallel(writer: store.ResultWriter | None) -> None:
        nonlocal done, changed_total
        got = evaluate_parallel(
            ws,
            workers=workers,
            pack=pack,
            as_of=day,
            previous_run_id=previous.id if previous is not None else None,
            writer=writer,
            changed_limit=CHANGED_LIST_LIMIT,
            progress=progress,
            count_total=count_total,
        )
        done, changed_total = got.done, got.changed_total
        outcome_tally.update(got.outcome_tally)
        changed_ids.extend(got.changed)

    if dry_run:
        with _bulk_gc(), store.bulk_cache(ws):
            if workers > 1:
                run_parallel(None)
            else:
                run_all(ws, None)
        tally = _tally(outcome_tally)
    else:
        with _bulk_gc(), ws.transaction(), store.bulk_cache(ws):
            run_id = store.create_run(
                ws,
                policy_id=pack.id,
                pack_version=pack.version,
                pack_sha256=pack.sha256,
                options=options_json,
                as_of=day,
                engine_version=ENGINE_VERSION,
                user=user,
            )
            if workers > 1:
                with store.ResultWriter(ws, run_id, cache) as writer:
                    run_parallel(writer)
            else:
                with (
                    store.ResultWriter(ws, run_id, cache) as writer,
                    store.scan_source(ws, separate=separate_reader) as source,
                ):
                    run_all(source, writer)
            tally = _tally(outcome_tally)
            rereview = len(store.rereview_count_ids(ws, run_id))
            summary = {
                "outcomes": dict(sorted(tally.items())),
                "changed_vs_previous": changed_total if previous else None,
                "rereview": rereview,
            }
            store.finish_run(ws, run_id, count_total=done, summary=summary)
            ws.audit(
                user,
                "evaluate",
                f"run {run_id}",
                details={
                    "policy_id": pack.id,
                    "pack_version": pack.version,
                    "pack_sha256": pack.sha256,
                    "options": options_json,
                    "as_of": day.isoformat(),
                    "engine_version": ENGINE_VERSION,
                    "counts": done,
                    "outcomes": dict(sorted(tally.items())),
                    "previous_run": previous.id if previous else None,
                    "changed": changed_total if previous else None,
                    "rereview": rereview,
                },
            )
    numbers = store.case_numbers(ws, [c[0] for c in changed_ids]) if changed_ids else {}
    return EvaluationReport(
        run_id=run_id,
        policy_id=pack.id,
        pack_version=pack.version,
        pack_sha256=pack.sha256,
        options=dict(pack.options),
        as_of=day,
        engine_version=ENGINE_VERSION,
        count_total=done,
        people_total=people_total,
        outcomes=dict(sorted(tally.items())),
        dry_run=dry_run,
        previous_run_id=previous.id if previous else None,
        changed_total=changed_total,
        changed=[
            ChangedCount(cid, numbers.get(cid), before, after) for cid, before, after in changed_ids
        ],
        rereview_total=rereview,
        seconds=(utc_now() - started).total_seconds(),
        possible=possible_outcomes(pack),
    )


# -- county options -----------------------------------------------------------------------


@dataclass(frozen=True)
class OptionChange:
    name: str
    before: Any
    after: Any
    description: str


@dataclass(frozen=True)
class OptionsPreview:
    """What changing the county's options would do: the option changes and the outcome changes."""

    policy_id: str
    option_changes: list[OptionChange]
    report: EvaluationReport  # a dry run with the new options


def _normalize_options(pack: Pack, options: Mapping[str, Any]) -> dict[str, Any]:
    """Validate ``options`` against the pack (raises PolicyError) and keep only non-defaults."""
    checked = load_pack(pack.id, dict(options)).options  # validates names, types, ranges
    return {k: checked[k] for k in options if checked[k] != pack.option_defs[k].default}


def preview_options(
    ws: Any, options: Mapping[str, Any], *, user: str = "preview", progress: Progress | None = None
) -> OptionsPreview:
    """Which options change and how many outcomes would change (nothing is saved)."""
    current = workspace_pack(ws)
    new_pack = load_pack(current.id, {**stored_options(ws), **dict(options)})
    changes = [
        OptionChange(name, current.options.get(name), new_pack.options[name], d.description)
        for name, d in new_pack.option_defs.items()
        if current.options.get(name) != new_pack.options[name]
    ]
    report = evaluate(ws, user=user, dry_run=True, options=dict(options), progress=progress)
    return OptionsPreview(current.id, changes, report)


def apply_options(ws: Any, user: str, options: Mapping[str, Any]) -> dict[str, Any]:
    """Save the county's option overrides (policy_overrides row + settings), audited together."""
    current = workspace_pack(ws)
    merged = {**stored_options(ws), **dict(options)}
    effective = _normalize_options(current, merged)
    text = json.dumps(
        {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in sorted(effective.items())}
    )
    with ws.transaction():
        store.record_policy_override(ws, current.id, json.loads(text), user)
        ws.set_setting("policy_options", text, user=user)
        ws.audit(user, "policy.options", current.id, details={"options": json.loads(text)})
    return json.loads(text)
