//! Opening the recipient's browser on the library: the default browser, in a
//! private window where the browser is known, so nothing of the visit enters
//! its history.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Browsers we know how to open privately, by the name of their program.
const PRIVATE_FLAGS: [(&str, &str); 9] = [
    ("firefox", "-private-window"),
    ("chromium", "--incognito"),
    ("chromium-browser", "--incognito"),
    ("chrome", "--incognito"),
    ("google-chrome", "--incognito"),
    ("msedge", "--inprivate"),
    ("microsoft-edge", "--inprivate"),
    ("brave", "--incognito"),
    ("brave-browser", "--incognito"),
];

/// The private-window flag for a browser program, if we know it.
pub fn private_flag(program: &Path) -> Option<&'static str> {
    // Both separators: a Windows path is read the same on every system.
    let full = program.to_string_lossy().to_ascii_lowercase();
    let file = full.rsplit(['/', '\\']).next()?;
    let name = file.strip_suffix(".exe").unwrap_or(file);
    let name = name.trim_end_matches("-stable").trim_end_matches("-beta");
    PRIVATE_FLAGS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, f)| *f)
}

/// Opens `url`: privately in the default browser when it is one we know,
/// else the system's usual way.
pub fn open(url: &str, private: bool) -> std::io::Result<()> {
    if private {
        if let Some(program) = default_browser() {
            if let Some(flag) = private_flag(&program) {
                let spawned = Command::new(&program)
                    .arg(flag)
                    .arg(url)
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn();
                if spawned.is_ok() {
                    return Ok(());
                }
            }
        }
    }
    open::that_detached(url)
}

/// The default browser's program, as the desktop says.
#[cfg(all(unix, not(target_os = "macos")))]
fn default_browser() -> Option<PathBuf> {
    let out = Command::new("xdg-settings")
        .args(["get", "default-web-browser"])
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let desktop = String::from_utf8_lossy(&out.stdout).trim().to_string();
    program_of_desktop_file(&desktop)
}

/// Finds the `Exec=` program of a `.desktop` entry in the XDG data folders.
#[cfg(all(unix, not(target_os = "macos")))]
fn program_of_desktop_file(desktop: &str) -> Option<PathBuf> {
    if desktop.is_empty() || desktop.contains('/') {
        return None;
    }
    let mut dirs: Vec<PathBuf> = Vec::new();
    if let Some(home) = std::env::var_os("XDG_DATA_HOME") {
        dirs.push(PathBuf::from(home));
    } else if let Some(home) = std::env::var_os("HOME") {
        dirs.push(PathBuf::from(home).join(".local/share"));
    }
    let data_dirs =
        std::env::var("XDG_DATA_DIRS").unwrap_or_else(|_| "/usr/local/share:/usr/share".into());
    dirs.extend(
        data_dirs
            .split(':')
            .filter(|d| !d.is_empty())
            .map(PathBuf::from),
    );
    for d in dirs {
        let Ok(text) = std::fs::read_to_string(d.join("applications").join(desktop)) else {
            continue;
        };
        if let Some(p) = exec_program(&text) {
            return Some(p);
        }
    }
    None
}

/// The program of the first `Exec=` line of a desktop entry.
pub fn exec_program(desktop_entry: &str) -> Option<PathBuf> {
    let exec = desktop_entry
        .lines()
        .find_map(|l| l.trim().strip_prefix("Exec="))?;
    let exec = exec.trim();
    let program = if let Some(rest) = exec.strip_prefix('"') {
        rest.split('"').next()?
    } else {
        exec.split_whitespace().next()?
    };
    // `env VAR=x program …` wrappers: take the program after them.
    if program == "env" {
        let after = exec.split_whitespace().skip(1).find(|w| !w.contains('='))?;
        return Some(PathBuf::from(after));
    }
    Some(PathBuf::from(program))
}

/// The default browser's program, from the registry (`reg` is on every
/// Windows since XP).
#[cfg(windows)]
fn default_browser() -> Option<PathBuf> {
    let prog_id = reg_value(
        r"HKCU\Software\Microsoft\Windows\Shell\Associations\UrlAssociations\http\UserChoice",
        Some("ProgId"),
    )?;
    let command = reg_value(&format!(r"HKCR\{prog_id}\shell\open\command"), None)?;
    command_program(&command)
}

#[cfg(windows)]
fn reg_value(key: &str, name: Option<&str>) -> Option<String> {
    use std::os::windows::process::CommandExt;
    const CREATE_NO_WINDOW: u32 = 0x0800_0000;
    let mut cmd = Command::new("reg");
    cmd.arg("query").arg(key);
    match name {
        Some(n) => cmd.arg("/v").arg(n),
        None => cmd.arg("/ve"),
    };
    let out = cmd
        .creation_flags(CREATE_NO_WINDOW)
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.lines().find_map(|l| {
        let (_, v) = l.split_once("REG_SZ")?;
        Some(v.trim().to_string())
    })
}

/// The program of a shell command line such as `"C:\…\chrome.exe" -- "%1"`.
pub fn command_program(command: &str) -> Option<PathBuf> {
    let c = command.trim();
    let p = if let Some(rest) = c.strip_prefix('"') {
        rest.split('"').next()?
    } else {
        let lower = c.to_ascii_lowercase();
        let end = lower.find(".exe").map(|i| i + 4).unwrap_or(c.len());
        c.get(..end)?
    };
    Some(PathBuf::from(p))
}

#[cfg(not(any(windows, all(unix, not(target_os = "macos")))))]
fn default_browser() -> Option<PathBuf> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_for_known_browsers() {
        assert_eq!(
            private_flag(Path::new("/usr/bin/firefox")),
            Some("-private-window")
        );
        assert_eq!(
            private_flag(Path::new("/usr/bin/chromium")),
            Some("--incognito")
        );
        assert_eq!(
            private_flag(Path::new("/usr/bin/google-chrome-stable")),
            Some("--incognito")
        );
        assert_eq!(
            private_flag(Path::new(
                r"C:\Program Files\Microsoft\Edge\Application\msedge.exe"
            )),
            Some("--inprivate")
        );
        assert_eq!(private_flag(Path::new("/usr/bin/w3m")), None);
    }

    #[test]
    fn programs_of_desktop_entries_and_commands() {
        let entry = "[Desktop Entry]\nName=Firefox\nExec=/usr/lib/firefox/firefox %u\n";
        assert_eq!(
            exec_program(entry),
            Some(PathBuf::from("/usr/lib/firefox/firefox"))
        );
        assert_eq!(
            exec_program("Exec=env GDK_BACKEND=x11 chromium %U"),
            Some(PathBuf::from("chromium"))
        );
        assert_eq!(
            command_program(
                r#""C:\Program Files\Google\Chrome\Application\chrome.exe" --single-argument %1"#
            ),
            Some(PathBuf::from(
                r"C:\Program Files\Google\Chrome\Application\chrome.exe"
            ))
        );
        assert_eq!(
            command_program(r"C:\PROGRA~1\MOZILL~1\firefox.exe -osint -url %1"),
            Some(PathBuf::from(r"C:\PROGRA~1\MOZILL~1\firefox.exe"))
        );
    }
}
