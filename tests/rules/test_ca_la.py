"""ca-prop64-la-2020: the LA decision order of DOMAIN.md section 2 (reference date 2020-02-11)."""

from __future__ import annotations

import pytest

from app.core.model import Outcome
from tests.rules.factory import c, first, person, reg

P = "ca-prop64-la-2020"
R, NE, DIS = Outcome.NEEDS_REVIEW, Outcome.NOT_ELIGIBLE, Outcome.ELIGIBLE_DISMISS
LA = "LOS ANGELES"


def la(code: str, **kw) -> object:
    kw.setdefault("county", LA)
    return c(code, **kw)


# A 40-year-old on the reference date with a recent felony: meets no dismissal criterion.
RECENT = dict(case=5, odate="2015-01-01", ddate="2015-06-01")

# The cannabis conviction itself counts in the 10-year window (no conviction "of any kind").
OLD = dict(odate="2004-01-01", ddate="2005-01-01")

CASES = [
    ("11361 excluded", person(la("11361 HS")), NE, "la.excluded_section"),
    ("11379.6 excluded", person(la("11379.6 HS")), NE, "la.excluded_section"),
    ("non-cannabis", person(la("10851 VC")), NE, "la.not_covered"),
    ("other county", person(la("11359 HS", county="ORANGE")), NE, "la.outside_county"),
    (
        "LA city court, no county",
        person(la("11359 HS", county=None, court="Long Beach Courthouse", **OLD)),
        DIS,
        "la.no_recent_conviction",
    ),
    (
        "county and court missing",
        person(la("11359 HS", county=None)),
        R,
        "la.outside_county.missing_territory",
    ),
    (
        "same case 11361 (case-level exclusion)",
        person(la("11359 HS"), la("11361 HS", disp="dismissed")),
        R,
        "la.case_excluded_cocount",
    ),
    (
        "11357(a) dismissed",
        person(la("11357(a) HS", level="misdemeanor")),
        DIS,
        "la.11357ab_dismiss",
    ),
    (
        "11357(b) dismissed",
        person(la("11357(b) HS", level="misdemeanor")),
        DIS,
        "la.11357ab_dismiss",
    ),
    ("11357(c) maybe", person(la("11357(c) HS", level="misdemeanor")), R, "la.11357_other"),
    (
        "prior super strike",
        person(la("11359 HS"), la("187 PC", case=2, odate="1990-01-01", ddate="1990-06-01")),
        NE,
        "la.prior_super_strike",
    ),
    (
        "two priors same section",
        person(
            la("11360 HS"),
            la("11360 HS", case=2, odate="2000-01-01"),
            la("11360 HS", case=3, odate="2002-01-01"),
        ),
        NE,
        "la.two_prior_same_section",
    ),
    ("PC 290 untested by LA", person(la("11359 HS"), events=(reg("2001-01-01"),)), R, "la.pc290"),
    # age 50 on the reference date (2020-02-11): born 1970-02-11 is 50, a day later is 49
    (
        "50 on the reference date",
        person(la("11359 HS"), la("459 PC", **RECENT), dob="1970-02-11"),
        DIS,
        "la.older_dismiss",
    ),
    (
        "49 on the reference date",
        person(la("11359 HS"), la("459 PC", **RECENT), dob="1970-02-12"),
        R,
        "la.remainder",
    ),
    # age at conviction (2010-03-01): under 21 dismiss, exactly 21 review
    (
        "20 at conviction",
        person(la("11359 HS"), la("459 PC", **RECENT), dob="1989-03-02"),
        DIS,
        "la.young_dismiss",
    ),
    (
        "21 at conviction",
        person(la("11359 HS"), la("459 PC", **RECENT), dob="1989-03-01"),
        R,
        "la.young_boundary",
    ),
    (
        "22 at conviction",
        person(la("11359 HS"), la("459 PC", **RECENT), dob="1988-03-01"),
        R,
        "la.remainder",
    ),
    (
        "only cannabis, sentences done",
        person(
            la("11359 HS", completed=True),
            la(
                "11357(b) HS",
                case=2,
                odate="2016-01-01",
                ddate="2016-02-01",
                level="misdemeanor",
                completed=True,
            ),
        ),
        DIS,
        "la.only_cannabis_completed",
    ),
    (
        "no conviction in 10 years",
        person(la("11359 HS", **OLD), la("459 PC", case=2, odate="2005-01-01", ddate="2005-06-01")),
        DIS,
        "la.no_recent_conviction",
    ),
    (
        "only a misdemeanor in 10 years",
        person(
            la("11359 HS", **OLD),
            la("484 PC", case=2, odate="2015-01-01", ddate="2015-06-01", level="misdemeanor"),
        ),
        R,
        "la.recent_misdemeanor_only",
    ),
    ("recent felony", person(la("11359 HS"), la("459 PC", **RECENT)), R, "la.remainder"),
    (
        "the cannabis conviction itself is in the window",
        person(la("11359 HS", odate="2012-01-01", ddate="2012-06-01")),
        R,
        "la.remainder",
    ),
    (
        "DOB missing: age rules skipped, window decides",
        person(la("11359 HS", **OLD), dob=None),
        DIS,
        "la.no_recent_conviction",
    ),
    # audit item 1: a bookless prior 187 is not HS 187, and an unsettled super strike is
    # never overtaken by a later dismissal criterion
    (
        "bookless prior 187 with no recent conviction",
        person(la("11359 HS", **OLD), la("187", case=2, odate="1990-01-01", ddate="1990-06-01")),
        R,
        "la.prior_super_strike.missing_prior_code_book",
    ),
    # audit item 2: PC 288.2 / 272 need legal confirmation
    (
        "prior 288.2 PC",
        person(la("11359 HS", **OLD), la("288.2 PC", case=2, odate="1990-01-01")),
        R,
        "la.prior_pc290_uncertain",
    ),
    # audit item 6: counts with a blank disposition in the window or outside cannabis
    (
        "blank-disposition count in the 10-year window",
        person(
            la("11359 HS", **OLD),
            la("459 PC", case=2, odate="2015-01-01", ddate="2015-06-01", disp=None),
            dob="1975-01-01",
        ),
        R,
        "la.remainder",
    ),
    (
        "blank-disposition non-cannabis count, sentences completed",
        person(
            la("11359 HS", completed=True, **OLD),
            la("459 PC", case=2, odate="2016-01-01", ddate="2016-06-01", disp=None, completed=True),
            dob="1975-01-01",
        ),
        R,
        "la.remainder",
    ),
    (
        "blank-disposition count outside the window does not matter",
        person(
            la("11359 HS", **OLD),
            la("459 PC", case=2, odate="2001-01-01", ddate="2001-06-01", disp=None),
            dob="1975-01-01",
        ),
        DIS,
        "la.no_recent_conviction",
    ),
    # audit item 7: placeholder DOB is not "age 120"
    (
        "DOB 1900-01-01 with a recent felony",
        person(la("11359 HS", odate="2015-01-01", ddate="2015-06-01"), dob="1900-01-01"),
        R,
        "la.remainder",
    ),
]


