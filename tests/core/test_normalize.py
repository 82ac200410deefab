"""Levels, dispositions, names, IDs and invisible characters: read exactly, never guessed."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.model import Disposition, Level
from app.core.normalize import (
    clean_text,
    join_name,
    match_key,
    normalize_id,
    normalize_sex,
    parse_case_status,
    parse_disposition,
    parse_level,
    parse_name,
)


@pytest.mark.parametrize(
    ("raw", "level", "ny_class"),
    [
        ("F", Level.FELONY, None),
        ("felony", Level.FELONY, None),
        ("FEL", Level.FELONY, None),
        ("M", Level.MISDEMEANOR, None),
        ("MISD", Level.MISDEMEANOR, None),
        ("Misdemeanor", Level.MISDEMEANOR, None),
        ("I", Level.INFRACTION, None),
        ("INFR", Level.INFRACTION, None),
        ("V", Level.VIOLATION, "V"),
        ("VIOLATION", Level.VIOLATION, "V"),
        ("AM", Level.MISDEMEANOR, "AM"),
        ("BM", Level.MISDEMEANOR, "BM"),
        ("UM", Level.MISDEMEANOR, "UM"),
        ("EF", Level.FELONY, "EF"),
        ("C Felony", Level.FELONY, "CF"),
        ("B MISD", Level.MISDEMEANOR, "BM"),
        ("FELONY - WOBBLER", Level.FELONY, None),
        (" m\u00a0", Level.MISDEMEANOR, None),
    ],
)
def test_levels(raw: str, level: Level, ny_class: str | None) -> None:
    result = parse_level(raw)
    assert result.level is level
    assert result.ny_class == ny_class
    assert result.code is None


@pytest.mark.parametrize("raw", ["X", "FELONY/MISDEMEANOR", "serious", "Q9"])
def test_unknown_levels_are_findings(raw: str) -> None:
    result = parse_level(raw)
    assert result.level is None
    assert result.code == "level.unknown"


def test_empty_level_is_no_finding() -> None:
    assert parse_level(None) == parse_level("  ")
    assert parse_level(None).code is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("CONVICTED", Disposition.CONVICTED),
        ("convicted", Disposition.CONVICTED),
        ("GUILTY", Disposition.CONVICTED),
        ("PLEA GUILTY", Disposition.CONVICTED),
        ("Pled Guilty", Disposition.CONVICTED),
        ("NOLO CONTENDERE", Disposition.CONVICTED),
        ("Convicted - Felony", Disposition.CONVICTED),
        ("NOT GUILTY", Disposition.ACQUITTED),
        ("ACQUITTED", Disposition.ACQUITTED),
        ("DISMISSED", Disposition.DISMISSED),
        ("DISMISSED/FURTHERANCE OF JUSTICE", Disposition.DISMISSED),
        ("NOLLE PROSEQUI", Disposition.DISMISSED),
        ("PROSECUTION REJECTED", Disposition.DISMISSED),
        ("ACD", Disposition.DISMISSED),
        ("OPEN", Disposition.OPEN),
        ("Pending", Disposition.OPEN),
        ("WARRANT", Disposition.WARRANT),
        ("BENCH WARRANT ISSUED", Disposition.WARRANT),
        ("OPEN - WARRANT", Disposition.WARRANT),
        ("DIVERSION", Disposition.DIVERTED),
        ("PROBATION BEFORE JUDGMENT", Disposition.DIVERTED),
        ("DIVERSION - DISMISSED", Disposition.DISMISSED),
        ("CIVIL CITATION", Disposition.CIVIL),
        ("STET", Disposition.OTHER),
    ],
)
def test_dispositions(raw: str, expected: Disposition) -> None:
    result = parse_disposition(raw)
    assert result.disposition is expected, result
    assert result.code is None
    assert result.event_type is None


def test_registration_becomes_an_event() -> None:
    result = parse_disposition("REGISTRATION")
    assert result.disposition is None
    assert result.event_type == "registration"
    assert result.code is None


@pytest.mark.parametrize(
    ("raw", "code"),
    [("BANANA", "disposition.unknown"), ("CONVICTED - DISMISSED 1203.4", "disposition.ambiguous")],
)
def test_unknown_or_contradicting_dispositions_are_findings(raw: str, code: str) -> None:
    result = parse_disposition(raw)
    assert result.disposition is None
    assert result.code == code
    assert raw in (result.message or "")


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("NOT CONVICTED", "undone or never entered"),
        ("PLEA WITHDRAWN", "undone or never entered"),
        ("Guilty plea withdrawn", "undone or never entered"),
        ("CONVICTION REVERSED", "undone or never entered"),
        ("CONVICTION SET ASIDE", "undone or never entered"),
        ("GUILTY VERDICT SET ASIDE", "undone or never entered"),
        ("JUDGMENT FOR DEFENDANT", "undone or never entered"),
        ("CONVICTED - NEW TRIAL GRANTED", "undone or never entered"),
        ("WARRANT RECALLED", "no longer outstanding"),
        ("BENCH WARRANT VACATED", "no longer outstanding"),
        ("WARRANT SERVED", "no longer outstanding"),
        ("BW EXECUTED", "no longer outstanding"),
        ("OPEN - NO WARRANT", "no longer outstanding"),
    ],
)
def test_undone_convictions_and_ended_warrants_go_to_a_person(raw: str, says: str) -> None:
    # Each of these reads as CONVICTED or WARRANT word by word; taken whole it is neither
    # (audit of 2026-11-22: NOT CONVICTED gave eligible_dismiss, WARRANT RECALLED a vacate).
    result = parse_disposition(raw)
    assert result.disposition is None
    assert result.code == "disposition.ambiguous"
    assert raw in (result.message or "") and says in (result.message or "")


@given(
    st.sampled_from(
        [
            (word, undo)
            for word in ("GUILTY", "CONVICTED", "PLEA GUILTY", "CONVICTION")
            for undo in ("WITHDRAWN", "REVERSED", "SET ASIDE", "VACATED", "OVERTURNED")
        ]
        + [
            (word, undo)
            for word in ("WARRANT", "BENCH WARRANT", "BW", "WARRANTS")
            for undo in ("RECALLED", "VACATED", "SERVED", "QUASHED", "CANCELLED", "WITHDRAWN")
        ]
    ),
    st.sampled_from([" ", " - ", "/", ", "]),
)
def test_undoing_words_never_leave_a_conviction_or_warrant(pair: tuple[str, str], sep: str) -> None:
    word, undo = pair
    result = parse_disposition(f"{word}{sep}{undo}")
    assert result.disposition not in (Disposition.CONVICTED, Disposition.WARRANT)
    assert result.code == "disposition.ambiguous"


def test_a_served_sentence_is_still_a_conviction() -> None:
    # "Served" undoes a warrant, never a conviction.
    assert parse_disposition("GUILTY - SENTENCE SERVED").disposition is Disposition.CONVICTED


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("OPEN", "open"),
        ("Pending", "open"),
        ("REOPENED", "open"),
        ("UNDISPOSED", "open"),
        ("OPEN - NO WARRANT", "open"),
        ("CLOSED", "closed"),
        ("INACTIVE", "closed"),
        ("DISPOSED", "closed"),
        ("CLOSED - BW RECALLED", "closed"),
        ("WARRANT", "warrant"),
        ("BENCHWARRANT", "warrant"),
        ("Active Warrant", "warrant"),
        ("OPEN - FTA", "warrant"),
        ("WARRANT VACATED", None),
        ("OPEN/CLOSED", None),
        ("TRANSFERRED", None),
    ],
)
def test_case_status(text: str, status: str | None) -> None:
    # Whole words: INACTIVE is not ACTIVE, UNDISPOSED not DISPOSED; an ended warrant is none.
    assert parse_case_status(text) == status


@given(
    st.sampled_from(["GUILTY", "CONVICTED", "PLEA GUILTY"]), st.sampled_from(["NOT ", "FOUND NOT "])
)
def test_negations_never_read_as_convictions(word: str, negation: str) -> None:
    text = f"{negation}{word}" if word == "GUILTY" else f"NOT GUILTY - {word}"
    assert parse_disposition(text).disposition is not Disposition.CONVICTED


@pytest.mark.parametrize(
    ("raw", "last", "first", "middle"),
    [
        ("SMITH, JOHN ALLEN", "SMITH", "JOHN", "ALLEN"),
        ("SMITH,JOHN", "SMITH", "JOHN", None),
        ("O'BRIEN/MARY/KATE", "O'BRIEN", "MARY", "KATE"),
        ("Núñez, José", "Núñez", "José", None),
        ("Nguyễn Văn An", "An", "Nguyễn", "Văn"),
        ("PRINCE", "PRINCE", None, None),
    ],
)
def test_names(raw: str, last: str, first: str | None, middle: str | None) -> None:
    parts = parse_name(raw)
    assert parts.full == raw
    assert (parts.last, parts.first, parts.middle) == (last, first, middle)


def test_join_name() -> None:
    assert join_name("Núñez", "José", None) == "Núñez, José"
    assert join_name("O'Brien", "Mary", "Kate") == "O'Brien, Mary Kate"
    assert join_name(None, "Mary", None) == "Mary"
    assert join_name(None, None, None) is None


_VISIBLE_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Zs", "Cf", "Cc"))
    | st.sampled_from("ñúễ'-,. "),
    max_size=30,
)


@given(_VISIBLE_TEXT, st.integers(0, 30), st.sampled_from(["\u200b", "\ufeff", "\u2060", "\u00ad"]))
def test_accents_survive_cleaning_exactly(text: str, where: int, invisible: str) -> None:
    # Text without invisible characters comes back byte for byte (ends trimmed) ...
    assert clean_text(text).text == (text.strip() or None)
    assert clean_text(text).stripped is False
    # ... and an invisible character slipped in anywhere is removed and reported.
    dirty = text[:where] + invisible + text[where:]
    assert clean_text(dirty).text == (text.strip() or None)
    assert clean_text(dirty).stripped is True


def test_invisible_characters_are_stripped_and_reported() -> None:
    assert clean_text("SMI\u200bTH\u00a0") == clean_text("SMITH").__class__("SMITH", True)
    assert clean_text("\ufeffJOHN").text == "JOHN"
    assert clean_text("JOHN").stripped is False
    assert clean_text("  ").text is None


def test_match_key_compares_decomposed_and_composed_accents() -> None:
    assert match_key("Nu\u0301n\u0303ez") == match_key("Núñez") == "núñez"
    assert match_key("O'BRIEN,  Mary") == match_key("o brien mary")


@pytest.mark.parametrize(
    ("raw", "text", "from_number", "code"),
    [
        ("007", "007", False, None),
        ("A-0012", "A-0012", False, None),
        (1234.0, "1234", True, None),
        (1234, "1234", True, None),
        (1.23457e11 + 0.5, None, True, "id.scientific"),
        ("1.23457E+11", None, False, "id.scientific"),
        ("\u200b0042", "0042", False, None),
        (None, None, False, None),
    ],
)
def test_ids_are_text_never_padded(
    raw: object, text: str | None, from_number: bool, code: str | None
) -> None:
    result = normalize_id(raw)
    assert (result.text, result.from_number, result.code) == (text, from_number, code)


@given(st.from_regex(r"0{1,4}[0-9]{1,10}", fullmatch=True))
def test_text_ids_keep_their_leading_zeros(text: str) -> None:
    assert normalize_id(text).text == text


def test_sex() -> None:
    assert normalize_sex("male") == "M"
    assert normalize_sex("F") == "F"
    assert normalize_sex("Unknown") == "Unknown"
    assert normalize_sex(None) is None
