; Inno Setup script: the Windows installer of the one-folder build.
;
;   make package                       (on Windows, in Git Bash or MSYS: builds dist\pos-app)
;   iscc packaging\windows\pos-app.iss  (Inno Setup 6: writes dist\pos-app-setup-<version>.exe)
;
; Installs per machine into Program Files, adds start-menu entries (the window, and the command
; line in a console) and an uninstaller. Data (database, backups, logs) lives in each user's
; %LOCALAPPDATA%\pos-app and is never removed by the uninstaller.

#define AppVersion "0.1.0"

[Setup]
AppId={{6B1F3C52-6E0A-4C1B-9B9E-2F1D2C0A7A11}
AppName=积分收银台 Loyalty Checkout
AppVersion={#AppVersion}
AppPublisher=积分收银台
DefaultDirName={autopf}\pos-app
DefaultGroupName=积分收银台
DisableProgramGroupPage=yes
OutputDir=..\..\dist
OutputBaseFilename=pos-app-setup-{#AppVersion}
SetupIconFile=..\..\resources\icons\pos-app.ico
UninstallDisplayIcon={app}\pos-app-gui.exe
Compression=lzma2
SolidCompression=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
PrivilegesRequired=admin
WizardStyle=modern

[Languages]
; ChineseSimplified.isl ships with Inno Setup 6.3 and later (older: copy it from the Inno Setup
; translations page into the compiler's Languages folder)
Name: "chinesesimplified"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"
Name: "english"; MessagesFile: "compiler:Default.isl"

[Files]
Source: "..\..\dist\pos-app\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\积分收银台"; Filename: "{app}\pos-app-gui.exe"
Name: "{group}\积分收银台 命令行 (command line)"; Filename: "{cmd}"; Parameters: "/k ""{app}\pos-app.exe"" --help"; WorkingDir: "{app}"
Name: "{group}\卸载 Uninstall"; Filename: "{uninstallexe}"
Name: "{autodesktop}\积分收银台"; Filename: "{app}\pos-app-gui.exe"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[Run]
Filename: "{app}\pos-app-gui.exe"; Description: "{cm:LaunchProgram,积分收银台}"; Flags: nowait postinstall skipifsilent

; No [UninstallDelete]: the uninstaller removes only what [Files] installed; the data in
; %LOCALAPPDATA%\pos-app (database, backups, logs) stays for the next installation.
