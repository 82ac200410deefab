"""What the notice to each person says, independent of its format: one letter per person whose
counts a relief's filings list, in the pack's plain words (``[filings.<relief>.notice]``).

A pack declares a notice where its program told each person of the motion and gave them time
to object or ask for an individual finding (Seattle, 2018: 33 days). The letters list exactly
the rows of that relief's case list, so nobody the filings leave out gets one, and nobody in
them is missed. The PDF and DOCX writers both render a :class:`Notices`.

The workspace holds no mailing addresses: each letter leaves the address lines under the
person's name for the office to fill from its own records.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.exports.data import ExportRow, PacketData
from app.exports.dates import long_date, short_date
from app.exports.templates import PolicyTemplates, fill, setting_or_blank

DEFAULT_COLUMNS = ("Case number", "Offense", "Date of conviction", "What we asked the Court to do")
# Blank lines left under the person's name for the street, city and ZIP.
ADDRESS_LINES = 3


@dataclass(frozen=True, slots=True)
class NoticeLetter:
    """The letter to one person: their name, DOB, their filed counts, and the filled text."""

    person_id: int
    name: str  # "Tomás Patel": as a letter is addressed, not "Patel, Tomás"
    dob: str  # "03/07/1974"
    regarding: str
    greeting: str
    before: list[str]  # paragraphs above the table of cases
    cases: list[list[str]]  # case number, offense, date of conviction, what was asked
    after: list[str]


@dataclass(frozen=True, slots=True)
class Notices:
    """The notices of one relief type: a letter per person, sharing letterhead and closing."""

    relief: str
    title: str
    short: str
    court_name: str
    letterhead: list[str]  # the office's name and address lines
    date: str  # "November 22, 2026"
    columns: list[str]
    closing: str
    signature: list[str]
    fingerprint: str
    letters: list[NoticeLetter]

    @property
    def short_title(self) -> str:
        """The document's name (print preview's chooser, the packet report)."""
        return self.short or "Notice to each person"


def notices_file_stem(notices: Notices) -> str:
    return f"notices-{notices.relief}"


def letter_name(row: ExportRow) -> str:
    """ "First Middle Last" when the parts are known, else the name as imported."""
    if row.last_name:
        return " ".join(p for p in (row.first_name, row.middle_name, row.last_name) if p)
    # Never "Dear :" — a bracketed blank the office sees and fills before mailing.
    return (row.full_name or "").strip() or "[Name not recorded]"


def _offense(row: ExportRow) -> str:
    """The offense as the court's record names it, "POSSESS MARIJUANA (RCW 69.50.401(e))":
    the description, then the law with its code book first, as a reader sees it cited."""
    code = row.offense_display.strip()
    book = (row.code_book or "").strip()
    if book and code.endswith(f" {book}"):
        code = f"{book} {code[: -len(book) - 1]}"
    description = (row.description or "").strip()
    if description and code and description.casefold() != code.casefold():
        return f"{description} ({code})"
    return description or code


def _people(rows: list[ExportRow]) -> list[list[ExportRow]]:
    """The rows grouped by person, in alphabetical order of their names (how the office
    sorts its mail), each person's rows in the case list's order."""
    by_person: dict[int, list[ExportRow]] = {}
    for row in rows:
        by_person.setdefault(row.person_id, []).append(row)
    return sorted(
        by_person.values(), key=lambda rs: (rs[0].name.casefold(), rs[0].dob or "", rs[0].person_id)
    )


def build_notices(data: PacketData, templates: PolicyTemplates, fingerprint: str) -> list[Notices]:
    """The notices of each relief in the signed set whose template declares one."""
    office = data.office
    office_name = setting_or_blank(office.office_name, "Office name")
    address = [
        line.strip()
        for line in setting_or_blank(office.office_address, "Office address").splitlines()
        if line.strip()
    ]
    out = []
    for relief in data.reliefs():
        spec = templates.for_relief(relief)
        if spec.notice is None:
            continue
        notice = spec.notice
        days = spec.notice_days
        base = {
            "court_name": setting_or_blank(office.court_name, "Court name"),
            "county": setting_or_blank(office.county, "County"),
            "office_name": office_name,
            "attorney_name": setting_or_blank(office.attorney_name, "Attorney name"),
            "office_address": ", ".join(address),
            "office_contact": ", ".join([office_name, *address]),
            "days": str(days),
            "notice_days": str(days),
            "policy_title": templates.policy_title,
        }
        relief_words = str(notice.get("relief") or spec.label or relief.capitalize())
        letters = []
        for rows in _people(data.rows_for_relief(relief)):
            first = rows[0]
            many = len(rows) > 1
            values = {
                **base,
                "person_name": letter_name(first),
                "dob": short_date(first.dob) or "not recorded",
                "your_convictions": f"your {len(rows)} convictions" if many else "your conviction",
                "it_or_them": "they" if many else "it",
                "the_charges": "the charges" if many else "the charge",
            }
            letters.append(
                NoticeLetter(
                    person_id=first.person_id,
                    name=values["person_name"],
                    dob=values["dob"],
                    regarding=fill(str(notice.get("regarding", "")), values),
                    greeting=fill(str(notice.get("greeting", "")), values),
                    before=[fill(str(p), values) for p in notice.get("before", [])],
                    cases=[
                        [r.case_number, _offense(r), short_date(r.disposition_date), relief_words]
                        for r in rows
                    ],
                    after=[fill(str(p), values) for p in notice.get("after", [])],
                )
            )
        out.append(
            Notices(
                relief=relief,
                title=fill(str(notice.get("title", "")), base),
                short=fill(str(notice.get("short", "")), base),
                court_name=base["court_name"],
                letterhead=[office_name, *address],
                date=long_date(data.generated_at),
                columns=[str(c) for c in notice.get("columns", DEFAULT_COLUMNS)],
                closing=fill(str(notice.get("closing", "")), base),
                signature=[fill(str(line), base) for line in notice.get("signature", [])],
                fingerprint=fingerprint,
                letters=letters,
            )
        )
    return out
