"""Log-on, lockout and user management: the access rules of RELIABILITY.md (CJIS 5.5/5.6).

Five failed log-ons within 15 minutes lock the account until an administrator unlocks
it. Every log-on, failure, lock, unlock, user and role change is audited.
"""

from __future__ import annotations

import datetime as dt
import functools
import getpass
from dataclasses import dataclass

from app.core.clock import stamp, utc_now
from app.core.errors import AuthError, PermissionDenied
from app.core.model import Role
from app.core.notice import SYSTEM_USE_NOTICE as SYSTEM_USE_NOTICE  # the window shows it
from app.core.security import (
    FAILURE_WINDOW_MINUTES,
    MAX_FAILURES,
    check_password_rules,
    hash_password,
    verify_password,
)
from app.store import users as user_store
from app.store.workspace import Workspace

# What each role may do. A role may do everything the roles below it may do.
PERMISSIONS: dict[str, Role] = {
    "import": Role.CLERK,
    "evaluate": Role.CLERK,
    "read": Role.CLERK,
    "review": Role.REVIEWER,
    "signoff": Role.SUPERVISOR,
    "export": Role.SUPERVISOR,
    "manage_users": Role.ADMIN,
    "settings": Role.ADMIN,
}


@dataclass(frozen=True, slots=True)
class User:
    """A logged-on user."""

    id: int
    username: str
    role: Role
    full_name: str | None = None

    def can(self, permission: str) -> bool:
        return self.role.at_least(PERMISSIONS[permission])

    def require(self, permission: str) -> None:
        if not self.can(permission):
            needed = PERMISSIONS[permission]
            raise PermissionDenied(
                f"{self.username} is a {self.role.value}; this needs the {needed.value} role or higher."
            )


def record_refusal(
    ws: Workspace, user: str | None, action: str, obj: str | None, why: str, **details: object
) -> None:
    """Audit a refused action (outcome "refused", the reason in ``why``; never a password).

    Written in its own transaction when none is open, i.e. after the refused attempt rolled
    back; inside a caller's transaction it joins it. If even this cannot be written (the
    disk is full) the refusal itself is what the user must see, so that error is not raised
    over it.
    """
    ws.audit_after_failure(user, action, obj, "refused", {"why": why, **details})


def os_account() -> str | None:
    """The operating-system account running this process, as ``os:NAME``, for audit entries
    of actions taken without a ClearSlate log-on (restoring a backup, verifying). The
    ``os:`` prefix cannot be a ClearSlate user name (those may not contain ':')."""
    try:
        return f"os:{getpass.getuser()}"
    except (OSError, KeyError, ImportError):  # no login name in the environment or passwd
        return None


def create_user(
    ws: Workspace,
    username: str,
    password: str,
    role: Role,
    *,
    by: User | None,
    full_name: str | None = None,
) -> User:
    """Add a user. ``by`` must be an admin, except for the first user of a new workspace.

    A refusal (a bad name or password, a name taken, a role that may not add users) is
    audited as ``user.add`` "refused"."""
    username = username.strip()
    try:
        if not username or any(c.isspace() or c == ":" for c in username):
            # ':' is kept for "os:NAME", the operating-system account in audit entries.
            raise AuthError("A user name cannot be empty or contain spaces or ':'.")
        check_password_rules(password)
        with ws.transaction():
            if by is None:
                if user_store.count(ws.conn):
                    raise PermissionDenied("Only an administrator can add users.")
            else:
                by.require("manage_users")
            if user_store.get(ws.conn, username):
                raise AuthError(f"There is already a user called {username}.")
            full_name = clean_full_name(full_name) or None
            user_id = user_store.insert(ws.conn, username, role, hash_password(password), full_name)
            ws.audit(
                by.username if by else username, "user.add", username, details={"role": role.value}
            )
    except AuthError as exc:
        record_refusal(
            ws, by.username if by else None, "user.add", username, str(exc), role=role.value
        )
        raise
    return User(user_id, username, role, full_name)


# One message for every failed log-on: an unknown user, a wrong password, a locked or a
# disabled account. A message that differed ("4 more tries", "is locked") would tell a
# guesser which user names exist (and, for a locked account, when a guess was right). The
# real reason is in the audit log, where an administrator sees it.
FAILED_LOGON = (
    "The user name or password is not right, or the account is locked or disabled. "
    f"After {MAX_FAILURES} failed log-ons within {FAILURE_WINDOW_MINUTES} minutes an account is "
    "locked until an administrator unlocks it."
)


@functools.cache
def _dummy_hash() -> str:
    return hash_password("not the password of anyone")


def _spend_a_password_check(password: str) -> None:
    """Take as long as checking a real password, so the time taken does not tell a guesser
    that a user name does not exist (or that an account is locked)."""
    verify_password(password, _dummy_hash())


