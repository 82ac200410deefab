"""Log-on, lockout after five failures, unlock, roles, and the audit of each."""

from __future__ import annotations

import pytest

from app.core.errors import AuthError, PermissionDenied
from app.core.model import Role
from app.core.security import hash_password, verify_password
from app.services import auth
from tests.conftest import PASSWORD


def _actions(ws) -> list[tuple[str, str | None, str]]:  # type: ignore[no-untyped-def]
    return [tuple(r) for r in ws.conn.execute("SELECT action, object, outcome FROM audit ORDER BY seq")]


def test_passwords_are_salted_scrypt() -> None:
    a, b = hash_password("same password"), hash_password("same password")
    assert a != b and a.startswith("scrypt$")
    assert verify_password("same password", a)
    assert not verify_password("other password", a)


def test_short_passwords_are_refused(workspace, login) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(AuthError, match="at least 8"):
        auth.create_user(workspace, "shorty", "1234567", Role.CLERK, by=login("admin"))


def test_refused_user_changes_are_audited_without_the_password(workspace, login) -> None:  # type: ignore[no-untyped-def]
    admin = login("admin")
    for name, password, why in [
        ("shorty", "1234567", "at least 8"),
        ("clerk", PASSWORD, "already a user"),
        ("os:ana", PASSWORD, "spaces or ':'"),  # "os:NAME" names an OS account in the audit
    ]:
        with pytest.raises(AuthError, match=why):
            auth.create_user(workspace, name, password, Role.CLERK, by=admin)
    with pytest.raises(PermissionDenied):
        auth.create_user(workspace, "eve", PASSWORD, Role.ADMIN, by=login("clerk"))
    with pytest.raises(AuthError, match="at least 8"):
        auth.change_password(workspace, "clerk", "short", by=admin)
    rows = workspace.conn.execute(
        "SELECT user, action, object, details FROM audit WHERE outcome = 'refused' ORDER BY seq"
    ).fetchall()
    assert [r[:3] for r in rows] == [
        ("admin", "user.add", "shorty"),
        ("admin", "user.add", "clerk"),
        ("admin", "user.add", "os:ana"),
        ("clerk", "user.add", "eve"),
        ("admin", "user.password", "clerk"),
    ]
    assert all("1234567" not in r[3] and "short\"" not in r[3] for r in rows)


def test_login_success_and_failure_are_audited(workspace) -> None:  # type: ignore[no-untyped-def]
    user = auth.login(workspace, "reviewer", PASSWORD)
    assert user.role is Role.REVIEWER
    with pytest.raises(AuthError, match="not right"):
        auth.login(workspace, "reviewer", "wrong password")
    with pytest.raises(AuthError, match="not right"):
        auth.login(workspace, "nobody", "wrong password")
    actions = _actions(workspace)
    assert ("logon.success", "reviewer", "ok") in actions
    assert ("logon.failure", "reviewer", "failure") in actions
    assert ("logon.failure", "nobody", "failure") in actions


def _failure(ws, username: str, password: str) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(AuthError) as caught:
        auth.login(ws, username, password)
    return str(caught.value)


def test_five_failures_lock_until_an_admin_unlocks(workspace, login) -> None:  # type: ignore[no-untyped-def]
    for attempt in range(5):
        assert _failure(workspace, "clerk", f"wrong-{attempt}") == auth.FAILED_LOGON
    assert ("user.lock", "clerk", "ok") in _actions(workspace)
    # Even the right password is refused now, with the same message (guessing on after the
    # lock learns nothing), and the audit says why.
    assert _failure(workspace, "clerk", PASSWORD) == auth.FAILED_LOGON
    why = workspace.conn.execute(
        "SELECT details FROM audit WHERE action = 'logon.failure' ORDER BY seq DESC LIMIT 1"
    ).fetchone()[0]
    assert '"locked"' in why
    admin = login("admin")
    auth.unlock_user(workspace, "clerk", by=admin)
    assert auth.login(workspace, "clerk", PASSWORD).username == "clerk"
    assert ("user.unlock", "clerk", "ok") in _actions(workspace)


