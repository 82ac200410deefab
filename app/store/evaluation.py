"""SQL for evaluation: stream people with their whole history, record runs and recommendations.

People are read in person-id order by merging three ordered scans (people, counts joined
to cases, events) instead of one query per person, so 1M counts stream in seconds with
flat memory. Recommendations are written with ``executemany`` inside the caller's
transaction. The re-review rule lives here too: a count needs re-review when its current
decision was made on a recommendation that differs from the latest run's.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from app.core.clock import stamp
from app.core.model import (
    CountFacts,
    Disposition,
    EventFacts,
    Level,
    Offense,
    PersonFacts,
    Recommendation,
)
from app.store.workspace import Workspace, json_dumps

_COUNT_SQL = """
SELECT c.person_id, c.id, c.case_id, ca.case_number, c.count_number, c.offense_raw,
       c.code_book, c.section, c.subsections, c.attempt, c.conspiracy, c.offense_recognized,
       c.description, c.level, c.level_raw, c.disposition, c.disposition_raw,
       c.disposition_date, c.disposition_date_raw, c.offense_date, ca.filing_date, ca.court,
       ca.county, ca.status, c.sentence, c.sentence_completed, c.comment
FROM counts c JOIN cases ca ON ca.id = c.case_id
ORDER BY c.person_id, c.id
"""
_EVENT_SQL = """
SELECT person_id, id, event_type, event_date, offense_raw, code_book, section, subsections, description
FROM events ORDER BY person_id, id
"""
_PEOPLE_SQL = "SELECT id, person_key, full_name, dob FROM people ORDER BY id"

_SUB = re.compile(r"\(([^()]*)\)")
_LEVELS = {lvl.value: lvl for lvl in Level}
_DISPOSITIONS = {d.value: d for d in Disposition}


class _Dates(dict[str | None, dt.date | None]):
    """ISO text -> date, memoised (a few thousand distinct dates cover a million rows)."""

    def __missing__(self, text: str | None) -> dt.date | None:
        try:
            value = dt.date.fromisoformat(text[:10]) if text else None
        except ValueError:
            value = None
        self[text] = value
        return value


class _Offenses(dict[tuple[Any, ...], Offense]):
    """Stored offense fields -> one shared Offense object per distinct code."""

    def __missing__(self, key: tuple[Any, ...]) -> Offense:
        raw, book, section, subs, attempt, conspiracy, recognized = key
        if recognized and section:
            off = Offense(
                raw=raw or "",
                code_book=book,
                section=section,
                subsections=tuple(s.strip().lower() for s in _SUB.findall(subs or "")),
                attempt=bool(attempt),
                conspiracy=bool(conspiracy),
            )
        else:
            off = Offense(raw=raw or "", recognized=False)
        self[key] = off
        return off


def count_totals(ws: Workspace) -> tuple[int, int]:
    """(people, counts) in the workspace, for progress."""
    people = ws.conn.execute("SELECT count(*) FROM people").fetchone()[0]
    counts = ws.conn.execute("SELECT count(*) FROM counts").fetchone()[0]
    return int(people), int(counts)


def iter_people(ws: Workspace, batch_size: int = 2000) -> Iterator[list[PersonFacts]]:
    """Every person with their counts and events, in person-id order, in batches."""
    conn = ws.conn
    dates = _Dates()
    offenses = _Offenses()
    count_rows = iter(conn.execute(_COUNT_SQL))
    event_rows = iter(conn.execute(_EVENT_SQL))
    next_count = next(count_rows, None)
    next_event = next(event_rows, None)
    levels, dispositions = _LEVELS, _DISPOSITIONS
    batch: list[PersonFacts] = []
    for pid, key, name, dob in conn.execute(_PEOPLE_SQL):
        counts: list[CountFacts] = []
        while next_count is not None and next_count[0] <= pid:
            r = next_count
            if r[0] == pid:
                # Positional arguments in CountFacts field order: measurably faster than keywords.
                counts.append(
                    CountFacts(
                        r[1],
                        pid,
                        r[2],
                        r[3],
                        r[4],
                        offenses[(r[5], r[6], r[7], r[8], r[9], r[10], r[11])],
                        r[12],
                        levels.get(r[13]),
                        r[14],
                        dispositions.get(r[15]),
                        r[16],
                        dates[r[17]],
                        r[18],
                        dates[r[19]],
                        dates[r[20]],
                        r[21],
                        r[22],
                        r[23],
                        r[24],
                        None if r[25] is None else bool(r[25]),
                        r[26],
                    )
                )
            next_count = next(count_rows, None)
        events: list[EventFacts] = []
        while next_event is not None and next_event[0] <= pid:
            e = next_event
            if e[0] == pid:
                off = (
                    offenses[(e[4], e[5], e[6], e[7], 0, 0, 1 if e[6] else 0)]
                    if (e[4] or e[6])
                    else None
                )
                events.append(EventFacts(e[1], pid, e[2], dates[e[3]], off, e[8]))
            next_event = next(event_rows, None)
        batch.append(PersonFacts(pid, key, name, dates[dob], tuple(counts), tuple(events)))
        if len(batch) >= batch_size:
            yield batch
            batch = []
    if batch:
        yield batch


def load_person(ws: Workspace, person_id: int) -> PersonFacts | None:
    """One person's facts (for the case view and tests); same mapping as :func:`iter_people`."""
    conn = ws.conn
    row = conn.execute(
        "SELECT id, person_key, full_name, dob FROM people WHERE id = ?", (person_id,)
    ).fetchone()
    if row is None:
        return None
    dates = _Dates()
    offenses = _Offenses()
    counts = []
    sql = _COUNT_SQL.replace("ORDER BY", "WHERE c.person_id = ? ORDER BY")
    for r in conn.execute(sql, (person_id,)):
        counts.append(
            CountFacts(
                r[1],
                person_id,
                r[2],
                r[3],
                r[4],
                offenses[(r[5], r[6], r[7], r[8], r[9], r[10], r[11])],
                r[12],
                _LEVELS.get(r[13]) if r[13] else None,
                r[14],
                _DISPOSITIONS.get(r[15]) if r[15] else None,
                r[16],
                dates[r[17]],
                r[18],
                dates[r[19]],
                dates[r[20]],
                r[21],
                r[22],
                r[23],
                r[24],
                None if r[25] is None else bool(r[25]),
                r[26],
            )
        )
    events = []
    for e in conn.execute(
        _EVENT_SQL.replace("ORDER BY", "WHERE person_id = ? ORDER BY"), (person_id,)
    ):
        off = offenses[(e[4], e[5], e[6], e[7], 0, 0, 1 if e[6] else 0)] if (e[4] or e[6]) else None
        events.append(EventFacts(e[1], person_id, e[2], dates[e[3]], off, e[8]))
    return PersonFacts(row[0], row[1], row[2], dates[row[3]], tuple(counts), tuple(events))


