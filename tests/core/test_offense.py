"""The offense-code parser: a table of real spellings plus property-based checks."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.offense import normalize_book, parse_offense

# raw, comment, expected (book, section, subsections, attempt, conspiracy)
SPELLINGS = [
    # California DOJ extract
    ("11357(B) HS", None, ("HS", "11357", ("b",), False, False)),
    ("11357(C) HS-POSSESS MARIJUANA", None, ("HS", "11357", ("c",), False, False)),
    ("11359HS-INTENT SELL CANNABIS", None, ("HS", "11359", (), False, False)),
    ("11358 HS-CULTIVATE CANNABIS", None, ("HS", "11358", (), False, False)),
    ("/11357 HS", None, ("HS", "11357", (), False, False)),
    ("664/11357(c) HS", None, ("HS", "11357", ("c",), True, False)),
    ("664.11357(B) HS", None, ("HS", "11357", ("b",), True, False)),
    ("66411357(c) HS", None, ("HS", "11357", ("c",), True, False)),
    ("664-11357(c) HS", None, ("HS", "11357", ("c",), True, False)),
    ("PC 664/187(a)", None, ("PC", "187", ("a",), True, False)),
    ("182/11359 HS", None, ("HS", "11359", (), False, True)),
    ("182.11360(A) HS", None, ("HS", "11360", ("a",), False, True)),
    ("18211359 HS", None, ("HS", "11359", (), False, True)),
    ("182 PC", None, ("PC", "182", (), False, False)),
    ("182(A)(1) PC-CONSPIRACY", None, ("PC", "182", ("a", "1"), False, False)),
    ("32 PC", None, ("PC", "32", (), False, False)),
    ("SEE COMMENT FOR CHARGE", "CHRG 11360(A) HS TRANSPORT", ("HS", "11360", ("a",), False, False)),
    # California courts
    ("HS 11357(A)", None, ("HS", "11357", ("a",), False, False)),
    ("HS 11357(b)", None, ("HS", "11357", ("b",), False, False)),
    ("H&S 11360(a)(1)", None, ("HS", "11360", ("a", "1"), False, False)),
    ("H & S 11358", None, ("HS", "11358", (), False, False)),
    ("HSC 11359", None, ("HS", "11359", (), False, False)),
    ("11360(A)HS", None, ("HS", "11360", ("a",), False, False)),
    ("11357B HS", None, ("HS", "11357", ("b",), False, False)),
    ("11357", None, (None, "11357", (), False, False)),
    ("11357.5 HS", None, ("HS", "11357.5", (), False, False)),
    ("11361(a) HS", None, ("HS", "11361", ("a",), False, False)),
    ("11379.6(A) HS", None, ("HS", "11379.6", ("a",), False, False)),
    ("290 PC", None, ("PC", "290", (), False, False)),
    ("288A PC", None, ("PC", "288a", (), False, False)),
    ("653F PC", None, ("PC", "653f", (), False, False)),
    ("245(D)(3) PC", None, ("PC", "245", ("d", "3"), False, False)),
    ("W&I 6600(b)", None, ("WI", "6600", ("b",), False, False)),
    ("P.C. 261(a)(2)", None, ("PC", "261", ("a", "2"), False, False)),
    # New York
    ("PL 221.10 01", None, ("PL", "221.10", ("1",), False, False)),
    ("PL 221.10 02", None, ("PL", "221.10", ("2",), False, False)),
    ("PL 2211001", None, ("PL", "221.10", ("1",), False, False)),
    ("PL 2210500", None, ("PL", "221.05", (), False, False)),
    ("221.15 00 AM", None, ("PL", "221.15", (), False, False)),
    ("221.05 V", None, ("PL", "221.05", (), False, False)),
    ("PL 221.40", None, ("PL", "221.40", (), False, False)),
    ("PL 221.10(1)", None, ("PL", "221.10", ("1",), False, False)),
    ("PL 130.35 01 BF", None, ("PL", "130.35", ("1",), False, False)),
    ("PL 110/221.10", None, ("PL", "221.10", (), True, False)),
    # Maryland
    ("CR.5.601.(a)(1)", None, ("CR", "5-601", ("a", "1"), False, False)),
    ("CR 5-601(a)(1)", None, ("CR", "5-601", ("a", "1"), False, False)),
    ("CR.5.602", None, ("CR", "5-602", (), False, False)),
    ("CR 5-601.1", None, ("CR", "5-601.1", (), False, False)),
    ("ART 27 287", None, ("ART27", "287", (), False, False)),
    ("Art. 27, § 287(e)", None, ("ART27", "287", ("e",), False, False)),
    # Washington
    ("RCW 69.50.4014", None, ("RCW", "69.50.4014", (), False, False)),
    ("69.50.401(E)", None, ("RCW", "69.50.401", ("e",), False, False)),
    ("RCW 69.50.412(1)", None, ("RCW", "69.50.412", ("1",), False, False)),
]


@pytest.mark.parametrize(("raw", "comment", "expected"), SPELLINGS)
def test_real_spellings(raw: str, comment: str | None, expected: tuple) -> None:
    off = parse_offense(raw, comment)
    assert off.recognized, off
    assert off.raw == raw  # the raw text is always kept exactly
    got = (off.code_book, off.section, off.subsections, off.attempt, off.conspiracy)
    assert got == expected


@pytest.mark.parametrize(
    "raw",
    ["", None, "   ", "12/03/1990", "4 3550", "CDS:POSSESS-MARIJUANA", "UNKNOWN", "##", "7"],
)
def test_unreadable_codes_are_flagged_not_guessed(raw: str | None) -> None:
    off = parse_offense(raw)
    assert not off.recognized
    assert off.section is None
    assert off.raw == (raw or "")
    assert off.note


def test_see_comment_without_code_is_unrecognized() -> None:
    off = parse_offense("SEE COMMENT FOR CHARGE", "NO CHARGE INFO")
    assert not off.recognized
    assert "comment" in off.note.lower()


def test_description_fallback_needs_a_tagged_code() -> None:
    assert parse_offense(None, description="POSSESSION HS 11357(B)").section == "11357"
    assert not parse_offense(None, description="MARIJUANA, POSSESSION 4 & 5").recognized


def test_ny_class_suffix_is_kept_in_note() -> None:
    assert parse_offense("221.15 00 AM").note == "class AM"


def test_normalize_book() -> None:
    assert normalize_book("H&S") == "HS"
    assert normalize_book("p.c.") == "PC"
    assert normalize_book("RCW") == "RCW"
    assert normalize_book("XYZ") is None
    assert normalize_book(None) is None


# --- properties ---------------------------------------------------------------------

CA_SECTIONS = ["11357", "11358", "11359", "11360", "11361", "11357.5", "11379.6", "187", "290"]
SUBSECTIONS = st.lists(st.sampled_from(["a", "b", "c", "1", "2", "A", "B"]), max_size=3)


@st.composite
def ca_spelling(draw: st.DrawFn) -> tuple[str, str, tuple[str, ...], bool]:
    section = draw(st.sampled_from(CA_SECTIONS))
    subs = draw(SUBSECTIONS)
    book = "HS" if section.startswith("11") else "PC"
    book_text = draw(
        st.sampled_from([book, book, "H&S", "HSC"] if book == "HS" else [book, "P.C."])
    )
    attempt = draw(st.booleans())
    prefix = draw(st.sampled_from(["664/", "664.", "664-", "664"])) if attempt else ""
    sub_text = "".join(f"({s})" for s in subs)
    body = f"{prefix}{section}{sub_text}"
    layout = draw(st.integers(0, 3))
    if layout == 0:
        raw = f"{body} {book_text}"
    elif layout == 1:
        raw = f"{book_text} {body}"
    elif layout == 2:
        raw = f"{body}{book_text}-SOME DESCRIPTION"
    else:
        raw = f"/{body} {book_text}"
    if draw(st.booleans()):
        raw = raw.lower()
    return raw, section, tuple(s.lower() for s in subs), attempt


@given(ca_spelling())
@settings(max_examples=300, deadline=None)
def test_ca_spellings_round_trip(case: tuple[str, str, tuple[str, ...], bool]) -> None:
    raw, section, subs, attempt = case
    off = parse_offense(raw)
    assert off.recognized, raw
    assert off.section == section, raw
    assert off.subsections == subs, raw
    assert off.attempt is attempt, raw


@given(st.sampled_from(["11357", "11360"]), st.sampled_from([".5", ".1", "1", "5"]))
def test_whole_section_never_matches_a_longer_one(section: str, tail: str) -> None:
    off = parse_offense(f"{section}{tail} HS")
    assert off.section != section


@given(st.text(max_size=60))
@settings(max_examples=500, deadline=None)
def test_never_raises_and_keeps_raw(text: str) -> None:
    off = parse_offense(text, comment=text, description=text)
    assert off.raw == text
    assert off.recognized == (off.section is not None)


@given(
    st.sampled_from(["221.05", "221.10", "221.15", "221.20", "221.40", "130.35"]),
    st.sampled_from(["00", "01", "02"]),
    st.sampled_from(["", " V", " AM", " BM", " EF"]),
)
def test_ny_compact_and_dotted_agree(section: str, sub: str, cls: str) -> None:
    dotted = parse_offense(f"PL {section} {sub}{cls}")
    compact = parse_offense(f"PL {section.replace('.', '')}{sub}{cls}")
    assert (dotted.section, dotted.subsections) == (compact.section, compact.subsections)
    assert dotted.section == section


@given(st.builds(lambda o: o, st.sampled_from([s[0] for s in SPELLINGS if s[1] is None])))
def test_display_reparses_to_the_same_offense(raw: str) -> None:
    off = parse_offense(raw)
    again = parse_offense(off.display)
    assert (again.section, again.subsections, again.attempt) == (
        off.section,
        off.subsections,
        off.attempt,
    )
