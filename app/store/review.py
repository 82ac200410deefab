"""The review queue's SQL: the per-case summary, id arrays for sort/filter/search, pages by id,
the case detail, and the progress figures.

Why a summary table: the queue shows one row per case with figures aggregated over its
counts (recommendations of the latest run, the newest decision of each count). Aggregating
1,000,000 counts on every open or sort would take seconds, so ``review_cases`` keeps one
row per case. It is derived data: :func:`refresh` rebuilds it when the people, cases,
counts or evaluation runs changed (a cheap signature tells), and :func:`catch_up` folds in
new decisions incrementally (the decisions store calls it in the same transaction).

Why id arrays: the view keeps the ordered case ids of the current sort and filter (an
``array('q')``, 8 bytes a case) and fetches a page of rows by id. LIMIT/OFFSET pages slow
down with position and incremental fetching loads every row on the way to the end.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import sqlite3
import unicodedata
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from app.core.errors import Cancelled
from app.core.model import OUTCOME_LABELS, Outcome, Reason
from app.core.progress import Progress
from app.store.schema import MIGRATION_1

# Recommendation outcome -> summary column. "none" = not evaluated yet.
OUTCOME_COLUMNS: dict[str, str] = {
    Outcome.ELIGIBLE_DISMISS.value: "n_dismiss",
    Outcome.ELIGIBLE_REDUCE.value: "n_reduce",
    Outcome.ELIGIBLE_VACATE.value: "n_vacate",
    Outcome.NOT_ELIGIBLE.value: "n_not",
    Outcome.NEEDS_REVIEW.value: "n_review",
    "none": "n_none",
}
SHORT_OUTCOME = {
    Outcome.ELIGIBLE_DISMISS.value: "dismiss",
    Outcome.ELIGIBLE_REDUCE.value: "reduce",
    Outcome.ELIGIBLE_VACATE.value: "vacate",
    Outcome.NOT_ELIGIBLE.value: "not eligible",
    Outcome.NEEDS_REVIEW.value: "needs review",
    "none": "not evaluated",
}

# A case's review status (worst first): flagged beats everything, done means every count decided.
STATUSES = ("new", "partial", "skipped", "flagged", "done")
STATUS_LABELS = {
    "new": "Not started",
    "partial": "In progress",
    "skipped": "Skipped",
    "flagged": "Flagged",
    "done": "Done",
}

# Sort keys of the queue -> ORDER BY expression (fixed strings: never user text).
SORT_KEYS: dict[str, str] = {
    "case": "case_id",
    "name": "name_lf",
    "person_key": "key_fold",
    "case_number": "case_fold",
    "court": "coalesce(court, county)",
    "date": "case_date",
    "counts": "n_counts",
    "outcome": "n_review DESC, n_dismiss + n_reduce + n_vacate",
    "status": "status",
    "reviewer": "reviewer",
}

_REVIEW_INDEXES = [s for s in MIGRATION_1 if "ON review_cases(" in s]
_INDEX_NAMES = [s.split()[2] for s in _REVIEW_INDEXES]


# -- folding for search ------------------------------------------------------------------------


# ASCII text (nearly every name and case number) folds with one translate: letters lowered,
# apostrophes and backticks dropped, every other non-alphanumeric character a space.
_ASCII_FOLD = {
    code: (
        None
        if chr(code) in "'`"
        else chr(code).lower()
        if chr(code).isalnum()
        else " "
    )
    for code in range(128)
}


def fold(text: str | None) -> str:
    """Lower case, accents removed, apostrophes dropped, other punctuation as single spaces."""
    if not text:
        return ""
    if text.isascii():
        return " ".join(text.translate(_ASCII_FOLD).split())
    decomposed = unicodedata.normalize("NFKD", text)
    out: list[str] = []
    for ch in decomposed:
        if unicodedata.combining(ch):
            continue
        if ch.isalnum():
            out.append(ch.lower())
        elif ch in "'’`":
            continue
        else:
            out.append(" ")
    return " ".join("".join(out).split())


def fold_id(text: str | None) -> str:
    """Case numbers and person keys: lower-case letters and digits only ("BA-0012" -> "ba0012")."""
    return fold(text).replace(" ", "")


@functools.lru_cache(maxsize=4096)  # the three summary columns of a case ask in turn
def _name_parts(last: str | None, first: str | None, middle: str | None, full: str | None) -> tuple[str, str, str]:
    """(display, last-first key, first-last key) for a person."""
    if last:
        given = " ".join(p for p in (first, middle) if p)
        display = f"{last}, {given}" if given else last
        return display, fold(f"{last} {given}"), fold(f"{given} {last}")
    full = (full or "").strip()
    if "," in full:
        surname, _, given = full.partition(",")
        return full, fold(f"{surname} {given}"), fold(f"{given} {surname}")
    words = full.split()
    if len(words) > 1:
        return full, fold(" ".join([words[-1], *words[:-1]])), fold(full)
    return full, fold(full), fold(full)


def _display(last: str | None, first: str | None, middle: str | None, full: str | None) -> str:
    return _name_parts(last, first, middle, full)[0]


def _name_lf(last: str | None, first: str | None, middle: str | None, full: str | None) -> str:
    return _name_parts(last, first, middle, full)[1]


def _name_fl(last: str | None, first: str | None, middle: str | None, full: str | None) -> str:
    return _name_parts(last, first, middle, full)[2]


def _register_functions(conn: sqlite3.Connection) -> None:
    conn.create_function("cs_display", 4, _display, deterministic=True)
    conn.create_function("cs_name_lf", 4, _name_lf, deterministic=True)
    conn.create_function("cs_name_fl", 4, _name_fl, deterministic=True)
    conn.create_function("cs_fold_id", 1, fold_id, deterministic=True)


# -- the summary table ---------------------------------------------------------------------------


def latest_run_id(conn: sqlite3.Connection) -> int | None:
    """The current evaluation run: the newest one. Its recommendations are "current"."""
    row = conn.execute("SELECT max(id) FROM evaluation_runs").fetchone()
    return int(row[0]) if row and row[0] is not None else None


def signature(conn: sqlite3.Connection) -> str:
    """What the summary depends on, apart from decisions (those are folded in incrementally)."""
    values = conn.execute(
        "SELECT (SELECT max(id) FROM evaluation_runs), (SELECT max(id) FROM people), "
        "(SELECT count(*) FROM people), (SELECT max(id) FROM cases), (SELECT count(*) FROM cases), "
        "(SELECT max(id) FROM counts), (SELECT count(*) FROM counts)"
    ).fetchone()
    return "v1:" + ",".join("" if v is None else str(v) for v in values)


def _meta(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM review_meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def _set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute(
        "INSERT INTO review_meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


def is_fresh(conn: sqlite3.Connection) -> bool:
    """True when the summary matches the workspace (no rebuild and no decisions to fold in)."""
    if _meta(conn, "signature") != signature(conn):
        return False
    mark = int(_meta(conn, "decision_mark") or 0)
    latest = conn.execute("SELECT coalesce(max(id), 0) FROM decisions").fetchone()[0]
    return mark >= latest


def invalidate(conn: sqlite3.Connection) -> None:
    """Force a rebuild on next refresh: call after changing people or cases in place."""
    conn.execute("DELETE FROM review_meta WHERE key = 'signature'")


_SUMMARY_SELECT = """
SELECT ca.id, ca.person_id,
       cs_display(p.last_name, p.first_name, p.middle_name, p.full_name), p.person_key,
       cs_name_lf(p.last_name, p.first_name, p.middle_name, p.full_name),
       cs_name_fl(p.last_name, p.first_name, p.middle_name, p.full_name),
       cs_fold_id(p.person_key), ca.case_number, cs_fold_id(ca.case_number), ca.court, ca.county,
       coalesce(ca.filing_date, agg.first_date),
       coalesce(agg.n, 0), coalesce(agg.n_dismiss, 0), coalesce(agg.n_reduce, 0),
       coalesce(agg.n_vacate, 0), coalesce(agg.n_not, 0), coalesce(agg.n_review, 0),
       coalesce(agg.n_none, 0), coalesce(agg.n_decided, 0), coalesce(agg.n_flagged, 0),
       coalesce(agg.n_skipped, 0), coalesce(agg.n_rereview, 0),
       CASE WHEN coalesce(agg.n_flagged, 0) > 0 THEN 'flagged'
            WHEN coalesce(agg.n, 0) > 0 AND agg.n_decided = agg.n THEN 'done'
            WHEN coalesce(agg.n_skipped, 0) > 0 AND agg.n_decided + agg.n_skipped = agg.n THEN 'skipped'
            WHEN coalesce(agg.n_decided, 0) + coalesce(agg.n_skipped, 0) > 0 THEN 'partial'
            ELSE 'new' END,
       (SELECT user FROM decisions WHERE id = agg.last_decision),
       agg.last_decision