# -- runs ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RunInfo:
    id: int
    policy_id: str
    pack_version: str | None
    pack_sha256: str
    options: dict[str, Any]
    as_of: dt.date
    engine_version: str
    started_at: str
    finished_at: str | None
    user: str | None
    count_total: int
    summary: dict[str, Any]


def create_run(
    ws: Workspace,
    *,
    policy_id: str,
    pack_version: str,
    pack_sha256: str,
    options: dict[str, Any],
    as_of: dt.date,
    engine_version: str,
    user: str,
) -> int:
    """Insert the run row (inside the caller's transaction) and return its id."""
    cur = ws.conn.execute(
        "INSERT INTO evaluation_runs (policy_id, pack_version, pack_sha256, options, as_of, engine_version, "
        "started_at, user) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            policy_id,
            pack_version,
            pack_sha256,
            json_dumps(options),
            as_of.isoformat(),
            engine_version,
            stamp(),
            user,
        ),
    )
    return int(cur.lastrowid or 0)


class ReasonCache:
    """Serialises recommendations; identical reason lists are encoded once (most repeat).

    The engine returns the same reasons tuple for every count its plan decides from the
    offense code alone, so a lookup by identity (holding the tuple, so its id cannot be
    reused) serves most counts; other lists are keyed by their content.
    """

    def __init__(self) -> None:
        self._by_id: dict[int, tuple[tuple[Any, ...], tuple[str, str]]] = {}
        self._by_content: dict[tuple[Any, ...], tuple[str, str]] = {}

    def encode(self, rec: Recommendation) -> tuple[str, str]:
        reasons = rec.reasons
        hit = self._by_id.get(id(reasons))
        if hit is not None and hit[0] is reasons:
            return hit[1]
        try:
            key: tuple[Any, ...] | None = tuple(
                (r.code, r.text, tuple(r.facts.items())) for r in reasons
            )
            encoded = self._by_content.get(key)  # type: ignore[arg-type]
        except TypeError:  # an unhashable fact value: encode without the content cache
            key, encoded = None, None
        if encoded is None:
            rule_ids = json.dumps([r.code for r in reasons])
            text = json.dumps(
                [r.to_dict() for r in reasons], ensure_ascii=False, sort_keys=True, default=str
            )
            encoded = (rule_ids, text)
            if key is not None and len(self._by_content) < 200_000:
                self._by_content[key] = encoded
        if len(self._by_id) < 200_000:
            self._by_id[id(reasons)] = (reasons, encoded)
        return encoded


