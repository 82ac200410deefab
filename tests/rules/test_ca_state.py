"""ca-prop64-state: every rule and trap of DOMAIN.md section 1, as a table."""

from __future__ import annotations

import pytest

from app.core.model import Outcome
from tests.rules.factory import c, first, person, reg

P = "ca-prop64-state"
PRIOR = dict(case=2, odate="1995-01-01", ddate="1995-06-01")
R, NE, DIS, RED = (
    Outcome.NEEDS_REVIEW,
    Outcome.NOT_ELIGIBLE,
    Outcome.ELIGIBLE_DISMISS,
    Outcome.ELIGIBLE_REDUCE,
)

CASES = [
    # spellings of covered sections
    (
        "11357(b) adult",
        person(c("11357(B) HS", level="misdemeanor")),
        DIS,
        "ca.11357b_adult_dismiss",
    ),
    (
        "HS 11357(b) court form",
        person(c("HS 11357(b)", level="misdemeanor")),
        DIS,
        "ca.11357b_adult_dismiss",
    ),
    (
        "attempt 664/ follows target",
        person(c("664/11357(b) HS", level="misdemeanor")),
        DIS,
        "ca.11357b_adult_dismiss",
    ),
    (
        "attempt fused 66411357",
        person(c("66411357(B) HS", level="misdemeanor")),
        DIS,
        "ca.11357b_adult_dismiss",
    ),
    ("11359HS- DOJ form", person(c("11359HS-INTENT SELL CANNABIS")), RED, "ca.11359_redesignate"),
    ("11358 HS- DOJ form", person(c("11358 HS-CULTIVATE CANNABIS")), RED, "ca.11358_redesignate"),
    ("H&S 11360(a)(1)", person(c("H&S 11360(a)(1)")), RED, "ca.11360a_redesignate"),
    (
        "see comment",
        person(c("SEE COMMENT FOR CHARGE", comment="11359 HS POSS FOR SALE")),
        RED,
        "ca.11359_redesignate",
    ),
    ("see comment without code", person(c("SEE COMMENT FOR CHARGE")), R, "ca.offense_unreadable"),
    ("garbled code", person(c("??")), R, "ca.offense_unreadable"),
    # whole-section matching
    ("11357.5 synthetic", person(c("11357.5 HS", level="misdemeanor")), NE, "ca.excluded_11357_5"),
    ("11361 minors", person(c("11361(a) HS")), NE, "ca.excluded_11361"),
    ("11379.6 extraction", person(c("11379.6 HS")), NE, "ca.excluded_11379_6"),
    ("non-cannabis", person(c("11350 HS")), NE, "ca.not_covered"),
    ("non-cannabis PC", person(c("459 PC")), NE, "ca.not_covered"),
    # conspiracy and accessory
    ("182/11359 conspiracy", person(c("182/11359 HS")), R, "ca.conspiracy"),
    (
        "182 PC in a cannabis case",
        person(c("182(A)(1) PC"), c("11359 HS", disp="dismissed")),
        R,
        "ca.conspiracy_related",
    ),
    ("182 PC unrelated", person(c("182(A)(1) PC"), c("459 PC")), NE, "ca.not_covered"),
    ("182/11351 conspiracy other drug", person(c("182/11351 HS")), NE, "ca.not_covered"),
    (
        "PC 32 accessory Boatwright",
        person(c("32 PC"), c("11358 HS", disp="dismissed")),
        R,
        "ca.accessory_related",
    ),
    # convictions only
    ("dismissed count", person(c("11359 HS", disp="dismissed")), NE, "ca.not_conviction"),
    (
        "disposition missing",
        person(c("11359 HS", disp=None)),
        R,
        "ca.not_conviction.missing_disposition",
    ),
    # date cutoffs on both sides of 2016-11-09
    (
        "decided the day before",
        person(c("11359 HS", ddate="2016-11-08", odate="2016-01-01")),
        RED,
        "ca.11359_redesignate",
    ),
    (
        "decided on the day",
        person(c("11359 HS", ddate="2016-11-09", odate="2016-01-01")),
        R,
        "ca.decided_after_prop64",
    ),
    (
        "filed on the day",
        person(c("11359 HS", ddate="2017-01-01", odate=None, fdate="2016-11-09")),
        NE,
        "ca.filed_after_prop64",
    ),
    (
        "offense after Prop 64",
        person(c("11359 HS", ddate="2017-06-01", odate="2017-01-01")),
        NE,
        "ca.filed_after_prop64",
    ),
    (
        "no dates at all",
        person(c("11359 HS", ddate=None, odate=None)),
        R,
        "ca.decided_after_prop64.missing_disposition",
    ),
    # 11357 subsections read as pre-Prop-64
    (
        "11357(a) concentrate",
        person(c("11357(a) HS", level="misdemeanor")),
        R,
        "ca.11357a_concentrate",
    ),
    (
        "11357(c) over 28.5 g",
        person(c("11357(c) HS", level="misdemeanor")),
        R,
        "ca.11357cde_policy",
    ),
    ("11357 no subsection", person(c("11357 HS", level="misdemeanor")), R, "ca.11357_subsection"),
    # ages at the boundary (offense 2010-01-01)
    (
        "21 on the offense day",
        person(c("11357(b) HS", level="misdemeanor"), dob="1989-01-01"),
        DIS,
        "ca.11357b_adult_dismiss",
    ),
    (
        "one day short of 21, misdemeanor",
        person(c("11357(b) HS", level="misdemeanor"), dob="1989-01-02"),
        RED,
        "ca.11357b_under21_reduce",
    ),
    (
        "under 21, infraction",
        person(c("11357(b) HS", level="infraction"), dob="1992-01-01"),
        NE,
        "ca.11357b_under21_infraction",
    ),
    (
        "under 21, level missing",
        person(c("11357(b) HS", level=None), dob="1992-01-01"),
        R,
        "ca.11357b_under21_reduce.missing_level",
    ),
    (
        "DOB missing",
        person(c("11357(b) HS", level="misdemeanor"), dob=None),
        R,
        "ca.11357b_adult_dismiss.missing_dob",
    ),
    (
        "DOB after the offense (a data error, never an age)",
        person(c("11357(b) HS", level="misdemeanor"), dob="2012-01-01"),
        R,
        "ca.11357b_adult_dismiss.missing_dob",
    ),
    (
        "age 8 at the offense is not plausible",
        person(c("11357(b) HS", level="misdemeanor"), dob="2002-01-01"),
        R,
        "ca.11357b_adult_dismiss.missing_dob",
    ),
    (
        "offense date missing, filing used",
        person(
            c("11357(b) HS", level="misdemeanor", odate=None, fdate="2009-06-01"), dob="1980-01-01"
        ),
        DIS,
        "ca.11357b_adult_dismiss",
    ),
    (
        "11360(b) adult",
        person(c("11360(b) HS", level="misdemeanor")),
        DIS,
        "ca.11360b_adult_dismiss",
    ),
    (
        "11360(b) under 21",
        person(c("11360(b) HS", level="misdemeanor"), dob="1992-01-01"),
        R,
        "ca.11360b_under21",
    ),
    # super strikes: before, same case, after
    (
        "prior super strike",
        person(c("11359 HS"), c("664/187(a) PC", case=2, odate="1995-01-01", ddate="1995-06-01")),
        NE,
        "ca.prior_super_strike",
    ),
    (
        "prior murder, 11360",
        person(c("11360(a) HS"), c("187 PC", case=2, odate="1990-01-01", ddate="1991-01-01")),
        NE,
        "ca.prior_super_strike",
    ),
    (
        "same-case attempted murder (Smit)",
        person(c("11359 HS"), c("664/187 PC", case=1)),
        R,
        "ca.same_case_serious",
    ),
    (
        "later super strike",
        person(c("11359 HS"), c("187 PC", case=2, odate="2014-01-01", ddate="2015-01-01")),
        R,
        "ca.later_super_strike",
    ),
    (
        "super strike never bars 11357",
        person(
            c("11357(b) HS", level="misdemeanor"),
            c("187 PC", case=2, odate="1995-01-01", ddate="1995-06-01"),
        ),
        DIS,
        "ca.11357b_adult_dismiss",
    ),
    (
        "prior super strike undated",
        person(c("11359 HS"), c("187 PC", case=2, odate=None, ddate=None)),
        R,
        "ca.prior_super_strike.missing_prior_date",
    ),
    (
        "prior with unreadable code",
        person(c("11359 HS"), c("XX-99", case=2, odate="1995-01-01")),
        R,
        "ca.prior_super_strike.missing_prior_code",
    ),
    (
        "possible super strike PC 288 no subdivision",
        person(c("11359 HS"), c("288 PC", case=2, odate="1995-01-01")),
        NE,
        "ca.prior_pc290",
    ),
    (
        "possible super strike PC 286",
        person(c("11358 HS"), c("209 PC", case=2, odate="1995-01-01")),
        R,
        "ca.prior_possible_super_strike",
    ),
    # PC 290: conviction row or registration event; never for 11357
    (
        "prior PC 261",
        person(c("11358 HS"), c("261(a)(2) PC", case=2, odate="2000-01-01", ddate="2000-05-01")),
        NE,
        "ca.prior_pc290",
    ),
    (
        "registration event before",
        person(c("11360 HS"), events=(reg("2005-01-01"),)),
        NE,
        "ca.registration_before",
    ),
    (
        "registration event after",
        person(c("11360 HS"), events=(reg("2015-01-01"),)),
        R,
        "ca.registration_later",
    ),
    (
        "registration undated",
        person(c("11360 HS"), events=(reg(None),)),
        R,
        "ca.registration_later",
    ),
    (
        "registration never bars 11357",
        person(c("11357(b) HS", level="misdemeanor"), events=(reg("2005-01-01"),)),
        DIS,
        "ca.11357b_adult_dismiss",
    ),
    (
        "PC 290 prior never bars 11357",
        person(c("11357(b) HS", level="misdemeanor"), c("261 PC", case=2, odate="2000-01-01")),
        DIS,
        "ca.11357b_adult_dismiss",
    ),
    # two prior same-section convictions
    (
        "two priors same section",
        person(
            c("11359 HS"),
            c("11359 HS", case=2, odate="2001-01-01"),
            c("11359(a) HS", case=3, odate="2003-01-01"),
        ),
        R,
        "ca.two_prior_same_section",
    ),
    (
        "one prior same section",
        person(c("11359 HS"), c("11359 HS", case=2, odate="2001-01-01")),
        RED,
        "ca.11359_redesignate",
    ),
    (
        "two priors of another section",
        person(
            c("11359 HS"),
            c("11358 HS", case=2, odate="2001-01-01"),
            c("11358 HS", case=3, odate="2003-01-01"),
        ),
        RED,
        "ca.11359_redesignate",
    ),
    (
        "two later same-section",
        person(
            c("11359 HS"),
            c("11359 HS", case=2, odate="2012-01-01", ddate="2012-05-01"),
            c("11359 HS", case=3, odate="2013-01-01", ddate="2013-05-01"),
        ),
        RED,
        "ca.11359_redesignate",
    ),
    # hints of aggravating facts
    (
        "11361 co-count hints at minors",
        person(c("11359 HS"), c("11361 HS", disp="dismissed")),
        R,
        "ca.minor_cocount",
    ),
    (
        "felony section recorded as misdemeanor",
        person(c("11359 HS", level="misdemeanor")),
        R,
        "ca.felony_level",
    ),
    (
        "felony section level missing",
        person(c("11359 HS", level=None)),
        R,
        "ca.felony_level.missing_level",
    ),
    # territory
    # a county the pack does not know is not "outside California": a person checks it
    (
        "county not known in California",
        person(c("11359 HS", county="MULTNOMAH")),
        R,
        "ca.outside_state.missing_territory",
    ),
    # audit item 1: the pack's default book (HS) is for the count under evaluation only
    (
        "bookless prior 187 is not HS 187",
        person(c("11359 HS"), c("187", **PRIOR)),
        R,
        "ca.prior_super_strike.missing_prior_code_book",
    ),
    (
        "bookless prior 288(A)",
        person(c("11359 HS"), c("288(A)", **PRIOR)),
        R,
        "ca.prior_super_strike.missing_prior_code_book",
    ),
    (
        "bookless count, bookless prior 288(a)",
        person(c("11359"), c("288(a)", **PRIOR)),
        R,
        "ca.prior_super_strike.missing_prior_code_book",
    ),
    (
        "a clear 187 PC prior decides despite a bookless one",
        person(c("11359 HS"), c("187", **PRIOR), c("187 PC", case=3, odate="1998-01-01")),
        NE,
        "ca.prior_super_strike",
    ),
    (
        "bookless same-section prior may be the second prior",
        person(c("11359 HS"), c("11359 HS", **PRIOR), c("11359", case=3, odate="2001-01-01")),
        R,
        "ca.two_prior_same_section.missing_prior_code_book",
    ),
    # audit item 2: subdivision absent or less specific than the list's entry
    (
        "314.1 PC (DOJ spelling of 314(1))",
        person(c("11359 HS"), c("314.1 PC", **PRIOR)),
        NE,
        "ca.prior_pc290",
    ),
    (
        "314 PC",
        person(c("11359 HS"), c("314 PC", **PRIOR)),
        R,
        "ca.prior_pc290.missing_prior_subdivision",
    ),
    (
        "266H PC",
        person(c("11359 HS"), c("266H PC", **PRIOR)),
        R,
        "ca.prior_pc290.missing_prior_subdivision",
    ),
    (
        "236.1 PC",
        person(c("11359 HS"), c("236.1 PC", **PRIOR)),
        R,
        "ca.prior_pc290.missing_prior_subdivision",
    ),
    (
        "311.2 PC",
        person(c("11359 HS"), c("311.2 PC", **PRIOR)),
        R,
        "ca.prior_pc290.missing_prior_subdivision",
    ),
    (
        "314 PC and a clear 187 PC: the super strike decides",
        person(c("11359 HS"), c("314 PC", **PRIOR), c("187 PC", case=3, odate="1998-01-01")),
        NE,
        "ca.prior_super_strike",
    ),
    (
        "288.2 PC needs legal confirmation",
        person(c("11358 HS"), c("288.2 PC", **PRIOR)),
        R,
        "ca.prior_pc290_uncertain",
    ),
    (
        "272 PC needs legal confirmation",
        person(c("11360 HS"), c("272 PC", **PRIOR)),
        R,
        "ca.prior_pc290_uncertain",
    ),
    # audit item 6: a prior with a blank disposition that would change the outcome
    (
        "one prior conviction and one undisposed prior of the section",
        person(
            c("11359 HS", odate="2010-01-01", ddate="2010-03-01"),
            c("11359 HS", case=2, odate="2005-01-01", ddate="2005-03-01"),
            c("11359 HS", case=3, odate="2007-01-01", ddate="2007-03-01", disp=None),
        ),
        R,
        "ca.two_prior_same_section.missing_prior_disposition",
    ),
    (
        "one undisposed prior alone cannot make two",
        person(c("11359 HS"), c("11359 HS", case=3, odate="2007-01-01", disp=None)),
        RED,
        "ca.11359_redesignate",
    ),
    (
        "undisposed prior with an unreadable code",
        person(c("11359 HS"), c("XX-99", disp=None, **PRIOR)),
        R,
        "ca.prior_super_strike.missing_prior_disposition",
    ),
    (
        "undisposed prior 187 PC",
        person(c("11359 HS"), c("187 PC", disp=None, **PRIOR)),
        R,
        "ca.prior_super_strike.missing_prior_disposition",
    ),
    # audit item 7: a placeholder date of birth is not an age of 110
    (
        "DOB 1900-01-01 placeholder",
        person(c("11357(b) HS", level="misdemeanor"), dob="1900-01-01"),
        R,
        "ca.11357b_adult_dismiss.missing_dob",
    ),
]


