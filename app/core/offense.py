"""Read raw offense-code strings from any county extract into a normalized :class:`Offense`.

The importer and the eligibility engine both call :func:`parse_offense`. It knows the
spellings of California (DOJ and court), New York (PL, NYPD compact), Maryland (Case Search
``CR.5.601.(a)(1)``, pre-2002 ``Art. 27``) and Washington (RCW) codes. Sections are matched
whole: ``11357.5`` is never ``11357`` and ``11361`` is never ``11360``. Anything it cannot
read comes back with ``recognized=False`` and the raw text kept, so the engine answers
``needs_review`` instead of guessing.
"""

from __future__ import annotations

import re
from dataclasses import replace

from app.core.model import Offense

__all__ = ["parse_offense", "normalize_book", "CODE_BOOKS"]

# Normalized code books and the spellings that mean them (compared after removing
# spaces, dots and ampersand spacing).
CODE_BOOKS: dict[str, str] = {
    "HS": "HS",
    "H&S": "HS",
    "HSC": "HS",
    "H&SC": "HS",
    "PC": "PC",
    "VC": "VC",
    "BP": "BP",
    "B&P": "BP",
    "WI": "WI",
    "W&I": "WI",
    "WIC": "WI",
    "PL": "PL",
    "NYPL": "PL",
    "CR": "CR",
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

# Code-book tag in CA-style codes, longest spellings first so "HSC" is not read as "HS"+"C".
_CA_BOOK = r"(?:H\s*&\s*S\s*C|H\s*&\s*S|HSC|HS|P\s*\.?\s*C\s*\.?|V\s*\.?\s*C\s*\.?|B\s*&\s*P|BP|W\s*&\s*I\s*C?|WIC|WI)"

_SEE_COMMENT = re.compile(r"SEE\s+COMMENTS?\b")

_ART27 = re.compile(
    r"\bART(?:ICLE)?\s*\.?\s*27\s*[,\-./]?\s*(?:§+|SEC(?:TION)?\s*\.?)?\s*(?P<section>\d{1,3}[A-Z]?)(?![\d.])"
    + _SUBS
)

_MD_CR = re.compile(
    r"\bCR\s*\.?\s*(?P<title>\d{1,2})\s*[.\-]\s*(?P<sec>\d{3})(?P<dec>\.\d{1,2})?(?![\d])\s*\.?"
    + _SUBS
)

_RCW = re.compile(
    r"(?:\b(?P<book>RCW|SMC)\s*)?(?<![\d.])(?P<section>\d{1,2}A?\.\d{2}[A-Z]?\.\d{3,4}[A-Z]?)(?![\d.])"
    + _SUBS
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

# CA-style: optional book, optional attempt (664) or conspiracy (182) prefix, section,
# subsections, optional book. The 664/182 prefix is recognized with a separator
# ("664/", "664.", "664-") or fused to a section of three or more digits ("66411357").
_CA = re.compile(
    r"(?<![\w.])(?:(?P<book1>" + _CA_BOOK + r")\s*\.?\s*)?"
    r"(?:(?P<pre>664|182)(?:\s*\(\s*[A-Z0-9]\s*\))*\s*(?:" + _CA_BOOK + r")?\s*[./\-]\s*"
    r"(?:(?P<book_mid>" + _CA_BOOK + r")\s*)?"
    r"|(?P<pre_fused>664(?=\d{3,5}(?!\d))|182(?=113\d\d(?!\d))))?"
    r"(?P<num>\d{1,5})(?P<dec>\.\d{1,2}(?!\d))?(?P<letter>[A-Z](?![A-Z&.]))?(?!\d)"
    + _SUBS
    + r"(?:\s*\.?\s*(?P<book2>"
    + _CA_BOOK
    + r")(?![A-Z]))?"
)


def normalize_book(text: str | None) -> str | None:
    """Map a code-book spelling ("H&S", "P.C.", "Penal Law") to its normal form, else None."""
    if not text:
        return None
    key = re.sub(r"[\s.]", "", text.upper())
    return CODE_BOOKS.get(key)


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
    description itself carries a tagged code. Never raises on any input.
    """
    raw_text = "" if raw is None else str(raw)
    text = _clean(raw_text)
    if text and _SEE_COMMENT.search(text):
        inner = _parse_text(_clean(comment), search=True)
        if inner is None:
            return Offense(
                raw=raw_text,
                recognized=False,
                note="code says SEE COMMENT FOR CHARGE but the comment has no readable code",
            )
        return replace(inner, raw=raw_text, note="code read from the comment text")
    parsed = _parse_text(text, search=False) if text else None
    if parsed is not None:
        return replace(parsed, raw=raw_text)
    if description:
        from_desc = _parse_text(_clean(description), search=True, tagged_only=True)
        if from_desc is not None:
            return replace(from_desc, raw=raw_text, note="code read from the description")
    return Offense(
        raw=raw_text,
        recognized=False,
        note="no offense code" if not text else "offense code not recognized",
    )


_TRAILING_BOOK = re.compile(r"^(?P<body>\S.*?)\s*\b(?P<book>PL|CR|RCW|SMC|ART\s*27)\s*$")


def _parse_text(text: str, *, search: bool, tagged_only: bool = False) -> Offense | None:
    if not text:
        return None
    trailing = _TRAILING_BOOK.match(text)
    if trailing and trailing["body"][0].isdigit():
        # "5-601(a)(1) CR", "221.10(1) PL": the book written after the section.
        text = f"{trailing['book']} {trailing['body']}"
    for parser in (_parse_art27, _parse_md, _parse_rcw, _parse_ny, _parse_ca):
        off = parser(text, search=search, tagged_only=tagged_only)
        if off is not None:
            return off
    return None


def _parse_art27(text: str, *, search: bool, tagged_only: bool) -> Offense | None:
    m = _ART27.search(text)
    if not m:
        return None
    return Offense(
        raw=text, code_book="ART27", section=m["section"].lower(), subsections=_subs(m["subs"])
    )


def _parse_md(text: str, *, search: bool, tagged_only: bool) -> Offense | None:
    m = _MD_CR.search(text)
    if not m:
        return None
    section = f"{int(m['title'])}-{m['sec']}{m['dec'] or ''}"
    return Offense(raw=text, code_book="CR", section=section, subsections=_subs(m["subs"]))


def _parse_rcw(text: str, *, search: bool, tagged_only: bool) -> Offense | None:
    m = _RCW.search(text)
    if not m:
        return None
    # Untagged dotted sections are read only at the start of a code column.
    if not m["book"] and (search or tagged_only or m.start() != 0):
        return None
    book = m["book"] or "RCW"
    return Offense(raw=text, code_book=book, section=m["section"], subsections=_subs(m["subs"]))


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


def _parse_ny(text: str, *, search: bool, tagged_only: bool) -> Offense | None:
    m = _NY_TAGGED.search(text)
    if m:
        return _ny(m["art"], m["sec"], m["sub2"] or m["subp"], m["cls"], bool(m["att"]))
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
        return _ny(art, sec, sub, m["cls"], False)
    if tagged_only:
        return None
    m = _NY_UNTAGGED.match(text)
    if m and (m["sub2"] or m["cls"]):
        return _ny(m["art"], m["sec"], m["sub2"], m["cls"], False)
    return None


def _parse_ca(text: str, *, search: bool, tagged_only: bool) -> Offense | None:
    # The code sits at the start of a code column (after stray "/" or "-"); in comment
    # or description text it may be anywhere.
    body = text.lstrip("/-.,;: ")
    for m in _CA.finditer(body):
        if not search and m.start() != 0:
            return None
        rest = body[m.end() :].strip()
        if rest and not (rest[0] in "-:,;" or rest[0].isalpha()):
            # "12/03/1990" or "4 3550" in a code column: not a code this parser knows.
            if not search:
                return None
            continue
        book_text = m["book1"] or m["book_mid"] or m["book2"]
        if tagged_only and not book_text:
            continue
        # A bare number inside prose ("2 COUNTS") is not a code: in search mode require
        # a book tag or a section of three or more digits.
        if not book_text and len(m["num"]) < 3:
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
        prefix = m["pre"] or m["pre_fused"]
        attempt = prefix == "664"
        conspiracy = prefix == "182"
        return Offense(
            raw=text,
            code_book=normalize_book(book_text),
            section=section,
            subsections=tuple(subs),
            attempt=attempt,
            conspiracy=conspiracy,
        )
    return None
