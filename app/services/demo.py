"""The whole flow on the sample workbooks, without a window (``python -m app demo``).

Creates a workspace with one demo user per role, imports the sample workbooks of the
California statewide pack, evaluates, accepts the clear recommendations as the reviewer,
signs off as the supervisor, exports the packet and verifies it.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.core.errors import ClearSlateError
from app.core.model import Role

DEMO_POLICY = "ca-prop64-state"
DEMO_COUNTY = "Kern"
# Documented in README.md ("Demo"); for the synthetic demo workspace only.
DEMO_USERS: dict[str, tuple[Role, str]] = {
    "admin": (Role.ADMIN, "demo-admin-pass"),
    "clerk": (Role.CLERK, "demo-clerk-pass"),
    "reviewer": (Role.REVIEWER, "demo-reviewer-pass"),
    "supervisor": (Role.SUPERVISOR, "demo-supervisor-pass"),
}
# Invented names, as a county's administrator would enter them; the filings name the signer.
DEMO_FULL_NAMES = {"reviewer": "Robin Demo", "supervisor": "Sam Demo"}
DEMO_SETTINGS = {
    "court_name": "Superior Court of California, County of Kern",
    "office_name": "Office of the District Attorney, County of Kern (DEMO)",
    "attorney_name": "Alex Demo, Deputy District Attorney",
    "attorney_bar_number": "000000",
    "office_address": "1215 Truxtun Avenue\nBakersfield, CA 93301",
}
MARKER = ".clearslate-demo"  # marks a folder the demo made, so a re-run may replace it
WORKSPACE_NAME = "demo.clearslate"
PACKET_NAME = "packet"


@dataclass
class DemoReport:
    workspace: Path
    packet: Path | None = None
    imported: list[str] = field(default_factory=list)
    counts: int = 0
    accepted: int = 0
    signed: int = 0
    verified: bool = False
    manifest_sha256: str = ""
    steps: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.verified

    def lines(self) -> list[str]:
        return [
            *self.steps,
            "",
            f"Workspace: {self.workspace}",
            f"Packet:    {self.packet}",
            "Demo users (user / password): "
            + ", ".join(f"{name} / {password}" for name, (_role, password) in DEMO_USERS.items()),
            f"Open it:   python -m app --workspace {self.workspace}   (or: make run)",
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "workspace": str(self.workspace),
            "packet": str(self.packet) if self.packet else None,
            "imported": self.imported,
            "counts": self.counts,
            "accepted": self.accepted,
            "signed": self.signed,
            "verified": self.verified,
            "manifest_sha256": self.manifest_sha256,
            "users": {name: password for name, (_role, password) in DEMO_USERS.items()},
        }


# The sample workbooks the demo imports for its policy (made by app/tools/make_samples.py):
# the state's extract, then the county's own messy export — the second source that found the
# cases the state's list missed in Los Angeles — with its rows in error recorded as skipped.
DEMO_SAMPLES = {"ca-prop64-state": ["ca_doj_extract.xlsx", "messy_county_export.xlsx"]}


def sample_files(policy_id: str = DEMO_POLICY) -> list[Path]:
    """The sample workbooks the demo imports for ``policy_id`` that exist."""
    from app.resources import samples_dir

    folder = samples_dir()
    return [folder / name for name in DEMO_SAMPLES.get(policy_id, []) if (folder / name).is_file()]


def _clear_previous(out: Path) -> None:
    """Remove a previous demo in ``out`` (only if the demo made it: the marker file says so)."""
    if not (out / MARKER).is_file():
        if (out / WORKSPACE_NAME).exists() or (out / PACKET_NAME).exists():
            raise ClearSlateError(
                f"{out} already holds a workspace or packet that the demo did not make; choose another --out."
            )
        return
    for name in (WORKSPACE_NAME, WORKSPACE_NAME + "-wal", WORKSPACE_NAME + "-shm"):
        (out / name).unlink(missing_ok=True)
    for name in (PACKET_NAME, "demo.backups"):
        shutil.rmtree(out / name, ignore_errors=True)


def run_demo(out: Path, *, log: Callable[[str], None] | None = None) -> DemoReport:
    from app.services import auth, review
    from app.services.evaluate import evaluate
    from app.services.importing import import_file
    from app.services.packet import export_packet, verify_packet
    from app.services.signoff import signoff
    from app.services.workspaces import init_workspace

    out = out.expanduser().absolute()
    out.mkdir(parents=True, exist_ok=True)
    _clear_previous(out)
    (out / MARKER).write_text(
        "This folder was made by 'python -m app demo'; a re-run replaces it.\n"
    )
    files = sample_files()
    if not files:
        raise ClearSlateError(
            "The sample workbooks are missing (sample_workbooks/). Make them with: python -m app.tools.make_samples"
        )
    report = DemoReport(workspace=out / WORKSPACE_NAME)

    def say(text: str) -> None:
        report.steps.append(text)
        if log:
            log(text)

    admin_name = "admin"
    ws = init_workspace(
        report.workspace,
        policy_id=DEMO_POLICY,
        county=DEMO_COUNTY,
        admin=admin_name,
        password=DEMO_USERS[admin_name][1],
        title="Kern County Prop 64 review (demo)",
        extra_settings=DEMO_SETTINGS,
    )
    try:
        admin = auth.login(ws, admin_name, DEMO_USERS[admin_name][1])
        for name, (role, password) in DEMO_USERS.items():
            if name != admin_name:
                auth.create_user(
                    ws, name, password, role, by=admin, full_name=DEMO_FULL_NAMES.get(name)
                )
        say(
            f"1. Created {report.workspace.name} (policy {DEMO_POLICY}) with users {', '.join(DEMO_USERS)}."
        )

        clerk = auth.login(ws, "clerk", DEMO_USERS["clerk"][1])
        for path in files:
            result = import_file(ws, path, user=clerk.username, skip_invalid=True)
            report.imported.append(path.name)
            say(
                f"2. Imported {path.name}: {result.counts:,} counts of {result.people:,} people ({result.status})."
            )

        evaluation = evaluate(ws, user=clerk.username)
        say(f"3. Evaluated: {_summary_line(evaluation)}")

        reviewer = auth.login(ws, "reviewer", DEMO_USERS["reviewer"][1])
        review.refresh(ws)  # the review queue's summary after the import and evaluation
        preview = review.bulk_preview(ws, reviewer)
        accepted = review.bulk_accept(
            ws,
            reviewer,
            None,
            "Demo: the reviewer accepts every clear recommendation (needs-review counts are left for a person).",
            expected_counts=preview.counts,
        )
        report.accepted = preview.counts
        say(
            f"4. The reviewer accepted {preview.counts:,} clear recommendations in one audited step "
            f"(batch {getattr(accepted, 'batch_id', '') or '-'}); needs-review counts are left for a person."
        )

        supervisor = auth.login(ws, "supervisor", DEMO_USERS["supervisor"][1])
        signed = signoff(ws, supervisor, DEMO_USERS["supervisor"][1])
        report.signed = signed.count_total
        say(
            f"5. The supervisor signed off {signed.count_total:,} decisions (hash {signed.decisions_hash[:16]}…)."
        )

        packet = export_packet(ws, supervisor, out / PACKET_NAME)
        report.packet = packet.folder
        report.manifest_sha256 = packet.manifest_sha256
        say(
            f"6. Exported the packet: {len(packet.files)} files, manifest SHA-256 {packet.manifest_sha256[:16]}…."
        )
        for warning in packet.warnings:
            say(f"   note: {warning}")

        verification = verify_packet(packet.folder)
        report.verified = verification.ok
        say(
            f"7. Verified the packet: {'ok, every file matches its manifest' if verification.ok else 'FAILED'}."
        )
    finally:
        ws.close()
    return report


def _summary_line(evaluation: Any) -> str:
    lines = evaluation.lines() if hasattr(evaluation, "lines") else []
    return lines[0] if lines else "done."
