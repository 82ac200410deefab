"""Header synonyms, overrides, profiles and the mapping check against real headers."""

from __future__ import annotations

import pytest

from app.core.errors import ImportFailed
from app.ingest.mapping import (
    Mapping,
    apply_overrides,
    guess_mapping,
    match_profile,
    nearest_headers,
    norm_header,
    parse_overrides,
    resolve,
    shipped_profiles,
)


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Docket #", "case_number"),
        ("Case No", "case_number"),
        ("CASE_NUMBER", "case_number"),
        ("OFN", "case_number"),
        ("Charge", "offense_code"),
        ("Statute", "offense_code"),
        ("OFFENSE_DESCR", "offense_description"),
        ("Disp Date", "disposition_date"),
        ("DISP_DATE", "disposition_date"),
        ("SID", "person_key"),
        ("CII_NUMBER", "person_key"),
        ("SUBJECT_ID", "person_key"),
        ("person_id", "person_key"),
        ("Defendant Name", "full_name"),
        ("PRI_NAME", "full_name"),
        ("county_or_court", "court"),
        ("Court Location", "court"),
        ("D.O.B.", "dob"),
        ("  date of birth ", "dob"),
    ],
)
def test_synonyms_ignore_case_space_and_punctuation(header: str, field: str) -> None:
    mapping = guess_mapping(["Something Else", header])
    assert mapping.columns.get(field) == header


def test_each_header_feeds_one_field_and_the_best_synonym_wins() -> None:
    mapping = guess_mapping(["SUBJECT_ID", "CII_NUMBER", "Name", "Case", "Code"])
    assert mapping.columns["person_key"] == "CII_NUMBER"
    assert mapping.columns["full_name"] == "Name"
    assert mapping.columns["case_number"] == "Case"
    assert mapping.columns["offense_code"] == "Code"
    assert len(set(mapping.columns.values())) == len(mapping.columns)


def test_split_name_columns_beat_a_combined_one() -> None:
    mapping = guess_mapping(["Name", "Last Name", "First Name", "Case No"])
    assert "full_name" not in mapping.columns
    assert mapping.columns["last_name"] == "Last Name"


def test_overrides_replace_guesses_and_can_unmap() -> None:
    mapping = guess_mapping(["Case No", "Docket", "Name", "Sex"])
    changed = apply_overrides(mapping, parse_overrides(["case_number=Docket", "sex="]))
    assert changed.columns["case_number"] == "Docket"
    assert "sex" not in changed.columns


@pytest.mark.parametrize("item", ["case_number", "casenumbr=Docket"])
def test_bad_overrides_are_explained(item: str) -> None:
    with pytest.raises(ImportFailed) as info:
        parse_overrides([item])
    assert "--map" in str(info.value)


def test_missing_required_column_names_it_and_the_nearest_headers() -> None:
    with pytest.raises(ImportFailed) as info:
        resolve(
            guess_mapping(["Name", "Case Nmbr", "DOB"]), ["Name", "Case Nmbr", "DOB"], file="x.csv"
        )
    message = str(info.value)
    assert "case number" in message and "'Case Nmbr'" in message and "x.csv" in message


@pytest.mark.parametrize("header", ["CASE REF", "Case Ref", "case_ref"])
def test_nearest_headers_ignore_case_and_punctuation(header: str) -> None:
    headers = ["Name", header, "Disp Date", "DOB"]
    with pytest.raises(ImportFailed) as info:
        resolve(guess_mapping(headers), headers, file="x.csv")
    message = str(info.value)
    # The same answer whatever the spelling: the near header first, then the next nearest.
    assert f"Nearest headers: {header!r}, 'Name'." in message
    assert nearest_headers("CASE NMBR", ["Case Number", "Name"]) == ["Case Number"]
    assert nearest_headers("Case Nmbr", ["CASE NUMBER", "NAME"]) == ["CASE NUMBER"]
    assert nearest_headers("#", ["#", "Name"]) == []


def test_missing_person_column_is_an_error() -> None:
    with pytest.raises(ImportFailed, match="person key or a name"):
        resolve(guess_mapping(["Case No", "Charge"]), ["Case No", "Charge"])


def test_mapped_header_absent_names_the_header() -> None:
    mapping = Mapping(columns={"case_number": "Case Number", "full_name": "Nmae"})
    with pytest.raises(ImportFailed, match="'Nmae'.*Nearest headers: 'Name'"):
        resolve(mapping, ["Case Number", "Name"])


def test_resolve_matches_headers_loosely_and_builds_templates() -> None:
    mapping = Mapping(
        columns={"full_name": "pri name"},
        templates={"case_number": "DOJ {SUBJECT_ID} cycle {CYC_DATE}"},
    )
    resolved = resolve(mapping, ["PRI_NAME", "SUBJECT_ID", "CYC_DATE"])
    assert resolved.index["full_name"] == 0
    assert resolved.templates["case_number"][1] == (("SUBJECT_ID", 1), ("CYC_DATE", 2))


def test_shipped_profiles_load_and_match_their_layouts() -> None:
    profiles = {p.name: p for p in shipped_profiles()}
    assert {"ca-doj-research", "court-cms"} <= set(profiles)
    doj_headers = [
        "SUBJECT_ID",
        "CII_NUMBER",
        "PRI_NAME",
        "PRI_DOB",
        "CYC_DATE",
        "STP_EVENT_DATE",
        "STP_TYPE_DESCR",
        "STP_ORI_CNTY_NAME",
        "CNT_ORDER",
        "OFN",
        "OFFENSE_DESCR",
        "OFFENSE_TOC",
        "DISP_DESCR",
        "CONV_STAT_DESCR",
        "COMMENT_TEXT",
    ]
    found = match_profile(doj_headers, profiles.values())
    assert found is not None and found.name == "ca-doj-research" and found.layout == "doj"
    resolve(
        found.mapping, doj_headers
    )  # every column the DOJ profile names exists in the DOJ field list
    assert match_profile(["Case No", "Name"], profiles.values()) is None


def test_norm_header() -> None:
    assert norm_header("Docket #") == "docket"
    assert norm_header("CASE_NUMBER") == norm_header("Case Number") == "casenumber"
