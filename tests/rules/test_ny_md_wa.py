"""The New York, Maryland and Seattle packs: every rule and trap of DOMAIN.md sections 3-5."""

from __future__ import annotations

import pytest

from app.core.model import Outcome
from tests.rules.factory import c, first, person, reg

R, NE = Outcome.NEEDS_REVIEW, Outcome.NOT_ELIGIBLE
DIS, VAC = Outcome.ELIGIBLE_DISMISS, Outcome.ELIGIBLE_VACATE


def ny(code: str, county: str = "NEW YORK", **kw) -> object:
    kw.setdefault("level", "misdemeanor")
    return c(code, county=county, **kw)


def warrant(code: str, **kw) -> object:
    return ny(code, disp="warrant", ddate=None, status="warrant", **kw)


MANHATTAN = [
    ("221.10(1) warrant, PL form", person(warrant("PL 221.10 01")), VAC, "nym.221_10_1_vacate"),
    ("221.10(1) warrant, NYPD compact", person(warrant("PL 2211001")), VAC, "nym.221_10_1_vacate"),
    (
        "221.05 open with warrant status",
        person(ny("221.05 V", disp="open", ddate=None, status="warrant")),
        VAC,
        "nym.221_05_vacate",
    ),
    ("221.10(2) over 25 g", person(warrant("PL 221.10 02")), R, "nym.221_10_other"),
    ("221.10 no subdivision", person(warrant("PL 221.10")), R, "nym.221_10_other"),
    ("conviction excluded", person(ny("PL 221.10 01")), NE, "nym.conviction"),
    (
        "open without warrant",
        person(ny("PL 221.05", disp="open", ddate=None, status="open")),
        NE,
        "nym.no_warrant",
    ),
    (
        "open, status unknown",
        person(ny("PL 221.05", disp="open", ddate=None, status=None)),
        R,
        "nym.no_warrant.missing_case_status",
    ),
    ("dismissed case", person(ny("PL 221.05", disp="dismissed")), NE, "nym.not_open"),
    (
        "sale count in the case",
        person(warrant("PL 221.10 01"), warrant("PL 221.40")),
        NE,
        "nym.sale_in_case",
    ),
    (
        "other open felony",
        person(
            warrant("PL 221.10 01"),
            ny("PL 160.15", case=2, disp="open", level="felony", ddate=None),
        ),
        NE,
        "nym.other_open_felony",
    ),
    (
        "other open case level unknown",
        person(
            warrant("PL 221.10 01"), ny("PL 160.15", case=2, disp="open", level=None, ddate=None)
        ),
        R,
        "nym.other_open_felony.missing_level",
    ),
    ("Brooklyn case", person(warrant("PL 221.10 01", county="KINGS")), NE, "nym.outside_county"),
    (
        "Manhattan alias",
        person(warrant("PL 221.10 01", county="Manhattan")),
        VAC,
        "nym.221_10_1_vacate",
    ),
    (
        "arrest after the order",
        person(warrant("PL 221.10 01", odate="2018-10-01")),
        NE,
        "nym.after_order",
    ),
    ("sale section itself", person(warrant("PL 221.40")), NE, "nym.not_covered"),
    ("unreadable", person(warrant("MARIJUANA")), R, "nym.offense_unreadable"),
    # Audit item 5, D1: case status CLOSED, disposition BENCH WARRANT.
    (
        "D1 status closed, disposition warrant",
        person(ny("PL 221.10 01", disp="warrant", ddate=None, status="closed")),
        R,
        "nym.status_conflict",
    ),
    (
        "status closed, disposition open",
        person(ny("PL 221.05", disp="open", ddate=None, status="closed")),
        R,
        "nym.status_conflict",
    ),
    # D4: no arrest date and no disposition date: cannot be placed before the order.
    (
        "D4 no arrest or disposition date",
        person(warrant("PL 221.05", odate=None)),
        R,
        "nym.undated",
    ),
    (
        "disposition date alone places it",
        person(ny("PL 221.05", disp="warrant", status="warrant", odate=None, ddate="1996-01-01")),
        VAC,
        "nym.221_05_vacate",
    ),
    # D5: PL 160.15 class CF, case status OPEN, disposition blank.
    (
        "D5 other felony open by case status, blank disposition",
        person(
            warrant("PL 221.05"),
            ny("PL 160.15 CF", case=2, disp=None, level="felony", ddate=None, status="open"),
        ),
        NE,
        "nym.other_open_felony",
    ),
    (
        "other felony, blank disposition, warrant status",
        person(
            warrant("PL 221.05"),
            ny("PL 160.15", case=2, disp=None, level="felony", ddate=None, status="warrant"),
        ),
        NE,
        "nym.other_open_felony",
    ),
    (
        "other felony, blank disposition, no case status",
        person(
            warrant("PL 221.05"),
            ny("PL 160.15", case=2, disp=None, level="felony", ddate=None, status=None),
        ),
        R,
        "nym.other_open_felony.missing_open_case",
    ),
    (
        "other count of unknown level, blank disposition, no case status",
        person(
            warrant("PL 221.05"),
            ny("PL 160.15", case=2, disp=None, level=None, ddate=None, status=None),
        ),
        R,
        "nym.other_open_felony.missing_open_case",
    ),
    (
        "other felony, blank disposition, case closed",
        person(
            warrant("PL 221.05"),
            ny("PL 160.15", case=2, disp=None, level="felony", ddate=None, status="closed"),
        ),
        VAC,
        "nym.221_05_vacate",
    ),
    (
        "other misdemeanor, blank disposition, no case status",
        person(
            warrant("PL 221.05"),
            ny("PL 155.25", case=2, disp=None, level="misdemeanor", ddate=None, status=None),
        ),
        VAC,
        "nym.221_05_vacate",
    ),
    (
        "a definite open felony decides over an unclear count",
        person(
            warrant("PL 221.05"),
            ny("PL 155.30", case=2, disp=None, level="felony", ddate=None, status=None),
            ny("PL 160.15", case=3, disp=None, level="felony", ddate=None, status="open"),
        ),
        NE,
        "nym.other_open_felony",
    ),
    (
        "other felony convicted in a case still open",
        person(warrant("PL 221.05"), ny("PL 160.15", case=2, level="felony", status="open")),
        VAC,
        "nym.221_05_vacate",
    ),
]

