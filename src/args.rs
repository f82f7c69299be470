//! The command line, parsed into what to do.

use crate::lang::Lang;
use std::ffi::OsString;
use std::path::PathBuf;

pub const DEFAULT_PORT: u16 = 8480;
/// How many ports after the default are tried when it is taken.
pub const PORT_TRIES: u16 = 10;
pub const DEFAULT_CACHE_MIB: u64 = 64;

#[derive(Debug, Clone, PartialEq)]
pub struct ServeOptions {
    /// The bundle; `None` means the folder that holds the program.
    pub dir: Option<PathBuf>,
    pub port: u16,
    pub open_browser: bool,
    /// Open the browser in a private window where the browser is known.
    pub private: bool,
    /// Let archives run their own scripts (off: archive pages are sandboxed).
    pub archive_scripts: bool,
    /// The language asked for with `--lang`; without it the browser's
    /// language decides, then Korean.
    pub lang: Option<Lang>,
    pub cache_mib: u64,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            dir: None,
            port: DEFAULT_PORT,
            open_browser: true,
            private: true,
            archive_scripts: false,
            lang: None,
            cache_mib: DEFAULT_CACHE_MIB,
        }
    }
}

/// `driveshelf check`: verify a bundle before the drive leaves.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CheckOptions {
    /// The bundle; `None` means the folder that holds the program.
    pub dir: Option<PathBuf>,
    /// The report as JSON on stdout instead of text.
    pub json: bool,
    /// Skip reading every entry and cluster of archives (the MD5 stays).
    pub quick: bool,
    /// Language of the messages (default Korean).
    pub lang: Option<Lang>,
}

/// `driveshelf prepare`: write what a drive needs before it leaves (the
/// search index, and the `index.html` that opens with no program running).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PrepareOptions {
    /// The bundle; `None` means the folder that holds the program.
    pub dir: Option<PathBuf>,
}

#[derive(Debug, PartialEq)]
pub enum Command {
    Serve(ServeOptions),
    Check(CheckOptions),
    Prepare(PrepareOptions),
    Help,
    Version,
}

pub const HELP: &str = "\
driveshelf — 이 드라이브의 서재를 이 컴퓨터의 브라우저로 엽니다.
driveshelf — serves this drive's library to this computer's browser.

USAGE:
    driveshelf [serve] [DIR] [OPTIONS]
    driveshelf check [DIR] [--json] [--quick] [--lang ko|en]
    driveshelf prepare [DIR]

    DIR                 the bundle to serve (default: the folder that holds
                        this program, i.e. the drive)

OPTIONS:
    --port N            port on 127.0.0.1 (default 8480; when taken, the next
                        9 are tried; 0 = any free port). Only 127.0.0.1 is
                        ever listened on.
    --no-browser        do not open the browser, only print the address
    --no-private        open the browser's normal window, not a private one
                        (by default Firefox, Chrome, Chromium and Edge open a
                        private window, so nothing enters their history)
    --archive-scripts   let archives run their own scripts (by default archive
                        pages are sandboxed with scripts off: a script of an
                        archive could send the page to another site)
    --lang ko|en        default language of the pages (default ko); a page's
                        own language switch and the browser's language win
    --cache-mib N       memory for decompressed archive clusters, in MiB
                        (default 64)
    -h, --help          this help
    -V, --version       the version

CHECK (for testers, before a drive is copied):
    check [DIR]         reads every file of the bundle and reports each as
                        ok, warning or damaged; exit 0 = nothing damaged,
                        1 = something damaged, 2 = DIR cannot be used
    --json              the report as JSON on stdout
    --quick             archives: header, checksum and lists only, not every
                        entry and cluster
    --lang ko|en        language of the report (default ko)

PREPARE (for packers, before a drive is copied):
    prepare [DIR]       reads every newspaper, subtitle and page of DIR and
                        writes the search index into DIR/.driveshelf/ (its
                        one folder on the drive); run again, it reads only
                        what changed. A file it did not write is never
                        changed; Ctrl-C leaves the previous index as it was.
                        It also writes index.html at the top of DIR: a plain
                        page listing the films, newspapers, recordings and
                        pages, which opens in any browser with no program.

Stop it with Ctrl-C (or by closing its window).
Nothing is written to this computer or the drive; nothing is sent anywhere.
";

#[derive(Debug, PartialEq)]
pub struct ArgError(pub String);

impl std::fmt::Display for ArgError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

pub fn parse<I: IntoIterator<Item = OsString>>(args: I) -> Result<Command, ArgError> {
    use lexopt::prelude::*;
    let args: Vec<OsString> = args.into_iter().collect();
    if let Some((first, rest)) = args.split_first() {
        if first == "check" {
            return parse_check(rest.to_vec());
        }
        if first == "prepare" {
            return parse_prepare(rest.to_vec());
        }
    }
    let mut p = lexopt::Parser::from_args(args);
    let mut opts = ServeOptions::default();
    let mut saw_command = false;
    let err = |e: lexopt::Error| ArgError(e.to_string());
    while let Some(arg) = p.next().map_err(err)? {
        match arg {
            Short('h') | Long("help") => return Ok(Command::Help),
            Short('V') | Long("version") => return Ok(Command::Version),
            Long("port") => {
                let v: String = p.value().map_err(err)?.string().map_err(err)?;
                opts.port = v
                    .trim()
                    .parse()
                    .map_err(|_| ArgError(format!("--port: not a port number: {v}")))?;
            }
            Long("no-browser") => opts.open_browser = false,
            Long("no-private") => opts.private = false,
            Long("archive-scripts") => opts.archive_scripts = true,
            Long("lang") => {
                let v: String = p.value().map_err(err)?.string().map_err(err)?;
                opts.lang = Some(
                    Lang::parse(&v)
                        .ok_or_else(|| ArgError(format!("--lang: use ko or en, not {v}")))?,
                );
            }
            Long("cache-mib") => {
                let v: String = p.value().map_err(err)?.string().map_err(err)?;
                opts.cache_mib = v
                    .trim()
                    .parse()
                    .map_err(|_| ArgError(format!("--cache-mib: not a number: {v}")))?;
            }
            Value(v) => {
                if !saw_command && opts.dir.is_none() && v == "serve" {
                    saw_command = true;
                } else if opts.dir.is_none() {
                    opts.dir = Some(PathBuf::from(v));
                } else {
                    return Err(ArgError(format!(
                        "unexpected argument: {}",
                        v.to_string_lossy()
                    )));
                }
            }
            _ => return Err(ArgError(arg.unexpected().to_string())),
        }
    }
    Ok(Command::Serve(opts))
}

