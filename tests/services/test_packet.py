"""The export packet: refusal without a valid sign-off, each file's content, manifest and verify."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from app.core.errors import ExportError, PermissionDenied
from app.exports.files import sha256_file
from app.services.packet import export_packet, verify_packet
from app.services.signoff import signoff
from app.store.audit import recent, verify_chain
from tests.conftest import PASSWORD
from tests.export_seed import CA_OUTCOMES, decide, known_policy, seed  # noqa: F401 - fixture

pytestmark = pytest.mark.usefixtures("known_policy")

HOSTILE_NAMES = [
    ('=HYPERLINK("http://x","y")', "Ann"),
    ("+SUM(1,2)", "Bo"),
    ("-2+3", "Cy"),
    ("@cmd", "Di"),
    ("\tTab", "Ed"),
    ("\rCr", "Fy"),
    ("Nguyễn", "Thị"),
    ("O'Brien", "Núñez"),
]
HOSTILE_CASES = ["=1+1", "+CASE2", "-CASE3", "@CASE4", "\tCASE5", "CASE6", "007", "CASE 8"]


@pytest.fixture
def signed(workspace, login):  # type: ignore[no-untyped-def]
    for key, value in {
        "court_name": "Superior Court of California, County of Kern",
        "office_name": "Office of the District Attorney",
        "attorney_name": "Jane Q. Prosecutor",
        "attorney_bar_number": "123456",
        "office_address": "1215 Truxtun Avenue\nBakersfield, CA 93301",
    }.items():
        workspace.set_setting(key, value, user="admin")
    seeded = seed(
        workspace, 40, names=HOSTILE_NAMES, case_numbers=HOSTILE_CASES, outcomes=CA_OUTCOMES
    )
    signoff(workspace, login("supervisor"), PASSWORD)
    return seeded


def _pdf_text(path: Path) -> tuple[str, int]:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_export_writes_every_file_and_verifies(workspace, login, signed, tmp_path) -> None:
    report = export_packet(workspace, login("supervisor"), tmp_path / "packet")
    folder = tmp_path / "packet"
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(
        [
            "audit-chain.json",
            "audit-log.csv",
            "audit-log.jsonl",
            "clerk-workbook.xlsx",
            "manifest.json",
            "summary.pdf",
            *[
                f"{kind}-{relief}.{ext}"
                for kind in ("motion", "proposed-order")
                for relief in ("dismiss", "reduce")
                for ext in ("pdf", "docx")
            ],
        ]
    )
    manifest = json.loads((folder / "manifest.json").read_text())
    for entry in manifest["files"]:
        path = folder / entry["name"]
        assert path.stat().st_size == entry["size"] and sha256_file(path) == entry["sha256"]
    assert manifest["signoff"]["user"] == "supervisor"
    assert (
        manifest["policy"]["id"] == "ca-prop64-state"
        and manifest["policy"]["pack_sha256"] == "ab" * 32
    )
    assert manifest["counts"]["total"] == 40
    assert manifest["audit_chain"]["ok"] is True
    assert report.manifest_sha256 == sha256_file(folder / "manifest.json")
    entry = recent(workspace.conn, 1, action_prefix="export")[0]
    assert entry.details["manifest_sha256"] == report.manifest_sha256
    assert entry.details["fingerprint"] == report.fingerprint
    assert verify_chain(workspace.conn).ok
    result = verify_packet(folder)
    assert result.ok, result.lines()
    assert result.checked == len(manifest["files"])
    assert not list(tmp_path.glob(".packet.partial-*"))


def test_filings_list_every_eligible_case_and_no_race(workspace, login, signed, tmp_path) -> None:
    export_packet(workspace, login("supervisor"), tmp_path / "p")
    folder = tmp_path / "p"
    for relief in ("dismiss", "reduce"):
        expected = {
            signed.case_numbers[c] for c, o in signed.outcomes.items() if o == f"eligible_{relief}"
        }
        for kind in ("motion", "proposed-order"):
            text, pages = _pdf_text(folder / f"{kind}-{relief}.pdf")
            flat = _norm(text)
            assert pages >= 2
            assert f"Page {pages} of {pages}" in flat
            for case_number in expected:
                assert _norm(case_number).strip() in flat, (relief, case_number)
            # The cover says which policy and when the list was signed off, and the fingerprint.
            assert "ca-prop64-state" in flat and "signed off by supervisor" in flat
            assert json.loads((folder / "manifest.json").read_text())[
                "fingerprint"
            ] in flat.replace(" ", "")
            assert "Hispanic" not in flat and "Black" not in flat  # no race in court filings
    # Not-eligible cases are in no filing.
    ineligible = {
        signed.case_numbers[c] for c, o in signed.outcomes.items() if not o.startswith("eligible_")
    }
    all_text = _norm(
        "".join(_pdf_text(p)[0] for p in folder.glob("*.pdf") if p.name != "summary.pdf")
    )
    for case_number in ineligible - {"CASE6", "007"}:  # short ones could be substrings of others
        assert f" {_norm(case_number).strip()} " not in all_text


def test_docx_filings_open_and_hold_the_case_list(workspace, login, signed, tmp_path) -> None:
    import docx

    export_packet(workspace, login("supervisor"), tmp_path / "p")
    expected = {
        signed.case_numbers[c] for c, o in signed.outcomes.items() if o == "eligible_dismiss"
    }
    document = docx.Document(str(tmp_path / "p" / "motion-dismiss.docx"))
    table = document.tables[0]
    listed = {row.cells[0].text for row in table.rows[1:]}
    # Control characters cannot live in XML; they are shown as U+FFFD.
    assert listed == {c.replace("\t", "\t") for c in expected}
    body = "\n".join(p.text for p in document.paragraphs)
    assert "MOTION TO RECALL, DISMISS AND SEAL" in body and "Jane Q. Prosecutor" in body
    assert "Bar No. 123456" in body and "ca-prop64-state" in body
    section = document.sections[0]
    assert round(section.page_width.inches, 2) == 8.5 and round(section.page_height.inches, 2) == 11
    assert "NUMPAGES" in section.footer._element.xml


def test_workbook_has_no_live_formulas_and_keeps_numbers(
    workspace, login, signed, tmp_path
) -> None:
    import openpyxl

    export_packet(workspace, login("supervisor"), tmp_path / "p")
    book = openpyxl.load_workbook(tmp_path / "p" / "clerk-workbook.xlsx")
    assert book.sheetnames[0] == "Summary"
    assert set(book.sheetnames[1:]) == {
        "Eligible – dismiss",
        "Eligible – reduce",
        "Not eligible",
        "Needs review",
    }
    seen_names: set[str] = set()
    seen_cases: set[str] = set()
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
        if sheet.title == "Summary":
            continue
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref
        headers = [c.value for c in sheet[1]]
        assert headers[:3] == ["Case number", "Count", "Name"]
        assert (
            "Source: Fine" in headers
            and "Recommendation" in headers
            and "Override reason" in headers
        )
        fine = headers.index("Source: Fine")
        for row in sheet.iter_rows(min_row=2, values_only=True):
            seen_cases.add(row[0])
            seen_names.add(row[2])
            assert isinstance(row[fine], int)  # numbers stay numbers
    assert "=1+1" in seen_cases and "+CASE2" in seen_cases and "007" in seen_cases
    assert '=HYPERLINK("http://x","y"), Ann' in seen_names and "Nguyễn, Thị" in seen_names


def test_summary_pdf_has_figures_and_demographics(workspace, login, signed, tmp_path) -> None:
    export_packet(workspace, login("supervisor"), tmp_path / "p")
    text, pages = _pdf_text(tmp_path / "p" / "summary.pdf")
    flat = _norm(text)
    assert pages == 3
    for phrase in (
        "Counts by final outcome",
        "decade of disposition",
        "offense section",
        "relieved of at least one felony",
        "no conviction at all",
        "by race and sex",
        "Hispanic",
        # The policy by its name (the pack id beside it), dates and times in words.
        "Policy: Health and Safety Code sections 11361.8 and 11361.9",
        "(ca-prop64-state ",
        "signed off by supervisor on ",
    ):
        assert phrase in flat, phrase
    assert not re.search(r"\d{4}-\d{2}-\d{2}", flat), "ISO dates or stamps on the summary"


def test_audit_log_files_match_the_chain(workspace, login, signed, tmp_path) -> None:
    from app.store.audit import entry_hash

    export_packet(workspace, login("supervisor"), tmp_path / "p")
    lines = (tmp_path / "p" / "audit-log.jsonl").read_text().splitlines()
    prev = "0" * 64
    for line in lines:
        e = json.loads(line)
        assert e["prev_hash"] == prev
        assert (
            entry_hash(
                prev,
                e["seq"],
                e["at"],
                e["user"],
                e["action"],
                e["object"],
                e["outcome"],
                e["details"],
            )
            == e["hash"]
        )
        prev = e["hash"]
    csv_text = (tmp_path / "p" / "audit-log.csv").read_text(encoding="utf-8-sig")
    assert csv_text.startswith("seq,at,user,action") and csv_text.count("\n") >= len(lines) + 1
    assert json.loads((tmp_path / "p" / "audit-chain.json").read_text())["ok"] is True


def test_export_refused_without_signoff(workspace, login, tmp_path) -> None:
    seed(workspace, 3)
    with pytest.raises(ExportError, match="no sign-off"):
        export_packet(workspace, login("supervisor"), tmp_path / "p")
    assert not (tmp_path / "p").exists()


def test_export_refused_after_a_later_decision_naming_the_count(
    workspace, login, signed, tmp_path
) -> None:
    count_id = signed.count_ids[7]
    decide(
        workspace, count_id, "not_eligible", "reviewer", action="override", reason="found a prior"
    )
    with pytest.raises(ExportError, match="void.*CASE 8"):
        export_packet(workspace, login("supervisor"), tmp_path / "p")
    assert not (tmp_path / "p").exists()
    assert recent(workspace.conn, 1, action_prefix="export.refused")[0].outcome == "refused"


def test_reviewer_cannot_export(workspace, login, signed, tmp_path) -> None:
    with pytest.raises(PermissionDenied):
        export_packet(workspace, login("reviewer"), tmp_path / "p")
    entry = recent(workspace.conn, 1)[0]
    assert (entry.action, entry.user, entry.outcome) == ("export.refused", "reviewer", "refused")
    assert entry.details["why"] == "role" and "reviewer" in entry.details["message"]
    assert verify_chain(workspace.conn).ok


def test_existing_folder_is_refused_and_names_are_sanitized(
    workspace, login, signed, tmp_path
) -> None:
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x.txt").write_text("x")
    with pytest.raises(ExportError, match="already exists"):
        export_packet(workspace, login("supervisor"), tmp_path / "full")
    entry = recent(workspace.conn, 1)[0]
    assert (entry.action, entry.outcome, entry.details["why"]) == (
        "export.refused",
        "refused",
        "folder",
    )
    assert str(tmp_path / "full") in entry.details["message"]
    assert sorted(p.name for p in (tmp_path / "full").iterdir()) == ["x.txt"]
    report = export_packet(workspace, login("supervisor"), tmp_path / "CON")
    assert report.folder.name == "_CON" and report.folder.is_dir()


def test_verify_names_altered_missing_and_extra_files(workspace, login, signed, tmp_path) -> None:
    export_packet(workspace, login("supervisor"), tmp_path / "p")
    folder = tmp_path / "p"
    data = bytearray((folder / "clerk-workbook.xlsx").read_bytes())
    data[len(data) // 2] ^= 0x01  # one bit of one byte
    (folder / "clerk-workbook.xlsx").write_bytes(bytes(data))
    (folder / "summary.pdf").unlink()
    (folder / "notes.txt").write_text("added later")
    result = verify_packet(folder)
    assert not result.ok
    assert result.altered == ["clerk-workbook.xlsx"]
    assert result.missing == ["summary.pdf"]
    assert result.extra == ["notes.txt"]
    text = "\n".join(result.lines())
    assert (
        "ALTERED: clerk-workbook.xlsx" in text
        and "MISSING: summary.pdf" in text
        and "EXTRA: notes.txt" in text
    )
    assert result.to_dict()["ok"] is False


def test_verify_catches_an_edited_manifest(workspace, login, signed, tmp_path) -> None:
    export_packet(workspace, login("supervisor"), tmp_path / "p")
    path = tmp_path / "p" / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["fingerprint_data"]["counts_by_outcome"]["eligible_dismiss"] += 1
    path.write_text(json.dumps(manifest))
    result = verify_packet(tmp_path / "p")
    assert not result.ok and any("fingerprint does not match" in p for p in result.problems)


_KILLED_CHILD = r"""
import sys, time
from app.services import auth
from app.services.packet import export_packet
from app.store.workspace import Workspace