BROOKLYN = [
    ("221.05 conviction", person(ny("PL 221.05", county="KINGS")), VAC, "nyb.vacate"),
    ("221.15 conviction", person(ny("221.15 00 AM", county="Brooklyn")), VAC, "nyb.vacate"),
    ("221.40 sale", person(ny("PL 221.40", county="KINGS")), NE, "nyb.not_covered"),
    ("Queens", person(ny("PL 221.05", county="QUEENS")), NE, "nyb.outside_county"),
    (
        "not a conviction",
        person(ny("PL 221.05", county="KINGS", disp="dismissed")),
        NE,
        "nyb.not_conviction",
    ),
    (
        "sex offense art. 130",
        person(
            ny("PL 221.05", county="KINGS"),
            ny("PL 130.35 01 BF", county="KINGS", case=2, level="felony"),
        ),
        NE,
        "nyb.sex_offense",
    ),
    (
        "SORA registration",
        person(ny("PL 221.05", county="KINGS"), events=(reg("2001-01-01", "PL 130.20"),)),
        NE,
        "nyb.sora_registration",
    ),
    (
        "violent felony 70.02",
        person(
            ny("PL 221.10", county="KINGS"), ny("PL 160.15", county="KINGS", case=2, level="felony")
        ),
        R,
        "nyb.violent_felony",
    ),
    (
        "unrelated felony",
        person(
            ny("PL 221.10", county="KINGS"), ny("PL 155.30", county="KINGS", case=2, level="felony")
        ),
        VAC,
        "nyb.vacate",
    ),
    # Audit item 16: convictions Correction Law 168-a may make registrable -> confirm SORA.
    *[
        (
            f"possible SORA offense {code}",
            person(ny("PL 221.10", county="KINGS"), ny(code, county="KINGS", case=2)),
            R,
            "nyb.sora_to_confirm",
        )
        for code in ("PL 120.70", "PL 135.10", "PL 250.45", "PL 250.45 02", "PL 135.20")
    ],
    (
        "status closed, disposition warrant",
        person(ny("PL 221.05", county="KINGS", disp="warrant", status="closed")),
        R,
        "nyb.status_conflict",
    ),
]

