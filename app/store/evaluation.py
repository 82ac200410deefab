"""SQL for evaluation: stream people with their whole history, record runs and recommendations.

People are read in person-id order by merging three ordered scans (people, counts joined
to cases, events) instead of one query per person, so 1M counts stream in seconds with
flat memory. Recommendations are written with ``executemany`` inside the caller's
transaction. The re-review rule lives here too: a count needs re-review when its current
decision was made on a recommendation that differs from the latest run's.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import queue
import re
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Any

from app.core.clock import stamp
from app.core.errors import WorkspaceError
from app.core.model import (
    CountFacts,
    Disposition,
    EventFacts,
    Level,
    Offense,
    Outcome,
    PersonFacts,
    Reason,
    Recommendation,
)
from app.core.records import to_model, tuple_twin
from app.store.workspace import Workspace, json_dumps

# Both scans run over the (person_id, id) indexes, so SQLite never sorts.
_COUNT_SQL = """
SELECT c.person_id, c.id, c.case_id, ca.case_number, c.count_number, c.offense_raw,
       c.code_book, c.section, c.subsections, c.attempt, c.conspiracy, c.offense_recognized,
       c.description, c.level, c.level_raw, c.disposition, c.disposition_raw,
       c.disposition_date, c.disposition_date_raw, c.offense_date, ca.filing_date, ca.court,
       ca.county, ca.status, c.sentence, c.sentence_completed, c.comment
