//! The report of `driveshelf check`: one entry per file, each finding a
//! message key with arguments, worded at the end in the tester's language.

use crate::lang::Lang;
use crate::render::i18n::Strings;
use serde::Serialize;
use std::collections::HashMap;
use std::fmt::Write as _;

/// How bad a finding is. Ordered: an entry's status is its worst finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// A fact worth knowing (encoding, page count); not a problem.
    Info,
    /// Works, but a recipient may be let down (cannot play in a browser,
    /// a link leads nowhere, a name Windows refuses).
    Warning,
    /// Does not work, or the file is not what was written.
    Damaged,
}

#[derive(Clone, Debug)]
pub struct Finding {
    pub level: Level,
    /// Key in `web/i18n/check.<lang>.txt`; also the finding's code in JSON.
    pub key: &'static str,
    pub args: Vec<(&'static str, String)>,
}

impl Finding {
    pub fn new(level: Level, key: &'static str) -> Finding {
        Finding {
            level,
            key,
            args: Vec::new(),
        }
    }

    pub fn arg(mut self, name: &'static str, value: impl ToString) -> Finding {
        self.args.push((name, value.to_string()));
        self
    }

    pub fn message(&self, s: &Strings) -> String {
        let args: Vec<(&str, &str)> = self.args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        s.fmt(self.key, &args)
    }
}

/// One file or folder of the bundle.
#[derive(Debug)]
pub struct Entry {
    /// Path in the bundle with `/`, as testers find it on the drive.
    pub path: String,
    /// `zim`, `document`, `video`, `audio`, `page`, `subtitle`, `file`, `folder`.
    pub kind: &'static str,
    pub findings: Vec<Finding>,
}

impl Entry {
    /// Ok unless a finding says otherwise; info findings do not count.
    pub fn status(&self) -> Status {
        match self.findings.iter().map(|f| f.level).max() {
            Some(Level::Damaged) => Status::Damaged,
            Some(Level::Warning) => Status::Warning,
            _ => Status::Ok,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Warning,
    Damaged,
}

#[derive(Debug, Default)]
pub struct Report {
    pub root: String,
    pub entries: Vec<Entry>,
    by_path: HashMap<String, usize>,
    /// What the volume is, when it could be told (`FAT32`).
    pub filesystem: Option<String>,
}

impl Report {
    pub fn new(root: String) -> Report {
        Report {
            root,
            ..Report::default()
        }
    }

    /// The entry for `path`, made on first use.
    pub fn entry(&mut self, path: &str, kind: &'static str) -> &mut Entry {
        let i = match self.by_path.get(path) {
            Some(&i) => i,
            None => {
                self.entries.push(Entry {
                    path: path.to_string(),
                    kind,
                    findings: Vec::new(),
                });
                let i = self.entries.len() - 1;
                self.by_path.insert(path.to_string(), i);
                i
            }
        };
        // In range: the index was just pushed or taken from the map.
        &mut self.entries[i]
    }

    pub fn add(&mut self, path: &str, kind: &'static str, finding: Finding) {
        self.entry(path, kind).findings.push(finding);
    }

    pub fn count(&self, status: Status) -> usize {
        self.entries.iter().filter(|e| e.status() == status).count()
    }

    pub fn any_damaged(&self) -> bool {
        self.count(Status::Damaged) > 0
    }

    /// For people: one line per file with its status, its reasons below,
    /// the damaged files listed again at the end.
    pub fn to_text(&self, lang: Lang) -> String {
        let s = Strings::check(lang);
        let mut out = String::new();
        let _ = writeln!(out, "{}", s.fmt("title", &[("dir", &self.root)]));
        if let Some(fs) = &self.filesystem {
            let _ = writeln!(out, "{}", s.fmt("filesystem", &[("fs", fs)]));
        }
        let _ = writeln!(out);
        for e in &self.entries {
            let tag = match e.status() {
                Status::Ok => s.t("tag_ok"),
                Status::Warning => s.t("tag_warning"),
                Status::Damaged => s.t("tag_damaged"),
            };
            let _ = writeln!(out, "{tag}  {}", e.path);
            let mut findings: Vec<&Finding> = e.findings.iter().collect();
            findings.sort_by_key(|f| std::cmp::Reverse(f.level));
            for f in findings {
                let mark = match f.level {
                    Level::Damaged => "!!",
                    Level::Warning => "! ",
                    Level::Info => "  ",
                };
                let _ = writeln!(out, "      {mark} {}", f.message(s));
            }
        }
        let _ = writeln!(out);
        let (ok, warn, bad) = (
            self.count(Status::Ok),
            self.count(Status::Warning),
            self.count(Status::Damaged),
        );
        let _ = writeln!(
            out,
            "{}",
            s.fmt(
                "summary",
                &[
                    ("total", &self.entries.len().to_string()),
                    ("ok", &ok.to_string()),
                    ("warning", &warn.to_string()),
                    ("damaged", &bad.to_string()),
                ]
            )
        );
        if bad > 0 {
            let _ = writeln!(out, "{}", s.t("damaged_list"));
            for e in self
                .entries
                .iter()
                .filter(|e| e.status() == Status::Damaged)
            {
                let _ = writeln!(out, "  {}", e.path);
            }
        } else {
            let _ = writeln!(out, "{}", s.t("verdict_ok"));
        }
        out
    }

    /// For programs: the same report, messages in `lang`, codes stable.
    pub fn to_json(&self, lang: Lang) -> serde_json::Value {
        let s = Strings::check(lang);
        let entries: Vec<_> = self
            .entries
            .iter()
            .map(|e| {
                let findings: Vec<_> = e
                    .findings
                    .iter()
                    .map(|f| {
                        let args: serde_json::Map<String, serde_json::Value> = f
                            .args
                            .iter()
                            .map(|(k, v)| ((*k).to_string(), serde_json::Value::from(v.as_str())))
                            .collect();
                        serde_json::json!({
                            "level": f.level,
                            "code": f.key,
                            "message": f.message(s),
                            "args": args,
                        })
                    })
                    .collect();
                serde_json::json!({
                    "path": e.path,
                    "kind": e.kind,
                    "status": e.status(),
                    "findings": findings,
                })
            })
            .collect();
        serde_json::json!({
            "root": self.root,
            "filesystem": self.filesystem,
            "summary": {
                "total": self.entries.len(),
                "ok": self.count(Status::Ok),
                "warning": self.count(Status::Warning),
                "damaged": self.count(Status::Damaged),
            },
            "entries": entries,
        })
    }
}
