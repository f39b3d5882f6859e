//! The word lists extraction relies on, as data: one file per list in
//! `crates/extract/lexicon/` (compiled into the binary), which a user can extend
//! by editing them, or at run time with a directory of files of the same names
//! ([`Lexicon::extend_from_dir`], then [`crate::gazetteer::install`]), each entry
//! added to the built-in ones. The `newsgraph` binary takes such a directory with
//! `--lexicon-dir` (`NEWSGRAPH_LEXICON_DIR`).
//!
//! Format: one entry per line; `#` starts a comment line; blank lines are ignored.
//! `countries.txt` lines are `Name|alias;alias|demonym;demonym`,
//! `organizations.txt` lines are `kind|Name|alias;alias` (kind letters: `i`
//! international body, `a` news agency, `n` news outlet, `g` government body, `m`
//! military, `p` political group, `c` company, `o` other), `org-suffixes.txt` and
//! `org-descriptors.txt` lines are `Word:kind`, `role-synonyms.txt` lines are
//! `noun|role word;role word`; every other list holds one word or phrase per line.
//!
//! Reading a user's directory is the only I/O in this crate; it happens once, before
//! extraction, and the tables it yields are then fixed ([`crate::gazetteer::install`]).

use std::path::{Path, PathBuf};

/// The lists, each kept in a file of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ListName {
    /// `Name|aliases|demonyms`.
    Countries,
    /// `kind|Name|aliases`.
    Organizations,
    /// Cities, regions and other places that are not organizations.
    Places,
    /// Given names that usually take "he".
    GivenNamesMale,
    /// Given names that usually take "she".
    GivenNamesFemale,
    /// Title words inside a capitalized name run.
    Titles,
    /// Lower-case role nouns.
    Roles,
    /// Heads of anonymous source descriptions.
    AnonymousHeads,
    /// Nouns that refer back to an organization ("the lender").
    NominalOrgHeads,
    /// `Word:kind` endings that make a run an organization.
    OrgSuffixes,
    /// `word:kind` nouns that make the name after them an organization.
    OrgDescriptors,
    /// Endings that make a run a law, event, place or thing.
    NonOrgEndings,
    /// Months, weekdays, holidays.
    Calendar,
    /// Capitalized words that are never names.
    FunctionWords,
    /// Speech verbs that introduce a clause or a quotation.
    ClauseVerbs,
    /// Verbs that only frame a quoted phrase.
    FrameOnlyVerbs,
    /// Speech verbs that need an explicit "that".
    ThatOnlyVerbs,
    /// Auxiliaries and modals that start a clause.
    Auxiliaries,
    /// `noun|role words`: the roles a later "the noun" may refer back to.
    RoleSynonyms,
    /// Nouns for a document that speaks for its authors ("the report said").
    DocumentNouns,
    /// Verbs of issuing a document ("issued a statement saying").
    IssueVerbs,
}

impl ListName {
    /// Every list, in file order.
    pub const ALL: [ListName; 21] = [
        ListName::Countries,
        ListName::Organizations,
        ListName::Places,
        ListName::GivenNamesMale,
        ListName::GivenNamesFemale,
        ListName::Titles,
        ListName::Roles,
        ListName::AnonymousHeads,
        ListName::NominalOrgHeads,
        ListName::OrgSuffixes,
        ListName::OrgDescriptors,
        ListName::NonOrgEndings,
        ListName::Calendar,
        ListName::FunctionWords,
        ListName::ClauseVerbs,
        ListName::FrameOnlyVerbs,
        ListName::ThatOnlyVerbs,
        ListName::Auxiliaries,
        ListName::RoleSynonyms,
        ListName::DocumentNouns,
        ListName::IssueVerbs,
    ];

