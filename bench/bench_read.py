"""Reading benchmark: python-calamine alone vs ClearSlate's open_table().rows() on the same files.

Usage: .venv/bin/python bench/bench_read.py [--rows 100000] [--csv-rows 1000000] [--keep DIR]

Each measurement runs in a fresh subprocess so that its peak memory (ru_maxrss) is its own.
Prints one line per measurement; docs/benchmarks.md ("## Reading") records a run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADERS = [
    "SUBJECT_ID", "CII_NUMBER", "PRI_NAME", "PRI_DOB", "GENDER", "RACE", "CYC_DATE",
    "STP_EVENT_DATE", "STP_TYPE_DESCR", "STP_ORI_CNTY_NAME", "CNT_ORDER", "OFN",
    "OFFENSE_DESCR", "OFFENSE_TOC", "DISP_DESCR", "COMMENT_TEXT",
]  # fmt: skip
CODES = [("11357(B) HS", "POSSESS MARIJUANA"), ("11359 HS", "POSSESS MARIJUANA FOR SALE"),
         ("11360(A) HS", "TRANSPORT/SELL MARIJUANA"), ("11358 HS", "CULTIVATE MARIJUANA"),
         ("23152(A) VC", "DUI ALCOHOL")]  # fmt: skip
LAST = ["GARCIA", "SMITH", "NGUYEN", "JOHNSON", "LOPEZ", "O'BRIEN", "NÚÑEZ", "WILLIAMS"]
FIRST = ["MARIA", "JAMES", "LINH", "ROBERT", "JOSÉ", "PATRICIA", "MICHAEL", "ANA"]


def _row(i: int, rng: random.Random) -> list[object]:
    code, descr = rng.choice(CODES)
    dob = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(20_000))
    event = dt.date(1975, 1, 1) + dt.timedelta(days=rng.randrange(15_000))
    return [
        f"{i // 3:09d}", f"A{rng.randrange(10**8):08d}",
        f"{rng.choice(LAST)}, {rng.choice(FIRST)}", dob, rng.choice("MF"), rng.choice("WBHAO"),
        event, event + dt.timedelta(days=rng.randrange(400)), "COURT", "KERN", i % 3 + 1, code,
        descr, rng.choice("FM"), rng.choice(["CONVICTED", "DISMISSED", "ACQUITTED"]),
        "" if rng.random() < 0.8 else "SEE COMMENT FOR CHARGE",
    ]  # fmt: skip


def make_xlsx(path: Path, rows: int) -> None:
    import xlsxwriter

    rng = random.Random(64)
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("Extract")
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_row(0, 0, HEADERS)
    for r in range(1, rows + 1):
        for c, value in enumerate(_row(r, rng)):
            if isinstance(value, dt.date):
                ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_fmt)
            elif isinstance(value, int):
                ws.write_number(r, c, value)
            elif value:
                ws.write_string(r, c, value)
    wb.close()


def make_csv(path: Path, rows: int) -> None:
    import csv

    rng = random.Random(64)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADERS)
        for r in range(1, rows + 1):
            writer.writerow(
                v.strftime("%m/%d/%Y") if isinstance(v, dt.date) else v for v in _row(r, rng)
            )


# --- the measured work, run in a child process ------------------------------------------------


def _child(mode: str, path: str) -> None:
    import resource

    sys.path.insert(0, str(ROOT))
    started = time.perf_counter()
    cells = rows = 0
    if mode == "calamine":
        import python_calamine as pc

        workbook = pc.CalamineWorkbook.from_path(path)
        sheet = workbook.get_sheet_by_name(workbook.sheet_names[0])
        for row in sheet.iter_rows():
            rows += 1
            cells += len(row)
    elif mode == "calamine-load":
        import python_calamine as pc

        workbook = pc.CalamineWorkbook.from_path(path)
        sheet = workbook.get_sheet_by_name(workbook.sheet_names[0])
        rows = sheet.height
    elif mode == "open_table":
        from app.ingest.readers import open_table

        with open_table(path) as table:
            opened = time.perf_counter() - started
            for _, row in table.rows():
                rows += 1
                cells += len(row)
    elif mode == "open_only":
        from app.ingest.readers import open_table

        with open_table(path) as table:
            rows = len(table.findings)
    elif mode == "zip_verify":
        from app.ingest.readers import _ZipFacts
        from app.ingest.safety import check_zip

        check_zip(Path(path))
        facts = _ZipFacts.verify(Path(path), "xlsx")
        scan = facts.scan_for(next(iter(facts.sheet_parts)))
        rows = scan.max_row if scan is not None else 0
    else:
        raise SystemExit(f"unknown mode {mode}")
    elapsed = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out = {"mode": mode, "seconds": round(elapsed, 3), "rows": rows, "cells": cells,
           "peak_mb": round(peak_mb, 1)}  # fmt: skip
    if mode == "open_table":
        out["open_seconds"] = round(opened, 3)
    print(json.dumps(out))


def _measure(mode: str, path: Path, repeat: int) -> dict[str, object]:
    """The fastest of ``repeat`` runs (other work on the machine only ever slows a run down)."""
    best: dict[str, object] | None = None
    for _ in range(repeat):
        proc = subprocess.run(
            [sys.executable, __file__, "--child", mode, str(path)],
            capture_output=True,
            text=True,
            check=True,
        )
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        if best is None or result["seconds"] < best["seconds"]:  # type: ignore[operator]
            best = result
    assert best is not None
    best["file"] = path.name
    return best


def _baseline() -> float:
    code = (
        f"import resource, sys; sys.path.insert(0, {str(ROOT)!r}); import python_calamine; "
        "import app.ingest.readers; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(proc.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--csv-rows", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="keep the generated files in this folder")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (fastest kept)")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return
    folder = args.keep or Path(tempfile.mkdtemp(prefix="clearslate-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    xlsx = folder / f"extract_{args.rows}.xlsx"
    csv_path = folder / f"extract_{args.csv_rows}.csv"
    if not xlsx.exists():
        t = time.perf_counter()
        make_xlsx(xlsx, args.rows)
        print(
            f"# wrote {xlsx.name} ({xlsx.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - t:.1f} s"
        )
    if args.csv_rows and not csv_path.exists():
        t = time.perf_counter()
        make_csv(csv_path, args.csv_rows)
        print(
            f"# wrote {csv_path.name} ({csv_path.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - t:.1f} s"
        )
    print(f"# interpreter + imports baseline: {_baseline():.0f} MB peak")
    results = [
        _measure(mode, xlsx, args.repeat)
        for mode in ("calamine-load", "calamine", "zip_verify", "open_only", "open_table")
    ]
    calamine = float(next(r for r in results if r["mode"] == "calamine")["seconds"])  # type: ignore[arg-type]
    for r in results:
        print(json.dumps(r), f"# {float(r['seconds']) / calamine:.2f}x calamine iter_rows")  # type: ignore[arg-type]
    if args.csv_rows:
        r = _measure("open_table", csv_path, args.repeat)
        rate = int(r["rows"]) / float(r["seconds"])  # type: ignore[arg-type]
        print(json.dumps(r), f"# {rate:,.0f} rows/s")


if __name__ == "__main__":
    main()
