"""``clearslate --self-test``: the whole flow on a sample, offline, to prove an installation is whole.

It runs offscreen in a temporary folder: create a workspace, import a shipped sample
workbook, evaluate, accept the clear recommendations, sign off, export the packet and
verify it. Every Internet socket is refused while it runs, so a pass also proves that
nothing reaches for the network. It prints ONE line and exits 0 on success; on failure it
prints one line naming the step that failed (never a traceback; that goes to the log)
and exits 1. County IT runs it after installing; ``make dist-check`` runs it on the bundle.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import importlib
import importlib.util
import logging
import os
import shutil
import socket
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app import APP_NAME, __version__
from app.resources import is_frozen, resource_path, samples_dir

log = logging.getLogger(__name__)

POLICY = "ca-prop64-state"
COUNTY = "Kern"
SAMPLE = (
    "ca_doj_extract.xlsx"  # the California DOJ-style extract; made by app/tools/make_samples.py
)
# Throw-away accounts in a throw-away workspace; they only have to pass the password rules.
USERS = {
    "admin": ("admin", "self-test-admin-1"),
    "clerk": ("clerk", "self-test-clerk-1"),
    "reviewer": ("reviewer", "self-test-reviewer-1"),
    "supervisor": ("supervisor", "self-test-supervisor-1"),
}
# Modules the window needs at run time; checked by import because a bundle that lacks one
# still passes every data step. (This layer never builds widgets: it only loads the library.)
WINDOW_MODULES = ("PySide6.QtWidgets", "PySide6.QtPrintSupport")
# Modules that must NOT be in the bundle (RELIABILITY.md 7: no network).
FORBIDDEN_MODULES = ("PySide6.QtNetwork", "PySide6.QtWebEngineCore", "PySide6.QtQml", "ssl")


class SelfTestFailure(Exception):
    """A step found something wrong; the message says what, in one sentence."""


class NetworkRefused(OSError):
    """Raised in place of any Internet socket while the self-test runs."""


@dataclass
class _Context:
    folder: Path
    ws: Any = None
    users: dict[str, Any] = field(default_factory=dict)
    counts: int = 0
    people: int = 0
    accepted: int = 0
    signed: int = 0
    packet: Path | None = None
    packet_files: int = 0
    network_attempts: list[str] = field(default_factory=list)


# -- no network -----------------------------------------------------------------------------


@contextlib.contextmanager
def refuse_network(attempts: list[str]) -> Iterator[None]:
    """Refuse Internet sockets and name look-ups; record every attempt, even one caught later."""
    real_socket = socket.socket
    saved = {name: getattr(socket, name) for name in ("socket", "create_connection", "getaddrinfo")}

    class _RefusingSocket(real_socket):  # type: ignore[misc, valid-type]
        def __init__(
            self, family: int = -1, type: int = -1, proto: int = -1, fileno: int | None = None
        ) -> None:
            # Local (AF_UNIX) sockets stay allowed: they never leave the machine.
            if fileno is None and family in (-1, socket.AF_INET, socket.AF_INET6):
                attempts.append(f"socket(family={family})")
                raise NetworkRefused(
                    "ClearSlate tried to open a network socket during the self-test."
                )
            super().__init__(family, type, proto, fileno)

    def _refuse(name: str) -> Callable[..., Any]:
        def refuse(*args: Any, **kwargs: Any) -> Any:
            attempts.append(f"{name}{args[:2]!r}")
            raise NetworkRefused(
                f"ClearSlate tried to reach the network ({name}) during the self-test."
            )

        return refuse

    socket.socket = _RefusingSocket  # type: ignore[misc]
    socket.create_connection = _refuse("create_connection")  # type: ignore[assignment]
    socket.getaddrinfo = _refuse("getaddrinfo")  # type: ignore[assignment]
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(socket, name, value)


# -- the steps ------------------------------------------------------------------------------


def _service(name: str) -> Any:
    """Import ``app.services.<name>``; a build without it fails the step by name, never silently."""
    try:
        return importlib.import_module(f"app.services.{name}")
    except ImportError as exc:
        raise SelfTestFailure(f"this build has no app.services.{name} ({exc})") from exc


def step_libraries(ctx: _Context) -> str:
    for module in ("PySide6.QtCore", "PySide6.QtGui", *WINDOW_MODULES):
        try:
            importlib.import_module(module)
        except ImportError as exc:
            raise SelfTestFailure(f"the Qt library {module} does not load ({exc})") from exc
    if is_frozen():
        # From source these are installed in the virtual environment; the bundle must lack them.
        present = [m for m in FORBIDDEN_MODULES if _module_present(m)]
        if present:
            raise SelfTestFailure(
                f"the bundle contains network modules it must not have: {', '.join(present)}"
            )
    # openpyxl parses workbook XML safely (no entity expansion bombs) only with defusedxml.
    from openpyxl.xml import DEFUSEDXML

    if not DEFUSEDXML:
        raise SelfTestFailure(
            "defusedxml is missing: workbooks would be parsed without XML protections"
        )
    from app.core.security import hash_password, verify_password

    # scrypt lives in OpenSSL's libcrypto: a bundle that dropped it could not log anyone on.
    if not verify_password("self-test-password", hash_password("self-test-password")):
        raise SelfTestFailure("password hashing does not round-trip")
    return "libraries load"


def _module_present(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def step_resources(ctx: _Context) -> str:
    missing = [
        str(path)
        for path in (
            resource_path("policies", f"{POLICY}.toml"),
            resource_path("templates", "default.toml"),
            resource_path("fonts", "DejaVuSerif.ttf"),
            resource_path("icons", "clearslate.png"),
            resource_path("help", "user-guide.md"),
            samples_dir() / SAMPLE,
        )
        if not path.is_file()
    ]
    if missing:
        raise SelfTestFailure(f"shipped files are missing: {', '.join(missing)}")
    return "resources present"


def step_workspace(ctx: _Context) -> str:
    auth = _service("auth")
    workspaces = _service("workspaces")
    from app.core.model import Role

    admin_name, admin_password = USERS["admin"]
    ctx.ws = workspaces.init_workspace(
        ctx.folder / "self-test.clearslate",
        policy_id=POLICY,
        county=COUNTY,
        admin=admin_name,
        password=admin_password,
        title="ClearSlate self-test",
    )
    admin = auth.login(ctx.ws, admin_name, admin_password)
    for role, (name, password) in USERS.items():
        if role != "admin":
            auth.create_user(ctx.ws, name, password, Role(role), by=admin)
    ctx.users = {
        role: auth.login(ctx.ws, name, password) for role, (name, password) in USERS.items()
    }
    return "workspace created"


def step_import(ctx: _Context) -> str:
    importing = _service("importing")
    report = importing.import_file(
        ctx.ws, samples_dir() / SAMPLE, user=ctx.users["clerk"].username, skip_invalid=True
    )
    if not report.ok or report.counts <= 0:
        raise SelfTestFailure(f"importing {SAMPLE} gave {report.status}: {report.message}")
    ctx.counts, ctx.people = report.counts, report.people
    return f"{report.counts} counts imported"


def step_workers(ctx: _Context) -> str:
    """A big import or evaluation runs worker processes (``spawn``): prove they start here.

    In the frozen app a worker is the executable started again, caught by
    ``multiprocessing.freeze_support()``; a bundle that gets this wrong still passes every
    small step and fails only on a county's big file. The sample is imported once more, as a
    CSV file, into a throw-away workspace with the worker forced, and must give the same
    counts as the import above.
    """
    import_rows = _service("import_rows")
    importing = _service("importing")
    from app.core.dates import cell_text
    from app.ingest.readers import open_table
    from app.store.workspace import Workspace

    if (os.cpu_count() or 1) < 2:
        return "worker processes not used on one CPU"
    path = ctx.folder / "workers.csv"
    with (
        open_table(samples_dir() / SAMPLE) as table,
        path.open("w", newline="", encoding="utf-8") as fh,
    ):
        writer = csv.writer(fh)
        for _, cells in table.rows():
            writer.writerow([cell_text(c) or "" for c in cells])
    ws = Workspace.create(ctx.folder / "workers.clearslate")
    before, threshold = import_rows.started, import_rows.PARALLEL_MIN_BYTES
    import_rows.PARALLEL_MIN_BYTES = 0
    try:
        report = importing.import_file(ws, path, user="self-test", skip_invalid=True)
    finally:
        import_rows.PARALLEL_MIN_BYTES = threshold
        ws.close()
    if import_rows.started == before:
        raise SelfTestFailure("no worker process was started for a forced parallel import")
    if report.counts != ctx.counts:
        raise SelfTestFailure(
            f"the worker process imported {report.counts} counts, the importer alone {ctx.counts}"
        )
    return "worker process ran"


def step_evaluate(ctx: _Context) -> str:
    evaluate = _service("evaluate")
    report = evaluate.evaluate(ctx.ws, user=ctx.users["clerk"].username)
    if report.count_total != ctx.counts:
        raise SelfTestFailure(
            f"evaluated {report.count_total} counts, but {ctx.counts} were imported"
        )
    eligible = sum(n for outcome, n in report.outcomes.items() if outcome.startswith("eligible"))
    if not eligible:
        raise SelfTestFailure(f"the sample should have eligible counts, got {report.outcomes}")
    return "evaluated"


def step_review(ctx: _Context) -> str:
    review = _service("review")
    reviewer = ctx.users["reviewer"]
    review.refresh(ctx.ws)
    preview = review.bulk_preview(ctx.ws, reviewer)
    if preview.counts <= 0:
        raise SelfTestFailure("the review queue offered nothing to accept")
    review.bulk_accept(
        ctx.ws,
        reviewer,
        None,
        "Self-test: accept the clear recommendations.",
        expected_counts=preview.counts,
    )
    ctx.accepted = preview.counts
    return f"{preview.counts} accepted"


def step_signoff(ctx: _Context) -> str:
    signoff = _service("signoff")
    report = signoff.signoff(ctx.ws, ctx.users["supervisor"], USERS["supervisor"][1])
    ctx.signed = report.count_total
    if ctx.signed != ctx.accepted:
        raise SelfTestFailure(
            f"signed off {ctx.signed} decisions, but {ctx.accepted} were accepted"
        )
    return "signed off"


def step_export(ctx: _Context) -> str:
    # As the window exports: in a process of its own (the executable started again when
    # frozen), so a bundle whose export process cannot start fails here, not at a county.
    packet_process = _service("packet_process")
    report = packet_process.export_packet_in_process(
        ctx.ws, ctx.users["supervisor"], ctx.folder / "packet"
    )
    ctx.packet, ctx.packet_files = report.folder, len(report.files)
    pdfs = [f for f in report.files if str(f.get("name", "")).endswith(".pdf")]
    if not pdfs:
        raise SelfTestFailure("the packet has no PDF filing")
    return f"{len(report.files)}-file packet exported"


def step_verify(ctx: _Context) -> str:
    packet = _service("packet")
    verify = _service("verify")
    assert ctx.packet is not None
    result = packet.verify_packet(ctx.packet)
    if not result.ok:
        raise SelfTestFailure(
            "the packet does not match its manifest: " + "; ".join(result.lines())
        )
    chain = verify.verify_workspace(ctx.ws)
    if not chain.ok:
        raise SelfTestFailure(
            "the workspace's audit chain does not verify: " + "; ".join(chain.lines())
        )
    return "verified"


STEPS: tuple[tuple[str, Callable[[_Context], str]], ...] = (
    ("libraries", step_libraries),
    ("resources", step_resources),
    ("workspace", step_workspace),
    ("import", step_import),
    ("workers", step_workers),
    ("evaluate", step_evaluate),
    ("review", step_review),
    ("signoff", step_signoff),
    ("export", step_export),
    ("verify", step_verify),
)


# -- running --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SelfTestResult:
    ok: bool
    line: str
    failed_step: str | None = None
    seconds: float = 0.0
    folder: Path | None = None


def self_test(*, keep: Path | None = None) -> SelfTestResult:
    """Run every step; the result's ``line`` is what ``--self-test`` prints."""
    # Offscreen, always: the self-test must run on a build server and in a locked session.
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    started = time.perf_counter()
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix="clearslate-selftest-", dir=keep))
    else:
        folder = Path(tempfile.mkdtemp(prefix="clearslate-selftest-"))
    ctx = _Context(folder=folder)
    prefix = f"{APP_NAME} {__version__} self-test"
    failed: tuple[str, str] | None = None
    try:
        with refuse_network(ctx.network_attempts):
            for name, step in STEPS:
                step_started = time.perf_counter()
                try:
                    step(ctx)
                except SelfTestFailure as exc:
                    failed = (name, str(exc))
                except Exception as exc:  # any error, user-facing or not, fails the step by name
                    log.exception("self-test step %s failed", name)
                    failed = (name, f"{type(exc).__name__}: {exc}")
                log.info("self-test step %s: %.2f s", name, time.perf_counter() - step_started)
                if failed:
                    break
                if ctx.network_attempts:
                    failed = (name, f"it tried to reach the network: {ctx.network_attempts[0]}")
                    break
    finally:
        if ctx.ws is not None:
            ctx.ws.close()
        if keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    seconds = time.perf_counter() - started
    if failed:
        line = f"{prefix} FAILED at step '{failed[0]}': {failed[1]}"
        return SelfTestResult(False, line, failed[0], seconds, folder if keep else None)
    line = (
        f"{prefix} passed: {ctx.counts} counts of {ctx.people} people imported and evaluated, "
        f"{ctx.accepted} accepted, signed off, {ctx.packet_files}-file packet exported and verified, "
        f"no network, {seconds:.1f} s"
    )
    if keep:
        line += f" (kept in {folder})"
    return SelfTestResult(True, line, None, seconds, folder if keep else None)


def run_self_test(argv: Sequence[str]) -> int:
    """``clearslate --self-test [--keep DIR]``: print one line; exit 0 when every step passed."""
    parser = argparse.ArgumentParser(
        prog="clearslate --self-test", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--keep", metavar="DIR", type=Path, help="keep the test workspace and packet in DIR"
    )
    args = parser.parse_args(list(argv))
    result = self_test(keep=args.keep)
    # A windowed Windows build has no stdout (print then does nothing): the log keeps the line.
    log.log(logging.INFO if result.ok else logging.ERROR, "%s", result.line)
    print(result.line, file=sys.stdout if result.ok else sys.stderr)
    return 0 if result.ok else 1
