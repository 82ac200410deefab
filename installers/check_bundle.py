"""Checks a built ClearSlate bundle: nothing network-related inside, it runs, and how big and fast it is.

``python installers/check_bundle.py dist/clearslate`` (``make dist-check`` runs it):

1. fails if any QtNetwork library, TLS or network-information plugin, OpenSSL's TLS
   library, GnuTLS, or the QML/Quick/WebEngine stacks are in the bundle, or if a bundled
   library still asks the loader for one of them;
2. runs the bundle's ``--version`` and ``--self-test`` (inside an empty network
   namespace when the machine allows one, so the OS itself proves there is no network);
3. checks portable mode: with ``portable.txt`` beside the executable, logs land beside it;
4. prints the size (fails over the limit) and the start times (``--version``, and the
   window shown offscreen).

Runs on Linux and Windows (the Windows build script calls it on the Windows bundle).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import APP_NAME, __version__  # noqa: E402 - the expected name and version

SIZE_LIMIT_MB = 200

# What must never be in the bundle, matched against bundle-relative paths with "/".
FORBIDDEN = {
    "QtNetwork library": r"(^|/)(lib)?Qt6?Network[^/]*\.(so[.0-9]*|dll|dylib)$",
    "QtNetwork Python module": r"(^|/)QtNetwork\.(abi3\.so|pyd|pyi|.*\.so)$",
    "TLS plugin": r"/plugins/tls/",
    "network-information plugin": r"/plugins/networkinformation/",
    "OpenSSL TLS library": r"(^|/)(lib)?ssl[-.0-9_a-z]*\.(so[.0-9]*|dll|dylib)$",
    "Python ssl module": r"(^|/)_ssl[.][^/]*(so|pyd)$",
    "GnuTLS": r"(^|/)libgnutls[^/]*\.so",
    "QML/Quick/WebEngine": r"(^|/)(lib)?Qt6?(Qml|Quick|WebEngine)[^/]*\.(so[.0-9]*|dll|dylib)$",
    "VNC platform plugin (needs QtNetwork)": r"/plugins/platforms/(lib)?qvnc",
}
_FORBIDDEN_NEEDED = re.compile(r"^(libQt6Network|libssl|libgnutls|libQt6Qml|libQt6Quick)")


def forbidden_files(bundle: Path) -> list[tuple[str, str]]:
    """(what, relative path) for every file that must not be in the bundle."""
    found = []
    patterns = {what: re.compile(p, re.IGNORECASE) for what, p in FORBIDDEN.items()}
    for path in sorted(bundle.rglob("*")):
        rel = path.relative_to(bundle).as_posix()
        for what, pattern in patterns.items():
            if pattern.search("/" + rel):
                found.append((what, rel))
                break
    return found


def forbidden_needed(bundle: Path) -> list[tuple[str, str]]:
    """(library, needed name) for bundled ELF libraries that link a forbidden library, or a Qt
    library the bundle lacks (that plugin would fail to load on a user's machine). Linux only."""
    readelf = shutil.which("readelf")
    if readelf is None or sys.platform != "linux":
        return []
    found = []
    present = {p.name for p in bundle.rglob("*.so*")}
    for path in sorted(bundle.rglob("*.so*")):
        if path.is_symlink() or not path.is_file():
            continue
        out = subprocess.run(  # noqa: S603 - our own files, no shell
            [readelf, "-d", str(path)], capture_output=True, text=True, check=False
        ).stdout
        for needed in re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out):
            if _FORBIDDEN_NEEDED.match(needed) or (
                needed.startswith("libQt6") and needed not in present
            ):
                found.append((path.relative_to(bundle).as_posix(), needed))
    return found


def _real_files(bundle: Path) -> list[Path]:
    """Regular files only: PyInstaller links Qt's libraries into place on Linux; count each once."""
    return [p for p in bundle.rglob("*") if p.is_file() and not p.is_symlink()]


def size_mib(bundle: Path) -> float:
    """The size as ``du`` shows it, in MiB."""
    return sum(p.stat().st_size for p in _real_files(bundle)) / 2**20


def executable(bundle: Path, console: bool = True) -> Path:
    name = APP_NAME.lower()
    if sys.platform == "win32":
        # The windowed clearslate.exe has no stdout; its console twin prints.
        return bundle / (f"{name}-cli.exe" if console else f"{name}.exe")
    return bundle / name


def _offline_prefix() -> list[str]:
    """``unshare --net`` (an empty network namespace: no interfaces at all) when it works here."""
    unshare = shutil.which("unshare")
    if sys.platform != "linux" or unshare is None:
        return []
    probe = subprocess.run([unshare, "--net", "true"], capture_output=True, check=False)  # noqa: S603 - a fixed command
    return [unshare, "--net"] if probe.returncode == 0 else []


