; ClearSlate per-user installer (NSIS 3). No admin rights, no UAC prompt: everything goes
; under the user's own profile and registry hive, so staff on locked-down county laptops
; can install and remove it themselves.
;
;   makensis -DVERSION=0.1.0 -DPAYLOAD=..\dist\clearslate -DOUTFILE=..\dist\ClearSlate-0.1.0-user-setup.exe clearslate.nsi
;
; Optional: -DSIGN=C:\path\sign.cmd names a script that signs the file given as its one
; argument, in place (build_windows.ps1 writes one around signtool; check_installers.sh one
; around osslsigncode). NSIS runs it on the uninstaller and on the installer as it writes them.

Unicode true
SetCompressor /SOLID lzma

!define APP_NAME "ClearSlate"
!define EXE_NAME "clearslate.exe"
!define PUBLISHER "ClearSlate"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APP_NAME}"
!ifndef VERSION
  !error "Pass the version: makensis -DVERSION=x.y.z (build_windows.ps1 reads it from app/__init__.py)"
!endif
!ifndef PAYLOAD
  !define PAYLOAD "..\dist\clearslate"
!endif
!ifndef OUTFILE
  !define OUTFILE "..\dist\${APP_NAME}-${VERSION}-user-setup.exe"
!endif
!ifndef ICON
  !define ICON "..\resources\icons\clearslate.ico"
!endif

!ifdef SIGN
  !uninstfinalize '"${SIGN}" "%1"' = 0
  !finalize '"${SIGN}" "%1"' = 0
!endif

Name "${APP_NAME}"
OutFile "${OUTFILE}"
; Per user: %LOCALAPPDATA%\Programs\ClearSlate, the place Windows itself uses for per-user apps.
RequestExecutionLevel user
InstallDir "$LOCALAPPDATA\Programs\${APP_NAME}"
InstallDirRegKey HKCU "${UNINSTALL_KEY}" "InstallLocation"
BrandingText "${APP_NAME} ${VERSION}"
ManifestDPIAware true

VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=1033 "ProductName" "${APP_NAME}"
VIAddVersionKey /LANG=1033 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=1033 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=1033 "FileDescription" "${APP_NAME} per-user installer"
VIAddVersionKey /LANG=1033 "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=1033 "LegalCopyright" "${PUBLISHER}"

!include "MUI2.nsh"
!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\${EXE_NAME}"
!define MUI_FINISHPAGE_RUN_TEXT "Start ${APP_NAME}"

!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"
!insertmacro MUI_LANGUAGE "Spanish"

Function .onInit
  ; Shortcuts and shell folders of this user, never "all users".
  SetShellVarContext current
FunctionEnd

Function un.onInit
  SetShellVarContext current
FunctionEnd

Section "${APP_NAME}" SecMain
  SectionIn RO
  SetOutPath "$INSTDIR"
  ; An upgrade replaces the program files; the user's workspaces never live here.
  RMDir /r "$INSTDIR\_internal"
  File /r "${PAYLOAD}\*.*"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateShortcut "$SMPROGRAMS\${APP_NAME}.lnk" "$INSTDIR\${EXE_NAME}" "" "$INSTDIR\${EXE_NAME}" 0

  ; Apps & features entry, in the user's own hive (HKCU): no admin rights needed.
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "${APP_NAME}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\${EXE_NAME}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1
SectionEnd

Section "Uninstall"
  ; Remove only what the installer put there: a folder chosen by the user may hold other
  ; files. Workspaces, logs and settings (%LOCALAPPDATA%\ClearSlate) are the user's: kept.
  Delete "$SMPROGRAMS\${APP_NAME}.lnk"
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\clearslate.exe"
  Delete "$INSTDIR\clearslate-cli.exe"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  DeleteRegKey HKCU "${UNINSTALL_KEY}"
SectionEnd
