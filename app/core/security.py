"""Password hashing (salted scrypt) and the password rules from RELIABILITY.md."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from app.core.errors import AuthError

MIN_PASSWORD_LENGTH = 8
MAX_FAILURES = 5
FAILURE_WINDOW_MINUTES = 15

# scrypt cost: n=2**14, r=8, p=1 takes ~50 ms and 16 MiB here: slow for a guesser,
# quick enough for a log-on. The test suite (only) lowers n to keep hundreds of log-ons
# fast; every hash records its own cost, so verification never depends on this setting.
_N, _R, _P = (2**10 if os.environ.get("CLEARSLATE_TEST_FAST_KDF") == "1" else 2**14), 8, 1


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AuthError(f"A password needs at least {MIN_PASSWORD_LENGTH} characters.")
    if password.strip() != password or not password.strip():
        raise AuthError("A password cannot start or end with spaces.")


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    salt = salt or os.urandom(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${_N}${_R}${_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt_b64, digest_b64 = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    salt = base64.b64decode(salt_b64)
    expected = base64.b64decode(digest_b64)
    digest = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=int(n), r=int(r), p=int(p), dklen=len(expected)
    )
    return hmac.compare_digest(digest, expected)
