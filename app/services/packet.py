"""Writing the export packet of a valid sign-off, atomically, and verifying a packet folder.

The packet is written into a hidden temporary folder beside the target and renamed to the
final name only when every file and the manifest are on disk (RELIABILITY.md promise 3):
a killed export leaves at most a ``.NAME.partial-…`` folder, never a half packet under the
name the user chose. The manifest's SHA-256 and the packet fingerprint go into the audit
log in the same transaction as the ``exports`` row.

Every refusal (role, no valid sign-off, a broken audit chain, a used folder) and every
failure (disk full, no permission, cancel) is audited in its own transaction, after the
partial folder is removed. Partial folders of exports that were killed hold
criminal-history data: the next export into the same folder removes them and says so.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NoReturn

from app import __version__
from app.core.clock import stamp
from app.core.errors import Cancelled, ClearSlateError, ExportError, PermissionDenied
from app.core.progress import Progress, check_cancelled
from app.exports.auditlog import AuditRow, write_audit_csv, write_audit_jsonl, write_chain_result
from app.exports.data import ExportRow, Office, PacketData, PolicyInfo, SignoffInfo
from app.exports.files import fsync_dir, fsync_file, safe_filename
from app.exports.filings import build_filings, filing_file_stem
from app.exports.manifest import (
    MANIFEST,
    PacketVerification,
    build_manifest,
    manifest_bytes,
    verify_folder,
)
from app.exports.notices import build_notices, notices_file_stem
from app.exports.templates import load_templates
from app.services import auth
from app.services.signoff import signoff_status
from app.services.workspaces import SETTING_KEYS, all_settings
from app.store import signoff as store
from app.store import users as user_store
from app.store.workspace import Workspace

WORKBOOK = "clerk-workbook.xlsx"
SUMMARY = "summary.pdf"
AUDIT_CSV = "audit-log.csv"
AUDIT_JSONL = "audit-log.jsonl"
AUDIT_CHAIN = "audit-chain.json"

log = logging.getLogger(__name__)

# ``.NAME.partial-PID-HEX``: the writing process's id says whether the folder is still in use.
_PARTIAL = re.compile(r"^\.(?P<name>.+)\.partial-(?:(?P<pid>\d+)-)?[0-9a-f]+$")
# A partial folder whose process cannot be checked (Windows, an older name) is stale after this.
STALE_AFTER_SECONDS = 6 * 3600


@dataclass
class PacketReport:
    folder: Path
    manifest_sha256: str
    fingerprint: str
    signoff_id: int
    files: list[dict[str, Any]]
    counts_by_outcome: dict[str, int]
    pages: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        total = sum(self.counts_by_outcome.values())
        out = [
            f"Exported {total:,} signed-off counts to {self.folder}",
            f"Manifest SHA-256: {self.manifest_sha256}",
            f"Fingerprint (on the cover pages): {self.fingerprint}",
        ]
        out.extend(f"  {f['name']}  ({f['size']:,} bytes)" for f in self.files)
        out.extend(f"warning: {w}" for w in self.warnings)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "folder": str(self.folder),
            "manifest_sha256": self.manifest_sha256,
            "fingerprint": self.fingerprint,
            "signoff_id": self.signoff_id,
            "files": self.files,
            "counts_by_outcome": self.counts_by_outcome,
            "pages": self.pages,
            "seconds": round(self.seconds, 2),
            "warnings": self.warnings,
        }


def verify_packet(folder: str | os.PathLike[str]) -> PacketVerification:
    """Check a packet folder against its manifest (``verify DIR``).

    Besides the files, the audit chain the packet was exported with must have verified
    (``audit-chain.json`` and the manifest say so); leftover partial folders of killed
    exports beside it are named (they hold criminal-history data).
    """
    folder = Path(folder)
    result = verify_folder(folder)
    if result.manifest_sha256 is not None and AUDIT_CHAIN not in result.missing:
        _check_chain_record(folder, result)
    stale = stale_partials(folder.absolute().parent)
    result.warnings.extend(
        f"A partial folder of an export that did not finish is here: {p.name}. It holds "
        "criminal-history data; delete it (the next export into this folder does)."
        for p in stale
    )
    return result


def _check_chain_record(folder: Path, result: PacketVerification) -> None:
    """A packet exported from a broken audit chain fails verification, naming the entry."""
    import json

    try:
        chain = json.loads((folder / AUDIT_CHAIN).read_text(encoding="utf-8"))
        ok = chain["ok"]
    except (OSError, ValueError, KeyError, TypeError):
        result.ok = False
        result.problems.append(f"{AUDIT_CHAIN} cannot be read; the packet was damaged or edited.")
        return
    if ok is not True:
        result.ok = False
        result.problems.append(
            f"BROKEN AUDIT CHAIN: the workspace's audit log did not verify when this packet was "
            f"made (first bad entry {chain.get('first_bad_entry')}: {chain.get('problem')}). "
            "Do not file it; ask an administrator to investigate the workspace."
        )


def _refuse(
    ws: Workspace, user: auth.User, out_dir: object, why: str, error: ClearSlateError
) -> NoReturn:
    problem = ws.audit_after_failure(
        user.username,
        "export.refused",
        str(out_dir),
        "refused",
        {"why": why, "message": str(error)},
    )
    if problem:
        error.message += f" (This refusal could not be recorded in the audit log: {problem})"
    raise error


def _target(out_dir: str | os.PathLike[str]) -> Path:
    """The final folder: a safe name, in an existing (or creatable) parent, not already used."""
    out = Path(out_dir).expanduser()
    name = safe_filename(out.name, fallback="packet")
    target = out.absolute().parent / name
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ExportError(
            "This folder already exists and is not empty; choose a new folder for the packet.",
            file=str(target),
        )
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(
            f"The folder cannot be created here: {exc.strerror}.", file=str(target.parent)
        ) from exc
    return target


def packet_data(ws: Workspace, record: store.SignoffRecord) -> PacketData:
    """Everything the packet is made from, read in one go from the sign-off's state."""
    settings = all_settings(ws)
    run = store.get_run(ws.conn, record.run_id) if record.run_id is not None else None
    summary = record.summary
    policy_id = run.policy_id if run else summary.get("policy_id") or settings["policy_id"]
    templates = load_templates(policy_id)
    sources = store.sources(ws.conn)
    signer = user_store.get(ws.conn, record.user)
    where, note = _filing_place(policy_id, settings["county"])
    rows = []
    for item in store.export_rows(
        ws.conn, last_decision_id=record.last_decision_id or 0, run_id=record.run_id
    ):
        row = ExportRow(**item)
        if where is not None and row.relief:
            elsewhere = where(row.court, row.county)
            if elsewhere:
                row = replace(row, filed_elsewhere=elsewhere)
        rows.append(row)
    return PacketData(
        office=Office(
            court_name=settings["court_name"],
            office_name=settings["office_name"],
            attorney_name=settings["attorney_name"],
            attorney_bar_number=settings["attorney_bar_number"],
            office_address=settings["office_address"],
            county=settings["county"],
            title=settings["title"],
        ),
        signoff=SignoffInfo(
            record.id,
            record.user,
            record.at,
            record.decisions_hash,
            record.count_total,
            full_name=signer.full_name or "" if signer is not None else "",
        ),
        policy=PolicyInfo(
            policy_id=policy_id,
            title=templates.policy_title,
            pack_version=run.pack_version if run else summary.get("pack_version"),
            pack_sha256=run.pack_sha256 if run else summary.get("pack_sha256", ""),
            as_of=run.as_of if run else summary.get("as_of", ""),
            run_id=record.run_id,
        ),
        rows=rows,
        source_headers={s.id: s.headers for s in sources.values()},
        source_names={
            s.id: s.file_name if not s.sheet else f"{s.file_name} [{s.sheet}]"
            for s in sources.values()
        },
        history=list(store.person_convictions(ws.conn)),
        generated_at=stamp(),
        app_version=__version__,
        notes=(note,) if note else (),
    )