FROM counts c JOIN cases ca ON ca.id = c.case_id
{where}ORDER BY c.person_id, c.id
"""
_EVENT_SQL = """
SELECT person_id, id, event_type, event_date, offense_raw, code_book, section, subsections, description
FROM events {where}ORDER BY person_id, id
"""
_PEOPLE_SQL = "SELECT id, person_key, full_name, dob FROM people {where}ORDER BY id"

_SUB = re.compile(r"\(([^()]*)\)")


class _Lookup(dict[Any, Any]):
    """A mapping whose unknown keys read as ``default(key)``: ``m[x]`` beats ``m.get(x)``."""

    def __init__(self, items: dict[Any, Any], default: Callable[[Any], Any]) -> None:
        super().__init__(items)
        self.default = default

    def __missing__(self, key: Any) -> Any:
        return self.default(key)


# Stored text -> enum member (None and anything unknown -> None); 0/1/NULL -> bool/None.
_LEVELS = _Lookup({None: None, **{lvl.value: lvl for lvl in Level}}, lambda _: None)
_DISPOSITIONS = _Lookup({None: None, **{d.value: d for d in Disposition}}, lambda _: None)
_BOOLS = _Lookup({None: None, 0: False, 1: True}, bool)
_BY_PERSON = itemgetter(0)


class _Dates(dict[str | None, dt.date | None]):
    """ISO text -> date, memoised (a few thousand distinct dates cover a million rows)."""

    def __missing__(self, text: str | None) -> dt.date | None:
        try:
            value = dt.date.fromisoformat(text[:10]) if text else None
        except ValueError:
            value = None
        if len(self) >= 500_000:  # shared across reads: stay bounded on any data
            self.clear()
        self[text] = value
        return value


class _Offenses(dict[tuple[Any, ...], Offense]):
    """Stored offense fields -> one shared Offense object per distinct code.

    :meth:`of_row` finds a row's offense by its raw text first: every value of a fetched
    row is a new string, and hashing one string and comparing the other six (a memcmp
    each) costs a fraction of hashing all seven.
    """

    def __init__(self) -> None:
        super().__init__()
        self.by_raw: dict[Any, tuple[tuple[Any, ...], Offense]] = {}

    def of_row(self, row: tuple[Any, ...]) -> Offense:
        """The offense of a _COUNT_SQL row (columns 5 to 11)."""
        hit = self.by_raw.get(row[5])
        key = row[5:12]
        if hit is not None and hit[0] == key:
            return hit[1]
        off = self[key]
        self.by_raw[row[5]] = (key, off)
        return off

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


_DATES = _Dates()  # shared by every read: parsing is pure, and a few thousand dates recur

# Where each CountFacts field is in a _COUNT_SQL row with _Facts.counts' converted values
# appended (27 offense, 28 level, 29 disposition). Dates and the sentence flag are
# converted when read: most counts (history decided by its code) never have them read.
_COUNT_LAYOUT: dict[str, Any] = {
    "count_id": 1,
    "person_id": 0,
    "case_id": 2,
    "case_number": 3,
    "count_number": 4,
    "offense": 27,
    "description": 12,
    "level": 28,
    "level_raw": 14,
    "disposition": 29,
    "disposition_raw": 16,
    "disposition_date": (17, _DATES.__getitem__),
    "disposition_date_raw": 18,
    "offense_date": (19, _DATES.__getitem__),
    "filing_date": (20, _DATES.__getitem__),
    "court": 21,
    "county": 22,
    "case_status": 23,
    "sentence": 24,
    "sentence_completed": (25, _BOOLS.__getitem__),
    "comment": 26,
}


class _Facts:
    """Stored rows -> facts, sharing date and offense objects across one read.

    ``twins`` builds tuple twins of the model's dataclasses (app.core.records): the same
    attributes, several times cheaper to build, for the bulk evaluation path. Without it
    the real frozen dataclasses are built (the case view, tests). One mapping serves both,
    so the two can never disagree about a field.
    """

    def __init__(self, *, twins: bool) -> None:
        self.dates = _DATES
        self.offenses = _Offenses()
        self.make_count: Callable[[tuple[Any, ...]], CountFacts]
        self.make_event: Callable[[tuple[Any, ...]], EventFacts]
        self.make_person: Callable[[tuple[Any, ...]], PersonFacts]
        if twins:
            self.make_count = tuple_twin(CountFacts, _COUNT_LAYOUT)  # type: ignore[assignment]
            self.make_event = tuple_twin(EventFacts)  # type: ignore[assignment]
            self.make_person = tuple_twin(PersonFacts)  # type: ignore[assignment]
        else:
            # The dataclass is read off the twin: one mapping, so the two cannot disagree.
            twin = tuple_twin(CountFacts, _COUNT_LAYOUT)
            self.make_count = lambda v: to_model(twin(v))
            self.make_event = lambda v: EventFacts(*v)
            self.make_person = lambda v: PersonFacts(*v)

    def counts(self, rows: Iterable[tuple[Any, ...]]) -> tuple[CountFacts, ...]:
        """Rows of _COUNT_SQL (one person's) -> counts (see _COUNT_LAYOUT)."""
        make, offense_of = self.make_count, self.offenses.of_row
        by_raw = self.offenses.by_raw.get
        levels, dispositions = _LEVELS, _DISPOSITIONS
        # One comprehension per person, appending only the converted values to each row:
        # this line runs a million times in a bulk run. of_row's raw-text hit is inlined
        # (same test: the raw text's entry, then all seven stored fields equal); a miss
        # goes through of_row itself.
        return tuple(
            [
                make(
                    r
                    + (
                        hit[1]
                        if (hit := by_raw(r[5])) is not None and hit[0] == r[5:12]
                        else offense_of(r),
                        levels[r[13]],
                        dispositions[r[15]],
                    )
                )
                for r in rows
            ]
        )

    def events(self, rows: Iterable[tuple[Any, ...]]) -> tuple[EventFacts, ...]:
        offenses, dates = self.offenses, self.dates
        return tuple(
            self.make_event(
                (
                    e[1],
                    e[0],
                    e[2],
                    dates[e[3]],
                    offenses[(e[4], e[5], e[6], e[7], 0, 0, 1 if e[6] else 0)]
                    if (e[4] or e[6])
                    else None,
                    e[8],
                )
            )
            for e in rows
        )

    def person(
        self,
        row: tuple[Any, ...],
        counts: tuple[CountFacts, ...],
        events: tuple[EventFacts, ...],
        pending_match: str | None = None,
    ) -> PersonFacts:
        return self.make_person(
            (row[0], row[1], row[2], self.dates[row[3]], counts, events, pending_match)
        )


def pending_matches(ws: Workspace, bounds: tuple[int, int] | None = None) -> dict[int, str]:
    """person id -> the other record of an open same-person proposal, in words.

    Both people of a proposal get one (each may be missing the other's history). A person in
    several proposals gets the first and the number of the others. ``bounds`` limits the
    answer to people with ids ``first`` to ``last``.
    """
    # A worker's range reads only its own people's proposals (a keyless workspace can hold
    # hundreds of thousands, and every range of a run asks).
    within = (
        ""
        if bounds is None
        else (" AND (m.person_a BETWEEN ? AND ? OR m.person_b BETWEEN ? AND ?)")
    )
    rows = ws.conn.execute(
        "SELECT m.id, m.person_a, m.person_b, a.full_name, a.dob, a.person_key, a.key_type, "
        "b.full_name, b.dob, b.person_key, b.key_type FROM person_matches m "
        "JOIN people a ON a.id = m.person_a JOIN people b ON b.id = m.person_b "
        f"WHERE m.status = 'proposed'{within} ORDER BY m.id",
        () if bounds is None else (*bounds, *bounds),
    ).fetchall()
    found: dict[int, list[str]] = {}
    for match_id, a, b, *people in rows:
        for pid, (name, dob, key, key_type) in ((a, people[4:]), (b, people[:4])):
            if bounds is not None and not bounds[0] <= pid <= bounds[1]:
                continue
            keyed = f", {key_type or 'key'} {key}" if key else ", no person key"
            found.setdefault(pid, []).append(
                f"{name or 'no name'} (born {dob or 'unknown'}{keyed}; match {match_id})"
            )
    return {
        pid: others[0] + (f" and {len(others) - 1} more" if len(others) > 1 else "")
        for pid, others in found.items()
    }


def count_totals(ws: Workspace) -> tuple[int, int]:
    """(people, counts) in the workspace, for progress."""
    people = ws.conn.execute("SELECT count(*) FROM people").fetchone()[0]
    counts = ws.conn.execute("SELECT count(*) FROM counts").fetchone()[0]
    return int(people), int(counts)


_END = (float("inf"), ())  # stands for an exhausted scan: every person id is smaller


def _stream(
    ws: Workspace, facts: _Facts, batch_size: int, bounds: tuple[int, int] | None = None
) -> Iterator[list[PersonFacts]]:
    """Merge the three ordered scans person by person (groupby does the per-row work in C).

    ``bounds`` (first, last person id, inclusive) limits the scans to a range of people.
    """
    conn = ws.conn
    empty: tuple[Any, ...] = ()
    if bounds is None:
        where = where_c = where_p = ""
        args: tuple[int, ...] = ()
    else:
        where, where_c, where_p = (
            "WHERE person_id BETWEEN ? AND ? ",
            "WHERE c.person_id BETWEEN ? AND ? ",
            "WHERE id BETWEEN ? AND ? ",
        )
        args = bounds
    count_groups = groupby(conn.execute(_COUNT_SQL.format(where=where_c), args), _BY_PERSON)
    event_groups = groupby(conn.execute(_EVENT_SQL.format(where=where), args), _BY_PERSON)
    counts_of, events_of, make_person, dates = (
        facts.counts,
        facts.events,
        facts.make_person,
        facts.dates,
    )
    next_counts: tuple[Any, Any] = next(count_groups, _END)
    next_events: tuple[Any, Any] = next(event_groups, _END)
    pending = pending_matches(ws, bounds).get
    batch: list[PersonFacts] = []
    for row in conn.execute(_PEOPLE_SQL.format(where=where_p), args):
        pid = row[0]
        # Rows of a person id with no people row (impossible with foreign keys on) are skipped.
        while next_counts[0] < pid:
            next_counts = next(count_groups, _END)
        if next_counts[0] == pid:
            counts = counts_of(next_counts[1])
            next_counts = next(count_groups, _END)
        else:
            counts = empty
        while next_events[0] < pid:
            next_events = next(event_groups, _END)
        if next_events[0] == pid:
            events = events_of(next_events[1])
            next_events = next(event_groups, _END)
        else:
            events = empty
        batch.append(
            make_person((pid, row[1], row[2], dates[row[3]], counts, events, pending(pid)))
        )
        if len(batch) >= batch_size:
            yield batch
            batch = []
    if batch:
        yield batch


def iter_people(ws: Workspace, batch_size: int = 2000) -> Iterator[list[PersonFacts]]:
    """Every person with their counts and events, in person-id order, in batches."""
    return _stream(ws, _Facts(twins=False), batch_size)


def iter_people_fast(ws: Workspace, batch_size: int = 2000) -> Iterator[list[PersonFacts]]:
    """As :func:`iter_people`, with tuple twins of the facts (app.core.records) for bulk runs.

    The twins read like PersonFacts / CountFacts / EventFacts (same attribute names and
    properties) but are not those classes: use them for evaluation, not for display.
    """
    return _stream(ws, _Facts(twins=True), batch_size)


def iter_people_range(
    ws: Workspace, first: int, last: int, batch_size: int = 2000
) -> Iterator[list[PersonFacts]]:
    """:func:`iter_people_fast` for the people with ids ``first`` to ``last`` (inclusive)."""
    return _stream(ws, _Facts(twins=True), batch_size, (first, last))


def person_id_ranges(ws: Workspace, people_per_range: int) -> list[tuple[int, int]]:
    """Consecutive (first, last) person-id ranges of about ``people_per_range`` people each,
    covering every person, in id order (for splitting a run between worker processes)."""
    ids = [r[0] for r in ws.conn.execute("SELECT id FROM people ORDER BY id")]
    step = max(1, people_per_range)
    return [(ids[i], ids[min(i + step, len(ids)) - 1]) for i in range(0, len(ids), step)]


def range_outcomes(ws: Workspace, run_id: int, first: int, last: int) -> dict[int, str]:
    """count id -> outcome in run ``run_id`` for the counts of people ``first`` to ``last``."""
    return dict(
        ws.conn.execute(
            "SELECT r.count_id, r.outcome FROM counts c JOIN recommendations r "
            "ON r.run_id = ? AND r.count_id = c.id WHERE c.person_id BETWEEN ? AND ?",
            (run_id, first, last),
        )
    )


def open_reader(path: str | os.PathLike[str]) -> Workspace:
    """A read-only connection to a workspace another process holds open (for worker
    processes: they read committed facts and can never write)."""
    uri = Path(path).resolve().as_uri() + "?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA busy_timeout = 5000")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as exc:
        raise WorkspaceError(f"The workspace could not be read: {exc}", file=str(path)) from exc
    return Workspace(Path(path), conn, None)


