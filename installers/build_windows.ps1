<#
.SYNOPSIS
  Builds the ClearSlate Windows release on a Windows machine: the bundle, the portable zip,
  the per-user NSIS installer and the per-machine MSI, signed with a timestamp.

.DESCRIPTION
  PyInstaller does not cross-compile, so this runs on Windows 10/11 x64 with:
    - Python 3.11 x64 (python.org installer, "py" launcher),
    - NSIS 3.08+ (makensis.exe), WiX Toolset 3.14 (heat/candle/light.exe),
    - for signing: the Windows SDK's signtool.exe and the office's code-signing certificate
      (a .pfx file, or a certificate in the store / on a token, chosen by thumbprint).
  Steps: fresh venv -> pip install -e .[dist] -> tests of the packaging -> PyInstaller
  bundle -> sign clearslate.exe and clearslate-cli.exe -> check the bundle (self-test with
  no network, version, size) -> portable zip -> NSIS installer (its uninstaller is signed
  as NSIS writes it) -> MSI -> sign both -> SHA256SUMS.txt. Outputs go to dist\.

.EXAMPLE
  powershell -ExecutionPolicy Bypass -File installers\build_windows.ps1 -CertThumbprint 0123ABCD...
.EXAMPLE
  powershell -ExecutionPolicy Bypass -File installers\build_windows.ps1 -PfxPath C:\keys\office.pfx
.EXAMPLE
  powershell -ExecutionPolicy Bypass -File installers\build_windows.ps1 -NoSign   # a test build
#>
[CmdletBinding()]
param(
    [string]$CertThumbprint = "",
    [string]$PfxPath = "",
    [string]$TimestampUrl = "http://timestamp.digicert.com",
    [string]$Python = "py -3.11",
    [switch]$NoSign,
    [switch]$SkipTests
)

$ErrorActionPreference = "Stop"
Set-StrictMode -Version Latest
$Root = Split-Path -Parent $PSScriptRoot
Set-Location $Root
$Dist = Join-Path $Root "dist"
$Bundle = Join-Path $Dist "clearslate"
$Venv = Join-Path $Root ".venv-win"
$Py = Join-Path $Venv "Scripts\python.exe"

function Step([string]$Text) { Write-Host "`n== $Text" -ForegroundColor Cyan }
function Run([string]$Exe, [string[]]$Arguments) {
    & $Exe @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$Exe $($Arguments -join ' ') failed with exit code $LASTEXITCODE" }
}
function Find-Tool([string]$Name, [string[]]$Candidates) {
    $cmd = Get-Command $Name -ErrorAction SilentlyContinue
    if ($cmd) { return $cmd.Source }
    foreach ($pattern in $Candidates) {
        $hit = Get-ChildItem -Path $pattern -ErrorAction SilentlyContinue | Sort-Object FullName -Descending | Select-Object -First 1
        if ($hit) { return $hit.FullName }
    }
    throw "$Name was not found. Install it (see installers\README.md) or put it on PATH."
}

$SignTool = $null
$SignArgs = @()
if (-not $NoSign) {
    $SignTool = Find-Tool "signtool.exe" @("${env:ProgramFiles(x86)}\Windows Kits\10\bin\*\x64\signtool.exe")
    if ($PfxPath) {
        $password = Read-Host "Password of $PfxPath" -AsSecureString
        $plain = [Runtime.InteropServices.Marshal]::PtrToStringAuto([Runtime.InteropServices.Marshal]::SecureStringToBSTR($password))
        $SignArgs = @("sign", "/fd", "SHA256", "/f", $PfxPath, "/p", $plain)
    } elseif ($CertThumbprint) {
        $SignArgs = @("sign", "/fd", "SHA256", "/sha1", $CertThumbprint)
    } else {
        throw "Give -CertThumbprint or -PfxPath to sign, or -NoSign for an unsigned test build."
    }
    # An RFC 3161 timestamp keeps the signature valid after the certificate expires.
    $SignArgs += @("/tr", $TimestampUrl, "/td", "SHA256", "/d", "ClearSlate")
}
function Verify([string[]]$Files) {
    if ($NoSign) { Write-Host "(not signed: -NoSign)"; return }
    Run $SignTool (@("verify", "/pa", "/all") + $Files)
}
function Sign([string[]]$Files) {
    if ($NoSign) { Write-Host "(not signed: -NoSign)"; return }
    Run $SignTool ($SignArgs + $Files)
    Verify $Files
}