def _filing_place(
    policy_id: str, county: str
) -> tuple[Callable[[str | None, str | None], str | None] | None, str]:
    """For a statewide policy: why a count's case is not for this county's court (None when
    it is), and a note for the packet when the county setting cannot be placed.

    The filings are addressed to the workspace's court, which acts only on its own county's
    cases, while a statewide law gives relief in every county: a DOJ extract lists a person's
    convictions from anywhere in the state. No check for a one-county policy (its own
    territory rule already kept other counties out)."""
    from app.rules import packs
    from app.rules.predicates import home_county_decider

    try:
        territory = packs.load_pack(policy_id).territory
    except ClearSlateError:  # the evaluation ran under this pack; a refusal here changes nothing
        return None, ""
    decide = home_county_decider(territory, county)
    if decide is None:
        statewide = len(territory.get("counties", [])) > 1
        note = (
            f"The county setting '{county}' is not one county this policy can name, so the "
            "filings list the cases of every county: check that each is for this court."
        )
        return None, note if statewide else ""
    home = county.strip()

    def why(court: str | None, county_text: str | None) -> str | None:
        outside, unclear = decide(court, county_text)
        if unclear:
            return f"Not for the {home} court until checked: {unclear}"
        if outside:
            return (
                f"Another county's case ({outside['place']}): for that county's court, not "
                f"{home}'s, which acts only on its own cases."
            )
        return None

    return why, ""


