"""Pure parsers for the text fields of a record: levels, dispositions, names, IDs, invisible characters.

Each parser returns the normalized value or None together with a finding code and message;
none of them guesses. Unknown text is reported (never silently mapped), an ID that lost its
leading zeros or turned into scientific notation is reported (never padded), and accents are
kept exactly as they were typed.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from app.core.model import Disposition, Level

# Characters that look like nothing (or like a space) but make "SMITH" != "SMITH".
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"), None)
_SPACE_LIKE = dict.fromkeys(
    map(
        ord,
        "\u00a0\u2007\u202f\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2008\u2009\u200a\u205f\u3000",
    ),
    " ",
)
_INVISIBLE = {**_ZERO_WIDTH, **_SPACE_LIKE}
_INVISIBLE_CHARS = frozenset(chr(c) for c in _INVISIBLE)


@dataclass(frozen=True, slots=True)
class Cleaned:
    """Text with invisible characters removed; ``stripped`` says whether any were found."""

    text: str | None
    stripped: bool = False


def clean_text(raw: str | None) -> Cleaned:
    """Remove zero-width characters, turn non-breaking spaces into spaces, trim the ends.

    Inner spacing and accents are kept exactly (``Núñez`` stays ``Núñez`` byte for byte).
    An empty result is None.
    """
    if raw is None:
        return Cleaned(None)
    stripped = False
    text = raw
    if not _INVISIBLE_CHARS.isdisjoint(text):
        text = text.translate(_INVISIBLE)
        stripped = True
    text = text.strip()
    return Cleaned(text or None, stripped)


@functools.lru_cache(maxsize=65536)
def match_key(text: str | None) -> str:
    """A comparison form: NFC, case-folded, punctuation and spacing collapsed.

    Used only to compare (dedupe keys, name matches); the stored text is never changed.
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text).casefold()
    text = re.sub(r"[^\w]+", " ", text)
    return " ".join(text.split())


# -- levels ------------------------------------------------------------------------------------

_LEVEL_WORDS: dict[str, Level] = {
    "F": Level.FELONY,
    "FEL": Level.FELONY,
    "FELON": Level.FELONY,
    "FELONY": Level.FELONY,
    "FELONIES": Level.FELONY,
    "M": Level.MISDEMEANOR,
    "MI": Level.MISDEMEANOR,
    "MIS": Level.MISDEMEANOR,
    "MISD": Level.MISDEMEANOR,
    "MSD": Level.MISDEMEANOR,
    "MISDEMEANOR": Level.MISDEMEANOR,
    "MISDEMEANOUR": Level.MISDEMEANOR,
    "MISDEMEANORS": Level.MISDEMEANOR,
    "I": Level.INFRACTION,
    "IN": Level.INFRACTION,
    "INF": Level.INFRACTION,
    "INFR": Level.INFRACTION,
    "INFRACT": Level.INFRACTION,
    "INFRACTION": Level.INFRACTION,
    "V": Level.VIOLATION,
    "VIO": Level.VIOLATION,
    "VIOL": Level.VIOLATION,
    "VIOLATION": Level.VIOLATION,
}
# New York class letters: AF..EF felonies, AM/BM/UM misdemeanors, V violation, I infraction.
_NY_CLASS = re.compile(r"^(?:CLASS )?([A-E])[ -]?(F|FEL|FELONY|M|MISD|MISDEMEANOR)$")
_NY_CLASS_SHORT = re.compile(r"^([A-E])([FM])$|^(UM)$")


@dataclass(frozen=True, slots=True)
class LevelResult:
    level: Level | None
    ny_class: str | None = None  # "AM", "EF", "V"... when the source gave a New York class
    code: str | None = None
    message: str | None = None


