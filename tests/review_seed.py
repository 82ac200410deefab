"""Seeds review workspaces by direct SQL: a small hand-shaped one and a fast 1M-count one.

The review tests and ``bench/bench_review.py`` use it instead of the importer and the engine
so they can shape exactly the data they need (priors, registrations, needs-review counts,
a second run that changes an outcome) and build a million counts in seconds.
"""

from __future__ import annotations

import json
import random
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from app.core.clock import stamp

REVIEW_HEADERS = ["Case", "Count", "Last", "First", "DOB", "Code", "Level", "Disposition", "Date"]


@pytest.fixture
def known_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Lets workspaces be created whatever packs the engine ships at the moment."""
    monkeypatch.setattr("app.services.workspaces.check_policy", lambda _policy_id: None)


@dataclass
class SmallSeed:
    """Ids of the small hand-made workspace, by a readable name."""

    run_id: int
    cases: dict[str, int] = field(default_factory=dict)  # case number -> case id
    counts: dict[str, int] = field(default_factory=dict)  # "case/count" -> count id
    people: dict[str, int] = field(default_factory=dict)  # person key -> person id


def _reason(code: str, text: str, citation: str, **facts: Any) -> dict[str, Any]:
    return {"code": code, "text": text, "citation": citation, "facts": facts}


# (person key, last, first, dob, [(case number, court, county, filing date,
#   [(count number, raw, section, subs, level, disposition, disposition date, outcome, reasons)])])
def _small_people() -> list[tuple[str, str, str, str, list[tuple[Any, ...]]]]:
    dismiss = [_reason("CA-11357B-DISMISS", "Possession of 28.5 g or less by an adult is lawful under HS 11362.1; dismiss and seal (HS 11361.8(f)).", "HS 11361.8(f)")]
    reduce = [_reason("CA-11359-REDUCE", "Possession for sale is now a misdemeanor (HS 11359(b)); redesignate (HS 11361.8(f)).", "HS 11361.8(f)")]
    qty = [_reason("CA-11357A-QTY", "HS 11357(a) was concentrated cannabis before Prop 64: check the quantity in the file (8 g or less is lawful).", "HS 11357(a); HS 11362.1")]
    strike = [_reason("CA-SUPER-STRIKE", "A prior super strike (PC 187) keeps this a felony (PC 667(e)(2)(C)(iv)).", "PC 667(e)(2)(C)(iv)", prior_count_ids="@PRIOR")]
    return [
        ("CII0001", "Núñez", "María", "1960-03-04", [
            ("BA100001", "Kern Superior", "Kern", "1995-05-01", [
                ("1", "11357(B) HS", "11357", "(b)", "misdemeanor", "convicted", "1995-06-01", "eligible_dismiss", dismiss),
                ("2", "11359 HS", "11359", "", "felony", "convicted", "1995-06-01", "eligible_reduce", reduce),
            ]),
        ]),
        ("CII0002", "O'Brien", "Sean", "1970-01-02", [
            ("BA100002", "Kern Superior", "Kern", "2001-02-03", [
                ("1", "11357(A) HS", "11357", "(a)", "misdemeanor", "convicted", "2001-03-03", "needs_review", qty),
            ]),
        ]),
        ("CII0003", "Smith", "John", "1965-07-08", [
            ("BF200001", "Kern Superior", "Kern", "1985-01-01", [
                ("1", "187 PC", "187", "", "felony", "convicted", "1985-06-01", "not_eligible",
                 [_reason("CA-NOT-COVERED", "PC 187 is not a cannabis offense covered by HS 11361.8.", "HS 11361.8")]),
            ]),
            ("BF200002", "Kern Superior", "Kern", "1999-04-04", [
                ("1", "11360(A) HS", "11360", "(a)", "felony", "convicted", "1999-05-05", "not_eligible", strike),
            ]),
        ]),
        ("CII0004", "Smith", "Jane", "1980-09-09", [
            ("BA300001", "Bakersfield Municipal", "Kern", "2005-05-05", [
                ("1", "11357(B) HS", "11357", "(b)", "infraction", "convicted", "2005-06-06", "eligible_dismiss", dismiss),
            ]),
        ]),
        ("CII0005", "Nguyễn", "Anh", "1990-12-12", [
            ("BA400001", "Fresno Superior", "Fresno", "2010-01-01", [
                ("1", "11358 HS", "11358", "", "felony", "convicted", "2010-02-02", "eligible_reduce", reduce),
                ("2", "11357(B) HS", "11357", "(b)", "misdemeanor", "convicted", "2010-02-02", "eligible_dismiss", dismiss),
            ]),
        ]),
    ]


def seed_small(ws: Any) -> SmallSeed:
    """Five people, seven cases... with priors, a registration event and a needs-review count."""
    conn = ws.conn
    at = stamp()
    with ws.transaction():
        source_id = conn.execute(
            "INSERT INTO sources(file_name, file_sha256, sheet, headers, row_count, imported_rows, imported_at, imported_by) "
            "VALUES ('kern-doj.xlsx', ?, 'Sheet1', ?, 0, 0, ?, 'clerk')",
            ("f" * 64, json.dumps(REVIEW_HEADERS), at),
        ).lastrowid
        run_id = conn.execute(
            "INSERT INTO evaluation_runs(policy_id, pack_version, pack_sha256, as_of, engine_version, started_at, "
            "finished_at, user, count_total) VALUES ('ca-prop64-state', '1', ?, '2025-01-01', 'test', ?, ?, 'clerk', 0)",
            ("a" * 64, at, at),
        ).lastrowid
        seed = SmallSeed(run_id)
        row_number = 1
        pending_prior: list[tuple[int, list[dict[str, Any]], str]] = []
        for key, last, first, dob, cases in _small_people():
            person_id = conn.execute(
                "INSERT INTO people(person_key, key_type, full_name, last_name, first_name, dob, sex, source_id) "
                "VALUES (?, 'cii', ?, ?, ?, ?, 'M', ?)",
                (key, f"{last}, {first}", last, first, dob, source_id),
            ).lastrowid
            seed.people[key] = person_id
            for number, court, county, filed, counts in cases:
                case_id = conn.execute(
                    "INSERT INTO cases(person_id, case_number, court, county, filing_date, status) VALUES (?, ?, ?, ?, ?, 'closed')",
                    (person_id, number, court, county, filed),
                ).lastrowid
                seed.cases[number] = case_id
                for count_number, raw, section, subs, level, disposition, disp_date, outcome, reasons in counts:
                    row_number += 1
                    row_id = conn.execute(
                        "INSERT INTO source_rows(source_id, row_number, data) VALUES (?, ?, ?)",
                        (source_id, row_number, json.dumps([number, count_number, last, first, dob, raw, level, disposition, disp_date])),
                    ).lastrowid
                    count_id = conn.execute(
                        "INSERT INTO counts(case_id, person_id, count_number, offense_raw, code_book, section, subsections, "
                        "offense_recognized, description, level, disposition, disposition_date, source_row_id, dedupe_key) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, 1, 'CANNABIS', ?, ?, ?, ?, ?)",
                        (case_id, person_id, count_number, raw, "PC" if section == "187" else "HS", section, subs, level,
                         disposition, disp_date, row_id, f"{number}/{count_number}"),
                    ).lastrowid
                    seed.counts[f"{number}/{count_number}"] = count_id
                    pending_prior.append((count_id, reasons, outcome))
            if key == "CII0003":
                conn.execute(
                    "INSERT INTO events(person_id, event_type, event_date, offense_raw, section, description, dedupe_key) "
                    "VALUES (?, 'registration', '1986-01-01', '290 PC', '290', 'REGISTRATION', 'ev1')",
                    (person_id,),
                )
        prior = seed.counts["BF200001/1"]
        for count_id, reasons, outcome in pending_prior:
            fixed = [
                {**r, "facts": {k: ([prior] if v == "@PRIOR" else v) for k, v in r["facts"].items()}} for r in reasons
            ]
            conn.execute(
                "INSERT INTO recommendations(run_id, count_id, outcome, rule_ids, reasons) VALUES (?, ?, ?, ?, ?)",
                (run_id, count_id, outcome, json.dumps([r["code"] for r in fixed]), json.dumps(fixed)),
            )
        conn.execute("UPDATE sources SET row_count = ?, imported_rows = ? WHERE id = ?", (row_number - 1, row_number - 1, source_id))
    return seed


def add_run(ws: Any, changes: dict[int, str]) -> int:
    """A new evaluation run: the previous run's outcomes with ``changes`` (count id -> outcome)."""
    conn = ws.conn
    at = stamp()
    with ws.transaction():
        old = conn.execute("SELECT max(id) FROM evaluation_runs").fetchone()[0]
        run_id = conn.execute(
            "INSERT INTO evaluation_runs(policy_id, pack_version, pack_sha256, as_of, engine_version, started_at, "
            "finished_at, user, count_total) VALUES ('ca-prop64-state', '2', ?, '2025-06-01', 'test', ?, ?, 'clerk', 0)",
            ("b" * 64, at, at),
        ).lastrowid
        for count_id, outcome, rule_ids, reasons in conn.execute(
            "SELECT count_id, outcome, rule_ids, reasons FROM recommendations WHERE run_id = ?", (old,)
        ).fetchall():
            conn.execute(
                "INSERT INTO recommendations(run_id, count_id, outcome, rule_ids, reasons) VALUES (?, ?, ?, ?, ?)",
                (run_id, count_id, changes.get(count_id, outcome), rule_ids, reasons),
            )
    return run_id


