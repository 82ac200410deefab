"""The command line: the same services as the window, for batch work, scripting and tests.

Exit codes: 0 success, 1 a user-facing error (one line on stderr, never a traceback),
2 usage. Commands that act for a user take ``--user`` and read the password from
``CLEARSLATE_PASSWORD`` or a terminal prompt.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import json
import logging
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from app import APP_NAME, __version__
from app.core.errors import AuthError, ClearSlateError, PermissionDenied
from app.core.model import Role
from app.core.notice import SYSTEM_USE_NOTICE

log = logging.getLogger(__name__)

PASSWORD_ENV = "CLEARSLATE_PASSWORD"  # noqa: S105 - the name of a variable, not a password
NEW_PASSWORD_ENV = "CLEARSLATE_NEW_PASSWORD"  # noqa: S105


# -- helpers ---------------------------------------------------------------------------


_notice_shown = False


def show_notice() -> None:
    """Print the system-use notice (CJIS 5.5.4) on stderr, once per run."""
    global _notice_shown
    if not _notice_shown:
        print(SYSTEM_USE_NOTICE, file=sys.stderr)
        _notice_shown = True


def read_password(env: str = PASSWORD_ENV, prompt: str = "Password: ") -> str:
    value = os.environ.get(env)
    if value is not None:
        return value
    if sys.stdin is not None and sys.stdin.isatty():
        show_notice()  # before anyone types a password at a terminal
        return getpass.getpass(prompt)
    raise AuthError(f"No password: set {env} or run this command in a terminal to be asked for it.")


@contextlib.contextmanager
def session(args: argparse.Namespace, permission: str = "read") -> Iterator[tuple[Any, Any]]:
    """Open the workspace named by ``args.workspace`` and log ``args.user`` on."""
    from app.services import auth
    from app.services.workspaces import open_workspace

    if not getattr(args, "user", None):
        raise AuthError("Name the user with --user NAME.")
    ws = open_workspace(args.workspace)
    try:
        if ws.storage_warning:
            print(f"warning: {ws.storage_warning}", file=sys.stderr)
        user = auth.login(ws, args.user, read_password())
        try:
            user.require(permission)
        except PermissionDenied as exc:  # a role that may not: refused, and audited
            action = ".".join(filter(None, (args.command, getattr(args, "users_command", None))))
            auth.record_refusal(
                ws, user.username, action, ws.path.name, str(exc), permission=permission
            )
            raise
        yield ws, user
    finally:
        ws.close()


def emit(args: argparse.Namespace, data: Any, lines: Sequence[str]) -> None:
    """Print ``data`` as JSON with --json, else the human lines."""
    if getattr(args, "json", False):
        print(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        for line in lines:
            print(line)


# -- commands ----------------------------------------------------------------------------


def cmd_init(args: argparse.Namespace) -> int:
    from app.services.workspaces import init_workspace

    password = read_password(
        NEW_PASSWORD_ENV if NEW_PASSWORD_ENV in os.environ else PASSWORD_ENV,
        prompt=f"New password for {args.admin}: ",
    )
    ws = init_workspace(
        args.workspace,
        policy_id=args.policy,
        county=args.county,
        admin=args.admin,
        password=password,
        title=args.title,
    )
    try:
        emit(
            args,
            {
                "workspace": str(ws.path),
                "policy": args.policy,
                "county": args.county,
                "admin": args.admin,
            },
            [
                f"Created {ws.path} (policy {args.policy}, county {args.county}, admin {args.admin})."
            ],
        )
        if ws.storage_warning:
            print(f"warning: {ws.storage_warning}", file=sys.stderr)
    finally:
        ws.close()
    return 0


def cmd_login(args: argparse.Namespace) -> int:
    show_notice()  # the log-on command shows the notice even when the password is not typed
    with session(args) as (_ws, user):
        emit(
            args,
            {"user": user.username, "role": user.role.value},
            [f"{user.username} logged on ({user.role.value})."],
        )
    return 0


def cmd_users(args: argparse.Namespace) -> int:
    from app.services import auth

    with session(args, "manage_users") as (ws, user):
        if args.users_command == "add":
            try:
                password = read_password(NEW_PASSWORD_ENV, prompt=f"New password for {args.name}: ")
            except AuthError as exc:  # no password given: refused, and audited like a bad one
                auth.record_refusal(
                    ws, user.username, "user.add", args.name, str(exc), role=args.role
                )
                raise
            auth.create_user(
                ws, args.name, password, Role(args.role), by=user, full_name=args.full_name
            )
            emit(
                args, {"added": args.name, "role": args.role}, [f"Added {args.name} ({args.role})."]
            )
        elif args.users_command == "list":
            records = auth.list_users(ws, by=user)
            rows = [
                {
                    "username": r.username,
                    "role": r.role.value,
                    "full_name": r.full_name,
                    "disabled": r.disabled,
                    "locked": r.locked,
                }
                for r in records
            ]
            lines = [
                f"{r['username']:<20} {r['role']:<11} {(r['full_name'] or ''):<30} "
                f"{'locked ' if r['locked'] else ''}{'disabled' if r['disabled'] else ''}".rstrip()
                for r in rows
            ]
            emit(args, rows, lines)
        elif args.users_command == "unlock":
            auth.unlock_user(ws, args.name, by=user)
            emit(args, {"unlocked": args.name}, [f"Unlocked {args.name}."])
        elif args.users_command in ("disable", "enable"):
            auth.set_disabled(ws, args.name, args.users_command == "disable", by=user)
            emit(
                args,
                {args.users_command + "d": args.name},
                [f"{args.users_command.title()}d {args.name}."],
            )
        elif args.users_command == "name":
            shown = auth.set_full_name(ws, args.name, args.full_name, by=user)
            emit(
                args,
                {"user": args.name, "full_name": shown},
                [f"{args.name} is now named {shown!r} on filings." if shown else
                 f"{args.name} has no full name now; filings print the user name."],
            )
        elif args.users_command == "role":
            auth.set_role(ws, args.name, Role(args.role), by=user)
            emit(args, {"user": args.name, "role": args.role}, [f"{args.name} is now {args.role}."])
        elif args.users_command == "password":
            try:
                password = read_password(NEW_PASSWORD_ENV, prompt=f"New password for {args.name}: ")
            except AuthError as exc:
                auth.record_refusal(ws, user.username, "user.password", args.name, str(exc))
                raise
            auth.change_password(ws, args.name, password, by=user)
            emit(args, {"changed": args.name}, [f"Changed the password of {args.name}."])
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    target = Path(args.target)
    if target.is_dir():
        # A packet folder is checked on its own (it may be the court's copy, far from any
        # workspace), so there is no workspace audit log to record the check in.
        from app.services.packet import verify_packet

        report = verify_packet(target)
        emit(args, report.to_dict(), report.lines())
        return 0 if report.ok else 1
    from app.services.verify import verify_workspace
    from app.services.workspaces import open_workspace

    ws = open_workspace(target)
    try:
        # No ClearSlate log-on here: the audit entry names the operating-system account.
        try:
            who: str | None = f"os:{getpass.getuser()}"
        except (OSError, KeyError, ImportError):
            who = None
        result = verify_workspace(ws, user=who)
    finally:
        ws.close()
    emit(args, result.to_dict(), result.lines())
    return 0 if result.ok else 1


def cmd_policies(args: argparse.Namespace) -> int:
    from app.rules import packs

    if args.show:
        pack = packs.load_pack(args.show)
        data = {
            "id": pack.id,
            "title": pack.title,
            "version": pack.version,
            "jurisdiction": pack.jurisdiction,
            "summary": pack.summary,
            "sha256": pack.sha256,
            "as_of": pack.as_of.isoformat() if pack.as_of else None,
            "territory": pack.territory.get("name"),
            "options": {n: {"default": d.default, "description": d.description} for n, d in pack.option_defs.items()},
            "sources": [{"title": s.title, "citation": s.citation, "url": s.url, "note": s.note} for s in pack.sources],
            "rules": [
                {"code": r.code, "title": r.title, "outcome": r.outcome.value, "citation": r.citation, "text": r.text}
                for r in pack.rules
            ],
        }
        lines = [f"{pack.id} {pack.version}: {pack.title}", f"  {pack.summary}", f"  territory: {data['territory']}"]
        if pack.as_of:
            lines.append(f"  reference date: {pack.as_of.isoformat()}")
        lines.append(f"  sha256: {pack.sha256}")
        lines.append("  options:")
        lines += [f"    {n} = {d.default!r}: {d.description}" for n, d in pack.option_defs.items()] or ["    (none)"]
        lines.append("  rules, in order (the first that applies decides):")
        lines += [f"    {r.code:<32} {r.outcome.value:<17} {r.citation}" for r in pack.rules]
        lines.append("  sources:")
        lines += [f"    - {s.title}" + (f" [{s.citation}]" if s.citation else "") for s in pack.sources]
        emit(args, data, lines)
        return 0
    infos = packs.list_packs()
    emit(
        args,
        [
            {"id": p.id, "title": p.title, "version": p.version, "sources": [s.title for s in p.sources]}
            for p in infos
        ],
        [line for p in infos for line in (f"{p.id:<24} {p.title}", *(f"{'':<26}source: {s.title}" for s in p.sources))],
    )
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from app.services.workspaces import restore_workspace

    path = restore_workspace(args.backup, args.to)
    emit(args, {"restored": str(path), "from": str(args.backup)},
         [f"Restored {Path(args.backup).name} to {path}. Open it and log on as before."])
    return 0


def cmd_settings(args: argparse.Namespace) -> int:
    from app.services import auth, workspaces

    # change_setting checks the role itself, so a refused change is audited like a bad value.
    with session(args) as (ws, user):
        for item in args.set:
            key, sep, value = item.partition("=")
            if not sep:
                why = f"--set takes KEY=VALUE, not {item!r}."
                auth.record_refusal(ws, user.username, "settings.change", item[:200], why)
                raise ClearSlateError(why)
            if key.strip() == "office_address":
                # Typed on one command line: "\n" starts the next line of the address.
                value = value.replace("\\n", "\n")
            workspaces.change_setting(ws, key.strip(), value, by=user)
        values = workspaces.all_settings(ws)
        # A value of several lines (the office address) continues under its first line.
        emit(
            args,
            values,
            [f"{s.key:<20} {values[s.key]}".replace("\n", "\n" + " " * 21) for s in workspaces.SETTINGS],
        )
    return 0


# Info findings the import prints: what the user should know about the file as a whole.
_FILE_INFO = ("file.", "header.")


def cmd_import(args: argparse.Namespace) -> int:
    from app.core.progress import SilentProgress
    from app.services import importing

    with session(args, "import") as (ws, user):
        report = importing.import_file(
            ws,
            args.file,
            user=user.username,
            sheet=args.sheet,
            header_row=args.header_row,
            profile=args.profile,
            overrides=list(args.map) or None,
            encoding=args.encoding,
            skip_invalid=args.skip_invalid,
            progress=SilentProgress(),
        )
        lines = [report.message]
        # Info findings about the file itself (hidden sheets, macros, a renamed blank header)
        # are shown too; row-level info (invisible characters, exact duplicates) is not.
        shown = [
            f
            for f in report.findings
            if f.severity.value != "info" or (f.code or "").startswith(_FILE_INFO)
        ]
        for finding in shown[:200]:
            lines.append(f"  {finding.severity.value}: {finding.where()}: {finding.message}")
        if len(shown) > 200:
            lines.append(f"  ... and {len(shown) - 200} more (all are kept with the import)")
        proposed = importing.proposed_matches(ws) if report.matches_proposed else []
        for match in proposed[:50]:
            lines.append(
                f"  possible same person (match {match.id}): {match.name_a} / {match.name_b}, born {match.dob}; "
                "confirm or reject it in the window or with 'clearslate matches'"
            )
        if len(proposed) > 50:
            lines.append(
                f"  ... and {len(proposed) - 50:,} more possible same people: list them all with "
                "'clearslate matches'"
            )
        emit(args, report.to_json(), lines)
    return 0 if report.ok else 1


def cmd_matches(args: argparse.Namespace) -> int:
    """List the open same-person proposals, or confirm or reject one or several of them."""
    from app.services import importing

    with session(args, "import") as (ws, user):
        if args.confirm or args.reject:
            # Several numbers are decided in one transaction: all of them, or none when one
            # is unknown or already decided (the error names it).
            same = bool(args.confirm)
            done = importing.decide_matches(
                ws, args.confirm if same else args.reject, same=same, user=user.username
            )
            verb = "confirmed: one person now" if same else "rejected: two people"
            lines = [
                f"Match {d.id} {verb} ({d.name_a} / {d.name_b}, born {d.dob})"
                + (f"; {d.note}" if d.note else "")
                + "."
                for d in done
            ]
            lines.append(
                f"{len(done)} matches decided. Evaluate again so the recommendations use them."
                if len(done) > 1
                else "Evaluate again so the recommendations use it."
            )
            data = [
                {"match": d.id, "status": d.status, "name_a": d.name_a, "name_b": d.name_b,
                 "dob": d.dob, "person": d.person, "note": d.note or None}
                for d in done
            ]  # fmt: skip
            emit(args, {"decided": data}, lines)
            return 0
        matches = importing.proposed_matches(ws)
        lines = [
            f"{len(matches):,} possible same-person match(es) to confirm or reject; until then "
            "neither person's counts are recommended for relief."
            if matches
            else "No possible same-person matches are waiting."
        ]
        for m in matches:
            lines.append(
                f"  match {m.id}: {m.name_a} [{m.key_a or 'no key'}] cases {', '.join(m.cases_a) or '-'}"
                f"  /  {m.name_b} [{m.key_b or 'no key'}] cases {', '.join(m.cases_b) or '-'}"
                f"  (born {m.dob})"
            )
        if matches:
            lines.append(
                "Confirm with --confirm N [N ...] or reject with --reject N [N ...] after "
                "checking both records."
            )
        data = [
            {"match": m.id, "name_a": m.name_a, "key_a": m.key_a, "cases_a": m.cases_a,
             "name_b": m.name_b, "key_b": m.key_b, "cases_b": m.cases_b, "dob": m.dob}
            for m in matches
        ]  # fmt: skip
        emit(args, {"proposed": data}, lines)
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    import datetime as dt

    from app.core.progress import SilentProgress
    from app.services.evaluate import evaluate

    as_of = None
    if args.as_of:
        try:
            as_of = dt.date.fromisoformat(args.as_of)
        except ValueError:
            raise ClearSlateError(f"--as-of takes a date like 2020-02-11, not {args.as_of!r}.") from None
    with session(args, "evaluate") as (ws, user):
        report = evaluate(ws, user=user.username, as_of=as_of, dry_run=args.dry_run, progress=SilentProgress())
        emit(args, report.to_json(), report.lines())
    return 0


def cmd_decisions(args: argparse.Namespace) -> int:
    from app.services.decisions import write_decisions

    with session(args, "read") as (ws, user):
        result = write_decisions(ws, args.out, user=user.username)
        emit(
            args,
            {"out": str(result.path), "rows": result.rows, "sha256": result.sha256},
            [f"Wrote {result.rows} counts to {result.path} (SHA-256 {result.sha256})."],
        )
    return 0
_REVIEW_FILTER_KEYS = ("outcome", "status", "place", "county", "court", "section", "reviewer", "search", "rereview")


def _review_filter(items: Sequence[str]) -> Any:
    from app.store.review import QueueFilter

    values: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip().lower()
        if not sep or key not in _REVIEW_FILTER_KEYS:
            raise ClearSlateError(f"--filter takes KEY=VALUE with KEY one of: {', '.join(_REVIEW_FILTER_KEYS)}.")
        if key in ("county", "court"):
            key = "place"
        values[key] = value.strip().lower() in ("1", "yes", "true") if key == "rereview" else value.strip()
    return QueueFilter(**values)


def cmd_review(args: argparse.Namespace) -> int:
    from app.services import review

    acting = bool(args.accept or args.override or args.flag)
    with session(args, "review" if (acting or args.accept_all) else "read") as (ws, user):
        review.refresh(ws)
        filt = _review_filter(args.filter)
        if args.accept_all:
            if args.case or acting:
                raise ClearSlateError("--accept-all decides every matching case; do not combine it with --case or an action.")
            preview = review.bulk_preview(ws, user, filt)
            reason = args.reason or "Accepted in bulk from the command line (review --accept-all)."
            result = review.bulk_accept(ws, user, filt, reason, expected_counts=preview.counts)
            emit(args, {**result.to_dict(), "filter": filt.describe(), "cases": preview.cases,
                        "needs_review_left": preview.needs_review_left},
                 [preview.description, result.message])
            return 0
        if not args.case:
            if acting:
                raise ClearSlateError("Name the case with --case N.")
            figures = review.progress(ws, user)
            lines = [f"{figures.cases_done:,} of {figures.cases_total:,} cases done ({figures.total_counts:,} counts)."]
            lines += [f"  {o:<17} {b['total']:>8,} counts, {b['decided']:>8,} decided, {b['left']:>8,} left"
                      for o, b in figures.by_outcome.items()]
            lines += [f"  {u:<17} {b['decided']:>8,} decided, {b['flagged']:>6,} flagged" for u, b in figures.by_reviewer.items()]
            emit(args, {"cases_total": figures.cases_total, "cases_done": figures.cases_done,
                        "by_outcome": figures.by_outcome, "by_reviewer": figures.by_reviewer}, lines)
            return 0
        case_ids = review.find_cases(ws, args.case)
        if not case_ids:
            raise ClearSlateError(f"There is no case {args.case} in this workspace.")
        if len(case_ids) > 1:
            raise ClearSlateError(f"{len(case_ids)} cases have the number {args.case} (different people); decide them in the window.")
        detail = review.case_detail(ws, user, case_ids[0])
        count_ids = None
        if args.count:
            count_ids = [c.count_id for c in detail.counts if (c.count_number or "") == args.count]
            if not count_ids:
                raise ClearSlateError(f"Case {args.case} has no count {args.count}.")
        if args.accept:
            result = review.accept(ws, user, case_ids[0], count_ids)
        elif args.override:
            result = review.override(ws, user, case_ids[0], count_ids, args.override, args.reason or "")
        elif args.flag:
            result = review.flag(ws, user, case_ids[0], count_ids, args.flag)
        else:
            rows = [{"count": c.count_number, "offense": c.offense_display, "recommendation": c.outcome,
                     "status": c.status, "final_outcome": c.final_outcome, "reasons": [r.text for r in c.reasons]}
                    for c in detail.counts]
            lines = [f"{detail.case.case_number} · {detail.person.name} ({detail.person.person_key or 'no key'})"]
            lines += [f"  count {r['count']}: {r['offense']:<16} {r['recommendation'] or 'not evaluated':<17} {r['status']}"
                      + (f" → {r['final_outcome']}" if r["final_outcome"] else "") for r in rows]
            emit(args, {"case": detail.case.case_number, "person": detail.person.name, "counts": rows}, lines)
            return 0
        emit(args, result.to_dict(), [result.message])
    return 0


def cmd_signoff(args: argparse.Namespace) -> int:
    from app.services.signoff import signoff

    # The log-on checks who is signing; signoff() asks for the password again on purpose
    # (re-authentication is audited as its own step).
    with session(args) as (ws, user):
        report = signoff(ws, user, read_password(prompt="Password again to sign off: "))
        emit(args, report.to_dict(), report.lines())
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from app.services.packet import export_packet

    # export_packet checks the role itself, so a refused export is audited like any other.
    with session(args) as (ws, user):
        report = export_packet(ws, user, args.out)
        emit(args, report.to_dict(), report.lines())
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from app.services.demo import run_demo

    report = run_demo(Path(args.out))
    emit(args, report.to_dict(), report.lines())
    return 0 if report.ok else 1


# -- the parser ---------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """argparse that exits 2 with a one-line message on usage errors."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


