"""Read raw offense-code strings from any county extract into a normalized :class:`Offense`.

The importer and the eligibility engine both call :func:`parse_offense`. It knows the
spellings of California (DOJ and court), New York (PL, NYPD compact), Maryland (Case Search
``CR.5.601.(a)(1)``, pre-2002 ``Art. 27``) and Washington (RCW) codes. Sections are matched
whole: ``11357.5`` is never ``11357`` and ``11361`` is never ``11360``. Anything it cannot
read comes back with ``recognized=False`` and the raw text kept, so the engine answers
``needs_review`` instead of guessing: a code book it does not know written after the section
(``11358 XYZ``), two different books on one code, or a comment that names several charges.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from app.core.model import Offense

__all__ = ["parse_offense", "normalize_book", "CODE_BOOKS"]

# Maryland Code articles besides Criminal Law (CR), as Case Search abbreviates them:
# Transportation, Criminal Procedure, Public Safety, Health-General, Natural Resources,
# Alcoholic Beverages, Business Regulation, Courts, Family Law, Environment.
_MD_ARTICLES = ("TR", "CP", "PS", "HG", "NR", "AB", "BR", "CJ", "FL", "EN")

# Normalized code books and the spellings that mean them, compared after removing spaces,
# dots and apostrophes, with "AND" read as "&" and a trailing "CODE" dropped
# ("Health and Safety Code" -> "HEALTH&SAFETY" -> "HS").
CODE_BOOKS: dict[str, str] = {
    "HS": "HS",
    "H&S": "HS",
    "HSC": "HS",
    "H&SC": "HS",
    "HEALTH&SAFETY": "HS",
    "PC": "PC",
    "PEN": "PC",
    "PENAL": "PC",
    "VC": "VC",
    "VEH": "VC",
    "VEHICLE": "VC",
    "BP": "BP",
    "B&P": "BP",
    "B&PC": "BP",
    "BUS&PROF": "BP",
    "BUSINESS&PROFESSION": "BP",
    "BUSINESS&PROFESSIONS": "BP",
    "WI": "WI",
    "W&I": "WI",
    "WIC": "WI",
    "W&IC": "WI",
    "WELFARE&INSTITUTION": "WI",
    "WELFARE&INSTITUTIONS": "WI",
    "GC": "GC",
    "GOV": "GC",
    "GOVT": "GC",
    "GOVERNMENT": "GC",
    "FG": "FG",
    "FGC": "FG",
    "F&G": "FG",
    "F&GC": "FG",
    "FISH&GAME": "FG",
    # Other code tags of the California DOJ offense table (Corporations, Education, Food and
    # Agriculture, Financial, Harbors and Navigation, Insurance, Labor, Military and
    # Veterans, Public Resources, Revenue and Taxation, federal, local ordinance): read so
    # that such a prior is known to be outside every cannabis list instead of unreadable.
    "CC": "CC",
    "EC": "EC",
    "FA": "FA",
    "FC": "FC",
    "HN": "HN",
    "IC": "IC",
    "LC": "LC",
    "MV": "MV",
    "PR": "PR",
    "RT": "RT",
    "US": "US",
    "ZZ": "ZZ",
    "PL": "PL",
    "NYPL": "PL",
    "CR": "CR",
    **{article: article for article in _MD_ARTICLES},
    "RCW": "RCW",
    "SMC": "SMC",
    "ART27": "ART27",
}

# New York offense classes as they trail a charge: violation, misdemeanors, felonies.
_NY_CLASSES = r"(?:A-?IF|A-?IIF|A1F|A2F|AF|BF|CF|DF|EF|AM|BM|UM|V|I)"

# Invisible characters that survive copy-paste from court systems.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)

_SUBS = r"(?P<subs>(?:\s*\(\s*[A-Z0-9]{1,4}\s*\))*)"
_SUB_ITEM = re.compile(r"\(\s*([A-Z0-9]{1,4})\s*\)")

# Code-book tag in CA-style codes, spelled out or abbreviated, before or after the section.
# Longer spellings come first so that "HSC" is not read as "HS"+"C" nor "VEHICLE" as "VEH".
_AND = r"\s*(?:AND|&)\s*"
_CODE = r"(?:\s*CODE)?"
_CA_BOOK = (
    r"(?:"
    rf"HEALTH{_AND}SAFETY{_CODE}|PENAL{_CODE}|VEHICLE{_CODE}|GOVERNMENT{_CODE}"
    rf"|BUSINESS{_AND}PROFESSIONS?{_CODE}|BUS{_AND}PROF{_CODE}"
    rf"|WELFARE{_AND}INSTITUTIONS?{_CODE}|FISH{_AND}GAME{_CODE}"
    r"|H\s*&\s*S\s*C(?:ODE)?|H\s*&\s*S|H\s*\.\s*S\s*\.?|HSC|HS"
    r"|PEN\s*CODE|PEN|P\s*\.?\s*C\s*\.?"
    r"|VEH\s*CODE|VEH|V\s*\.?\s*C\s*\.?"
    r"|GOV'?T?\s*CODE|GOV'?T?|G\s*\.?\s*C\s*\.?"
    r"|B\s*&\s*P\s*C(?:ODE)?|B\s*&\s*P|BP"
    r"|W\s*&\s*I\s*C(?:ODE)?|W\s*&\s*I|WIC|WI"
    r"|F\s*&\s*G\s*C(?:ODE)?|F\s*&\s*G|FGC|FG"
    r"|CC|EC|FA|FC|HN|IC|LC|MV|PR|RT|US|ZZ"
    r")"
)

_SEE_COMMENT = re.compile(r"SEE\s+COMMENTS?\b")

# "ATT", "ATTEMPT", "ATTEMPTED" written next to a code: the count is an attempt.
_ATT_WORD = r"(?:ATTEMPTED|ATTEMPTING|ATTEMPTD|ATTEMPT|ATTEMP|ATTMPTD|ATTMPT|ATT)\.?(?![A-Z])"
_ATT_LEAD = re.compile(r"^" + _ATT_WORD + r"[\s\-:,;/]*")
_ATT_TRAIL = re.compile(r"[\s\-:,;/]*\(?\s*" + _ATT_WORD + r"\s*\)?\s*$")
_ATT_AFTER = re.compile(r"[\s\-:,;/]*\(?\s*" + _ATT_WORD + r"\s*\)?")

_ART27 = re.compile(
    r"\bART(?:ICLE)?\s*\.?\s*27\s*[,\-./]?\s*(?:§+|SEC(?:TION)?\s*\.?)?\s*(?P<section>\d{1,3}[A-Z]?)(?![\d.])"
    + _SUBS
)

# Maryland Code articles as Case Search writes them ("CR.5.601.(a)(1)", "TR.21.801.1"):
# Criminal Law anywhere in a code; the other articles only at the start of the code column,
# so that a speeding count in a possession case is read as what it is, not as unreadable.
_MD_CR = re.compile(
    r"\b(?P<book>CR|^(?:" + "|".join(_MD_ARTICLES) + r"))\s*\.?\s*(?P<title>\d{1,2})\s*[.\-]\s*"
    r"(?P<sec>\d{3})(?P<dec>\.\d{1,2})?(?![\d])\s*\.?" + _SUBS
)


# A letter straight after the section is the old subsection: "69.50.401E" = 69.50.401(e).
_RCW = re.compile(
    r"(?:\b(?P<book>RCW|SMC)\s*)?(?<![\d.])(?P<section>\d{1,2}A?\.\d{2}[A-Z]?\.\d{3,4})"
    r"(?P<letter>[A-Z](?![A-Z]))?(?![\d.])" + _SUBS
)

_NY_TAGGED = re.compile(
    r"\b(?:NY\s*)?PL\s*\.?\s*(?:(?P<att>110|664)\s*(?:\.00)?\s*[/\-]\s*(?:PL\s*)?)?"
    r"(?P<art>\d{2,3})\s*\.\s*(?P<sec>\d{2})(?!\d)"
    r"(?:\s*(?P<sub2>\d{2})(?!\d)|\s*\(\s*(?P<subp>\d{1,2})\s*\))?"
    rf"(?:\s*(?P<cls>{_NY_CLASSES})\b)?"
)
_NY_COMPACT = re.compile(
    rf"\b(?:NY\s*)?PL\s*(?P<digits>\d{{5,7}})(?!\d)(?:\s*(?P<cls>{_NY_CLASSES})\b)?"
)
# Untagged NY forms are accepted only with the trailing subdivision or class that marks them.
_NY_UNTAGGED = re.compile(
    r"^(?P<art>\d{3})\.(?P<sec>\d{2})(?:\s+(?P<sub2>\d{2}))?"
    rf"(?:\s+(?P<cls>{_NY_CLASSES}))?\s*$"
)
# Untagged NY attempt: the PL 110.00 prefix marks it ("110.00-221.10", "110/221.10(1)").
_NY_ATTEMPT = re.compile(
    r"(?<![\w.])110(?:\.00)?\s*[/\-]\s*(?:PL\s*)?(?P<art>\d{3})\.(?P<sec>\d{2})(?!\d)"
    r"(?:\s*(?P<sub2>\d{2})(?!\d)|\s*\(\s*(?P<subp>\d{1,2})\s*\))?"
    rf"(?:\s*(?P<cls>{_NY_CLASSES})\b)?"
)

# CA-style: optional book, optional attempt (664) or conspiracy (182) prefix, section,
# subsections, optional book. The 664/182 prefix is recognized with a separator
# ("664/", "664.", "664-") or fused to a section of three or more digits ("66411357"). A
# dot followed by one or two digits is a decimal section instead ("182.5" is PC 182.5).
_CA = re.compile(
    r"(?<![\w.])(?:(?P<book1>" + _CA_BOOK + r")\s*[.\-]?\s*)?"
    r"(?:(?P<pre>664|182)(?:\s*\(\s*[A-Z0-9]\s*\))*\s*(?:" + _CA_BOOK + r")?"
    r"\s*(?:[/\-]|\.(?!\d{1,2}(?!\d)))\s*"
    r"(?:(?P<book_mid>" + _CA_BOOK + r")\s*)?"
    r"|(?P<pre_fused>664(?=\d{3,5}(?!\d))|182(?=113\d\d(?!\d))))?"
    r"(?P<num>\d{1,5})(?P<dec>\.\d{1,2}(?!\d))?(?P<letter>[A-Z](?![A-Z&.]))?(?!\d)"
    + _SUBS
    + r"(?:\s*\.?\s*(?P<book2>"
    + _CA_BOOK
    + r")(?![A-Z]))?"
)
_CA_BOOK_HEAD = re.compile(r"\s*[.\-]?\s*(?P<book>" + _CA_BOOK + r")(?![A-Z])")
# After a bookless five-digit section a lone letter is its subdivision ("11357 B HS"); the
# level markers F, M, I, X (felony, misdemeanor, infraction) are not.
_LONE_SUB = re.compile(r"\s*(?P<sub>[A-E])(?![A-Z&.'])")
_LEVEL_MARK = re.compile(r"\s*[FMIX](?![A-Z&.'])")
_END_OR_SEP = re.compile(r"\s*(?:$|[\-,;:)/])")
_WORD = re.compile(r"\s*(?P<tok>[A-Z][A-Z&.']*)(?P<after>\s*[\-,;:)/]|\s*$)?")
# Words that say "a code book" without naming one ClearSlate knows.
_BOOK_WORDS = frozenset(
    ("CODE", "ORD", "ORDIN", "ORDINANCE", "MUNI", "MUNICIPAL", "STAT", "STATS", "REG", "REGS")
    + ("USC", "CFR", "CCR")
)
_BOOK_WORD_NEAR = re.compile(r"^(?:\s*[A-Z&.']+){0,3}?\s*\b(?:CODE|ORDINANCE|MUNICIPAL)\b")

# Things in comment text that look like numbers but are not codes: dates, quantities,
# durations, money. They are blanked before the comment is searched for codes.
_NOISE = re.compile(
    r"(?<![\w.])(?:"
    r"\d{1,2}[/\-]\d{1,2}[/\-]\d{2,4}"
    r"|\d{4}[/\-]\d{1,2}[/\-]\d{1,2}"
    r"|\$\s*\d[\d,]*(?:\.\d\d)?"
    r"|\d[\d,]*(?:\.\d+)?\s*(?:DAYS?|DYS|YRS?|YEARS?|MOS?|MONTHS?|HRS?|HOURS?|MINS?|G|GMS?|GRAMS?"
    r"|OZ|OUNCES?|LBS?|POUNDS?|KGS?|KILOS?|PLANTS?|COUNTS?|CTS?)"
    r")(?![\w.])"
)
_YEAR = re.compile(r"(?<![\w.$/\-])(?:19|20)\d\d(?![\w.(/\-])")
_BOOK_BEFORE = re.compile(r"(?<![A-Z])" + _CA_BOOK + r"\s*[.\-]?\s*$")

# A NY/MD/WA book written after the section in comment text: "221.10(1) PL".
_SWAP_BOOK = re.compile(
    r"(?<![\w.(])(?P<body>\d[\d.\-]*\d(?:\s*\(\s*[A-Z0-9]{1,4}\s*\))*)(?P<sep>\s+)"
    r"(?P<book>PL|CR|RCW|SMC)(?![A-Z])"
)


class _Unreadable(Exception):
    """The text names a code the parser must not guess at; ``note`` says why."""

    def __init__(self, note: str) -> None:
        super().__init__(note)
        self.note = note


@dataclass(frozen=True, slots=True)
class _Hit:
    """One code found in ``text`` (the text as parsed, after a book was moved) at start..end."""

    offense: Offense
    text: str
    start: int
    end: int


def normalize_book(text: str | None) -> str | None:
    """Map a code-book spelling ("H&S", "P.C.", "Penal Code", "Vehicle") to its normal form, else None."""
    if not text:
        return None
    key = re.sub(r"[\s.']", "", text.upper()).replace("AND", "&")
    book = CODE_BOOKS.get(key)
    if book is None and key.endswith("CODE"):
        book = CODE_BOOKS.get(key[:-4])
    return book


def _clean(text: str | None) -> str:
    if not text:
        return ""
    text = str(text).translate(_INVISIBLE).replace("\u00a0", " ").upper()
    text = text.replace("§", " § ")
    return re.sub(r"\s+", " ", text).strip()


def _subs(text: str | None) -> tuple[str, ...]:
    if not text:
        return ()
    return tuple(s.lower() for s in _SUB_ITEM.findall(text))


def parse_offense(
    raw: str | None, comment: str | None = None, description: str | None = None
) -> Offense:
    """Parse one raw offense code.

    ``comment`` is read when the code says ``SEE COMMENT FOR CHARGE`` (California DOJ);
    ``description`` is read only when the code column is empty or unreadable and the
    description itself carries a tagged code. A comment or description that names more
    than one distinct code is not resolved: the offense comes back unrecognized with a
    note. Never raises on any input.
    """
    raw_text = "" if raw is None else str(raw)
    text = _clean(raw_text)
    try:
        if text and _SEE_COMMENT.search(text):
            return _from_prose(
                raw_text,
                comment,
                tagged_only=False,
                where="comment",
                none_note="code says SEE COMMENT FOR CHARGE but the comment has no readable code",
            )
        parsed = _parse_code(text) if text else None
    except _Unreadable as exc:
        return Offense(raw=raw_text, recognized=False, note=exc.note)
    if parsed is not None:
        return replace(parsed, raw=raw_text)
    if description:
        try:
            found = _from_prose(raw_text, description, tagged_only=True, where="description")
        except _Unreadable as exc:
            return Offense(raw=raw_text, recognized=False, note=exc.note)
        if found.recognized or found.note:  # one code, or several that are not resolved
            return found
    return Offense(
        raw=raw_text,
        recognized=False,
        note="no offense code" if not text else "offense code not recognized",
    )


def _from_prose(
    raw_text: str, prose: str | None, *, tagged_only: bool, where: str, none_note: str = ""
) -> Offense:
    """The one code named in a comment or description; unrecognized when none or several."""
    codes = _codes_in(_clean(prose), tagged_only=tagged_only)
    if not codes:
        return Offense(raw=raw_text, recognized=False, note=none_note)
    distinct: list[Offense] = []
    for off in codes:
        same = next((i for i, d in enumerate(distinct) if _same_code(d, off)), None)
        if same is None:
            distinct.append(off)
        elif distinct[same].code_book is None and off.code_book is not None:
            distinct[same] = off  # keep the spelling that names the book
    if len(distinct) > 1:
        names = ", ".join(o.display for o in distinct)
        return Offense(
            raw=raw_text,
            recognized=False,
            note=f"the {where} names several charges ({names}): check which one the count is for",
        )
    return replace(distinct[0], raw=raw_text, note=f"code read from the {where} text")


def _same_code(a: Offense, b: Offense) -> bool:
    return (
        a.section == b.section
        and a.subsections == b.subsections
        and a.attempt == b.attempt
        and a.conspiracy == b.conspiracy
        and (a.code_book == b.code_book or a.code_book is None or b.code_book is None)
    )


def _codes_in(text: str, *, tagged_only: bool) -> list[Offense]:
    """Every code in free text, in the order found; dates and quantities are not codes."""
    if not text:
        return []
    text = _NOISE.sub(lambda m: " " * len(m.group()), text)
    text = _YEAR.sub(lambda m: _blank_year(m, text), text)
    text = _SWAP_BOOK.sub(lambda m: f"{m['book']}{m['sep']}{m['body']}", text)
    found: list[Offense] = []
    for _ in range(12):  # a comment names a handful of codes at most
        hit = _parse_text(text, search=True, tagged_only=tagged_only)
        if hit is None:
            break
        found.append(hit.offense)
        text = hit.text[: hit.start] + " " * (hit.end - hit.start) + hit.text[hit.end :]
    return found


def _blank_year(m: re.Match[str], text: str) -> str:
    # "IN 2010" is a year; "2000 PC" or "PC 2000" is a section.
    if _CA_BOOK_HEAD.match(text, m.end()) or _BOOK_BEFORE.search(text[: m.start()]):
        return m.group()
    return " " * len(m.group())


def _parse_code(text: str) -> Offense | None:
    """Parse a code column: the code sits at the start, an attempt word may stand around it."""
    attempt = False
    lead = _ATT_LEAD.match(text)
    if lead:
        text, attempt = text[lead.end() :], True
    trail = _ATT_TRAIL.search(text)
    if trail and trail.start() > 0:
        text, attempt = text[: trail.start()], True
    text = text.strip()
    if not text:
        return None
    trailing = _TRAILING_BOOK.match(text)
    if trailing and trailing["body"][0].isdigit():
        # "5-601(a)(1) CR", "221.10(1) PL": the book written after the section.
        text = f"{trailing['book']} {trailing['body']}"
    hit = _parse_text(text, search=False)
    if hit is None:
        return None
    return replace(hit.offense, attempt=True) if attempt else hit.offense


_TRAILING_BOOK = re.compile(
    r"^(?P<body>\S.*?)\s*\b(?P<book>PL|CR|RCW|SMC|ART\s*27|" + "|".join(_MD_ARTICLES) + r")\s*$"
)


def _parse_text(text: str, *, search: bool, tagged_only: bool = False) -> _Hit | None:
    if not text:
        return None
    for parser in (_parse_art27, _parse_md, _parse_rcw, _parse_ny, _parse_ca):
        hit = parser(text, search=search, tagged_only=tagged_only)
        if hit is not None:
            att = _ATT_AFTER.match(text, hit.end)
            if att and not hit.offense.attempt:
                hit = replace(hit, offense=replace(hit.offense, attempt=True), end=att.end())
            return hit
    return None


def _parse_art27(text: str, *, search: bool, tagged_only: bool) -> _Hit | None:
    m = _ART27.search(text)
    if not m:
        return None
    off = Offense(
        raw=text, code_book="ART27", section=m["section"].lower(), subsections=_subs(m["subs"])
    )
    return _Hit(off, text, m.start(), m.end())


def _parse_md(text: str, *, search: bool, tagged_only: bool) -> _Hit | None:
    m = _MD_CR.search(text)
    if not m:
        return None
    if m["book"] != "CR" and search:
        return None
    section = f"{int(m['title'])}-{m['sec']}{m['dec'] or ''}"
    off = Offense(raw=text, code_book=m["book"], section=section, subsections=_subs(m["subs"]))
    return _Hit(off, text, m.start(), m.end())


def _parse_rcw(text: str, *, search: bool, tagged_only: bool) -> _Hit | None:
    m = _RCW.search(text)
    if not m:
        return None
    # Untagged dotted sections are read only at the start of a code column.
    if not m["book"] and (search or tagged_only or m.start() != 0):
        return None
    book = m["book"] or "RCW"
    section, subs = m["section"], _subs(m["subs"])
    if m["letter"]:
        if book == "RCW":
            subs = (m["letter"].lower(), *subs)
        else:
            section += m["letter"]
    off = Offense(raw=text, code_book=book, section=section, subsections=subs)
    return _Hit(off, text, m.start(), m.end())


def _ny(art: str, sec: str, sub: str | None, cls: str | None, attempt: bool) -> Offense:
    subs: tuple[str, ...] = ()
    if sub and int(sub) != 0:  # "00" is NYPD's "no subdivision"
        subs = (str(int(sub)),)
    note = f"class {cls.replace('-', '')}" if cls else ""
    return Offense(
        raw="",
        code_book="PL",
        section=f"{int(art)}.{sec}",
        subsections=subs,
        attempt=attempt,
        note=note,
    )


def _parse_ny(text: str, *, search: bool, tagged_only: bool) -> _Hit | None:
    m = _NY_TAGGED.search(text)
    if m:
        off = _ny(m["art"], m["sec"], m["sub2"] or m["subp"], m["cls"], bool(m["att"]))
        return _Hit(off, text, m.start(), m.end())
    m = _NY_COMPACT.search(text)
    if m:
        digits = m["digits"]
        # NYPD law codes: article (3 digits) + section (2) + subdivision (2), e.g. 2211001.
        if len(digits) == 7:
            art, sec, sub = digits[:3], digits[3:5], digits[5:]
        elif len(digits) == 6:
            art, sec, sub = digits[:2], digits[2:4], digits[4:]
        else:
            art, sec, sub = digits[:3], digits[3:5], None
        return _Hit(_ny(art, sec, sub, m["cls"], False), text, m.start(), m.end())
    if tagged_only:
        return None
    m = _NY_ATTEMPT.search(text) if search else _NY_ATTEMPT.match(text)
    if m:
        off = _ny(m["art"], m["sec"], m["sub2"] or m["subp"], m["cls"], True)
        return _Hit(off, text, m.start(), m.end())
    m = _NY_UNTAGGED.match(text)
    if m and (m["sub2"] or m["cls"]):
        return _Hit(_ny(m["art"], m["sec"], m["sub2"], m["cls"], False), text, 0, m.end())
    return None


def _rest_ok(rest: str, search: bool) -> bool:
    """Whether what follows a CA code is a description or separator, not more code."""
    if not rest or rest[0] in "-:,;" or rest[0].isalpha():
        return True
    if rest[0] == "." and (len(rest) == 1 or rest[1] in " -"):
        return True  # "11359 HS." ends a sentence
    # In prose a code may close a parenthesis or be one of a "/" list ("11357(B)/11360(B)").
    return search and rest[0] in "/)"


def _parse_ca(text: str, *, search: bool, tagged_only: bool) -> _Hit | None:
    # The code sits at the start of a code column (after stray "/" or "-"); in comment
    # or description text it may be anywhere.
    body = text.lstrip("/-.,;: ")
    offset = len(text) - len(body)
    for m in _CA.finditer(body):
        if not search and m.start() != 0:
            return None
        if not _rest_ok(body[m.end() :].strip(), search):
            # "12/03/1990" or "4 3550" in a code column: not a code this parser knows.
            if not search:
                return None
            continue
        has_book = bool(m["book1"] or m["book_mid"] or m["book2"])
        if tagged_only and not has_book:
            continue
        # A bare number inside prose ("2 COUNTS") is not a code: in search mode require
        # a book tag or a section of three or more digits.
        if not has_book and len(m["num"]) < 3:
            if not search:
                return None
            continue
        num = m["num"]
        letter = (m["letter"] or "").lower()
        subs = list(_subs(m["subs"]))
        section = num + (m["dec"] or "")
        if letter:
            # "11357B": on five-digit Health & Safety sections a bare letter is the
            # subdivision; on short Penal Code sections it is part of the section (288a, 653f).
            if len(num) >= 5 and not m["dec"]:
                subs.insert(0, letter)
            else:
                section += letter
        end = m.end()
        tail_book: str | None = None
        if not has_book:
            end, tail_book, lone = _ca_tail(body, end, search=search)
            if lone:
                if len(num) < 5 or m["dec"] or letter or subs:
                    # "288 A": 288a or 288(a)? Not guessed.
                    raise _Unreadable(
                        f"letter {lone!r} after section {section} is not a subdivision ClearSlate can place"
                    )
                subs.insert(0, lone.lower())
        prefix = m["pre"] or m["pre_fused"]
        book = _ca_book(m, prefix, tail_book)
        if (book == "PC" or book is None) and section in ("314.1", "314.2"):
            # PC 314 has numbered paragraphs 1 and 2 (indecent exposure, procuring it); the
            # DOJ offense table writes them "314.1 PC - INDECENT EXPOSURE", "314.2 PC".
            section, subs = "314", [section[-1], *subs]
        off = Offense(
            raw=text,
            code_book=book,
            section=section,
            subsections=tuple(subs),
            attempt=prefix == "664",
            conspiracy=prefix == "182",
        )
        return _Hit(off, text, offset + m.start(), offset + end)
    return None


def _ca_tail(body: str, end: int, *, search: bool) -> tuple[int, str | None, str]:
    """Read what follows a bookless CA section: a lone subdivision letter, a book, or refuse.

    Returns the new end, the book text found and the lone letter (or ""). Raises
    :class:`_Unreadable` when a word that looks like a code book ClearSlate does not know
    follows the section ("11358 XYZ", "41.27 LAMC", "11358 REVENUE AND TAXATION CODE").
    """
    lone = ""
    m = _LONE_SUB.match(body, end)
    if m:
        head = _CA_BOOK_HEAD.match(body, m.end())
        if head:
            return head.end(), head["book"], m["sub"]
        # In prose "11359 A FELONY" has an article, not a subdivision.
        if not search or _END_OR_SEP.match(body, m.end()):
            lone, end = m["sub"], m.end()
    elif _LEVEL_MARK.match(body, end):
        return end, None, lone
    tail = body[end:]
    if not tail.strip() or tail.lstrip()[0] in "-:,;":
        return end, None, lone
    if lone and not search and tail.lstrip()[0].isdigit():
        raise _Unreadable(f"the code column names more than one code ({body.strip()!r})")
    w = _WORD.match(tail)
    if w is None:
        return end, None, lone
    tok = w["tok"].rstrip(".")
    letters = re.sub(r"[^A-Z]", "", tok)
    bookish = (
        tok in _BOOK_WORDS
        or (letters.endswith("MC") and len(letters) <= 5)
        or bool(_BOOK_WORD_NEAR.match(tail))
    )
    more_code = not search and bool(re.match(r"\s*\d", tail[w.end() :]))
    if not bookish and len(letters) <= 3:
        # A short word ending the code ("11358 XYZ", "11358 XY-DESCRIPTION") is a book tag
        # ("VEH", "GC" are read above; "XYZ" is not known), and so is one followed by more
        # numbers in a code column ("11357 OR 11360"). "11359 POS FOR SALE" is a description.
        bookish = w["after"] is not None or more_code
    if bookish:
        if more_code:
            raise _Unreadable(f"the code column names more than one code ({body.strip()!r})")
        raise _Unreadable(
            f"{tail.strip()!r} after the section is not a code book ClearSlate knows: "
            "check which law the code is under"
        )
    return end, None, lone


def _ca_book(m: re.Match[str], prefix: str | None, tail_book: str | None) -> str | None:
    """The book of the target section; two different books on one code are not guessed."""
    first = normalize_book(m["book1"])
    target = {
        b
        for b in (
            normalize_book(m["book_mid"]),
            normalize_book(m["book2"]),
            normalize_book(tail_book),
        )
        if b
    }
    if len(target) > 1:
        raise _Unreadable(f"the code names two code books ({', '.join(sorted(target))})")
    after = next(iter(target), None)
    if after is None:
        return first
    # "PC 664/11359 HS", "PC 182/HS 11359": the Penal Code book belongs to the attempt or
    # conspiracy; the target's own book wins.
    if first is not None and first != after and not (prefix and first == "PC"):
        raise _Unreadable(f"the code names two code books ({first}, {after})")
    return after
