"""app.resources finds shipped files from a checkout and from inside the PyInstaller bundle."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from app import resources

REPO = Path(__file__).resolve().parents[1]


def test_from_source_the_checkout_folders(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(resources.RESOURCES_ENV, raising=False)
    assert not resources.is_frozen()
    assert (
        resources.resource_path("policies", "ca-prop64-state.toml")
        == REPO / "resources" / "policies" / "ca-prop64-state.toml"
    )
    assert resources.resource_path("policies", "ca-prop64-state.toml").is_file()
    assert resources.resource_path("icons", "clearslate.png").is_file()
    assert resources.samples_dir() == REPO / "sample_workbooks"


def test_in_the_bundle_under_meipass(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(resources.RESOURCES_ENV, raising=False)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path / "_internal"), raising=False)
    assert resources.is_frozen()
    assert (
        resources.resource_path("fonts", "DejaVuSans.ttf")
        == tmp_path / "_internal" / "resources" / "fonts" / "DejaVuSans.ttf"
    )
    assert resources.samples_dir() == tmp_path / "_internal" / "sample_workbooks"


def test_environment_override(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(resources.RESOURCES_ENV, str(tmp_path))
    assert (
        resources.resource_path("templates", "default.toml")
        == tmp_path / "templates" / "default.toml"
    )


def test_every_reader_of_resources_uses_the_locator() -> None:
    """A module that builds its own path to resources/ would break inside the bundle."""
    offenders = []
    for path in (REPO / "app").rglob("*.py"):
        if path.name == "resources.py":
            continue
        text = path.read_text(encoding="utf-8")
        if "_MEIPASS" in text or ('"resources"' in text and "__file__" in text):
            offenders.append(str(path.relative_to(REPO)))
    assert offenders == [], f"use app.resources.resource_path in: {offenders}"