FROM cases ca
JOIN people p ON p.id = ca.person_id
LEFT JOIN (
    SELECT c.case_id AS case_id, count(*) AS n,
           sum(r.outcome = 'eligible_dismiss') AS n_dismiss,
           sum(r.outcome = 'eligible_reduce') AS n_reduce,
           sum(r.outcome = 'eligible_vacate') AS n_vacate,
           sum(r.outcome = 'not_eligible') AS n_not,
           sum(r.outcome = 'needs_review') AS n_review,
           sum(r.outcome IS NULL) AS n_none,
           sum(d.status = 'decided') AS n_decided,
           sum(d.status = 'flagged') AS n_flagged,
           sum(d.status = 'skipped') AS n_skipped,
           sum(d.status IN ('decided', 'flagged', 'skipped') AND d.recommended IS NOT r.outcome) AS n_rereview,
           max(d.id) AS last_decision,
           min(coalesce(c.offense_date, c.disposition_date)) AS first_date
    FROM counts c
    LEFT JOIN recommendations r ON r.run_id = :run AND r.count_id = c.id
    LEFT JOIN decisions d ON d.id = (SELECT max(id) FROM decisions WHERE count_id = c.id)
    {count_where}
    GROUP BY c.case_id
) agg ON agg.case_id = ca.id
{case_where}
"""

_SUMMARY_COLUMNS = (
    "case_id, person_id, person_name, person_key, name_lf, name_fl, key_fold, case_number, case_fold, "
    "court, county, case_date, n_counts, n_dismiss, n_reduce, n_vacate, n_not, n_review, n_none, "
    "n_decided, n_flagged, n_skipped, n_rereview, status, reviewer, last_decision_id"
)


def _with_progress(conn: sqlite3.Connection, progress: Progress | None) -> None:
    if progress is None:
        conn.set_progress_handler(None, 0)
        return

    def handler() -> int:
        # Non-zero interrupts the running statement; the caller's transaction rolls back.
        return 1 if progress.cancelled() else 0

    conn.set_progress_handler(handler, 20000)


def refresh(conn: sqlite3.Connection, progress: Progress | None = None) -> bool:
    """Bring the summary up to date. The caller holds a write transaction.

    Returns True when anything was rebuilt or folded in. A full rebuild of 1M counts takes
    seconds (run it off the UI thread); cancelling interrupts it and raises Cancelled.
    """
    sig = signature(conn)
    if _meta(conn, "signature") == sig:
        return catch_up(conn)
    _register_functions(conn)
    if progress is not None:
        progress.report(0, None, "Preparing the review queue…")
    _with_progress(conn, progress)
    try:
        # Dropping the indexes and building them after the insert is several times faster
        # than maintaining four indexes row by row.
        for name in _INDEX_NAMES:
            conn.execute(f"DROP INDEX IF EXISTS {name}")
        conn.execute("DELETE FROM review_cases")
        mark = conn.execute("SELECT coalesce(max(id), 0) FROM decisions").fetchone()[0]
        conn.execute(
            f"INSERT INTO review_cases ({_SUMMARY_COLUMNS}) "
            + _SUMMARY_SELECT.format(count_where="", case_where="ORDER BY ca.id"),
            {"run": latest_run_id(conn) or -1},
        )
        for statement in _REVIEW_INDEXES:
            conn.execute(statement)
    except sqlite3.OperationalError as exc:
        if "interrupt" in str(exc).lower():
            raise Cancelled() from exc
        raise
    finally:
        _with_progress(conn, None)
    _set_meta(conn, "signature", sig)
    _set_meta(conn, "decision_mark", str(mark))
    return True


def catch_up(conn: sqlite3.Connection) -> bool:
    """Fold decisions newer than the summary into it (caller holds the write transaction).

    Does nothing when the summary needs a full rebuild anyway (see :func:`refresh`).
    """
    if _meta(conn, "signature") is None:
        return False
    mark = int(_meta(conn, "decision_mark") or 0)
    latest = int(conn.execute("SELECT coalesce(max(id), 0) FROM decisions").fetchone()[0])
    if latest <= mark:
        return False
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS review_touched (case_id INTEGER PRIMARY KEY)")
    conn.execute("DELETE FROM temp.review_touched")
    conn.execute(
        "INSERT OR IGNORE INTO temp.review_touched(case_id) SELECT c.case_id FROM decisions d "
        "JOIN counts c ON c.id = d.count_id WHERE d.id > ?",
        (mark,),
    )
    update_cases(conn, None)
    conn.execute("DELETE FROM temp.review_touched")
    _set_meta(conn, "decision_mark", str(latest))
    return True


def update_cases(conn: sqlite3.Connection, case_ids: Sequence[int] | None) -> None:
    """Recompute the summary rows of some cases (None: those in temp.review_touched)."""
    _register_functions(conn)
    if case_ids is not None:
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS review_touched (case_id INTEGER PRIMARY KEY)")
        conn.execute("DELETE FROM temp.review_touched")
        conn.executemany("INSERT OR IGNORE INTO temp.review_touched(case_id) VALUES (?)", [(i,) for i in case_ids])
    conn.execute(
        f"INSERT OR REPLACE INTO review_cases ({_SUMMARY_COLUMNS}) "
        + _SUMMARY_SELECT.format(
            count_where="WHERE c.case_id IN (SELECT case_id FROM temp.review_touched)",
            case_where="WHERE ca.id IN (SELECT case_id FROM temp.review_touched)",
        ),
        {"run": latest_run_id(conn) or -1},
    )
    if case_ids is not None:
        conn.execute("DELETE FROM temp.review_touched")


# -- filters, sorting, search --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QueueFilter:
    """What the queue shows. Every field is optional; together they narrow (AND)."""

    outcome: str | None = None  # a recommendation outcome code, or "none" (not evaluated)
    status: str | None = None  # one of STATUSES, or "open" (anything not done)
    place: str | None = None  # a county or court, exactly as imported
    section: str | None = None  # an offense section, e.g. "11357"
    reviewer: str | None = None
    rereview: bool = False  # only cases whose decisions were made on an older recommendation
    search: str = ""  # name, case number or person key (prefix)

    def is_empty(self) -> bool:
        return self == QueueFilter()

    def describe(self) -> str:
        """Plain words for a confirmation: "outcome is Eligible: dismiss and county/court is KERN"."""
        parts = []
        if self.outcome:
            label = OUTCOME_LABELS.get(Outcome(self.outcome)) if self.outcome in OUTCOME_COLUMNS and self.outcome != "none" else "Not evaluated"
            parts.append(f"the recommendation is {label}")
        if self.status:
            parts.append(f"the review status is {STATUS_LABELS.get(self.status, 'not done') if self.status != 'open' else 'not done'}")
        if self.place:
            parts.append(f"the county or court is {self.place}")
        if self.section:
            parts.append(f"an offense is section {self.section}")
        if self.reviewer:
            parts.append(f"the last reviewer is {self.reviewer}")
        if self.rereview:
            parts.append("a decision needs re-review after a new evaluation")
        if self.search.strip():
            parts.append(f"the name, case number or person key starts with “{self.search.strip()}”")
        return " and ".join(parts) if parts else "every case"


def _prefix_range(prefix: str) -> tuple[str, str]:
    return prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _where(filt: QueueFilter) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if filt.outcome:
        column = OUTCOME_COLUMNS.get(filt.outcome)
        if column is None:
            raise ValueError(f"unknown outcome {filt.outcome!r}")
        clauses.append(f"{column} > 0")
    if filt.status:
        if filt.status == "open":
            clauses.append("status != 'done'")
        elif filt.status in STATUSES:
            clauses.append("status = ?")
            params.append(filt.status)
        else:
            raise ValueError(f"unknown review status {filt.status!r}")
    if filt.place:
        clauses.append("(county = ? OR court = ?)")
        params += [filt.place, filt.place]
    if filt.section:
        clauses.append("case_id IN (SELECT case_id FROM counts WHERE section = ?)")
        params.append(filt.section)
    if filt.reviewer:
        clauses.append("reviewer = ?")
        params.append(filt.reviewer)
    if filt.rereview:
        clauses.append("n_rereview > 0")
    text = filt.search.strip()
    if text:
        name, ident = fold(text), fold_id(text)
        parts: list[str] = []
        if name:
            for column in ("name_lf", "name_fl"):
                parts.append(f"SELECT case_id FROM review_cases WHERE {column} >= ? AND {column} < ?")
                params += list(_prefix_range(name))
        if ident:
            for column in ("case_fold", "key_fold"):
                parts.append(f"SELECT case_id FROM review_cases WHERE {column} >= ? AND {column} < ?")
                params += list(_prefix_range(ident))
        clauses.append(f"case_id IN ({' UNION '.join(parts)})" if parts else "0")
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def queue_ids(
    conn: sqlite3.Connection, filt: QueueFilter | None = None, sort: str = "case", descending: bool = False
) -> array:
    """The ordered case ids of the queue for this filter and sort (8 bytes a case)."""
    filt = filt or QueueFilter()
    order = SORT_KEYS.get(sort)
    if order is None:
        raise ValueError(f"unknown sort key {sort!r}")
    direction = " DESC" if descending else ""
    terms = [t.strip() for t in order.split(",")]
    order_sql = ", ".join(t if t.endswith(("DESC", "ASC")) else t + direction for t in terms)
    where, params = _where(filt)
    tie = "case_id DESC" if descending else "case_id"
    sql = f"SELECT case_id FROM review_cases{where} ORDER BY {order_sql}, {tie}"
    if sort == "case":
        sql = f"SELECT case_id FROM review_cases{where} ORDER BY {tie}"
    ids = array("q")
    cursor = conn.execute(sql, params)
    while True:
        rows = cursor.fetchmany(50000)
        if not rows:
            break
        ids.extend(r[0] for r in rows)
    return ids


@dataclass(frozen=True, slots=True)
class QueueRow:
    """One case as the queue shows it."""

    case_id: int
    person_id: int
    person_name: str
    person_key: str | None
    case_number: str
    court: str | None
    county: str | None
    case_date: str | None
    n_counts: int
    outcomes: dict[str, int]  # outcome code (or "none") -> number of counts
    n_decided: int
    n_flagged: int
    n_skipped: int
    n_rereview: int
    status: str
    reviewer: str | None

    @property
    def place(self) -> str:
        return " · ".join(p for p in (self.court, self.county) if p)

    @property
    def summary(self) -> str:
        """"2 dismiss · 1 needs review" (most favourable first)."""
        return " · ".join(f"{n} {SHORT_OUTCOME[o]}" for o, n in self.outcomes.items() if n)

    @property
    def status_text(self) -> str:
        text = STATUS_LABELS.get(self.status, self.status)
        if self.status == "partial":
            text += f" ({self.n_decided}/{self.n_counts})"
        if self.n_rereview:
            text += " · re-review"
        return text


_ROW_SELECT = (
    "SELECT case_id, person_id, person_name, person_key, case_number, court, county, case_date, "
    "n_counts, n_dismiss, n_reduce, n_vacate, n_not, n_review, n_none, n_decided, n_flagged, "
    "n_skipped, n_rereview, status, reviewer FROM review_cases"
)


def _queue_row(v: Sequence[Any]) -> QueueRow:
    outcomes = dict(zip(OUTCOME_COLUMNS, v[9:15]))
    return QueueRow(v[0], v[1], v[2] or "", v[3], v[4], v[5], v[6], v[7], v[8], outcomes, v[15], v[16], v[17], v[18], v[19], v[20])


def fetch_rows(conn: sqlite3.Connection, case_ids: Sequence[int]) -> list[QueueRow]:
    """The queue rows of these cases, in the order given (missing ids are left out)."""
    found: dict[int, QueueRow] = {}
    ids = list(case_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for v in conn.execute(f"{_ROW_SELECT} WHERE case_id IN ({marks})", chunk):
            found[v[0]] = _queue_row(v)
    return [found[i] for i in ids if i in found]


def filter_choices(conn: sqlite3.Connection) -> dict[str, list[str]]:
    """Values the filter bar offers: places, offense sections, reviewers, and the recommendation
    outcomes the current run gave (in the order of ``OUTCOME_COLUMNS``)."""
    places = sorted(
        {r[0] for r in conn.execute("SELECT DISTINCT county FROM cases WHERE county IS NOT NULL AND county != ''")}
        | {r[0] for r in conn.execute("SELECT DISTINCT court FROM cases WHERE court IS NOT NULL AND court != ''")}
    )
    # The sections come from the index (a skip-scan would be nicer; DISTINCT on the index is fine).
    sections = [r[0] for r in conn.execute("SELECT DISTINCT section FROM counts WHERE section IS NOT NULL ORDER BY section LIMIT 500")]
    reviewers = [r[0] for r in conn.execute("SELECT DISTINCT user FROM decisions ORDER BY user")]
    run = latest_run_id(conn)
    given = {r[0] for r in conn.execute("SELECT DISTINCT outcome FROM recommendations WHERE run_id = ?", (run,))} if run else set()
    outcomes = [code for code in OUTCOME_COLUMNS if code in given]
    return {"places": places, "sections": sections, "reviewers": reviewers, "outcomes": outcomes}


def case_ids_by_number(conn: sqlite3.Connection, case_number: str) -> list[int]:
    """Cases with exactly this case number (two people may share one in different courts)."""
    return [r[0] for r in conn.execute("SELECT id FROM cases WHERE case_number = ? ORDER BY id", (case_number,))]


def case_ids_of_counts(conn: sqlite3.Connection, count_ids: Sequence[int]) -> list[int]:
    """The distinct cases of these counts, in case id order."""
    out: set[int] = set()
    ids = list(count_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        out.update(r[0] for r in conn.execute(f"SELECT DISTINCT case_id FROM counts WHERE id IN ({marks})", chunk))
    return sorted(out)


# -- the case detail ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CountRecord:
    """A count with its recommendation, its current decision state and its source row."""

    count_id: int
    case_id: int
    case_number: str
    count_number: str | None
    offense_raw: str | None
    offense_display: str
    section: str | None
    description: str | None
    level: str | None
    disposition: str | None
    disposition_date: str | None
    offense_date: str | None
    court: str | None
    county: str | None
    outcome: str | None  # the latest run's recommendation (None: not evaluated)
    reasons: tuple[Reason, ...]
    run_id: int | None
    status: str  # decided | flagged | skipped | undecided
    final_outcome: str | None
    decided_by: str | None
    decided_at: str | None
    decision_reason: str | None
    decision_action: str | None
    decided_on: str | None  # the recommendation the current decision was made on
    source_file: str | None
    source_sheet: str | None
    source_row: int | None

    @property
    def needs_rereview(self) -> bool:
        return self.status != "undecided" and self.decided_on != self.outcome

    @property
    def event_date(self) -> str | None:
        return self.offense_date or self.disposition_date


@dataclass(frozen=True, slots=True)
class EventRecord:
    event_id: int
    event_type: str
    event_date: str | None
    offense_raw: str | None
    section: str | None
    description: str | None
    source_file: str | None
    source_row: int | None


@dataclass(frozen=True, slots=True)
class CaseRecord:
    case_id: int
    case_number: str
    court: str | None
    county: str | None
    filing_date: str | None
    status: str | None


@dataclass(frozen=True, slots=True)
class PersonRecord:
    person_id: int
    name: str
    person_key: str | None
    key_type: str | None
    dob: str | None
    dob_raw: str | None
    sex: str | None


@dataclass(frozen=True, slots=True)
class RunRecord:
    run_id: int
    policy_id: str
    pack_version: str | None
    as_of: str
    finished_at: str | None


@dataclass(frozen=True, slots=True)
class CaseDetail:
    """Everything the case view shows: the person, the case, its counts, the whole history."""

    case: CaseRecord
    person: PersonRecord
    counts: list[CountRecord]  # this case's counts
    history: list[CountRecord]  # every count of the person, this case's too, by date
    events: list[EventRecord]
    cases: dict[int, CaseRecord] = field(default_factory=dict)  # every case of the person
    run: RunRecord | None = None


_COUNT_SELECT = """
SELECT c.id, c.case_id, ca.case_number, c.count_number, c.offense_raw, c.code_book, c.section,
       c.subsections, c.attempt, c.conspiracy, c.offense_recognized, c.description, c.level,
       c.disposition, c.disposition_date, c.offense_date, ca.court, ca.county,
       r.outcome, r.reasons, r.run_id,
       d.status, d.final_outcome, d.user, d.at, d.reason, d.action, d.recommended,
       s.file_name, s.sheet, sr.row_number
