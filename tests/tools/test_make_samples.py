"""The sample workbooks: rebuilt by the generator, small, and each one imports in the CLI."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from app.cli import main
from app.ingest.readers import open_table
from app.services import importing
from app.store.workspace import Workspace
from app.tools import make_samples

SAMPLES = Path(__file__).resolve().parents[2] / "sample_workbooks"
POLICIES = {make().file: make().policy for make in make_samples.SAMPLES}


def _cells(path: Path) -> list[list[object]]:
    with open_table(path) as table:
        return [cells for _, cells in table.rows()]


def test_every_shipped_policy_has_a_sample_and_the_generator_rebuilds_them(tmp_path: Path) -> None:
    assert set(POLICIES.values()) == {
        "ca-prop64-state",
        "ca-prop64-la-2020",
        "ny-manhattan-2018",
        "ny-brooklyn-2018",
        "ny-mrta-2021",
        "md-baltimore-2019",
        "md-2022-auto-expunge",
        "wa-seattle-2018",
    }
    written = make_samples.write_samples(tmp_path)
    assert len(written) == 9
    for path in written:
        shipped = SAMPLES / path.name
        assert shipped.is_file(), f"run python -m app.tools.make_samples: {path.name} is missing"
        assert shipped.stat().st_size < 100_000
        assert _cells(path) == _cells(shipped), (
            f"{path.name} differs from the generator; rebuild the samples"
        )


@pytest.mark.parametrize("name", sorted(POLICIES))
def test_each_sample_imports_with_its_profile(name: str, tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path / "s.clearslate")
    try:
        report = importing.import_file(
            ws, SAMPLES / name, user="clerk", skip_invalid=True, today=dt.date(2026, 1, 1)
        )
        assert report.status == "imported"
        assert report.profile is not None
        assert 40 <= report.counts <= 150
        names = {r[0] for r in ws.conn.execute("SELECT full_name FROM people")}
        assert any(ch in "".join(n for n in names if n) for ch in "ÑñễéÉ'Ü"), (
            "accented / apostrophe names survive"
        )
        if name == "messy_county_export.xlsx":
            assert {s.row for s in report.skipped} == {18, 19}
            codes = {f.code for f in report.findings}
            assert {
                "date.two_digit_year",
                "date.impossible",
                "date.future",
                "id.scientific",
                "id.lost_leading_zero",
                "disposition.unknown",
                "row.duplicate",
                "header.duplicate",
                "file.hidden_sheets",
            } <= codes
        else:
            assert report.skipped == [] and not report.errors
        if name == "ca_doj_extract.xlsx":
            events = ws.conn.execute(
                "SELECT event_type, section FROM events ORDER BY id"
            ).fetchall()
            assert ("registration", "290") in events
            # Two people named María García with the same DOB but different CII numbers stay two people.
            assert (
                ws.conn.execute(
                    "SELECT COUNT(*) FROM people WHERE full_name = 'GARCÍA,MARÍA'"
                ).fetchone()[0]
                == 2
            )
    finally:
        ws.close()


def test_messy_sample_without_skip_invalid_imports_nothing_in_the_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = tmp_path / "m.clearslate"
    assert (
        main(
            ["init", str(ws), "--policy", "ca-prop64-state", "--county", "Kern", "--admin", "admin"]
        )
        == 0
    )
    capsys.readouterr()
    assert (
        main(
            [
                "import",
                str(ws),
                str(SAMPLES / "messy_county_export.xlsx"),
                "--user",
                "admin",
                "--json",
            ]
        )
        == 1
    )
    data = json.loads(capsys.readouterr().out)
    assert data["imported"] == {"counts": 0, "cases": 0, "people": 0}
    assert {(f["row"], f["severity"]) for f in data["findings"]} >= {(18, "error"), (19, "error")}
    assert (
        main(
            [
                "import",
                str(ws),
                str(SAMPLES / "messy_county_export.xlsx"),
                "--user",
                "admin",
                "--skip-invalid",
            ]
        )
        == 0
    )
    assert "possible same-person" in capsys.readouterr().out


def test_bench_rows_are_streamed_in_the_court_layout(tmp_path: Path) -> None:
    rows = list(make_samples.bench_rows(500))
    assert len(rows) == 500 and all(len(r) == len(make_samples.BENCH_HEADERS) for r in rows)
    path = make_samples.write_bench_csv(tmp_path / "b.csv", 200)
    ws = Workspace.create(tmp_path / "b.clearslate")
    try:
        report = importing.import_file(ws, path, user="clerk")
        assert report.counts == 200 and not report.errors
    finally:
        ws.close()