def export_packet(
    ws: Workspace,
    user: auth.User,
    out_dir: str | os.PathLike[str],
    progress: Progress | None = None,
) -> PacketReport:
    """Write the packet of the newest sign-off into ``out_dir`` (a new folder)."""
    from app.exports.filings_docx import write_filing_docx
    from app.exports.filings_pdf import write_filing_pdf
    from app.exports.notices_docx import write_notices_docx
    from app.exports.notices_pdf import write_notices_pdf
    from app.exports.summary import compute_figures, write_summary_pdf
    from app.exports.workbook import write_workbook

    started = time.perf_counter()
    if not user.can("export"):
        try:
            user.require("export")
        except PermissionDenied as exc:
            _refuse(ws, user, out_dir, "role", exc)
    status = signoff_status(ws)
    if not status.valid:
        _refuse(ws, user, out_dir, "sign-off", ExportError(status.message()))
    record = status.require_valid()
    # A packet carries the audit log as evidence: one from a log that does not verify
    # (an entry edited or removed behind the triggers) is refused, as the sign-off is.
    chain = ws.verify_audit()  # the hash chain, and its newest recorded entry still there
    if not chain.ok:
        _refuse(
            ws,
            user,
            out_dir,
            "audit chain",
            ExportError(
                f"The audit log is broken at entry {chain.first_bad_seq} ({chain.problem}); "
                "nothing can be exported until an administrator investigates (run Tools ▸ Verify).",
                file=ws.path.name,
            ),
        )
    try:
        target = _target(out_dir)
    except ExportError as exc:
        _refuse(ws, user, out_dir, "folder", exc)
    data = packet_data(ws, record)
    if len(data.rows) != record.count_total:
        _refuse(
            ws,
            user,
            out_dir,
            "count mismatch",
            ExportError(
                f"The sign-off covers {record.count_total:,} counts but {len(data.rows):,} were "
                "found; run Tools ▸ Verify and sign off again."
            ),
        )
    templates = load_templates(data.policy.policy_id)
    unfiled = [r for r in data.reliefs() if r not in templates.reliefs]
    if unfiled:
        # An override can decide an outcome the pack's law does not give (e.g. "vacate" under
        # Prop 64); no filing may ask a court for it.
        _refuse(ws, user, out_dir, "relief not in policy", _unfiled_error(data, unfiled))
    fingerprint = data.fingerprint()
    filings = build_filings(data, templates, fingerprint)
    # The letter to each person, where the pack's program sent one (Seattle, 2018).
    notices = build_notices(data, templates, fingerprint)
    warnings = _empty_settings_warnings(data.office)
    warnings.extend(data.filing_notes())
    audit_entries = [AuditRow(*row) for row in store.audit_rows(ws.conn)]

    removed = remove_stale_partials(ws, user, target.parent)
    if removed:
        warnings.append(
            f"Removed {len(removed)} unfinished export folder(s) left in {target.parent} by an "
            f"export that was stopped: {', '.join(removed)}."
        )
    tmp = target.parent / f".{target.name}.partial-{os.getpid()}-{uuid.uuid4().hex[:12]}"
    steps = (len(filings) + len(notices)) * 2 + 4
    done = 0
    pages: dict[str, int] = {}
    names: list[str] = []

    def step(message: str) -> None:
        nonlocal done
        check_cancelled(progress)
        if progress is not None:
            progress.report(done, steps, message)
        done += 1

    def finished(name: str) -> None:
        fsync_file(tmp / name)
        names.append(name)

    try:
        tmp.mkdir()
        # Each filing, then each relief's notices: a PDF and an editable DOCX of each.
        documents: list[tuple[str, str, Any, Any, Any]] = [
            (filing_file_stem(f), f.short_title, f, write_filing_pdf, write_filing_docx)
            for f in filings
        ] + [
            (notices_file_stem(n), f"the {n.short_title.lower()}", n, write_notices_pdf,
             write_notices_docx)
            for n in notices
        ]  # fmt: skip
        for file_stem, title, document, write_pdf, write_docx in documents:
            stem = safe_filename(file_stem)
            step(f"Writing {title} (PDF)")
            pdf_name = f"{stem}.pdf"
            pages[pdf_name] = write_pdf(document, tmp / pdf_name, progress=progress)
            finished(pdf_name)
            step(f"Writing {title} (DOCX)")
            write_docx(document, tmp / f"{stem}.docx")
            finished(f"{stem}.docx")
        step("Writing the clerk's workbook")
        write_workbook(data, tmp / WORKBOOK, tick=lambda _n: check_cancelled(progress))
        finished(WORKBOOK)
        step("Writing the summary")
        pages[SUMMARY] = write_summary_pdf(data, compute_figures(data), tmp / SUMMARY)
        finished(SUMMARY)
        step("Writing the audit log")
        write_audit_csv(audit_entries, tmp / AUDIT_CSV)
        finished(AUDIT_CSV)
        write_audit_jsonl(audit_entries, tmp / AUDIT_JSONL)
        finished(AUDIT_JSONL)
        chain_result = {
            "ok": chain.ok,
            "entries": chain.entries,
            "last_hash": chain.last_hash,
            "first_bad_entry": chain.first_bad_seq,
            "problem": chain.problem,
            "checked_at": stamp(),
        }
        write_chain_result(chain_result, tmp / AUDIT_CHAIN)
        finished(AUDIT_CHAIN)
        step("Writing the manifest")
        manifest = build_manifest(
            tmp,
            names,
            fingerprint=fingerprint,
            fingerprint_data=data.fingerprint_data(),
            extra={
                "generated_at": data.generated_at,
                "generated_by": user.username,
                "clearslate_version": __version__,
                "workspace": ws.path.name,
                "policy": {
                    "id": data.policy.policy_id,
                    "title": data.policy.title,
                    "version": data.policy.pack_version,
                    "pack_sha256": data.policy.pack_sha256,
                    "as_of": data.policy.as_of,
                    "run_id": data.policy.run_id,
                },
                "signoff": {
                    "id": record.id,
                    "user": record.user,
                    "at": record.at,
                    "decisions_hash": record.decisions_hash,
                    "count_total": record.count_total,
                },
                "counts": {
                    "by_outcome": data.counts_by_outcome(),
                    "by_relief": {r: len(data.rows_for_relief(r)) for r in data.reliefs()},
                    "people": len({r.person_id for r in data.rows}),
                    "total": len(data.rows),
                },
                "audit_chain": chain_result,
            },
        )
        raw = manifest_bytes(manifest)
        (tmp / MANIFEST).write_bytes(raw)
        fsync_file(tmp / MANIFEST)
        fsync_dir(tmp)
        check_cancelled(progress)
        if target.exists():  # an empty folder the user picked: replace it
            target.rmdir()
        os.replace(tmp, target)
        fsync_dir(target.parent)
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        _fail(ws, user, target, exc)

    from app.exports.files import sha256_file

    manifest_sha = sha256_file(target / MANIFEST)
    try:
        with ws.transaction():
            export_id = store.insert_export(
                ws.conn,
                signoff_id=record.id,
                folder=str(target),
                manifest_sha256=manifest_sha,
                at=stamp(),
                user=user.username,
            )
            ws.audit(
                user.username,
                "export",
                f"export:{export_id}",
                details={
                    "folder": str(target),
                    "manifest_sha256": manifest_sha,
                    "fingerprint": fingerprint,
                    "signoff_id": record.id,
                    "files": len(names) + 1,
                    "counts": manifest["counts"],
                },
            )
    except BaseException as exc:
        # Nothing leaves unrecorded: without its audit entry the packet is removed again.
        shutil.rmtree(target, ignore_errors=True)
        _fail(ws, user, target, exc)
    if progress is not None:
        progress.report(steps, steps, "Done")
    return PacketReport(
        folder=target,
        manifest_sha256=manifest_sha,
        fingerprint=fingerprint,
        signoff_id=record.id,
        files=manifest["files"] + [{"name": MANIFEST, "size": len(raw), "sha256": manifest_sha}],
        counts_by_outcome=data.counts_by_outcome(),
        pages=pages,
        seconds=time.perf_counter() - started,
        warnings=warnings,
    )


