"""Data checks every pack gets: contradictory dates, implausible ages, places that disagree."""

from __future__ import annotations

from typing import Any

import pytest

from app.core.model import Outcome
from tests.rules.factory import c, first, person

R, NE = Outcome.NEEDS_REVIEW, Outcome.NOT_ELIGIBLE
ELIGIBLE = {Outcome.ELIGIBLE_DISMISS, Outcome.ELIGIBLE_REDUCE, Outcome.ELIGIBLE_VACATE}

# One count per pack that the pack finds eligible as written (dates 2010), and the keyword
# arguments of `c` that make it so; the date checks then break only its dates.
ELIGIBLE_COUNTS: list[tuple[str, dict[str, Any], str]] = [
    ("ca-prop64-state", dict(code="11357(b) HS", level="misdemeanor"), "2024-01-01"),
    (
        "ca-prop64-la-2020",
        dict(code="11357(b) HS", level="misdemeanor", county="LOS ANGELES"),
        "2020-02-11",
    ),
    (
        "ny-manhattan-2018",
        dict(
            code="PL 221.10 01",
            level="misdemeanor",
            county="NEW YORK",
            disp="warrant",
            ddate=None,
            status="warrant",
            odate="2010-01-01",
        ),
        "2018-09-12",
    ),
    ("ny-brooklyn-2018", dict(code="PL 221.05", level="misdemeanor", county="KINGS"), "2024-01-01"),
    ("ny-mrta-2021", dict(code="PL 221.05", level="misdemeanor", county="ALBANY"), "2024-01-01"),
    (
        "md-baltimore-2019",
        dict(
            code="CR.5.601.(a)(1)",
            desc="CDS:POSSESS-MARIJUANA",
            level="misdemeanor",
            county="BALTIMORE CITY",
            ddate="2015-05-01",
            odate="2015-01-01",
        ),
        "2019-01-29",
    ),
    (
        "md-2022-auto-expunge",
        dict(
            code="CR.5.601.(a)(1)",
            desc="CDS:POSSESS-MARIJUANA",
            level="misdemeanor",
            county="MONTGOMERY",
            ddate="2015-05-01",
            odate="2015-01-01",
        ),
        "2024-01-01",
    ),
    (
        "wa-seattle-2018",
        dict(
            code="RCW 69.50.4014",
            level="misdemeanor",
            court="Seattle Municipal Court",
            county="KING",
            ddate="2005-06-01",
            odate="2005-01-01",
        ),
        "2018-09-11",
    ),
]


def _count(kw: dict[str, Any], **changes: Any) -> Any:
    kw = {**kw, **changes}
    return c(kw.pop("code"), **kw)


@pytest.mark.parametrize(
    ("policy", "kw", "as_of"), ELIGIBLE_COUNTS, ids=[e[0] for e in ELIGIBLE_COUNTS]
)
def test_baseline_is_eligible(policy: str, kw: dict[str, Any], as_of: str) -> None:
    rec = first(policy, person(_count(kw)), as_of=as_of)
    assert rec.outcome in ELIGIBLE, rec.reasons[0].text


# Audit item 8: a disposition date, or a filing date, before the offense date.
@pytest.mark.parametrize(
    ("policy", "kw", "as_of"), ELIGIBLE_COUNTS, ids=[e[0] for e in ELIGIBLE_COUNTS]
)
@pytest.mark.parametrize(
    ("label", "dates", "needle"),
    [
        (
            "disposition before offense",
            dict(odate="2012-02-01", ddate="2005-03-01"),
            "disposition date (2005-03-01) is before the offense date (2012-02-01)",
        ),
        (
            "filing before offense",
            dict(odate="2004-02-01", fdate="2004-01-15"),
            "filing date (2004-01-15) is before the offense date (2004-02-01)",
        ),
    ],
)
def test_contradictory_dates_go_to_review(
    policy: str, kw: dict[str, Any], as_of: str, label: str, dates: dict[str, str], needle: str
) -> None:
    rec = first(policy, person(_count(kw, **dates)), as_of=as_of)
    assert rec.outcome is R, rec.reasons[0].text
    reasons = [r for r in rec.reasons if r.code.endswith(".dates_inconsistent")]
    assert reasons, [r.code for r in rec.reasons]
    reason = reasons[0]
    assert needle in reason.text
    assert reason.citation and reason.citation in reason.text