MRTA = [
    ("221.05", person(ny("PL 221.05", county="ERIE")), VAC, "mrta.expunged"),
    ("221.10 NYPD compact", person(ny("PL 2211001", county="BRONX")), VAC, "mrta.expunged"),
    ("221.15", person(ny("221.15 00 AM", county="KINGS")), VAC, "mrta.expunged"),
    ("221.35", person(ny("PL 221.35", county="ALBANY")), VAC, "mrta.expunged"),
    ("221.40", person(ny("PL 221.40", county="ALBANY")), VAC, "mrta.expunged"),
    (
        "221.20 uncertain",
        person(ny("PL 221.20", county="ALBANY", level="felony")),
        R,
        "mrta.221_20",
    ),
    (
        "221.25 petition",
        person(ny("PL 221.25", county="ALBANY", level="felony")),
        NE,
        "mrta.petition_only",
    ),
    (
        "221.55 petition",
        person(ny("PL 221.55", county="ALBANY", level="felony")),
        NE,
        "mrta.petition_only",
    ),
    ("220.03 hashish", person(ny("PL 220.03", county="ALBANY")), R, "mrta.hashish_only"),
    ("240.36", person(ny("PL 240.36", county="ALBANY")), R, "mrta.hashish_only"),
    ("222 (new article)", person(ny("PL 222.10", county="ALBANY")), NE, "mrta.not_covered"),
    (
        "repealed section dated after repeal",
        person(ny("PL 221.05", county="ALBANY", ddate="2021-04-01")),
        R,
        "mrta.after_repeal",
    ),
    (
        "dated on the repeal day",
        person(ny("PL 221.05", county="ALBANY", ddate="2021-03-31")),
        VAC,
        "mrta.expunged",
    ),
    (
        "county not known in New York",
        person(ny("PL 221.05", county="BERGEN")),
        R,
        "mrta.outside_state.missing_territory",
    ),
    (
        "county missing passes (statewide)",
        person(ny("PL 221.05", county=None)),
        VAC,
        "mrta.expunged",
    ),
    (
        "not a conviction",
        person(ny("PL 221.05", county="ALBANY", disp="acquitted")),
        NE,
        "mrta.not_conviction",
    ),
    ("attempt", person(ny("PL 110/221.10", county="ALBANY")), R, "mrta.attempt"),
    # Audit item 17: no date at all, so "dated after 2021-03-31" cannot be checked.
    (
        "221.05 with no dates",
        person(ny("PL 221.05", county="KINGS", level="violation", ddate=None, odate=None)),
        R,
        "mrta.undated",
    ),
    (
        "offense date after the repeal, no disposition date",
        person(ny("PL 221.05", county="KINGS", ddate=None, odate="2022-01-01")),
        R,
        "mrta.after_repeal",
    ),
    (
        "offense date alone before the repeal",
        person(ny("PL 221.05", county="KINGS", ddate=None, odate="2020-01-01")),
        VAC,
        "mrta.expunged",
    ),
    (
        "status closed, disposition warrant",
        person(ny("PL 221.05", county="ALBANY", disp="warrant", status="closed")),
        R,
        "mrta.status_conflict",
    ),
]


def md(
    code: str,
    desc: str | None = "CDS:POSSESS-MARIJUANA",
    county: str | None = "BALTIMORE CITY",
    **kw,
) -> object:
    kw.setdefault("level", "misdemeanor")
    kw.setdefault("ddate", "2015-05-01")
    return c(code, desc=desc, county=county, **kw)