FROM counts c
JOIN cases ca ON ca.id = c.case_id
LEFT JOIN recommendations r ON r.run_id = :run AND r.count_id = c.id
LEFT JOIN decisions d ON d.id = (SELECT max(id) FROM decisions WHERE count_id = c.id)
LEFT JOIN source_rows sr ON sr.id = c.source_row_id
LEFT JOIN sources s ON s.id = sr.source_id
"""


def _offense_display(raw: str | None, book: str | None, section: str | None, subs: str | None,
                     attempt: int, conspiracy: int, recognized: int) -> str:
    if not recognized or not section:
        return raw or "(no offense code)"
    prefix = "664/" if attempt else ("182/" if conspiracy else "")
    return f"{prefix}{section}{subs or ''}{' ' + book if book else ''}"


def _reasons(text: str | None) -> tuple[Reason, ...]:
    if not text:
        return ()
    try:
        data = json.loads(text)
    except ValueError:
        return (Reason("unreadable", "The stored reasons could not be read.", ""),)
    out = []
    for item in data if isinstance(data, list) else []:
        if isinstance(item, dict) and "code" in item and "text" in item:
            out.append(Reason.from_dict(item))
    return tuple(out)


def _count_record(v: Sequence[Any]) -> CountRecord:
    return CountRecord(
        count_id=v[0], case_id=v[1], case_number=v[2], count_number=v[3], offense_raw=v[4],
        offense_display=_offense_display(v[4], v[5], v[6], v[7], v[8], v[9], v[10]), section=v[6],
        description=v[11], level=v[12], disposition=v[13], disposition_date=v[14], offense_date=v[15],
        court=v[16], county=v[17], outcome=v[18], reasons=_reasons(v[19]), run_id=v[20],
        status=v[21] or "undecided", final_outcome=v[22], decided_by=v[23], decided_at=v[24],
        decision_reason=v[25], decision_action=v[26], decided_on=v[27],
        source_file=v[28], source_sheet=v[29], source_row=v[30],
    )


def case_counts(conn: sqlite3.Connection, case_id: int) -> list[CountRecord]:
    """The counts of one case with recommendation and current decision, in count order."""
    rows = conn.execute(_COUNT_SELECT + " WHERE c.case_id = :case ORDER BY c.id",
                        {"run": latest_run_id(conn) or -1, "case": case_id}).fetchall()
    return [_count_record(v) for v in rows]


def case_detail(conn: sqlite3.Connection, case_id: int) -> CaseDetail | None:
    """The case view's data: one person's whole history across every source, by date."""
    case = conn.execute(
        "SELECT id, person_id, case_number, court, county, filing_date, status FROM cases WHERE id = ?", (case_id,)
    ).fetchone()
    if case is None:
        return None
    person_id = case[1]
    p = conn.execute(
        "SELECT id, last_name, first_name, middle_name, full_name, person_key, key_type, dob, dob_raw, sex "
        "FROM people WHERE id = ?",
        (person_id,),
    ).fetchone()
    person = PersonRecord(p[0], _display(p[1], p[2], p[3], p[4]), p[5], p[6], p[7], p[8], p[9])
    run = latest_run_id(conn)
    history = [
        _count_record(v)
        for v in conn.execute(_COUNT_SELECT + " WHERE c.person_id = :person ORDER BY c.id",
                              {"run": run or -1, "person": person_id})
    ]
    history.sort(key=lambda c: (c.event_date or "9999", c.case_id, c.count_id))
    cases = {
        r[0]: CaseRecord(r[0], r[1], r[2], r[3], r[4], r[5])
        for r in conn.execute(
            "SELECT id, case_number, court, county, filing_date, status FROM cases WHERE person_id = ?", (person_id,)
        )
    }
    events = [
        EventRecord(*v)
        for v in conn.execute(
            "SELECT e.id, e.event_type, e.event_date, e.offense_raw, e.section, e.description, s.file_name, "
            "sr.row_number FROM events e LEFT JOIN source_rows sr ON sr.id = e.source_row_id "
            "LEFT JOIN sources s ON s.id = sr.source_id WHERE e.person_id = ? ORDER BY e.event_date, e.id",
            (person_id,),
        )
    ]
    run_record = None
    if run is not None:
        r = conn.execute(
            "SELECT id, policy_id, pack_version, as_of, finished_at FROM evaluation_runs WHERE id = ?", (run,)
        ).fetchone()
        run_record = RunRecord(*r)
    counts = sorted((c for c in history if c.case_id == case_id), key=lambda c: c.count_id)
    return CaseDetail(cases[case_id], person, counts, history, events, cases, run_record)


def unreviewed_counts(
    conn: sqlite3.Connection, filt: QueueFilter, *, include_statuses: Sequence[str] = ("undecided",)
) -> list[tuple[int, int, str]]:
    """(count_id, case_id, outcome) of counts a bulk accept would decide, and needs-review ones.

    Only counts of the filtered cases, with a recommendation in the latest run, whose current
    state is one of ``include_statuses`` (no decision counts as "undecided"). An outcome or
    section filter also narrows the counts, not only the cases.
    """
    where, params = _where(filt)
    count_clauses = []
    if filt.outcome and filt.outcome != "none":
        count_clauses.append("r.outcome = ?")
        params.append(filt.outcome)
    if filt.section:
        count_clauses.append("c.section = ?")
        params.append(filt.section)
    marks = ",".join("?" * len(include_statuses))
    params += list(include_statuses)
    sql = (
        "SELECT c.id, c.case_id, r.outcome FROM counts c "
        f"JOIN recommendations r ON r.run_id = ? AND r.count_id = c.id "
        "LEFT JOIN decisions d ON d.id = (SELECT max(id) FROM decisions WHERE count_id = c.id) "
        f"WHERE c.case_id IN (SELECT case_id FROM review_cases{where}) "
        + "".join(f"AND {cl} " for cl in count_clauses)
        + f"AND coalesce(d.status, 'undecided') IN ({marks}) ORDER BY c.case_id, c.id"
    )
    return [tuple(v) for v in conn.execute(sql, [latest_run_id(conn) or -1, *params])]  # type: ignore[misc]


# -- progress figures -----------------------------------------------------------------------------


# The days the decisions-per-day figures cover, ending today (the progress view draws them).
PROGRESS_DAYS = 30


@dataclass(frozen=True, slots=True)
class ProgressFigures:
    """Done and left by outcome and by reviewer, and decisions per day."""

    total_counts: int
    by_outcome: dict[str, dict[str, int]]  # outcome -> {"total", "decided", "flagged", "skipped", "left"}
    by_reviewer: dict[str, dict[str, int]]  # user -> {"decided", "flagged", "skipped"}
    per_day: list[tuple[str, int]]  # (local date, decisions that day), oldest first; none: left out
    cases_total: int
    cases_done: int


def progress_figures(conn: sqlite3.Connection, *, days: int = PROGRESS_DAYS) -> ProgressFigures:
    run = latest_run_id(conn) or -1
    total = int(conn.execute("SELECT count(*) FROM counts").fetchone()[0])
    by_outcome: dict[str, dict[str, int]] = {}
    evaluated = 0
    for outcome, n in conn.execute("SELECT outcome, count(*) FROM recommendations WHERE run_id = ? GROUP BY outcome", (run,)):
        by_outcome[outcome] = {"total": n, "decided": 0, "flagged": 0, "skipped": 0}
        evaluated += n
    if total - evaluated:
        by_outcome["none"] = {"total": total - evaluated, "decided": 0, "flagged": 0, "skipped": 0}
    by_reviewer: dict[str, dict[str, int]] = {}
    for outcome, status, user, n in conn.execute(
        "SELECT coalesce(r.outcome, 'none'), d.status, d.user, count(*) "
        "FROM (SELECT max(id) AS id FROM decisions GROUP BY count_id) m JOIN decisions d ON d.id = m.id "
        "LEFT JOIN recommendations r ON r.run_id = ? AND r.count_id = d.count_id "
        "WHERE d.status != 'undecided' GROUP BY 1, 2, 3",
        (run,),
    ):
        bucket = by_outcome.setdefault(outcome, {"total": 0, "decided": 0, "flagged": 0, "skipped": 0})
        bucket[status] = bucket.get(status, 0) + n
        person = by_reviewer.setdefault(user, {"decided": 0, "flagged": 0, "skipped": 0})
        person[status] = person.get(status, 0) + n
    for bucket in by_outcome.values():
        bucket["left"] = max(0, bucket["total"] - bucket["decided"])
    # Days as the reviewers lived them: this computer's local days (SQLite's 'localtime' is
    # the machine's time zone, daylight saving included). Stamps are UTC, so the scan starts a
    # day earlier and the days before the first are dropped.
    first = dt.date.today() - dt.timedelta(days=days - 1)
    per_day = [
        (d, n)
        for d, n in conn.execute(
            "SELECT date(at, 'localtime'), count(*) FROM decisions WHERE action != 'undo' AND at >= ? "
            "GROUP BY 1 ORDER BY 1",
            ((first - dt.timedelta(days=1)).isoformat(),),
        )
        if d >= first.isoformat()
    ]
    cases_total, cases_done = conn.execute(
        "SELECT count(*), coalesce(sum(status = 'done'), 0) FROM review_cases"
    ).fetchone()
    order = [*OUTCOME_COLUMNS]
    by_outcome = dict(sorted(by_outcome.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99))
    return ProgressFigures(total, by_outcome, dict(sorted(by_reviewer.items())), per_day, cases_total, cases_done)
