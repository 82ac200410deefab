"""Import benchmark: end-to-end import of a 100,000-row, 16-column xlsx vs python-calamine reading it,
and 1,000,000 CSV rows with peak memory. Prints figures; record them in docs/benchmarks.md ("## Import").

    .venv/bin/python bench/bench_import.py [--rows 100000] [--csv-rows 1000000] [--dir /tmp/cs-bench]
                                           [--repeat N] [--shared-strings]

Each measurement runs in a fresh child process so peak RSS (ru_maxrss) belongs to it alone.
Wall time and CPU time are both printed: on a shared machine the CPU time is the steadier figure.
``--repeat N`` keeps the fastest of N runs of each measurement (other processes only ever make
a run slower); the load average before and after is printed with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _child(kind: str, path: str, work: str) -> None:
    wall, cpu = time.perf_counter(), time.process_time()
    extra: dict[str, object] = {}
    if kind == "calamine":
        import python_calamine

        book = python_calamine.CalamineWorkbook.from_path(path)
        sheet = book.get_sheet_by_index(0)
        rows = 0
        for _ in sheet.iter_rows():
            rows += 1
        extra["rows"] = rows
    else:
        from app.services import importing
        from app.store.workspace import Workspace

        ws = Workspace.create(Path(work) / f"bench-{kind}-{time.time_ns()}.clearslate")
        report = importing.import_file(ws, path, user="bench")
        extra = {
            "counts": report.counts,
            "cases": report.cases,
            "people": report.people,
            "status": report.status,
        }
        ws.close()
    extra["wall_s"] = round(time.perf_counter() - wall, 2)
    extra["cpu_s"] = round(time.process_time() - cpu, 2)
    extra["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    # A big CSV is read by a worker process: its peak too (the largest finished child's).
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if children:
        extra["worker_peak_rss_mb"] = round(children / 1024, 1)
    print(json.dumps(extra))


def run(kind: str, path: Path, work: Path, repeat: int = 1) -> dict[str, Any]:
    best: dict[str, Any] | None = None
    for _ in range(max(1, repeat)):
        out = subprocess.run(
            [sys.executable, __file__, "--child", kind, str(path), str(work)],
            check=True,
            capture_output=True,
            text=True,
        )
        result = json.loads(out.stdout.strip().splitlines()[-1])
        if best is None or result["wall_s"] < best["wall_s"]:
            best = result
        # The workspaces (and their backups) of finished runs are not needed.
        for leftover in work.glob("bench-*"):
            shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
    assert best is not None
    return best


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--csv-rows", type=int, default=1_000_000)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/cs-bench"))
    parser.add_argument("--repeat", type=int, default=1, help="keep the fastest of N runs")
    parser.add_argument(
        "--shared-strings",
        action="store_true",
        help="write the xlsx's texts to a shared-strings table, as Excel saves them (default: inline)",
    )
    parser.add_argument("--child", nargs=3, metavar=("KIND", "PATH", "WORK"))
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return 0
    from app.tools.make_samples import write_bench_csv, write_bench_xlsx

    args.dir.mkdir(parents=True, exist_ok=True)
    name = f"synthetic_{args.rows}{'_shared' if args.shared_strings else ''}.xlsx"
    xlsx = args.dir / name
    if not xlsx.exists():
        write_bench_xlsx(xlsx, args.rows, shared_strings=args.shared_strings)
    print(f"load average before: {_load()} ({os.cpu_count()} CPUs)")
    calamine = run("calamine", xlsx, args.dir, args.repeat)
    imported = run("import", xlsx, args.dir, args.repeat)
    print(f"xlsx {args.rows:,} rows x 16 columns ({xlsx.stat().st_size / 1e6:.1f} MB)")
    print(f"  python-calamine read only : {calamine}")
    print(f"  ClearSlate import         : {imported}")
    print(
        f"  ratio import / calamine   : wall {imported['wall_s'] / calamine['wall_s']:.2f}x, cpu {imported['cpu_s'] / calamine['cpu_s']:.2f}x"
    )
    if args.csv_rows:
        csv_path = args.dir / f"synthetic_{args.csv_rows}.csv"
        if not csv_path.exists():
            write_bench_csv(csv_path, args.csv_rows)
        result = run("import", csv_path, args.dir, args.repeat)
        print(f"csv {args.csv_rows:,} rows ({csv_path.stat().st_size / 1e6:.1f} MB): {result}")
    print(f"load average after: {_load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