def run(
    cmd: Sequence[str], env: dict[str, str], timeout: float = 120
) -> tuple[int, str, str, float]:
    """(exit code, stdout, stderr, seconds); a run that hangs is killed and reported as exit -1."""
    started = time.perf_counter()
    try:
        proc = subprocess.run(  # noqa: S603 - the bundle we built, no shell
            list(cmd), capture_output=True, text=True, env=env, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return -1, "", f"no answer after {timeout:.0f} s: killed", time.perf_counter() - started
    return proc.returncode, proc.stdout.strip(), proc.stderr.strip(), time.perf_counter() - started


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLEARSLATE_", "PYTHON"))}
    env.update({"CLEARSLATE_HOME": str(home), "QT_QPA_PLATFORM": "offscreen", **extra})
    return env


def _median_time(
    cmd: Sequence[str], env: dict[str, str], runs: int, timeout: float = 60
) -> tuple[float, int, str]:
    times, rc, err = [], 0, ""
    for _ in range(runs):
        rc, _out, err, seconds = run(cmd, env, timeout)
        if rc != 0:
            return 0.0, rc, err
        times.append(seconds)
    return statistics.median(times), 0, ""


def check(bundle: Path, *, runs: int = 3, size_limit_mb: float = SIZE_LIMIT_MB) -> list[str]:
    """Every check; returns the problems (empty when the bundle is good) after printing figures."""
    problems: list[str] = []
    exe = executable(bundle)
    if not exe.is_file():
        return [f"no executable at {exe}: build the bundle first (make dist)"]

    for what, rel in forbidden_files(bundle):
        problems.append(f"{what} in the bundle: {rel}")
    for rel, needed in forbidden_needed(bundle):
        problems.append(f"{rel} links {needed}: a forbidden library, or a Qt one the bundle lacks")

    with tempfile.TemporaryDirectory(prefix="clearslate-distcheck-") as tmp:
        home = Path(tmp) / "home"
        env = _env(home)

        rc, out, err, _ = run([str(exe), "--version"], env)
        expected = f"{APP_NAME} {__version__}"
        if rc != 0 or out != expected:
            problems.append(f"--version printed {out or err!r} (exit {rc}); expected {expected!r}")

        offline = _offline_prefix()
        rc, out, err, seconds = run([*offline, str(exe), "--self-test"], env, timeout=300)
        line = out or err
        if rc != 0 or "passed" not in line or len(line.splitlines()) != 1:
            problems.append(f"--self-test failed (exit {rc}): {line}")
        print(
            f"self-test ({'no network namespace' if offline else 'sockets refused in-process'}): {line}"
        )

        # Portable mode: a portable.txt beside the executable keeps logs and settings beside it.
        marker = exe.parent / "portable.txt"
        data = exe.parent / "data"
        if marker.exists() or data.exists():
            problems.append(f"{marker} or {data} already exists: a bundle must ship without them")
        else:
            try:
                marker.write_text("ClearSlate keeps its settings and logs beside this file.\n")
                portable_env = {k: v for k, v in env.items() if k != "CLEARSLATE_HOME"}
                rc, out, err, _ = run([str(exe), "--version"], portable_env)
                if rc != 0 or not (data / "logs" / "clearslate.log").is_file():
                    problems.append(f"portable mode: no log under {data} (exit {rc}: {out or err})")
            finally:
                marker.unlink(missing_ok=True)
                shutil.rmtree(data, ignore_errors=True)

        version_s, rc, err = _median_time([str(exe), "--version"], env, runs)
        window_s, wrc, werr = _median_time(
            [str(executable(bundle, console=False))],
            {**env, "CLEARSLATE_QUIT_AFTER_START": "1"},
            runs,
        )
        if wrc != 0:
            problems.append(f"the window did not start offscreen (exit {wrc}): {werr}")

    size = size_mib(bundle)
    files = len(_real_files(bundle))
    print(f"bundle: {bundle} — {size:.0f} MiB in {files} files (limit {size_limit_mb:.0f} MiB)")
    print(
        f"start: --version {version_s * 1000:.0f} ms, window shown offscreen {window_s * 1000:.0f} ms (median of {runs})"
    )
    if size > size_limit_mb:
        problems.append(f"the bundle is {size:.0f} MiB, over the {size_limit_mb:.0f} MiB limit")
    return problems


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundle", type=Path, nargs="?", default=ROOT / "dist" / APP_NAME.lower())
    parser.add_argument("--runs", type=int, default=3, help="timed starts to take the median of")
    parser.add_argument("--size-limit-mb", type=float, default=SIZE_LIMIT_MB)
    args = parser.parse_args(list(argv) if argv is not None else None)
    problems = check(args.bundle.resolve(), runs=args.runs, size_limit_mb=args.size_limit_mb)
    for problem in problems:
        print(f"FAIL: {problem}", file=sys.stderr)
    if not problems:
        print("dist-check: ok")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