    /// The list's file name.
    pub fn file_name(self) -> &'static str {
        match self {
            ListName::Countries => "countries.txt",
            ListName::Organizations => "organizations.txt",
            ListName::Places => "places.txt",
            ListName::GivenNamesMale => "given-names-male.txt",
            ListName::GivenNamesFemale => "given-names-female.txt",
            ListName::Titles => "titles.txt",
            ListName::Roles => "roles.txt",
            ListName::AnonymousHeads => "anonymous-heads.txt",
            ListName::NominalOrgHeads => "nominal-org-heads.txt",
            ListName::OrgSuffixes => "org-suffixes.txt",
            ListName::OrgDescriptors => "org-descriptors.txt",
            ListName::NonOrgEndings => "non-org-endings.txt",
            ListName::Calendar => "calendar.txt",
            ListName::FunctionWords => "function-words.txt",
            ListName::ClauseVerbs => "clause-verbs.txt",
            ListName::FrameOnlyVerbs => "frame-only-verbs.txt",
            ListName::ThatOnlyVerbs => "that-only-verbs.txt",
            ListName::Auxiliaries => "auxiliaries.txt",
            ListName::RoleSynonyms => "role-synonyms.txt",
            ListName::DocumentNouns => "document-nouns.txt",
            ListName::IssueVerbs => "issue-verbs.txt",
        }
    }

    fn builtin_text(self) -> &'static str {
        match self {
            ListName::Countries => include_str!("../lexicon/countries.txt"),
            ListName::Organizations => include_str!("../lexicon/organizations.txt"),
            ListName::Places => include_str!("../lexicon/places.txt"),
            ListName::GivenNamesMale => include_str!("../lexicon/given-names-male.txt"),
            ListName::GivenNamesFemale => include_str!("../lexicon/given-names-female.txt"),
            ListName::Titles => include_str!("../lexicon/titles.txt"),
            ListName::Roles => include_str!("../lexicon/roles.txt"),
            ListName::AnonymousHeads => include_str!("../lexicon/anonymous-heads.txt"),
            ListName::NominalOrgHeads => include_str!("../lexicon/nominal-org-heads.txt"),
            ListName::OrgSuffixes => include_str!("../lexicon/org-suffixes.txt"),
            ListName::OrgDescriptors => include_str!("../lexicon/org-descriptors.txt"),
            ListName::NonOrgEndings => include_str!("../lexicon/non-org-endings.txt"),
            ListName::Calendar => include_str!("../lexicon/calendar.txt"),
            ListName::FunctionWords => include_str!("../lexicon/function-words.txt"),
            ListName::ClauseVerbs => include_str!("../lexicon/clause-verbs.txt"),
            ListName::FrameOnlyVerbs => include_str!("../lexicon/frame-only-verbs.txt"),
            ListName::ThatOnlyVerbs => include_str!("../lexicon/that-only-verbs.txt"),
            ListName::Auxiliaries => include_str!("../lexicon/auxiliaries.txt"),
            ListName::RoleSynonyms => include_str!("../lexicon/role-synonyms.txt"),
            ListName::DocumentNouns => include_str!("../lexicon/document-nouns.txt"),
            ListName::IssueVerbs => include_str!("../lexicon/issue-verbs.txt"),
        }
    }

    fn from_file_name(name: &str) -> Option<ListName> {
        ListName::ALL.into_iter().find(|l| l.file_name() == name)
    }

    /// Checks one entry's shape; the message says what is wrong.
    fn check(self, entry: &str) -> Result<(), String> {
        let kind_ok = |k: &str| matches!(k.trim(), "i" | "a" | "n" | "g" | "m" | "p" | "c" | "o");
        match self {
            ListName::Countries => {
                let parts: Vec<&str> = entry.split('|').collect();
                if parts.len() > 3 || parts[0].trim().is_empty() {
                    return Err("expected Name|aliases|demonyms".into());
                }
            }
            ListName::Organizations => {
                let parts: Vec<&str> = entry.split('|').collect();
                if !(2..=3).contains(&parts.len()) || !kind_ok(parts[0]) || parts[1].trim().is_empty() {
                    return Err("expected kind|Name|aliases with kind one of i a n g m p c o".into());
                }
            }
            ListName::RoleSynonyms => match entry.split_once('|') {
                Some((noun, roles)) if !noun.trim().is_empty() && roles.split(';').all(|r| !r.trim().is_empty()) => {}
                _ => return Err("expected noun|role word;role word".into()),
            },
            ListName::OrgSuffixes | ListName::OrgDescriptors => match entry.rsplit_once(':') {
                Some((w, k)) if !w.trim().is_empty() && kind_ok(k) => {}
                _ => return Err("expected Word:kind with kind one of i a n g m p c o".into()),
            },
            _ => {
                if entry.contains('|') {
                    return Err("a word list holds one word or phrase per line, without '|'".into());
                }
            }
        }
        Ok(())
    }
}