def load_person(ws: Workspace, person_id: int) -> PersonFacts | None:
    """One person's facts (for the case view and tests); same mapping as :func:`iter_people`."""
    conn = ws.conn
    row = conn.execute(_PEOPLE_SQL.format(where="WHERE id = ? "), (person_id,)).fetchone()
    if row is None:
        return None
    facts = _Facts(twins=False)
    counts = facts.counts(
        conn.execute(_COUNT_SQL.format(where="WHERE c.person_id = ? "), (person_id,))
    )
    events = facts.events(
        conn.execute(_EVENT_SQL.format(where="WHERE person_id = ? "), (person_id,))
    )
    return facts.person(
        row, counts, events, pending_matches(ws, (person_id, person_id)).get(person_id)
    )


def uncommitted(ws: Workspace) -> bool:
    """True when ``ws``'s connection is inside a transaction (its changes not yet committed)."""
    return ws.conn.in_transaction


def is_wal(ws: Workspace) -> bool:
    """True when the workspace is in WAL mode (readers and the writer do not block each other)."""
    mode = ws.conn.execute("PRAGMA journal_mode").fetchone()[0]
    return str(mode).lower() == "wal"


@contextlib.contextmanager
def scan_source(ws: Workspace, *, separate: bool) -> Iterator[Workspace]:
    """The workspace to stream people from while ``ws`` writes a run's recommendations.

    With ``separate`` and a WAL workspace this is a second connection: its scans then never
    wait on the connection lock the inserts (on another thread) hold, and a WAL reader sees
    the committed people, counts and events, which a run does not change. The caller must
    pass ``separate=False`` when ``ws`` may hold uncommitted facts (an outer transaction);
    without WAL (a network drive) a reader would block the writer, so ``ws`` itself is used.
    """
    mode = ws.conn.execute("PRAGMA journal_mode").fetchone()[0]
    if not separate or str(mode).lower() != "wal":
        yield ws
        return
    reader = Workspace.attach(ws.path)
    try:
        yield reader
    finally:
        reader.close()