class Stall:
    def report(self, done, total, message=""):
        if "workbook" in message:
            print("STALLED", flush=True)
            time.sleep(60)
    def cancelled(self):
        return False

ws = Workspace.open(sys.argv[1])
user = auth.login(ws, "supervisor", sys.argv[3])
export_packet(ws, user, sys.argv[2], progress=Stall())
"""


def test_a_killed_export_leaves_nothing_under_the_final_name(
    workspace, login, signed, tmp_path
) -> None:
    import os
    import signal
    import subprocess
    import sys

    target = tmp_path / "killed"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    child = subprocess.Popen(
        [sys.executable, "-c", _KILLED_CHILD, str(workspace.path), str(target), PASSWORD],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=Path(__file__).parents[2],
    )
    try:
        line = child.stdout.readline()  # the filings are written; the workbook is next
        assert line.strip() == "STALLED", child.stderr.read()
        partial = list(tmp_path.glob(".killed.partial-*"))
        assert len(partial) == 1 and any(partial[0].glob("*.pdf"))
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
    assert not target.exists()
    assert not recent(workspace.conn, 1, action_prefix="export")  # nothing recorded as exported
    # A later export to the same name works; the leftover partial folder does not get in the way.
    assert verify_packet(tmp_path / "elsewhere").warnings  # verify names the leftover too
    report = export_packet(workspace, login("supervisor"), target)
    assert verify_packet(report.folder).ok
    # ...and that export removed the leftover (criminal-history data), said so and audited it.
    assert not partial[0].exists()
    assert any(partial[0].name in w for w in report.warnings)
    cleanup = recent(workspace.conn, 1, action_prefix="export.cleanup")[0]
    assert cleanup.details["removed"] == [partial[0].name]


def _break_the_chain(workspace, seq: int = 5) -> None:  # type: ignore[no-untyped-def]
    """What the auditor did with the sqlite3 shell: drop the trigger, edit an entry."""
    workspace.conn.execute("DROP TRIGGER audit_no_update")
    workspace.conn.execute("UPDATE audit SET details = '{\"edited\":1}' WHERE seq = ?", (seq,))


def test_export_is_refused_and_audited_when_the_audit_chain_is_broken(
    workspace, login, signed, tmp_path
) -> None:
    _break_the_chain(workspace, 5)
    with pytest.raises(ExportError, match="audit log is broken at entry 5"):
        export_packet(workspace, login("supervisor"), tmp_path / "p")
    assert not (tmp_path / "p").exists()
    assert [p.name for p in tmp_path.iterdir() if ".partial-" in p.name] == []
    entry = recent(workspace.conn, 1)[0]
    assert (entry.action, entry.outcome, entry.details["why"]) == (
        "export.refused",
        "refused",
        "audit chain",
    )


def _rewrite_in_manifest(folder: Path, name: str, data: bytes) -> None:
    """Change a packet file and its manifest entry consistently (as an older export wrote it)."""
    (folder / name).write_bytes(data)
    manifest = json.loads((folder / "manifest.json").read_text())
    for entry in manifest["files"]:
        if entry["name"] == name:
            entry["size"], entry["sha256"] = len(data), sha256_file(folder / name)
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2))


def test_verify_fails_a_packet_whose_recorded_audit_chain_is_broken(
    workspace, login, signed, tmp_path
) -> None:
    # Before this fix a packet could be exported from a broken chain: only "ok": false inside
    # audit-chain.json said so, and verify DIR said OK.
    export_packet(workspace, login("supervisor"), tmp_path / "p")
    folder = tmp_path / "p"
    chain = json.loads((folder / "audit-chain.json").read_text())
    chain.update(ok=False, first_bad_entry=22, problem="entry 22 does not match its hash")
    _rewrite_in_manifest(folder, "audit-chain.json", json.dumps(chain).encode())
    result = verify_packet(folder)
    assert not result.ok
    assert result.altered == [] and result.missing == []
    text = "\n".join(result.lines())
    assert "BROKEN AUDIT CHAIN" in text and "first bad entry 22" in text
    assert "must not be filed" in text


class _BlockSummary:
    """Progress that puts a folder where summary.pdf goes: the write fails with a real OSError."""

    def __init__(self, parent: Path) -> None:
        self.parent = parent

    def report(self, done: int, total: int | None, message: str = "") -> None:
        if message == "Writing the summary":
            (partial,) = self.parent.glob(".p.partial-*")
            (partial / "summary.pdf").mkdir()

    def cancelled(self) -> bool:
        return False


def test_a_write_failure_removes_the_partial_folder_and_is_audited(
    workspace, login, signed, tmp_path
) -> None:
    exports_before = workspace.conn.execute("SELECT count(*) FROM exports").fetchone()[0]
    with pytest.raises(ExportError) as caught:
        export_packet(
            workspace, login("supervisor"), tmp_path / "p", progress=_BlockSummary(tmp_path)
        )
    error = caught.value
    assert error.file == str(tmp_path / "p")  # the packet folder, not the hidden partial one
    assert "could not be written" in error.message and "summary.pdf" in error.message
    assert "Traceback" not in str(error)
    left = [p.name for p in tmp_path.iterdir()]
    assert "p" not in left and not [n for n in left if ".partial-" in n], left
    assert workspace.conn.execute("SELECT count(*) FROM exports").fetchone()[0] == exports_before
    entry = recent(workspace.conn, 1)[0]
    assert (entry.action, entry.outcome) == ("export.failed", "failed")
    assert entry.details["folder"] == str(tmp_path / "p") and entry.details["errno"]
    assert verify_chain(workspace.conn).ok
    # The folder is free for the next try, which works.
    assert verify_packet(export_packet(workspace, login("supervisor"), tmp_path / "p").folder).ok


def test_only_partial_folders_of_finished_processes_are_stale(
    workspace, login, signed, tmp_path
) -> None:
    import os
    import subprocess
    import sys

    from app.services.packet import stale_partials

    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead = tmp_path / f".old.partial-{gone.stdout.strip()}-0123456789ab"
    alive = tmp_path / f".busy.partial-{os.getppid()}-0123456789ab"
    mine = tmp_path / f".mine.partial-{os.getpid()}-0123456789ab"
    other = tmp_path / ".notes"
    for folder in (dead, alive, mine, other):
        folder.mkdir()
        (folder / "clerk-workbook.xlsx").write_bytes(b"criminal history")
    assert stale_partials(tmp_path) == [dead]
    report = export_packet(workspace, login("supervisor"), tmp_path / "next")
    assert not dead.exists() and alive.exists() and mine.exists() and other.exists()
    assert any(dead.name in w for w in report.warnings)


def test_export_is_refused_when_the_audit_log_was_cut_short(
    workspace, login, signed, tmp_path
) -> None:
    # The chain of what is left still links up; the entry recorded beside the file is gone.
    newest = workspace.conn.execute("SELECT max(seq) FROM audit").fetchone()[0]
    workspace.conn.execute("DROP TRIGGER audit_no_delete")
    workspace.conn.execute("DELETE FROM audit WHERE seq > ?", (newest - 3,))
    assert verify_chain(workspace.conn).ok
    with pytest.raises(ExportError, match="audit log is broken"):
        export_packet(workspace, login("supervisor"), tmp_path / "p")
    assert not (tmp_path / "p").exists()


def _office(workspace, court: str) -> None:  # type: ignore[no-untyped-def]
    for key, value in {
        "court_name": court,
        "office_name": "Office of the State's Attorney",
        "attorney_name": "Jane Q. Prosecutor",
        "attorney_bar_number": "123456",
        "office_address": "1 Main Street\nTowson, MD 21204",
    }.items():
        workspace.set_setting(key, value, user="admin")


def test_export_refuses_a_relief_the_policy_does_not_give(workspace, login, tmp_path) -> None:
    # The default cycle decides some California counts "eligible to vacate" (as an override
    # can): Prop 64 gives no vacatur, and the generic motion to vacate must not be filed.
    seeded = seed(workspace, 5)
    signoff(workspace, login("supervisor"), PASSWORD)
    vacated = [seeded.case_numbers[c] for c, o in seeded.outcomes.items() if o == "eligible_vacate"]
    with pytest.raises(ExportError, match=f"'vacate'.*ca-prop64-state.*{vacated[0]}"):
        export_packet(workspace, login("supervisor"), tmp_path / "p")
    assert not (tmp_path / "p").exists() and not list(tmp_path.glob(".p.partial-*"))
    entry = recent(workspace.conn, 1)[0]
    assert (entry.action, entry.outcome, entry.details["why"]) == (
        "export.refused",
        "refused",
        "relief not in policy",
    )


def test_filings_state_the_relief_in_the_packs_words_and_us_dates(
    workspace, login, tmp_path
) -> None:
    # Maryland's automatic expungement is the engine's "eligible_dismiss": the court must read
    # "expunge", not "dismiss"; dates read as a US court writes them.
    _office(workspace, "District Court of Maryland for Baltimore County")
    seeded = seed(workspace, 4, outcomes=["eligible_dismiss"], policy_id="md-2022-auto-expunge")
    workspace.conn.execute(
        "UPDATE users SET full_name = 'Dana Reyes' WHERE username = 'supervisor'"
    )
    signoff(workspace, login("supervisor"), PASSWORD)
    export_packet(workspace, login("supervisor"), tmp_path / "p")
    # The files are named by what they are: this law's first document is a list, not a motion.
    assert not (tmp_path / "p" / "motion-dismiss.pdf").exists()
    for kind in ("expungement-list", "proposed-order"):
        text, pages = _pdf_text(tmp_path / "p" / f"{kind}-dismiss.pdf")
        flat = _norm(text)
        assert "Expunge (automatic)" in flat and "Dismiss" not in flat
        assert (
            "List of cases for automatic expungement"
            if kind == "expungement-list"
            else "expungement"
        ) in flat
        assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", flat), "ISO dates in a court filing"
        assert "signed off by Dana Reyes (supervisor) on" in flat
        for count_id in seeded.count_ids:
            row = workspace.conn.execute(
                "SELECT p.dob, c.disposition_date FROM counts c JOIN people p ON p.id = c.person_id "
                "WHERE c.id = ?",
                (count_id,),
            ).fetchone()
            for iso in row:
                year, month, day = iso.split("-")
                assert f"{month}/{day}/{year}" in flat
    body = _norm(_pdf_text(tmp_path / "p" / "expungement-list-dismiss.pdf")[0])
    assert "before July 1, 2023" in body and "eligibility as of January 1, 2025" in body


def test_a_redesignation_says_what_each_conviction_becomes(
    workspace, login, signed, tmp_path
) -> None:
    export_packet(workspace, login("supervisor"), tmp_path / "p")
    flat = _norm(_pdf_text(tmp_path / "p" / "motion-reduce.pdf")[0])
    # The seed's reduce counts are 11359 felonies: a felony becomes a misdemeanor.
    assert "Felony to misdemeanor" in flat and "Misdemeanor to infraction" not in flat
    import docx

    table = docx.Document(str(tmp_path / "p" / "motion-reduce.docx")).tables[0]
    assert {row.cells[-1].text for row in table.rows[1:]} == {"Felony to misdemeanor"}


def test_the_court_named_in_the_settings_is_the_only_court_on_the_caption(
    workspace, login, tmp_path
) -> None:
    _office(workspace, "Supreme Court of the State of New York, County of Kings")
    seed(workspace, 3, outcomes=["eligible_vacate"], policy_id="ny-brooklyn-2018")
    signoff(workspace, login("supervisor"), PASSWORD)
    export_packet(workspace, login("supervisor"), tmp_path / "p")
    for kind in ("affirmation", "proposed-order"):
        flat = _norm(_pdf_text(tmp_path / "p" / f"{kind}-vacate.pdf")[0]).upper()
        assert "SUPREME COURT OF THE STATE OF NEW YORK, COUNTY OF KINGS" in flat
        assert "CRIMINAL COURT" not in flat  # the template no longer names a court of its own


def test_a_statewide_policy_files_only_the_workspace_countys_cases(
    workspace, login, tmp_path
) -> None:
    """A DOJ extract lists a person's convictions from every county and a statewide law relieves
    them all, but the filings go to the workspace's court, which acts only on its own cases:
    another county's case, and one whose county cannot be told, stay out of the filings and are
    named in the clerk's workbook and the report."""
    import openpyxl

    workspace.set_setting(
        "court_name", "Superior Court of California, County of Kern", user="admin"
    )
    seeded = seed(workspace, 6, outcomes=CA_OUTCOMES, case_numbers=[f"KC{i}00X" for i in range(6)])
    relief = [c for c in seeded.count_ids if seeded.outcomes[c].startswith("eligible_")]
    assert len(relief) == 4
    home, fresno, unclear, by_court = (seeded.case_numbers[c] for c in relief)
    with workspace.transaction():
        for case_number, court, county in (
            (fresno, "Fresno Superior", "Fresno"),
            (unclear, "Superior Court", None),
            (by_court, "Kern County Superior Court", None),  # the court says where it sits
        ):
            workspace.conn.execute(
                "UPDATE cases SET court = ?, county = ? WHERE case_number = ?",
                (court, county, case_number),
            )
    signoff(workspace, login("supervisor"), PASSWORD)
    report = export_packet(workspace, login("supervisor"), tmp_path / "p")
    folder = tmp_path / "p"
    filed = _norm("".join(_pdf_text(p)[0] for p in folder.glob("*.pdf") if p.name != "summary.pdf"))
    assert home in filed and by_court in filed
    assert fresno not in filed and unclear not in filed
    summary = _norm(_pdf_text(folder / "summary.pdf")[0])
    assert "Of those, for another county's court or to check (not in these filings) 2" in summary
    assert any("2 counts decided to relief are not in these filings" in w for w in report.warnings)
    assert verify_packet(folder).ok

    book = openpyxl.load_workbook(folder / "clerk-workbook.xlsx", read_only=True)
    marks: dict[str, str] = {}
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        if rows and "In these filings" in rows[0]:
            column = rows[0].index("In these filings")
            marks.update({r[0]: r[column] for r in rows[1:]})
    assert marks[home] == "yes" and marks[by_court] == "yes"
    # The workbook often travels alone: its summary sheet says what the filings leave out.
    summary_rows = {r[0]: r[1] for r in book["Summary"].iter_rows(values_only=True) if r[0]}
    assert "2 counts decided to relief are not in these filings" in summary_rows["Note"]
    assert summary_rows["Policy"].startswith("Health and Safety Code sections 11361.8")
    assert summary_rows["Policy pack"] == "ca-prop64-state"
    assert "Another county's case (Fresno Superior, Fresno)" in marks[fresno]
    assert "not clear" not in marks[fresno] and "check" in marks[unclear].lower()