# The office settings every filing prints; an empty one leaves a blank on each page.
_FILING_SETTINGS = (
    "court_name",
    "office_name",
    "attorney_name",
    "attorney_bar_number",
    "office_address",
)


def _empty_settings_warnings(office: Office) -> list[str]:
    """One warning naming the empty settings the way the Settings dialog and the CLI do."""
    empty = [key for key in _FILING_SETTINGS if not getattr(office, key).strip()]
    if not empty:
        return []
    labels = ", ".join(SETTING_KEYS[key].label for key in empty)
    keys = " ".join(f"{key}=…" for key in empty)
    plural = "s are" if len(empty) > 1 else " is"
    return [
        f"The workspace setting{plural} empty, so the filings show a blank to fill in: {labels}. "
        f"Fill them in under Tools ▸ Workspace settings (or: settings WS --set {keys})."
    ]


def _unfiled_error(data: PacketData, reliefs: list[str]) -> ExportError:
    """The refusal naming the counts decided to a relief the policy's law does not give."""
    rows = [r for relief in reliefs for r in data.rows_for_relief(relief)]
    cases = sorted({r.case_number for r in rows})
    shown = ", ".join(cases[:10]) + (f" and {len(cases) - 10:,} more" if len(cases) > 10 else "")
    words = " or ".join(f"'{relief}'" for relief in reliefs)
    return ExportError(
        f"{len(rows):,} signed-off {'count is' if len(rows) == 1 else 'counts are'} decided as "
        f"eligible to {words}, but policy {data.policy.policy_id} gives no such relief, so no "
        f"filing can ask a court for it (cases {shown}). A reviewer must change those "
        "decisions and a supervisor sign off again; nothing was exported."
    )