@contextlib.contextmanager
def bulk_cache(ws: Workspace, mib: int = 64) -> Iterator[None]:
    """A bigger page cache for one bulk run (a million inserts otherwise spill to the WAL
    page by page before the commit); the connection's own size is restored afterwards."""
    old = ws.conn.execute("PRAGMA cache_size").fetchone()[0]
    ws.conn.execute(f"PRAGMA cache_size = {-1024 * int(mib)}")
    try:
        yield
    finally:
        ws.conn.execute(f"PRAGMA cache_size = {int(old)}")


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


# What json.dumps(..., ensure_ascii=False, sort_keys=True, default=str) writes, without
# building a new encoder for each of tens of thousands of distinct reason lists.
_REASONS_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True, default=str).encode


_JSON_STR = json.encoder.encode_basestring  # what the encoder above writes for a str
# The C encoder _REASONS_JSON builds on every call (with the same settings), built once:
# JSONEncoder.encode spends more on that set-up than on a reason's few facts. Without the
# circular-reference markers, which facts (plain values from the rules) never need.
_C_ENCODER = getattr(json.encoder, "c_make_encoder", None)
_FACTS_CHUNKS = (
    _C_ENCODER(None, str, _JSON_STR, None, ": ", ", ", True, False, True)
    if _C_ENCODER is not None
    else None
)


