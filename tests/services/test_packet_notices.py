"""The notice to each person in a Seattle packet (DOMAIN.md §5, §7): one letter per person in
the filings, in the manifest and checked by verify; no other pack's packet has notices."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from app.exports.files import sha256_file
from app.services.packet import export_packet, print_filing, signed_filings, verify_packet
from app.services.signoff import signoff
from tests.conftest import PASSWORD
from tests.export_seed import CA_OUTCOMES, known_policy, seed  # noqa: F401 - fixture

pytestmark = pytest.mark.usefixtures("known_policy")

# Four people in the filings; one not eligible and one to review, who get no letter.
SEATTLE_OUTCOMES = [
    "eligible_vacate",
    "not_eligible",
    "eligible_vacate",
    "needs_review",
    "eligible_vacate",
    "eligible_vacate",
]
NOTICES = ("notices-vacate.pdf", "notices-vacate.docx")


def _seattle(workspace, login, tmp_path: Path):  # type: ignore[no-untyped-def]
    for key, value in {
        "court_name": "Seattle Municipal Court",
        "office_name": "Seattle City Attorney's Office",
        "attorney_name": "Alex Demo",
        "attorney_bar_number": "000000",
        "office_address": "701 Fifth Avenue, Suite 2050\nSeattle, WA 98104",
    }.items():
        workspace.set_setting(key, value, user="admin")
    seeded = seed(workspace, 6, outcomes=SEATTLE_OUTCOMES, policy_id="wa-seattle-2018")
    signoff(workspace, login("supervisor"), PASSWORD)
    report = export_packet(workspace, login("supervisor"), tmp_path / "p")
    return seeded, report


def _letter_names(seeded, *, filed: bool) -> set[str]:  # type: ignore[no-untyped-def]
    """ "Jan0 Doe0" for each seeded person whose count is (or is not) in the filings."""
    return {
        f"Jan{i} Doe{i}"
        for i, count_id in enumerate(seeded.count_ids)
        if (seeded.outcomes[count_id] == "eligible_vacate") == filed
    }


def _pages(path: Path) -> list[str]:
    from pypdf import PdfReader

    return [" ".join(page.extract_text().split()) for page in PdfReader(str(path)).pages]


def test_a_seattle_packet_has_one_letter_per_person_in_the_filings(
    workspace, login, tmp_path
) -> None:
    seeded, report = _seattle(workspace, login, tmp_path)
    folder = tmp_path / "p"
    filed, left_out = _letter_names(seeded, filed=True), _letter_names(seeded, filed=False)
    assert len(filed) == 4 and len(left_out) == 2

    pages = _pages(folder / "notices-vacate.pdf")
    # Never two people on one page: each page names exactly one filed person, in its text
    # and its footer, and every filed person has a letter.
    on_page = [{n for n in filed | left_out if re.search(rf"\b{n}\b", text)} for text in pages]
    assert all(len(names) == 1 for names in on_page), on_page
    assert set().union(*on_page) == filed
    assert report.pages["notices-vacate.pdf"] == len(pages)
    for i, count_id in enumerate(seeded.count_ids):
        if seeded.outcomes[count_id] != "eligible_vacate":
            continue
        text = next(t for t in pages if f"Jan{i} Doe{i}" in t)
        dob = workspace.conn.execute(
            "SELECT dob FROM people WHERE last_name = ?", (f"Doe{i}",)
        ).fetchone()[0]
        year, month, day = dob.split("-")
        assert f"date of birth {month}/{day}/{year}" in text
        assert seeded.case_numbers[count_id] in text
        assert "Seattle Municipal Court" in text and "Seattle City Attorney's Office" in text
        assert "within 33 days of the date of this letter" in text
        assert "701 Fifth Avenue, Suite 2050, Seattle, WA 98104" in text
        assert f"Notice to each person: Jan{i} Doe{i} Page 1 of 1" in text
        # No internal codes and no ISO dates on a letter to a person.
        assert "eligible_vacate" not in text and "wa-seattle-2018" not in text
        assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", text)
    for case_number in (
        seeded.case_numbers[c] for c, o in seeded.outcomes.items() if o != "eligible_vacate"
    ):
        assert not any(re.search(rf"\b{case_number}\b", t) for t in pages)

    import docx

    document = docx.Document(str(folder / "notices-vacate.docx"))
    # One section (starting on a new page) per person, its footer naming that person.
    footers = [s.footer.paragraphs[0].text for s in document.sections]
    assert len(footers) == len(filed)
    assert {n for n in filed if any(n in f for f in footers)} == filed
    assert all(sum(n in f for n in filed) == 1 for f in footers)
    body = "\n".join(p.text for p in document.paragraphs)
    assert all(body.count(f"Dear {n}:") == 1 for n in filed)
    assert not any(n in body for n in left_out)
    assert len(document.tables) == len(filed)
    cases = {row.cells[0].text for table in document.tables for row in table.rows[1:]}
    assert cases == {
        seeded.case_numbers[c] for c, o in seeded.outcomes.items() if o == "eligible_vacate"
    }
    # The motion states the same days as the letters (one number in the template).
    from tests.services.test_packet import _norm, _pdf_text

    motion = _norm(_pdf_text(folder / "motion-vacate.pdf")[0])
    assert "may object or ask for an individual finding within 33 days" in motion


def test_the_manifest_lists_the_notices_and_verify_checks_them(workspace, login, tmp_path) -> None:
    _seeded, report = _seattle(workspace, login, tmp_path)
    folder = tmp_path / "p"
    manifest = json.loads((folder / "manifest.json").read_text())
    listed = {f["name"]: f for f in manifest["files"]}
    for name in NOTICES:
        assert listed[name]["sha256"] == sha256_file(folder / name)
        assert name in {f["name"] for f in report.files}
        assert any(line.strip().startswith(name) for line in report.lines())
    assert verify_packet(folder).ok

    # A letter edited after the export (a name or a deadline changed) fails verification.
    pdf = folder / "notices-vacate.pdf"
    pdf.write_bytes(pdf.read_bytes().replace(b"%%EOF", b"%%EOF\n% edited"))
    result = verify_packet(folder)
    assert not result.ok and result.altered == ["notices-vacate.pdf"]
    assert "ALTERED: notices-vacate.pdf" in "\n".join(result.lines())


def test_print_preview_offers_the_notices_and_prints_the_same_pages(
    workspace, login, tmp_path
) -> None:
    from PySide6.QtPrintSupport import QPrinter

    _seattle(workspace, login, tmp_path)
    documents = signed_filings(workspace)
    assert [d.short_title for d in documents][-1] == "Notice to each person"
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    printed = print_filing(documents[-1], printer)
    assert printed == len(_pages(tmp_path / "p" / "notices-vacate.pdf")) == 4


def test_a_california_packet_has_no_notices(workspace, login, tmp_path) -> None:
    seed(workspace, 5, outcomes=CA_OUTCOMES)
    signoff(workspace, login("supervisor"), PASSWORD)
    report = export_packet(workspace, login("supervisor"), tmp_path / "p")
    assert not list((tmp_path / "p").glob("notices*"))
    assert not any(f["name"].startswith("notices") for f in report.files)
    assert all(type(d).__name__ == "Filing" for d in signed_filings(workspace))
