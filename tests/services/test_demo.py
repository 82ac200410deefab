"""The headless demo: the whole flow on the shipped sample workbook, ending in a verified packet."""

from __future__ import annotations

import pytest

from app.services.demo import WORKSPACE_NAME, run_demo, sample_files
from app.services.packet import verify_packet


def test_demo_runs_the_whole_flow(tmp_path, qapp) -> None:
    if not sample_files():
        pytest.skip("sample_workbooks/ is not built")
    report = run_demo(tmp_path / "demo")
    assert report.ok and report.accepted > 0 and report.signed == report.accepted
    assert (tmp_path / "demo" / WORKSPACE_NAME).is_file()
    assert verify_packet(report.packet).ok
    # The filings name the signer as a county's would: by full name, then user name.
    from pypdf import PdfReader

    first_page = PdfReader(str(report.packet / "motion-dismiss.pdf")).pages[0].extract_text()
    assert "Sam Demo (supervisor)" in " ".join(first_page.split())
    # A second run replaces the demo it made.
    again = run_demo(tmp_path / "demo")
    assert again.ok


def test_demo_refuses_a_folder_it_did_not_make(tmp_path) -> None:
    from app.core.errors import ClearSlateError

    (tmp_path / "packet").mkdir()
    with pytest.raises(ClearSlateError, match="did not make"):
        run_demo(tmp_path)