def parse_level(raw: str | None) -> LevelResult:
    """``F``, ``FELONY``, ``M``, ``MISD``, ``I``, ``INFR``, ``V``, NY classes (``AM``, ``EF``, ``B MISD``)."""
    cleaned = clean_text(raw).text
    if cleaned is None:
        return LevelResult(None)
    text = re.sub(r"[^A-Z0-9 ]+", " ", cleaned.upper())
    text = " ".join(text.split())
    if text in _LEVEL_WORDS:
        level = _LEVEL_WORDS[text]
        return LevelResult(level, "V" if level is Level.VIOLATION else None)
    squeezed = text.replace(" ", "")
    short = _NY_CLASS_SHORT.match(squeezed)
    if short:
        letters = short.group(0)
        level = Level.MISDEMEANOR if letters.endswith("M") else Level.FELONY
        return LevelResult(level, letters)
    match = _NY_CLASS.match(text)
    if match:
        letter, kind = match.groups()
        level = Level.FELONY if kind.startswith("F") else Level.MISDEMEANOR
        return LevelResult(level, f"{letter}{'F' if level is Level.FELONY else 'M'}")
    # "FELONY - WOBBLER", "MISDEMEANOR CONVICTION": one level word and nothing contradicting it.
    words = set(text.split())
    found = {_LEVEL_WORDS[w] for w in words if w in _LEVEL_WORDS and len(w) > 2}
    if len(found) == 1:
        return LevelResult(found.pop())
    return LevelResult(
        None,
        None,
        "level.unknown",
        f"{cleaned!r} is not a level ClearSlate knows (felony, misdemeanor, infraction, violation)",
    )


# -- dispositions --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DispositionResult:
    disposition: Disposition | None
    event_type: str | None = None  # "registration" when the row is a registration step
    code: str | None = None
    message: str | None = None


# Ordered: negative forms ("NOT GUILTY") must be read before the positive words they contain.
_DISPOSITION_PATTERNS: list[tuple[Disposition | str, re.Pattern[str]]] = [
    ("registration", re.compile(r"\bREGIST(?:RATION|ERED|RANT|ER)\b")),
    (Disposition.ACQUITTED, re.compile(r"\bNOT GUILTY\b|\bACQUIT|\bNG\b|\bFOUND NOT\b")),
    (
        Disposition.DISMISSED,
        re.compile(
            r"\bDISMISS|\bDISM\b|\bNOLLE\b|\bNOL PROS|\bNOLLE PROSEQUI\b|\bPROSECUTION REJECTED\b|"
            r"\bPROS REJ|\bDECLINED\b|\bNO COMPLAINT\b|\bCOMPLAINT DENIED\b|\bACD\b|\bADJOURN\w* IN CONTEMPLATION\b|"
            r"\bVACATED\b|\bSEALED\b|\bEXPUNGED\b|\bDETENTION ONLY\b|\bQUASHED\b"
        ),
    ),
    (Disposition.CIVIL, re.compile(r"\bCIVIL\b")),
    (
        Disposition.DIVERTED,
        re.compile(
            r"\bDIVERS|\bDIVERT|\bDEFERRED\b|\bDEJ\b|\bPRETRIAL INTERVENTION\b|\bPBJ\b|\bPROBATION BEFORE JUDG"
        ),
    ),
    (Disposition.WARRANT, re.compile(r"\bWARRANT\b|\bWARR\b|\bBW\b|\bFTA\b|\bFAIL\w* TO APPEAR\b")),
    (
        Disposition.OPEN,
        re.compile(r"^(?:OPEN|PENDING|ACTIVE|ARRAIGNED|IN PROGRESS|UNDISPOSED)\b|\bPENDING\b"),
    ),
    (
        Disposition.CONVICTED,
        re.compile(
            r"\bCONVICT|\bGUILTY\b|\bPLE[AD]\w*\b|\bNOLO\b|\bNO CONTEST\b|\bSENTENCED\b|"
            r"(?<!BEFORE )(?<!DEFERRED )(?<!ENTRY OF )\bJUDGE?MENT\b|\bCONV\b|\bFOUND G\b|\bPG\b|\bSUSTAINED\b|\bADJUDICATED\b"
        ),
    ),
    (
        Disposition.OTHER,
        re.compile(r"\bSTET\b|\bMERGED\b|\bTRANSFERRED\b|\bREMANDED\b|\bMISTRIAL\b|\bDECEASED\b"),
    ),
]


# Words that undo what the rest of the text says: a conviction withdrawn, reversed or set
# aside is no longer a plain conviction, and a recalled, vacated or served warrant is no
# longer outstanding. Which disposition stands instead is for a person to read in the record.
_UNDONE = re.compile(
    r"\bNOT CONVICTED\b|\bNO CONVICTION\b|\bWITHDR[AE]WN?\b|\bREVERS(?:ED|AL)\b|\bSET ASIDE\b|"
    r"\bOVERTURNED\b|\bANNULLED\b|\bRESCINDED\b|\bNEW TRIAL\b|\bJUDGE?MENT FOR (?:THE )?DEF"
)
_WARRANT_ENDED = re.compile(
    r"\b(?:NO|WITHOUT) (?:BENCH )?WARR(?:ANT)?S?\b|"
    r"\b(?:WARR(?:ANT)?S?|BW) (?:WAS |IS |HAS BEEN )?(?:RECALLED|VACATED|QUASHED|CLEARED|SERVED|"
    r"EXECUTED|WITHDRAWN|CANCELL?ED|RELEASED|RETURNED|SATISFIED|PURGED|DISCHARGED|LIFTED|EXPIRED)\b"
)


