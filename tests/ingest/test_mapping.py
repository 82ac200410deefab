"""Header synonyms, overrides, profiles and the mapping check against real headers."""

from __future__ import annotations

import pytest

from app.core.errors import ImportFailed, Remedy
from app.ingest.findings import Finding, Severity
from app.ingest.mapping import (
    Mapping,
    apply_near_miss,
    apply_overrides,
    guess_mapping,
    match_profile,
    near_miss_profile,
    nearest_headers,
    norm_header,
    parse_overrides,
    resolve,
    shipped_profiles,
    unmapped_findings,
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
    assert message.startswith(
        "x.csv: Required column missing: case number. Map it with --map case_number=HEADER "
        "(or in the mapping step). Nearest headers: 'Case Nmbr'"
    ), message
    # The remedy as data (the window names the field on its Columns page instead).
    assert info.value.remedy == Remedy.map_field("case_number")
    assert info.value.problem == "Required column missing: case number."


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


DOJ_HEADERS = [
    "SUBJECT_ID", "CII_NUMBER", "PRI_NAME", "PRI_DOB", "CYC_DATE", "STP_EVENT_DATE",
    "STP_TYPE_DESCR", "STP_ORI_CNTY_NAME", "CNT_ORDER", "OFN", "OFFENSE_DESCR", "OFFENSE_TOC",
    "DISP_DESCR", "CONV_STAT_DESCR", "COMMENT_TEXT",
]  # fmt: skip


def _renamed(old: str, new: str | None) -> list[str]:
    """The DOJ headers with one renamed (or, with None, removed)."""
    return [h if h != old else new for h in DOJ_HEADERS if h != old or new is not None]  # type: ignore[misc]


def test_a_misspelt_profile_header_is_a_near_miss_with_its_stand_in() -> None:
    profiles = shipped_profiles()
    headers = _renamed("PRI_DOB", "PRI_DOBB")
    assert match_profile(headers, profiles) is None
    near = near_miss_profile(headers, profiles)
    assert near is not None and near.profile.name == "ca-doj-research"
    assert near.missing == (("PRI_DOB", "PRI_DOBB"),) and near.typos
    assert "PRI_DOB is missing (nearest: 'PRI_DOBB')" in near.describe()
    remedy = near.remedy()
    assert "--map dob=PRI_DOBB" in remedy and "rename 'PRI_DOBB' to 'PRI_DOB'" in remedy
    assert "--profile ca-doj-research" in remedy
    assert near.covered_by({"dob": "PRI_DOBB"}) and near.covered_by({"dob": None})
    assert not near.covered_by({"sex": "PRI_DOBB"}) and not near.covered_by({})


def test_near_miss_without_a_stand_in_and_in_a_template() -> None:
    profiles = shipped_profiles()
    removed = near_miss_profile(_renamed("PRI_DOB", None), profiles)
    assert removed is not None and removed.missing == (("PRI_DOB", None),)
    assert not removed.typos and "add the column 'PRI_DOB'" in removed.remedy()
    # SUBJECT_ID builds the case number: no --map or --profile can stand in for it.
    subject = near_miss_profile(_renamed("SUBJECT_ID", "SUBJECT_IDX"), profiles)
    assert subject is not None and subject.missing == (("SUBJECT_ID", "SUBJECT_IDX"),)
    assert "--map" not in subject.remedy().split(". If")[0]
    assert "--profile" not in subject.remedy()
    assert not subject.covered_by({"person_key": "SUBJECT_IDX"})
    assert subject.covered_by({"case_number": "SUBJECT_IDX"})  # the template is replaced


def test_near_miss_needs_nearly_every_identifying_header() -> None:
    profiles = shipped_profiles()
    two = [h for h in DOJ_HEADERS if h not in {"PRI_DOB", "OFN"}]
    found = near_miss_profile(two, profiles)
    assert found is not None and {h for h, _ in found.missing} == {"PRI_DOB", "OFN"}
    three = [h for h in two if h != "DISP_DESCR"]
    assert near_miss_profile(three, profiles) is None
    assert near_miss_profile(["Case No", "Name", "DOB", "Charge", "Disp Date"], profiles) is None
    assert near_miss_profile(DOJ_HEADERS, profiles) is None  # a full match is not a near miss


def test_apply_near_miss_refuses_warns_or_takes_the_profile() -> None:
    profiles = shipped_profiles()
    headers = _renamed("PRI_DOB", "PRI_DOBB")
    findings: list[Finding] = []
    where = {"file": "doj.csv", "sheet": None, "row": 1}
    with pytest.raises(ImportFailed) as info:
        apply_near_miss(headers, profiles, None, findings, refuse=True, **where)
    message = str(info.value)
    assert message.startswith("doj.csv: This sheet looks like the California DOJ research file")
    assert "--map dob=PRI_DOBB" in message
    assert apply_near_miss(headers, profiles, None, findings, refuse=False, **where) is None
    assert [(f.severity, f.code, f.row) for f in findings] == [
        (Severity.WARNING, "mapping.near_profile", 1)
    ]
    chosen = apply_near_miss(headers, profiles, {"dob": "PRI_DOBB"}, [], refuse=True, **where)
    assert chosen is not None and chosen.name == "ca-doj-research"
    assert chosen.mapping.columns["dob"] == "PRI_DOBB" and chosen.layout == "doj"
    others: list[Finding] = []
    assert apply_near_miss(headers, profiles, {"sex": None}, others, refuse=True, **where) is None
    assert [f.code for f in others] == ["mapping.near_profile"]


def test_a_guess_without_fields_the_evaluation_needs_is_warned() -> None:
    headers = ["Case No", "Name", "PRI_DOBB", "Charge", "Disposition", "Disp Date"]
    mapping = guess_mapping(headers)
    findings = unmapped_findings(mapping, headers, None, file="a.csv", sheet=None, row=1)
    fields = {f.message.split("recognized as the ")[1].split(",")[0]: f for f in findings}
    assert set(fields) == {"date of birth", "offense date", "level (felony / misdemeanor ...)"}
    assert all(
        f.severity is Severity.WARNING and f.code == "mapping.field_unmapped" for f in findings
    )
    assert "--map dob=HEADER (nearest headers: 'PRI_DOBB')" in fields["date of birth"].message
    assert fields["date of birth"].column == "PRI_DOBB"
    # Unmapped on purpose (--map dob=): not reported.
    assert (
        len(unmapped_findings(mapping, headers, {"dob": None}, file=None, sheet=None, row=1)) == 2
    )
