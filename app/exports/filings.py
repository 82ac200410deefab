"""What a court filing says, independent of its format: the filled text, provenance and case list.

The DOCX and PDF writers both render a :class:`Filing`, so the two formats never drift.

Why the cover page carries the packet *fingerprint* and not the hash of ``manifest.json``:
the manifest lists the SHA-256 of every file, the filings included, so a filing cannot print
the hash of a manifest that hashes the filing itself. The fingerprint is the SHA-256 of the
data the packet is made from (policy and pack hash, as-of date, the sign-off and its
decisions hash, the counts, and the hash of the full case list). It is fixed before the
first file is written, it is stored in ``manifest.json`` (and checked by ``verify``), and the
export's audit entry records it beside the manifest's own SHA-256 — so a paper copy can be
tied to its packet and its sign-off.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.exports.data import CASE_LIST_HEADERS, RELIEF_LABELS, ExportRow, PacketData
from app.exports.dates import long_date, long_stamp
from app.exports.templates import (
    FilingText,
    PolicyTemplates,
    ReliefTemplate,
    filing_text,
    setting_or_blank,
)

ATTACHMENT = "Attachment A"


@dataclass(frozen=True, slots=True)
class Filing:
    """One document (motion or proposed order) for one relief type."""

    relief: str
    kind: str  # "motion" or "order"
    text: FilingText
    provenance: list[str]
    attorney_block: list[str]
    court_name: str
    fingerprint: str
    rows: list[ExportRow]
    attachment_title: str
    # The attachment rows, shared by the motion and the order of one relief type.
    table: list[list[str]]

    @property
    def short_title(self) -> str:
        """The document's name in its footer: the template's ("Notice of expungement")."""
        if self.text.short:
            return self.text.short
        kind = "Motion" if self.kind == "motion" else "Proposed order"
        return f"{kind} — {RELIEF_LABELS.get(self.relief, self.relief)}"

    @property
    def headers(self) -> list[str]:
        return CASE_LIST_HEADERS

    def table_rows(self) -> list[list[str]]:
        return self.table


def provenance_lines(data: PacketData, fingerprint: str, app_version: str) -> list[str]:
    """The lines at the top of every filing: which policy, which version, when signed off."""
    policy = data.policy
    version = f" version {policy.pack_version}" if policy.pack_version else ""
    return [
        f"Prepared with ClearSlate {app_version} under policy {policy.policy_id}{version} "
        f"(pack SHA-256 {policy.pack_sha256[:16]}…), eligibility as of {long_date(policy.as_of)}.",
        f"List signed off by {data.signoff.signer} on {long_stamp(data.signoff.at)} "
        f"(decisions SHA-256 {data.signoff.decisions_hash[:16]}…).",
        f"Packet fingerprint (SHA-256, see manifest.json): {fingerprint}",
    ]


def build_filings(data: PacketData, templates: PolicyTemplates, fingerprint: str) -> list[Filing]:
    """A motion and a proposed order for each relief type present in the signed set."""
    office = data.office
    attorney = [
        setting_or_blank(office.attorney_name, "Attorney name"),
        f"Bar No. {setting_or_blank(office.attorney_bar_number, 'Bar number')}",
        setting_or_blank(office.office_name, "Office name"),
        *[
            line
            for line in setting_or_blank(office.office_address, "Office address").splitlines()
            if line.strip()
        ],
    ]
    provenance = provenance_lines(data, fingerprint, data.app_version)
    filings = []
    for relief in data.reliefs():
        rows = data.rows_for_relief(relief)
        spec = templates.for_relief(relief)
        table = relief_table(data.case_lists[relief], rows, spec)
        values = {
            "court_name": setting_or_blank(office.court_name, "Court name"),
            "county": setting_or_blank(office.county, "County").upper(),
            "office_name": setting_or_blank(office.office_name, "Office name"),
            "attorney_name": setting_or_blank(office.attorney_name, "Attorney name"),
            "attorney_bar_number": setting_or_blank(office.attorney_bar_number, "Bar number"),
            "office_address": setting_or_blank(office.office_address, "Office address"),
            "policy_id": data.policy.policy_id,
            "pack_version": data.policy.pack_version or "",
            "as_of": long_date(data.policy.as_of),
            "signed_by": data.signoff.signer,
            "signed_at": long_date(data.signoff.at),
            "relief_label": spec.label or RELIEF_LABELS.get(relief, relief),
            "count_total": f"{len(rows):,}",
            "case_total": f"{len({r.case_id for r in rows}):,}",
            "people_total": f"{len({r.person_id for r in rows}):,}",
            "attachment": ATTACHMENT,
        }
        if spec.notice is not None:
            # The motion states the days its notice gives, from the one number in the template.
            values["notice_days"] = str(spec.notice_days)
        for kind in ("motion", "order"):
            text = filing_text(templates, relief, kind, values)
            filings.append(
                Filing(
                    relief=relief,
                    kind=kind,
                    text=text,
                    provenance=provenance,
                    attorney_block=attorney,
                    court_name=values["court_name"],
                    fingerprint=fingerprint,
                    rows=rows,
                    table=table,
                    attachment_title=(
                        f"{ATTACHMENT.upper()}: {len(rows):,} "
                        f"{'count' if len(rows) == 1 else 'counts'} — {values['relief_label']}"
                    ),
                )
            )
    return filings


def relief_table(
    entries: list[list[str]], rows: list[ExportRow], spec: ReliefTemplate
) -> list[list[str]]:
    """The case list with each count's relief in the pack's words ("Felony to misdemeanor",
    "Expunge") instead of the engine's relief type (shared by the motion and the order)."""
    if not spec.label and not spec.labels:
        return entries
    return [[*entry[:-1], spec.label_for(row.level)] for entry, row in zip(entries, rows)]


def filing_file_stem(filing: Filing) -> str:
    """``motion-dismiss``, ``proposed-order-reduce``, or the template's word (``notice-vacate``)."""
    word = filing.text.file or ("motion" if filing.kind == "motion" else "proposed-order")
    return f"{word}-{filing.relief}"
