#!/usr/bin/env bash
# Builds a Debian/Ubuntu package from the Linux bundle with dpkg-deb:
#   installers/build_deb.sh [BUNDLE=dist/clearslate] [OUTDIR=dist]
# Layout: the bundle under /opt/clearslate, /usr/bin/clearslate, a desktop entry and the
# icon in the hicolor theme. No maintainer scripts: nothing runs as root at install time.
set -euo pipefail
cd "$(dirname "$0")/.."
BUNDLE=${1:-dist/clearslate}
OUTDIR=${2:-dist}
PY=${PY:-.venv/bin/python}
[ -x "$PY" ] || PY=python3
[ -x "$BUNDLE/clearslate" ] || { echo "build_deb: no bundle at $BUNDLE (make dist first)" >&2; exit 1; }

VERSION=$("$PY" -c 'import app; print(app.__version__)')
ARCH=$(dpkg --print-architecture)
PKG=clearslate
stage=$(mktemp -d "${TMPDIR:-/tmp}/clearslate-deb-XXXXXX")
trap 'rm -rf "$stage"' EXIT
root="$stage/${PKG}_${VERSION}_${ARCH}"

mkdir -p "$root/DEBIAN" "$root/opt" "$root/usr/bin" "$root/usr/share/applications" \
    "$root/usr/share/icons/hicolor/scalable/apps" "$root/usr/share/doc/$PKG"
cp -a "$BUNDLE" "$root/opt/$PKG"
ln -s "/opt/$PKG/clearslate" "$root/usr/bin/clearslate"
cp resources/icons/clearslate.svg "$root/usr/share/icons/hicolor/scalable/apps/clearslate.svg"
for size in 16 32 48 64 128; do
    mkdir -p "$root/usr/share/icons/hicolor/${size}x${size}/apps"
    cp "resources/icons/clearslate-$size.png" "$root/usr/share/icons/hicolor/${size}x${size}/apps/clearslate.png"
done
mkdir -p "$root/usr/share/icons/hicolor/256x256/apps"
cp resources/icons/clearslate.png "$root/usr/share/icons/hicolor/256x256/apps/clearslate.png"

cat >"$root/usr/share/applications/clearslate.desktop" <<EOF
[Desktop Entry]
Type=Application
Name=ClearSlate
GenericName=Conviction relief review
Comment=Clear old cannabis convictions in bulk, offline
Exec=/opt/$PKG/clearslate %f
Icon=clearslate
Terminal=false
Categories=Office;
MimeType=application/x-clearslate-workspace;
StartupWMClass=ClearSlate
EOF

# Workspaces (*.clearslate) open in ClearSlate; shared-mime-info's trigger picks this up.
mkdir -p "$root/usr/share/mime/packages"
cat >"$root/usr/share/mime/packages/clearslate.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<mime-info xmlns="http://www.freedesktop.org/standards/shared-mime-info">
  <mime-type type="application/x-clearslate-workspace">
    <comment>ClearSlate workspace</comment>
    <glob pattern="*.clearslate"/>
  </mime-type>
</mime-info>
EOF

cat >"$root/usr/share/doc/$PKG/copyright" <<EOF
ClearSlate $VERSION. Proprietary; see the licence agreement of your office.
Bundled: Qt 6 and PySide6 (LGPLv3), Python (PSF), DejaVu fonts (free licence, see
/opt/$PKG/_internal/resources/fonts/LICENSE-DejaVu.txt).
EOF

size_kb=$(du -sk "$root" | cut -f1)
# The bundle carries its Python and Qt; these are what it takes from the system.
cat >"$root/DEBIAN/control" <<EOF
Package: $PKG
Version: $VERSION
Architecture: $ARCH
Maintainer: ClearSlate <it@clearslate.invalid>
Installed-Size: $size_kb
Depends: libc6 (>= 2.31), libgl1, libegl1, libxcb1, libfontconfig1
Recommends: libcups2, libwayland-client0, libwayland-cursor0, libwayland-egl1
Section: misc
Priority: optional
Homepage: https://clearslate.invalid
Description: offline bulk relief for old cannabis convictions
 ClearSlate turns court and state spreadsheets into a reviewed, signed-off list of
 cannabis convictions to dismiss, reduce or seal, with a reason for every decision,
 a tamper-evident audit log and court-ready filings. It never uses the network.
EOF

mkdir -p "$OUTDIR"
deb="$OUTDIR/${PKG}_${VERSION}_${ARCH}.deb"
# gzip: every dpkg reads it, and it packs the 170 MB bundle in seconds (xz takes minutes).
dpkg-deb --root-owner-group -Zgzip -z6 --build "$root" "$deb" >/dev/null
# (Output into variables first: grep -q would close a pipe early and trip pipefail.)
info=$(dpkg-deb --info "$deb")
grep -q "Package: $PKG" <<<"$info" || { echo "build_deb: $deb is not a package" >&2; exit 1; }
contents=$(dpkg-deb --contents "$deb")
for want in ./usr/share/applications/clearslate.desktop ./usr/share/icons/hicolor/256x256/apps/clearslate.png \
    ./opt/clearslate/clearslate ./usr/bin/clearslate; do
    grep -q " $want" <<<"$contents" || { echo "build_deb: $want missing from $deb" >&2; exit 1; }
done
echo "Built $deb ($(du -k "$deb" | cut -f1) KB)"
