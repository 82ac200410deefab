"""Packaging: the PyInstaller spec, the bundle checker, the installer scripts, icons and portable mode.

These run without building anything (``make dist-check`` builds and checks the real bundle);
the installer compile test runs when makensis and wixl are installed.
"""

from __future__ import annotations

import ast
import re
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from app import APP_NAME, __version__

REPO = Path(__file__).resolve().parents[1]
INSTALLERS = REPO / "installers"
SPEC = INSTALLERS / "clearslate.spec"
sys.path.insert(0, str(INSTALLERS))

import check_bundle  # noqa: E402
import make_zip  # noqa: E402


def _spec_literal(name: str) -> object:
    """A top-level literal assignment of the spec (the spec itself only runs inside PyInstaller)."""
    for node in ast.parse(SPEC.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{name} is not assigned in the spec")


def _spec_excludes(dest: str) -> bool:
    pattern = re.compile("|".join(f"(?:{p})" for p in _spec_literal("EXCLUDED_FILES")))  # type: ignore[union-attr]
    return bool(pattern.search("/" + dest))


# -- the spec -------------------------------------------------------------------------------


def test_spec_takes_name_and_version_from_the_package() -> None:
    text = SPEC.read_text(encoding="utf-8")
    assert "from app import APP_NAME, __version__" in text
    assert "EXE_NAME = APP_NAME.lower()" in text
    assert "name=EXE_NAME" in text and "console=False" in text
    # onedir: the executable excludes the binaries and COLLECT lays them out beside it.
    assert "exclude_binaries=True" in text and "COLLECT(" in text
    assert "upx=False" in text
    assert str(__version__) not in text, (
        "the version must come from app/__init__.py, not be typed in"
    )


def test_spec_excludes_the_network_and_qml_modules() -> None:
    excluded = set(_spec_literal("EXCLUDED_MODULES"))  # type: ignore[arg-type]
    for module in (
        "PySide6.QtNetwork",
        "PySide6.QtWebEngineCore",
        "PySide6.QtQml",
        "PySide6.QtQuick",
        "ssl",
    ):
        assert module in excluded
    # What the app needs must never be excluded.
    for module in (
        "PySide6.QtWidgets",
        "PySide6.QtGui",
        "PySide6.QtPrintSupport",
        "defusedxml",
        "sqlite3",
    ):
        assert module not in excluded


@pytest.mark.parametrize(
    "dest",
    [
        "PySide6/Qt/lib/libQt6Network.so.6",
        "PySide6/Qt6Network.dll",
        "PySide6/Qt/plugins/tls/libqopensslbackend.so",
        "PySide6/plugins/tls/qschannelbackend.dll",
        "PySide6/Qt/plugins/networkinformation/libqnetworkmanager.so",
        "PySide6/Qt/plugins/platforms/libqvnc.so",
        "PySide6/Qt/plugins/generic/libqtuiotouchplugin.so",
        "PySide6/Qt/lib/libQt6Qml.so.6",
        "PySide6/Qt/lib/libQt6QuickControls2.so.6",
        "PySide6/Qt6WebEngineCore.dll",
        "PySide6/opengl32sw.dll",
        "libssl.so.3",
        "libssl-3-x64.dll",
        "python3.11/lib-dynload/_ssl.cpython-311-x86_64-linux-gnu.so",
        "_ssl.pyd",
        "libgnutls.so.30",
        "libcups.so.2",
        "PySide6/Qt/translations/qtbase_de.qm",
        "PySide6/Qt/plugins/imageformats/libqpdf.so",
        "PySide6/Qt/plugins/wayland-decoration-client/libadwaita.so",
    ],
)
def test_spec_drops(dest: str) -> None:
    assert _spec_excludes(dest)


@pytest.mark.parametrize(
    "dest",
    [
        "PySide6/Qt/lib/libQt6Widgets.so.6",
        "PySide6/Qt/lib/libQt6Gui.so.6",
        "PySide6/Qt/lib/libQt6PrintSupport.so.6",
        "PySide6/Qt6Core.dll",
        "PySide6/Qt/plugins/platforms/libqxcb.so",
        "PySide6/Qt/plugins/platforms/libqoffscreen.so",
        "PySide6/plugins/platforms/qwindows.dll",
        "PySide6/plugins/styles/qmodernwindowsstyle.dll",
        "PySide6/Qt/plugins/imageformats/libqico.so",
        "libcrypto.so.3",  # hashlib.scrypt: the password hashes
        "libcrypto-3-x64.dll",
        "python3.11/lib-dynload/_hashlib.cpython-311-x86_64-linux-gnu.so",
        "PySide6/Qt/translations/qtbase_es.qm",
        "resources/policies/ca-prop64-state.toml",
        "resources/fonts/DejaVuSerif.ttf",
        "sample_workbooks/ca_doj_extract.xlsx",
        "docx/templates/default-footer.xml",
    ],
)
def test_spec_keeps(dest: str) -> None:
    assert not _spec_excludes(dest)


def test_spec_ships_resources_and_samples() -> None:
    text = SPEC.read_text(encoding="utf-8")
    assert '(str(ROOT / "resources"), "resources")' in text
    assert '(str(ROOT / "sample_workbooks"), "sample_workbooks")' in text
    assert 'collect_submodules("defusedxml")' in text
    assert '"docx": "py"' in text  # python-docx's templates must resolve on disk


# -- the bundle checker ------------------------------------------------------------------------


def _fake_bundle(root: Path, files: list[str]) -> Path:
    for rel in files:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x" * 10)
    return root


def test_bundle_checker_names_every_forbidden_file(tmp_path: Path) -> None:
    bundle = _fake_bundle(
        tmp_path,
        [
            "clearslate",
            "_internal/libQt6Widgets.so.6",
            "_internal/PySide6/Qt/plugins/platforms/libqxcb.so",
            "_internal/libcrypto.so.3",
            "_internal/libQt6Network.so.6",
            "_internal/PySide6/QtNetwork.abi3.so",
            "_internal/PySide6/Qt/plugins/tls/libqopensslbackend.so",
            "_internal/libssl.so.3",
            "_internal/PySide6/Qt/lib/libQt6Quick.so.6",
        ],
    )
    found = dict((rel, what) for what, rel in check_bundle.forbidden_files(bundle))
    assert set(found) == {
        "_internal/libQt6Network.so.6",
        "_internal/PySide6/QtNetwork.abi3.so",
        "_internal/PySide6/Qt/plugins/tls/libqopensslbackend.so",
        "_internal/libssl.so.3",
        "_internal/PySide6/Qt/lib/libQt6Quick.so.6",
    }
    assert found["_internal/PySide6/Qt/plugins/tls/libqopensslbackend.so"] == "TLS plugin"


def test_bundle_checker_counts_linked_files_once(tmp_path: Path) -> None:
    bundle = _fake_bundle(tmp_path, ["_internal/libQt6Core.so.6"])
    (bundle / "_internal" / "PySide6").mkdir()
    (bundle / "_internal" / "PySide6" / "libQt6Core.so.6").symlink_to(
        bundle / "_internal" / "libQt6Core.so.6"
    )
    assert check_bundle.size_mib(bundle) == pytest.approx(10 / 2**20)


def test_bundle_checker_refuses_a_missing_bundle(tmp_path: Path) -> None:
    problems = check_bundle.check(tmp_path / "nothing")
    assert len(problems) == 1 and "make dist" in problems[0]


# -- installers --------------------------------------------------------------------------------


def test_nsis_installs_per_user_without_admin() -> None:
    text = (INSTALLERS / "clearslate.nsi").read_text(encoding="utf-8")
    code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith(";"))
    assert re.search(r"^RequestExecutionLevel user$", code, re.MULTILINE)
    assert 'InstallDir "$LOCALAPPDATA\\Programs\\${APP_NAME}"' in code
    assert 'CreateShortcut "$SMPROGRAMS\\${APP_NAME}.lnk"' in code
    assert 'WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString"' in code
    assert "WriteUninstaller" in code
    for machine_wide in (
        "HKLM",
        "SetShellVarContext all",
        "$PROGRAMFILES",
        "RequestExecutionLevel admin",
    ):
        assert machine_wide not in code