def test_a_one_county_policy_files_what_its_own_territory_rule_let_through(
    workspace, login, tmp_path
) -> None:
    from app.rules import packs
    from app.rules.predicates import home_county_decider

    # Brooklyn's pack covers Kings County only: the engine already kept other counties out.
    assert home_county_decider(packs.load_pack("ny-brooklyn-2018").territory, "Kings") is None
    # A statewide pack reads the county setting with the state's spellings...
    mrta = packs.load_pack("ny-mrta-2021").territory
    decide = home_county_decider(mrta, "Manhattan")
    assert decide is not None
    assert decide(None, "New York") == (None, None)
    assert decide("Criminal Court of the City of New York, County of New York", None) == (
        None,
        None,
    )
    assert decide(None, "Erie")[0] is not None
    # ... and cannot name a county from a setting that may mean two.
    assert (
        home_county_decider(packs.load_pack("md-2022-auto-expunge").territory, "Baltimore") is None
    )


def test_a_county_setting_the_policy_cannot_place_is_said(workspace, login, tmp_path) -> None:
    """No county to file for: nothing is left out, and the export says to check every case."""
    workspace.set_setting("county", "Kern DA Office", user="admin")
    seed(workspace, 3, outcomes=CA_OUTCOMES)
    signoff(workspace, login("supervisor"), PASSWORD)
    report = export_packet(workspace, login("supervisor"), tmp_path / "p")
    assert any(
        "'Kern DA Office' is not one county this policy can name" in w for w in report.warnings
    )


def test_empty_office_settings_are_named_as_the_settings_dialog_names_them(
    workspace, login, signed, tmp_path
) -> None:
    full = export_packet(workspace, login("supervisor"), tmp_path / "full")
    assert not any("setting" in w for w in full.warnings)

    workspace.set_setting("attorney_bar_number", "", user="admin")
    workspace.set_setting("office_address", "  ", user="admin")
    report = export_packet(workspace, login("supervisor"), tmp_path / "blank")
    about_settings = [w for w in report.warnings if "setting" in w]
    # One warning, in the Settings dialog's words, with the keys the command line takes.
    assert len(about_settings) == 1
    assert "Bar number, Office address." in about_settings[0]
    assert "Tools ▸ Workspace settings" in about_settings[0]
    assert "--set attorney_bar_number=… office_address=…" in about_settings[0]
    assert "attorney_name" not in about_settings[0]
