"""The notices to each person: who gets a letter, what it lists, and how its pages are laid out."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from app.core.errors import ExportError
from app.exports.data import ExportRow, Office, PacketData, PolicyInfo, SignoffInfo
from app.exports.notices import build_notices
from app.exports.notices_docx import write_notices_docx
from app.exports.notices_pdf import write_notices_pdf
from app.exports.templates import load_templates

pytestmark = pytest.mark.usefixtures("qapp")

POLICIES = [p.stem for p in Path("resources/policies").glob("*.toml")]


def _row(count_id: int, person_id: int, **changes: object) -> ExportRow:
    base = ExportRow(
        count_id=count_id,
        person_id=person_id,
        case_id=count_id,
        case_number=f"SMC{count_id:04d}",
        count_number="1",
        court="SEATTLE MUNICIPAL COURT",
        county="King",
        case_status="closed",
        filing_date=None,
        person_key=f"K{person_id}",
        full_name=f"Doe{person_id}, Jan{person_id}",
        last_name=f"Doe{person_id}",
        first_name=f"Jan{person_id}",
        middle_name=None,
        dob="1970-01-02",
        sex=None,
        race=None,
        offense_raw="RCW 69.50.4014",
        code_book="RCW",
        section="69.50.4014",
        subsections=(),
        attempt=0,
        conspiracy=0,
        description="POSS MARIJUANA 40 GRAMS OR LESS",
        level="misdemeanor",
        disposition="convicted",
        disposition_date="2005-05-05",
        offense_date=None,
        sentence=None,
        sentence_completed=None,
        source_id=1,
        source_row_number=count_id + 1,
        source_data=[],
        recommendation="eligible_vacate",
        recommendation_reasons=[],
        final_outcome="eligible_vacate",
        decision_status="decided",
        decision_action="accept",
        decision_reason=None,
        decided_by="reviewer",
        decided_at="2026-01-05T10:00:00.00Z",
        decision_id=count_id,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def _data(rows: list[ExportRow], policy_id: str = "wa-seattle-2018") -> PacketData:
    return PacketData(
        office=Office(
            court_name="Seattle Municipal Court",
            office_name="Seattle City Attorney's Office",
            attorney_name="Alex Demo",
            office_address="701 Fifth Avenue\nSeattle, WA 98104",
            county="King",
        ),
        signoff=SignoffInfo(1, "supervisor", "2026-01-06T10:00:00.00Z", "d" * 64, len(rows)),
        policy=PolicyInfo(policy_id, "", "1.1.0", "a" * 64, "2018-09-11", 1),
        rows=rows,
        generated_at="2026-01-07T18:00:00.00Z",
    )


def test_a_letter_lists_only_that_persons_filed_counts() -> None:
    rows = [
        _row(1, 1),
        _row(2, 2, case_number="SMC-TWO-A", disposition_date="1999-03-04"),
        _row(
            3,
            2,
            case_number="SMC-TWO-B",
            code_book="RCW",
            section="69.50.401",
            subsections=("e",),
            offense_raw="69.50.401(E)",
            description="POSSESS MARIJUANA",
        ),
        # Decided to relief but not this court's case: not in the filings, so no letter.
        _row(4, 3, filed_elsewhere="Another county's case (King County District Court)"),
        # Not eligible: in no filing, no letter.
        _row(5, 4, final_outcome="not_eligible"),
        # Person 2's third count, left out of these filings: not on person 2's letter either.
        _row(6, 2, case_number="SMC-ELSEWHERE", filed_elsewhere="Another court's case"),
    ]
    data = _data(rows)
    (notices,) = build_notices(data, load_templates("wa-seattle-2018"), "f" * 64)
    assert [letter.name for letter in notices.letters] == ["Jan1 Doe1", "Jan2 Doe2"]
    one, two = notices.letters
    assert [c[0] for c in one.cases] == ["SMC0001"]
    assert [c[0] for c in two.cases] == ["SMC-TWO-A", "SMC-TWO-B"]
    # Plain words: the record's description, the law cited with its book first, US dates.
    assert two.cases[1] == [
        "SMC-TWO-B",
        "POSSESS MARIJUANA (RCW 69.50.401(e))",
        "05/05/2005",
        "Vacate the conviction and dismiss the charge",
    ]
    assert two.cases[0][2] == "03/04/1999"
    assert "your conviction for possessing marijuana" in one.before[0]
    assert "your 2 convictions for possessing marijuana" in two.before[0]
    assert "dismiss the charges" in two.before[0]
    assert one.regarding == "About: Jan1 Doe1, date of birth 01/02/1970"
    assert notices.date == "January 7, 2026"
    assert notices.letterhead == [
        "Seattle City Attorney's Office",
        "701 Fifth Avenue",
        "Seattle, WA 98104",
    ]
    assert any("within 33 days of the date of this letter" in p for p in one.after)
    # The letters hold exactly the people of the motion's list.
    assert {r.person_id for r in data.rows_for_relief("vacate")} == {
        letter.person_id for letter in notices.letters
    }


def test_each_letter_starts_on_its_own_page_and_is_numbered_on_its_own(tmp_path: Path) -> None:
    from pypdf import PdfReader

    many = [_row(i, 1, case_number=f"LONG{i:03d}") for i in range(1, 41)]  # two pages
    data = _data([*many, _row(100, 2), _row(101, 3)])
    (notices,) = build_notices(data, load_templates("wa-seattle-2018"), "f" * 64)
    pages = write_notices_pdf(notices, tmp_path / "n.pdf")
    texts = [" ".join(p.extract_text().split()) for p in PdfReader(str(tmp_path / "n.pdf")).pages]
    assert pages == len(texts) >= 4
    long_pages = [t for t in texts if "Jan1 Doe1" in t]
    assert len(long_pages) == pages - 2
    assert f"Page {len(long_pages)} of {len(long_pages)}" in long_pages[-1]
    assert "Sincerely" in long_pages[-1]
    assert all(f"LONG{i:03d}" in " ".join(long_pages) for i in range(1, 41))
    for name in ("Jan2 Doe2", "Jan3 Doe3"):
        (page,) = [t for t in texts if name in t]
        assert "Page 1 of 1" in page and "Jan1 Doe1" not in page

    import docx

    write_notices_docx(notices, tmp_path / "n.docx")
    document = docx.Document(str(tmp_path / "n.docx"))
    assert len(document.sections) == 3
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    for section in document.sections:
        props = [child.tag.removeprefix(w) for child in section._sectPr]
        # Page numbers restart per letter, in the place the schema gives them (Word rejects
        # a file whose section properties are out of order).
        assert "pgNumType" in props and props.index("pgNumType") < props.index("cols")
        start = section._sectPr.find(f"{w}pgNumType").get(f"{w}start")
        assert start == "1"
    assert len(document.tables[0].rows) == 41


def test_only_the_seattle_pack_sends_notices() -> None:
    assert "wa-seattle-2018" in POLICIES and len(POLICIES) == 8
    for policy in POLICIES:
        templates = load_templates(policy)
        declared = {r for r, spec in templates.reliefs.items() if spec.notice is not None}
        assert declared == ({"vacate"} if policy == "wa-seattle-2018" else set()), policy
    assert load_templates("wa-seattle-2018").reliefs["vacate"].notice_days == 33


def test_a_notice_without_a_whole_number_of_days_is_refused() -> None:
    spec = load_templates("wa-seattle-2018").reliefs["vacate"]
    broken = replace(spec, notice={**(spec.notice or {}), "days": "thirty-three"})
    with pytest.raises(ExportError, match="whole number"):
        _ = broken.notice_days