# The audit's failing descriptions (item 4): a negation names another CDS; a qualifier
# (paraphernalia, intent to distribute) is not the plain possession the packs relieve.
NEGATED = (
    "CDS POSS-NON MARIJUANA",
    "CDS POSSESS NON-MARIJUANA",
    "CDS:POSS OTHER THAN MARIJUANA",
    "CDS POSSESS (EXCEPT MARIJUANA)",
    "CDS:POSSESS-NOT MARIHUANA",
)
QUALIFIED = ("CDS POSS-MARIJUANA PARAPHERNALIA", "CDS: POSSESS MARIJUANA W/INTENT DIST")
UNDER_10G = "CDS:POSSESS-MARIJUANA LESS THAN 10 GRAMS"

BALTIMORE = [
    ("CR.5.601 marijuana", person(md("CR.5.601.(a)(1)")), VAC, "bal.vacate"),
    (
        "CR 5-601 court form",
        person(md("CR 5-601(a)(1)", desc="CDS POSSESS-MARIJUANA")),
        VAC,
        "bal.vacate",
    ),
    (
        "NOT MARIHUANA",
        person(md("CR.5.601.(a)(1)", desc="CDS:POSSESS-NOT MARIHUANA")),
        NE,
        "bal.not_marijuana",
    ),
    ("other CDS", person(md("CR.5.601.(a)(1)", desc="CDS:POSSESS-COCAINE")), NE, "bal.other_cds"),
    (
        "description missing",
        person(md("CR.5.601.(a)(1)", desc=None)),
        R,
        "bal.not_marijuana.missing_description",
    ),
    (
        "PWID 5-602",
        person(md("CR.5.602", desc="CDS:POSS W/I DIST-MARIJUANA")),
        NE,
        "bal.distribution",
    ),
    (
        "Baltimore County",
        person(md("CR.5.601.(a)(1)", county="BALTIMORE COUNTY")),
        NE,
        "bal.outside_city",
    ),
    (
        "Baltimore County court",
        person(md("CR.5.601.(a)(1)", county=None, court="District Court for Baltimore County")),
        NE,
        "bal.outside_city",
    ),
    (
        "Baltimore City court only",
        person(md("CR.5.601.(a)(1)", county=None, court="Baltimore City District Court")),
        VAC,
        "bal.vacate",
    ),
    ("civil citation", person(md("CR.5.601.(c)(2)(ii)", disp="civil")), NE, "bal.civil"),
    ("before 2011", person(md("CR.5.601.(a)(1)", ddate="2010-12-31")), NE, "bal.before_window"),
    ("first day 2011", person(md("CR.5.601.(a)(1)", ddate="2011-01-01")), VAC, "bal.vacate"),
    ("policy day 2019-01-29", person(md("CR.5.601.(a)(1)", ddate="2019-01-29")), VAC, "bal.vacate"),
    ("after the policy", person(md("CR.5.601.(a)(1)", ddate="2019-01-30")), NE, "bal.after_window"),
    (
        "disposition date missing",
        person(md("CR.5.601.(a)(1)", ddate=None)),
        R,
        "bal.before_window.missing_disposition",
    ),
    (
        "other conviction in the case",
        person(md("CR.5.601.(a)(1)"), md("CR.4.101", desc="DANGEROUS WEAPON")),
        R,
        "bal.other_conviction_in_case",
    ),
    (
        "other count dismissed",
        person(md("CR.5.601.(a)(1)"), md("CR.4.101", desc="DANGEROUS WEAPON", disp="dismissed")),
        VAC,
        "bal.vacate",
    ),
    (
        "weight and priors irrelevant",
        person(md("CR.5.601.(a)(1)"), md("CR.5.602", case=2, ddate="2005-01-01")),
        VAC,
        "bal.vacate",
    ),
    ("Art. 27 in the window", person(md("ART 27 287")), R, "bal.pre2002_code"),
    ("Art. 27 before 2011", person(md("ART 27 287", ddate="1999-01-01")), NE, "bal.not_covered"),
    # Audit item 4: negations name another CDS; qualifiers are not plain possession.
    *[
        (f"negated: {desc}", person(md("CR.5.601.(a)(1)", desc=desc)), NE, "bal.not_marijuana")
        for desc in NEGATED
    ],
    *[
        (f"qualified: {desc}", person(md("CR 5-601", desc=desc)), R, "bal.qualified_description")
        for desc in QUALIFIED
    ],
    (
        "weight wording is no qualifier",
        person(md("CR 5-601", desc="CDS POSS MARIJUANA NOT MORE THAN 50 GRAMS")),
        VAC,
        "bal.vacate",
    ),
    (
        "second marijuana possession count convicted",
        person(md("CR.5.601.(a)(1)"), md("CR.5.601.(a)(1)", desc="CDS POSSESS-MARIJUANA")),
        VAC,
        "bal.vacate",
    ),
    (
        "co-count CR 5-601 NOT MARIHUANA convicted",
        person(md("CR.5.601.(a)(1)"), md("CR.5.601.(a)(1)", desc="CDS:POSSESS-NOT MARIHUANA")),
        R,
        "bal.other_conviction_in_case",
    ),
    (
        "co-count CR 5-601 description blank",
        person(md("CR.5.601.(a)(1)"), md("CR.5.601.(a)(1)", desc=None)),
        R,
        "bal.other_conviction_in_case.missing_description",
    ),
    (
        "co-count CR 5-601 NOT MARIHUANA dismissed",
        person(
            md("CR.5.601.(a)(1)"),
            md("CR.5.601.(a)(1)", desc="CDS:POSSESS-NOT MARIHUANA", disp="dismissed"),
        ),
        VAC,
        "bal.vacate",
    ),
    # Audit item 9: under 10 g has been a civil offense since 2014-10-01.
    (
        "(c)(2)(ii) offense 2016",
        person(md("CR.5.601.(c)(2)(ii)", desc=UNDER_10G, odate="2016-01-05", ddate="2016-03-01")),
        NE,
        "bal.civil_offense",
    ),
    (
        "(c)(2)(ii) offense on 2014-10-01",
        person(md("CR.5.601.(c)(2)(ii)", odate="2014-10-01", ddate="2015-03-01")),
        NE,
        "bal.civil_offense",
    ),
    (
        "(c)(2)(ii) offense the day before",
        person(md("CR.5.601.(c)(2)(ii)", odate="2014-09-30", ddate="2015-03-01")),
        VAC,
        "bal.vacate",
    ),
    (
        "(c)(2)(ii) in 2013",
        person(md("CR.5.601.(c)(2)(ii)", desc=UNDER_10G, odate="2013-01-05", ddate="2013-03-01")),
        VAC,
        "bal.vacate",
    ),
    (
        "audit M4: (c)(2)(ii) GUILTY 2016, no offense date",
        person(md("CR.5.601.(c)(2)(ii)", desc=UNDER_10G, odate=None, ddate="2016-03-01")),
        R,
        "bal.civil_offense_undated",
    ),
    (
        "no subsection, LESS THAN 10 GRAMS, 2016",
        person(md("CR.5.601", desc=UNDER_10G, odate="2016-01-05", ddate="2016-03-01")),
        R,
        "bal.under_10g_description",
    ),
    (
        "(a)(1), under 10 g wording, 2016",
        person(md("CR.5.601.(a)(1)", desc="CDS POSS MARIJUANA <10G", odate="2016-01-05")),
        R,
        "bal.under_10g_description",
    ),
    (
        "no subsection, LESS THAN 10 GRAMS, 2013",
        person(md("CR.5.601", desc=UNDER_10G, odate="2013-01-05", ddate="2013-03-01")),
        VAC,
        "bal.vacate",
    ),
]