def _facts_json(facts: dict[str, Any]) -> str:
    """``_REASONS_JSON(facts)``, the same text."""
    if _FACTS_CHUNKS is None or type(facts) is not dict:
        return _REASONS_JSON(facts)
    return "".join(_FACTS_CHUNKS(facts, 0))


_JSON_ASCII = json.encoder.encode_basestring_ascii  # what json.dumps writes for a str


def encode_reasons(reasons: Iterable[Reason]) -> tuple[str, str]:
    """(rule_ids, reasons) as stored: JSON lists, the reasons with sorted keys."""
    reasons = tuple(reasons)
    if not all(
        type(r.code) is str and type(r.text) is str and type(r.citation) is str for r in reasons
    ):
        return json.dumps([r.code for r in reasons]), _REASONS_JSON([r.to_dict() for r in reasons])
    # The same bytes as json.dumps([codes]) and the encoder over [r.to_dict() ...] (see the
    # equivalence test), without their per-call set-up: to_dict() with sorted keys is always
    # citation, code, facts, text, so only the facts go through the encoder.
    rule_ids = "[" + ", ".join([_JSON_ASCII(r.code) for r in reasons]) + "]"
    text = ", ".join(
        [
            f'{{"citation": {_JSON_STR(r.citation)}, "code": {_JSON_STR(r.code)}, '
            f'"facts": {_facts_json(r.facts)}, "text": {_JSON_STR(r.text)}}}'
            for r in reasons
        ]
    )
    return rule_ids, f"[{text}]"


_OUTCOME_TEXT = {o: o.value for o in Outcome}  # a dict lookup beats Enum.value a million times

# Identity entries are cleared when this many pile up: the shared tuples (one per offense
# code the pack decides by code alone) come straight back, while the one-off tuples of
# counts decided on their facts would otherwise be kept alive, and their memory, for nothing.
_BY_ID_LIMIT = 4096
_BY_CONTENT_LIMIT = 50_000


class ReasonCache:
    """Serialises recommendations; identical reason lists are encoded once (most repeat).

    The engine returns the same reasons tuple for every count its plan decides from the
    offense code alone, so a lookup by identity (holding the tuple, so its id cannot be
    reused) serves most counts; other lists are keyed by their content.
    """

    def __init__(self) -> None:
        self._by_id: dict[int, tuple[tuple[Reason, ...], str, str]] = {}
        self._by_content: dict[tuple[Any, ...], tuple[str, str]] = {}

    def encode(self, rec: Recommendation) -> tuple[str, str]:
        hit = self._lookup(rec.reasons)
        return hit[1], hit[2]

    def _lookup(self, reasons: tuple[Reason, ...]) -> tuple[tuple[Reason, ...], str, str]:
        hit = self._by_id.get(id(reasons))
        if hit is not None and hit[0] is reasons:
            return hit
        try:
            key: tuple[Any, ...] | None = tuple(
                (r.code, r.text, r.citation, tuple(r.facts.items())) for r in reasons
            )
            encoded = self._by_content.get(key)  # type: ignore[arg-type]
        except TypeError:  # an unhashable fact value: encode without the content cache
            key, encoded = None, None
        if encoded is None:
            encoded = encode_reasons(reasons)
            if key is not None:
                if len(self._by_content) >= _BY_CONTENT_LIMIT:
                    self._by_content.clear()
                self._by_content[key] = encoded
        if len(self._by_id) >= _BY_ID_LIMIT:
            self._by_id.clear()
        hit = (reasons, encoded[0], encoded[1])
        self._by_id[id(reasons)] = hit
        return hit


