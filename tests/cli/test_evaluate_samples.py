"""End to end per pack through the CLI: init, import its sample workbook, evaluate, decisions."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from app.cli import main
from app.resources import resource_path, samples_dir

# sample workbook -> (policy pack, county, mapping profile or None for the automatic one)
SAMPLES = [
    ("ca_doj_extract.xlsx", "ca-prop64-state", "Kern", "ca-doj-research"),
    ("la_court_export.xlsx", "ca-prop64-la-2020", "Los Angeles", None),
    ("manhattan_warrants.xlsx", "ny-manhattan-2018", "New York", "sample-manhattan-warrants"),
    ("brooklyn_convictions.xlsx", "ny-brooklyn-2018", "Kings", "sample-brooklyn-convictions"),
    ("ny_statewide.xlsx", "ny-mrta-2021", "Albany", "sample-ny-statewide"),
    ("baltimore_city.xlsx", "md-baltimore-2019", "Baltimore City", "sample-baltimore-city"),
    ("maryland_statewide.xlsx", "md-2022-auto-expunge", "Montgomery", "sample-maryland-statewide"),
    ("seattle_municipal.xlsx", "wa-seattle-2018", "King", "sample-seattle-municipal"),
]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("sample", "policy", "county", "profile"), SAMPLES, ids=[s[1] for s in SAMPLES]
)
def test_sample_end_to_end(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    sample: str,
    policy: str,
    county: str,
    profile: str | None,
) -> None:
    workbook = samples_dir() / sample
    if not workbook.is_file():
        pytest.skip(f"{sample} is not generated (python -m app.tools.make_samples)")
    ws = tmp_path / "e2e.clearslate"
    assert main(["init", str(ws), "--policy", policy, "--county", county, "--admin", "admin"]) == 0
    args = ["import", str(ws), str(workbook), "--user", "admin", "--skip-invalid", "--json"]
    if profile and (resource_path("profiles") / f"{profile}.toml").is_file():
        args += ["--profile", profile]
    capsys.readouterr()
    main(args)
    imported = json.loads(capsys.readouterr().out)["imported"]["counts"]
    assert imported > 0

    assert main(["evaluate", str(ws), "--user", "admin", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (
        report["policy_id"] == policy
        and report["counts"] == imported
        and len(report["pack_sha256"]) == 64
    )
    outcomes = report["outcomes"]
    assert sum(outcomes.values()) == imported
    # Every sample holds eligible counts and traps that are not (or need a person).
    assert any(k.startswith("eligible_") for k in outcomes), outcomes
    assert outcomes.get("not_eligible", 0) + outcomes.get("needs_review", 0) > 0, outcomes

    out = tmp_path / "decisions.csv"
    assert main(["decisions", str(ws), "--user", "admin", "--out", str(out)]) == 0
    capsys.readouterr()
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == imported
    for row in rows:
        assert row["outcome"] in {
            "eligible_dismiss",
            "eligible_reduce",
            "eligible_vacate",
            "not_eligible",
            "needs_review",
        }
        assert row["reason"] and row["rule_ids"]

    # Re-running with the same inputs gives the same result (no outcome changes).
    assert main(["evaluate", str(ws), "--user", "admin", "--json", "--dry-run"]) == 0
    assert json.loads(capsys.readouterr().out)["changed_total"] == 0


def test_policies_lists_and_shows(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["policies", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert len(listed) == 8 and all(p["sources"] for p in listed)
    assert main(["policies", "--show", "ca-prop64-la-2020"]) == 0
    text = capsys.readouterr().out
    assert "2020-02-11" in text and "la.older_dismiss" in text and "older_age" in text
