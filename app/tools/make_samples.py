"""Build the synthetic sample workbooks (one per shipped policy, plus a messy one) and big benchmark sets.

Every name and ID is invented. Each workbook is laid out like the real export it stands for
(its own headers, title rows in some) and holds the cases that exercise its policy pack's
rules in DOMAIN.md: clear eligible counts, disqualifiers, same-case co-counts, dates on both
sides of each cutoff, rows outside the territory, name collisions between different people,
missing dates of birth. ``--rows N`` instead writes N synthetic rows (CSV and xlsx, streamed)
in the court-export layout for the import benchmark.

    python -m app.tools.make_samples [--out DIR] [--rows N]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

LAST = [
    "O'Brien",
    "Núñez",
    "Nguyễn",
    "García",
    "Okafor",
    "Kowalski",
    "Chen",
    "Patel",
    "Rossi",
    "Müller",
    "Johnson",
    "Washington",
    "Haddad",
    "Ivanova",
    "Santos",
    "Brennan",
    "Yamamoto",
    "Delacroix",
    "Mbeki",
    "Lindqvist",
]
FIRST = [
    "José",
    "María",
    "Văn An",
    "Mary",
    "Darnell",
    "Aisha",
    "Wei",
    "Priya",
    "Luca",
    "Anna",
    "Keisha",
    "Tomás",
    "Siobhán",
    "Kwame",
    "Zoë",
    "Rafael",
    "Mei",
    "Omar",
    "Ingrid",
    "Dmitri",
]


@dataclass
class Sample:
    """One workbook: file name, sheet, optional title rows, headers and rows (cells as written)."""

    file: str
    sheet: str
    headers: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    policy: str = ""
    hidden_sheets: list[tuple[str, str]] = field(
        default_factory=list
    )  # (name, "hidden"|"very hidden")


class People:
    """Invented people with stable keys; ``twin`` makes a different person with the same name and DOB."""

    def __init__(self, seed: int, key_format: str) -> None:
        self.rng = random.Random(seed)
        self.key_format = key_format
        self.n = 0

    def new(
        self, dob: dt.date | None = None, last: str | None = None, first: str | None = None
    ) -> dict[str, Any]:
        self.n += 1
        rng = self.rng
        return {
            "key": self.key_format.format(self.n * 7919 % 100000 + self.n),
            "last": last or rng.choice(LAST),
            "first": first or rng.choice(FIRST),
            "dob": dob
            if dob is not None
            else dt.date(rng.randint(1950, 1990), rng.randint(1, 12), rng.randint(1, 28)),
        }


def _d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _ymd(day: dt.date | None) -> str:
    return day.strftime("%Y%m%d") if day else ""


def _us(day: dt.date | None) -> str:
    return day.strftime("%m/%d/%Y") if day else ""


def _upper_name(p: dict[str, Any], sep: str = ",") -> str:
    return f"{p['last'].upper()}{sep}{p['first'].upper()}"


# -- 1. California DOJ research extract (ca-prop64-state) ------------------------------------------------

DOJ_HEADERS = [
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


def ca_doj() -> Sample:
    people = People(1, "{:08d}")
    s = Sample("ca_doj_extract.xlsx", "DOJ Extract", DOJ_HEADERS, policy="ca-prop64-state")
    subject = iter(range(900001, 999999))

    def person(**kw: Any) -> dict[str, Any]:
        p = people.new(**kw)
        p["subject"] = str(next(subject))
        return p

    def step(
        p: dict[str, Any],
        cycle: str,
        event: str,
        kind: str,
        county: str,
        cnt: str,
        ofn: str,
        descr: str,
        toc: str,
        disp: str,
        conv: str,
        comment: str = "",
        dob: bool = True,
    ) -> None:
        s.rows.append(
            [
                p["subject"],
                p["key"],
                _upper_name(p),
                _ymd(p["dob"]) if dob else "",
                cycle,
                event,
                kind,
                county,
                cnt,
                ofn,
                descr,
                toc,
                disp,
                conv,
                comment,
            ]
        )

    # Clear eligible: possession (dismiss), cultivation/sale (reduce), attempts, old spellings.
    p = person(dob=_d("1968-04-02"))
    step(
        p,
        "19980310",
        "19980310",
        "ARREST",
        "KERN",
        "001",
        "11357(B) HS-POSSESS MARIJUANA",
        "POSSESS MARIJUANA",
        "M",
        "",
        "",
    )
    step(
        p,
        "19980310",
        "19980522",
        "COURT",
        "KERN",
        "001",
        "11357(B) HS-POSSESS MARIJUANA",
        "POSSESS MARIJUANA",
        "M",
        "CONVICTED",
        "MISDEMEANOR",
    )
    p = person(dob=_d("1972-09-15"))
    step(
        p,
        "20050114",
        "20050601",
        "COURT",
        "KERN",
        "001",
        "11359 HS-POSSESS MARIJUANA FOR SALE",
        "POSS FOR SALE",
        "F",
        "CONVICTED",
        "FELONY",
    )
    p = person(dob=_d("1975-01-30"))
    step(
        p,
        "20090820",
        "20091103",
        "COURT",
        "FRESNO",
        "001",
        "11358 HS-CULTIVATE CANNABIS",
        "CULTIVATE",
        "F",
        "CONVICTED",
        "FELONY",
    )
    step(
        p,
        "20090820",
        "20091103",
        "COURT",
        "FRESNO",
        "002",
        "11360(A) HS-SELL/TRANSPORT MARIJUANA",
        "SELL",
        "F",
        "DISMISSED",
        "",
    )
    p = person(dob=_d("1981-07-07"))
    step(
        p,
        "20110302",
        "20110415",
        "COURT",
        "KERN",
        "001",
        "664.11357(B) HS",
        "ATTEMPT POSSESS",
        "M",
        "CONVICTED",
        "MISDEMEANOR",
    )
    step(
        p,
        "20120302",
        "20120415",
        "COURT",
        "KERN",
        "001",
        "11359HS-INTENT SELL CANNABIS",
        "",
        "F",
        "CONVICTED",
        "FELONY",
    )
    step(
        p,
        "20130302",
        "20130415",
        "COURT",
        "KERN",
        "001",
        "/11357 HS",
        "POSSESS",
        "I",
        "CONVICTED",
        "INFRACTION",
    )
    step(
        p,
        "20140302",
        "20140415",
        "COURT",
        "KERN",
        "001",
        "66411357(c) HS",
        "ATT POSS >28.5G",
        "M",
        "CONVICTED",
        "MISDEMEANOR",
    )
    # Under 21 at the offense (misdemeanor possession → reduce to infraction).
    p = person(dob=_d("1990-02-01"))
    step(
        p,
        "20090601",
        "20090701",
        "COURT",
        "KERN",
        "001",
        "11357(B) HS-POSSESS MARIJUANA",
        "POSSESS",
        "M",
        "CONVICTED",
        "MISDEMEANOR",
    )
    # Prior super strike (PC 187) before a felony cannabis conviction → not eligible.
    p = person(dob=_d("1960-11-11"))
    step(
        p,
        "19850403",
        "19860110",
        "COURT",
        "KERN",
        "001",
        "187(A) PC-MURDER",
        "MURDER",
        "F",
        "CONVICTED",
        "FELONY",
    )
    step(
        p,
        "20020403",
        "20020710",
        "COURT",
        "KERN",
        "001",
        "11359 HS-POSSESS MARIJUANA FOR SALE",
        "POSS FOR SALE",
        "F",
        "CONVICTED",
        "FELONY",
    )
    # A super strike AFTER the cannabis conviction → needs review (public-safety discretion).
    p = person(dob=_d("1966-03-03"))
    step(
        p,
        "19990403",
        "19990710",
        "COURT",
        "KERN",
        "001",
        "11360(A) HS-SELL/TRANSPORT MARIJUANA",
        "SELL",
        "F",
        "CONVICTED",
        "FELONY",
    )
    step(
        p,
        "20080101",
        "20080901",
        "COURT",
        "KERN",
        "001",
        "664/187(A) PC",
        "ATTEMPTED MURDER",
        "F",
        "CONVICTED",
        "FELONY",
    )
    # PC 290 registration (a REGISTRATION step) before an 11358 conviction → not eligible.
    p = person(dob=_d("1964-05-05"))
    step(
        p,
        "19940101",
        "19940601",
        "COURT",
        "KERN",
        "001",
        "288(A) PC-LEWD ACT W/CHILD",
        "LEWD ACT",
        "F",
        "CONVICTED",
        "FELONY",
    )
    step(
        p,
        "19940101",
        "19950101",
        "REGISTRATION",
        "KERN",
        "",
        "290 PC-REGISTRATION OF SEX OFFENDER",
        "REGISTRATION",
        "",
        "",
        "",
    )
    step(
        p,
        "20060101",
        "20060601",
        "COURT",
        "KERN",
        "001",
        "11358 HS-CULTIVATE CANNABIS",
        "CULTIVATE",
        "F",
        "CONVICTED",
        "FELONY",
    )
    # Two prior convictions of the same section → the third is not eligible.
    p = person(dob=_d("1970-08-08"))
    for year in ("2001", "2004", "2010"):
        step(
            p,
            f"{year}0202",
            f"{year}0505",
            "COURT",
            "KERN",
            "001",
            "11360(A) HS-SELL/TRANSPORT MARIJUANA",
            "SELL",
            "F",
            "CONVICTED",
            "FELONY",
        )
    # Same-case co-count (attempted murder in the same cycle): not a prior (People v. Smit) → review.
    p = person(dob=_d("1978-12-12"))
    step(
        p,
        "20070707",
        "20071010",
        "COURT",
        "KERN",
        "001",
        "11359 HS-POSSESS MARIJUANA FOR SALE",
        "POSS FOR SALE",
        "F",
        "CONVICTED",
        "FELONY",
    )
    step(
        p,
        "20070707",
        "20071010",
        "COURT",
        "KERN",
        "002",
        "664/187(A) PC",
        "ATTEMPTED MURDER",
        "F",
        "CONVICTED",
        "FELONY",
    )
    # Dates on both sides of Prop 64 (2016-11-09).
    p = person(dob=_d("1980-01-01"))
    step(
        p,
        "20161107",
        "20161108",
        "COURT",
        "KERN",
        "001",
        "11357(B) HS-POSSESS MARIJUANA",
        "POSSESS",
        "I",
        "CONVICTED",
        "INFRACTION",
    )
    p = person(dob=_d("1980-01-02"))
    step(
        p,
        "20160601",
        "20170115",
        "COURT",
        "KERN",
        "001",
        "11359 HS-POSSESS MARIJUANA FOR SALE",
        "POSS FOR SALE",
        "F",
        "CONVICTED",
        "FELONY",
    )
    p = person(dob=_d("1980-01-03"))
    step(
        p,
        "20170301",
        "20170601",
        "COURT",
        "KERN",
        "001",
        "11359(B) HS-POSSESS CANNABIS FOR SALE",
        "POSS FOR SALE",
        "M",
        "CONVICTED",
        "MISDEMEANOR",
    )
    # SEE COMMENT FOR CHARGE: the code is in the comment.
    p = person(dob=_d("1977-06-06"))
    step(
        p,
        "20030303",
        "20030606",
        "COURT",
        "KERN",
        "001",
        "SEE COMMENT FOR CHARGE",
        "",
        "M",
        "CONVICTED",
        "MISDEMEANOR",
        "11357(C) HS-POSSESS MARIJUANA",
    )
    step(
        p,
        "20040303",
        "20040606",
        "COURT",
        "KERN",
        "001",
        "SEE COMMENT FOR CHARGE",
        "",
        "F",
        "CONVICTED",
        "FELONY",
        "11360(A) HS",
    )
    # Not covered: 11357.5 (synthetic cannabinoids), 11361 (minors), 11379.6 (extraction), non-cannabis.
    p = person(dob=_d("1985-10-10"))
    step(
        p,
        "20150101",
        "20150301",
        "COURT",
        "KERN",
        "001",
        "11357.5(A) HS-SYNTHETIC CANNABINOID",
        "SYNTHETIC",
        "I",
        "CONVICTED",
        "INFRACTION",
    )
    step(
        p,
        "20150101",
        "20150301",
        "COURT",
        "KERN",
        "002",
        "11361(A) HS-EMPLOY MINOR TO SELL",
        "EMPLOY MINOR",
        "F",
        "CONVICTED",
        "FELONY",
    )
    step(
        p,
        "20100101",
        "20100301",
        "COURT",
        "KERN",
        "001",
        "11379.6(A) HS-MANUFACTURE CONCENTRATE",
        "MFG",
        "F",
        "CONVICTED",
        "FELONY",
    )
    step(
        p,
        "20120101",
        "20120301",
        "COURT",
        "KERN",
        "001",
        "459 PC-BURGLARY",
        "BURGLARY",
        "F",
        "CONVICTED",
        "FELONY",
    )
    # Concentrated cannabis 11357(a) (quantity decides) and conspiracy → review.
    p = person(dob=_d("1969-09-09"))
    step(
        p,
        "20000101",
        "20000301",
        "COURT",
        "KERN",
        "001",
        "11357(A) HS-POSSESS CONCENTRATED CANNABIS",
        "CONCENTRATE",
        "F",
        "CONVICTED",
        "FELONY",
    )
    step(
        p,
        "20010101",
        "20010301",
        "COURT",
        "KERN",
        "001",
        "182(A)(1) PC/11359 HS",
        "CONSPIRACY",
        "F",
        "CONVICTED",
        "FELONY",
    )
    # Missing date of birth on an 11357(b) count → review (age decides dismiss vs reduce).
    p = person()
    step(
        p,
        "20060606",
        "20060909",
        "COURT",
        "KERN",
        "001",
        "11357(B) HS-POSSESS MARIJUANA",
        "POSSESS",
        "M",
        "CONVICTED",
        "MISDEMEANOR",
        dob=False,
    )
    # Name collision: same name and DOB, different CII → two people, never merged.
    twin_dob = _d("1974-04-04")
    for cycle in ("20000404", "20020404"):
        p = person(dob=twin_dob, last="García", first="María")
        step(
            p,
            cycle,
            cycle[:4] + "0909",
            "COURT",
            "KERN",
            "001",
            "11357(B) HS-POSSESS MARIJUANA",
            "POSSESS",
            "M",
            "CONVICTED",
            "MISDEMEANOR",
        )
    # Non-convictions: dismissed, acquitted, prosecution rejected.
    p = person(dob=_d("1983-03-13"))
    step(
        p,
        "20080808",
        "20081010",
        "COURT",
        "KERN",
        "001",
        "11359 HS",
        "POSS FOR SALE",
        "F",
        "DISMISSED",
        "",
    )
    step(
        p,
        "20090808",
        "20091010",
        "COURT",
        "KERN",
        "001",
        "11360(A) HS",
        "SELL",
        "F",
        "ACQUITTED",
        "",
    )
    step(
        p,
        "20100808",
        "20100810",
        "COURT",
        "KERN",
        "001",
        "11357(B) HS",
        "POSSESS",
        "M",
        "PROSECUTION REJECTED",
        "",
    )
    # Filler: ordinary convictions across counties.
    rng = random.Random(11)
    codes = [
        ("11357(B) HS-POSSESS MARIJUANA", "M", "MISDEMEANOR"),
        ("11359 HS-POSSESS MARIJUANA FOR SALE", "F", "FELONY"),
        ("11358 HS-CULTIVATE MARIJUANA", "F", "FELONY"),
        ("11360(A) HS-TRANSPORT MARIJUANA", "F", "FELONY"),
        ("11360(B) HS-GIVE AWAY <28.5 GRAMS", "M", "MISDEMEANOR"),
        ("23152(A) VC-DUI", "M", "MISDEMEANOR"),
    ]
    for _ in range(28):
        p = person()
        year = rng.randint(1985, 2015)
        code, toc, conv = rng.choice(codes)
        cycle = f"{year}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        step(
            p,
            cycle,
            f"{year}{12:02d}{rng.randint(1, 28):02d}",
            "COURT",
            rng.choice(["KERN", "KERN", "TULARE", "KINGS"]),
            "001",
            code,
            code.split("-", 1)[-1],
            toc,
            "CONVICTED",
            conv,
        )
    return s


# -- 2. Los Angeles court export (ca-prop64-la-2020) -------------------------------------------------------

COURT_HEADERS = [
    "Case Number",
    "Count",
    "Defendant Last Name",
    "Defendant First Name",
    "Defendant Middle Name",
    "DOB",
    "CII",
    "Sex",
    "Race",
    "Court Location",
    "County",
    "Filing Date",
    "Offense Date",
    "Charge",
    "Charge Description",
    "Charge Level",
    "Disposition",
    "Disposition Date",
    "Sentence",
]


def la_court() -> Sample:
    people = People(2, "A{:07d}")
    s = Sample(
        "la_court_export.xlsx",
        "CMS Export",
        COURT_HEADERS,
        titles=[
            "Superior Court of California, County of Los Angeles",
            "Criminal case-management export — cannabis charges",
            "",
        ],
        policy="ca-prop64-la-2020",
    )
    case_no = iter(range(10001, 99999))

    def case(
        p: dict[str, Any],
        counts: list[tuple[str, str, str, str]],
        filed: str,
        disposed: str,
        county: str = "LOS ANGELES",
        court: str = "Clara Shortridge Foltz Criminal Justice Center",
        dob: bool = True,
    ) -> None:
        number = f"BA{next(case_no):06d}"
        for i, (code, descr, level, disp) in enumerate(counts, 1):
            s.rows.append(
                [
                    number,
                    i,
                    p["last"].upper(),
                    p["first"].upper(),
                    "",
                    p["dob"] if dob else None,
                    p["key"],
                    random.Random(number).choice(["M", "F"]),
                    "",
                    court,
                    county,
                    _d(filed),
                    _d(filed) - dt.timedelta(days=3),
                    code,
                    descr,
                    level,
                    disp,
                    _d(disposed),
                    "PROBATION 36 MONTHS",
                ]
            )

    # Age 50+ on 2020-02-11 → dismiss (felony sale).
    case(
        people.new(dob=_d("1962-05-01")),
        [("HS 11359", "POSSESS MARIJUANA FOR SALE", "F", "CONVICTED")],
        "1999-04-01",
        "1999-08-01",
    )
    # Under 21 at conviction → dismiss; exactly 21 → review.
    case(
        people.new(dob=_d("1985-06-01")),
        [("HS 11360(A)", "TRANSPORT MARIJUANA", "F", "CONVICTED")],
        "2005-01-10",
        "2005-03-01",
    )
    case(
        people.new(dob=_d("1984-01-15")),
        [("HS 11360(A)", "TRANSPORT MARIJUANA", "F", "CONVICTED")],
        "2005-03-10",
        "2005-06-01",
    )
    # Possession (a)/(b) → dismiss; unknown 11357 subsection → review.
    case(
        people.new(dob=_d("1975-02-02")),
        [("HS 11357(B)", "POSSESS 28.5 GRAMS OR LESS", "M", "CONVICTED")],
        "2008-02-01",
        "2008-03-01",
    )
    case(
        people.new(dob=_d("1975-03-03")),
        [("HS 11357(A)", "POSSESS CONCENTRATED CANNABIS", "F", "CONVICTED")],
        "2008-02-01",
        "2008-03-01",
    )
    case(
        people.new(dob=_d("1975-04-04")),
        [("HS 11357", "POSSESS MARIJUANA", "M", "CONVICTED")],
        "2008-02-01",
        "2008-03-01",
    )
    # Same case has an 11361 count (using a minor) → case-level exclusion, review; 11379.6 alone → not eligible.
    case(
        people.new(dob=_d("1979-07-07")),
        [
            ("HS 11360(A)", "SELL MARIJUANA", "F", "CONVICTED"),
            ("HS 11361(A)", "EMPLOY MINOR TO SELL", "F", "CONVICTED"),
        ],
        "2003-01-01",
        "2003-05-01",
    )
    case(
        people.new(dob=_d("1979-08-08")),
        [("HS 11379.6(A)", "MANUFACTURE CONCENTRATE", "F", "CONVICTED")],
        "2012-01-01",
        "2012-05-01",
    )
    # Prior super strike → not eligible for the felony cannabis count.
    p = people.new(dob=_d("1971-09-09"))
    case(p, [("PC 187(A)", "MURDER", "F", "CONVICTED")], "1990-01-01", "1991-01-01")
    case(p, [("HS 11359", "POSSESS FOR SALE", "F", "CONVICTED")], "2001-01-01", "2001-06-01")
    # Two prior same-section convictions.
    p = people.new(dob=_d("1973-10-10"))
    for year in (1996, 1999, 2004):
        case(
            p,
            [("H&S 11358", "CULTIVATE MARIJUANA", "F", "CONVICTED")],
            f"{year}-01-01",
            f"{year}-06-01",
        )
    # Recent conviction of any kind (within 10 years of 2020-02-11) → no dismissal path; review.
    p = people.new(dob=_d("1980-11-11"))
    case(p, [("HS 11359", "POSSESS FOR SALE", "F", "CONVICTED")], "2006-01-01", "2006-06-01")
    case(p, [("PC 459", "BURGLARY", "F", "CONVICTED")], "2015-01-01", "2015-06-01")
    # Only misdemeanors in the last ten years → review.
    p = people.new(dob=_d("1981-12-12"))
    case(
        p, [("HS 11360(A)(1)", "TRANSPORT MARIJUANA", "F", "CONVICTED")], "2004-01-01", "2004-06-01"
    )
    case(p, [("VC 23152(A)", "DUI", "M", "CONVICTED")], "2014-01-01", "2014-06-01")
    # Out of the county's territory → not eligible under the LA policy.
    case(
        people.new(dob=_d("1970-01-20")),
        [("HS 11359", "POSSESS FOR SALE", "F", "CONVICTED")],
        "2002-01-01",
        "2002-06-01",
        county="ORANGE",
        court="Central Justice Center",
    )
    # Prop 64 cutoff on both sides; a missing DOB.
    case(
        people.new(dob=_d("1986-02-02")),
        [("HS 11359", "POSSESS FOR SALE", "F", "CONVICTED")],
        "2016-09-01",
        "2017-02-01",
    )
    case(
        people.new(dob=_d("1986-03-03")),
        [("HS 11359(B)", "POSSESS FOR SALE", "M", "CONVICTED")],
        "2017-09-01",
        "2017-12-01",
    )
    case(
        people.new(),
        [("HS 11360(A)", "TRANSPORT MARIJUANA", "F", "CONVICTED")],
        "2000-09-01",
        "2000-12-01",
        dob=False,
    )
    # Name collision: same name and DOB, different CII numbers.
    for _ in range(2):
        case(
            people.new(dob=_d("1977-07-17"), last="Nguyễn", first="Văn An"),
            [("HS 11357(B)", "POSSESS", "M", "CONVICTED")],
            "2009-01-01",
            "2009-02-01",
        )
    # Dismissed and acquitted counts are not relief targets.
    case(
        people.new(dob=_d("1972-02-22")),
        [
            ("HS 11359", "POSSESS FOR SALE", "F", "DISMISSED"),
            ("HS 11357(B)", "POSSESS", "M", "CONVICTED"),
        ],
        "2001-01-01",
        "2001-02-01",
    )
    rng = random.Random(22)
    for _ in range(30):
        year = rng.randint(1988, 2015)
        code = rng.choice(
            [
                ("HS 11357(B)", "POSSESS", "M"),
                ("HS 11359", "POSSESS FOR SALE", "F"),
                ("HS 11358", "CULTIVATE", "F"),
                ("HS 11360(A)", "TRANSPORT", "F"),
            ]
        )
        case(
            people.new(),
            [(code[0], code[1], code[2], "CONVICTED")],
            f"{year}-03-01",
            f"{year}-09-15",
        )
    return s


# -- 3. Manhattan warrants (ny-manhattan-2018) ----------------------------------------------------------------


def manhattan() -> Sample:
    people = People(3, "{:08d}L")
    headers = [
        "Docket #",
        "NYSID",
        "Defendant Name",
        "DOB",
        "Arrest Date",
        "Charge",
        "Charge Class",
        "County",
        "Case Status",
        "Disposition",
        "Disp Date",
    ]
    s = Sample(
        "manhattan_warrants.xlsx",
        "Warrants",
        headers,
        titles=["New York County Criminal Court — open bench warrants"],
        policy="ny-manhattan-2018",
    )
    dockets = iter(range(1, 9999))

    def case(
        p: dict[str, Any],
        counts: list[tuple[str, str]],
        arrest: str,
        status: str,
        disp: str,
        disp_date: str = "",
        county: str = "NEW YORK",
    ) -> None:
        number = f"{arrest[:4]}NY{next(dockets):06d}"
        for code, cls in counts:
            s.rows.append(
                [
                    number,
                    p["key"],
                    f"{p['last'].upper()}, {p['first'].upper()}",
                    _us(p["dob"]),
                    _us(_d(arrest)),
                    code,
                    cls,
                    county,
                    status,
                    disp,
                    disp_date,
                ]
            )

    case(people.new(), [("PL 221.10 01", "BM")], "1995-05-05", "OPEN", "BENCH WARRANT")
    case(people.new(), [("PL 2210500", "V")], "2001-06-06", "WARRANT", "WARRANT ISSUED")
    case(people.new(), [("221.05 00 V", "V")], "1988-01-01", "OPEN", "WARRANT")
    case(
        people.new(), [("PL 221.10 02", "BM")], "2005-02-02", "OPEN", "BENCH WARRANT"
    )  # subdivision 2: review
    case(
        people.new(), [("PL 221.05", "V")], "2003-03-03", "CLOSED", "CONVICTED", "04/04/2003"
    )  # a conviction: not covered
    case(
        people.new(),
        [("PL 221.10 01", "BM"), ("PL 221.40", "AM")],
        "2007-07-07",
        "OPEN",
        "BENCH WARRANT",
    )  # sale in the case
    p = people.new()
    case(p, [("PL 221.10 01", "BM")], "2009-09-09", "OPEN", "BENCH WARRANT")
    case(p, [("PL 160.15 04", "BF")], "2012-12-12", "OPEN", "BENCH WARRANT")  # another open felony
    case(
        people.new(),
        [("PL 221.10 01", "BM")],
        "2010-10-10",
        "OPEN",
        "BENCH WARRANT",
        county="KINGS",
    )  # not Manhattan
    case(
        people.new(), [("PL 221.05", "V")], "2019-01-10", "OPEN", "BENCH WARRANT"
    )  # after the policy start
    case(people.new(), [("PL 221.10 01", "BM")], "2000-01-01", "CLOSED", "DISMISSED", "02/02/2000")
    for _ in range(2):
        case(
            people.new(dob=_d("1969-06-16"), last="Brennan", first="Siobhán"),
            [("PL 221.10 01", "BM")],
            "1999-04-04",
            "OPEN",
            "BENCH WARRANT",
        )
    case(people.new(dob=None), [("PL 221.05", "V")], "1996-01-01", "OPEN", "BENCH WARRANT")
    s.rows[-1][3] = ""  # no DOB
    rng = random.Random(33)
    for _ in range(28):
        year = rng.randint(1980, 2017)
        case(
            people.new(),
            [(rng.choice(["PL 221.10 01", "PL 221.05", "PL 2211001"]), rng.choice(["BM", "V"]))],
            f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "OPEN",
            "BENCH WARRANT",
        )
    return s


# -- 4. Brooklyn convictions (ny-brooklyn-2018) ----------------------------------------------------------------


def brooklyn() -> Sample:
    people = People(4, "{:07d}K")
    headers = [
        "Docket No",
        "NYSID",
        "Last Name",
        "First Name",
        "DOB",
        "County",
        "Arrest Date",
        "Charge",
        "Class",
        "Disposition",
        "Disp Date",
    ]
    s = Sample("brooklyn_convictions.xlsx", "Convictions", headers, policy="ny-brooklyn-2018")
    dockets = iter(range(1, 9999))

    def case(
        p: dict[str, Any],
        counts: list[tuple[str, str, str]],
        arrest: str,
        disp_date: str,
        county: str = "KINGS",
    ) -> None:
        number = f"{arrest[:4]}KN{next(dockets):06d}"
        for code, cls, disp in counts:
            s.rows.append(
                [
                    number,
                    p["key"],
                    p["last"],
                    p["first"],
                    p["dob"],
                    county,
                    _d(arrest),
                    code,
                    cls,
                    disp,
                    _d(disp_date),
                ]
            )

    case(people.new(), [("PL 221.05", "V", "GUILTY")], "1995-01-01", "1995-02-01")
    case(people.new(), [("PL 221.10 01", "BM", "PLEAD GUILTY")], "2002-01-01", "2002-03-01")
    case(people.new(), [("PL 221.15", "AM", "CONVICTED")], "2008-01-01", "2008-04-01")
    p = people.new()
    case(p, [("PL 130.35 01", "BF", "CONVICTED")], "1990-01-01", "1991-01-01")  # sex offense
    case(p, [("PL 221.10 01", "BM", "CONVICTED")], "2000-01-01", "2000-02-01")
    p = people.new()
    case(
        p, [("PL 120.10 01", "BF", "CONVICTED")], "1992-01-01", "1993-01-01"
    )  # violent felony: review
    case(p, [("PL 221.05", "V", "CONVICTED")], "2004-01-01", "2004-02-01")
    case(people.new(), [("PL 221.40", "AM", "CONVICTED")], "2006-01-01", "2006-02-01")  # sale
    case(
        people.new(), [("PL 221.05", "V", "CONVICTED")], "2007-01-01", "2007-02-01", county="QUEENS"
    )  # not Kings
    case(people.new(), [("PL 221.10 01", "BM", "DISMISSED")], "2010-01-01", "2010-02-01")
    case(people.new(), [("PL 221.05", "V", "ACD")], "2011-01-01", "2011-02-01")
    for _ in range(2):
        case(
            people.new(dob=_d("1971-01-21"), last="Okafor", first="Kwame"),
            [("PL 221.10 01", "BM", "CONVICTED")],
            "2001-05-05",
            "2001-06-06",
        )
    rng = random.Random(44)
    for _ in range(30):
        year = rng.randint(1990, 2017)
        case(
            people.new(),
            [(rng.choice(["PL 221.05", "PL 221.10 01", "PL 221.15"]), "BM", "CONVICTED")],
            f"{year}-05-01",
            f"{year}-08-01",
        )
    return s


# -- 5. New York statewide (ny-mrta-2021) ----------------------------------------------------------------------


def ny_state() -> Sample:
    people = People(5, "{:08d}Q")
    headers = [
        "CASE_NUMBER",
        "NYSID",
        "DEFENDANT_NAME",
        "DOB",
        "COUNTY",
        "ARREST_DATE",
        "CHARGE",
        "CHARGE_DESC",
        "CLASS",
        "DISPOSITION",
        "DISPOSITION_DATE",
    ]
    s = Sample("ny_statewide.xlsx", "Dispositions", headers, policy="ny-mrta-2021")
    numbers = iter(range(1, 99999))
    rng = random.Random(55)

    def count(
        code: str,
        desc: str,
        cls: str,
        disp: str = "CONVICTED",
        date: str | None = None,
        county: str | None = None,
        p: dict[str, Any] | None = None,
    ) -> None:
        p = p or people.new()
        day = (
            _d(date)
            if date
            else dt.date(rng.randint(1985, 2020), rng.randint(1, 12), rng.randint(1, 28))
        )
        s.rows.append(
            [
                f"IND-{next(numbers):05d}-{day.year}",
                p["key"],
                f"{p['last'].upper()}, {p['first'].upper()}",
                _ymd(p["dob"]),
                county or rng.choice(["ALBANY", "ERIE", "MONROE", "ONONDAGA", "NEW YORK", "KINGS"]),
                _ymd(day - dt.timedelta(days=40)),
                code,
                desc,
                cls,
                disp,
                _ymd(day),
            ]
        )

    for code, desc, cls in [
        ("PL 221.05", "UNLAWFUL POSS MARIHUANA", "V"),
        ("PL 221.10 01", "CRIM POSS MARIHUANA 5TH", "BM"),
        ("PL 221.15", "CRIM POSS MARIHUANA 4TH", "AM"),
        ("PL 221.35", "CRIM SALE MARIHUANA 5TH", "BM"),
        ("PL 221.40", "CRIM SALE MARIHUANA 4TH", "AM"),
    ]:
        count(code, desc, cls)
        count(code, desc, cls, date="2005-05-05")
    count("PL 221.20", "CRIM POSS MARIHUANA 3RD", "EF")  # review
    for code, cls in [
        ("PL 221.25", "DF"),
        ("PL 221.30", "CF"),
        ("PL 221.45", "EF"),
        ("PL 221.50", "DF"),
        ("PL 221.55", "CF"),
    ]:
        count(code, "MARIHUANA FELONY", cls)  # petition route only
    count("PL 220.03", "CRIM POSS CONTROLLED SUBSTANCE 7TH", "AM")  # hashish-only: review
    count("PL 220.06 01", "CRIM POSS CONTROLLED SUBSTANCE 5TH", "DF")
    count("PL 240.36", "LOITERING 1ST", "BM")
    count(
        "PL 221.05", "UNLAWFUL POSS MARIHUANA", "V", date="2021-06-01"
    )  # after MRTA: data error, review
    count("PL 155.25", "PETIT LARCENY", "AM")
    count("PL 221.10 01", "CRIM POSS MARIHUANA 5TH", "BM", disp="DISMISSED")
    for _ in range(2):
        twin = people.new(dob=_d("1983-03-23"), last="Santos", first="Rafael")
        count("PL 221.10 01", "CRIM POSS MARIHUANA 5TH", "BM", p=twin)
    nodob = people.new()
    nodob["dob"] = None
    count("PL 221.05", "UNLAWFUL POSS MARIHUANA", "V", p=nodob)
    for _ in range(30):
        count(
            rng.choice(["PL 221.05", "PL 2211001", "221.15 00 AM"]),
            "MARIHUANA",
            rng.choice(["V", "BM", "AM"]),
            date=f"{rng.randint(1985, 2020)}-06-15",
        )
    return s


# -- 6. Baltimore City (md-baltimore-2019) ------------------------------------------------------------------------

MD_HEADERS = [
    "Case Number",
    "Court System",
    "Court Location",
    "Defendant Name",
    "DOB",
    "Charge No",
    "Statute",
    "Charge Description",
    "Disposition",
    "Disposition Date",
]


def baltimore() -> Sample:
    people = People(6, "MD{:07d}")
    s = Sample(
        "baltimore_city.xlsx",
        "Case Search",
        MD_HEADERS,
        titles=["Maryland Judiciary Case Search — export"],
        policy="md-baltimore-2019",
    )
    numbers = iter(range(1, 99999))

    def case(
        p: dict[str, Any],
        counts: list[tuple[str, str, str]],
        date: str,
        location: str = "BALTIMORE CITY",
        system: str = "DISTRICT COURT",
    ) -> None:
        number = f"{'6B' if system.startswith('DISTRICT') else '81'}{next(numbers):08d}"
        for i, (statute, desc, disp) in enumerate(counts, 1):
            s.rows.append(
                [
                    number,
                    system,
                    location,
                    f"{p['last']}, {p['first']}",
                    _us(p["dob"]),
                    i,
                    statute,
                    desc,
                    disp,
                    _us(_d(date)),
                ]
            )

    case(people.new(), [("CR.5.601.(a)(1)", "CDS:POSSESS-MARIJUANA", "GUILTY")], "2015-05-05")
    case(
        people.new(),
        [("CR 5-601(a)(1)", "CDS POSSESS-MARIJUANA", "GUILTY")],
        "2012-02-02",
        system="CIRCUIT COURT",
    )
    case(
        people.new(), [("CR.5.601.(a)(1)", "CDS:POSSESS-NOT MARIHUANA", "GUILTY")], "2014-04-04"
    )  # not marijuana
    case(people.new(), [("CR.5.602", "CDS:DIST-MARIJUANA", "GUILTY")], "2013-03-03")  # distribution
    case(
        people.new(), [("CR.5.601.(a)(1)", "CDS:POSSESS-MARIJUANA", "GUILTY")], "2010-10-10"
    )  # before 2011
    case(
        people.new(), [("CR.5.601.(a)(1)", "CDS:POSSESS-MARIJUANA", "GUILTY")], "2019-03-01"
    )  # after the policy
    case(
        people.new(),
        [("CR.5.601.(a)(1)", "CDS:POSSESS-MARIJUANA", "GUILTY")],
        "2016-06-06",
        location="BALTIMORE COUNTY",
    )
    case(
        people.new(),
        [
            ("CR.5.601.(a)(1)", "CDS:POSSESS-MARIJUANA", "GUILTY"),
            ("TR.21.801.1", "EXCEEDING SPEED LIMIT", "GUILTY"),
        ],
        "2017-07-07",
    )
    case(
        people.new(),
        [("CR.5.601.(c)(2)(ii)", "CDS:POSSESS MARIJUANA LESS THAN 10 G", "CIVIL CITATION")],
        "2016-01-01",
    )
    case(
        people.new(), [("CR.5.601.(a)(1)", "CDS:POSSESS-MARIJUANA", "NOLLE PROSEQUI")], "2013-01-01"
    )
    case(people.new(), [("CR.5.601.(a)(1)", "CDS:POSSESS-MARIJUANA", "STET")], "2013-01-02")
    case(
        people.new(),
        [("CR.5.601.(a)(1)", "CDS:POSSESS-MARIJUANA", "PROBATION BEFORE JUDGMENT")],
        "2013-01-03",
    )
    for _ in range(2):
        case(
            people.new(dob=_d("1976-07-27"), last="Washington", first="Darnell"),
            [("CR.5.601.(a)(1)", "CDS:POSSESS-MARIJUANA", "GUILTY")],
            "2014-09-09",
        )
    rng = random.Random(66)
    for _ in range(30):
        case(
            people.new(),
            [
                (
                    rng.choice(["CR.5.601.(a)(1)", "CR 5-601(a)(1)"]),
                    rng.choice(["CDS:POSSESS-MARIJUANA", "CDS POSSESS-MARIJUANA"]),
                    "GUILTY",
                )
            ],
            f"{rng.randint(2011, 2018)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        )
    return s


# -- 7. Maryland statewide (md-2022-auto-expunge) -------------------------------------------------------------------


def maryland() -> Sample:
    people = People(7, "MS{:07d}")
    headers = [
        "CaseNumber",
        "County",
        "DefendantName",
        "DOB",
        "ChargeSeq",
        "StatuteCode",
        "ChargeDescription",
        "Disposition",
        "DispositionDate",
    ]
    s = Sample("maryland_statewide.xlsx", "Statewide", headers, policy="md-2022-auto-expunge")
    numbers = iter(range(1, 99999))
    rng = random.Random(77)

    def case(counts: list[tuple[str, str, str]], date: str, county: str | None = None) -> None:
        p = people.new()
        number = f"D-{rng.randint(10, 99)}-CR-{next(numbers):06d}"
        for i, (statute, desc, disp) in enumerate(counts, 1):
            s.rows.append(
                [
                    number,
                    county
                    or rng.choice(
                        [
                            "MONTGOMERY",
                            "PRINCE GEORGE'S",
                            "ANNE ARUNDEL",
                            "BALTIMORE CITY",
                            "FREDERICK",
                        ]
                    ),
                    f"{p['last'].upper()}, {p['first'].upper()}",
                    _d(p["dob"].isoformat()),
                    i,
                    statute,
                    desc,
                    disp,
                    _d(date),
                ]
            )

    case(
        [("CR.5.601.(a)(1)", "CDS:POSSESS-MARIJUANA", "GUILTY")], "2012-05-05"
    )  # only charge: expunge
    case(
        [("CR.5.601.(a)(1)", "CDS:POSSESS-MARIJUANA", "GUILTY")], "2023-06-30"
    )  # day before the cutoff
    case(
        [("CR.5.601.(a)(1)", "CDS:POSSESS-MARIJUANA", "GUILTY")], "2023-07-01"
    )  # on the cutoff: not eligible
    case(
        [
            ("CR.5.601.(a)(1)", "CDS:POSSESS-MARIJUANA", "GUILTY"),
            ("CR.5.620", "CDS:PARAPHERNALIA", "GUILTY"),
        ],
        "2015-01-01",
    )  # multi-charge
    case([("ART 27 287", "CDS POSSESS MARIJUANA", "GUILTY")], "1999-01-01")  # pre-2002 code: review
    case([("CR.5.601.(a)(1)", "CDS:POSSESS-NOT MARIHUANA", "GUILTY")], "2016-01-01")
    case([("CR.5.602", "CDS:PWID-MARIJUANA", "GUILTY")], "2016-02-01")
    for _ in range(35):
        case(
            [
                (
                    "CR.5.601.(a)(1)",
                    "CDS:POSSESS-MARIJUANA",
                    rng.choice(["GUILTY", "GUILTY", "GUILTY", "NOLLE PROSEQUI"]),
                )
            ],
            f"{rng.randint(2003, 2023)}-{rng.randint(1, 6):02d}-{rng.randint(1, 28):02d}",
        )
    return s


# -- 8. Seattle Municipal Court (wa-seattle-2018) -------------------------------------------------------------------


def seattle() -> Sample:
    people = People(8, "WA{:07d}")
    headers = [
        "Case Number",
        "Court",
        "Defendant",
        "DOB",
        "Violation Date",
        "Charge",
        "Charge Description",
        "Finding",
        "Finding Date",
    ]
    s = Sample(
        "seattle_municipal.xlsx",
        "SMC",
        headers,
        titles=["Seattle Municipal Court", "Marijuana possession cases 1996-2012"],
        policy="wa-seattle-2018",
    )
    numbers = iter(range(100000, 999999))

    def case(
        code: str,
        desc: str,
        finding: str,
        date: str,
        court: str = "SEATTLE MUNICIPAL COURT",
        dob: dt.date | None = None,
    ) -> None:
        p = people.new(dob=dob)
        day = _d(date)
        s.rows.append(
            [
                str(next(numbers)),
                court,
                f"{p['last']}, {p['first']}",
                p["dob"],
                day - dt.timedelta(days=60),
                code,
                desc,
                finding,
                day,
            ]
        )

    case("RCW 69.50.4014", "POSS MARIJUANA 40 GRAMS OR LESS", "GUILTY", "2005-05-05")
    case("69.50.401(E)", "POSSESS MARIJUANA", "GUILTY", "1998-03-03")
    case("RCW 69.50.401(e)", "POSSESS MARIJUANA", "GUILTY", "1996-01-15")
    case("RCW 69.50.4014", "POSS MARIJUANA 40 GRAMS OR LESS", "GUILTY", "2011-02-02")  # after 2010
    case("RCW 69.50.4014", "POSS MARIJUANA 40 GRAMS OR LESS", "GUILTY", "1995-12-01")  # before 1996
    case(
        "RCW 69.50.4014",
        "POSS MARIJUANA 40 GRAMS OR LESS",
        "GUILTY",
        "2006-06-06",
        court="KING COUNTY DISTRICT COURT",
    )
    case("RCW 69.50.412", "USE DRUG PARAPHERNALIA", "GUILTY", "2004-04-04")
    case(
        "RCW 69.50.4014",
        "POSS MARIJUANA 40 GRAMS OR LESS",
        "GUILTY",
        "2007-07-07",
        dob=_d("1988-01-01"),
    )  # under 21
    case("RCW 69.50.4014", "POSS MARIJUANA 40 GRAMS OR LESS", "DISMISSED", "2008-08-08")
    case(
        "RCW 69.50.4014",
        "POSS MARIJUANA 40 GRAMS OR LESS",
        "GUILTY",
        "2009-09-09",
        dob=_d("1970-10-10"),
    )
    s.rows[-1][3] = None  # missing DOB
    rng = random.Random(88)
    for _ in range(32):
        case(
            rng.choice(["RCW 69.50.4014", "69.50.401(E)"]),
            "POSSESS MARIJUANA",
            "GUILTY",
            f"{rng.randint(1996, 2010)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        )
    return s


# -- 9. A deliberately messy county export (ca-prop64-state) --------------------------------------------------------

MESSY_HEADERS = [
    "Case\u00a0No",
    " Defendant Name ",
    "DOB",
    "Person ID",
    "Charge",
    "Desc",
    "Level",
    "Disposition",
    "Disp Date",
    "Filing Date",
    "County",
    "",
    "Notes",
    "Notes",
]


def messy() -> Sample:
    s = Sample(
        "messy_county_export.xlsx",
        "Export",
        MESSY_HEADERS,
        titles=["KERN COUNTY DA — CANNABIS CASES (DRAFT)", "exported by: records unit"],
        policy="ca-prop64-state",
        hidden_sheets=[("Lookup", "hidden"), ("Old codes", "very hidden")],
    )
    r = s.rows

    def add(*cells: Any) -> None:
        r.append(list(cells) + [None] * (len(MESSY_HEADERS) - len(cells)))

    add(
        "KC-0001",
        "Núñez, José",
        "1971-02-03",
        "000123",
        "11357(B) HS",
        "POSSESS MJ",
        "M",
        "CONVICTED",
        "03/04/1999",
        "02/01/1999",
        "KERN",
    )
    add(
        "KC-0002",
        "O'BRIEN, MARY",
        "19650707",
        "000124",
        "HS 11359",
        "POSS FOR SALE",
        "Fel",
        "Convicted",
        "2004-05-06",
        "2004-01-01",
        "KERN",
    )
    add(
        "KC-0003",
        "Nguyễn, Văn An",
        dt.datetime(1980, 8, 9),
        "000125",
        "H&S 11360(a)(1)",
        "TRANSPORT",
        "F",
        "GUILTY",
        38000,
        None,
        "KERN",
    )  # Excel serial
    add(
        "KC-0004",
        "SMITH,\u00a0JOHN\u200b",
        "1/2/1970",
        "000126",
        "11358 HS",
        "CULTIVATE",
        "felony",
        "PLEA GUILTY",
        "7/8/2005",
        "",
        "Kern",
    )  # NBSP, zero-width
    add(
        "KC-0005",
        "GARCIA, ANA",
        "1/2/70",
        "000127",
        "11357(B) HS",
        "POSSESS",
        "M",
        "CONVICTED",
        "1/2/99",
        "",
        "KERN",
    )  # two-digit years
    add(
        "KC-0006",
        "LEE, KIM",
        "02/30/1990",
        "000128",
        "11357(B) HS",
        "POSSESS",
        "M",
        "CONVICTED",
        "00/00/0000",
        "",
        "KERN",
    )  # impossible dates
    add(
        "KC-0007",
        "PARK, JIN",
        "01/01/2035",
        "000129",
        "11359 HS",
        "POSS FOR SALE",
        "F",
        "CONVICTED",
        "2010-10-10",
        "",
        "KERN",
    )  # future DOB
    add(
        "KC-0008",
        "ROSSI, LUCA",
        "1975-05-05",
        130,
        "11359 HS",
        "POSS FOR SALE",
        "F",
        "CONVICTED",
        "2011-11-11",
        "",
        "KERN",
    )  # ID lost zeros
    add(
        "KC-0009",
        "CHEN, WEI",
        "1975-06-06",
        "1.23457E+11",
        "11359 HS",
        "POSS FOR SALE",
        "F",
        "CONVICTED",
        "2011-11-12",
        "",
        "KERN",
    )  # sci notation
    add(
        "KC-0010",
        "PATEL, PRIYA",
        "1976-07-07",
        "000131",
        "HS 99999",
        "UNKNOWN CODE",
        "M",
        "CONVICTED",
        "2001-01-01",
        "",
        "KERN",
    )  # unknown code
    add(
        "KC-0011",
        "MÜLLER, ANNA",
        "1977-08-08",
        "000132",
        "11357(B) HS",
        "POSSESS",
        "X",
        "DEFERRED ENTRY OF JUDGMENT",
        "2002-02-02",
        "",
        "KERN",
    )
    add(
        "KC-0012",
        "HADDAD, OMAR",
        "1978-09-09",
        "000133",
        "11357(B) HS",
        "POSSESS",
        "M",
        "HELD TO ANSWER??",
        "2003-03-03",
        "",
        "KERN",
    )  # unknown disp
    add(
        "KC-0012",
        "HADDAD, OMAR",
        "1978-09-09",
        "000133",
        "11357(B) HS",
        "POSSESS",
        "M",
        "HELD TO ANSWER??",
        "2003-03-03",
        "",
        "KERN",
    )  # exact duplicate
    add(None, None, None, None, None, None, None, None, None, None, None)  # blank row in the middle
    add(
        "",
        "NO CASE, NUMBER",
        "1979-10-10",
        "000134",
        "11357(B) HS",
        "POSSESS",
        "M",
        "CONVICTED",
        "2004-04-04",
        "",
        "KERN",
    )  # error
    add(
        "KC-0014",
        "",
        "1979-10-10",
        "",
        "11357(B) HS",
        "POSSESS",
        "M",
        "CONVICTED",
        "2004-04-04",
        "",
        "KERN",
    )  # error: nobody
    add(
        "KC-0015",
        '=HYPERLINK("http://example.invalid","click")',
        "1980-01-01",
        "000135",
        "11357(B) HS",
        "POSSESS",
        "M",
        "CONVICTED",
        "2005-05-05",
        "",
        "KERN",
    )
    # No person key: name + DOB proposals, never merges.
    add(
        "KC-0016",
        "IVANOVA, ZOË",
        "1982-02-02",
        "",
        "11357(B) HS",
        "POSSESS",
        "M",
        "CONVICTED",
        "2006-06-06",
        "",
        "KERN",
    )
    add(
        "KC-0017",
        "Ivanova, Zoë",
        "1982-02-02",
        "",
        "11359 HS",
        "POSS FOR SALE",
        "F",
        "CONVICTED",
        "2008-08-08",
        "",
        "KERN",
    )
    add(
        "KC-0018",
        "IVANOVA, ZOË",
        "",
        "",
        "11359 HS",
        "POSS FOR SALE",
        "F",
        "CONVICTED",
        "2009-09-09",
        "",
        "KERN",
    )
    add(
        "KC-0019",
        "SANTOS, TOMÁS",
        "1983-03-03",
        "000136",
        "CONVICTED",
        "POSSESS",
        "M",
        "11357(B) HS",
        "2007-07-07",
        "",
        "KERN",
    )  # swapped columns
    add(
        "KC-0020",
        "YAMAMOTO, MEI",
        "1984-04-04",
        "000137",
        "11357(B) HS",
        "POSSESS",
        "M",
        "CONVICTED - DISMISSED 1203.4",
        "2003-03-03",
        "",
        "KERN",
    )
    add(
        "KC-0021",
        "LINDQVIST, INGRID",
        "March 5, 1960",
        "000138",
        "11360(A) HS",
        "SELL",
        "F",
        "CONVICTED",
        "25/12/2001",
        "",
        "KERN",
    )  # D/M order
    add(
        "KC-0022",
        "DELACROIX, RAFAEL",
        "1961-06-06",
        "000139",
        "11357(B) HS",
        "POSSESS",
        "M",
        "CONVICTED",
        "2000-06-06T00:00:00",
        "",
        "KERN",
    )
    add(
        "KC-0023",
        "MBEKI, KWAME",
        "1962-07-07",
        "000140",
        "11357(B) HS",
        "POSSESS",
        "M",
        "CONVICTED",
        "2001-07-07",
        "",
        "FRESNO",
    )  # other county
    rng = random.Random(99)
    for i in range(24, 60):
        p = f"{rng.choice(LAST).upper()}, {rng.choice(FIRST).upper()}"
        year = rng.randint(1990, 2015)
        date_cell: Any = rng.choice(
            [f"{year}-03-03", f"3/3/{year}", f"{year}0303", dt.datetime(year, 3, 3)]
        )
        add(
            f"KC-{i:04d}",
            p,
            f"19{rng.randint(50, 89)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
            f"{i + 100000:06d}",
            rng.choice(["11357(B) HS", "HS 11359", "11360(A)HS", "11358 HS"]),
            "",
            rng.choice(["M", "F", "MISD", "FEL"]),
            "CONVICTED",
            date_cell,
            "",
            "KERN",
        )
    return s


SAMPLES: tuple[Callable[[], Sample], ...] = (
    ca_doj,
    la_court,
    manhattan,
    brooklyn,
    ny_state,
    baltimore,
    maryland,
    seattle,
    messy,
)


def write_sample(sample: Sample, folder: Path) -> Path:
    """Write one workbook with xlsxwriter (real date cells where the sample has dates)."""
    import xlsxwriter

    path = folder / sample.file
    book = xlsxwriter.Workbook(
        str(path),
        {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
    )
    sheet = book.add_worksheet(sample.sheet)
    bold = book.add_format({"bold": True})
    date_format = book.add_format({"num_format": "mm/dd/yyyy"})
    row = 0
    for title in sample.titles:
        if title:
            if row == 0:
                sheet.merge_range(0, 0, 0, 4, title, bold)  # a merged title cell above the header
            else:
                sheet.write_string(row, 0, title)
        row += 1
    for col, header in enumerate(sample.headers):
        sheet.write_string(row, col, header, bold)
    for cells in sample.rows:
        row += 1
        for col, value in enumerate(cells):
            if value is None or value == "":
                continue
            if isinstance(value, dt.datetime | dt.date):
                moment = (
                    value
                    if isinstance(value, dt.datetime)
                    else dt.datetime(value.year, value.month, value.day)
                )
                sheet.write_datetime(row, col, moment, date_format)
            elif isinstance(value, bool):
                sheet.write_boolean(row, col, value)
            elif isinstance(value, int | float):
                sheet.write_number(row, col, value)
            else:
                sheet.write_string(row, col, str(value))
    for name, state in sample.hidden_sheets:
        extra = book.add_worksheet(name)
        extra.write_string(0, 0, "code")
        extra.write_string(1, 0, "11357 HS")
        if state == "hidden":
            extra.hide()
        else:
            extra.very_hidden()
    book.close()
    return path


def write_samples(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [write_sample(make(), folder) for make in SAMPLES]


# -- big synthetic sets for benchmarks ---------------------------------------------------------------------------------

BENCH_HEADERS = [
    "Case Number",
    "Count",
    "Defendant Last Name",
    "Defendant First Name",
    "DOB",
    "CII",
    "Sex",
    "Race",
    "Court Location",
    "County",
    "Filing Date",
    "Charge",
    "Charge Description",
    "Charge Level",
    "Disposition",
    "Disposition Date",
]
_BENCH_CODES = [
    ("HS 11357(B)", "POSSESS 28.5 GRAMS OR LESS", "M"),
    ("HS 11359", "POSSESS FOR SALE", "F"),
    ("HS 11358", "CULTIVATE", "F"),
    ("HS 11360(A)", "TRANSPORT", "F"),
    ("PC 459", "BURGLARY", "F"),
    ("VC 23152(A)", "DUI", "M"),
    ("PC 484(A)", "PETTY THEFT", "M"),
]


def bench_rows(n: int, seed: int = 7) -> Iterator[list[Any]]:
    """``n`` synthetic rows in the court-export layout: about 2.5 counts per person, dates as date objects."""
    rng = random.Random(seed)
    base = dt.date(1985, 1, 1)
    person = 0
    case = 0
    produced = 0
    while produced < n:
        person += 1
        last, first = rng.choice(LAST).upper(), rng.choice(FIRST).upper()
        dob = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randint(0, 20000))
        cii = f"{person:08d}"
        sex, race = rng.choice("MF"), rng.choice(["W", "B", "H", "A", "O"])
        for _ in range(rng.choice((1, 1, 2, 3))):
            case += 1
            filed = base + dt.timedelta(days=rng.randint(0, 11000))
            for count in range(1, rng.choice((1, 1, 2)) + 1):
                code, desc, level = rng.choice(_BENCH_CODES)
                yield [
                    f"BA{case:08d}",
                    count,
                    last,
                    first,
                    dob,
                    cii,
                    sex,
                    race,
                    "Central",
                    "LOS ANGELES",
                    filed,
                    code,
                    desc,
                    level,
                    "CONVICTED",
                    filed + dt.timedelta(days=rng.randint(10, 300)),
                ]
                produced += 1
                if produced >= n:
                    return


def write_bench_csv(path: Path, n: int) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(BENCH_HEADERS)
        for cells in bench_rows(n):
            writer.writerow(
                [c.strftime("%m/%d/%Y") if isinstance(c, dt.date) else c for c in cells]
            )
    return path


def write_bench_xlsx(path: Path, n: int, *, shared_strings: bool = False) -> Path:
    """The benchmark workbook: texts written inline (a streaming writer's way), or with
    ``shared_strings`` into a shared-strings table (Excel's way when a user saves a file)."""
    import xlsxwriter

    book = xlsxwriter.Workbook(
        str(path), {"constant_memory": not shared_strings, "strings_to_numbers": False}
    )
    sheet = book.add_worksheet("Export")
    date_format = book.add_format({"num_format": "mm/dd/yyyy"})
    sheet.write_row(0, 0, BENCH_HEADERS)
    for r, cells in enumerate(bench_rows(n), start=1):
        for c, value in enumerate(cells):
            if isinstance(value, dt.date):
                sheet.write_datetime(
                    r, c, dt.datetime(value.year, value.month, value.day), date_format
                )
            elif isinstance(value, int):
                sheet.write_number(r, c, value)
            else:
                sheet.write_string(r, c, value)
    book.close()
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m app.tools.make_samples",
        description=__doc__.splitlines()[0] if __doc__ else None,
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("sample_workbooks"),
        help="folder to write into (default: sample_workbooks)",
    )
    parser.add_argument(
        "--rows",
        type=int,
        help="instead of the samples, write N synthetic rows as CSV and xlsx (benchmarks)",
    )
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.rows:
        for path in (
            write_bench_csv(args.out / f"synthetic_{args.rows}.csv", args.rows),
            write_bench_xlsx(args.out / f"synthetic_{args.rows}.xlsx", args.rows),
        ):
            print(f"wrote {path} ({path.stat().st_size:,} bytes)")
        return 0
    for path in write_samples(args.out):
        print(f"wrote {path} ({path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