_INSERT_RECOMMENDATION = "INSERT INTO recommendations (run_id, count_id, outcome, rule_ids, reasons) VALUES (?, ?, ?, ?, ?)"


def _rows(
    run_id: int,
    results: Iterable[tuple[int, Outcome, tuple[Reason, ...]]],
    cache: ReasonCache,
) -> list[tuple[Any, ...]]:
    by_id, lookup, outcome_text = cache._by_id, cache._lookup, _OUTCOME_TEXT
    rows = []
    for count_id, outcome, reasons in results:
        # The identity hit is inlined: it serves most of a million rows.
        hit = by_id.get(id(reasons))
        if hit is None or hit[0] is not reasons:
            hit = lookup(reasons)
        rows.append((run_id, count_id, outcome_text[outcome], hit[1], hit[2]))
    return rows


def save_results(
    ws: Workspace,
    run_id: int,
    results: Iterable[tuple[int, Outcome, tuple[Reason, ...]]],
    cache: ReasonCache,
) -> int:
    """Insert (count id, outcome, reasons) results of ``run_id`` (caller's transaction)."""
    rows = _rows(run_id, results, cache)
    ws.conn.executemany(_INSERT_RECOMMENDATION, rows)
    return len(rows)


# One row per distinct (outcome, rule ids, reasons) of a run: a few thousand for a million
# counts. The batch insert joins it to a JSON array of the counts' codes (count id << 24 |
# set id), so the per-row work happens inside SQLite (which lets go of the GIL for the whole
# statement) rather than in executemany's per-row parameter binding. A code is one JSON
# integer: SQLite splits it with two integer operations, where a [count id, set id] pair
# was parsed again for each of its two items (0.7 s more of the writer's CPU per million
# rows). A batch whose ids do not fit (a count id of 2**39 or more, or below 0) is sent
# as such pairs instead.
_SETS_TABLE = "temp.clearslate_result_sets"
_CREATE_SETS = (
    f"CREATE TABLE IF NOT EXISTS {_SETS_TABLE} (id INTEGER PRIMARY KEY, outcome TEXT NOT NULL, "
    "rule_ids TEXT NOT NULL, reasons TEXT NOT NULL)"
)
_INSERT_SET = f"INSERT INTO {_SETS_TABLE} (id, outcome, rule_ids, reasons) VALUES (?, ?, ?, ?)"
_INSERT_FROM_PAIRS = f"""
INSERT INTO recommendations (run_id, count_id, outcome, rule_ids, reasons)
SELECT ?, p.value ->> 0, s.outcome, s.rule_ids, s.reasons
FROM json_each(?) p JOIN {_SETS_TABLE} s ON s.id = ? + (p.value ->> 1)
"""
_CODE_BITS = 24  # set ids of one batch stay below 2**24 (see ResultEncoder.encode)
_CODE_MASK = (1 << _CODE_BITS) - 1
_MAX_CODE = 1 << 63  # a code must be a 64-bit SQLite integer: count ids below 2**39
_INSERT_FROM_CODES = f"""
INSERT INTO recommendations (run_id, count_id, outcome, rule_ids, reasons)
SELECT ?, p.value >> {_CODE_BITS}, s.outcome, s.rule_ids, s.reasons
FROM json_each(?) p JOIN {_SETS_TABLE} s ON s.id = ? + (p.value & {_CODE_MASK})
"""
_DELETE_SETS = f"DELETE FROM {_SETS_TABLE} WHERE id BETWEEN ? AND ?"
_PAIRS_JSON = json.JSONEncoder(separators=(",", ":")).encode
_SETS_LIMIT = 100_000  # then the table starts over (bounds memory on any history)
# Set ids of one encoder are 1 .. SET_ID_SPAN - 1 above its offset: worker processes each
# get their own offset (a multiple of the span), so their ids never collide in the table.
SET_ID_SPAN = 1 << 32