def save_recommendations(
    ws: Workspace, run_id: int, recs: Iterable[Recommendation], cache: ReasonCache
) -> int:
    """Insert recommendations of ``run_id`` (caller's transaction); returns how many."""
    rows = []
    for rec in recs:
        rule_ids, reasons = cache.encode(rec)
        rows.append((run_id, rec.count_id, rec.outcome.value, rule_ids, reasons))
    ws.conn.executemany(
        "INSERT INTO recommendations (run_id, count_id, outcome, rule_ids, reasons) VALUES (?, ?, ?, ?, ?)",
        rows,
    )
    return len(rows)


def finish_run(ws: Workspace, run_id: int, *, count_total: int, summary: dict[str, Any]) -> None:
    ws.conn.execute(
        "UPDATE evaluation_runs SET finished_at = ?, count_total = ?, summary = ? WHERE id = ?",
        (stamp(), count_total, json_dumps(summary), run_id),
    )


def _run(row: tuple[Any, ...]) -> RunInfo:
    return RunInfo(
        id=row[0],
        policy_id=row[1],
        pack_version=row[2],
        pack_sha256=row[3],
        options=json.loads(row[4] or "{}"),
        as_of=dt.date.fromisoformat(row[5]),
        engine_version=row[6],
        started_at=row[7],
        finished_at=row[8],
        user=row[9],
        count_total=row[10],
        summary=json.loads(row[11] or "{}"),
    )


_RUN_COLUMNS = (
    "id, policy_id, pack_version, pack_sha256, options, as_of, engine_version, started_at, finished_at, user, "
    "count_total, summary"
)


def latest_run(ws: Workspace) -> RunInfo | None:
    row = ws.conn.execute(
        f"SELECT {_RUN_COLUMNS} FROM evaluation_runs ORDER BY id DESC LIMIT 1"
    ).fetchone()
    return _run(row) if row else None


def get_run(ws: Workspace, run_id: int) -> RunInfo | None:
    row = ws.conn.execute(
        f"SELECT {_RUN_COLUMNS} FROM evaluation_runs WHERE id = ?", (run_id,)
    ).fetchone()
    return _run(row) if row else None


