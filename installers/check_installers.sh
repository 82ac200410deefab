#!/usr/bin/env bash
# Compiles the Windows installer scripts on Linux against a dummy payload, so they cannot rot
# between Windows releases: the NSIS per-user installer with makensis (warnings are errors)
# and the per-machine MSI with wixl, then checks what each one says about where it installs.
# When openssl and osslsigncode are here, it also signs both with a throw-away certificate
# and verifies the signatures (no timestamp: CI has no network; the release machine adds one).
#
# Installs the Debian packages nsis, wixl and msitools when missing and running as root.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PY=${PY:-.venv/bin/python}
[ -x "$PY" ] || PY=python3
VERSION=$("$PY" -c 'import app; print(app.__version__)')

need=()
command -v makensis >/dev/null || need+=(nsis)
command -v wixl >/dev/null || need+=(wixl)
command -v wixl-heat >/dev/null || need+=(wixl)
command -v msiinfo >/dev/null || need+=(msitools)
if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "Installing Debian packages: ${need[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
    else
        echo "check_installers: missing ${need[*]} (apt-get install nsis wixl msitools, as root)" >&2
        exit 1
    fi
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/clearslate-installers-XXXXXX")
trap 'rm -rf "$work"' EXIT

# A dummy payload shaped like the Windows bundle: two executables and the _internal folder.
payload="$work/payload"
mkdir -p "$payload/_internal/PySide6/plugins/platforms" "$payload/_internal/resources/policies"
printf 'MZ dummy windowed executable' >"$payload/clearslate.exe"
printf 'MZ dummy console executable' >"$payload/clearslate-cli.exe"
printf 'dummy' >"$payload/_internal/python311.dll"
printf 'dummy' >"$payload/_internal/PySide6/plugins/platforms/qwindows.dll"
printf 'id = "dummy"\n' >"$payload/_internal/resources/policies/dummy.toml"
cp resources/icons/clearslate.ico "$work/clearslate.ico"

fail() { echo "check_installers: FAIL: $*" >&2; exit 1; }

# -- NSIS, per user ------------------------------------------------------------------------
grep -q '^RequestExecutionLevel user' installers/clearslate.nsi || fail "the NSIS script must say RequestExecutionLevel user"
if grep -Eq '^\s*[^;]*\b(HKLM|SetShellVarContext all|\$PROGRAMFILES)' installers/clearslate.nsi; then
    fail "the per-user NSIS script touches machine-wide places (HKLM, all users, Program Files)"
fi
setup="$work/ClearSlate-$VERSION-user-setup.exe"
(cd installers && makensis -V2 -WX -DVERSION="$VERSION" -DPAYLOAD="$payload" -DOUTFILE="$setup" \
    -DICON="$work/clearslate.ico" clearslate.nsi)
[ "$(head -c 2 "$setup")" = "MZ" ] || fail "makensis wrote no Windows executable"
echo "NSIS per-user installer: ok ($(du -k "$setup" | cut -f1) KB)"

# -- WiX, per machine ----------------------------------------------------------------------
(cd "$work" && find payload -type f | sort |
    wixl-heat -p payload/ --var var.SourceDir --directory-ref INSTALLDIR \
        --component-group ClearSlatePayload --win64 >payload.wxs)
cp installers/clearslate.wxs "$work/clearslate.wxs"
msi="$work/ClearSlate-$VERSION-x64.msi"
(cd "$work" && wixl -a x64 -D Version="$VERSION" -D SourceDir=payload -D Win64=yes \
    -D Icon=clearslate.ico -o "$msi" clearslate.wxs payload.wxs)
props=$(msiinfo export "$msi" Property)
grep -q $'^ALLUSERS\t1' <<<"$props" || fail "the MSI is not per-machine (ALLUSERS=1)"
grep -q $'^ProductVersion\t'"$VERSION" <<<"$props" || fail "the MSI's ProductVersion is not $VERSION"
# (Tables go into variables first: grep -q would close a pipe early and trip pipefail.)
dirs=$(msiinfo export "$msi" Directory)
grep -q $'^INSTALLDIR\tProgramFiles64Folder\tClearSlate' <<<"$dirs" ||
    fail "the MSI does not install into Program Files\\ClearSlate"
shortcuts=$(msiinfo export "$msi" Shortcut)
grep -q $'\tProgramMenuFolder\tClearSlate\t.*clearslate.exe' <<<"$shortcuts" || fail "the MSI has no Start-menu shortcut"
files=$(msiinfo export "$msi" File | tail -n +4 | wc -l)
[ "$files" -eq 5 ] || fail "the MSI holds $files files; the dummy payload has 5"
echo "WiX per-machine MSI: ok ($(du -k "$msi" | cut -f1) KB, $files files)"

# -- signing rehearsal ---------------------------------------------------------------------
# The same hooks as a release: NSIS signs its uninstaller and itself through -DSIGN=script;
# the MSI is signed afterwards. Both signatures must verify against the certificate.
if command -v openssl >/dev/null && command -v osslsigncode >/dev/null; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=ClearSlate CI test signing" \
        -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
    cat >"$work/sign.sh" <<EOF
#!/bin/sh
set -e
osslsigncode sign -certs "$work/cert.pem" -key "$work/key.pem" -h sha256 -n ClearSlate -in "\$1" -out "\$1.signed" >/dev/null
mv "\$1.signed" "\$1"
EOF
    chmod +x "$work/sign.sh"
    signed_setup="$work/ClearSlate-$VERSION-user-setup-signed.exe"
    (cd installers && makensis -V2 -WX -DVERSION="$VERSION" -DPAYLOAD="$payload" -DOUTFILE="$signed_setup" \
        -DICON="$work/clearslate.ico" -DSIGN="$work/sign.sh" clearslate.nsi)
    "$work/sign.sh" "$msi"
    for file in "$signed_setup" "$msi"; do
        osslsigncode verify -CAfile "$work/cert.pem" -in "$file" >/dev/null 2>&1 ||
            fail "the signature on $(basename "$file") does not verify"
    done
    echo "signing rehearsal (osslsigncode, throw-away certificate, NSIS !finalize hooks): ok"
else
    echo "signing rehearsal skipped (openssl or osslsigncode not installed)"
fi
echo "check_installers: ok"
