"""``manifest.json``: what a packet holds (each file's size and SHA-256) and what it was made from,
and the check of a packet folder against it (``verify DIR``)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.exports.data import fingerprint_of
from app.exports.files import sha256_file

MANIFEST = "manifest.json"
FORMAT = "clearslate-packet/1"


def file_entry(folder: Path, name: str) -> dict[str, Any]:
    path = folder / name
    return {"name": name, "size": path.stat().st_size, "sha256": sha256_file(path)}


def build_manifest(
    folder: Path,
    names: list[str],
    *,
    fingerprint: str,
    fingerprint_data: dict[str, Any],
    extra: dict[str, Any],
) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "fingerprint": fingerprint,
        "fingerprint_data": fingerprint_data,
        **extra,
        "files": [file_entry(folder, name) for name in sorted(names)],
    }


def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    return (json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=False) + "\n").encode(
        "utf-8"
    )


@dataclass
class PacketVerification:
    folder: Path
    ok: bool = True
    manifest_sha256: str | None = None
    fingerprint: str | None = None
    checked: int = 0
    altered: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    signoff: dict[str, Any] = field(default_factory=dict)
    # Worth saying but not a failed check (a leftover partial export folder beside the packet).
    warnings: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"Packet: {self.folder}"]
        if self.manifest_sha256:
            out.append(
                f"Manifest SHA-256: {self.manifest_sha256} (compare with the export entry of the audit log)"
            )
        if self.fingerprint:
            out.append(f"Fingerprint: {self.fingerprint} (printed on the filings' cover pages)")
        if self.signoff:
            out.append(f"Signed off by {self.signoff.get('user')} at {self.signoff.get('at')}")
        out.extend(self.problems)
        out.extend(
            f"ALTERED: {name} (its SHA-256 or size differs from the manifest)"
            for name in self.altered
        )
        out.extend(
            f"MISSING: {name} (listed in the manifest, not in the folder)" for name in self.missing
        )
        out.extend(f"EXTRA: {name} (in the folder, not in the manifest)" for name in self.extra)
        out.extend(f"warning: {w}" for w in self.warnings)
        if self.ok:
            out.append(f"OK: all {self.checked} files match the manifest.")
        elif (
            self.problems
            and not (self.altered or self.missing or self.extra)
            and all(p.startswith("BROKEN AUDIT CHAIN") for p in self.problems)
        ):
            out.append("FAILED: this packet must not be filed (see above).")
        else:
            out.append("FAILED: this packet is not the one that was exported.")
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "folder": str(self.folder),
            "ok": self.ok,
            "manifest_sha256": self.manifest_sha256,
            "fingerprint": self.fingerprint,
            "checked": self.checked,
            "altered": self.altered,
            "missing": self.missing,
            "extra": self.extra,
            "problems": self.problems,
            "signoff": self.signoff,
            "warnings": self.warnings,
        }


def _relative_files(folder: Path) -> list[str]:
    return sorted(
        p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() or p.is_symlink()
    )


def verify_folder(folder: Path) -> PacketVerification:
    """Compare every file in ``folder`` with ``manifest.json``; name each altered, missing or extra one."""
    result = PacketVerification(folder)
    manifest_path = folder / MANIFEST
    if not folder.is_dir():
        result.ok = False
        result.problems.append("This is not a folder.")
        return result
    if not manifest_path.is_file():
        result.ok = False
        result.problems.append(
            f"There is no {MANIFEST} here: this is not a ClearSlate packet, or its manifest was removed."
        )
        result.extra = [n for n in _relative_files(folder)]
        return result
    result.manifest_sha256 = sha256_file(manifest_path)
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        files = {f["name"]: f for f in manifest["files"]}
    except (ValueError, KeyError, TypeError) as exc:
        result.ok = False
        result.problems.append(f"{MANIFEST} cannot be read ({exc}); it was damaged or edited.")
        return result
    result.fingerprint = manifest.get("fingerprint")
    result.signoff = (
        manifest.get("signoff", {}) if isinstance(manifest.get("signoff"), dict) else {}
    )
    data = manifest.get("fingerprint_data")
    if not isinstance(data, dict) or fingerprint_of(data) != result.fingerprint:
        result.ok = False
        result.problems.append(
            f"{MANIFEST} was edited: its fingerprint does not match the data it describes."
        )
    present = set(_relative_files(folder)) - {MANIFEST}
    for name, entry in sorted(files.items()):
        path = folder / name
        if name not in present:
            result.missing.append(name)
            continue
        result.checked += 1
        if path.stat().st_size != entry.get("size") or sha256_file(path) != entry.get("sha256"):
            result.altered.append(name)
    result.extra = sorted(present - set(files))
    if result.altered or result.missing or result.extra:
        result.ok = False
    return result