@pytest.mark.parametrize(("name", "who", "outcome", "code"), CASES, ids=[x[0] for x in CASES])
def test_ca_state_table(name: str, who, outcome: Outcome, code: str) -> None:
    rec = first(P, who)
    reason = rec.reasons[0]
    assert (rec.outcome, reason.code) == (outcome, code), reason.text
    assert reason.citation and reason.citation in reason.text


def test_review_texts_name_the_prior_and_what_to_check() -> None:
    rec = first(P, person(c("11359 HS"), c("187", **PRIOR)))
    assert "187 (case CASE-2" in rec.reasons[0].text and "PC 187" in rec.reasons[0].text
    rec = first(P, person(c("11359 HS"), c("314 PC", **PRIOR)))
    assert "PC 314(1), PC 314(2)" in rec.reasons[0].text and "subdivision" in rec.reasons[0].text
    rec = first(
        P,
        person(
            c("11359 HS"),
            c("11359 HS", **PRIOR),
            c("11359 HS", case=3, odate="2007-01-01", ddate="2007-03-01", disp=None),
        ),
    )
    assert (
        "The disposition of 11359 HS (case CASE-3, 2007-03-01) is not known" in rec.reasons[0].text
    )
    rec = first(P, person(c("11357(b) HS", level="misdemeanor"), dob="1900-01-01"))
    assert "1900-01-01" in rec.reasons[0].text and "not plausible" in rec.reasons[0].text