def list_runs(ws: Workspace) -> list[RunInfo]:
    return [
        _run(r) for r in ws.conn.execute(f"SELECT {_RUN_COLUMNS} FROM evaluation_runs ORDER BY id")
    ]


@dataclass(frozen=True, slots=True)
class StoredRecommendation:
    count_id: int
    outcome: str
    rule_ids: list[str]
    reasons: list[dict[str, Any]]


def run_recommendations(ws: Workspace, run_id: int) -> Iterator[StoredRecommendation]:
    for count_id, outcome, rule_ids, reasons in ws.conn.execute(
        "SELECT count_id, outcome, rule_ids, reasons FROM recommendations WHERE run_id = ? ORDER BY count_id",
        (run_id,),
    ):
        yield StoredRecommendation(count_id, outcome, json.loads(rule_ids), json.loads(reasons))


def run_outcomes(ws: Workspace, run_id: int) -> dict[int, str]:
    """count id -> outcome of one run (for dry-run comparison)."""
    intern = {}
    out: dict[int, str] = {}
    for count_id, outcome in ws.conn.execute(
        "SELECT count_id, outcome FROM recommendations WHERE run_id = ?", (run_id,)
    ):
        out[count_id] = intern.setdefault(outcome, outcome)
    return out


def outcome_counts(ws: Workspace, run_id: int) -> dict[str, int]:
    return dict(
        ws.conn.execute(
            "SELECT outcome, count(*) FROM recommendations WHERE run_id = ? GROUP BY outcome ORDER BY outcome",
            (run_id,),
        ).fetchall()
    )


def case_numbers(ws: Workspace, count_ids: list[int]) -> dict[int, str]:
    """count id -> its case number (for reports naming changed counts)."""
    out: dict[int, str] = {}
    for i in range(0, len(count_ids), 500):
        chunk = count_ids[i : i + 500]
        marks = ",".join("?" * len(chunk))
        out.update(
            ws.conn.execute(
                f"SELECT c.id, ca.case_number FROM counts c JOIN cases ca ON ca.id = c.case_id WHERE c.id IN ({marks})",
                chunk,
            ).fetchall()
        )
    return out


_CURRENT_DECISION = """
SELECT d.count_id, d.recommended, r.outcome
FROM decisions d
JOIN (SELECT count_id, max(id) AS id FROM decisions GROUP BY count_id) cur ON cur.id = d.id
LEFT JOIN recommendations r ON r.run_id = ? AND r.count_id = d.count_id
WHERE d.status IN ('decided', 'flagged', 'skipped') AND d.recommended IS NOT r.outcome
ORDER BY d.count_id
"""


def rereview_count_ids(ws: Workspace, run_id: int | None = None) -> list[int]:
    """Counts whose current decision was made on a recommendation the run no longer gives."""
    if run_id is None:
        run = latest_run(ws)
        if run is None:
            return []
        run_id = run.id
    return [r[0] for r in ws.conn.execute(_CURRENT_DECISION, (run_id,))]


# -- county option overrides ---------------------------------------------------------------


def record_policy_override(
    ws: Workspace, policy_id: str, options: dict[str, Any], user: str
) -> int:
    """Append the county's option set (caller's transaction); the newest row is current."""
    cur = ws.conn.execute(
        "INSERT INTO policy_overrides (policy_id, options, created_at, created_by) VALUES (?, ?, ?, ?)",
        (policy_id, json_dumps(options), stamp(), user),
    )
    return int(cur.lastrowid or 0)


def policy_override_history(
    ws: Workspace, policy_id: str
) -> list[tuple[int, dict[str, Any], str, str | None]]:
    return [
        (r[0], json.loads(r[1]), r[2], r[3])
        for r in ws.conn.execute(
            "SELECT id, options, created_at, created_by FROM policy_overrides WHERE policy_id = ? ORDER BY id",
            (policy_id,),
        )
    ]
