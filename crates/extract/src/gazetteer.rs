//! The lookup tables the rule stages rely on: countries (with abbreviations and
//! demonyms), international bodies, news agencies and outlets, well-known companies,
//! government bodies, places, given names, role/title words and the closed word
//! classes (speech verbs, anonymous-source nouns, ...).
//!
//! The word lists themselves are data, not code: [`crate::lexicon`] reads them
//! from the files in `crates/extract/lexicon/` (compiled in) and from a directory
//! a user names. They are compiled into lookup tables once, on first use, and shared.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use crate::OrgKind;
use crate::lexicon::{Lexicon, ListName};

/// One organization known in advance.
#[derive(Debug, Clone)]
pub struct KnownOrg {
    /// Canonical name.
    pub name: String,
    /// Other spellings and abbreviations (matched like the name).
    pub aliases: Vec<String>,
    /// What kind of organization it is.
    pub kind: OrgKind,
}

/// All the compiled tables.
pub struct Gazetteer {
    /// Known organizations (countries first).
    pub orgs: Vec<KnownOrg>,
    /// Lower-cased spelling (name or alias, as token sequence joined by spaces) -> org index.
    pub org_index: HashMap<String, usize>,
    /// Longest org spelling in tokens.
    pub max_org_tokens: usize,
    /// The first `country_count` entries of `orgs` are countries.
    pub country_count: usize,
    /// Demonym (lower-cased, possibly two words) -> country org index.
    pub demonyms: HashMap<String, usize>,
    /// Places (lower-cased, spaces).
    pub places: HashSet<String>,
    /// Given names (lower-cased) -> true when usually female.
    pub given_names: HashMap<String, bool>,
    titles: HashSet<String>,
    roles: HashSet<String>,
    anon_heads: HashSet<String>,
    nominal_org_heads: HashSet<String>,
    document_nouns: HashSet<String>,
    issue_verbs: HashSet<String>,
    suffixes: HashMap<String, OrgKind>,
    /// Lower-case nouns that make the name after them an organization.
    descriptors: HashMap<String, OrgKind>,
    non_org_endings: HashSet<String>,
    calendar: HashSet<String>,
    function_words: HashSet<String>,
    clause_verbs: HashSet<String>,
    frame_only: HashSet<String>,
    that_only: HashSet<String>,
    auxiliaries: HashSet<String>,
    /// Role noun -> the role words a person called "the noun" may carry.
    role_synonyms: HashMap<String, Vec<String>>,
}

fn kind_of(letter: &str) -> OrgKind {
    match letter {
        "i" => OrgKind::InternationalOrg,
        "a" => OrgKind::NewsAgency,
        "n" => OrgKind::NewsOutlet,
        "g" => OrgKind::Government,
        "m" => OrgKind::Military,
        "p" => OrgKind::PoliticalGroup,
        "c" => OrgKind::Company,
        _ => OrgKind::Other,
    }
}

fn split_list(field: Option<&str>) -> Vec<String> {
    field.unwrap_or_default().split(';').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
}

/// Lower-cases and joins the tokens of a spelling the way [`crate::text::tokenize`] splits it.
pub fn spelling_key(s: &str) -> String {
    let toks = crate::text::tokenize_str(s);
    toks.iter().map(|t| t.to_lowercase()).collect::<Vec<_>>().join(" ")
}