def test_wix_is_a_per_machine_msi_into_program_files() -> None:
    ns = {"w": "http://schemas.microsoft.com/wix/2006/wi"}
    root = ET.parse(INSTALLERS / "clearslate.wxs").getroot()  # noqa: S314 - our own file
    product = root.find("w:Product", ns)
    assert product is not None and product.get("Version") == "$(var.Version)"
    package = product.find("w:Package", ns)
    assert package is not None and package.get("InstallScope") == "perMachine"
    assert product.find("w:MajorUpgrade", ns) is not None
    install_dir = root.find(
        ".//w:Directory[@Id='ProgramFiles64Folder']/w:Directory[@Id='INSTALLDIR']", ns
    )
    assert install_dir is not None and install_dir.get("Name") == APP_NAME
    shortcut = root.find(".//w:Shortcut", ns)
    assert shortcut is not None and shortcut.get("Target") == "[INSTALLDIR]clearslate.exe"


@pytest.mark.skipif(
    not (shutil.which("makensis") and shutil.which("wixl") and shutil.which("msiinfo")),
    reason="makensis/wixl not installed (make dist-check installs them)",
)
def test_installer_scripts_compile() -> None:
    proc = subprocess.run(
        [str(INSTALLERS / "check_installers.sh")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "check_installers: ok" in proc.stdout


def test_windows_build_script_signs_with_a_timestamp() -> None:
    text = (INSTALLERS / "build_windows.ps1").read_text(encoding="utf-8")
    assert '"/tr", $TimestampUrl, "/td", "SHA256"' in text
    assert "installers\\clearslate.spec" in text and "installers\\clearslate.nsi" in text
    assert "installers\\clearslate.wxs" in text and "check_bundle.py" in text


def test_readme_tells_it_about_applocker_and_signing() -> None:
    text = (INSTALLERS / "README.md").read_text(encoding="utf-8")
    for needed in (
        "AppLocker",
        "publisher rule",
        "signtool",
        "timestamp",
        "Program Files",
        "--self-test",
        "portable.txt",
    ):
        assert needed in text


# -- icons ----------------------------------------------------------------------------------------


def test_ico_holds_the_windows_sizes() -> None:
    data = (REPO / "resources" / "icons" / "clearslate.ico").read_bytes()
    reserved, kind, count = struct.unpack_from("<HHH", data)
    assert (reserved, kind) == (0, 1)
    sizes = set()
    for i in range(count):
        width, _h, _c, _r, _planes, bits, length, offset = struct.unpack_from(
            "<BBBBHHII", data, 6 + 16 * i
        )
        assert bits == 32 and offset + length <= len(data)
        sizes.add(width or 256)
    assert {16, 32, 48, 256} <= sizes


def test_png_icons_exist_for_the_desktop_entry() -> None:
    icons = REPO / "resources" / "icons"
    for name in (
        "clearslate.svg",
        "clearslate.png",
        *(f"clearslate-{s}.png" for s in (16, 32, 48, 64, 128)),
    ):
        assert (icons / name).is_file(), name
    assert (icons / "clearslate.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# -- portable mode ------------------------------------------------------------------------------


def _frozen_at(monkeypatch: pytest.MonkeyPatch, folder: Path) -> Path:
    exe = folder / "clearslate"
    exe.write_bytes(b"")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(exe))
    monkeypatch.delenv("CLEARSLATE_HOME", raising=False)
    return exe


def test_portable_mode_keeps_logs_and_window_settings_beside_the_executable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from app import logs
    from app.ui import application

    install = tmp_path / "ClearSlate"
    install.mkdir()
    _frozen_at(monkeypatch, install)
    (install / "portable.txt").write_text("portable\n")
    assert logs.is_portable()
    assert logs.data_dir() == install / "data"
    assert logs.log_file() == install / "data" / "logs" / "clearslate.log"
    settings = application.settings()
    settings.setValue("probe", "beside the exe")
    settings.sync()
    assert Path(settings.fileName()) == install / "data" / "window.ini"
    assert "beside the exe" in (install / "data" / "window.ini").read_text()


def test_without_portable_txt_data_goes_to_the_user_profile(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from app import logs
    from app.ui import application

    install = tmp_path / "ClearSlate"
    install.mkdir()
    _frozen_at(monkeypatch, install)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "profile"))
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "profile"))
    monkeypatch.setattr(logs.Path, "home", staticmethod(lambda: tmp_path / "home"))
    assert not logs.is_portable()
    assert install not in logs.data_dir().parents
    assert not Path(application.settings().fileName()).is_relative_to(install)


