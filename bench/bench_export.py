"""Export benchmark: a packet for 66,000 eligible counts (the size of the Los Angeles motion).

Goal (issue 6): under 60 s and under 1.5 GB peak memory. Also measures the two xlsx writers
the clerk's workbook could use. Prints figures; record them in docs/benchmarks.md ("## Export").

    .venv/bin/python bench/bench_export.py [--counts 66000] [--skip-xlsx-compare]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("CLEARSLATE_TEST_FAST_KDF", "1")
if not os.environ.get("DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.core.clock import stamp  # noqa: E402
from app.core.model import Role  # noqa: E402

PASSWORD = "bench-password-1"
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
    "CII",
    "Court",
    "Comment",
    "Agency",
    "Arrest Date",
    "Sentence",
    "Status",
    "Notes",
    "Filed",
]
LAST = [
    "Garcia",
    "Nguyễn",
    "O'Brien",
    "Núñez",
    "Smith",
    "Johnson",
    "Lee",
    "Martinez",
    "Brown",
    "Washington-Featherstone",
]
FIRST = ["Ana", "Bao", "Carlos", "Dana", "Eli", "Fatima", "George", "Hana", "Ivan", "Jamal"]
RELIEF = ["eligible_dismiss", "eligible_dismiss", "eligible_reduce"]


def seed(ws, n: int) -> None:  # type: ignore[no-untyped-def]
    at = stamp()
    conn = ws.conn
    with ws.transaction():
        conn.execute(
            "INSERT INTO sources(id, file_name, file_sha256, sheet, headers, row_count, imported_rows, imported_at, imported_by) "
            "VALUES (1, 'la-doj.xlsx', ?, 'Sheet1', ?, ?, ?, ?, 'clerk')",
            ("0" * 64, json.dumps(HEADERS), n, n, at),
        )
        conn.execute(
            "INSERT INTO evaluation_runs(id, policy_id, pack_version, pack_sha256, as_of, engine_version, started_at, finished_at, user, count_total) "
            "VALUES (1, 'ca-prop64-la-2020', '2020.1', ?, '2020-02-11', 'bench', ?, ?, 'clerk', ?)",
            ("ab" * 32, at, at, n),
        )
        people = n * 53 // 66  # about 53,000 people for 66,000 convictions
        rows, persons, cases, counts, recs, decisions = [], [], [], [], [], []
        for i in range(n):
            p = i % people + 1
            last, first = LAST[i % 10], FIRST[(i // 10) % 10]
            dob = f"19{40 + i % 50:02d}-{1 + i % 12:02d}-{1 + i % 28:02d}"
            disp = f"{1961 + i % 55}-{1 + i % 12:02d}-{1 + i % 28:02d}"
            section = ("11357", "11358", "11359", "11360")[i % 4]
            level = "misdemeanor" if section == "11357" else "felony"
            outcome = RELIEF[i % 3]
            case_number = f"BA{100000 + i:07d}"
            rows.append(
                (
                    i + 1,
                    1,
                    i + 2,
                    json.dumps(
                        [
                            case_number,
                            "1",
                            last,
                            first,
                            dob,
                            "M",
                            "Hispanic",
                            f"{section} HS",
                            level[0].upper(),
                            "CONVICTED",
                            disp,
                            150,
                            f"A{p:08d}",
                            "LA Superior",
                            "",
                            "LAPD",
                            disp,
                            "PROBATION",
                            "closed",
                            "",
                            disp,
                        ]
                    ),
                )
            )
            if p == i + 1:
                persons.append(
                    (
                        p,
                        f"A{p:08d}",
                        f"{last}, {first}",
                        last,
                        first,
                        dob,
                        "M" if i % 3 else "F",
                        ("Hispanic", "Black", "White", "Asian")[i % 4],
                    )
                )
            cases.append((i + 1, p, case_number, disp))
            counts.append((i + 1, i + 1, p, f"{section} HS", section, level, disp, i + 1, f"k{i}"))
            reasons = json.dumps(
                [
                    {
                        "code": "CA-DISMISS",
                        "text": "Possession under HS 11357(b) is lawful for adults under HS 11362.1.",
                        "citation": "HS 11361.8(e)",
                        "facts": {},
                    }
                ]
            )
            recs.append((i + 1, outcome, reasons))
            decisions.append((i + 1, outcome, outcome, at))
        conn.executemany(
            "INSERT INTO source_rows(id, source_id, row_number, data) VALUES (?, ?, ?, ?)", rows
        )
        conn.executemany(
            "INSERT INTO people(id, person_key, key_type, full_name, last_name, first_name, dob, sex, race, source_id) VALUES (?, ?, 'cii', ?, ?, ?, ?, ?, ?, 1)",
            persons,
        )
        conn.executemany(
            "INSERT INTO cases(id, person_id, case_number, court, county, filing_date, status) VALUES (?, ?, ?, 'LA Superior', 'Los Angeles', ?, 'closed')",
            cases,
        )
        conn.executemany(
            "INSERT INTO counts(id, case_id, person_id, count_number, offense_raw, code_book, section, subsections, offense_recognized, level, disposition, disposition_date, source_row_id, dedupe_key) "
            "VALUES (?, ?, ?, '1', ?, 'HS', ?, '[]', 1, ?, 'convicted', ?, ?, ?)",
            counts,
        )
        conn.executemany(
            "INSERT INTO recommendations(run_id, count_id, outcome, rule_ids, reasons) VALUES (1, ?, ?, '[]', ?)",
            recs,
        )
        conn.executemany(
            "INSERT INTO decisions(count_id, run_id, recommended, action, final_outcome, status, user, at, batch_id) VALUES (?, 1, ?, 'accept', ?, 'decided', 'reviewer', ?, 'bulk-1')",
            decisions,
        )
        ws.audit("reviewer", "decision.bulk_accept", None, details={"counts": n})


def xlsx_compare(n: int, folder: Path) -> None:
    import openpyxl
    import xlsxwriter

    row = [f"text {i} Núñez" for i in range(23)] + [123, 4.5]
    t = time.perf_counter()
    wb = xlsxwriter.Workbook(
        str(folder / "xw.xlsx"), {"constant_memory": True, "strings_to_formulas": False}
    )
    ws = wb.add_worksheet()
    for r in range(n):
        for c, v in enumerate(row):
            (ws.write_string if isinstance(v, str) else ws.write_number)(r, c, v)
    wb.close()
    xw = time.perf_counter() - t
    t = time.perf_counter()
    wb2 = openpyxl.Workbook(write_only=True)
    ws2 = wb2.create_sheet()
    for _ in range(n):
        ws2.append(row)
    wb2.save(str(folder / "op.xlsx"))
    op = time.perf_counter() - t
    print(
        f"xlsx {n:,} rows x 25 columns: xlsxwriter constant_memory {xw:.1f} s, openpyxl write_only {op:.1f} s ({op / xw:.2f}x)"
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--counts", type=int, default=66_000)
    parser.add_argument("--skip-xlsx-compare", action="store_true")
    args = parser.parse_args()
    from app.services import auth, workspaces
    from app.services.packet import export_packet, verify_packet
    from app.services.signoff import signoff

    workspaces.check_policy = lambda _id: None  # the benchmark does not need the packs
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        ws = workspaces.init_workspace(
            folder / "bench.clearslate",
            policy_id="ca-prop64-la-2020",
            county="Los Angeles",
            admin="admin",
            password=PASSWORD,
        )
        admin = auth.login(ws, "admin", PASSWORD)
        auth.create_user(ws, "supervisor", PASSWORD, Role.SUPERVISOR, by=admin)
        t = time.perf_counter()
        seed(ws, args.counts)
        print(f"seeded {args.counts:,} decided counts in {time.perf_counter() - t:.1f} s")
        supervisor = auth.login(ws, "supervisor", PASSWORD)
        t = time.perf_counter()
        signoff(ws, supervisor, PASSWORD)
        print(f"sign-off: {time.perf_counter() - t:.2f} s")
        base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        t = time.perf_counter()
        report = export_packet(ws, supervisor, folder / "packet")
        seconds = time.perf_counter() - t
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"export: {seconds:.1f} s for {args.counts:,} counts; peak RSS {peak:.0f} MB (before export {base_rss:.0f} MB)"
        )
        for f in report.files:
            pages = report.pages.get(f["name"])
            print(
                f"  {f['name']:<28} {f['size'] / 1e6:8.1f} MB"
                + (f"  {pages:,} pages" if pages else "")
            )
        t = time.perf_counter()
        ok = verify_packet(report.folder).ok
        print(f"verify: {'ok' if ok else 'FAILED'} in {time.perf_counter() - t:.1f} s")
        ws.close()
        if not args.skip_xlsx_compare:
            xlsx_compare(args.counts, folder)
        return 0 if ok and seconds < 60 and peak < 1536 else 1


if __name__ == "__main__":
    sys.exit(main())