impl Gazetteer {
    /// Compiles the tables from a lexicon.
    pub fn from_lexicon(lex: &Lexicon) -> Self {
        let mut orgs = Vec::new();
        let mut demonyms = HashMap::new();
        for line in lex.entries(ListName::Countries) {
            let mut parts = line.split('|');
            let name = parts.next().unwrap_or_default().trim();
            if name.is_empty() {
                continue;
            }
            let aliases = split_list(parts.next());
            for d in split_list(parts.next()) {
                demonyms.insert(d.to_lowercase(), orgs.len());
            }
            orgs.push(KnownOrg { name: name.to_string(), aliases, kind: OrgKind::Government });
        }
        let country_count = orgs.len();
        for line in lex.entries(ListName::Organizations) {
            let mut parts = line.split('|');
            let kind = kind_of(parts.next().unwrap_or_default().trim());
            let name = parts.next().unwrap_or_default().trim();
            if name.is_empty() {
                continue;
            }
            let aliases = split_list(parts.next());
            orgs.push(KnownOrg { name: name.to_string(), aliases, kind });
        }
        let mut org_index = HashMap::new();
        let mut max_org_tokens = 1;
        for (i, o) in orgs.iter().enumerate() {
            for s in std::iter::once(&o.name).chain(o.aliases.iter()) {
                let key = spelling_key(s);
                max_org_tokens = max_org_tokens.max(key.split(' ').count());
                org_index.entry(key).or_insert(i);
            }
        }
        let mut given_names = HashMap::new();
        for n in lex.entries(ListName::GivenNamesMale) {
            given_names.insert(n.to_lowercase(), false);
        }
        for n in lex.entries(ListName::GivenNamesFemale) {
            given_names.entry(n.to_lowercase()).or_insert(true);
        }
        let mut suffixes = HashMap::new();
        for item in lex.entries(ListName::OrgSuffixes) {
            if let Some((w, k)) = item.rsplit_once(':') {
                suffixes.insert(w.trim().to_lowercase(), kind_of(k.trim()));
            }
        }
        let mut descriptors = HashMap::new();
        for item in lex.entries(ListName::OrgDescriptors) {
            if let Some((w, k)) = item.rsplit_once(':') {
                descriptors.insert(w.trim().to_lowercase(), kind_of(k.trim()));
            }
        }
        let mut role_synonyms: HashMap<String, Vec<String>> = HashMap::new();
        for item in lex.entries(ListName::RoleSynonyms) {
            if let Some((noun, roles)) = item.split_once('|') {
                let words = role_synonyms.entry(noun.trim().to_lowercase()).or_default();
                words.extend(roles.split(';').map(|r| r.trim().to_lowercase()).filter(|r| !r.is_empty()));
            }
        }
        let set = |list: ListName| -> HashSet<String> { lex.entries(list).map(str::to_lowercase).collect() };
        Gazetteer {
            orgs,
            org_index,
            max_org_tokens,
            country_count,
            demonyms,
            places: set(ListName::Places),
            given_names,
            titles: set(ListName::Titles),
            roles: set(ListName::Roles),
            anon_heads: set(ListName::AnonymousHeads),
            nominal_org_heads: set(ListName::NominalOrgHeads),
            document_nouns: set(ListName::DocumentNouns),
            issue_verbs: set(ListName::IssueVerbs),
            suffixes,
            descriptors,
            non_org_endings: set(ListName::NonOrgEndings),
            calendar: set(ListName::Calendar),
            function_words: set(ListName::FunctionWords),
            clause_verbs: set(ListName::ClauseVerbs),
            frame_only: set(ListName::FrameOnlyVerbs),
            that_only: set(ListName::ThatOnlyVerbs),
            auxiliaries: set(ListName::Auxiliaries),
            role_synonyms,
        }
    }

