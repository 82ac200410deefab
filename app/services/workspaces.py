"""Creating and opening workspaces, and the workspace settings (declared once, with defaults)."""

from __future__ import annotations

import json
import os
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from app import WORKSPACE_SUFFIX, __version__
from app.core.errors import ClearSlateError, WorkspaceError
from app.core.model import Role
from app.core.security import check_password_rules
from app.services import auth
from app.store.workspace import Workspace, restore_backup


@dataclass(frozen=True, slots=True)
class Setting:
    key: str
    label: str
    default: str
    help: str = ""


# Behaviour settings live in the workspace (audited); QSettings only keeps window state.
SETTINGS: tuple[Setting, ...] = (
    Setting(
        "title",
        "Workspace title",
        "",
        "Shown in the window title and on filings, e.g. 'Kern County Prop 64 review'.",
    ),
    Setting("policy_id", "Policy", "", "The policy pack every evaluation uses."),
    Setting(
        "policy_options",
        "Policy options",
        "{}",
        "The county's changes to the pack's options (JSON).",
    ),
    Setting("county", "County", ""),
    Setting(
        "court_name",
        "Court",
        "",
        "As it appears in the caption, e.g. 'Superior Court of California, County of Kern'.",
    ),
    Setting("office_name", "Office", "", "e.g. 'Office of the District Attorney'."),
    Setting("attorney_name", "Attorney", ""),
    Setting("attorney_bar_number", "Bar number", ""),
    Setting("office_address", "Office address", ""),
    Setting("idle_lock_minutes", "Lock the screen after (minutes idle)", "30"),
    Setting("four_eyes", "Four eyes: a supervisor may not sign off decisions they made", "1"),
)
SETTING_KEYS = {s.key: s for s in SETTINGS}


def setting(ws: Workspace, key: str) -> str:
    return ws.get_setting(key, SETTING_KEYS[key].default) or SETTING_KEYS[key].default


def all_settings(ws: Workspace) -> dict[str, str]:
    stored = ws.settings()
    return {s.key: stored.get(s.key, s.default) for s in SETTINGS}


_YES, _NO = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def _checked_value(key: str, value: str) -> str:
    """The value to store for ``key``, or WorkspaceError saying what is wrong with it."""
    if key not in SETTING_KEYS:
        raise WorkspaceError(
            f"There is no setting called {key!r}. The settings are: {', '.join(SETTING_KEYS)}."
        )
    if key == "idle_lock_minutes" and (not value.isdigit() or not 1 <= int(value) <= 240):
        raise WorkspaceError("The idle lock must be between 1 and 240 minutes.")
    if key == "four_eyes":
        # Anything else (a typo like "ture") would silently switch four eyes off.
        word = value.strip().lower()
        if word not in _YES + _NO:
            raise WorkspaceError("four_eyes takes 1 (on) or 0 (off).")
        return "1" if word in _YES else "0"
    if key == "policy_options":
        try:
            options = json.loads(value)
        except ValueError:
            options = None
        if not isinstance(options, dict):
            raise WorkspaceError(
                "policy_options takes a JSON object of option names and values, e.g. {}."
            )
    if key == "policy_id":
        check_policy(value)
    return value


def change_setting(ws: Workspace, key: str, value: str, *, by: auth.User) -> None:
    """Change one setting (admin). A refusal - an unknown key, a bad value, a role that may
    not change settings - is audited as ``settings.change`` "refused" with the reason."""
    try:
        by.require("settings")
        value = _checked_value(key, value)
    except ClearSlateError as exc:
        auth.record_refusal(ws, by.username, "settings.change", key, str(exc), value=value[:200])
        raise
    ws.set_setting(key, value, user=by.username)


def known_policies() -> list[str]:
    from app.rules import packs  # the rules layer lists the packs shipped in resources/

    return [p.id for p in packs.list_packs()]


def check_policy(policy_id: str) -> None:
    known = known_policies()
    if policy_id not in known:
        raise WorkspaceError(f"Unknown policy {policy_id!r}. Choose one of: {', '.join(known)}.")


def workspace_path(path: str | os.PathLike[str]) -> Path:
    path = Path(path)
    return path if path.suffix == WORKSPACE_SUFFIX else path.with_name(path.name + WORKSPACE_SUFFIX)


def default_title(county: str, policy_id: str) -> str:
    """The title a new workspace gets when none is given: the county and the policy's short
    name, as a clerk would write it ("Kern — California Prop 64"), never the pack id."""
    from app.rules import packs

    try:
        name = packs.load_pack(policy_id).title.split(" — ")[0].strip()
    except ClearSlateError:  # check_policy ran first; a pack that cannot load keeps its id
        name = policy_id
    return f"{county} — {name or policy_id}"


def init_workspace(
    path: str | os.PathLike[str],
    *,
    policy_id: str,
    county: str,
    admin: str,
    password: str,
    title: str | None = None,
    extra_settings: dict[str, str] | None = None,
) -> Workspace:
    """Create a workspace with its policy, county and first administrator (all audited)."""
    check_policy(policy_id)
    county = county.strip()
    if not county:
        raise WorkspaceError("Name the county this workspace is for.")
    check_password_rules(password)
    ws = Workspace.create(workspace_path(path))
    try:
        with ws.transaction():
            admin_user = auth.create_user(ws, admin, password, Role.ADMIN, by=None)
            values = {
                "policy_id": policy_id,
                "county": county,
                "title": title or default_title(county, policy_id),
                "idle_lock_minutes": SETTING_KEYS["idle_lock_minutes"].default,
                "four_eyes": SETTING_KEYS["four_eyes"].default,
                **(extra_settings or {}),
            }
            for key, value in values.items():
                ws.set_setting(key, value, user=admin_user.username)
            ws.audit(
                admin_user.username,
                "workspace.create",
                ws.path.name,
                details={"policy_id": policy_id, "county": county, "version": __version__},
            )
    except BaseException:
        path_made = ws.path
        ws.close()
        for suffix in ("", "-wal", "-shm"):
            Path(str(path_made) + suffix).unlink(missing_ok=True)
        raise
    return ws


def open_workspace(path: str | os.PathLike[str], *, check: bool = True) -> Workspace:
    return Workspace.open(Path(path), check=check)


def check_in_background(path: str | os.PathLike[str]) -> Future[None]:
    """SQLite's quick_check of a workspace on its own thread and connection.

    On a million counts it takes about a second; the window starts it when the log-on
    dialog opens and waits for it (usually long done) before showing any case. The future
    raises WorkspaceError when the file is damaged.
    """

    def check() -> None:
        ws = Workspace.attach(Path(path))
        try:
            ws.quick_check()
        finally:
            ws.close()

    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="clearslate-quick-check")
    future = executor.submit(check)
    executor.shutdown(wait=False)
    return future


def restore_workspace(
    backup: str | os.PathLike[str], target: str | os.PathLike[str], *, user: str | None = None
) -> Path:
    """Make a new workspace from a backup (or a workspace copied from another machine).

    Users, passwords, settings, decisions and the audit chain travel inside the file; the
    restore itself is the first entry the copy gets, naming ``user`` (a logged-on user) or
    else the operating-system account that ran it ("os:NAME"): nobody logs on to a backup.
    Never writes over an existing file.
    """
    source = Path(backup)
    path = restore_backup(source, workspace_path(target))
    ws = Workspace.open(path)
    try:
        ws.audit(
            user or auth.os_account(),
            "workspace.restore",
            path.name,
            details={"from": source.name},
        )
    finally:
        ws.close()
    return path