def test_the_audit_case_is_review_not_dismiss() -> None:
    who = person(c("11357(b) HS", level="misdemeanor", odate="2012-02-01", ddate="2005-03-01"))
    rec = first("ca-prop64-state", who)
    assert (rec.outcome, rec.reasons[0].code) == (R, "ca.11357b_adult_dismiss.dates_inconsistent")


def test_dates_do_not_matter_to_a_decision_by_the_code_alone() -> None:
    # "Not a cannabis offense" stands whatever the dates say.
    rec = first("ca-prop64-state", person(c("459 PC", odate="2012-02-01", ddate="2005-03-01")))
    assert (rec.outcome, rec.reasons[0].code) == (NE, "ca.not_covered")


def test_a_date_cutoff_resting_on_a_wrong_date_goes_to_review() -> None:
    # "Filed after Prop 64" read the offense date, which contradicts the disposition date.
    who = person(c("11359 HS", odate="2017-01-01", ddate="2010-03-01"))
    rec = first("ca-prop64-state", who)
    assert (rec.outcome, rec.reasons[0].code) == (R, "ca.filed_after_prop64.dates_inconsistent")


def test_a_review_keeps_its_reason_and_gains_the_date_note() -> None:
    who = person(c("11357(c) HS", level="misdemeanor", odate="2012-02-01", ddate="2005-03-01"))
    rec = first("ca-prop64-state", who)
    assert rec.outcome is R
    assert [r.code for r in rec.reasons] == [
        "ca.11357cde_policy",
        "ca.11357cde_policy.dates_inconsistent",
    ]


# Audit item 7: an age over 100 at the event is a placeholder birth date, not an age.
@pytest.mark.parametrize(
    ("policy", "who", "as_of", "code"),
    [
        (
            "ca-prop64-state",
            person(c("11357(b) HS", level="misdemeanor"), dob="1900-01-01"),
            "2024-01-01",
            "ca.11357b_adult_dismiss.missing_dob",
        ),
        (
            "ca-prop64-la-2020",
            # The placeholder would make this person 120 on the reference date (la.older_dismiss).
            person(
                c("11359 HS", county="LOS ANGELES", odate="2015-01-01", ddate="2015-06-01"),
                dob="1900-01-01",
            ),
            "2020-02-11",
            "la.remainder",
        ),
        (
            "wa-seattle-2018",
            person(
                c(
                    "RCW 69.50.4014",
                    level="misdemeanor",
                    court="Seattle Municipal Court",
                    odate="2005-01-01",
                    ddate="2005-06-01",
                ),
                dob="1900-01-01",
            ),
            "2018-09-11",
            None,
        ),
    ],
    ids=["ca-state", "la", "seattle"],
)
def test_placeholder_birth_date_is_not_an_age(
    policy: str, who: Any, as_of: str, code: str | None
) -> None:
    rec = first(policy, who, as_of=as_of)
    assert rec.outcome is R, rec.reasons[0].text
    if code:
        assert rec.reasons[0].code == code
    dob_reasons = [r for r in rec.reasons if r.code.endswith("missing_dob")]
    assert dob_reasons and "1900-01-01" in dob_reasons[0].text
    assert "not plausible" in dob_reasons[0].text
    assert dob_reasons[0].citation in dob_reasons[0].text


def test_age_100_is_still_plausible() -> None:
    rec = first("ca-prop64-state", person(c("11357(b) HS", level="misdemeanor"), dob="1910-01-01"))
    assert rec.outcome is Outcome.ELIGIBLE_DISMISS  # exactly 100 on 2010-01-01


