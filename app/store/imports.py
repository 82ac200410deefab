"""The SQL of an import: bulk inserts in one transaction, dedupe, person linkage and match proposals.

The import service opens one transaction (``ws.transaction()``) and feeds an
:class:`ImportWriter` batches of normalized rows; rows go in with ``executemany`` and
explicit ids (no per-row round trip). On a workspace with no counts yet the bulk indexes
are dropped first and rebuilt after the load, which measured faster than maintaining them
row by row. Every sqlite3 error (disk full, I/O error) becomes :class:`ImportFailed`, and
the caller's transaction rolls the whole import back.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from itertools import repeat
from operator import itemgetter
from typing import Any

from app.core.clock import stamp
from app.core.errors import ClearSlateError, ImportFailed
from app.core.rowbatch import CASE, COUNT, PERSON, RowBatch
from app.store.schema import BULK_INDEXES
from app.store.workspace import Workspace, json_dumps


@dataclass(frozen=True, slots=True)
class SourceInfo:
    file_name: str
    file_sha256: str
    sheet: str | None
    file_kind: str | None
    profile: str | None
    mapping: dict[str, Any]
    headers: list[str]
    header_row: int | None
    imported_by: str | None


@dataclass(frozen=True, slots=True)
class ExistingSource:
    id: int
    file_name: str
    imported_at: str
    imported_by: str | None
    imported_rows: int


@dataclass(frozen=True, slots=True)
class DuplicateHit:
    """A row whose count (or event) is already stored: in this file or from an earlier source."""

    row_number: int
    first_row: int | None
    first_source_id: int | None
    first_file: str | None
    same_source: bool
    exact: bool  # the very same row text, not only the same count
    event: bool  # a history event rather than a count


@dataclass(slots=True)
class ImportTotals:
    source_id: int = 0
    people: int = 0
    cases: int = 0
    counts: int = 0
    events: int = 0
    source_rows: int = 0
    duplicates: int = 0  # within this file
    overlapping: int = 0  # already in the workspace from another source
    matches_proposed: int = 0
    findings: int = 0
    # New people whose key is also the key of another person under another key type (a
    # CII number equal to a county's person id): kept apart, proposed when name + DOB agree.
    key_other_type: int = 0


@dataclass(frozen=True, slots=True)
class StoredFinding:
    sheet: str | None
    row: int | None
    column: str | None
    severity: str
    code: str | None
    message: str
    skipped: bool = False


def _translate(exc: sqlite3.Error) -> ClearSlateError:
    text = str(exc).lower()
    if "full" in text:
        return ImportFailed(
            "The disk is full (or the workspace reached its size limit): nothing was imported. "
            "Free some space and import again."
        )
    if "locked" in text or "busy" in text:
        return ImportFailed(
            "The workspace is in use by another program: nothing was imported. Close it there and try again."
        )
    if "readonly" in text or "read-only" in text:
        return ImportFailed("The workspace cannot be written (read-only): nothing was imported.")
    return ImportFailed(f"The workspace could not be written ({exc}): nothing was imported.")


@contextlib.contextmanager
def translating() -> Iterator[None]:
    """Turn sqlite3 errors into the user-facing ImportFailed (the transaction still rolls back)."""
    try:
        yield
    except sqlite3.Error as exc:
        raise _translate(exc) from exc


def find_source(ws: Workspace, file_sha256: str, sheet: str | None) -> ExistingSource | None:
    """An earlier import of exactly this file (and sheet), if any."""
    with translating():
        row = ws.conn.execute(
            "SELECT id, file_name, imported_at, imported_by, imported_rows FROM sources "
            "WHERE file_sha256 = ? AND sheet IS ?",
            (file_sha256, sheet),
        ).fetchone()
    return ExistingSource(*row) if row else None


def _index_name(statement: str) -> str:
    match = re.search(r"INDEX IF NOT EXISTS (\w+)", statement)
    assert match, statement
    return match.group(1)


# A case's status from its counts' dispositions: warrant if any count is a warrant, else open if
# any is open, else closed if any has a disposition (the SQL in ImportWriter.finish, by rank).
_STATUS_RANK: dict[str | None, int] = {None: 0, "warrant": 3, "open": 2}  # any other: 1
_RANKED_STATUS = {3: "warrant", 2: "open", 1: "closed"}


# Indexes whose keys arrive in (nearly) increasing order, so keeping them up to date costs
# little more than building them: kept during a first load when ``keep_indexes`` says the
# writer has time to spare. The others (names, sections, dedupe keys) take random inserts and
# are built, sorted, at the end.
_KEPT_WHILE_WAITING = frozenset(
    {"source_rows_source", "counts_case", "counts_person", "cases_person"}
)


def _picked(
    columns: Sequence[Sequence[Any]], positions: list[int], size: int
) -> list[Sequence[Any]]:
    """The given positions of each column (the columns themselves when that is all of them)."""
    if len(positions) == size:
        return list(columns)
    if len(positions) == 1:
        return [[column[positions[0]]] for column in columns]
    get = itemgetter(*positions)
    return [get(column) for column in columns]


_CHUNK = 900  # bound parameters per IN (...) lookup


def key_kind(key_type: str | None) -> str:
    """The comparison form of a key type (the header a person key came from): case-folded,
    letters and digits only, so "Person ID" and "PERSON_ID" are one kind and "CII_NUMBER"
    another. A key identifies a person only among keys of the same kind."""
    return "".join(ch for ch in (key_type or "").casefold() if ch.isalnum())


def _chunks(items: Sequence[str], size: int = _CHUNK) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class ImportWriter:
    """Writes one source's rows. Use only inside ``ws.transaction()``; call :meth:`finish` last."""

    # A first load into an empty workspace drops the bulk indexes and finds duplicates in
    # memory; False keeps every index and looks each batch up in SQLite (the plain path, which
    # the tests compare the fast one with).
    first_load_fast = True

    def __init__(
        self,
        ws: Workspace,
        source: SourceInfo,
        *,
        status_given: bool = False,
        keep_indexes: bool = False,
    ) -> None:
        """``keep_indexes``: on a first load, maintain the bulk indexes while rows go in rather
        than building them at the end. Slower per row, so only worth it when this process has
        time to spare while it waits for its rows (a worker process reads and normalizes them):
        the end of the import, when nothing else can run, is then shorter."""
        if not ws.in_transaction:
            raise RuntimeError("ImportWriter must run inside ws.transaction()")
        self.ws = ws
        self.conn = ws.conn
        self.status_given = status_given
        self.keep_indexes = keep_indexes
        self.totals = ImportTotals()
        with translating():
            self._begin(source)

    def _max_id(self, table: str) -> int:
        return int(self.conn.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}").fetchone()[0])

    def _begin(self, source: SourceInfo) -> None:
        cur = self.conn.execute(
            "INSERT INTO sources (file_name, file_sha256, sheet, file_kind, profile, mapping, headers, header_row, "
            "imported_at, imported_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                source.file_name,
                source.file_sha256,
                source.sheet,
                source.file_kind,
                source.profile,
                json_dumps(source.mapping),
                json_dumps(source.headers),
                source.header_row,
                stamp(),
                source.imported_by,
            ),
        )
        self.source_id = int(cur.lastrowid or 0)
        self.totals.source_id = self.source_id
        self.sheet = source.sheet
        self.file_name = source.file_name
        self._next = {
            t: self._max_id(t) + 1 for t in ("people", "cases", "counts", "events", "source_rows")
        }
        self.first_person_id = self._next["people"]
        self.first_case_id = self._next["cases"]
        # A bigger page cache for the load: the unique dedupe index takes random inserts.
        self._cache_size = self.conn.execute("PRAGMA cache_size").fetchone()[0]
        self.conn.execute("PRAGMA cache_size = -262144")
        empty = self.conn.execute(
            "SELECT NOT EXISTS (SELECT 1 FROM counts) AND NOT EXISTS (SELECT 1 FROM events)"
        ).fetchone()[0]
        # Drop and rebuild the bulk indexes around a first (big) load; on a workspace that
        # already holds data, rebuilding them would cost more than keeping them. The unique
        # dedupe indexes go too: with nothing stored before, a duplicate can only come from
        # this file, and ``_seen`` (every dedupe key of this import) finds it in memory.
        self._first_load = bool(empty) and self.first_load_fast
        self._dropped = self._first_load
        # dedupe key -> source row id of its first row (an int, not a tuple: a million keys)
        self._seen: dict[str, int] = {}
        # The indexes this load drops (and builds again in finish).
        self._rebuild = [
            statement
            for statement in BULK_INDEXES
            if self._dropped
            and not (self.keep_indexes and _index_name(statement) in _KEPT_WHILE_WAITING)
        ]
        for statement in self._rebuild:
            self.conn.execute(f"DROP INDEX IF EXISTS {_index_name(statement)}")
        self._people_by_kind = self._load_people_by_kind()
        # The kinds of key stored before this import: a new person whose key is known under
        # another kind is counted in finish (only then worth a query).
        self._stored_kinds = frozenset(self._people_by_kind)
        self._kinds: dict[str, str | None] = {}  # this import's key kinds -> a key type
        self._cases: dict[tuple[int, str], int] = {
            (pid, key): cid
            for pid, key, cid in self.conn.execute(
                "SELECT person_id, case_key, id FROM cases WHERE case_key IS NOT NULL"
            )
        }
        self._keyless: dict[tuple[str, str, str], int] = {}
        # Case statuses of this import's cases, derived as the rows arrive: each case's rank
        # (warrant 3, open 2, any other disposition 1, none 0) by case id - first case id, and
        # the cases whose rank rose after their first count (their stored status changes).
        self._case_ranks = bytearray()
        self._rank_rose: set[int] = set()
        # False once a row gave its case a status of its own (not derived from its count).
        self._status_from_rows = True

    def _load_people_by_kind(self) -> dict[str, dict[str, int]]:
        """Every stored person key, by kind of key: key kind -> person key -> person id.

        The same key value under two kinds (a DOJ CII number and a county's person id) names
        two people, never one: merging them would make one person's convictions the other's
        priors. A person whose match was confirmed stands for the person it was merged into,
        so later rows with its key join the merged person.
        """
        by_kind: dict[str, dict[str, int]] = {}
        maps: dict[str | None, dict[str, int]] = {}  # raw key type -> its kind's map
        for key, key_type, pid in self.conn.execute(
            "SELECT person_key, key_type, id FROM people WHERE person_key IS NOT NULL ORDER BY id"
        ):
            keys = maps.get(key_type)
            if keys is None:
                keys = maps[key_type] = by_kind.setdefault(key_kind(key_type), {})
            keys.setdefault(key, pid)
        merged = dict(
            self.conn.execute(
                "SELECT person_b, person_a FROM person_matches WHERE status = 'confirmed'"
            ).fetchall()
        )
        if merged:
            for keys in by_kind.values():
                for key, pid in keys.items():
                    hops = 0
                    while pid in merged and hops < len(merged):  # bounded: no cycle can hang it
                        pid, hops = merged[pid], hops + 1
                    keys[key] = pid
        return by_kind

    def _take(self, table: str) -> int:
        value = self._next[table]
        self._next[table] = value + 1
        return value

    def _lookup_existing(
        self, keys: list[str]
    ) -> dict[str, tuple[int | None, int | None, str | None, str | None]]:
        found: dict[str, tuple[int | None, int | None, str | None, str | None]] = {}
        for table in ("counts", "events"):
            for chunk in _chunks(keys):
                marks = ",".join("?" * len(chunk))
                for key, source_id, row_number, file_name, data in self.conn.execute(
                    f"SELECT t.dedupe_key, sr.source_id, sr.row_number, s.file_name, sr.data FROM {table} t "
                    "LEFT JOIN source_rows sr ON sr.id = t.source_row_id LEFT JOIN sources s ON s.id = sr.source_id "
                    f"WHERE t.dedupe_key IN ({marks})",
                    list(chunk),
                ):
                    found[key] = (source_id, row_number, file_name, data)
        return found

    def _earlier_in_this_import(
        self, keys: Sequence[str]
    ) -> dict[str, tuple[int | None, int | None, str | None, str | None]]:
        """Like :meth:`_lookup_existing` for a first load: keys already written by earlier batches."""
        seen = self._seen
        found: dict[str, tuple[int | None, int | None, str | None, str | None]] = {}
        if not seen:
            return found
        for key in seen.keys() & keys:  # in C; duplicates are rare
            # Fetch the first row's text only for the finding.
            first = self.conn.execute(
                "SELECT row_number, data FROM source_rows WHERE id = ?", (seen[key],)
            ).fetchone()
            found[key] = (
                self.source_id,
                first[0] if first else None,
                self.file_name,
                first[1] if first else None,
            )
        return found

    def add_rows(self, batch: RowBatch, *, keep_skipped: bool = False) -> list[DuplicateHit]:
        """Insert a batch's usable rows; with ``keep_skipped`` also the text of its rows with errors."""
        with translating():
            return self._add_rows(batch, keep_skipped)

    def _add_rows(self, batch: RowBatch, keep_skipped: bool) -> list[DuplicateHit]:
        next_ids = self._next
        source_id = self.source_id
        # Every row keeps its text: first the skipped rows of this batch, then the usable ones.
        first_row_id = next_ids["source_rows"]
        skipped = (
            [
                (first_row_id + k, source_id, row, data)
                for k, (row, data, _) in enumerate(batch.errors)
            ]
            if keep_skipped
            else []
        )
        n = len(batch)
        row_ids = range(first_row_id + len(skipped), first_row_id + len(skipped) + n)
        next_ids["source_rows"] = row_ids.stop
        keys = batch.dedupe_keys
        if self._first_load:
            # First load: nothing stored before this import, so only its own keys can repeat.
            existing = self._earlier_in_this_import(keys)
        else:
            existing = self._lookup_existing(keys) if n else {}
        hits: list[DuplicateHit] = []
        row_numbers, raw = batch.row_numbers, batch.raw_json
        events = batch.events
        dobs, dob_raws, name_keys, status_given = (
            batch.dob,
            batch.dob_raw,
            batch.name_key,
            batch.status_given,
        )
        keyless, cases = self._keyless, self._cases
        # Each key type of this batch (one, in practice) -> the stored keys of its kind.
        by_kind = self._people_by_kind
        kind_maps = {
            key_type: by_kind.setdefault(key_kind(key_type), {}) for key_type in set(batch.key_type)
        }
        for key_type in kind_maps:
            if key_type is not None:
                self._kinds.setdefault(key_kind(key_type), key_type)
        # Each key's first position in this batch (in C): a later position is a duplicate.
        first_at = dict(zip(reversed(keys), range(n - 1, -1, -1)))
        first_person, first_case = next_ids["people"], next_ids["cases"]
        next_person, next_case = first_person, first_case
        new_people: list[int] = []  # positions of rows that add a person
        new_cases: list[int] = []  # ... that add a case, with the case's person below
        case_people: list[int] = []
        counted: list[int] = []  # positions of rows stored as counts, with their case and person
        count_cases: list[int] = []
        count_people: list[int] = []
        event_rows: list[tuple[int, int]] = []  # (position, person id)
        ranks, rose = self._case_ranks, self._rank_rose
        rank_of = _STATUS_RANK.get
        dispositions = batch.disposition
        first_case_id = self.first_case_id
        for i, key, person_key, key_type, case_key_ in zip(
            range(n), keys, batch.person_key, batch.key_type, batch.case_key, strict=True
        ):
            if existing:
                earlier = existing.get(key)
                if earlier is not None:
                    other_source, first_row, file_name, data = earlier
                    same = other_source == source_id
                    hits.append(
                        DuplicateHit(
                            row_numbers[i], first_row, other_source, file_name, same,
                            data == raw[i], i in events,
                        )
                    )  # fmt: skip
                    if same:
                        self.totals.duplicates += 1
                    else:
                        self.totals.overlapping += 1
                    continue
            first = first_at[key]
            if first != i:
                hits.append(
                    DuplicateHit(
                        row_numbers[i], row_numbers[first], source_id, self.file_name, True,
                        raw[first] == raw[i], i in events,
                    )
                )  # fmt: skip
                self.totals.duplicates += 1
                continue
            if person_key is not None:
                people_by_key = kind_maps[key_type]
                pid = people_by_key.get(person_key)
                if pid is None:
                    pid = people_by_key[person_key] = next_person
                    next_person += 1
                    new_people.append(i)
            else:
                # No key: the rows of one case in one file are one person; anything wider is
                # only proposed (name + date of birth) for a person to confirm, never merged.
                scope = case_key_ if case_key_ is not None else f"row {row_numbers[i]}"
                identity = (scope, name_keys[i], dobs[i] or dob_raws[i] or "")
                pid = keyless.get(identity)  # type: ignore[assignment]
                if pid is None:
                    pid = keyless[identity] = next_person
                    next_person += 1
                    new_people.append(i)
            if events and i in events:
                event_rows.append((i, pid))
                continue
            cid = cases.get((pid, case_key_))  # type: ignore[arg-type]
            if cid is None:
                cid = cases[(pid, case_key_)] = next_case  # type: ignore[index]
                next_case += 1
                new_cases.append(i)
                case_people.append(pid)
                ranks.append(rank_of(dispositions[i], 1))
                if status_given[i]:
                    self._status_from_rows = False
            elif cid >= first_case_id:
                # A case of this import with another count: if that count outranks the ones
                # before, the case's status (stored from its first count) changes at the end.
                rank = rank_of(dispositions[i], 1)
                if rank > ranks[cid - first_case_id]:
                    ranks[cid - first_case_id] = rank
                    rose.add(cid)
            counted.append(i)
            count_cases.append(cid)
            count_people.append(pid)
        if self._first_load:
            # Remember each new key's first row (keys seen in earlier batches keep theirs).
            firsts = dict(zip(first_at, map(row_ids.__getitem__, first_at.values())))
            for key in existing:
                firsts.pop(key, None)
            self._seen.update(firsts)
        next_ids["people"], next_ids["cases"] = next_person, next_case
        first_count = next_ids["counts"]
        next_ids["counts"] = first_count + len(counted)

        conn = self.conn
        conn.executemany(
            "INSERT INTO source_rows (id, source_id, row_number, data) VALUES (?, ?, ?, ?)",
            skipped + list(zip(row_ids, repeat(source_id), row_numbers, raw)),
        )
        if new_people:
            conn.executemany(
                "INSERT INTO people (id, person_key, key_type, full_name, last_name, first_name, middle_name, dob, dob_raw, "
                "sex, race, name_key, source_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                zip(
                    range(first_person, next_person),
                    *_picked(batch.columns(PERSON), new_people, n),
                    repeat(source_id),
                ),
            )
        if new_cases:
            conn.executemany(
                "INSERT INTO cases (id, person_id, case_number, case_key, court, county, filing_date, filing_date_raw, status) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                zip(
                    range(first_case, next_case),
                    case_people,
                    *_picked(batch.columns(CASE), new_cases, n),
                ),
            )
        if counted:
            conn.executemany(
                "INSERT INTO counts (id, case_id, person_id, count_number, offense_raw, offense_comment, code_book, section, "
                "subsections, attempt, conspiracy, offense_recognized, description, level, level_raw, disposition, "
                "disposition_raw, disposition_date, disposition_date_raw, offense_date, offense_date_raw, sentence, "
                "comment, source_row_id, dedupe_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                zip(
                    range(first_count, first_count + len(counted)),
                    count_cases,
                    count_people,
                    *_picked([*batch.columns(COUNT), row_ids, keys], counted, n),
                ),
            )
        if event_rows:
            first_event = next_ids["events"]
            next_ids["events"] = first_event + len(event_rows)
            conn.executemany(
                "INSERT INTO events (id, person_id, event_type, event_date, event_date_raw, offense_raw, code_book, section, "
                "subsections, description, source_row_id, dedupe_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (first_event + k, pid, *events[i], row_ids[i], keys[i])
                    for k, (i, pid) in enumerate(event_rows)
                ],
            )
        t = self.totals
        t.source_rows += len(skipped) + n
        t.people += len(new_people)
        t.cases += len(new_cases)
        t.counts += len(counted)
        t.events += len(event_rows)
        return hits

    def add_findings(self, findings: Iterable[StoredFinding]) -> None:
        rows = [
            (
                self.source_id,
                f.sheet,
                f.row,
                f.column,
                f.severity,
                f.code,
                f.message,
                int(f.skipped),
            )
            for f in findings
        ]
        with translating():
            self.conn.executemany(
                "INSERT INTO import_findings (source_id, sheet, row_number, column_name, severity, code, message, skipped) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
        self.totals.findings += len(rows)

    def finish(self, *, row_count: int, skipped_rows: int) -> ImportTotals:
        """Rebuild indexes, derive case statuses, propose person matches, close the source row."""
        with translating():
            if self._rebuild:
                # SQLite's sorter may use a second thread for the index builds (two cores).
                self.conn.execute("PRAGMA threads = 2")
                for statement in self._rebuild:
                    self.conn.execute(statement)
                self.conn.execute("PRAGMA threads = 0")
            if not self.status_given:
                # A case is "warrant" if any count says so, "open" if any is open, else closed.
                status = (
                    "UPDATE cases SET status = CASE "
                    "WHEN EXISTS (SELECT 1 FROM counts c WHERE c.case_id = cases.id AND c.disposition = 'warrant') THEN 'warrant' "
                    "WHEN EXISTS (SELECT 1 FROM counts c WHERE c.case_id = cases.id AND c.disposition = 'open') THEN 'open' "
                    "WHEN EXISTS (SELECT 1 FROM counts c WHERE c.case_id = cases.id AND c.disposition IS NOT NULL) THEN 'closed' "
                    "ELSE status END "
                )
                if self._status_from_rows and self.first_load_fast:
                    # Each new case was inserted with its first count's status (the same rule
                    # over one count), and the rule was applied to its later counts as they
                    # came (the ranks): only the cases whose status rose are written again.
                    base = self.first_case_id
                    self.conn.executemany(
                        "UPDATE cases SET status = ? WHERE id = ?",
                        [
                            (_RANKED_STATUS[self._case_ranks[cid - base]], cid)
                            for cid in sorted(self._rank_rose)
                        ],
                    )
                else:
                    self.conn.execute(status + "WHERE id >= ?", (self.first_case_id,))
            self.totals.matches_proposed = propose_matches(self.conn, self.first_person_id)
            self._report_other_kinds()
            self.conn.execute(f"PRAGMA cache_size = {int(self._cache_size)}")
            self.conn.execute(
                "UPDATE sources SET row_count = ?, imported_rows = ?, skipped_rows = ? WHERE id = ?",
                (row_count, self.totals.counts + self.totals.events, skipped_rows, self.source_id),
            )
        return self.totals

    def _report_other_kinds(self) -> None:
        """A finding when new people's keys are also keys of another kind already stored.

        They were kept as different people (the same number in two numbering systems says
        nothing); those whose name and date of birth agree were proposed as matches. Only
        queried when the workspace held keys of a kind this import does not use.
        """
        if not self._kinds or not (self._stored_kinds - self._kinds.keys()):
            return
        first = self.first_person_id
        rows = self.conn.execute(
            "SELECT b.person_key, MIN(a.key_type) FROM people b JOIN people a "
            "ON a.person_key = b.person_key AND a.id < ? "
            "WHERE b.id >= ? AND b.person_key IS NOT NULL GROUP BY b.id ORDER BY b.id",
            (first, first),
        ).fetchall()
        if not rows:
            return
        self.totals.key_other_type = len(rows)
        proposed = self.conn.execute(
            "SELECT COUNT(*) FROM person_matches m JOIN people a ON a.id = m.person_a "
            "JOIN people b ON b.id = m.person_b WHERE b.id >= ? AND a.id < ? "
            "AND a.person_key = b.person_key",
            (first, first),
        ).fetchone()[0]
        key_type = next(iter(self._kinds.values()))
        other = rows[0][1] or "key"
        examples = ", ".join(str(key) for key, _ in rows[:5])
        many = len(rows) != 1
        message = (
            f"{len(rows):,} {'people' if many else 'person'} in this file "
            f"{'have' if many else 'has'} a {key_type} that is also the {other} of another person "
            f"already in the workspace (e.g. {examples}). A key only identifies a person among "
            f"keys of the same type, so they were kept as different people; {proposed:,} with the "
            "same name and date of birth were proposed as possible same-person matches to "
            "confirm or reject."
        )
        self.add_findings(
            [StoredFinding(self.sheet, None, key_type, "warning", "person.key_other_type", message)]
        )


def propose_matches(conn: sqlite3.Connection, first_new_person: int) -> int:
    """Propose name + DOB matches for new people where at least one side has no key, or
    where their keys are of different types.

    Two people with different keys of the same type are different people even when name and
    DOB agree, so they are never proposed; the same key of the same type is one person (the
    writer merged them). Keys of different types (a DOJ CII number, a county's person id)
    say nothing about each other, equal or not: the same person appears in the state's
    extract and the court's export under two numbering systems, and leaving them apart would
    hide one file's convictions (priors, disqualifiers) from the other's counts. So name +
    DOB agreeing makes them a proposal for a person to confirm. Each new person is proposed
    against the earliest such person (a star, not every pair), which is enough for a
    reviewer to confirm a group. A record already joined to another person (its match
    confirmed) is never proposed again: its cases are that person's now, and a proposal
    naming it would join a newcomer to an empty record instead of to the person.
    """
    before = conn.total_changes
    conn.create_function("key_kind", 1, key_kind, deterministic=True)
    conn.execute(
        "INSERT OR IGNORE INTO person_matches (person_a, person_b, basis) "
        "SELECT m.a, m.b, 'name+dob' FROM ("
        "  SELECT (SELECT MIN(a.id) FROM people a WHERE a.name_key = b.name_key AND a.dob = b.dob AND a.id < b.id "
        "          AND (a.person_key IS NULL OR b.person_key IS NULL OR a.person_key = b.person_key "
        "               OR key_kind(a.key_type) <> key_kind(b.key_type)) "
        "          AND a.id NOT IN (SELECT person_b FROM person_matches WHERE status = 'confirmed')) AS a, b.id AS b "
        "  FROM people b WHERE b.id >= ? AND b.dob IS NOT NULL AND b.name_key IS NOT NULL AND b.name_key NOT IN ('|', '')"
        ") m WHERE m.a IS NOT NULL",
        (first_new_person,),
    )
    return conn.total_changes - before


# -- person matches: list, confirm, reject ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PersonMatch:
    id: int
    person_a: int
    person_b: int
    name_a: str | None
    name_b: str | None
    dob: str | None
    key_a: str | None
    key_b: str | None
    basis: str
    status: str
    cases_a: list[str] = field(default_factory=list)
    cases_b: list[str] = field(default_factory=list)
    key_type_a: str | None = None  # the header each key came from ("CII_NUMBER", "Person ID")
    key_type_b: str | None = None


def list_matches(ws: Workspace, status: str | None = "proposed") -> list[PersonMatch]:
    """The proposals with ``status`` (all of them with None), oldest first, with each side's cases."""
    if status:
        return _read_matches(ws, "m.status = ?", (status,))
    return _read_matches(ws, "1", ())


def get_match(ws: Workspace, match_id: int) -> PersonMatch | None:
    """One proposal by its number, whatever its status (None when there is no such number)."""
    found = _read_matches(ws, "m.id = ?", (match_id,))
    return found[0] if found else None


def _read_matches(ws: Workspace, where: str, params: tuple[Any, ...]) -> list[PersonMatch]:
    sql = (
        "SELECT m.id, m.person_a, m.person_b, a.full_name, b.full_name, a.dob, a.person_key, b.person_key, m.basis, m.status, "
        "a.key_type, b.key_type "
        "FROM person_matches m JOIN people a ON a.id = m.person_a JOIN people b ON b.id = m.person_b "
        f"WHERE {where} ORDER BY m.id"
    )
    out = []
    for row in ws.conn.execute(sql, params).fetchall():
        cases_a, cases_b = (
            [
                r[0]
                for r in ws.conn.execute(
                    "SELECT case_number FROM cases WHERE person_id = ? ORDER BY id", (pid,)
                )
            ]
            for pid in row[1:3]
        )
        out.append(
            PersonMatch(
                *row[:10],
                cases_a=cases_a,
                cases_b=cases_b,
                key_type_a=row[10],
                key_type_b=row[11],
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class RecordCase:
    """One case of a record, in the words a reviewer compares two records with."""

    case_number: str
    court: str | None
    county: str | None
    filing_date: str | None
    offenses: list[str] = field(default_factory=list)  # "11359 HS · F · CONVICTED 2010-05-01"


def person_record(ws: Workspace, person_id: int) -> list[RecordCase]:
    """A person's cases with their counts' offenses, oldest case first (for deciding a match)."""
    cases: dict[int, RecordCase] = {}
    for cid, number, court, county, filed in ws.conn.execute(
        "SELECT id, case_number, court, county, filing_date FROM cases WHERE person_id = ? "
        "ORDER BY id",
        (person_id,),
    ):
        cases[cid] = RecordCase(number, court, county, filed)
    for cid, offense, level, disposition, when in ws.conn.execute(
        "SELECT case_id, COALESCE(offense_raw, section), COALESCE(level_raw, level), "
        "COALESCE(disposition_raw, disposition), COALESCE(disposition_date, disposition_date_raw) "
        "FROM counts WHERE person_id = ? ORDER BY case_id, id",
        (person_id,),
    ):
        parts = [offense or "?", level, " ".join(filter(None, (disposition, when)))]
        if cid in cases:
            cases[cid].offenses.append(" · ".join(p for p in parts if p))
    return list(cases.values())


@dataclass(frozen=True, slots=True)
class MatchDecision:
    """What deciding one proposal did: one per match number asked for, in the order asked."""

    id: int
    person_a: int  # the two records as the proposal named them when it was decided
    person_b: int
    name_a: str | None
    name_b: str | None
    dob: str | None
    status: str  # "confirmed" or "rejected"
    person: int | None = None  # confirmed: the person both records are now
    moved: dict[str, int] = field(default_factory=dict)  # cases, counts, events moved
    note: str = ""  # when an earlier pair of the same batch already did (part of) the work


class _Identities:
    """Who each joined record now is and which pairs were ruled two people, kept current
    through a batch so that every later pair is judged on what the earlier ones did."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.into: dict[int, int] = dict(
            conn.execute(
                "SELECT person_b, person_a FROM person_matches WHERE status = 'confirmed'"
            ).fetchall()
        )
        self.rejected: dict[int, list[tuple[int, int]]] = {}
        for mid, a, b in conn.execute(
            "SELECT id, person_a, person_b FROM person_matches WHERE status = 'rejected'"
        ):
            self.rejected.setdefault(a, []).append((b, mid))
            self.rejected.setdefault(b, []).append((a, mid))
        self.members: dict[int, set[int]] = {}
        for pid in self.into:
            self.members.setdefault(self.survivor(pid), set()).add(pid)

    def survivor(self, pid: int) -> int:
        hops = 0
        while pid in self.into and hops <= len(self.into):  # bounded: no cycle can hang it
            pid, hops = self.into[pid], hops + 1
        return pid

    def group(self, pid: int) -> set[int]:
        return {pid} | self.members.get(pid, set())

    def ruled_apart(self, a: int, b: int) -> int | None:
        """The rejected match (if any) between anyone now ``a`` and anyone now ``b``."""
        for x in self.group(a):
            for y, mid in self.rejected.get(x, ()):
                if self.survivor(y) == b:
                    return mid
        return None

    def join(self, a: int, b: int) -> None:
        self.into[b] = a
        self.members.setdefault(a, set()).update(self.group(b))
        self.members.pop(b, None)


def decide_match(ws: Workspace, match_id: int, *, confirm: bool, user: str) -> PersonMatch:
    """Confirm (merge person B's cases, counts and events into person A) or reject a proposal."""
    [done] = decide_matches(ws, [match_id], confirm=confirm, user=user)
    return get_match(ws, done.id) or PersonMatch(
        done.id, done.person_a, done.person_b, done.name_a, done.name_b, done.dob,
        None, None, "name+dob", done.status,
    )  # fmt: skip


def decide_matches(
    ws: Workspace, match_ids: Sequence[int], *, confirm: bool, user: str
) -> list[MatchDecision]:
    """Confirm or reject several proposals in one transaction: all of them or none.

    Every number must be an open proposal, else nothing is decided and the error names the
    pair. Pairs are decided in the order given, each on what the earlier ones did: confirming
    A~B and then B~C joins all three (B~C was renamed A~C when B joined A); a pair an earlier
    one made redundant (already one person, or the same two people as another open pair) is
    recorded as such. A confirm that would make one person of records an earlier decision
    ruled two people is refused whatever the order, naming both pairs. One audit entry per
    pair, as a single decision writes.
    """
    ids = list(dict.fromkeys(int(i) for i in match_ids))
    if not ids:
        raise ImportFailed("Choose at least one possible same-person match to decide.")
    with ws.transaction(), translating():
        asked: dict[int, tuple[Any, ...]] = {}
        for chunk in _chunks(ids):
            marks = ",".join("?" * len(chunk))
            for row in ws.conn.execute(
                "SELECT m.id, m.person_a, m.person_b, a.full_name, b.full_name, a.dob, m.status, "
                "m.decided_by FROM person_matches m JOIN people a ON a.id = m.person_a "
                f"JOIN people b ON b.id = m.person_b WHERE m.id IN ({marks})",
                chunk,
            ):
                asked[row[0]] = row
        for mid in ids:  # every refusal before any change: the batch is all or nothing
            row = asked.get(mid)
            if row is None:
                raise ImportFailed(f"There is no proposed match number {mid}; nothing was decided.")
            if row[6] != "proposed":
                raise ImportFailed(
                    f"Match {mid} ({_pair_words(row)}) was already {row[6]}"
                    + (f" by {row[7]}" if row[7] else "")
                    + "; nothing was decided."
                )
        people = _Identities(ws.conn) if confirm else None
        when = stamp()
        batch = {"batch_of": len(ids)} if len(ids) > 1 else {}
        done = []
        for mid in ids:
            _, a, b, name_a, name_b, dob, *_ = asked[mid]
            if people is None:
                ws.conn.execute(
                    "UPDATE person_matches SET status = 'rejected', decided_by = ?, decided_at = ? "
                    "WHERE id = ?",
                    (user, when, mid),
                )
                decision = MatchDecision(mid, a, b, name_a, name_b, dob, "rejected")
                extra: dict[str, Any] = {}
            else:
                decision, extra = _confirm(ws, people, asked[mid], user, when)
            ws.audit(
                user,
                "person.match." + ("confirm" if confirm else "reject"),
                f"people {a} and {b}",
                details={"match_id": mid, "person_a": a, "person_b": b, **decision.moved,
                         **extra, **batch},
            )  # fmt: skip
            done.append(decision)
        if people is not None:  # a later pair of the batch may have joined this person onward
            done = [replace(d, person=people.survivor(d.person or d.person_a)) for d in done]
    return done


def _pair_words(row: tuple[Any, ...]) -> str:
    """``MORALES, ANA / MORALES, ANA, born 1975-03-04`` for a refusal naming the pair."""
    return f"{row[3] or 'no name'} / {row[4] or 'no name'}, born {row[5] or 'unknown'}"


def _confirm(
    ws: Workspace, people: _Identities, asked: tuple[Any, ...], user: str, when: str
) -> tuple[MatchDecision, dict[str, Any]]:
    """Join the two records of one proposal as the batch has left them so far."""
    conn = ws.conn
    mid, a0, b0, name_a, name_b, dob, *_ = asked
    current = conn.execute(
        "SELECT person_a, person_b FROM person_matches WHERE id = ? AND status = 'proposed'",
        (mid,),
    ).fetchone()
    # An earlier join renames this proposal's records (or retires it); go by who they are now.
    a, b = (people.survivor(p) for p in (current or (a0, b0)))

    def decision(person: int, moved: dict[str, int], note: str) -> MatchDecision:
        return MatchDecision(mid, a0, b0, name_a, name_b, dob, "confirmed", person, moved, note)

    if a == b:
        if current is not None:  # cannot stay open: a proposal about one person
            conn.execute("DELETE FROM person_matches WHERE id = ?", (mid,))
        note = "already one person through a pair decided before it"
        return decision(a, {}, note), {"already_one_person": True, "joined_into": a}
    apart = people.ruled_apart(a, b)
    if apart is not None:
        raise ImportFailed(
            f"Match {mid} ({_pair_words(asked)}) cannot be confirmed: it would make one person "
            f"of records that match {apart} decided are two people. Nothing was decided; "
            "check both records and reject this match, or leave it open."
        )
    target = None
    if current is not None and tuple(current) == (a, b):
        target = (mid, a, b)
    else:
        found = conn.execute(
            "SELECT id, person_a, person_b FROM person_matches WHERE status = 'proposed' "
            "AND ((person_a = ? AND person_b = ?) OR (person_a = ? AND person_b = ?))",
            (a, b, b, a),
        ).fetchone()
        if found is not None:
            target = tuple(found)
            if current is not None:
                conn.execute("DELETE FROM person_matches WHERE id = ?", (mid,))
        elif current is not None:
            conn.execute(
                "UPDATE person_matches SET person_a = ?, person_b = ? WHERE id = ?", (a, b, mid)
            )
            target = (mid, a, b)
        else:  # retired without a twin (cannot happen today): record the join under its number
            conn.execute(
                "INSERT INTO person_matches (id, person_a, person_b, basis) VALUES (?, ?, ?, 'name+dob')",
                (mid, a, b),
            )
            target = (mid, a, b)
    row_id, into, gone = target
    conn.execute(
        "UPDATE person_matches SET status = 'confirmed', decided_by = ?, decided_at = ? WHERE id = ?",
        (user, when, row_id),
    )
    moved = _join(conn, into, gone)
    people.join(into, gone)
    if row_id == mid:
        return decision(into, moved, ""), {}
    note = f"the same two people as match {row_id}, which was confirmed with it"
    return decision(into, moved, note), {"confirmed_as_match": row_id, "joined_into": into}


def _join(conn: sqlite3.Connection, a: int, b: int) -> dict[str, int]:
    """Move person B's cases, counts and events to person A; open proposals naming B name A."""
    moved = {"cases": 0, "counts": 0, "events": 0}
    # Cases with the same number merge; the others simply change person.
    for cid, key in conn.execute(
        "SELECT id, case_key FROM cases WHERE person_id = ?", (b,)
    ).fetchall():
        target = conn.execute(
            "SELECT id FROM cases WHERE person_id = ? AND case_key = ? ORDER BY id LIMIT 1",
            (a, key),
        ).fetchone()
        if target:
            conn.execute("UPDATE counts SET case_id = ? WHERE case_id = ?", (target[0], cid))
            conn.execute("DELETE FROM cases WHERE id = ?", (cid,))
        else:
            conn.execute("UPDATE cases SET person_id = ? WHERE id = ?", (a, cid))
        moved["cases"] += 1
    moved["counts"] = conn.execute(
        "UPDATE counts SET person_id = ? WHERE person_id = ?", (a, b)
    ).rowcount
    moved["events"] = conn.execute(
        "UPDATE events SET person_id = ? WHERE person_id = ?", (a, b)
    ).rowcount
    # Other open proposals that name B now name A; those that would repeat a pair already
    # proposed or decided (or pair A with itself) fall away: the decided pair says it.
    for column in ("person_a", "person_b"):
        conn.execute(
            f"UPDATE OR IGNORE person_matches SET {column} = ? WHERE {column} = ? AND status = 'proposed'",
            (a, b),
        )
    conn.execute(
        "DELETE FROM person_matches WHERE status = 'proposed' AND (person_a = person_b OR person_a = ? OR person_b = ?)",
        (b, b),
    )
    return moved


# -- counts and rows for reports --------------------------------------------------------------------


def workspace_totals(ws: Workspace) -> dict[str, int]:
    """How many people, cases, counts, events, sources and source rows the workspace holds."""
    out = {}
    for table in ("people", "cases", "counts", "events", "sources", "source_rows"):
        out[table] = int(ws.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
    return out


def source_findings(ws: Workspace, source_id: int) -> list[StoredFinding]:
    return [
        StoredFinding(*row[:6], skipped=bool(row[6]))
        for row in ws.conn.execute(
            "SELECT sheet, row_number, column_name, severity, code, message, skipped FROM import_findings "
            "WHERE source_id = ? ORDER BY id",
            (source_id,),
        )
    ]