fn parse_prepare(args: Vec<OsString>) -> Result<Command, ArgError> {
    use lexopt::prelude::*;
    let mut p = lexopt::Parser::from_args(args);
    let mut opts = PrepareOptions::default();
    let err = |e: lexopt::Error| ArgError(e.to_string());
    while let Some(arg) = p.next().map_err(err)? {
        match arg {
            Short('h') | Long("help") => return Ok(Command::Help),
            Value(v) if opts.dir.is_none() => opts.dir = Some(PathBuf::from(v)),
            Value(v) => {
                return Err(ArgError(format!(
                    "unexpected argument: {}",
                    v.to_string_lossy()
                )))
            }
            _ => return Err(ArgError(arg.unexpected().to_string())),
        }
    }
    Ok(Command::Prepare(opts))
}

fn parse_check(args: Vec<OsString>) -> Result<Command, ArgError> {
    use lexopt::prelude::*;
    let mut p = lexopt::Parser::from_args(args);
    let mut opts = CheckOptions::default();
    let err = |e: lexopt::Error| ArgError(e.to_string());
    while let Some(arg) = p.next().map_err(err)? {
        match arg {
            Short('h') | Long("help") => return Ok(Command::Help),
            Long("json") => opts.json = true,
            Long("quick") => opts.quick = true,
            Long("lang") => {
                let v: String = p.value().map_err(err)?.string().map_err(err)?;
                opts.lang = Some(
                    Lang::parse(&v)
                        .ok_or_else(|| ArgError(format!("--lang: use ko or en, not {v}")))?,
                );
            }
            Value(v) if opts.dir.is_none() => opts.dir = Some(PathBuf::from(v)),
            Value(v) => {
                return Err(ArgError(format!(
                    "unexpected argument: {}",
                    v.to_string_lossy()
                )))
            }
            _ => return Err(ArgError(arg.unexpected().to_string())),
        }
    }
    Ok(Command::Check(opts))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(args: &[&str]) -> Result<Command, ArgError> {
        parse(args.iter().map(OsString::from))
    }

    #[test]
    fn defaults() {
        assert_eq!(p(&[]).unwrap(), Command::Serve(ServeOptions::default()));
    }

    #[test]
    fn serve_with_options() {
        let Command::Serve(o) = p(&[
            "serve",
            "/mnt/drive",
            "--port",
            "0",
            "--no-browser",
            "--lang",
            "en",
        ])
        .unwrap() else {
            panic!()
        };
        assert_eq!(o.dir, Some(PathBuf::from("/mnt/drive")));
        assert_eq!(o.port, 0);
        assert!(!o.open_browser);
        assert_eq!(o.lang, Some(Lang::En));
    }

    #[test]
    fn dir_named_serve_after_command() {
        let Command::Serve(o) = p(&["serve", "serve"]).unwrap() else {
            panic!()
        };
        assert_eq!(o.dir, Some(PathBuf::from("serve")));
    }

    #[test]
    fn check_command() {
        assert_eq!(
            p(&["check", "d", "--json", "--quick", "--lang", "en"]).unwrap(),
            Command::Check(CheckOptions {
                dir: Some(PathBuf::from("d")),
                json: true,
                quick: true,
                lang: Some(Lang::En),
            })
        );
        assert_eq!(
            p(&["check"]).unwrap(),
            Command::Check(CheckOptions::default())
        );
        assert!(p(&["check", "--port", "1"]).is_err());
        assert!(p(&["check", "a", "b"]).is_err());
        let Command::Serve(o) = p(&["serve", "check"]).unwrap() else {
            panic!()
        };
        assert_eq!(o.dir, Some(PathBuf::from("check")));
    }

    #[test]
    fn prepare_command() {
        assert_eq!(
            p(&["prepare", "/mnt/drive"]).unwrap(),
            Command::Prepare(PrepareOptions {
                dir: Some(PathBuf::from("/mnt/drive")),
            })
        );
        assert_eq!(
            p(&["prepare"]).unwrap(),
            Command::Prepare(PrepareOptions::default())
        );
        assert!(p(&["prepare", "a", "b"]).is_err());
        assert!(p(&["prepare", "--port", "1"]).is_err());
    }

    #[test]
    fn errors() {
        assert!(p(&["--port", "x"]).is_err());
        assert!(p(&["--lang", "fr"]).is_err());
        assert!(p(&["a", "b"]).is_err());
        assert!(p(&["--bogus"]).is_err());
        assert_eq!(p(&["--help"]).unwrap(), Command::Help);
        assert_eq!(p(&["-V"]).unwrap(), Command::Version);
    }
}