# Audit items 10 and 13: where the county and the court point, and spellings of counties.
CA_FELONY = dict(code="11359 HS", odate="2004-01-01", ddate="2005-01-01")
NY_WARRANT = dict(
    code="PL 221.10 01", level="misdemeanor", disp="warrant", ddate=None, status="warrant"
)
NY_CONVICTION = dict(code="PL 221.05", level="misdemeanor")
BALTIMORE = dict(
    code="CR.5.601.(a)(1)",
    desc="CDS:POSSESS-MARIJUANA",
    level="misdemeanor",
    ddate="2015-05-01",
    odate="2015-01-01",
)
ELIGIBLE_HERE = "eligible"

PLACES: list[tuple[str, str, dict[str, Any], str | None, str | None, Outcome | str, str]] = [
    # (label, policy, count, county, court, outcome, reason code or text needle)
    # county spellings that mean a county of the pack
    ("CA LA", "ca-prop64-state", CA_FELONY, "LA", None, ELIGIBLE_HERE, ""),
    ("CA L.A.", "ca-prop64-state", CA_FELONY, "L.A.", None, ELIGIBLE_HERE, ""),
    ("CA SF", "ca-prop64-state", CA_FELONY, "SF", None, ELIGIBLE_HERE, ""),
    ("CA S.F.", "ca-prop64-state", CA_FELONY, "S.F.", None, ELIGIBLE_HERE, ""),
    ("CA SAN BERNADINO", "ca-prop64-state", CA_FELONY, "SAN BERNADINO", None, ELIGIBLE_HERE, ""),
    (
        "CA CITY & COUNTY OF SAN FRANCISCO",
        "ca-prop64-state",
        CA_FELONY,
        "CITY & COUNTY OF SAN FRANCISCO",
        None,
        ELIGIBLE_HERE,
        "",
    ),
    ("LA LA", "ca-prop64-la-2020", CA_FELONY, "LA", None, ELIGIBLE_HERE, ""),
    ("LA L.A.", "ca-prop64-la-2020", CA_FELONY, "L.A.", None, ELIGIBLE_HERE, ""),
    ("MRTA NYC", "ny-mrta-2021", NY_CONVICTION, "NYC", None, ELIGIBLE_HERE, ""),
    ("MRTA NEW YORK CITY", "ny-mrta-2021", NY_CONVICTION, "NEW YORK CITY", None, ELIGIBLE_HERE, ""),
    ("MRTA NY", "ny-mrta-2021", NY_CONVICTION, "NY", None, ELIGIBLE_HERE, ""),
    (
        "MRTA RICHMOND (STATEN ISLAND)",
        "ny-mrta-2021",
        NY_CONVICTION,
        "RICHMOND (STATEN ISLAND)",
        None,
        ELIGIBLE_HERE,
        "",
    ),
    # spellings that may mean more than one county -> review
    ("Manhattan NYC", "ny-manhattan-2018", NY_WARRANT, "NYC", None, R, "may mean more than one"),
    (
        "Manhattan NEW YORK CITY",
        "ny-manhattan-2018",
        NY_WARRANT,
        "NEW YORK CITY",
        None,
        R,
        "may mean more than one",
    ),
    ("Manhattan NY", "ny-manhattan-2018", NY_WARRANT, "NY", None, R, "may mean more than one"),
    ("Brooklyn NYC", "ny-brooklyn-2018", NY_CONVICTION, "NYC", None, R, "may mean more than one"),
    (
        "Baltimore alone",
        "md-baltimore-2019",
        BALTIMORE,
        "BALTIMORE",
        None,
        R,
        "may mean more than one",
    ),
    (
        "Baltimore alone, City court",
        "md-baltimore-2019",
        BALTIMORE,
        "BALTIMORE",
        "Baltimore City District Court",
        ELIGIBLE_HERE,
        "",
    ),
    (
        "Baltimore County",
        "md-baltimore-2019",
        BALTIMORE,
        "BALTIMORE CO.",
        None,
        NE,
        "bal.outside_city",
    ),
    # a county the pack does not know at all -> review, not "outside"
    (
        "CA unknown county",
        "ca-prop64-state",
        CA_FELONY,
        "LOS ANGELS",
        None,
        R,
        "not one this policy recognizes",
    ),
    (
        "LA unknown county",
        "ca-prop64-la-2020",
        CA_FELONY,
        "XYZ",
        "Pasadena Courthouse",
        R,
        "not one this policy recognizes",
    ),
    # county and court disagree -> review
    (
        "Manhattan: Queens county, Manhattan court",
        "ny-manhattan-2018",
        NY_WARRANT,
        "QUEENS",
        "Manhattan Criminal Court",
        R,
        "point to different places",
    ),
    (
        "Brooklyn: New York county, Kings court",
        "ny-brooklyn-2018",
        NY_CONVICTION,
        "NEW YORK",
        "Kings County Criminal Court",
        R,
        "point to different places",
    ),
    (
        "LA: Orange county, Pasadena court",
        "ca-prop64-la-2020",
        CA_FELONY,
        "ORANGE",
        "Pasadena Courthouse",
        R,
        "point to different places",
    ),
    (
        "LA: LA county, Orange County court",
        "ca-prop64-la-2020",
        CA_FELONY,
        "LOS ANGELES",
        "Orange County Superior Court",
        R,
        "point to different places",
    ),
    # agreeing or silent courts leave the county's answer alone
    (
        "LA county, a court that names no place",
        "ca-prop64-la-2020",
        CA_FELONY,
        "LOS ANGELES",
        "Compton Courthouse",
        ELIGIBLE_HERE,
        "",
    ),
    (
        "Brooklyn: Kings county, the city's criminal court",
        "ny-brooklyn-2018",
        NY_CONVICTION,
        "KINGS",
        "New York City Criminal Court",
        ELIGIBLE_HERE,
        "",
    ),
    (
        "LA: another known county",
        "ca-prop64-la-2020",
        CA_FELONY,
        "ORANGE",
        None,
        NE,
        "la.outside_county",
    ),
    (
        "Manhattan: Queens",
        "ny-manhattan-2018",
        NY_WARRANT,
        "QUEENS",
        None,
        NE,
        "nym.outside_county",
    ),
    (
        "LA: no county, a court that names no place",
        "ca-prop64-la-2020",
        CA_FELONY,
        None,
        "Compton Courthouse",
        R,
        "does not say where it sits",
    ),
]


@pytest.mark.parametrize(
    ("label", "policy", "kw", "county", "court", "outcome", "expect"),
    PLACES,
    ids=[p[0] for p in PLACES],
)
def test_places(
    label: str,
    policy: str,
    kw: dict[str, Any],
    county: str | None,
    court: str | None,
    outcome: Outcome | str,
    expect: str,
) -> None:
    as_of = {"ca-prop64-la-2020": "2020-02-11", "ny-manhattan-2018": "2018-09-12"}.get(
        policy, "2024-01-01"
    )
    rec = first(policy, person(_count(kw, county=county, court=court)), as_of=as_of)
    reason = rec.reasons[0]
    if outcome == ELIGIBLE_HERE:
        assert rec.outcome in ELIGIBLE, reason.text
        return
    assert rec.outcome is outcome, reason.text
    if rec.outcome is R:
        assert reason.code.endswith("outside_county.missing_territory") or reason.code.endswith(
            ("outside_state.missing_territory", "outside_city.missing_territory")
        ), reason.code
        assert expect in reason.text
        if county:
            assert county in reason.text
    else:
        assert reason.code == expect
    assert reason.citation and reason.citation in reason.text