@pytest.mark.parametrize(("name", "who", "outcome", "code"), CASES, ids=[x[0] for x in CASES])
def test_la_table(name: str, who, outcome: Outcome, code: str) -> None:
    rec = first(P, who, as_of="2020-02-11")
    reason = rec.reasons[0]
    assert (rec.outcome, reason.code) == (outcome, code), reason.text
    assert reason.citation in reason.text


def test_skipped_missing_facts_are_listed_on_review() -> None:
    # DOB missing and a recent felony: the hand-review reason lists what could not be checked.
    rec = first(P, person(la("11359 HS"), la("459 PC", **RECENT), dob=None), as_of="2020-02-11")
    assert rec.outcome is R
    codes = [r.code for r in rec.reasons]
    assert codes[0] == "la.remainder"
    assert "la.older_dismiss.missing_dob" in codes


def test_pack_reference_date_is_fixed() -> None:
    # The order was signed on 2020-02-11 (DOMAIN.md section 2): a run's as-of date never moves it.
    from app.rules.engine import effective_as_of
    from tests.rules.factory import d, pack

    assert pack(P).as_of_fixed
    assert effective_as_of(pack(P), None, d("2024-05-05")) == d("2020-02-11")
    assert effective_as_of(pack(P), d("2025-01-01"), d("2024-05-05")) == d("2020-02-11")


def test_age_is_measured_on_the_order_date_whatever_the_as_of() -> None:
    # Born 1974: 45 on 2020-02-11, 50 on 2025-01-01; a recent felony meets no other criterion.
    who = person(la("11359 HS"), la("459 PC", **RECENT), dob="1974-06-01")
    rec = first(P, who, as_of="2025-01-01")
    assert (rec.outcome, rec.reasons[0].code) == (R, "la.remainder")


def test_undisposed_counts_are_listed_on_review() -> None:
    who = person(
        la("11359 HS", **OLD),
        la("459 PC", case=2, odate="2015-01-01", ddate="2015-06-01", disp=None),
        dob="1975-01-01",
    )
    rec = first(P, who, as_of="2020-02-11")
    codes = [r.code for r in rec.reasons]
    assert "la.no_recent_conviction.missing_prior_disposition" in codes
    text = next(r.text for r in rec.reasons if r.code.endswith("missing_prior_disposition"))
    assert "The disposition of 459 PC (case CASE-2, 2015-06-01) is not known" in text
    assert "HS 11361.9" in text


def test_unsettled_super_strike_is_listed_first() -> None:
    who = person(la("11359 HS", **OLD), la("187", case=2, odate="1990-01-01"))
    rec = first(P, who, as_of="2020-02-11")
    assert rec.outcome is R
    assert "PC 667(e)(2)(C)(iv)" in rec.reasons[0].text and "PC 187" in rec.reasons[0].text


def test_option_changes_the_age_threshold_and_the_text() -> None:
    who = person(
        la("11359 HS"), la("459 PC", **RECENT), dob="1975-01-01"
    )  # 45 on the reference date
    assert first(P, who, as_of="2020-02-11").outcome is R
    rec = first(P, who, as_of="2020-02-11", older_age=45)
    assert rec.outcome is DIS
    assert "45 or older" in rec.reasons[0].text
