"""Direct bulk inserts of people, cases, counts and events, for benchmarks and store tests.

The importer is the real way data arrives; this helper writes already-normalized rows
straight into the tables (one transaction, ``executemany``) so a benchmark can build a
1,000,000-count workspace in seconds and a test can state its facts exactly.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from app.store.workspace import Workspace

PEOPLE_COLUMNS = ("id", "person_key", "full_name", "dob")
CASE_COLUMNS = ("id", "person_id", "case_number", "court", "county", "filing_date", "status")
COUNT_COLUMNS = (
    "id",
    "case_id",
    "person_id",
    "count_number",
    "offense_raw",
    "code_book",
    "section",
    "subsections",
    "attempt",
    "conspiracy",
    "offense_recognized",
    "description",
    "level",
    "disposition",
    "disposition_date",
    "offense_date",
    "sentence_completed",
    "dedupe_key",
)
EVENT_COLUMNS = (
    "id",
    "person_id",
    "event_type",
    "event_date",
    "offense_raw",
    "code_book",
    "section",
    "dedupe_key",
)


def _insert(
    ws: Workspace, table: str, columns: tuple[str, ...], rows: Iterable[tuple[object, ...]]
) -> None:
    marks = ", ".join("?" * len(columns))
    ws.conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


def insert_rows(
    ws: Workspace,
    *,
    people: Iterable[tuple[object, ...]],
    cases: Iterable[tuple[object, ...]],
    counts: Iterable[tuple[object, ...]],
    events: Iterable[tuple[object, ...]] = (),
) -> None:
    """Insert rows given in the column orders above, in one transaction."""
    with ws.transaction():
        _insert(ws, "people", PEOPLE_COLUMNS, people)
        _insert(ws, "cases", CASE_COLUMNS, cases)
        _insert(ws, "counts", COUNT_COLUMNS, counts)
        _insert(ws, "events", EVENT_COLUMNS, events)


# -- a large synthetic California workspace ---------------------------------------------------

# (raw, book, section, subsections, level, weight): mostly non-cannabis history, as in a DOJ extract.
_OFFENSES = [
    ("11357(B) HS", "HS", "11357", "(b)", "misdemeanor", 14),
    ("11357(A) HS", "HS", "11357", "(a)", "misdemeanor", 2),
    ("11357(C) HS", "HS", "11357", "(c)", "misdemeanor", 2),
    ("11358 HS", "HS", "11358", "", "felony", 4),
    ("11359 HS", "HS", "11359", "", "felony", 8),
    ("11360(A) HS", "HS", "11360", "(a)", "felony", 5),
    ("664/11359 HS", "HS", "11359", "", "felony", 1),
    ("11361 HS", "HS", "11361", "", "felony", 1),
    ("11350(A) HS", "HS", "11350", "(a)", "felony", 10),
    ("11377(A) HS", "HS", "11377", "(a)", "misdemeanor", 8),
    ("459 PC", "PC", "459", "", "felony", 10),
    ("484(A) PC", "PC", "484", "(a)", "misdemeanor", 12),
    ("23152(A) VC", "VC", "23152", "(a)", "misdemeanor", 12),
    ("245(A)(1) PC", "PC", "245", "(a)(1)", "felony", 5),
    ("664/187(A) PC", "PC", "187", "(a)", "felony", 1),
    ("261(A)(2) PC", "PC", "261", "(a)(2)", "felony", 1),
    ("273.5(A) PC", "PC", "273.5", "(a)", "felony", 4),
]
_DISPOSITIONS = [("convicted", 70), ("dismissed", 22), ("acquitted", 3), (None, 2), ("diverted", 3)]
_COUNTIES = ["KERN", "LOS ANGELES", "FRESNO", "SAN DIEGO", "ALAMEDA"]


@dataclass(frozen=True)
class SyntheticSize:
    people: int
    cases: int
    counts: int


def _people_rows(n_people: int, rng: random.Random) -> Iterator[tuple[object, ...]]:
    for pid in range(1, n_people + 1):
        year = rng.randint(1940, 2000)
        dob = (
            None
            if rng.random() < 0.01
            else f"{year:04d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        )
        yield (pid, f"CII{pid:09d}", f"PERSON {pid}", dob)


def generate_california(
    ws: Workspace, *, people: int, counts_per_person: float = 2.5, seed: int = 7
) -> SyntheticSize:
    """Fill ``ws`` with a synthetic DOJ-like history: ``people`` people, about 2.5 counts each."""
    rng = random.Random(seed)
    offenses = [o[:5] for o in _OFFENSES for _ in range(o[5])]
    dispositions = [d for d, w in _DISPOSITIONS for _ in range(w)]
    case_rows: list[tuple[object, ...]] = []
    count_rows: list[tuple[object, ...]] = []
    event_rows: list[tuple[object, ...]] = []
    case_id = count_id = 0
    for pid in range(1, people + 1):
        n_counts = max(1, int(rng.expovariate(1 / counts_per_person) + 0.5))
        left = n_counts
        while left > 0:
            case_id += 1
            year = rng.randint(1975, 2019)
            filed = f"{year:04d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            county = rng.choice(_COUNTIES)
            case_rows.append(
                (
                    case_id,
                    pid,
                    f"C{case_id:08d}",
                    f"{county} SUPERIOR COURT",
                    county,
                    filed,
                    "closed",
                )
            )
            in_case = min(left, rng.randint(1, 3))
            for n in range(in_case):
                count_id += 1
                raw, book, section, subs, level = rng.choice(offenses)
                disp = rng.choice(dispositions)
                ddate = (
                    f"{min(year + 1, 2020):04d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
                )
                count_rows.append(
                    (
                        count_id,
                        case_id,
                        pid,
                        str(n + 1),
                        raw,
                        book,
                        section,
                        subs,
                        int(raw.startswith("664/")),
                        0,
                        1,
                        None,
                        level,
                        disp,
                        ddate,
                        filed,
                        None,
                        f"syn:{count_id}",
                    )
                )
            left -= in_case
        if rng.random() < 0.003:
            event_rows.append(
                (
                    len(event_rows) + 1,
                    pid,
                    "registration",
                    "2001-01-01",
                    "290 PC",
                    "PC",
                    "290",
                    f"synev:{pid}",
                )
            )
    insert_rows(
        ws, people=_people_rows(people, rng), cases=case_rows, counts=count_rows, events=event_rows
    )
    return SyntheticSize(people, case_id, count_id)