MD_STATE = [
    ("only charge", person(md("CR.5.601.(a)(1)", county="MONTGOMERY")), DIS, "mds.expunge"),
    (
        "abbreviated MARIJ",
        person(md("CR.5.601.(a)(1)", desc="CDS POSS-MARIJ", county="MONTGOMERY")),
        DIS,
        "mds.expunge",
    ),
    (
        "abbreviated, negated",
        person(md("CR.5.601.(a)(1)", desc="CDS POSS NOT MARIJ", county="MONTGOMERY")),
        NE,
        "mds.not_cannabis",
    ),
    (
        "under 10 g, 2016: maybe a civil citation",
        person(md("CR.5.601.(c)(2)(ii)", desc=UNDER_10G, odate="2016-01-05", ddate="2016-03-01")),
        R,
        "mds.civil_offense",
    ),
    (
        "under 10 g, 2013: before the change",
        person(md("CR.5.601.(c)(2)(ii)", desc=UNDER_10G, odate="2013-01-05", ddate="2013-03-01")),
        DIS,
        "mds.expunge",
    ),
    (
        "other charges",
        person(
            md("CR.5.601.(a)(1)", county="MONTGOMERY"),
            md("CR.4.101", desc="WEAPON", county="MONTGOMERY", disp="dismissed"),
        ),
        NE,
        "mds.other_charges",
    ),
    (
        "disposition on 2023-07-01",
        person(md("CR.5.601.(a)(1)", ddate="2023-07-01")),
        NE,
        "mds.after_legalization",
    ),
    (
        "disposition the day before",
        person(md("CR.5.601.(a)(1)", ddate="2023-06-30")),
        DIS,
        "mds.expunge",
    ),
    ("pre-2002 Art. 27", person(md("ART 27 287", ddate="1999-01-01")), R, "mds.pre2002_code"),
    (
        "NOT MARIHUANA",
        person(md("CR.5.601.(a)(1)", desc="CDS:POSSESS-NOT MARIHUANA")),
        NE,
        "mds.not_cannabis",
    ),
    ("PWID", person(md("CR 5-602", desc="CDS:PWID-MARIJUANA")), NE, "mds.not_covered"),
    ("not a conviction", person(md("CR.5.601.(a)(1)", disp="civil")), NE, "mds.not_conviction"),
    (
        "county not known in Maryland",
        person(md("CR.5.601.(a)(1)", county="FAIRFAX")),
        R,
        "mds.outside_state.missing_territory",
    ),
    *[
        (f"negated: {desc}", person(md("CR 5-601", desc=desc)), NE, "mds.not_cannabis")
        for desc in NEGATED
    ],
    *[
        (f"qualified: {desc}", person(md("CR 5-601", desc=desc)), R, "mds.qualified_description")
        for desc in QUALIFIED
    ],
    # Audit item 15: a second possession count in the case is not another charge.
    (
        "two CR 5-601 marijuana counts in one case",
        person(md("CR 5-601", county="MONTGOMERY"), md("CR 5-601", county="MONTGOMERY")),
        DIS,
        "mds.expunge",
    ),
    (
        "second possession count dismissed",
        person(
            md("CR.5.601.(a)(1)", county="MONTGOMERY"),
            md("CR 5-601", desc="CDS POSSESS-MARIJUANA", county="MONTGOMERY", disp="dismissed"),
        ),
        DIS,
        "mds.expunge",
    ),
    (
        "co-count CR 5-601 NOT MARIHUANA",
        person(md("CR 5-601"), md("CR 5-601", desc="CDS:POSSESS-NOT MARIHUANA")),
        NE,
        "mds.other_charges",
    ),
    (
        "co-count CR 5-601 with intent to distribute",
        person(md("CR 5-601"), md("CR 5-601", desc="CDS: POSSESS MARIJUANA W/INTENT DIST")),
        NE,
        "mds.other_charges",
    ),
    (
        "co-count CR 5-601 description blank",
        person(md("CR 5-601"), md("CR 5-601", desc=None)),
        R,
        "mds.other_charges.missing_description",
    ),
    (
        "a definite other charge decides over an unclear co-count",
        person(md("CR 5-601"), md("CR 5-601", desc=None), md("CR.4.101", desc="WEAPON")),
        NE,
        "mds.other_charges",
    ),
]