Step "Python environment"
if (-not (Test-Path $Py)) { Invoke-Expression "$Python -m venv `"$Venv`""; if ($LASTEXITCODE) { throw "venv failed" } }
Run $Py @("-m", "pip", "install", "-q", "--disable-pip-version-check", "--upgrade", "pip")
Run $Py @("-m", "pip", "install", "-q", "--disable-pip-version-check", "-e", ".[test,dist]")
$Version = (& $Py -c "import app; print(app.__version__)").Trim()
Write-Host "ClearSlate $Version"

if (-not $SkipTests) {
    Step "Packaging tests"
    $env:QT_QPA_PLATFORM = "offscreen"
    Run $Py @("-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_packaging.py", "tests/test_resources.py", "tests/services/test_selftest.py")
}

Step "PyInstaller bundle"
if (Test-Path $Bundle) { Remove-Item -Recurse -Force $Bundle }
Run $Py @("-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN", "--distpath", $Dist,
          "--workpath", (Join-Path $Root "build\pyinstaller"), "installers\clearslate.spec")

Step "Sign the executables"
Sign @((Join-Path $Bundle "clearslate.exe"), (Join-Path $Bundle "clearslate-cli.exe"))

Step "Check the bundle (no network libraries, --version, --self-test, portable mode, size, start)"
Run $Py @("installers\check_bundle.py", $Bundle)

Step "Portable zip"
Run $Py @("installers\make_zip.py", $Bundle, $Dist)

Step "Per-user installer (NSIS)"
$MakeNsis = Find-Tool "makensis.exe" @("${env:ProgramFiles(x86)}\NSIS\makensis.exe", "$env:ProgramFiles\NSIS\makensis.exe")
$Setup = Join-Path $Dist "ClearSlate-$Version-user-setup.exe"
$NsisArgs = @("/V2", "/WX", "/DVERSION=$Version", "/DPAYLOAD=$Bundle", "/DOUTFILE=$Setup",
              "/DICON=$(Join-Path $Root 'resources\icons\clearslate.ico')")
$SignCmd = Join-Path $Root "build\sign-nsis.cmd"
if (-not $NoSign) {
    # NSIS runs "<SIGN> <file>" on the uninstaller and the installer as it writes them. A
    # small .cmd keeps the signtool arguments out of makensis's own command-line quoting;
    # it is deleted right after (it may hold the .pfx password).
    $quoted = ($SignArgs | ForEach-Object { if ($_ -match '\s') { "`"$_`"" } else { $_ } }) -join ' '
    New-Item -ItemType Directory -Force (Split-Path $SignCmd) | Out-Null
    Set-Content -Encoding ascii $SignCmd "@`"$SignTool`" $quoted %*"
    $NsisArgs += "/DSIGN=$SignCmd"
}
try {
    Run $MakeNsis ($NsisArgs + @("installers\clearslate.nsi"))
} finally {
    Remove-Item -Force -ErrorAction SilentlyContinue $SignCmd
}
Verify @($Setup)  # NSIS's !finalize signed it; check the signature and its timestamp

Step "Per-machine MSI (WiX 3)"
$WixBin = if ($env:WIX) { Join-Path $env:WIX "bin" } else { "${env:ProgramFiles(x86)}\WiX Toolset v3.14\bin" }
$Heat = Find-Tool "heat.exe" @("$WixBin\heat.exe")
$Candle = Find-Tool "candle.exe" @("$WixBin\candle.exe")
$Light = Find-Tool "light.exe" @("$WixBin\light.exe")
$Obj = Join-Path $Root "build\wix"
New-Item -ItemType Directory -Force $Obj | Out-Null
Run $Heat @("dir", $Bundle, "-nologo", "-cg", "ClearSlatePayload", "-dr", "INSTALLDIR", "-srd", "-sreg", "-ag",
            "-var", "var.SourceDir", "-out", (Join-Path $Obj "payload.wxs"))
Run $Candle @("-nologo", "-arch", "x64", "-dVersion=$Version", "-dSourceDir=$Bundle", "-dWin64=yes",
              "-dIcon=$(Join-Path $Root 'resources\icons\clearslate.ico')", "-out", "$Obj\",
              "installers\clearslate.wxs", (Join-Path $Obj "payload.wxs"))
$Msi = Join-Path $Dist "ClearSlate-$Version-x64.msi"
Run $Light @("-nologo", "-out", $Msi, (Join-Path $Obj "clearslate.wixobj"), (Join-Path $Obj "payload.wixobj"))
Sign @($Msi)

Step "Checksums"
$Outputs = @($Setup, $Msi, (Join-Path $Dist "ClearSlate-$Version-windows-x64-portable.zip"))
$Sums = $Outputs | ForEach-Object { "{0}  {1}" -f (Get-FileHash -Algorithm SHA256 $_).Hash.ToLower(), (Split-Path -Leaf $_) }
$Sums | Set-Content -Encoding ascii (Join-Path $Dist "SHA256SUMS.txt")
$Sums | ForEach-Object { Write-Host $_ }
Write-Host "`nDone: $($Outputs -join ', ')" -ForegroundColor Green