def test_portable_zip_switches_portable_mode_on(tmp_path: Path) -> None:
    bundle = _fake_bundle(tmp_path / "bundle", ["clearslate", "_internal/libQt6Core.so.6"])
    (bundle / "_internal" / "link.so").symlink_to("libQt6Core.so.6")
    target = make_zip.make_zip(bundle, tmp_path / "out")
    assert target.name == f"{APP_NAME}-{__version__}-{make_zip.platform_tag()}-portable.zip"
    with zipfile.ZipFile(target) as zf:
        names = set(zf.namelist())
        assert {
            f"{APP_NAME}/clearslate",
            f"{APP_NAME}/portable.txt",
            f"{APP_NAME}/_internal/libQt6Core.so.6",
        } <= names
        link = zf.getinfo(f"{APP_NAME}/_internal/link.so")
        assert (link.external_attr >> 16) & 0o170000 == 0o120000  # stored as a symbolic link
        assert zf.read(link) == b"libQt6Core.so.6"
    assert not list((tmp_path / "out").glob("*.part"))


def test_window_state_has_one_qsettings_so_portable_mode_covers_it() -> None:
    """A bare QSettings() would write to the Windows registry and ignore portable mode."""
    makers = [
        str(path.relative_to(REPO))
        for path in (REPO / "app").rglob("*.py")
        if "QSettings(" in path.read_text(encoding="utf-8")
    ]
    assert makers == ["app/ui/application.py"]
    assert 'QSettings(str(data_dir() / "window.ini"), QSettings.Format.IniFormat)' in (
        REPO / "app" / "ui" / "application.py"
    ).read_text(encoding="utf-8")