def test_a_success_resets_the_failure_count(workspace) -> None:  # type: ignore[no-untyped-def]
    for _ in range(4):
        with pytest.raises(AuthError):
            auth.login(workspace, "clerk", "wrong")
    auth.login(workspace, "clerk", PASSWORD)
    for _ in range(4):
        with pytest.raises(AuthError):
            auth.login(workspace, "clerk", "wrong")
    # Four since the success: not locked.
    assert auth.login(workspace, "clerk", PASSWORD).username == "clerk"
    assert ("user.lock", "clerk", "ok") not in _actions(workspace)


def test_failed_log_ons_do_not_tell_which_user_names_exist(workspace, login) -> None:  # type: ignore[no-untyped-def]
    """CJIS 5.5: the same message for an unknown user and an existing one, at every try,
    and for a disabled account; no "N more tries" that names a real account."""
    auth.set_disabled(workspace, "reviewer", True, by=login("admin"))
    messages = set()
    for attempt in range(6):
        messages.add(_failure(workspace, "clerk", f"wrong-{attempt}"))
        messages.add(_failure(workspace, "nobody", f"wrong-{attempt}"))
    messages.add(_failure(workspace, "reviewer", PASSWORD))
    assert messages == {auth.FAILED_LOGON}
    assert "tries" not in auth.FAILED_LOGON and "clerk" not in auth.FAILED_LOGON
    # The lock is still enforced on the real account, and only there.
    assert ("user.lock", "clerk", "ok") in _actions(workspace)
    assert not any(a == "user.lock" and o == "nobody" for a, o, _ in _actions(workspace))


def test_disabled_accounts_cannot_log_on(workspace, login) -> None:  # type: ignore[no-untyped-def]
    auth.set_disabled(workspace, "reviewer", True, by=login("admin"))
    assert _failure(workspace, "reviewer", PASSWORD) == auth.FAILED_LOGON
    auth.set_disabled(workspace, "reviewer", False, by=login("admin"))
    assert auth.login(workspace, "reviewer", PASSWORD)


@pytest.mark.parametrize(
    "role, allowed",
    [
        ("clerk", {"read", "import", "evaluate"}),
        ("reviewer", {"read", "import", "evaluate", "review"}),
        ("supervisor", {"read", "import", "evaluate", "review", "signoff", "export"}),
        ("admin", set(auth.PERMISSIONS)),
    ],
)
def test_roles(workspace, login, role: str, allowed: set[str]) -> None:  # type: ignore[no-untyped-def]
    user = login(role)
    for permission in auth.PERMISSIONS:
        assert user.can(permission) == (permission in allowed), permission
        if permission not in allowed:
            with pytest.raises(PermissionDenied, match=role):
                user.require(permission)


def test_only_admins_manage_users(workspace, login) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        auth.create_user(workspace, "eve", PASSWORD, Role.ADMIN, by=login("supervisor"))
    with pytest.raises(PermissionDenied):
        auth.unlock_user(workspace, "clerk", by=login("reviewer"))


def test_role_changes_are_audited_and_the_last_admin_stays(workspace, login) -> None:  # type: ignore[no-untyped-def]
    admin = login("admin")
    auth.set_role(workspace, "clerk", Role.REVIEWER, by=admin)
    assert auth.login(workspace, "clerk", PASSWORD).role is Role.REVIEWER
    assert ("user.role", "clerk", "ok") in _actions(workspace)
    with pytest.raises(AuthError, match="at least one administrator"):
        auth.set_role(workspace, "admin", Role.CLERK, by=admin)


def test_user_names_are_unique_ignoring_case(workspace, login) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(AuthError, match="already a user"):
        auth.create_user(workspace, "Reviewer", PASSWORD, Role.CLERK, by=login("admin"))