# (start over?, new sets, codes JSON, row count): one encoded batch of results. The JSON is
# an array of codes (count id << _CODE_BITS | set id), or of [count id, set id] pairs.
EncodedBatch = tuple[bool, list[tuple[int, str, str, str]], str, int]
_Job = tuple[EncodedBatch, int]  # and the set-id offset of the encoder that made it


class ResultEncoder:
    """Turns (count id, outcome, reasons) results into compact batches for the writer.

    A batch names each distinct (outcome, rule ids, reasons) once, as a numbered set, and
    each count by a [count id, set id] pair; sets the encoder numbered in an earlier batch
    are not repeated. It is plain Python with no connection, so a worker process can
    encode while the process holding the transaction only inserts (see
    :meth:`ResultWriter.write_encoded`).
    """

    def __init__(self, cache: ReasonCache | None = None) -> None:
        self.cache = cache if cache is not None else ReasonCache()
        self._sets: dict[tuple[str, str, str], int] = {}
        self._recent: dict[int, tuple[tuple[Reason, ...], Outcome, int]] = {}

    def encode(self, results: Iterable[tuple[int, Outcome, tuple[Reason, ...]]]) -> EncodedBatch:
        by_id, lookup, outcome_text = self.cache._by_id, self.cache._lookup, _OUTCOME_TEXT
        results = results if isinstance(results, list) else list(results)
        if len(results) >= _CODE_MASK:  # ~16 million in one batch: no room for codes
            return self._encode_pairs(results)
        sets = self._sets
        # Every set id of this batch (at most len(sets) + len(results)) then fits in a code.
        start_over = len(sets) >= _SETS_LIMIT or len(sets) + len(results) >= _CODE_MASK
        if start_over:
            sets.clear()
        new_sets: list[tuple[int, str, str, str]] = []
        codes: list[int] = []
        append = codes.append
        bits = _CODE_BITS
        recent = self._recent
        if start_over:
            recent.clear()
        for count_id, outcome, reasons in results:
            # Most rows carry a reasons tuple shared by every count of an offense code (with
            # the same outcome): one identity lookup gives their set. The entry holds the
            # tuple, so its id cannot be reused while it is here.
            seen = recent.get(id(reasons))
            if seen is not None and seen[0] is reasons and seen[1] is outcome:
                append(count_id << bits | seen[2])
                continue
            hit = by_id.get(id(reasons))
            if hit is None or hit[0] is not reasons:
                hit = lookup(reasons)
            key = (outcome_text[outcome], hit[1], hit[2])
            set_id = sets.get(key)
            if set_id is None:
                set_id = sets[key] = len(sets) + 1
                new_sets.append((set_id, *key))
            if len(recent) >= _BY_ID_LIMIT:
                recent.clear()
            recent[id(reasons)] = (reasons, outcome, set_id)
            append(count_id << bits | set_id)
        if codes and (min(codes) < 0 or max(codes) >= _MAX_CODE):
            # A count id out of the codes' range: send this batch as pairs (set ids are below
            # 2**24, so each code splits back exactly, whatever its count id).
            mask = _CODE_MASK
            return (
                start_over,
                new_sets,
                _PAIRS_JSON([(c >> bits, c & mask) for c in codes]),
                len(codes),
            )
        return (start_over, new_sets, _PAIRS_JSON(codes), len(codes))

    def _encode_pairs(self, results: list[tuple[int, Outcome, tuple[Reason, ...]]]) -> EncodedBatch:
        """A batch as [count id, set id] pairs, starting the sets over (for a batch too big
        for codes; no real run comes near)."""
        self._sets.clear()
        self._recent.clear()
        new_sets: list[tuple[int, str, str, str]] = []
        pairs = []
        for count_id, outcome, reasons in results:
            hit = self.cache._lookup(reasons)
            key = (_OUTCOME_TEXT[outcome], hit[1], hit[2])
            set_id = self._sets.get(key)
            if set_id is None:
                set_id = self._sets[key] = len(self._sets) + 1
                new_sets.append((set_id, *key))
            pairs.append((count_id, set_id))
        return (True, new_sets, _PAIRS_JSON(pairs), len(pairs))