def _upper_words(text: str) -> str:
    """Upper case, punctuation as spaces, single spaces: ``"Open - no warrant"`` → ``"OPEN NO WARRANT"``."""
    return " ".join(re.sub(r"[^A-Z0-9 ]+", " ", text.upper()).split())


_STATUS_WARRANT = re.compile(r"WARR|\bBW\b|\bFTA\b|\bFAIL\w* TO APPEAR\b")
_STATUS_OPEN = re.compile(r"\b(?:RE)?OPEN(?:ED)?\b|\bPENDING\b|\bACTIVE\b|\bUNDISPOSED\b")
_STATUS_CLOSED = re.compile(r"\bCLOSED\b|\bDISPOSED\b|\bINACTIVE\b|\bTERMINATED\b")


def parse_case_status(text: str) -> str | None:
    """``warrant``, ``open`` or ``closed`` from a case-status text; None when it says neither
    or both (``OPEN/CLOSED``), so the status is left empty and reported, never guessed.

    A warrant that is no longer outstanding (``OPEN - NO WARRANT``, ``WARRANT RECALLED``) is
    not a warrant: the rest of the text decides. Words are matched whole, so ``INACTIVE`` is
    closed and ``UNDISPOSED`` open.
    """
    words = _WARRANT_ENDED.sub(" ", _upper_words(text))
    if _STATUS_WARRANT.search(words):
        return "warrant"
    is_open, is_closed = bool(_STATUS_OPEN.search(words)), bool(_STATUS_CLOSED.search(words))
    if is_open != is_closed:
        return "open" if is_open else "closed"
    return None


def parse_disposition(raw: str | None) -> DispositionResult:
    """Read a disposition text; unknown or self-contradicting text is a finding, never a guess.

    A text that names two different dispositions (``CONVICTED - DISMISSED 1203.4``) is
    reported as ambiguous: a person has to say which one stands.
    """
    cleaned = clean_text(raw).text
    if cleaned is None:
        return DispositionResult(None)
    text = _upper_words(cleaned)
    if text in {"C", "CONV", "CNV"}:
        return DispositionResult(Disposition.CONVICTED)
    if text in {"D", "DIS", "DISM"}:
        return DispositionResult(Disposition.DISMISSED)
    if text in {"A", "ACQ"}:
        return DispositionResult(Disposition.ACQUITTED)
    if text in {"O", "OPEN"}:
        return DispositionResult(Disposition.OPEN)
    if text in {"W", "WAR", "WARR", "BW"}:
        return DispositionResult(Disposition.WARRANT)
    if _WARRANT_ENDED.search(text):
        return DispositionResult(
            None,
            None,
            "disposition.ambiguous",
            f"{cleaned!r} says a warrant is no longer outstanding (none, recalled, vacated or "
            "served); a person must check how the case stands",
        )
    if _UNDONE.search(text):
        return DispositionResult(
            None,
            None,
            "disposition.ambiguous",
            f"{cleaned!r} says a conviction was undone or never entered (withdrawn, reversed, "
            "set aside); a person must check which disposition stands",
        )
    found: list[Disposition | str] = []
    for kind, pattern in _DISPOSITION_PATTERNS:
        if pattern.search(text):
            found.append(kind)
    if "registration" in found:
        return DispositionResult(None, "registration")
    if Disposition.ACQUITTED in found:
        # "NOT GUILTY" contains "GUILTY"; the negative reading wins over the conviction words.
        found = [k for k in found if k is not Disposition.CONVICTED]
    if Disposition.DIVERTED in found and Disposition.DISMISSED in found and len(found) == 2:
        # "DIVERSION - DISMISSED" / "DEJ DISMISSED": diversion completed and the case dismissed.
        return DispositionResult(Disposition.DISMISSED)
    if Disposition.WARRANT in found and Disposition.OPEN in found and len(found) == 2:
        return DispositionResult(Disposition.WARRANT)
    if len(found) == 1:
        kind = found[0]
        assert isinstance(kind, Disposition)
        return DispositionResult(kind)
    if not found:
        return DispositionResult(
            None,
            None,
            "disposition.unknown",
            f"{cleaned!r} is not a disposition ClearSlate knows; the count will need review",
        )
    names = ", ".join(str(k) for k in found)
    return DispositionResult(
        None,
        None,
        "disposition.ambiguous",
        f"{cleaned!r} reads as more than one disposition ({names}); a person must check which stands",
    )


