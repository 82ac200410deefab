"""Benchmark: evaluate ~1,000,000 counts of ~400,000 people; print wall and CPU time, peak RSS.

Usage: python bench/bench_evaluate.py [--people 400000] [--policy ca-prop64-state]
                                      [--runs 1] [--base FILE]
Set CLEARSLATE_WORKERS=1 for the serial path (the figure before worker processes).
The synthetic workspace is written with direct SQL (app.store.synthetic), then the real
evaluate service runs (saving a run, as the CLI does) on a fresh copy of it for each of
``--runs`` runs; the fastest is the figure (other processes share this machine, so the
load average is printed with it). ``--base FILE`` keeps the generated workspace in FILE
and reuses it on the next call (generation takes about 30 s for 400,000 people).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("CLEARSLATE_TEST_FAST_KDF", "1")


def peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux: kilobytes


def children_cpu() -> float:
    """CPU seconds of the worker processes that have ended (the parallel path joins them)."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=400_000)
    parser.add_argument("--policy", default="ca-prop64-state")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--base", type=Path, help="keep/reuse the generated workspace here")
    args = parser.parse_args()

    from app.services.evaluate import evaluate
    from app.services.workspaces import init_workspace
    from app.store.synthetic import generate_california
    from app.store.workspace import Workspace

    with tempfile.TemporaryDirectory() as tmp:
        base = args.base or Path(tmp) / "base.clearslate"
        if not base.is_file():
            ws = init_workspace(
                base,
                policy_id=args.policy,
                county="Kern",
                admin="admin",
                password="bench-password-1",
            )
            t0 = time.perf_counter()
            size = generate_california(ws, people=args.people)
            ws.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            ws.close()
            print(
                f"synthetic workspace: {size.people:,} people, {size.cases:,} cases, "
                f"{size.counts:,} counts in {time.perf_counter() - t0:.1f} s"
            )
        best = None
        for i in range(args.runs):
            copy = Path(tmp) / f"run{i}.clearslate"
            shutil.copy(base, copy)
            ws = Workspace.open(copy)
            ws.set_setting("policy_id", args.policy, user="admin")
            before = load()
            wall, cpu, wcpu = time.perf_counter(), time.process_time(), children_cpu()
            report = evaluate(ws, user="admin", as_of=dt.date(2024, 1, 1))
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            wcpu = children_cpu() - wcpu
            ws.close()
            copy.unlink()
            print(
                f"run {i + 1}: {report.count_total:,} counts of {report.people_total:,} people in "
                f"{wall:.2f} s wall, {cpu:.2f} s CPU (this process) + {wcpu:.2f} s (workers), "
                f"{report.count_total / wall:,.0f} counts/s; load average {before} -> {load()}"
            )
            best = wall if best is None else min(best, wall)
        print(f"outcomes ({args.policy}): {report.outcomes}")
        print(
            f"fastest: {best:.2f} s; peak RSS of this process: {peak_rss_mb():,.0f} MB, "
            f"of the largest worker: {peak_rss_mb(resource.RUSAGE_CHILDREN):,.0f} MB "
            f"(workers: {os.environ.get('CLEARSLATE_WORKERS') or 'automatic'})"
        )


if __name__ == "__main__":
    main()