class ResultWriter:
    """Inserts result rows of one run on a helper thread while the caller evaluates more.

    Each batch is one INSERT ... SELECT (see _INSERT_FROM_PAIRS) during which SQLite holds
    no GIL, so on a second core the insert overlaps the Python work of evaluating the next
    batch. The rows go through the caller's connection and so join the caller's
    transaction; the caller commits only after :meth:`close`. Without a serialized SQLite
    (one connection usable from two threads) the batches are inserted inline.
    """

    def __init__(self, ws: Workspace, run_id: int, cache: ReasonCache) -> None:
        self.ws = ws
        self.run_id = run_id
        self.encoder = ResultEncoder(cache)
        self.count = 0
        self._error: BaseException | None = None
        self._queue: queue.Queue[_Job | None] = queue.Queue(maxsize=2)
        self._thread: threading.Thread | None = None
        ws.conn.execute(_CREATE_SETS)
        ws.conn.execute(f"DELETE FROM {_SETS_TABLE}")  # left by a failed run on this connection
        if sqlite3.threadsafety == 3:
            self._thread = threading.Thread(
                target=self._run, name="clearslate-recommendations", daemon=True
            )
            self._thread.start()

    def _insert(self, job: _Job) -> None:
        (start_over, new_sets, pairs, _), offset = job
        conn = self.ws.conn
        if start_over:
            conn.execute(_DELETE_SETS, (offset + 1, offset + SET_ID_SPAN - 1))
        if new_sets:
            if offset:
                new_sets = [(offset + s[0], s[1], s[2], s[3]) for s in new_sets]
            conn.executemany(_INSERT_SET, new_sets)
        # Pairs are the rare fallback (see _INSERT_FROM_CODES); codes never start "[[".
        sql = _INSERT_FROM_PAIRS if pairs.startswith("[[") else _INSERT_FROM_CODES
        conn.execute(sql, (self.run_id, pairs, offset))

    def _run(self) -> None:
        while (job := self._queue.get()) is not None:
            if self._error is None:  # after a failure, drain the queue so write() never blocks
                try:
                    self._insert(job)
                except BaseException as exc:  # re-raised in the caller's thread
                    self._error = exc

    def write(self, results: Iterable[tuple[int, Outcome, tuple[Reason, ...]]]) -> None:
        """Queue (count id, outcome, reasons) results; raises an earlier insert's error."""
        if self._error is not None:
            raise self._error
        self.write_encoded(self.encoder.encode(results), 0)

    def write_encoded(self, batch: EncodedBatch, offset: int) -> None:
        """Queue a batch a :class:`ResultEncoder` made (in any process); ``offset`` is that
        encoder's own multiple of SET_ID_SPAN (0 for this writer's encoder), and each
        encoder's batches must arrive in the order it made them."""
        if self._error is not None:
            raise self._error
        if offset % SET_ID_SPAN or offset < 0:
            raise ValueError("a set-id offset is a non-negative multiple of SET_ID_SPAN")
        self.count += batch[3]
        if self._thread is None:
            self._insert((batch, offset))
        else:
            self._queue.put((batch, offset))

    def _stop(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None

    def close(self) -> int:
        """Wait until every row is inserted; raises an insert's error. Returns the row count."""
        self._stop()
        if self._error is not None:
            raise self._error
        self.ws.conn.execute(f"DROP TABLE IF EXISTS {_SETS_TABLE}")
        return self.count

    def __enter__(self) -> ResultWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is None:
            self.close()
        else:
            # The caller failed (or was cancelled) and will roll back: stop the thread
            # first, never leaving it inserting into a transaction that is going away.
            self._stop()


def save_recommendations(
    ws: Workspace, run_id: int, recs: Iterable[Recommendation], cache: ReasonCache
) -> int:
    """Insert recommendations of ``run_id`` (caller's transaction); returns how many."""
    return save_results(ws, run_id, ((r.count_id, r.outcome, r.reasons) for r in recs), cache)


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