def sea(code: str, court: str | None = "Seattle Municipal Court", **kw) -> object:
    kw.setdefault("level", "misdemeanor")
    kw.setdefault("ddate", "2005-06-01")
    kw.setdefault("odate", "2005-01-01")
    return c(code, court=court, county="KING", **kw)


SEATTLE = [
    ("RCW 69.50.4014", person(sea("RCW 69.50.4014")), VAC, "sea.vacate"),
    (
        "pre-2004 401(e)",
        person(sea("69.50.401(E)", ddate="2001-01-01", odate="2000-06-01"), dob="1970-01-01"),
        VAC,
        "sea.vacate",
    ),
    ("401 without subsection", person(sea("RCW 69.50.401")), R, "sea.401_subsection"),
    ("401(a) manufacture", person(sea("RCW 69.50.401(a)", level="felony")), NE, "sea.not_covered"),
    ("paraphernalia", person(sea("RCW 69.50.412")), NE, "sea.paraphernalia"),
    (
        "King County District Court",
        person(sea("RCW 69.50.4014", court="King County District Court")),
        NE,
        "sea.outside_court",
    ),
    (
        "court missing",
        person(sea("RCW 69.50.4014", court=None)),
        R,
        "sea.outside_court.missing_territory",
    ),
    (
        "1995",
        person(sea("RCW 69.50.401(e)", ddate="1995-12-31", odate="1995-06-01")),
        NE,
        "sea.before_1996",
    ),
    (
        "1996-01-01",
        person(sea("RCW 69.50.401(e)", ddate="1996-01-01", odate="1995-10-01"), dob="1970-01-01"),
        VAC,
        "sea.vacate",
    ),
    ("2010-12-31", person(sea("RCW 69.50.4014", ddate="2010-12-31")), VAC, "sea.vacate"),
    ("2011", person(sea("RCW 69.50.4014", ddate="2011-01-01")), NE, "sea.after_2010"),
    ("under 21 at offense", person(sea("RCW 69.50.4014"), dob="1984-01-02"), R, "sea.under_21"),
    ("21 at offense", person(sea("RCW 69.50.4014"), dob="1984-01-01"), VAC, "sea.vacate"),
    ("DOB missing", person(sea("RCW 69.50.4014"), dob=None), R, "sea.under_21.missing_dob"),
    ("not a conviction", person(sea("RCW 69.50.4014", disp="dismissed")), NE, "sea.not_conviction"),
    # Audit item 14: SMC charge codes are uncertain (DOMAIN.md 6.7).
    (
        "SMC code with a marijuana description",
        person(sea("SMC 12A.20.060", desc="POSSESSION OF MARIJUANA")),
        R,
        "sea.smc_code",
    ),
    (
        "SMC code, book after the section",
        person(sea("12A.20.060 SMC", desc="MARIHUANA-POSSESS")),
        R,
        "sea.smc_code",
    ),
    (
        "SMC code, description blank",
        person(sea("SMC 12A.20.060", desc=None)),
        R,
        "sea.smc_code.missing_description",
    ),
    ("SMC code for theft", person(sea("SMC 12A.08.060", desc="THEFT")), NE, "sea.not_covered"),
]

