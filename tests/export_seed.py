"""Seeds a real workspace with imported rows, an evaluation run and decisions, by direct SQL.

The sign-off and export tests use it instead of the importer and the engine, so they do
not depend on those parts and can shape exactly the data they need (hostile text, many
rows, a given decider).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest

from app.core.clock import stamp

HEADERS = [
    "Case Number",
    "Count",
    "Last Name",
    "First Name",
    "DOB",
    "Sex",
    "Race",
    "Code",
    "Level",
    "Disposition",
    "Disp Date",
    "Fine",
]

# Outcomes cycle in this order so a small seed has every relief type.
OUTCOMES = [
    "eligible_dismiss",
    "eligible_reduce",
    "eligible_vacate",
    "not_eligible",
    "needs_review",
]
# The same cycle without "vacate", which California's law does not give: an export of the
# default (California) policy refuses a count decided as eligible to vacate.
CA_OUTCOMES = [o if o != "eligible_vacate" else "eligible_dismiss" for o in OUTCOMES]
SECTIONS = [
    ("HS", "11357", ["b"], "misdemeanor"),
    ("HS", "11359", [], "felony"),
    ("HS", "11360", ["a"], "felony"),
    ("HS", "11358", [], "felony"),
    ("PC", "187", [], "felony"),
]
RACES = ["White", "Black", "Hispanic", "Asian", ""]


@pytest.fixture
def known_policy(monkeypatch: pytest.MonkeyPatch, qapp: object) -> None:
    """Lets workspaces be created before the engine's pack list lands (no-op once it has).

    It also makes pytest-qt's QApplication exist first: the PDF writer would otherwise make a
    QGuiApplication, and a later widget test in the same process would abort (one app per process).
    """
    try:
        from app.rules import packs  # noqa: F401
    except ImportError:
        monkeypatch.setattr("app.services.workspaces.check_policy", lambda _policy_id: None)


@dataclass
class Seeded:
    run_id: int
    count_ids: list[int] = field(default_factory=list)
    case_numbers: dict[int, str] = field(default_factory=dict)
    outcomes: dict[int, str] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)

    def eligible_case_numbers(self) -> set[str]:
        return {self.case_numbers[c] for c, o in self.outcomes.items() if o.startswith("eligible_")}


def seed(
    ws: Any,
    n: int = 10,
    *,
    decider: str | None = "reviewer",
    names: list[tuple[str, str]] | None = None,
    case_numbers: list[str] | None = None,
    outcomes: list[str] | None = None,
    policy_id: str = "ca-prop64-state",
) -> Seeded:
    """``n`` people with one case and one count each, evaluated and (if ``decider``) accepted."""
    conn = ws.conn
    at = stamp()
    with ws.transaction():
        source_id = conn.execute(
            "INSERT INTO sources(file_name, file_sha256, sheet, headers, row_count, imported_rows, imported_at, imported_by) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            ("kern-doj.xlsx", f"{n:064d}", "Sheet1", json.dumps(HEADERS), n, n, at, "clerk"),
        ).lastrowid
        run_id = conn.execute(
            "INSERT INTO evaluation_runs(policy_id, pack_version, pack_sha256, as_of, engine_version, started_at, finished_at, user, count_total) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (policy_id, "2024.1", "ab" * 32, "2025-01-01", "test", at, at, "clerk", n),
        ).lastrowid
        result = Seeded(run_id)
        for i in range(n):
            last, first = names[i] if names and i < len(names) else (f"Doe{i}", f"Jan{i}")
            case_number = (
                case_numbers[i] if case_numbers and i < len(case_numbers) else f"BF{100000 + i}A"
            )
            outcome = (outcomes or OUTCOMES)[i % len(outcomes or OUTCOMES)]
            book, section, subs, level = SECTIONS[i % len(SECTIONS)]
            dob = f"19{50 + i % 40:02d}-0{1 + i % 9}-1{i % 10}"
            disp_date = f"{1975 + i % 40}-0{1 + i % 9}-2{i % 9}"
            race = RACES[i % len(RACES)]
            sex = "M" if i % 3 else "F"
            row = [
                case_number,
                "1",
                last,
                first,
                dob,
                sex,
                race,
                f"{section} {book}",
                level[0].upper(),
                "CONVICTED",
                disp_date,
                150 + i,
            ]
            row_id = conn.execute(
                "INSERT INTO source_rows(source_id, row_number, data) VALUES (?, ?, ?)",
                (source_id, i + 2, json.dumps(row)),
            ).lastrowid
            person_id = conn.execute(
                "INSERT INTO people(person_key, key_type, full_name, last_name, first_name, dob, sex, race, source_id) "
                "VALUES (?, 'cii', ?, ?, ?, ?, ?, ?, ?)",
                (f"A{i:08d}", f"{last}, {first}", last, first, dob, sex, race or None, source_id),
            ).lastrowid
            case_id = conn.execute(
                "INSERT INTO cases(person_id, case_number, court, county, filing_date, status) VALUES (?, ?, ?, ?, ?, 'closed')",
                (person_id, case_number, "Kern Superior", "Kern", disp_date),
            ).lastrowid
            count_id = conn.execute(
                "INSERT INTO counts(case_id, person_id, count_number, offense_raw, code_book, section, subsections, "
                "offense_recognized, description, level, disposition, disposition_date, source_row_id, dedupe_key) "
                "VALUES (?, ?, '1', ?, ?, ?, ?, 1, ?, ?, 'convicted', ?, ?, ?)",
                (
                    case_id,
                    person_id,
                    f"{section} {book}",
                    book,
                    section,
                    json.dumps(subs),
                    "CANNABIS",
                    level,
                    disp_date,
                    row_id,
                    f"k{i}",
                ),
            ).lastrowid
            reasons = [
                {
                    "code": f"R-{outcome}",
                    "text": f"Because {section} rule says {outcome}.",
                    "citation": "HS 11361.8",
                    "facts": {},
                }
            ]
            conn.execute(
                "INSERT INTO recommendations(run_id, count_id, outcome, rule_ids, reasons) VALUES (?, ?, ?, ?, ?)",
                (run_id, count_id, outcome, json.dumps([f"R-{outcome}"]), json.dumps(reasons)),
            )
            result.count_ids.append(count_id)
            result.case_numbers[count_id] = case_number
            result.outcomes[count_id] = outcome
            result.names[count_id] = f"{last}, {first}"
        if decider:
            for count_id in result.count_ids:
                decide(
                    ws,
                    count_id,
                    result.outcomes[count_id],
                    decider,
                    run_id=run_id,
                    recommended=result.outcomes[count_id],
                )
    return result


def decide(
    ws: Any,
    count_id: int,
    outcome: str | None,
    user: str,
    *,
    action: str = "accept",
    status: str = "decided",
    reason: str | None = None,
    run_id: int | None = None,
    recommended: str | None = None,
) -> int:
    """Append one decisions row (the review service's job; done directly here)."""
    with ws.transaction():
        decision_id = ws.conn.execute(
            "INSERT INTO decisions(count_id, run_id, recommended, action, final_outcome, status, reason, user, at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                count_id,
                run_id,
                recommended or outcome,
                action,
                outcome,
                status,
                reason,
                user,
                stamp(),
            ),
        ).lastrowid
        ws.audit(user, f"decision.{action}", f"count:{count_id}", details={"outcome": outcome})
    return int(decision_id)