def _ws(p: argparse.ArgumentParser) -> None:
    p.add_argument("workspace", metavar="WS", help="the workspace file (.clearslate)")


def _user(p: argparse.ArgumentParser, required: bool = True) -> None:
    p.add_argument(
        "--user",
        required=required,
        metavar="NAME",
        help=f"act as this user; the password comes from {PASSWORD_ENV} or a prompt",
    )


def _json(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print the result as JSON")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="clearslate",
        description=f"{APP_NAME}: clear old cannabis convictions in bulk, offline.",
        epilog=SYSTEM_USE_NOTICE,
    )
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("init", help="create a workspace with its policy, county and administrator")
    _ws(p)
    p.add_argument("--policy", required=True, metavar="ID", help="policy pack id (see 'policies')")
    p.add_argument(
        "--county", required=True, metavar="NAME", help="the county this workspace is for"
    )
    p.add_argument(
        "--admin",
        required=True,
        metavar="USER",
        help=f"the first administrator; password from {NEW_PASSWORD_ENV} or {PASSWORD_ENV} or a prompt",
    )
    p.add_argument("--title", help="workspace title shown in the window and on filings")
    _json(p)
    p.set_defaults(handler=cmd_init)

    p = sub.add_parser("import", help="import a spreadsheet of cases into the workspace")
    _ws(p)
    p.add_argument(
        "file", metavar="FILE", help="the spreadsheet (.xlsx .xlsm .xls .xlsb .ods .csv .tsv)"
    )
    p.add_argument(
        "--sheet",
        metavar="S",
        help="the sheet to read (default: the first visible sheet with data)",
    )
    p.add_argument("--profile", metavar="P", help="apply a saved mapping profile")
    p.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="FIELD=HEADER",
        help="map a target field to a header (repeatable); overrides the guesses",
    )
    p.add_argument(
        "--header-row",
        type=int,
        metavar="N",
        help="the row that holds the headers (default: detected)",
    )
    p.add_argument(
        "--encoding",
        metavar="E",
        help="the text encoding of a CSV (e.g. cp1252), when it is not UTF-8",
    )
    p.add_argument(
        "--skip-invalid",
        action="store_true",
        help="import the valid rows and record the rows with errors as skipped",
    )
    _user(p)
    _json(p)
    p.set_defaults(handler=cmd_import)

    p = sub.add_parser(
        "matches",
        help="list possible same-person matches (same name and date of birth), confirm or reject them",
    )
    _ws(p)
    decide = p.add_mutually_exclusive_group()
    decide.add_argument(
        "--confirm", type=int, nargs="+", action="extend", metavar="N",
        help="the records of match N are one person (several numbers: all in one go, or none)",
    )  # fmt: skip
    decide.add_argument(
        "--reject", type=int, nargs="+", action="extend", metavar="N",
        help="the records of match N are two people (several numbers: all in one go, or none)",
    )  # fmt: skip
    _user(p)
    _json(p)
    p.set_defaults(handler=cmd_matches)

    p = sub.add_parser("evaluate", help="evaluate every count under the workspace's policy")
    _ws(p)
    p.add_argument("--as-of", metavar="YYYY-MM-DD", help="the date eligibility is judged on")
    p.add_argument(
        "--dry-run", action="store_true", help="show what would change without saving a run"
    )
    _user(p)
    _json(p)
    p.set_defaults(handler=cmd_evaluate)

    p = sub.add_parser(
        "decisions", help="write one row per count with its recommendation and decision"
    )
    _ws(p)
    p.add_argument("--out", required=True, metavar="FILE.csv", help="the CSV file to write")
    _user(p)
    _json(p)
    p.set_defaults(handler=cmd_decisions)

    p = sub.add_parser("review", help="accept, override or flag recommendations")
    _ws(p)
    p.add_argument(
        "--accept-all",
        action="store_true",
        help="accept the recommendation of every unreviewed count that is not needs_review",
    )
    p.add_argument("--case", metavar="N", help="the case number to decide")
    p.add_argument("--count", metavar="K", help="one count of the case (default: every count)")
    action = p.add_mutually_exclusive_group()
    action.add_argument("--accept", action="store_true", help="accept the recommendation")
    action.add_argument(
        "--override", metavar="OUTCOME", help="decide another outcome (needs --reason)"
    )
    action.add_argument("--flag", metavar="TEXT", help="flag for a supervisor with a note")
    p.add_argument("--reason", metavar="TEXT", help="the written reason for an override")
    p.add_argument(
        "--filter",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="limit --accept-all, e.g. outcome=eligible_dismiss (repeatable)",
    )
    _user(p)
    _json(p)
    p.set_defaults(handler=cmd_review)

    p = sub.add_parser(
        "signoff", help="sign off the reviewed decisions (supervisor; asks the password again)"
    )
    _ws(p)
    _user(p)
    _json(p)
    p.set_defaults(handler=cmd_signoff)

    p = sub.add_parser("export", help="write the export packet of the signed-off decisions")
    _ws(p)
    p.add_argument("--out", required=True, metavar="DIR", help="the folder to create")
    _user(p)
    _json(p)
    p.set_defaults(handler=cmd_export)

    p = sub.add_parser(
        "verify", help="check a workspace's audit chain or a packet against its manifest"
    )
    p.add_argument("target", metavar="WS|DIR", help="a workspace file or an export packet folder")
    _json(p)
    p.set_defaults(handler=cmd_verify)

    p = sub.add_parser("policies", help="list the policy packs")
    p.add_argument("--show", metavar="ID", help="print one pack in full")
    _json(p)
    p.set_defaults(handler=cmd_policies)

    p = sub.add_parser("users", help="manage the workspace's users (admin)")
    users_sub = p.add_subparsers(
        dest="users_command", metavar="ACTION", required=True, parser_class=_Parser
    )
    q = users_sub.add_parser(
        "add", help=f"add a user; password from {NEW_PASSWORD_ENV} or a prompt"
    )
    _ws(q)
    q.add_argument("name", metavar="NAME")
    q.add_argument("--role", required=True, choices=[r.value for r in Role])
    q.add_argument(
        "--full-name", metavar="TEXT", help="the name filings print for the user, e.g. 'Dana Reyes'"
    )
    _user(q)
    _json(q)
    q = users_sub.add_parser("list", help="list users with role and state")
    _ws(q)
    _user(q)
    _json(q)
    for name, text in (
        ("unlock", "unlock an account locked by failed log-ons"),
        ("disable", "disable an account"),
        ("enable", "enable a disabled account"),
    ):
        q = users_sub.add_parser(name, help=text)
        _ws(q)
        q.add_argument("name", metavar="NAME")
        _user(q)
        _json(q)
    q = users_sub.add_parser(
        "name", help="set the full name filings print for a user ('' to clear it)"
    )
    _ws(q)
    q.add_argument("name", metavar="NAME")
    q.add_argument("--full-name", required=True, metavar="TEXT", help="e.g. 'Dana Reyes'")
    _user(q)
    _json(q)
    q = users_sub.add_parser("role", help="change a user's role")
    _ws(q)
    q.add_argument("name", metavar="NAME")
    q.add_argument("--role", required=True, choices=[r.value for r in Role])
    _user(q)
    _json(q)
    q = users_sub.add_parser(
        "password", help=f"set a user's password from {NEW_PASSWORD_ENV} or a prompt"
    )
    _ws(q)
    q.add_argument("name", metavar="NAME")
    _user(q)
    _json(q)
    p.set_defaults(handler=cmd_users)

    p = sub.add_parser("restore", help="make a new workspace from a backup (or a copy from another machine)")
    p.add_argument("backup", metavar="BACKUP", help="a backup from NAME.backups/, or any workspace file")
    p.add_argument("--to", required=True, metavar="WS", help="the new workspace file (never overwritten)")
    _json(p)
    p.set_defaults(handler=cmd_restore)

    p = sub.add_parser("settings", help="show the workspace settings, or change them (admin)")
    _ws(p)
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="change a setting, e.g. court_name='Superior Court of California, County of Kern'; "
        "in office_address, \\n starts a new line: office_address='1215 Truxtun Avenue\\nBakersfield, CA 93301'",
    )
    _user(p)
    _json(p)
    p.set_defaults(handler=cmd_settings)

    p = sub.add_parser(
        "login",
        help="check a user's password (exit 0 if right, 1 if not)",
        description=f"Check a user's password (exit 0 if right, 1 if not). {SYSTEM_USE_NOTICE}",
    )
    _ws(p)
    _user(p)
    _json(p)
    p.set_defaults(handler=cmd_login)

    p = sub.add_parser("demo", help="run the whole flow on the sample workbooks, without a window")
    p.add_argument(
        "--out", metavar="DIR", default="demo", help="where to put the demo workspace and packet"
    )
    _json(p)
    p.set_defaults(handler=cmd_demo)

    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args.handler(args) or 0)
    except ClearSlateError as exc:
        print(f"clearslate: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(
            "clearslate: interrupted; nothing was changed by the unfinished step.", file=sys.stderr
        )
        return 1
    except Exception:
        log.exception("unexpected error in %s", args.command)
        from app.logs import log_file

        print(
            f"clearslate: unexpected error in '{args.command}'. Nothing was changed by it. "
            f"Details are in {log_file()}.",
            file=sys.stderr,
        )
        return 1