TABLE = (
    [("ny-manhattan-2018", *row) for row in MANHATTAN]
    + [("ny-brooklyn-2018", *row) for row in BROOKLYN]
    + [("ny-mrta-2021", *row) for row in MRTA]
    + [("md-baltimore-2019", *row) for row in BALTIMORE]
    + [("md-2022-auto-expunge", *row) for row in MD_STATE]
    + [("wa-seattle-2018", *row) for row in SEATTLE]
)


@pytest.mark.parametrize(
    ("pack_id", "name", "who", "outcome", "code"), TABLE, ids=[f"{t[0]}:{t[1]}" for t in TABLE]
)
def test_pack_table(pack_id: str, name: str, who, outcome: Outcome, code: str) -> None:
    rec = first(pack_id, who)
    reason = rec.reasons[0]
    assert (rec.outcome, reason.code) == (outcome, code), reason.text
    assert reason.citation and reason.citation in reason.text


def test_baltimore_eligible_reason_says_the_petitions_were_denied() -> None:
    rec = first("md-baltimore-2019", person(md("CR.5.601.(a)(1)")))
    assert "denied" in rec.reasons[0].text


def test_mrta_petition_reason_names_the_route() -> None:
    rec = first("ny-mrta-2021", person(ny("PL 221.30", county="ALBANY", level="felony")))
    assert "CPL 440.46-a" in rec.reasons[0].text
