"""Benchmark: evaluate ~1,000,000 counts of ~400,000 people; print wall time and peak RSS.

Usage: python bench/bench_evaluate.py [--people 400000] [--policy ca-prop64-state]
The synthetic workspace is written with direct SQL (app.store.synthetic), then the real
evaluate service runs once (saving a run, as the CLI does).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("CLEARSLATE_TEST_FAST_KDF", "1")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=400_000)
    parser.add_argument("--policy", default="ca-prop64-state")
    args = parser.parse_args()

    from app.services.evaluate import evaluate
    from app.services.workspaces import init_workspace
    from app.store.synthetic import generate_california

    with tempfile.TemporaryDirectory() as tmp:
        ws = init_workspace(Path(tmp) / "bench.clearslate", policy_id=args.policy, county="Kern", admin="admin", password="bench-password-1")
        t0 = time.perf_counter()
        size = generate_california(ws, people=args.people)
        t1 = time.perf_counter()
        rss_before = peak_rss_mb()
        report = evaluate(ws, user="admin", as_of=dt.date(2024, 1, 1))
        t2 = time.perf_counter()
        print(f"synthetic workspace: {size.people:,} people, {size.cases:,} cases, {size.counts:,} counts in {t1 - t0:.1f} s")
        print(f"evaluate ({args.policy}): {report.count_total:,} counts in {t2 - t1:.2f} s "
              f"({report.count_total / (t2 - t1):,.0f} counts/s)")
        print(f"outcomes: {report.outcomes}")
        print(f"peak RSS: {peak_rss_mb():,.0f} MB (before evaluate: {rss_before:,.0f} MB)")
        ws.close()


if __name__ == "__main__":
    main()