/// A lexicon file that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum LexiconError {
    /// The directory or a file in it could not be read.
    #[error("cannot read lexicon {path}: {source}")]
    Read {
        /// The path.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A `.txt` file whose name is no list's (a typo would otherwise be ignored).
    #[error("{path}: not a lexicon list (expected one of: {expected})")]
    UnknownList {
        /// The path.
        path: PathBuf,
        /// The file names that are lists.
        expected: String,
    },
    /// An entry of the wrong shape.
    #[error("{path}:{line}: {message}")]
    BadEntry {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// Every list's entries.
#[derive(Debug, Clone)]
pub struct Lexicon {
    lists: Vec<Vec<String>>,
}

fn entries_of(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines().enumerate().map(|(i, l)| (i + 1, l.trim())).filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
}

impl Lexicon {
    /// The lists shipped in `crates/extract/lexicon/`.
    pub fn builtin() -> Lexicon {
        let lists =
            ListName::ALL.iter().map(|l| entries_of(l.builtin_text()).map(|(_, e)| e.to_string()).collect()).collect();
        Lexicon { lists }
    }

    /// The entries of one list.
    pub fn entries(&self, list: ListName) -> impl Iterator<Item = &str> {
        let i = ListName::ALL.iter().position(|l| *l == list).unwrap_or(0);
        self.lists.get(i).into_iter().flatten().map(String::as_str)
    }

    /// Checks every entry's shape (the built-in lists pass; a test holds them to it).
    pub fn validate(&self) -> Result<(), LexiconError> {
        for (i, list) in ListName::ALL.iter().enumerate() {
            for (n, e) in self.lists[i].iter().enumerate() {
                list.check(e).map_err(|message| LexiconError::BadEntry {
                    path: PathBuf::from(list.file_name()),
                    line: n + 1,
                    message,
                })?;
            }
        }
        Ok(())
    }

    /// Adds the entries of every list file in `dir` (files absent there add nothing).
    /// Returns how many entries were added. Fails on an unreadable directory or file, a
    /// `.txt` file that names no list, or a malformed entry (file and line named).
    pub fn extend_from_dir(&mut self, dir: &Path) -> Result<usize, LexiconError> {
        let read_err = |path: &Path, source| LexiconError::Read { path: path.to_path_buf(), source };
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| read_err(dir, e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "txt"))
            .collect();
        files.sort();
        let mut added = 0;
        for path in files {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            let Some(list) = ListName::from_file_name(name) else {
                return Err(LexiconError::UnknownList {
                    path,
                    expected: ListName::ALL.map(ListName::file_name).join(", "),
                });
            };
            let text = std::fs::read_to_string(&path).map_err(|e| read_err(&path, e))?;
            let i = ListName::ALL.iter().position(|l| *l == list).unwrap_or(0);
            for (line, entry) in entries_of(&text) {
                list.check(entry).map_err(|message| LexiconError::BadEntry { path: path.clone(), line, message })?;
                self.lists[i].push(entry.to_string());
                added += 1;
            }
        }
        Ok(added)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gazetteer::{Gazetteer, spelling_key};

    #[test]
    fn every_builtin_entry_loads_and_is_found() {
        let lex = Lexicon::builtin();
        assert!(lex.validate().is_ok(), "{:?}", lex.validate());
        let g = Gazetteer::from_lexicon(&lex);
        for list in ListName::ALL {
            let entries: Vec<&str> = lex.entries(list).collect();
            assert!(!entries.is_empty(), "{} is empty", list.file_name());
            for e in entries {
                let found = match list {
                    ListName::Countries | ListName::Organizations => {
                        let name = if list == ListName::Countries { e.split('|').next() } else { e.split('|').nth(1) };
                        name.is_some_and(|n| g.org_index.contains_key(&spelling_key(n.trim())))
                    }
                    ListName::Places => g.is_place(&e.to_lowercase()),
                    ListName::GivenNamesMale | ListName::GivenNamesFemale => {
                        g.given_names.contains_key(&e.to_lowercase())
                    }
                    ListName::Titles => g.is_title(e),
                    ListName::Roles => g.is_role(e),
                    ListName::AnonymousHeads => g.is_anon_head(e),
                    ListName::NominalOrgHeads => g.is_nominal_org_head(e),
                    ListName::OrgSuffixes => e.rsplit_once(':').is_some_and(|(w, _)| g.org_suffix(w).is_some()),
                    ListName::OrgDescriptors => e.rsplit_once(':').is_some_and(|(w, _)| g.org_descriptor(w).is_some()),
                    ListName::NonOrgEndings => g.is_non_org_ending(e),
                    ListName::Calendar => g.is_calendar(e),
                    ListName::FunctionWords => g.is_function_word(e),
                    ListName::ClauseVerbs => g.is_clause_verb(e),
                    ListName::FrameOnlyVerbs => g.is_frame_only_verb(e),
                    ListName::ThatOnlyVerbs => g.needs_that(e),
                    ListName::Auxiliaries => g.is_auxiliary(e),
                    ListName::DocumentNouns => g.is_document_noun(e),
                    ListName::IssueVerbs => g.is_issue_verb(e),
                    ListName::RoleSynonyms => e
                        .split_once('|')
                        .is_some_and(|(noun, roles)| roles.split(';').all(|r| g.role_fits(r.trim(), noun.trim()))),
                };
                assert!(found, "{}: {e:?} did not load", list.file_name());
            }
        }
    }

    #[test]
    fn a_user_directory_adds_entries_and_names_its_mistakes() {
        let dir = std::env::temp_dir().join(format!("newsgraph-lexicon-{}", std::process::id()));
        std::fs::create_dir_all(&dir).ok();
        std::fs::write(dir.join("organizations.txt"), "# ours\nc|Quispe Mining Corp|QMC\n").ok();
        std::fs::write(dir.join("roles.txt"), "ombudsman\n").ok();
        let mut lex = Lexicon::builtin();
        assert_eq!(lex.extend_from_dir(&dir).ok(), Some(2));
        let g = Gazetteer::from_lexicon(&lex);
        assert!(g.org_index.contains_key("qmc"));
        assert!(g.is_role("Ombudsman"));

        std::fs::write(dir.join("organisations.txt"), "c|Typo Ltd\n").ok();
        let err = Lexicon::builtin().extend_from_dir(&dir).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("organisations.txt") && err.contains("not a lexicon list"), "{err}");
        std::fs::remove_file(dir.join("organisations.txt")).ok();

        std::fs::write(dir.join("organizations.txt"), "x|No Kind\n").ok();
        let err = Lexicon::builtin().extend_from_dir(&dir).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("organizations.txt:1"), "{err}");
        std::fs::remove_dir_all(&dir).ok();

        let missing = Lexicon::builtin().extend_from_dir(Path::new("/nonexistent-newsgraph-lexicon"));
        assert!(matches!(missing, Err(LexiconError::Read { .. })));
    }
}