def _os_error(exc: BaseException) -> OSError | None:
    """The OSError behind ``exc`` (itself, or what a writer wrapped), if there is one."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, OSError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _fail(ws: Workspace, user: auth.User, target: Path, exc: BaseException) -> NoReturn:
    """Audit a failed or cancelled export (its partial folder is already gone) and raise.

    A disk full, a permission or a vanished folder becomes an ExportError naming the
    packet folder, not the hidden partial one, and the file that could not be written.
    """
    if isinstance(exc, Cancelled | KeyboardInterrupt):
        ws.audit_after_failure(
            user.username,
            "export.cancelled",
            str(target),
            "cancelled",
            {"folder": str(target), "why": "cancelled by the user"},
        )
        raise exc
    os_error = _os_error(exc)
    error: BaseException = exc
    if os_error is not None:
        failed = Path(os_error.filename).name if os_error.filename else None
        reason = os_error.strerror or str(os_error)
        error = ExportError(
            f"The packet could not be written ({reason}"
            + (f", writing {failed}" if failed else "")
            + "). Nothing was exported and the unfinished folder was removed. Free some disk "
            "space or choose another folder, then export again.",
            file=str(target),
        )
    problem = ws.audit_after_failure(
        user.username,
        "export.failed",
        str(target),
        "failed",
        {
            "folder": str(target),
            "error": str(error) if isinstance(error, ClearSlateError) else type(exc).__name__,
            "errno": os_error.errno if os_error is not None else None,
        },
    )
    if isinstance(error, ClearSlateError):
        if problem:
            error.message += f" (This failure could not be recorded in the audit log: {problem})"
        if error is exc:
            raise error
        raise error from exc
    raise exc


def _partial_is_stale(path: Path) -> bool:
    """Whether no running export can still be writing this partial folder."""
    match = _PARTIAL.match(path.name)
    if match is None:
        return False
    pid = match.group("pid")
    if pid is not None and os.name == "posix":
        if int(pid) == os.getpid():
            return False
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return True  # the process that wrote it is gone: killed, crashed or powered off
        except PermissionError:
            return False  # another user's running process
        return False
    # No way to ask about the process: only a folder untouched for hours is left over.
    try:
        return time.time() - path.stat().st_mtime > STALE_AFTER_SECONDS
    except OSError:
        return False


def stale_partials(parent: Path) -> list[Path]:
    """Leftover ``.NAME.partial-…`` folders of killed exports in ``parent`` (safe to delete).

    A folder whose export is still running (its process is alive) is not stale.
    """
    with contextlib.suppress(OSError):
        return sorted(
            p
            for p in parent.iterdir()
            if p.is_dir() and not p.is_symlink() and _partial_is_stale(p)
        )
    return []


def remove_stale_partials(ws: Workspace, user: auth.User, parent: Path) -> list[str]:
    """Delete the stale partial folders in ``parent``; audited, returns their names.

    A killed export leaves filings and a workbook full of criminal-history data in a hidden
    folder nobody looks at; the next export into the same folder removes it.
    """
    removed: list[str] = []
    left: list[str] = []
    for path in stale_partials(parent):
        shutil.rmtree(path, ignore_errors=True)
        (left if path.exists() else removed).append(path.name)
    if removed or left:
        ws.audit_after_failure(
            user.username,
            "export.cleanup",
            str(parent),
            "ok" if not left else "failed",
            {"folder": str(parent), "removed": removed, "could_not_remove": left},
        )
    if left:
        log.warning("could not remove stale partial export folders: %s", left)
    return removed


def signed_filings(ws: Workspace) -> list[Any]:
    """The filings of the current valid sign-off, then the notices to each person where the
    policy sends them (for print and print preview; each has a ``short_title``)."""
    record = signoff_status(ws).require_valid()
    data = packet_data(ws, record)
    templates = load_templates(data.policy.policy_id)
    fingerprint = data.fingerprint()
    return [
        *build_filings(data, templates, fingerprint),
        *build_notices(data, templates, fingerprint),
    ]


def print_filing(filing: Any, printer: Any) -> int:
    """Paint one filing (or the notices) on a QPrinter or any paged device, exactly as its
    PDF looks."""
    from app.exports.notices import Notices

    if isinstance(filing, Notices):
        from app.exports.notices_pdf import write_notices_pdf

        return write_notices_pdf(filing, None, device=printer)
    from app.exports.filings_pdf import write_filing_pdf

    return write_filing_pdf(filing, None, device=printer)