# -- a large synthetic workspace ---------------------------------------------------------------------

LAST = ["Smith", "Garcia", "Johnson", "Martinez", "Brown", "Lopez", "Davis", "Hernández", "Nguyễn", "O'Brien",
        "Wilson", "Anderson", "Taylor", "Thomas", "Moore", "Jackson", "Lee", "Perez", "White", "Harris"]
FIRST = ["James", "Maria", "John", "Ana", "Robert", "Linda", "Michael", "Rosa", "David", "Sean", "Luis", "Mary"]
BIG_SECTIONS = [("11357", "(b)", "misdemeanor"), ("11359", "", "felony"), ("11360", "(a)", "felony"),
                ("11358", "", "felony"), ("11357", "(a)", "misdemeanor"), ("23152", "(a)", "misdemeanor")]
BIG_OUTCOMES = ["eligible_dismiss", "eligible_reduce", "eligible_reduce", "eligible_reduce", "needs_review", "not_eligible"]


def build_large(path: Path, n_counts: int = 1_000_000, *, seed: int = 7) -> dict[str, int]:
    """Fill an existing (created, empty) workspace file with ``n_counts`` counts, fast.

    About 2.5 counts a case and 1.6 cases a person; one evaluation run. Direct SQL with
    synchronous off: test data only, never how ClearSlate itself writes.
    """
    rng = random.Random(seed)
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA journal_mode = WAL")
    at = stamp()
    people: list[tuple[Any, ...]] = []
    cases: list[tuple[Any, ...]] = []
    counts: list[tuple[Any, ...]] = []
    recs: list[tuple[Any, ...]] = []
    reason_text = {
        o: json.dumps([{"code": f"R-{o}", "text": f"Synthetic reason for {o} (HS 11361.8).", "citation": "HS 11361.8", "facts": {}}])
        for o in set(BIG_OUTCOMES)
    }
    person_id = case_id = count_id = 0
    while count_id < n_counts:
        person_id += 1
        last, first = rng.choice(LAST), rng.choice(FIRST)
        people.append((person_id, f"K{person_id:09d}", "cii", f"{last}, {first}", last, first,
                       f"{rng.randint(1940, 2000)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"))
        for _ in range(rng.choice((1, 1, 2, 2, 3))):
            case_id += 1
            year = rng.randint(1970, 2016)
            county = rng.choice(("Kern", "Kern", "Fresno", "Tulare"))
            cases.append((case_id, person_id, f"BA{case_id:08d}", f"{county} Superior", county, f"{year}-{rng.randint(1, 12):02d}-01"))
            for k in range(rng.choice((1, 2, 3, 4))):
                count_id += 1
                section, subs, level = rng.choice(BIG_SECTIONS)
                outcome = rng.choice(BIG_OUTCOMES) if section != "23152" else "not_eligible"
                counts.append((count_id, case_id, person_id, str(k + 1), f"{section}{subs} HS", "HS", section, subs,
                               level, "convicted", f"{year}-12-01", f"d{count_id}"))
                recs.append((count_id, outcome, json.dumps([f"R-{outcome}"]), reason_text[outcome]))
                if count_id >= n_counts:
                    break
            if count_id >= n_counts:
                break
    from app.store.schema import BULK_INDEXES

    conn.execute("BEGIN")
    # Like the importer: load without the bulk indexes, build them once at the end.
    # The name is the word before ON, whatever form the CREATE takes (UNIQUE, IF NOT EXISTS).
    names = [stmt.split(' ON ')[0].split()[-1] for stmt in BULK_INDEXES]
    for name in names:
        conn.execute(f"DROP INDEX IF EXISTS {name}")
    conn.executemany(
        "INSERT INTO people(id, person_key, key_type, full_name, last_name, first_name, dob) VALUES (?,?,?,?,?,?,?)", people
    )
    conn.executemany(
        "INSERT INTO cases(id, person_id, case_number, court, county, filing_date, status) VALUES (?,?,?,?,?,?,'closed')", cases
    )
    conn.executemany(
        "INSERT INTO counts(id, case_id, person_id, count_number, offense_raw, code_book, section, subsections, "
        "offense_recognized, level, disposition, disposition_date, dedupe_key) VALUES (?,?,?,?,?,?,?,?,1,?,?,?,?)",
        counts,
    )
    run_id = conn.execute(
        "INSERT INTO evaluation_runs(policy_id, pack_version, pack_sha256, as_of, engine_version, started_at, finished_at, "
        "user, count_total) VALUES ('ca-prop64-state', '1', ?, '2025-01-01', 'bench', ?, ?, 'clerk', ?)",
        ("c" * 64, at, at, len(counts)),
    ).lastrowid
    conn.executemany(
        "INSERT INTO recommendations(run_id, count_id, outcome, rule_ids, reasons) VALUES (?, ?, ?, ?, ?)",
        ((run_id, *r) for r in recs),
    )
    for stmt in BULK_INDEXES:
        conn.execute(stmt)
    conn.execute("COMMIT")
    conn.close()
    return {"people": person_id, "cases": case_id, "counts": count_id}