def test_name_collision_is_not_the_same_person() -> None:
    # Two people called the same: the other one's super strike is not this person's prior.
    from app.rules.engine import evaluate_person
    from tests.rules.factory import d, pack

    mine = person(c("11359 HS"), pid=1)
    other = person(c("187 PC", case=9, odate="1995-01-01"), pid=2)
    assert mine.name == other.name
    rec = evaluate_person(pack(P), mine, d("2024-01-01"))[0]
    assert rec.outcome is RED


def test_two_priors_option_makes_it_not_eligible() -> None:
    who = person(
        c("11359 HS"),
        c("11359 HS", case=2, odate="2001-01-01"),
        c("11359 HS", case=3, odate="2003-01-01"),
    )
    rec = first(P, who, two_priors_outcome="not_eligible")
    assert rec.outcome is NE
    assert "unsettled" in rec.reasons[0].text


def test_felony_remedy_option_dismisses() -> None:
    rec = first(P, person(c("11359 HS")), felony_remedy="eligible_dismiss")
    assert rec.outcome is DIS


def test_every_count_gets_a_recommendation_in_order() -> None:
    from app.rules.engine import evaluate_person
    from tests.rules.factory import d, pack

    who = person(c("11359 HS"), c("459 PC", case=2), c("11357(b) HS", case=3, level="misdemeanor"))
    recs = evaluate_person(pack(P), who, d("2024-01-01"))
    assert [r.count_id for r in recs] == [x.count_id for x in who.counts]
    assert [r.outcome for r in recs] == [RED, NE, DIS]
    assert all(r.reasons for r in recs)


def test_an_implausible_age_says_what_to_check() -> None:
    rec = first(P, person(c("11357(b) HS", level="misdemeanor"), dob="2012-01-01"))
    assert rec.outcome is R
    assert "not plausible" in rec.reasons[0].text and "date of birth" in rec.reasons[0].text