# -- names -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NameParts:
    full: str | None
    last: str | None = None
    first: str | None = None
    middle: str | None = None


def parse_name(raw: str | None) -> NameParts:
    """Split ``LAST, FIRST MIDDLE``, ``LAST/FIRST/MIDDLE`` or ``First Middle Last``.

    The full text is kept as given (accents and apostrophes untouched); the parts are for
    proposing matches only, never for deciding identity.
    """
    full = clean_text(raw).text
    if full is None:
        return NameParts(None)
    if "," in full:
        last, _, rest = full.partition(",")
        words = rest.replace(",", " ").split()
        return NameParts(
            full, last.strip() or None, words[0] if words else None, " ".join(words[1:]) or None
        )
    if "/" in full:
        parts = [p.strip() for p in full.split("/")]
        return NameParts(
            full,
            parts[0] or None,
            parts[1] if len(parts) > 1 and parts[1] else None,
            " ".join(p for p in parts[2:] if p) or None,
        )
    words = full.split()
    if len(words) == 1:
        return NameParts(full, words[0])
    return NameParts(full, words[-1], words[0], " ".join(words[1:-1]) or None)


def join_name(last: str | None, first: str | None, middle: str | None) -> str | None:
    """The full name from separate columns, in ``LAST, FIRST MIDDLE`` form."""
    last = clean_text(last).text
    given = " ".join(p for p in (clean_text(first).text, clean_text(middle).text) if p)
    if last and given:
        return f"{last}, {given}"
    return last or given or None


# -- IDs -------------------------------------------------------------------------------------

_SCIENTIFIC = re.compile(r"^[+-]?\d+(?:\.\d+)?[eE][+-]?\d+$")


@dataclass(frozen=True, slots=True)
class IdResult:
    """An identifier as text. ``from_number`` is set when the cell was a number (zeros may be lost)."""

    text: str | None
    from_number: bool = False
    code: str | None = None
    message: str | None = None


def normalize_id(raw: object) -> IdResult:
    """Keep an ID as text exactly; numbers are reported, scientific notation is refused.

    A number cell is converted without padding (``1234.0`` → ``"1234"``) and marked so the
    validator can compare its length with the column's other IDs. Scientific notation
    (``1.23457E+11``) has lost digits for good, so the ID is dropped with a finding: linking
    people on a mangled key could merge two different people.
    """
    if raw is None:
        return IdResult(None)
    if isinstance(raw, bool):
        return IdResult(None, False, "id.unreadable", f"{raw!r} is not an ID")
    if isinstance(raw, int):
        return IdResult(str(raw), True)
    if isinstance(raw, float):
        if raw.is_integer() and abs(raw) < 1e15:
            return IdResult(str(int(raw)), True)
        return IdResult(
            None,
            True,
            "id.scientific",
            f"the ID {raw!r} was stored as a number and lost digits; format the column as text in the source and export again",
        )
    cleaned = clean_text(str(raw)).text
    if cleaned is None:
        return IdResult(None)
    if _SCIENTIFIC.match(cleaned):
        return IdResult(
            None,
            False,
            "id.scientific",
            f"the ID {cleaned!r} is in scientific notation, so digits are lost; format the column as text in the source and export again",
        )
    return IdResult(cleaned)


def normalize_sex(raw: str | None) -> str | None:
    """``M``/``MALE`` → ``M``, ``F``/``FEMALE`` → ``F``, ``X``/nonbinary → ``X``; else the text as given."""
    text = clean_text(raw).text
    if text is None:
        return None
    key = text.upper()
    if key in {"M", "MALE", "MAN"}:
        return "M"
    if key in {"F", "FEMALE", "WOMAN"}:
        return "F"
    if key in {"X", "NONBINARY", "NON-BINARY"}:
        return "X"
    return text