    /// Title word inside a capitalized run ("Minister", "Dr.").
    pub fn is_title(&self, w: &str) -> bool {
        let l = w.to_lowercase();
        // "Major-General", "Lieutenant-Colonel": a compound of titles.
        self.titles.contains(&l) || l.contains('-') && l.split('-').all(|p| p == "major" || self.titles.contains(p))
    }
    /// Whether a person with `role` ("CEO of Section4", "DCP") can be meant by "the
    /// `noun`" ("the executive"): the role holds the noun or one of its listed role words,
    /// as whole words, or is only an honorific ("Dr.").
    pub fn role_fits(&self, role: &str, noun: &str) -> bool {
        let role = role.to_lowercase();
        let words: Vec<&str> =
            role.split(|c: char| !(c.is_alphanumeric() || c == '.' || c == '-')).filter(|w| !w.is_empty()).collect();
        if words.iter().all(|w| is_honorific(w)) {
            return true;
        }
        let has = |phrase: &str| {
            let p: Vec<&str> = phrase.split(' ').collect();
            words
                .windows(p.len())
                .any(|w| w.iter().zip(&p).all(|(a, b)| a.trim_end_matches('.') == b.trim_end_matches('.')))
        };
        let noun = noun.to_lowercase();
        has(&noun) || self.role_synonyms.get(&noun).is_some_and(|syns| syns.iter().any(|s| has(s)))
    }
    /// Whether `w` is a given name, a hyphenated one included ("Marie-Laurence",
    /// "Jean-Pierre").
    pub fn is_given_name(&self, w: &str) -> bool {
        self.given_name_gender(w).is_some()
    }
    /// `Some(true)` for a given name that usually takes "she", `Some(false)` for "he",
    /// `None` for a word that is not a given name; a hyphenated name ("Marie-Laurence")
    /// by its first part.
    pub fn given_name_gender(&self, w: &str) -> Option<bool> {
        let lower = w.to_lowercase();
        self.given_names.get(&lower).copied().or_else(|| {
            let (first, rest) = lower.split_once('-')?;
            if rest.is_empty() || !w.split('-').skip(1).all(is_capitalized_word) {
                return None;
            }
            self.given_names.get(first).copied()
        })
    }
    /// Lower-case role noun ("envoy", "analyst").
    pub fn is_role(&self, w: &str) -> bool {
        self.roles.contains(&w.to_lowercase())
    }
    /// Head noun of an anonymous source ("official", "people").
    pub fn is_anon_head(&self, w: &str) -> bool {
        self.anon_heads.contains(&w.to_lowercase())
    }
    /// Noun that refers back to an organization after "the" ("the lender").
    pub fn is_nominal_org_head(&self, w: &str) -> bool {
        self.nominal_org_heads.contains(&w.to_lowercase())
    }
    /// Noun for a document that speaks for its authors ("the report said").
    pub fn is_document_noun(&self, w: &str) -> bool {
        self.document_nouns.contains(&w.to_lowercase())
    }
    /// Verb of issuing a document ("issued a statement saying").
    pub fn is_issue_verb(&self, w: &str) -> bool {
        self.issue_verbs.contains(&w.to_lowercase())
    }
    /// Organization kind implied by a final word ("Ministry" -> government).
    pub fn org_suffix(&self, w: &str) -> Option<OrgKind> {
        self.suffixes.get(&w.to_lowercase()).copied()
    }
    /// Organization kind of a name right after a descriptor ("firm" -> company).
    pub fn org_descriptor(&self, w: &str) -> Option<OrgKind> {
        self.descriptors.get(&w.to_lowercase()).copied()
    }
    /// Final word of laws, events and places ("Act", "Summit").
    pub fn is_non_org_ending(&self, w: &str) -> bool {
        self.non_org_endings.contains(&w.to_lowercase())
    }
    /// Month, weekday or holiday.
    pub fn is_calendar(&self, w: &str) -> bool {
        self.calendar.contains(&w.to_lowercase())
    }
    /// Capitalized word that is never a name ("However", "The").
    pub fn is_function_word(&self, w: &str) -> bool {
        self.function_words.contains(&w.to_lowercase())
    }
    /// City, region or sub-national place (lower-cased, space-joined key).
    pub fn is_place(&self, key: &str) -> bool {
        self.places.contains(key)
    }
    /// Speech verb that can introduce reported speech.
    pub fn is_clause_verb(&self, w: &str) -> bool {
        self.clause_verbs.contains(&w.to_lowercase())
    }
    /// Speech verb that only frames a quoted phrase.
    pub fn is_frame_only_verb(&self, w: &str) -> bool {
        self.frame_only.contains(&w.to_lowercase())
    }
    /// Clause verb that needs an explicit "that".
    pub fn needs_that(&self, w: &str) -> bool {
        self.that_only.contains(&w.to_lowercase())
    }
    /// Auxiliary/modal/copula: a sign that a clause follows.
    pub fn is_auxiliary(&self, w: &str) -> bool {
        self.auxiliaries.contains(&w.to_lowercase())
    }
    /// Any speech verb.
    pub fn is_speech_verb(&self, w: &str) -> bool {
        self.is_clause_verb(w) || self.is_frame_only_verb(w)
    }
}

/// A form of address that precedes a name without saying what the person does
/// ("Mr", "Dr.", "Mme"), case aside.
pub fn is_honorific(w: &str) -> bool {
    const HONORIFICS: &[&str] = &[
        "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "lord", "lady", "rev", "hon", "mme", "mlle", "m",
    ];
    HONORIFICS.contains(&w.trim_end_matches('.').to_lowercase().as_str())
}

fn is_capitalized_word(w: &str) -> bool {
    w.chars().next().is_some_and(char::is_uppercase)
}

static SHARED: OnceLock<Gazetteer> = OnceLock::new();

/// The shared gazetteer: the one [`install`]ed, else the built-in lexicon's.
pub fn gazetteer() -> &'static Gazetteer {
    SHARED.get_or_init(|| Gazetteer::from_lexicon(&Lexicon::builtin()))
}

/// Makes `lexicon` the one every later extraction in this process uses. Call it
/// before the first extraction; afterwards the tables are fixed and this returns
/// [`AlreadyInstalled`].
pub fn install(lexicon: &Lexicon) -> Result<(), AlreadyInstalled> {
    SHARED.set(Gazetteer::from_lexicon(lexicon)).map_err(|_| AlreadyInstalled)
}

/// [`install`] was called after the tables were built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the extraction lexicon is already in use; install it before the first extraction")]
pub struct AlreadyInstalled;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups() {
        let g = gazetteer();
        let afp = g.org_index.get("agence france presse").copied();
        assert!(afp.is_some());
        assert_eq!(g.orgs[afp.unwrap_or(0)].name, "Agence France-Presse");
        let us = g.org_index.get("u.s.").copied().unwrap_or(0);
        assert_eq!(g.orgs[us].name, "United States");
        assert!(g.demonyms.contains_key("syrian"));
        assert!(g.is_place("new york"));
        assert_eq!(g.given_names.get("maria"), Some(&true));
        assert!(g.is_clause_verb("Said"));
        assert_eq!(g.org_suffix("Ministry"), Some(OrgKind::Government));
    }
}
