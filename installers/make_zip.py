"""Packs the bundle as a portable zip: unzip anywhere and run, settings and logs stay beside it.

``python installers/make_zip.py [BUNDLE=dist/clearslate] [OUTDIR=dist]`` writes
``ClearSlate-<version>-<platform>-portable.zip`` holding one ``ClearSlate/`` folder with a
``portable.txt`` in it (that file switches portable mode on, see app/logs.py). Symbolic
links (PyInstaller links Qt's libraries into place on Linux) are stored as links, so the zip
is not twice the size and ``unzip`` restores them. Runs on Linux and Windows.
"""

from __future__ import annotations

import argparse
import os
import stat
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import APP_NAME, __version__  # noqa: E402

PORTABLE_NOTE = (
    f"{APP_NAME} runs in portable mode while this file is here: its settings and logs are\n"
    "kept in the 'data' folder beside it, not in your user profile. Delete this file to\n"
    "keep them in your profile instead. Keep workspaces on a local disk, not a network share.\n"
)


def platform_tag() -> str:
    return {"win32": "windows-x64", "darwin": "macos"}.get(sys.platform, "linux-x86_64")


def make_zip(bundle: Path, out_dir: Path) -> Path:
    if not bundle.is_dir():
        raise SystemExit(f"make_zip: no bundle at {bundle} (build it first: make dist)")
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{APP_NAME}-{__version__}-{platform_tag()}-portable.zip"
    temp = target.with_name(target.name + ".part")
    top = APP_NAME
    with zipfile.ZipFile(temp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for path in sorted(bundle.rglob("*")):
            arcname = f"{top}/{path.relative_to(bundle).as_posix()}"
            if path.is_symlink():
                info = zipfile.ZipInfo(arcname)
                info.create_system = 3  # Unix, so the mode bits below mean "symbolic link"
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
                zf.writestr(info, os.readlink(path))
            elif path.is_file():
                zf.write(path, arcname)
        zf.writestr(f"{top}/portable.txt", PORTABLE_NOTE)
    os.replace(temp, target)  # never a half zip under the final name
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundle", type=Path, nargs="?", default=ROOT / "dist" / APP_NAME.lower())
    parser.add_argument("out_dir", type=Path, nargs="?", default=ROOT / "dist")
    args = parser.parse_args()
    target = make_zip(args.bundle, args.out_dir)
    print(f"Built {target} ({target.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