def login(ws: Workspace, username: str, password: str, *, purpose: str = "logon") -> User:
    """Check a password. Raises AuthError (audited) on failure; locks after 5 failures in 15 min.

    Every failure raises the same :data:`FAILED_LOGON` message; the audit entry says why.
    A locked or disabled account never has its password checked, so guessing on after the
    lock learns nothing.
    """
    now = utc_now()
    failed = AuthError(FAILED_LOGON)
    with ws.transaction():
        record = user_store.get(ws.conn, username)
        if record is None:
            _spend_a_password_check(password)
            user_store.record_attempt(ws.conn, username, None, False, stamp(now))
            ws.audit(username, f"{purpose}.failure", username, "failure", {"why": "unknown user"})
            error: AuthError | None = failed
        elif record.disabled:
            _spend_a_password_check(password)
            ws.audit(
                record.username, f"{purpose}.failure", username, "failure", {"why": "disabled"}
            )
            error = failed
        elif record.locked:
            _spend_a_password_check(password)
            ws.audit(record.username, f"{purpose}.failure", username, "failure", {"why": "locked"})
            error = failed
        elif not verify_password(password, record.password_hash):
            user_store.record_attempt(ws.conn, record.username, record.id, False, stamp(now))
            ws.audit(
                record.username,
                f"{purpose}.failure",
                username,
                "failure",
                {"why": "wrong password"},
            )
            window_start = stamp(now - dt.timedelta(minutes=FAILURE_WINDOW_MINUTES))
            failures = user_store.failures_since(ws.conn, record.username, window_start)
            if failures >= MAX_FAILURES:
                user_store.lock(ws.conn, record.id)
                ws.audit(None, "user.lock", record.username, details={"failures": failures})
            error = failed
        else:
            user_store.record_attempt(ws.conn, record.username, record.id, True, stamp(now))
            ws.audit(record.username, f"{purpose}.success", record.username)
            error = None
    # The failure is committed (and audited) before it is raised.
    if error is not None:
        raise error
    assert record is not None
    return User(record.id, record.username, record.role, record.full_name)


def reauthenticate(ws: Workspace, user: User, password: str, *, purpose: str) -> User:
    """Ask a logged-on user for their password again (sign-off, unlocking the screen)."""
    again = login(ws, user.username, password, purpose=purpose)
    return again


def list_users(ws: Workspace, *, by: User) -> list[user_store.UserRecord]:
    by.require("manage_users")
    return user_store.all_users(ws.conn)


def _target(ws: Workspace, username: str) -> user_store.UserRecord:
    record = user_store.get(ws.conn, username)
    if record is None:
        raise AuthError(f"There is no user called {username}.")
    return record


def unlock_user(ws: Workspace, username: str, *, by: User) -> None:
    by.require("manage_users")
    with ws.transaction():
        record = _target(ws, username)
        user_store.unlock(ws.conn, record.id)
        # A success-like marker resets the failure window.
        user_store.record_attempt(ws.conn, record.username, record.id, True, stamp())
        ws.audit(by.username, "user.unlock", record.username)


def set_disabled(ws: Workspace, username: str, disabled: bool, *, by: User) -> None:
    by.require("manage_users")
    with ws.transaction():
        record = _target(ws, username)
        if (
            disabled
            and record.role is Role.ADMIN
            and record.username.lower() == by.username.lower()
        ):
            raise AuthError("You cannot disable your own administrator account.")
        user_store.set_disabled(ws.conn, record.id, disabled)
        ws.audit(by.username, "user.disable" if disabled else "user.enable", record.username)


def set_role(ws: Workspace, username: str, role: Role, *, by: User) -> None:
    by.require("manage_users")
    with ws.transaction():
        record = _target(ws, username)
        if record.role is Role.ADMIN and role is not Role.ADMIN:
            admins = [
                u for u in user_store.all_users(ws.conn) if u.role is Role.ADMIN and not u.disabled
            ]
            if len(admins) <= 1:
                raise AuthError("The workspace needs at least one administrator.")
        user_store.set_role(ws.conn, record.id, role)
        ws.audit(
            by.username,
            "user.role",
            record.username,
            details={"old": record.role.value, "new": role.value},
        )


FULL_NAME_MAX = 120


def clean_full_name(full_name: str | None) -> str:
    """A person's name as filings print it: spaces collapsed; too long a name is refused."""
    name = " ".join((full_name or "").split())
    if len(name) > FULL_NAME_MAX:
        raise AuthError(f"A full name can have at most {FULL_NAME_MAX} characters.")
    return name


def set_full_name(ws: Workspace, username: str, full_name: str, *, by: User) -> str:
    """Set the name the filings print for a user ("signed off by Dana Reyes (dreyes)") and
    return it as stored; an empty name leaves the user name alone. Audited with the old and
    new name."""
    try:
        by.require("manage_users")
        name = clean_full_name(full_name)
        with ws.transaction():
            record = _target(ws, username)
            user_store.set_full_name(ws.conn, record.id, name or None)
            ws.audit(
                by.username,
                "user.name",
                record.username,
                details={"old": record.full_name or "", "new": name},
            )
    except AuthError as exc:
        record_refusal(ws, by.username, "user.name", username, str(exc))
        raise
    return name


def change_password(ws: Workspace, username: str, new_password: str, *, by: User) -> None:
    """Set a user's password (their own, or anyone's for an admin); refusals are audited."""
    try:
        if by.username.lower() != username.lower():
            by.require("manage_users")
        check_password_rules(new_password)
        with ws.transaction():
            record = _target(ws, username)
            user_store.set_password(ws.conn, record.id, hash_password(new_password))
            ws.audit(by.username, "user.password", record.username)
    except AuthError as exc:
        record_refusal(ws, by.username, "user.password", username, str(exc))
        raise
