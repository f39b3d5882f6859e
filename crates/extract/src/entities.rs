//! Entity stage: finds people and organizations, with every mention's token range,
//! using the [`crate::gazetteer`] and patterns:
//!
//! * capitalized runs (with name particles like "al", "de" and organization joiners
//!   like "of") are matched against the gazetteer (countries, agencies, outlets,
//!   international bodies, companies), then against patterns: "Long Form (ACR)"
//!   acronym definitions, organization endings ("Ministry", "Army", "Capital");
//! * what is left is a person when a title or role word precedes it, its first word
//!   is a known given name, or an appositive/speech verb follows; an unknown
//!   multi-word name without any of these cues is taken for an organization;
//! * single capitalized words are linked to a person named earlier or later
//!   (surname → alias) or to a multi-word organization ("Rovers" → "Northgate Rovers");
//! * demonyms ("Syrian President") give affiliations; anonymous source phrases ("a
//!   senior U.S. State Department official", "two people familiar with the matter")
//!   are recorded for pronoun resolution;
//! * names the caller already knows ([`KnownNames`], e.g. from its database) are
//!   recognized wherever their name or an alias occurs as a whole capitalized run or
//!   word, as written: a person or organization the patterns would have missed
//!   ("Kerry told AFP") or misclassified, under the known canonical name and kind.
//!   Text evidence comes first: a surname of a full name the text introduces, or an
//!   acronym it defines, keeps linking to that entity.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use crate::gazetteer::{gazetteer, spelling_key};
use crate::segment::Document;
use crate::text::{TokKind, collapse_ws, is_capitalized};
use crate::{KnownNames, OrgKind, Organization, Person};

/// A person found in the text.
#[derive(Debug, Clone)]
pub struct PersonRec {
    /// Fullest name.
    pub name: String,
    /// Other forms seen.
    pub aliases: Vec<String>,
    /// Title/role words.
    pub role: Option<String>,
    /// Index into [`Entities::orgs`].
    pub affiliation: Option<usize>,
    /// `Some(true)` when the given name is usually female.
    pub female: Option<bool>,
    first_mention: Option<(Range<usize>, Range<usize>)>,
    known: Option<usize>,
}

/// An organization found in the text.
#[derive(Debug, Clone)]
pub struct OrgRec {
    /// Canonical name.
    pub name: String,
    /// Other forms seen or known.
    pub aliases: Vec<String>,
    /// Kind.
    pub kind: OrgKind,
    /// Whether it was named in the text (false: only implied, e.g. by a demonym).
    pub named: bool,
    gaz: Option<usize>,
}

/// What a mention refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Index into [`Entities::people`].
    Person(usize),
    /// Index into [`Entities::orgs`].
    Org(usize),
}

/// One mention in the body.
#[derive(Debug, Clone)]
pub struct Mention {
    /// Token range in the body.
    pub tokens: Range<usize>,
    /// Entity.
    pub target: Target,
}

/// An anonymous-source description in the body.
#[derive(Debug, Clone)]
pub struct AnonMention {
    /// Token range.
    pub tokens: Range<usize>,
    /// The words (leading "the" dropped).
    pub text: String,
    /// Head noun, lower-cased.
    pub head: String,
    /// Plural head ("officials").
    pub plural: bool,
    /// Organization named inside the description.
    pub affiliation: Option<usize>,
}

/// Output of the entity stage.
#[derive(Debug, Clone, Default)]
pub struct Entities {
    /// People.
    pub people: Vec<PersonRec>,
    /// Organizations.
    pub orgs: Vec<OrgRec>,
    /// Body mentions sorted by position.
    pub mentions: Vec<Mention>,
    /// Anonymous descriptions in the body.
    pub anon: Vec<AnonMention>,
    /// Demonym tokens of the body: (token, gazetteer org index).
    pub demonyms: Vec<(usize, usize)>,
    tok_mention: Vec<Option<usize>>,
    org_keys: HashMap<String, usize>,
    gaz_index: HashMap<usize, usize>,
    known: KnownIndex,
    /// Scanning a title-case headline, where every word is capitalized: an unknown
    /// run there is no evidence of an organization.
    in_headline: bool,
    /// Words the body writes in lower case (common words, whatever their case elsewhere).
    lower_words: HashSet<String>,
}

/// A known entry: index into [`KnownNames::people`] or [`KnownNames::organizations`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KnownRef {
    Person(usize),
    Org(usize),
}

/// The caller's [`KnownNames`], indexed by form (name or alias, whitespace collapsed).
#[derive(Debug, Clone, Default)]
struct KnownIndex {
    names: KnownNames,
    /// Form -> entry; `None` when several entries share the form.
    forms: HashMap<String, Option<KnownRef>>,
    /// Known person -> index into [`Entities::people`].
    person_of: HashMap<usize, usize>,
    /// Known organization -> index into [`Entities::orgs`].
    org_of: HashMap<usize, usize>,
}

impl KnownIndex {
    fn new(names: &KnownNames) -> Self {
        let mut forms: HashMap<String, Option<KnownRef>> = HashMap::new();
        let people = names.people.iter().enumerate().map(|(i, p)| (KnownRef::Person(i), &p.name, &p.aliases));
        let orgs = names.organizations.iter().enumerate().map(|(i, o)| (KnownRef::Org(i), &o.name, &o.aliases));
        for (r, name, aliases) in people.chain(orgs) {
            for f in std::iter::once(name).chain(aliases.iter()) {
                let f = collapse_ws(f);
                if f.is_empty() || !f.chars().any(char::is_alphabetic) {
                    continue;
                }
                let e = forms.entry(f).or_insert(Some(r));
                if *e != Some(r) {
                    *e = None;
                }
            }
        }
        KnownIndex { names: names.clone(), forms, ..Default::default() }
    }

    /// The entry whose name or alias is exactly `form` (whitespace collapsed).
    fn get(&self, form: &str) -> Option<KnownRef> {
        if self.forms.is_empty() {
            return None;
        }
        self.forms.get(&collapse_ws(form)).copied().flatten()
    }

    fn person(&self, form: &str) -> Option<usize> {
        match self.get(form) {
            Some(KnownRef::Person(k)) => Some(k),
            _ => None,
        }
    }

    fn org(&self, form: &str) -> Option<usize> {
        match self.get(form) {
            Some(KnownRef::Org(k)) => Some(k),
            _ => None,
        }
    }
}

/// Replaceable entity stage.
pub trait EntityRecognizer {
    /// Finds people and organizations in the body (and headline, whose mentions are
    /// not kept since no offsets refer to it).
    fn recognize(&self, doc: &Document, headline: Option<&Document>) -> Entities;

    /// Like [`EntityRecognizer::recognize`], also recognizing the names the caller
    /// already knows. The default ignores them, so a recognizer without support for
    /// known names keeps working.
    fn recognize_with(&self, doc: &Document, headline: Option<&Document>, known: &KnownNames) -> Entities {
        let _ = known;
        self.recognize(doc, headline)
    }
}

/// The gazetteer-and-pattern recognizer.
pub struct RuleEntities;

impl EntityRecognizer for RuleEntities {
    fn recognize(&self, doc: &Document, headline: Option<&Document>) -> Entities {
        self.recognize_with(doc, headline, &KnownNames::default())
    }

    fn recognize_with(&self, doc: &Document, headline: Option<&Document>, known: &KnownNames) -> Entities {
        let mut ents = Entities { known: KnownIndex::new(known), ..Default::default() };
        ents.lower_words = (0..doc.tokens.len())
            .filter(|&i| doc.is_word(i) && doc.word(i).chars().next().is_some_and(char::is_lowercase))
            .map(|i| doc.word(i).to_string())
            .collect();
        let mut singles: Vec<(bool, usize)> = Vec::new();
        let mut body_mentions = Vec::new();
        let mut body_demonyms = Vec::new();
        if let Some(h) = headline {
            let mut m = Vec::new();
            let mut d = Vec::new();
            let mut s = Vec::new();
            ents.in_headline = true;
            scan_runs(h, &mut ents, &mut m, &mut d, &mut s);
            link_singles(h, &mut ents, &s, &mut m);
            ents.in_headline = false;
        }
        scan_runs(doc, &mut ents, &mut body_mentions, &mut body_demonyms, &mut singles);
        link_singles(doc, &mut ents, &singles, &mut body_mentions);
        add_possessive_bodies(doc, &mut ents, &mut body_mentions);
        merge_org_variants(&mut ents, &mut body_mentions);
        body_mentions.sort_by_key(|m: &Mention| m.tokens.start);
        ents.tok_mention = vec![None; doc.tokens.len()];
        for (mi, m) in body_mentions.iter().enumerate() {
            for t in m.tokens.clone() {
                if let Some(slot) = ents.tok_mention.get_mut(t) {
                    *slot = Some(mi);
                }
            }
        }
        ents.mentions = body_mentions;
        body_demonyms.sort_unstable();
        ents.demonyms = body_demonyms;
        assign_affiliations(doc, &mut ents);
        fill_from_known(&mut ents);
        add_transcript_speakers(doc, &mut ents);
        find_anonymous(doc, &mut ents);
        ents
    }
}

/// Titles that are part of how a person is known ("Prince Harry", "Sheikh Hasina").
const ROYAL_TITLES: &[&str] =
    &["prince", "princess", "king", "queen", "sheikh", "sheikha", "emir", "sultan", "crown", "pope", "ayatollah"];

/// A romanized East Asian given name: two syllables joined by a hyphen, the second in
/// lower case ("Shih-chung", "Jae-in", "Ing-wen").
fn is_romanized_given_name(w: &str) -> bool {
    let Some((a, b)) = w.split_once('-') else {
        return false;
    };
    let syllable = |x: &str| (1..=6).contains(&x.chars().count()) && x.chars().all(|c| c.is_ascii_alphabetic());
    syllable(a)
        && syllable(b)
        && a.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && a.chars().skip(1).all(|c| c.is_ascii_lowercase())
        && b.chars().all(|c| c.is_ascii_lowercase())
}

/// Legal and corporate endings that a text drops after the first mention ("Coupang
/// Inc." then "Coupang", "SoftBank Group Corp." then "SoftBank").
const CORPORATE_ENDINGS: &[&str] = &[
    "inc",
    "corp",
    "corporation",
    "co",
    "ltd",
    "limited",
    "llc",
    "plc",
    "ag",
    "sa",
    "nv",
    "se",
    "group",
    "holdings",
    "holding",
    "gmbh",
    "spa",
    "bhd",
    "pty",
    "lp",
];

/// An organization's name without a leading "the" and without its legal and corporate
/// endings, lower-cased, as words.
fn org_core(name: &str) -> Vec<String> {
    let mut words: Vec<String> = name
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| c == ',' || c == '.').to_lowercase())
        .filter(|w| !w.is_empty())
        .collect();
    if words.first().is_some_and(|w| w == "the") {
        words.remove(0);
    }
    while words.len() > 1 && words.last().is_some_and(|w| CORPORATE_ENDINGS.contains(&w.as_str())) {
        words.pop();
    }
    words
}

/// One organization written several ways becomes one: the same name but for its legal
/// or corporate ending ("Volkswagen AG", "Volkswagen Group", "Volkswagen"), a name and
/// its fuller form with "of" ("National Bank", "National Bank of Kenya Ltd."), two
/// names sharing a form (an acronym the text defines for both). A run of a title-case
/// headline that only starts with an organization's name ("National Bank of Kenya
/// Drops on Profit Plunge") is that organization, and not a name of it. The fullest
/// name (a listed organization's own name first) is kept, the others become aliases;
/// mentions are pointed at the survivor. Countries are left alone.
fn merge_org_variants(ents: &mut Entities, mentions: &mut [Mention]) {
    let g = gazetteer();
    let n = ents.orgs.len();
    let country = |o: &OrgRec| o.gaz.is_some_and(|gi| gi < g.country_count);
    let mentioned: HashSet<usize> = mentions
        .iter()
        .filter_map(|m| match m.target {
            Target::Org(o) => Some(o),
            Target::Person(_) => None,
        })
        .collect();
    let cores: Vec<Vec<String>> = ents.orgs.iter().map(|o| org_core(&o.name)).collect();
    let forms = |o: &OrgRec| -> HashSet<String> {
        std::iter::once(&o.name).chain(o.aliases.iter()).map(|f| f.to_lowercase()).collect()
    };
    let all_forms: Vec<HashSet<String>> = ents.orgs.iter().map(forms).collect();
    let country_first: Vec<bool> = ents
        .orgs
        .iter()
        .map(|o| {
            o.name
                .split_whitespace()
                .next()
                .is_some_and(|w| g.org_index.get(&spelling_key(w)).is_some_and(|&gi| gi < g.country_count))
        })
        .collect();
    let initials: Vec<String> = ents
        .orgs
        .iter()
        .map(|o| {
            o.name
                .split_whitespace()
                .filter(|w| w.chars().next().is_some_and(char::is_uppercase))
                .filter_map(|w| w.chars().next())
                .collect()
        })
        .collect();
    // (absorbed, survivor, keep the absorbed name as an alias)
    let mut into: Vec<Option<(usize, bool)>> = vec![None; n];
    for a in 0..n {
        for b in 0..n {
            if a == b || into[a].is_some() || into[b].is_some() {
                continue;
            }
            let (oa, ob) = (&ents.orgs[a], &ents.orgs[b]);
            if !oa.named || !ob.named || country(oa) || country(ob) {
                continue;
            }
            let (ca, cb) = (&cores[a], &cores[b]);
            // b is the fuller or better-known form that a is absorbed into.
            let fuller = ob.gaz.is_some() && oa.gaz.is_none()
                || (oa.gaz.is_some() == ob.gaz.is_some())
                    && (ob.name.split_whitespace().count(), b) > (oa.name.split_whitespace().count(), a);
            // "U.S. Food and Drug Administration" and "Food and Drug Administration".
            let national = (ca.len() >= 3 && country_first[a] && ca[1..] == cb[..])
                || (cb.len() >= 3 && country_first[b] && cb[1..] == ca[..]);
            let same_core = !ca.is_empty() && (ca == cb || national) && fuller;
            let with_of = ca.len() >= 2 && cb.len() > ca.len() && cb[..ca.len()] == ca[..] && cb[ca.len()] == "of";
            let shared = fuller && all_forms[a].iter().any(|f| f.chars().count() > 1 && all_forms[b].contains(f));
            // "MDC" for the "Movement for Democratic Change" named elsewhere in the text.
            let acronym = oa.gaz.is_none()
                && all_caps(&oa.name)
                && (2..=6).contains(&oa.name.chars().count())
                && ob.name.split_whitespace().count() >= 2
                && initials[b] == oa.name;
            let headline_run = !mentioned.contains(&a)
                && mentioned.contains(&b)
                && !cb.is_empty()
                && ca.len() > cb.len()
                && ca[..cb.len()] == cb[..]
                && !["of", "for", "and", "&", "on"].contains(&ca[cb.len()].as_str());
            if same_core || with_of || shared || acronym {
                into[a] = Some((b, true));
            } else if headline_run {
                into[a] = Some((b, false));
            }
        }
    }
    if into.iter().all(Option::is_none) {
        return;
    }
    // Follow chains to the final survivor.
    let survivor = |mut i: usize| {
        let mut steps = 0;
        while let Some((j, _)) = into[i] {
            i = j;
            steps += 1;
            if steps > n {
                break;
            }
        }
        i
    };
    let mut new_index = vec![0usize; n];
    let mut kept = Vec::new();
    for (i, slot) in new_index.iter_mut().enumerate() {
        if into[i].is_none() {
            *slot = kept.len();
            kept.push(i);
        }
    }
    for i in 0..n {
        if into[i].is_some() {
            new_index[i] = new_index[survivor(i)];
        }
    }
    let old = std::mem::take(&mut ents.orgs);
    let mut orgs: Vec<OrgRec> = kept.iter().map(|&i| old[i].clone()).collect();
    for (i, o) in old.iter().enumerate() {
        let Some((_, keep_name)) = into[i] else {
            continue;
        };
        let s = &mut orgs[new_index[i]];
        let names = if keep_name { std::iter::once(&o.name).chain(o.aliases.iter()).collect() } else { Vec::new() };
        for a in names {
            if *a != s.name && !s.aliases.contains(a) {
                s.aliases.push(a.clone());
            }
        }
        if o.kind == OrgKind::Company && s.kind == OrgKind::Other {
            s.kind = OrgKind::Company;
        }
        s.gaz = s.gaz.or(o.gaz);
    }
    ents.orgs = orgs;
    for m in mentions.iter_mut() {
        if let Target::Org(o) = m.target {
            m.target = Target::Org(new_index[o]);
        }
    }
    for v in ents.org_keys.values_mut().chain(ents.gaz_index.values_mut()).chain(ents.known.org_of.values_mut()) {
        *v = new_index[*v];
    }
    for p in &mut ents.people {
        p.affiliation = p.affiliation.map(|o| new_index[o]);
    }
}

/// "Netanyahu's office", "Trump's campaign", "Israel's Cabinet": a body named by whom it
/// serves is an organization of its own, named as the text writes it, and the phrase is
/// its mention (so "Netanyahu's office said" is the office speaking, not the man).
fn add_possessive_bodies(doc: &Document, ents: &mut Entities, mentions: &mut [Mention]) {
    const FOR_PEOPLE: &[(&str, OrgKind)] = &[
        ("office", OrgKind::Government),
        ("cabinet", OrgKind::Government),
        ("administration", OrgKind::Government),
        ("government", OrgKind::Government),
        ("campaign", OrgKind::PoliticalGroup),
    ];
    let countries = gazetteer().country_count;
    let mut seen: Vec<(Target, String, usize)> = Vec::new();
    for m in mentions.iter_mut() {
        let possessive = doc.tokens.get(m.tokens.end).is_some_and(|t| t.kind == TokKind::Possessive);
        let body = doc.word(m.tokens.end + 1).to_lowercase();
        let kind = match m.target {
            Target::Person(_) => FOR_PEOPLE.iter().find(|(w, _)| *w == body).map(|(_, k)| *k),
            Target::Org(o) => ents
                .orgs
                .get(o)
                .is_some_and(|x| x.gaz.is_some_and(|gi| gi < countries) && body == "cabinet")
                .then_some(OrgKind::Government),
        };
        let Some(kind) = kind.filter(|_| possessive && !doc.in_quote(m.tokens.start)) else {
            continue;
        };
        let phrase = m.tokens.start..m.tokens.end + 2;
        let name = collapse_ws(doc.span_text(phrase.clone()));
        // "Benjamin Netanyahu's office" and "Netanyahu's office" are one body.
        let o = match seen.iter().find(|(t, b, _)| *t == m.target && *b == body) {
            Some(&(_, _, o)) => {
                let rec = &mut ents.orgs[o];
                if rec.name != name && !rec.aliases.contains(&name) {
                    rec.aliases.push(name);
                }
                o
            }
            None => {
                let o = ents.orgs.len();
                ents.org_keys.entry(spelling_key(&name)).or_insert(o);
                ents.orgs.push(OrgRec { name, aliases: Vec::new(), kind, named: true, gaz: None });
                seen.push((m.target, body, o));
                o
            }
        };
        *m = Mention { tokens: phrase, target: Target::Org(o) };
    }
}

/// The people a broadcast transcript's speaker labels name ("MARK COLVIN:"), written
/// in title case, unless the text already names them (case aside). A text needs two
/// labelled paragraphs to be a transcript.
fn add_transcript_speakers(doc: &Document, ents: &mut Entities) {
    let g = gazetteer();
    let labels: Vec<Range<usize>> =
        doc.paragraphs.iter().filter_map(|p| crate::quotes::speaker_label(doc, p.clone())).collect();
    if labels.len() < 2 {
        return;
    }
    for label in labels {
        let words: Vec<&str> = label.clone().filter(|&i| doc.is_word(i)).map(|i| doc.word(i)).collect();
        // A person's name: two to four words, the first not a title ("MR NEWMAN" is
        // the person the text named; "PRESENTER" names nobody).
        if words.len() < 2 || g.is_title(words[0]) || g.org_index.contains_key(&spelling_key(&words.join(" "))) {
            continue;
        }
        let name = crate::text::title_case(&words.join(" "));
        let key = person_key(&name);
        let known =
            ents.people.iter().any(|p| person_key(&p.name) == key || p.aliases.iter().any(|a| person_key(a) == key));
        if known {
            continue;
        }
        let first = words[0].to_lowercase();
        let surname = name.rsplit(' ').next().unwrap_or_default().to_string();
        ents.people.push(PersonRec {
            name,
            aliases: vec![surname],
            role: None,
            affiliation: None,
            female: g.given_name_gender(&first),
            first_mention: None,
            known: None,
        });
    }
}

/// Role and affiliation of known people the text says nothing about come from the known entry.
fn fill_from_known(ents: &mut Entities) {
    for pi in 0..ents.people.len() {
        let Some(k) = ents.people[pi].known else {
            continue;
        };
        let Some(kp) = ents.known.names.people.get(k) else {
            continue;
        };
        let (role, aff) = (kp.role.clone(), kp.affiliation.clone());
        if ents.people[pi].role.is_none() {
            ents.people[pi].role = role.filter(|r| !r.trim().is_empty());
        }
        if ents.people[pi].affiliation.is_none()
            && let Some(a) = aff.filter(|a| !a.trim().is_empty())
        {
            ents.people[pi].affiliation = Some(ents.org_by_name(&a));
        }
    }
}

impl Entities {
    /// Mention covering token `t`.
    pub fn mention_at(&self, t: usize) -> Option<&Mention> {
        self.tok_mention.get(t).copied().flatten().and_then(|i| self.mentions.get(i))
    }

    /// Mentions starting inside `r`.
    pub fn mentions_in(&self, r: Range<usize>) -> impl Iterator<Item = &Mention> {
        let from = self.mentions.partition_point(|m| m.tokens.start < r.start);
        self.mentions[from..].iter().take_while(move |m| m.tokens.start < r.end)
    }

    /// The first organization mentioned inside `r`.
    pub fn first_org_in(&self, r: Range<usize>) -> Option<usize> {
        self.mentions_in(r).find_map(|m| match m.target {
            Target::Org(o) => Some(o),
            Target::Person(_) => None,
        })
    }

    /// Mentions that start before token `t`, latest first.
    pub fn mentions_before(&self, t: usize) -> impl Iterator<Item = &Mention> {
        let to = self.mentions.partition_point(|m| m.tokens.start < t);
        self.mentions[..to].iter().rev()
    }

    /// Org index for a gazetteer entry, adding it (as implied) if needed.
    pub fn org_for_gaz(&mut self, gi: usize) -> Option<usize> {
        if let Some(&i) = self.gaz_index.get(&gi) {
            return Some(i);
        }
        let k = gazetteer().orgs.get(gi)?;
        self.orgs.push(OrgRec {
            name: k.name.to_string(),
            aliases: k.aliases.iter().map(|s| s.to_string()).collect(),
            kind: k.kind,
            named: false,
            gaz: Some(gi),
        });
        self.gaz_index.insert(gi, self.orgs.len() - 1);
        Some(self.orgs.len() - 1)
    }

    /// Country implied by a demonym token of the body, if any.
    pub fn demonym_at(&self, t: usize) -> Option<usize> {
        let i = self.demonyms.partition_point(|(tok, _)| *tok < t);
        self.demonyms.get(i).filter(|(tok, _)| *tok == t).map(|&(_, g)| g)
    }

    /// Organization called `name`: one already found, a gazetteer or known entry
    /// (added as implied), else a new implied organization of kind [`OrgKind::Other`].
    fn org_by_name(&mut self, name: &str) -> usize {
        let key = spelling_key(name);
        if let Some(&i) = self.org_keys.get(&key) {
            return i;
        }
        if let Some(i) = gazetteer().org_index.get(&key).copied().and_then(|gi| self.org_for_gaz(gi)) {
            return i;
        }
        let (name, kind) = match self.known.org(name) {
            Some(k) if self.known.org_of.contains_key(&k) => return self.known.org_of[&k],
            Some(k) => (self.known.names.organizations[k].name.clone(), self.known.names.organizations[k].kind),
            None => (collapse_ws(name), OrgKind::Other),
        };
        let i = self.orgs.len();
        self.org_keys.entry(spelling_key(&name)).or_insert(i);
        if let Some(k) = self.known.org(&name) {
            self.known.org_of.insert(k, i);
        }
        self.orgs.push(OrgRec { name, aliases: Vec::new(), kind, named: false, gaz: None });
        i
    }

    /// The person for known entry `k`, added (first mentioned at `name` in `run`) if new.
    fn known_person(&mut self, k: usize, name: Range<usize>, run: Range<usize>) -> usize {
        if let Some(&i) = self.known.person_of.get(&k) {
            return i;
        }
        let canonical = self.known.names.people[k].name.clone();
        let first = canonical.split_whitespace().next().unwrap_or_default().to_lowercase();
        let female = gazetteer().given_name_gender(&first);
        self.people.push(PersonRec {
            name: canonical,
            aliases: Vec::new(),
            role: None,
            affiliation: None,
            female,
            first_mention: Some((name, run)),
            known: Some(k),
        });
        let i = self.people.len() - 1;
        self.known.person_of.insert(k, i);
        i
    }

    pub(crate) fn add_org(&mut self, name: &str, alias: Option<&str>, kind: OrgKind, gaz: Option<usize>) -> usize {
        let key = spelling_key(name);
        let found = gaz.and_then(|g| self.gaz_index.get(&g).copied()).or_else(|| self.org_keys.get(&key).copied());
        // A form the caller knows: its canonical entry.
        let known = [Some(name), alias].into_iter().flatten().find_map(|f| self.known.org(f));
        let found = found.or_else(|| known.and_then(|k| self.known.org_of.get(&k).copied()));
        let idx = match (found, known) {
            (Some(i), _) => i,
            (None, Some(k)) => {
                let entry = &self.known.names.organizations[k];
                let (name, kind) = (entry.name.clone(), entry.kind);
                let i = self.orgs.len();
                self.org_keys.entry(spelling_key(&name)).or_insert(i);
                if let Some(g) = gaz {
                    self.gaz_index.insert(g, i);
                }
                self.known.org_of.insert(k, i);
                self.orgs.push(OrgRec { name, aliases: Vec::new(), kind, named: true, gaz });
                i
            }
            (None, None) => {
                let (name, aliases) = match gaz.and_then(|g| gazetteer().orgs.get(g)) {
                    Some(k) => (k.name.to_string(), k.aliases.iter().map(|s| s.to_string()).collect()),
                    None => (name.to_string(), Vec::new()),
                };
                let i = self.orgs.len();
                for k in std::iter::once(&name).chain(aliases.iter()) {
                    self.org_keys.entry(spelling_key(k)).or_insert(i);
                }
                if let Some(g) = gaz {
                    self.gaz_index.insert(g, i);
                }
                self.orgs.push(OrgRec { name, aliases, kind, named: true, gaz });
                i
            }
        };
        let o = &mut self.orgs[idx];
        o.named = true;
        for a in [Some(name), alias].into_iter().flatten() {
            if a != o.name && !o.aliases.iter().any(|x| x == a) {
                o.aliases.push(a.to_string());
                self.org_keys.entry(spelling_key(a)).or_insert(idx);
            }
        }
        idx
    }

    /// Converts to the public records (implied organizations that nothing refers to are dropped).
    pub fn into_public(self) -> (Vec<Person>, Vec<Organization>) {
        let people = self
            .people
            .iter()
            .map(|p| Person {
                name: p.name.clone(),
                aliases: p.aliases.clone(),
                role: p.role.clone(),
                affiliation: p.affiliation.and_then(|i| self.orgs.get(i)).map(|o| o.name.clone()),
            })
            .collect();
        let orgs =
            self.orgs.into_iter().map(|o| Organization { name: o.name, aliases: o.aliases, kind: o.kind }).collect();
        (people, orgs)
    }
}

pub(crate) const PARTICLES: &[&str] = &[
    "al", "el", "de", "da", "di", "du", "del", "della", "der", "den", "van", "von", "bin", "ibn", "le", "la", "dos",
    "das", "ter", "ben", "abu", "bint",
];
/// Generational suffixes that end a person's name but are not its surname ("Lloyd J.
/// Austin III", "Martin Luther King Jr.").
const NAME_SUFFIXES: &[&str] = &["jr", "jr.", "sr", "sr.", "ii", "iii", "iv"];

fn is_name_suffix(w: &str) -> bool {
    NAME_SUFFIXES.contains(&w.to_lowercase().as_str())
}

const POSSESSIVE_IN_NAMES: &[&str] = &[
    "women",
    "men",
    "people",
    "children",
    "workers",
    "veterans",
    "farmers",
    "teachers",
    "doctors",
    "nurses",
    "citizens",
    "voters",
    "magistrates",
    "employers",
    "nations",
    "peoples",
    "consumers",
    "taxpayers",
    "students",
    "lawyers",
    "journalists",
    "writers",
    "artists",
    "players",
    "pilots",
    "seamen",
    "fishermen",
    "traders",
    "investors",
    "members",
    "sisters",
    "brothers",
    "friends",
    "saints",
    "st.",
    "nations",
    "boys",
    "girls",
    "mothers",
    "fathers",
    "ladies",
    "gentlemen",
];
/// First words that make a name a place ("Lake Victoria", "Mount Kenya").
const PLACE_FIRST: &[&str] = &[
    "lake", "mount", "mt.", "mt", "river", "cape", "port", "gulf", "bay", "fort", "saint", "san", "santa", "los",
    "las", "upper", "lower", "greater", "north", "south", "east", "west", "central", "northern", "southern", "eastern",
    "western",
];
/// Upper-case words that are not organizations.
const COMMON_ACRONYMS: &[&str] = &[
    "CEO", "CFO", "COO", "CTO", "GDP", "DNA", "RNA", "VAR", "AI", "TV", "PM", "AM", "UTC", "GMT", "COVID", "HIV",
    "AIDS", "LGBT", "LGBTQ", "IPO", "VAT", "USD", "EUR", "GBP", "OK", "MP", "MPS", "MEP", "MEPS", "NGO", "NGOS", "EV",
    "EVS", "SUV", "CO2", "PDF", "URL", "FAQ", "ID", "IT", "PR", "HR", "QC", "KC", "BST", "EST", "PST", "CET", "ET",
    "PT", "NB", "PS", "VIP", "UK", "US", "USA", "UN", "EU", "II", "III", "IV", "VI", "VII", "VIII", "IX", "XI", "XII",
    "A", "I", "LNG", "OPEC", "R&D", "ESG", "ETF", "FBI", "CIA", "WHO", "NATO", "G7", "G20", "COVID-19",
    // Officials' titles written as initials ("DGP Bhatti", "CP Haruna Garba").
    "DGP", "DCP", "ACP", "SP", "SSP", "DSP", "DIG", "IGP", "IG", "SHO", "ASP", "CP", "MLA", "MLAS", "MCA", "MCAS",
    "MPP", "MSP", "CM", "DM", "SDM", "ADG", "CJI", "DG",
];
const JOINERS: &[&str] = &["of", "for", "and", "&", "the", "on"];
const GENERIC_FIRST: &[&str] = &[
    "united",
    "national",
    "international",
    "world",
    "european",
    "federal",
    "central",
    "royal",
    "new",
    "global",
    "american",
    "british",
    "general",
    "state",
    "supreme",
    "first",
    "north",
    "south",
    "east",
    "west",
    "the",
    "university",
    "bank",
    "ministry",
    "department",
];

pub(crate) fn is_cap_token(doc: &Document, i: usize) -> bool {
    if !doc.is_word(i) {
        return false;
    }
    let w = doc.word(i);
    if is_capitalized(w) {
        return !is_compound_adjective(w);
    }
    let lower = w.to_lowercase();
    if (lower.starts_with("al-") || lower.starts_with("el-")) && w.chars().nth(3).is_some_and(char::is_uppercase) {
        return true;
    }
    // Ordinals in names ("10th Circuit Court").
    let ordinal =
        w.chars().next().is_some_and(|c| c.is_ascii_digit()) && ["st", "nd", "rd", "th"].iter().any(|s| w.ends_with(s));
    ordinal && is_capitalized(doc.word(i + 1))
}

fn gaz_lookup(doc: &Document, r: Range<usize>) -> Option<usize> {
    if r.is_empty() {
        return None;
    }
    // "Who knows …", "Us": a function word opening a sentence is not the acronym
    // written in capitals (WHO, US).
    if r.len() == 1 && !all_caps(doc.word(r.start)) && gazetteer().is_function_word(doc.word(r.start)) {
        return None;
    }
    let key = r.map(|i| doc.word(i).to_lowercase()).collect::<Vec<_>>().join(" ");
    gazetteer().org_index.get(&key).copied()
}

fn key_of(doc: &Document, r: Range<usize>) -> String {
    r.map(|i| doc.word(i).to_lowercase()).collect::<Vec<_>>().join(" ")
}

pub(crate) fn all_caps(w: &str) -> bool {
    let mut letters = 0;
    for c in w.chars().filter(|c| c.is_alphabetic()) {
        if !c.is_uppercase() {
            return false;
        }
        letters += 1;
    }
    letters >= 2
}

/// Finds capitalized runs in every sentence and classifies them.
fn scan_runs(
    doc: &Document,
    ents: &mut Entities,
    mentions: &mut Vec<Mention>,
    demonyms: &mut Vec<(usize, usize)>,
    singles: &mut Vec<(bool, usize)>,
) {
    for s in &doc.sentences {
        let mut i = s.tokens.start;
        while i < s.tokens.end {
            if !is_cap_token(doc, i) {
                i += 1;
                continue;
            }
            let start = i;
            let mut end = i + 1;
            loop {
                if end < s.tokens.end && is_cap_token(doc, end) {
                    end += 1;
                    continue;
                }
                // "Women's Tennis Association", "People's Democratic Alliance".
                let possessive = doc.tokens.get(end).is_some_and(|t| t.kind == TokKind::Possessive);
                if possessive
                    && end + 1 < s.tokens.end
                    && is_cap_token(doc, end + 1)
                    && POSSESSIVE_IN_NAMES.contains(&doc.word(end - 1).to_lowercase().as_str())
                {
                    end += 2;
                    continue;
                }
                let w = doc.word(end).to_lowercase();
                // Not "Court on Monday".
                let joinable = doc.is_word(end)
                    && (PARTICLES.contains(&w.as_str()) || JOINERS.contains(&w.as_str()))
                    && end + 1 < s.tokens.end
                    && is_cap_token(doc, end + 1)
                    && (!gazetteer().is_calendar(doc.word(end + 1)) || gaz_lookup(doc, end - 1..end + 2).is_some());
                if joinable {
                    end += 2;
                    continue;
                }
                break;
            }
            process_run(doc, ents, start..end, mentions, demonyms, singles);
            i = end;
        }
    }
}

fn org_kind_for_long_form(doc: &Document, r: Range<usize>) -> OrgKind {
    let g = gazetteer();
    if let Some(k) = r.clone().last().and_then(|l| g.org_suffix(doc.word(l))) {
        return k;
    }
    for i in r.clone() {
        if doc.word(i) == "of"
            && let Some(k) = g.org_suffix(doc.word(i.saturating_sub(1)))
        {
            return k;
        }
    }
    let words: Vec<String> = r.map(|i| doc.word(i).to_lowercase()).collect();
    if words.iter().any(|w| ["international", "world", "european", "nations", "global"].contains(&w.as_str())) {
        OrgKind::InternationalOrg
    } else {
        OrgKind::Other
    }
}

fn suffix_org(doc: &Document, r: Range<usize>) -> Option<OrgKind> {
    let g = gazetteer();
    if r.len() < 2 {
        return None;
    }
    let last = doc.word(r.end - 1);
    if g.is_non_org_ending(last) {
        return None;
    }
    if g.is_place(&key_of(doc, r.clone())) {
        return None;
    }
    // A title at the start means "Minister X" and so on, not an organization.
    if g.is_title(doc.word(r.start)) && g.org_suffix(last).is_none_or(|_| r.len() > 3) {
        return None;
    }
    if let Some(k) = g.org_suffix(last) {
        return Some(k);
    }
    // "Ministry of Defence", "Movement for Democratic Change", "Council on Foreign Relations".
    for i in r.clone().skip(1) {
        if ["of", "for", "on"].contains(&doc.word(i))
            && i + 1 < r.end
            && !g.is_calendar(doc.word(i + 1))
            && let Some(k) = g.org_suffix(doc.word(i - 1))
        {
            return Some(k);
        }
    }
    None
}

/// "Nairobi-based", "Saudi-led", "Spring-inspired": a name made into an adjective.
fn is_compound_adjective(w: &str) -> bool {
    if !w.contains('-') {
        return false;
    }
    let w = w.to_lowercase();
    ["-based", "-born", "-headquartered", "-owned", "-backed", "-led", "-funded", "-listed", "-registered", "-inspired"]
        .iter()
        .any(|e| w.ends_with(e) && w.len() > e.len())
}

fn strip_leading_function(doc: &Document, mut r: Range<usize>) -> Range<usize> {
    let g = gazetteer();
    // "The WHO chief": an acronym that is a known organization is not the pronoun.
    let acronym = |i: usize| all_caps(doc.word(i)) && gaz_lookup(doc, i..i + 1).is_some();
    let compound = |i: usize| is_compound_adjective(doc.word(i));
    while r.start < r.end
        && !acronym(r.start)
        && (g.is_function_word(doc.word(r.start)) || g.is_calendar(doc.word(r.start)) || compound(r.start))
    {
        r.start += 1;
    }
    r
}

fn process_run(
    doc: &Document,
    ents: &mut Entities,
    full: Range<usize>,
    mentions: &mut Vec<Mention>,
    demonyms: &mut Vec<(usize, usize)>,
    singles: &mut Vec<(bool, usize)>,
) {
    let g = gazetteer();
    // 1. The whole run is a known organization.
    for r in [full.clone(), strip_leading_function(doc, full.clone())] {
        if let Some(gi) = gaz_lookup(doc, r.clone()) {
            let kind = g.orgs[gi].kind;
            let idx = ents.add_org(doc.span_text(r.clone()), None, kind, Some(gi));
            mentions.push(Mention { tokens: r, target: Target::Org(idx) });
            return;
        }
    }
    let r = strip_leading_function(doc, full.clone());
    if r.is_empty() {
        return;
    }
    // 1b. The whole run is a name the caller knows (one word waits for `link_singles`,
    // where the text's own surnames come first).
    if r.len() >= 2
        && let Some(known) = ents.known.get(doc.span_text(r.clone()))
    {
        match known {
            KnownRef::Person(_) => add_person(doc, ents, r.clone(), None, full, mentions),
            KnownRef::Org(k) => {
                let kind = ents.known.names.organizations[k].kind;
                let idx = ents.add_org(doc.span_text(r.clone()), None, kind, None);
                mentions.push(Mention { tokens: r, target: Target::Org(idx) });
            }
        }
        return;
    }
    // 2. "Long Form (ACR)".
    let initial_ok = doc.word(r.end + 1).chars().next().map(|c| c.to_ascii_lowercase())
        == doc.word(r.start).chars().next().map(|c| c.to_ascii_lowercase())
        && !r.clone().all(|i| all_caps(doc.word(i)) || !doc.is_word(i));
    if r.len() >= 2
        && initial_ok
        && doc.is_punct(r.end, '(')
        && doc.is_punct(r.end + 2, ')')
        && all_caps(doc.word(r.end + 1))
    {
        let acr = doc.word(r.end + 1).to_string();
        let last = doc.word(r.end - 1);
        let first_is_title = g.is_title(doc.word(r.start)) && g.is_given_name(doc.word(r.start + 1));
        if !g.is_non_org_ending(last) && !first_is_title {
            let kind = match g.org_index.get(&acr.to_lowercase()) {
                Some(&gi) => g.orgs[gi].kind,
                None => org_kind_for_long_form(doc, r.clone()),
            };
            let idx = ents.add_org(doc.span_text(r.clone()), Some(&acr), kind, None);
            mentions.push(Mention { tokens: r.clone(), target: Target::Org(idx) });
            mentions.push(Mention { tokens: r.end + 1..r.end + 2, target: Target::Org(idx) });
            return;
        }
        if g.is_non_org_ending(last) {
            return;
        }
    }
    // "Operation Cast Lead": a military operation is an event.
    if doc.word(r.start) == "Operation" && r.len() >= 2 {
        return;
    }
    // "United States and European Union": two organizations when the first conjunct is a
    // known one by itself.
    let conjoined = (r.start + 1..r.end).find(|&i| ["and", "&"].contains(&doc.word(i))).is_some_and(|and| {
        let first = strip_leading_function(doc, r.start..and);
        gaz_lookup(doc, first).is_some() && gaz_lookup(doc, r.clone()).is_none()
    });
    // 3. Organization ending.
    if !conjoined && let Some(kind) = suffix_org(doc, r.clone()) {
        let mut rr = r.clone();
        // "Rovers coach" cannot happen (lower case), but "State Department" after a
        // country inside the run keeps the country as part of the name.
        if doc.word(rr.start).eq_ignore_ascii_case("the") {
            rr.start += 1;
        }
        let idx = ents.add_org(doc.span_text(rr.clone()), None, kind, None);
        mentions.push(Mention { tokens: rr, target: Target::Org(idx) });
        return;
    }
    // 4. Greedy split on the gazetteer, demonyms and places.
    let mut rest_start: Option<usize> = None;
    let mut prefix: Option<Target> = None;
    let mut prefix_demonym: Option<usize> = None;
    let mut p = r.start;
    let flush = |rest_start: &mut Option<usize>,
                 upto: usize,
                 ents: &mut Entities,
                 mentions: &mut Vec<Mention>,
                 singles: &mut Vec<(bool, usize)>,
                 prefix: Option<Target>,
                 prefix_demonym: Option<usize>| {
        if let Some(s) = rest_start.take() {
            classify_piece(doc, ents, s..upto, full.clone(), mentions, singles, prefix, prefix_demonym);
        }
    };
    while p < r.end {
        let w = doc.word(p).to_lowercase();
        let split_word = ["and", "&", "for", "the", "on"].contains(&w.as_str())
            || (w == "of" && !(g.is_title(doc.word(p.saturating_sub(1))) && doc.word(p + 1) == "State"));
        if split_word {
            flush(&mut rest_start, p, ents, mentions, singles, prefix, prefix_demonym);
            p += 1;
            continue;
        }
        // A sub-run up to the next joiner that ends like an organization
        // ("the Syrian Army and AFP").
        if rest_start.is_none() {
            let stop = (p..r.end)
                .find(|&i| ["and", "&", "for", "the", "on", "of"].contains(&doc.word(i).to_lowercase().as_str()))
                .unwrap_or(r.end);
            if stop < r.end
                && let Some(kind) = suffix_org(doc, p..stop)
                && gaz_lookup(doc, p..stop).is_none()
            {
                let idx = ents.add_org(doc.span_text(p..stop), None, kind, None);
                mentions.push(Mention { tokens: p..stop, target: Target::Org(idx) });
                prefix = Some(Target::Org(idx));
                p = stop;
                continue;
            }
        }
        let mut matched = false;
        // Inside a name that starts with a given name ("Jorge Mendes Lima", "Michael
        // Jordan") a one-word place or country is part of the name.
        let in_name = rest_start.is_some_and(|rs| (rs..p).any(|i| g.is_given_name(doc.word(i))));
        let maxlen = g.max_org_tokens.min(r.end - p);
        for len in (1..=maxlen).rev() {
            if in_name && len == 1 {
                continue;
            }
            if let Some(gi) = gaz_lookup(doc, p..p + len) {
                // A lone capitalized common word at sentence start is not enough for an
                // ambiguous one-word entry such as "Apple" only when followed by a
                // lower-case continuation; keep it simple: accept.
                flush(&mut rest_start, p, ents, mentions, singles, prefix, prefix_demonym);
                let idx = ents.add_org(doc.span_text(p..p + len), None, g.orgs[gi].kind, Some(gi));
                mentions.push(Mention { tokens: p..p + len, target: Target::Org(idx) });
                prefix = Some(Target::Org(idx));
                p += len;
                matched = true;
                break;
            }
        }
        if matched {
            continue;
        }
        for len in (1..=2.min(r.end - p)).rev() {
            if in_name && len == 1 {
                continue;
            }
            let key = key_of(doc, p..p + len);
            if let Some(&gi) = g.demonyms.get(&key) {
                flush(&mut rest_start, p, ents, mentions, singles, prefix, prefix_demonym);
                demonyms.push((p, gi));
                prefix_demonym = Some(gi);
                p += len;
                matched = true;
                break;
            }
            if g.is_place(&key) {
                flush(&mut rest_start, p, ents, mentions, singles, prefix, prefix_demonym);
                // A place alone may be a surname the text gave in full ("Lloyd J. Austin
                // III ... Austin said"): `link_singles` links it only to such a person.
                if r.len() == 1 {
                    singles.push((true, p));
                }
                p += len;
                matched = true;
                break;
            }
        }
        if matched {
            continue;
        }
        if rest_start.is_none() {
            rest_start = Some(p);
        }
        p += 1;
    }
    flush(&mut rest_start, r.end, ents, mentions, singles, prefix, prefix_demonym);
}

fn has_person_cue_after(doc: &Document, end: usize) -> bool {
    let g = gazetteer();
    if g.is_speech_verb(doc.word(end)) {
        return true;
    }
    if doc.is_punct(end, ',') {
        let w = doc.word(end + 1).to_lowercase();
        if ["who", "whose"].contains(&w.as_str()) {
            return true;
        }
        if ["a", "an", "the", "his", "her", "its", "their"].contains(&w.as_str()) {
            return (end + 2..end + 8).any(|i| g.is_role(doc.word(i)) && !doc.is_punct(i, ','));
        }
        if g.is_role(&w) {
            return true;
        }
    }
    false
}

fn has_person_cue_before(doc: &Document, start: usize) -> bool {
    let g = gazetteer();
    if start == 0 {
        return false;
    }
    let prev = doc.word(start - 1);
    if doc.is_word(start - 1) && !is_capitalized(prev) && g.is_role(prev) {
        return true;
    }
    // "his counterpart, Park Ji-hoon", "Iran's envoy to the agency, Hamid Rezaei"
    if start >= 2 && doc.is_punct(start - 1, ',') {
        let from = start.saturating_sub(12);
        return (from..start - 1).rev().take_while(|&i| !doc.is_punct(i, ',') && !doc.is_punct(i, '.')).any(|i| {
            let w = doc.word(i);
            doc.is_word(i) && !is_capitalized(w) && g.is_role(w)
        });
    }
    false
}

#[allow(clippy::too_many_arguments)]
fn classify_piece(
    doc: &Document,
    ents: &mut Entities,
    piece: Range<usize>,
    run: Range<usize>,
    mentions: &mut Vec<Mention>,
    singles: &mut Vec<(bool, usize)>,
    _prefix: Option<Target>,
    prefix_demonym: Option<usize>,
) {
    let g = gazetteer();
    let piece = strip_leading_function(doc, piece);
    if piece.is_empty() {
        return;
    }
    // Title words up to the last one.
    let mut title_end = None;
    for i in piece.clone() {
        let w = doc.word(i);
        if g.is_title(w) || (g.is_role(w) && i + 1 < piece.end) {
            title_end = Some(i + 1);
        }
    }
    let name = match title_end {
        Some(t) => t..piece.end,
        None => piece.clone(),
    };
    // Drop particles at the name's edges.
    let mut name = name;
    while name.start < name.end && !is_capitalized(doc.word(name.start)) && !is_cap_token(doc, name.start) {
        name.start += 1;
    }
    while name.start < name.end && !is_cap_token(doc, name.end - 1) {
        name.end -= 1;
    }
    if name.is_empty() {
        return;
    }
    // "Minister of Health and Welfare Chen Shih-chung", "President Moon Jae-in": a
    // romanized East Asian given name (capitalized, a hyphen, then lower case) ends the
    // name, and its family name is the one word before it.
    if name.len() > 2 && is_romanized_given_name(doc.word(name.end - 1)) && is_capitalized(doc.word(name.end - 2)) {
        name.start = name.end - 2;
        title_end = Some(name.start);
    }
    // "Mr." or "Dr." alone is how the text addresses the person, not a role.
    let mut role = title_end
        .map(|t| run.start.min(piece.start)..t)
        .filter(|r| !r.clone().all(|i| !doc.is_word(i) || crate::gazetteer::is_honorific(doc.word(i))))
        .map(|r| doc.span_text(r).to_string());
    // A run that opens with a title ("Minister of Energy and Natural Resources of
    // Turkiye Alparslan Bayraktar", "Director General of Police Rajvinder Singh
    // Bhatti"): its pieces before the last are the role; the last ends with the name,
    // after any organization words ("Police").
    let titled_run = g.is_title(doc.word(strip_leading_function(doc, run.clone()).start));
    // What follows the piece in the run is only a date ("... Bhatti on Sunday").
    let last_piece = (piece.end..run.end).all(|i| {
        let w = doc.word(i);
        g.is_calendar(w) || ["on", "of", "and", "the", "for"].contains(&w.to_lowercase().as_str())
    });
    if titled_run && title_end.is_none() && piece.start > run.start {
        if !last_piece {
            return;
        }
        while name.len() > 2 && g.org_suffix(doc.word(name.start)).is_some() {
            name.start += 1;
        }
        role = Some(doc.span_text(strip_leading_function(doc, run.clone()).start..name.start).trim().to_string());
    }
    // A given name inside the piece after other capitalized words ("Phoenix Principal
    // Investigator Peter Smith"): the name starts there, the words before are the role.
    if name.len() >= 3
        && let Some(k) = (name.start + 1..name.end - 1).find(|&i| {
            g.is_given_name(doc.word(i)) && !g.is_given_name(doc.word(i - 1)) && is_capitalized(doc.word(i + 1))
        })
        && (name.start..k).all(|i| is_capitalized(doc.word(i)) && !all_caps(doc.word(i)) || g.is_title(doc.word(i)))
        && ((name.start..k)
            .any(|i| g.is_title(doc.word(i)) || g.is_role(doc.word(i)) || g.org_suffix(doc.word(i)).is_some())
            || titled_run
            || name.end - k <= 2 && k - name.start >= 2
            // "Leader of the House Harriet Harman", "Speaker of the House Nancy Pelosi".
            || name.start >= 2
                && doc.word(name.start - 1).eq_ignore_ascii_case("the")
                && doc.word(name.start - 2) == "of")
        && !(name.start..k).any(|i| g.is_given_name(doc.word(i)) || is_name_suffix(doc.word(i)))
        && !(name.start..k).any(|i| doc.word(i).ends_with('.') && doc.word(i).chars().count() == 2)
    {
        role = Some(doc.span_text(run.start.min(name.start)..k).to_string());
        name.start = k;
    }
    let words: Vec<&str> = name.clone().map(|i| doc.word(i)).collect();
    // A name the caller knows needs no other cue.
    if let Some(known) = ents.known.get(doc.span_text(name.clone())) {
        match known {
            KnownRef::Person(_) if name.len() >= 2 || title_end.is_some() => {
                add_person(doc, ents, name, role, run, mentions);
            }
            KnownRef::Org(k) if name.len() >= 2 => {
                let kind = ents.known.names.organizations[k].kind;
                let idx = ents.add_org(doc.span_text(name.clone()), None, kind, None);
                mentions.push(Mention { tokens: name, target: Target::Org(idx) });
            }
            // One word: `link_singles` decides, after the text's own names.
            _ => singles.push((false, name.start)),
        }
        return;
    }
    if PLACE_FIRST.contains(&words[0].to_lowercase().as_str()) && words.len() >= 2 && title_end.is_none() {
        return;
    }
    // "newspaper Record", "news agency IRNA", "lab testing firm Eurofins".
    let before = doc.word(name.start.wrapping_sub(1)).to_lowercase();
    if title_end.is_none()
        && doc.is_word(name.start.wrapping_sub(1))
        && let Some(kind) = g.org_descriptor(&before)
    {
        // "platform X." at the end of a sentence: the dot is the sentence's.
        let text = doc.span_text(name.clone());
        let text = if name.len() == 1 && text.chars().count() == 2 { text.trim_end_matches('.') } else { text };
        let text = text.to_string();
        let idx = ents.add_org(&text, None, kind, None);
        mentions.push(Mention { tokens: name, target: Target::Org(idx) });
        return;
    }
    // "the London-based Al-Arab newspaper", "the Kompas daily", "the Yonhap news agency":
    // an outlet named before what it is.
    let after = doc.word(name.end).to_lowercase();
    let after_kind = if after == "news" && doc.word(name.end + 1).eq_ignore_ascii_case("agency") {
        Some(OrgKind::NewsAgency)
    } else {
        g.org_descriptor(&after).filter(|k| k.is_news())
    };
    if title_end.is_none()
        && doc.is_word(name.end)
        && let Some(kind) = after_kind
        && !g.is_place(&key_of(doc, name.clone()))
        && !(words.len() == 1 && COMMON_ACRONYMS.contains(&words[0]))
    {
        let text = doc.span_text(name.clone()).to_string();
        let idx = ents.add_org(&text, None, kind, None);
        mentions.push(Mention { tokens: name, target: Target::Org(idx) });
        return;
    }
    // "an analyst at Raymond James", "a virologist at Nordea": an organization.
    // Not "a spokesman for Morgan Tsvangirai's faction": a name owning something, with
    // no organization ending.
    let owner = words.len() >= 2
        && g.org_suffix(words[words.len() - 1]).is_none()
        && doc.tokens.get(name.end).is_some_and(|t| t.kind == TokKind::Possessive);
    let at_org = ["at", "for", "with", "from"].contains(&before.as_str())
        && (g.is_role(doc.word(name.start.wrapping_sub(2))) || g.is_anon_head(doc.word(name.start.wrapping_sub(2))))
        && title_end.is_none()
        && !owner;
    if at_org {
        let text = doc.span_text(name.clone()).to_string();
        let kind = g.org_suffix(words[words.len() - 1]).unwrap_or(OrgKind::Company);
        let idx = ents.add_org(&text, None, kind, None);
        mentions.push(Mention { tokens: name, target: Target::Org(idx) });
        return;
    }
    // An unknown upper-case name of three or more letters ("CATL", "GLAMOS").
    let numbered = doc.word(name.end).chars().next().is_some_and(|c| c.is_ascii_digit());
    if words.len() == 1
        && all_caps(words[0])
        && words[0].chars().filter(|c| c.is_alphabetic()).count() >= 3
        && !COMMON_ACRONYMS.contains(&words[0])
        && title_end.is_none()
        && !numbered
        && name.start >= doc.lead_end
    {
        let idx = ents.add_org(words[0], None, OrgKind::Other, None);
        mentions.push(Mention { tokens: name, target: Target::Org(idx) });
        return;
    }
    if words.iter().any(|w| g.is_calendar(w) || g.is_function_word(w)) && title_end.is_none() {
        // e.g. "Today", "Monday": nothing; try the tail after such words.
        if let Some(pos) = name.clone().rposition(|i| g.is_calendar(doc.word(i)) || g.is_function_word(doc.word(i))) {
            let tail = name.start + pos + 1..name.end;
            if tail.len() == 1 {
                singles.push((false, tail.start));
            } else if !tail.is_empty() {
                classify_piece(doc, ents, tail, run, mentions, singles, _prefix, prefix_demonym);
            }
        }
        return;
    }
    if words.len() == 1 {
        if title_end.is_some() && !all_caps(words[0]) {
            add_person(doc, ents, name, role, run, mentions);
        } else {
            singles.push((false, name.start));
        }
        return;
    }
    if words.iter().all(|w| all_caps(w)) || g.is_non_org_ending(words[words.len() - 1]) {
        return;
    }
    if g.is_place(&key_of(doc, name.clone())) {
        return;
    }
    let given = g.is_given_name(words[0]);
    let cue = title_end.is_some()
        || given
        || surname_speaks(doc, name.clone())
        || (piece.start == run.start && has_person_cue_before(doc, run.start))
        || (last_piece && has_person_cue_after(doc, run.end))
        || role.is_some() && titled_run
        || prefix_demonym.is_some() && role.is_some();
    let personal = !ents.in_headline && looks_like_a_personal_name(doc, &ents.lower_words, name.clone());
    if words.len() <= 5 && (cue || personal) {
        add_person(doc, ents, name, role, run, mentions);
    } else if words.len() <= 4 && !words.iter().any(|w| g.is_title(w)) && !ents.in_headline {
        let text = doc.span_text(name.clone()).to_string();
        let idx = ents.add_org(&text, None, OrgKind::Other, None);
        mentions.push(Mention { tokens: name, target: Target::Org(idx) });
    }
}

/// A two- or three-word run of ordinary name words (no list knows them as anything
/// else, and the text never writes them in lower case, as it would "program" or
/// "chamber"), or one whose last word the text also uses alone, mid-sentence or after
/// Mr/Ms ("Carter Dibbs … Doctor Dibbs"): people are called by their surname,
/// organizations rarely by their last word, and organizations' names are mostly made
/// of common words.
fn looks_like_a_personal_name(doc: &Document, lower_words: &HashSet<String>, name: Range<usize>) -> bool {
    let g = gazetteer();
    if !(2..=3).contains(&name.len()) {
        return false;
    }
    let plain = name.clone().all(|i| {
        let w = doc.word(i);
        doc.is_word(i)
            && !all_caps(w)
            && !g.is_function_word(w)
            && !g.is_calendar(w)
            && !g.is_title(w)
            && !g.is_role(w)
            && !g.is_nominal_org_head(w)
            && g.org_suffix(w).is_none()
            && g.org_descriptor(w).is_none()
            && !g.is_non_org_ending(w)
            && !w.to_lowercase().split(['-', '‐']).any(|part| g.is_place(part) || known_org_word(part))
            && !w.to_lowercase().ends_with("bank")
            && !w.chars().any(|c| c.is_ascii_digit())
            && !is_compound_adjective(w)
    });
    if !plain {
        return false;
    }
    let common = name.clone().any(|i| {
        let lower = doc.word(i).to_lowercase();
        lower.split(['-', '‐']).any(|part| lower_words.contains(part)) || lower_words.contains(&lower)
    });
    // Plural last words name groups ("Liberal Democrats", "Joint Chiefs").
    let plural = doc.word(name.end - 1).ends_with('s');
    if !common && !plural && !doc.word(name.end).eq_ignore_ascii_case("of") {
        return true;
    }
    let last = doc.word(name.end - 1);
    (0..doc.tokens.len()).any(|i| {
        if name.contains(&i) || doc.word(i) != last || !doc.is_word(i) {
            return false;
        }
        let prev = doc.word(i.wrapping_sub(1));
        let honorific = ["Mr", "Mr.", "Ms", "Ms.", "Mrs", "Mrs.", "Dr", "Dr.", "Miss"].contains(&prev);
        let alone = !is_cap_token(doc, i.wrapping_sub(1)) && !is_cap_token(doc, i + 1);
        let sentence_start = doc.sentences.get(doc.tok_sentence.get(i).copied().unwrap_or(0)).map(|s| s.tokens.start);
        honorific || alone && (sentence_start != Some(i) || g.is_speech_verb(doc.word(i + 1)))
    })
}

/// Whether a lower-case word is, alone, the name of a country or organization the
/// lexicon knows ("berlin" is a place; "germany" a country).
fn known_org_word(w: &str) -> bool {
    gazetteer().org_index.contains_key(w)
}

/// Whether the last word of a two- or three-word name is used alone elsewhere as the
/// subject of a speech verb ("Mofid Shehab … Shehab said", "Shehab also said"): people
/// are called by their surname, organizations rarely by their last word.
fn surname_speaks(doc: &Document, name: Range<usize>) -> bool {
    let g = gazetteer();
    if !(2..=3).contains(&name.len()) {
        return false;
    }
    let last = doc.word(name.end - 1);
    if g.org_suffix(last).is_some() || all_caps(last) {
        return false;
    }
    (0..doc.tokens.len()).any(|i| {
        if name.contains(&i) || doc.word(i) != last || is_cap_token(doc, i.wrapping_sub(1)) {
            return false;
        }
        let mut v = i + 1;
        if ["also", "later", "then"].contains(&doc.word(v)) {
            v += 1;
        }
        doc.is_word(v) && !is_capitalized(doc.word(v)) && g.is_speech_verb(doc.word(v))
    })
}

fn person_key(s: &str) -> String {
    s.to_lowercase().replace(['-', '‐'], " ").split_whitespace().collect::<Vec<_>>().join(" ")
}

fn add_person(
    doc: &Document,
    ents: &mut Entities,
    name: Range<usize>,
    role: Option<String>,
    run: Range<usize>,
    mentions: &mut Vec<Mention>,
) {
    let g = gazetteer();
    let text = doc.span_text(name.clone()).to_string();
    let key = person_key(&text);
    let existing =
        ents.people.iter().position(|p| person_key(&p.name) == key || p.aliases.iter().any(|a| person_key(a) == key));
    // "Zhu Bangzao … Mr. Zhu", "Abdulaziz bin Abdullah … Prince Abdulaziz": a name
    // written family name first, or an Arabic name, taken up by its first word after an
    // honorific or a title, when exactly one person's name starts with that word.
    let family_first = || {
        let honorific = name.len() == 1
            && name.start > 0
            && (crate::gazetteer::is_honorific(doc.word(name.start - 1)) || g.is_title(doc.word(name.start - 1)));
        let mut found = ents.people.iter().enumerate().filter(|(_, p)| {
            let words: Vec<&str> = p.name.split_whitespace().collect();
            (2..=3).contains(&words.len()) && person_key(words[0]) == key
        });
        let first = found.next().map(|(i, _)| i);
        first.filter(|_| honorific && found.next().is_none())
    };
    let existing = existing.or_else(family_first);
    let idx = match (existing, ents.known.person(&text)) {
        (Some(i), _) => {
            let p = &mut ents.people[i];
            if p.name != text && !p.aliases.contains(&text) {
                p.aliases.push(text.clone());
            }
            if p.role.is_none() {
                p.role = role;
            }
            i
        }
        (None, Some(k)) => {
            let i = ents.known_person(k, name.clone(), run.clone());
            let p = &mut ents.people[i];
            let mut forms = vec![text.clone()];
            if name.len() >= 2 {
                forms.push(surname(doc, name.clone()));
            }
            for f in forms {
                if f != p.name && !p.aliases.contains(&f) {
                    p.aliases.push(f);
                }
            }
            if p.role.is_none() {
                p.role = role;
            }
            i
        }
        (None, None) => {
            let first = doc.word(name.start).to_lowercase();
            let female = g.given_name_gender(&first);
            let mut aliases = Vec::new();
            // Surname alias: the last word, with a preceding particle ("de Mistura").
            if name.len() >= 2 {
                aliases.push(surname(doc, name.clone()));
            }
            ents.people.push(PersonRec {
                name: text,
                aliases,
                role,
                affiliation: None,
                female,
                first_mention: Some((name.clone(), run.clone())),
                known: None,
            });
            ents.people.len() - 1
        }
    };
    // "Prince Abdulaziz bin Abdullah", "Sheikh Hasina": a royal or religious title is
    // how the person is known; the titled form is kept as an alias.
    if name.start > 0 && ROYAL_TITLES.contains(&doc.word(name.start - 1).to_lowercase().as_str()) {
        let titled = format!("{} {}", doc.word(name.start - 1), doc.span_text(name.clone()));
        let p = &mut ents.people[idx];
        if p.name != titled && !p.aliases.contains(&titled) {
            p.aliases.push(titled);
        }
    }
    // A known person first seen by a bare alias: this fuller or titled mention is the
    // one whose surroundings give the affiliation.
    let p = &mut ents.people[idx];
    if p.known.is_some() && p.first_mention.as_ref().is_some_and(|(n, r)| n.len() < name.len() || r.len() < run.len()) {
        p.first_mention = Some((name.clone(), run));
    }
    mentions.push(Mention { tokens: name, target: Target::Person(idx) });
}

/// The last word of a name, with the particles before it ("de Mistura").
fn surname(doc: &Document, name: Range<usize>) -> String {
    let mut last = name.end - 1;
    if last > name.start + 1 && is_name_suffix(doc.word(last)) {
        last -= 1;
    }
    let mut s = last;
    while s > name.start + 1 && PARTICLES.contains(&doc.word(s - 1).to_lowercase().as_str()) {
        s -= 1;
    }
    doc.span_text(s..last + 1).to_string()
}

/// Links single capitalized words to known people (surnames) and organizations.
/// `singles` holds (is a place, token); a place links only to a person's surname.
fn link_singles(doc: &Document, ents: &mut Entities, singles: &[(bool, usize)], mentions: &mut Vec<Mention>) {
    let g = gazetteer();
    // word -> (person, is surname)
    let mut person_words: HashMap<String, (usize, bool)> = HashMap::new();
    for (pi, p) in ents.people.iter().enumerate() {
        let mut words: Vec<String> = person_key(&p.name).split(' ').map(str::to_string).collect();
        if words.len() > 2 && words.last().is_some_and(|w| is_name_suffix(w)) {
            words.pop();
        }
        // One word is a name only when a title made it one ("Governor Sakaja").
        if words.len() < 2 && p.role.is_none() {
            continue;
        }
        let n = words.len();
        for (k, w) in words.into_iter().enumerate() {
            let last = k + 1 == n;
            match person_words.get(&w) {
                Some(&(_, true)) if !last => {}
                _ => {
                    person_words.insert(w, (pi, last));
                }
            }
        }
    }
    // word -> org, for first words and last words of multi-word organizations; None when ambiguous.
    let mut first_words: HashMap<String, Option<usize>> = HashMap::new();
    let mut last_words: HashMap<String, Option<usize>> = HashMap::new();
    for (oi, o) in ents.orgs.iter().enumerate() {
        if !o.named || o.gaz.is_some_and(|gi| gi < g.country_count) {
            continue;
        }
        let words: Vec<String> = spelling_key(&o.name).split(' ').map(str::to_string).collect();
        if words.len() < 2 {
            continue;
        }
        if let Some(f) = words.first().filter(|f| !GENERIC_FIRST.contains(&f.as_str())) {
            let e = first_words.entry(f.clone()).or_insert(Some(oi));
            if *e != Some(oi) {
                *e = None;
            }
        }
        if let Some(l) = words.last().filter(|l| words.len() == 2 || g.org_suffix(l).is_some()) {
            let e = last_words.entry(l.clone()).or_insert(Some(oi));
            if *e != Some(oi) {
                *e = None;
            }
        }
    }
    let mut lone_people: HashMap<String, usize> = HashMap::new();
    let subjects = speech_subjects(doc);
    for &(place, t) in singles {
        let w = doc.word(t);
        if g.is_function_word(w) || g.is_calendar(w) || g.is_title(w) {
            continue;
        }
        let lw = w.to_lowercase();
        let hit = person_words.get(&person_key(w)).filter(|&&(_, is_surname)| !place || is_surname);
        // A misspelt surname ("Bayrktar" for "Bayraktar"): one edit from exactly one
        // person's surname of six or more letters, same first letter.
        let misspelt = || {
            let key = person_key(w);
            if place || key.chars().count() < 6 || all_caps(w) || g.is_place(&lw) || known_org_word(&lw) {
                return None;
            }
            let mut near = person_words.iter().filter(|(s, (_, is_surname))| {
                *is_surname && s.chars().next() == key.chars().next() && strsim::damerau_levenshtein(s, &key) == 1
            });
            let first = near.next().map(|(_, hit)| hit);
            first.filter(|f| near.all(|(_, (pi, _))| *pi == f.0))
        };
        let hit = hit.or_else(misspelt);
        if place && hit.is_none() {
            continue;
        }
        if let Some(&(pi, _)) = hit {
            let mut start = t;
            if t > 0 && PARTICLES.contains(&doc.word(t - 1).to_lowercase().as_str()) {
                start = t - 1;
            }
            let alias = doc.span_text(start..t + 1).to_string();
            let p = &mut ents.people[pi];
            if alias != p.name && !p.aliases.contains(&alias) {
                p.aliases.push(alias);
            }
            mentions.push(Mention { tokens: start..t + 1, target: Target::Person(pi) });
            continue;
        }
        // A name or alias the caller knows ("Kerry", "ISSG"), unless it opens a sentence
        // and the text also uses it as a common word ("Hope is fading ... we hope").
        let sentence = doc.tok_sentence.get(t).and_then(|&s| doc.sentences.get(s));
        let opens = sentence.and_then(|s| s.tokens.clone().find(|&i| doc.is_word(i))) == Some(t);
        let known = ents.known.get(w).filter(|_| !opens || !(0..doc.tokens.len()).any(|i| doc.word(i) == lw));
        match known {
            Some(KnownRef::Person(k)) => {
                let pi = ents.known_person(k, t..t + 1, t..t + 1);
                let p = &mut ents.people[pi];
                if w != p.name && !p.aliases.iter().any(|a| a == w) {
                    p.aliases.push(w.to_string());
                }
                mentions.push(Mention { tokens: t..t + 1, target: Target::Person(pi) });
                continue;
            }
            Some(KnownRef::Org(k)) => {
                let kind = ents.known.names.organizations[k].kind;
                let oi = ents.add_org(w, None, kind, None);
                mentions.push(Mention { tokens: t..t + 1, target: Target::Org(oi) });
                continue;
            }
            None => {}
        }
        // A one-word organization the text introduced ("lab testing firm Eurofins").
        if let Some(oi) = ents.orgs.iter().position(|o| {
            o.named && o.gaz.is_none() && !o.name.contains(' ') && (o.name == w || o.aliases.iter().any(|a| a == w))
        }) {
            mentions.push(Mention { tokens: t..t + 1, target: Target::Org(oi) });
            continue;
        }
        let sentence_start = doc.sentences.get(doc.tok_sentence.get(t).copied().unwrap_or(0)).map(|s| s.tokens.start);
        let mid = sentence_start != Some(t);
        let first_hit = first_words.get(&lw).copied().flatten();
        let last_hit = if mid { last_words.get(&lw).copied().flatten() } else { None };
        let org_hit = match (first_hit, last_hit) {
            (Some(a), Some(b)) if a != b => None,
            (a, b) => a.or(b),
        };
        if let Some(oi) = org_hit {
            let o = &mut ents.orgs[oi];
            if !o.aliases.iter().any(|a| a == w) && o.name != w {
                o.aliases.push(w.to_string());
            }
            mentions.push(Mention { tokens: t..t + 1, target: Target::Org(oi) });
            continue;
        }
        // What the text does with an unknown one-word name marks a company or an
        // organization: "shares of Quantiva", "Quantiva shares", "Brightwell's chief
        // executive", "Zorvex said in a statement".
        if !g.is_given_name(&lw) && !g.is_place(&lw) {
            let next = doc.word(t + 1).to_lowercase();
            let possessive = doc.tokens.get(t + 1).is_some_and(|x| x.kind == TokKind::Possessive);
            let after_possessive = doc.word(t + 2).to_lowercase();
            let company = (t >= 2 && doc.word(t - 1) == "of" && doc.word(t - 2).eq_ignore_ascii_case("shares"))
                || ["shares", "stock"].contains(&next.as_str())
                || possessive
                    && [
                        "chief",
                        "ceo",
                        "chairman",
                        "chairwoman",
                        "board",
                        "shareholders",
                        "shares",
                        "stock",
                        "executives",
                        "employees",
                        "headquarters",
                        "founder",
                        "profit",
                        "revenue",
                        "sales",
                    ]
                    .contains(&after_possessive.as_str());
            let statement = g.is_speech_verb(doc.word(t + 1))
                && (t + 2..t + 6).any(|k| ["statement", "release", "filing"].contains(&doc.word(k)));
            if company || statement {
                let kind = if company { OrgKind::Company } else { OrgKind::Other };
                let idx = ents.add_org(w, None, kind, None);
                mentions.push(Mention { tokens: t..t + 1, target: Target::Org(idx) });
                continue;
            }
        }
        // "… said Bolsonaro", "Bolsonaro said … he stressed": a one-word name the text
        // only ever uses alone, as the subject of speech, and then calls "he" or "she".
        if let Some(&pi) = lone_people.get(w) {
            mentions.push(Mention { tokens: t..t + 1, target: Target::Person(pi) });
            continue;
        }
        if lone_speaker(doc, ents, &subjects, t) {
            let female = None;
            ents.people.push(PersonRec {
                name: w.to_string(),
                aliases: Vec::new(),
                role: None,
                affiliation: None,
                female,
                first_mention: Some((t..t + 1, t..t + 1)),
                known: None,
            });
            let pi = ents.people.len() - 1;
            lone_people.insert(w.to_string(), pi);
            mentions.push(Mention { tokens: t..t + 1, target: Target::Person(pi) });
            continue;
        }
        // "Benfica president Antonio Faria": a one-word organization before a role and a name.
        let role_next = doc.is_word(t + 1) && !is_capitalized(doc.word(t + 1)) && g.is_role(doc.word(t + 1));
        let person_after =
            role_next && mentions.iter().any(|m| m.tokens.start == t + 2 && matches!(m.target, Target::Person(_)));
        if person_after && !g.is_given_name(&lw) {
            let idx = ents.add_org(w, None, OrgKind::Other, None);
            mentions.push(Mention { tokens: t..t + 1, target: Target::Org(idx) });
        }
    }
}

/// Whether the lone capitalized word at `t` names a person the text calls by one name:
/// nothing else knows the word (no list, no lower-case use, not a given name, place,
/// demonym, role or acronym), the text makes it the subject of a speech verb ("Bolsonaro
/// said", "said Bolsonaro"), and a personal pronoun outside quotes follows within the
/// next two sentences of such a use (organizations are "it").
fn lone_speaker(doc: &Document, ents: &Entities, subjects: &HashMap<String, Vec<usize>>, t: usize) -> bool {
    let g = gazetteer();
    let w = doc.word(t);
    let lw = w.to_lowercase();
    if ents.in_headline
        || w.chars().count() < 4
        || all_caps(w)
        || !w.chars().all(char::is_alphabetic)
        || g.is_given_name(&lw)
        || g.is_place(&lw)
        || g.is_role(&lw)
        || g.demonyms.contains_key(&lw)
        || known_org_word(&lw)
        || g.org_suffix(&lw).is_some()
        || g.is_nominal_org_head(&lw)
        || ents.lower_words.contains(&lw)
        || ents.people.iter().any(|p| p.name.split(' ').any(|x| x == w))
        || ents.orgs.iter().any(|o| o.name.split(' ').any(|x| x == w))
    {
        return false;
    }
    let pronoun_follows = |i: usize| {
        let s = doc.tok_sentence.get(i).copied().unwrap_or(0);
        let end = doc.sentences.get(s + 2).or_else(|| doc.sentences.last()).map_or(i, |x| x.tokens.end);
        (i + 1..end).any(|k| {
            !doc.in_quote(k) && ["he", "she", "his", "her", "him"].contains(&doc.word(k).to_lowercase().as_str())
        }) && !(i + 1..end)
            .any(|k| !doc.in_quote(k) && ["it", "its"].contains(&doc.word(k).to_lowercase().as_str()) && k < i + 6)
    };
    subjects.get(w).is_some_and(|at| at.iter().any(|&i| pronoun_follows(i)))
}

/// Where each capitalized word outside quotes is the subject of a past-tense speech
/// verb ("Bolsonaro said", "Bolsonaro has also told") or follows an inverted one
/// ("said Bolsonaro at …"): word → token positions. One pass over the text.
fn speech_subjects(doc: &Document) -> HashMap<String, Vec<usize>> {
    let g = gazetteer();
    let mut out: HashMap<String, Vec<usize>> = HashMap::new();
    for i in 0..doc.tokens.len() {
        if !doc.is_word(i) || doc.in_quote(i) || !is_capitalized(doc.word(i)) {
            continue;
        }
        let mut v = i + 1;
        while ["also", "later", "then", "has", "had", "have"].contains(&doc.word(v)) {
            v += 1;
        }
        // A past tense or "says": "reports", "states" may be nouns.
        let verb = doc.word(v);
        let subject = doc.is_word(v)
            && !is_capitalized(verb)
            && g.is_clause_verb(verb)
            && (verb.ends_with("ed") || ["said", "says", "told", "tells", "wrote", "writes"].contains(&verb));
        let inverted = i > 0
            && ["said", "says", "added", "adds"].contains(&doc.word(i - 1))
            && (!doc.is_word(i + 1) || ["at", "in", "on", "during", "after"].contains(&doc.word(i + 1)));
        if subject || inverted {
            out.entry(doc.word(i).to_string()).or_default().push(i);
        }
    }
    out
}

fn org_mention_before(mentions: &HashMap<usize, Target>, t: usize) -> Option<usize> {
    match mentions.get(&t) {
        Some(Target::Org(o)) => Some(*o),
        _ => None,
    }
}

/// Fills person affiliations from the words around their first full mention.
/// The role a text attaches to a name outside its capitalized run: the words right
/// before it ("lawmaker Ted Hui", "Egypt's energy minister X"), an appositive before
/// ("Egypt's minister of legal affairs, Mofid Shehab,") or after ("Hui, a Democratic
/// Party lawmaker,").
fn role_around(doc: &Document, ents: &Entities, run: Range<usize>) -> Option<String> {
    let g = gazetteer();
    let has_role =
        |r: Range<usize>| r.clone().any(|i| doc.is_word(i) && !is_capitalized(doc.word(i)) && g.is_role(doc.word(i)));
    let segment_back = |end: usize| {
        let mut s = end;
        while s > doc.lead_end
            && end - s < 14
            && !doc.is_punct(s - 1, ',')
            && !doc.is_punct(s - 1, '.')
            && !doc.is_quote_mark(s - 1)
            && doc.tok_sentence.get(s - 1) == doc.tok_sentence.get(end.saturating_sub(1))
        {
            s -= 1;
        }
        s
    };
    // Lower-case words right before the run, ending in a role word.
    if run.start > 0
        && doc.is_word(run.start - 1)
        && g.is_role(doc.word(run.start - 1))
        && !is_capitalized(doc.word(run.start - 1))
    {
        let mut s = run.start - 1;
        while s > 0
            && run.start - s < 4
            && doc.is_word(s - 1)
            && !is_capitalized(doc.word(s - 1))
            && !g.is_function_word(doc.word(s - 1))
            && !g.is_speech_verb(doc.word(s - 1))
        {
            s -= 1;
        }
        return Some(doc.span_text(s..run.start).to_string());
    }
    // ", role, Name,": the comma segment before.
    if run.start >= 2 && doc.is_punct(run.start - 1, ',') {
        let mut s = segment_back(run.start - 1);
        // "2018 – Kingston – Minister of National Security, Hon. Robert Montague": after a dash.
        if let Some(d) = (s..run.start - 1).rev().find(|&i| ["–", "—", "-"].contains(&doc.word(i))) {
            s = d + 1;
        }
        let seg = s..run.start - 1;
        // "Minister of National Security, Hon. Robert Montague,": a capitalized title too.
        let titled = !seg.is_empty() && g.is_title(doc.word(seg.start)) && g.is_role(doc.word(seg.start));
        if !seg.is_empty()
            && seg.len() <= 13
            && (has_role(seg.clone()) || titled)
            && !seg.clone().any(|i| g.is_speech_verb(doc.word(i)))
        {
            return Some(doc.span_text(seg).to_string());
        }
    }
    // "Name, a role ...,", "Name, WHO's director general,".
    if doc.is_punct(run.end, ',') {
        let first = doc.word(run.end + 1).to_lowercase();
        let owner = ents.mention_at(run.end + 1).is_some_and(|m| {
            matches!(m.target, Target::Org(_))
                && m.tokens.start == run.end + 1
                && doc.tokens.get(m.tokens.end).is_some_and(|t| t.kind == TokKind::Possessive)
        });
        if ["a", "an", "the", "its", "his", "her", "their"].contains(&first.as_str()) || g.is_role(&first) || owner {
            let mut e = run.end + 1;
            while e < doc.tokens.len()
                && e < run.end + 14
                && !doc.is_punct(e, ',')
                && !doc.is_punct(e, '.')
                && !doc.is_quote_mark(e)
            {
                e += 1;
            }
            let seg = run.end + 1..e;
            if has_role(seg.clone()) && !seg.clone().any(|i| g.is_speech_verb(doc.word(i))) {
                return Some(doc.span_text(seg).to_string());
            }
        }
    }
    None
}

fn assign_affiliations(doc: &Document, ents: &mut Entities) {
    let g = gazetteer();
    // token -> target of the mention ending at that token
    let mut ending: HashMap<usize, Target> = HashMap::new();
    for m in &ents.mentions {
        if m.tokens.end > 0 {
            ending.insert(m.tokens.end - 1, m.target);
        }
    }
    for pi in 0..ents.people.len() {
        let Some((name, run)) = ents.people[pi].first_mention.clone() else {
            continue;
        };
        if ents.people[pi].role.is_none() {
            ents.people[pi].role = role_around(doc, ents, run.clone());
        }
        let mut aff: Option<usize> = None;
        let mut gaz_aff: Option<usize> = None;
        // Inside the run before the name (last org, else demonym).
        for t in (run.start..name.start).rev() {
            if let Some(Target::Org(o)) = ents.mention_at(t).map(|m| m.target) {
                aff = Some(o);
                break;
            }
            if let Some(gi) = ents.demonym_at(t) {
                gaz_aff = Some(gi);
                break;
            }
        }
        // "Chinese Foreign Ministry Spokesman Zhu Bangzao": a body named by a demonym and
        // capitalized words ending in an organization word, inside the title.
        if aff.is_none() && name.start > run.start {
            aff = body_in_title(doc, ents, run.start..name.start);
        }
        // "Russia's Foreign Minister X" / "Lumina's general counsel, X" / "UN envoy X".
        if aff.is_none() && gaz_aff.is_none() && run.start > 0 {
            let mut t = run.start;
            let mut steps = 0;
            while t > 0 && steps < 5 {
                t -= 1;
                steps += 1;
                let tok = doc.tokens.get(t).map(|x| x.kind);
                if tok == Some(TokKind::Possessive) {
                    if let Some(o) = org_mention_before(&ending, t.saturating_sub(1)) {
                        aff = Some(o);
                    } else if let Some(gi) = ents.demonym_at(t.saturating_sub(1)) {
                        gaz_aff = Some(gi);
                    }
                    break;
                }
                if let Some(o) = org_mention_before(&ending, t) {
                    aff = Some(o);
                    break;
                }
                if let Some(gi) = ents.demonym_at(t) {
                    gaz_aff = Some(gi);
                    break;
                }
                let w = doc.word(t);
                let ok = doc.is_punct(t, ',') || (doc.is_word(t) && !is_capitalized(w) && (g.is_role(w) || steps <= 2));
                if !ok || doc.is_punct(t, '.') {
                    break;
                }
            }
        }
        // Appositive after the name: ", a banking analyst at Metzler Capital".
        if aff.is_none() && gaz_aff.is_none() && doc.is_punct(run.end, ',') {
            let mut t = run.end + 1;
            let first = doc.word(t).to_lowercase();
            if ["a", "an", "the", "who", "whose", "its", "his", "her"].contains(&first.as_str()) || g.is_role(&first) {
                while t < doc.tokens.len() && t < run.end + 14 && !doc.is_punct(t, ',') && !doc.is_punct(t, '.') {
                    if let Some(Target::Org(o)) = ents.mention_at(t).map(|m| m.target) {
                        aff = Some(o);
                        break;
                    }
                    t += 1;
                }
            }
        }
        if aff.is_none()
            && let Some(gi) = gaz_aff
        {
            aff = ents.org_for_gaz(gi);
        }
        // "Chief Executive X" with no organization nearby: the company (or club) the
        // article was just talking about.
        let role = ents.people[pi].role.clone().unwrap_or_default().to_lowercase();
        let corporate =
            ["chief executive", "ceo", "chairman", "chairwoman", "founder", "general counsel", "chief financial"]
                .iter()
                .any(|r| role.contains(r));
        let sporting = ["manager", "coach", "captain"].iter().any(|r| role.contains(r));
        if aff.is_none() && (corporate || sporting) {
            let want = if corporate { OrgKind::Company } else { OrgKind::Other };
            let first_sent = doc.tok_sentence.get(name.start).copied().unwrap_or(0);
            aff = ents
                .mentions_before(name.start)
                .take_while(|m| doc.tok_sentence.get(m.tokens.start).is_some_and(|&s| s + 3 >= first_sent))
                .find_map(|m| match m.target {
                    Target::Org(o) if ents.orgs.get(o).is_some_and(|x| x.kind == want) => Some(o),
                    _ => None,
                });
        }
        if aff.is_some() {
            ents.people[pi].affiliation = aff;
        }
    }
}

/// The organization a title names from its country ("Chinese Foreign Ministry" in
/// "Chinese Foreign Ministry Spokesman"): a demonym or country, then capitalized words
/// up to one that ends an organization's name; added as a government body.
fn body_in_title(doc: &Document, ents: &mut Entities, title: Range<usize>) -> Option<usize> {
    let g = gazetteer();
    let start = title.clone().find(|&t| ents.demonym_at(t).is_some())?;
    let mut end = None;
    for t in start + 1..title.end {
        let w = doc.word(t);
        if !doc.is_word(t) || !is_capitalized(w) {
            break;
        }
        if g.org_suffix(w).is_some_and(|k| k == OrgKind::Government) {
            end = Some(t + 1);
        }
    }
    let end = end?;
    if end - start < 2 {
        return None;
    }
    let name = doc.span_text(start..end).to_string();
    Some(ents.add_org(&name, None, OrgKind::Government, None))
}

const NP_STOP: &[&str] = &[
    "of",
    "to",
    "with",
    "by",
    "in",
    "on",
    "at",
    "for",
    "from",
    "about",
    "as",
    "that",
    "which",
    "who",
    "and",
    "or",
    "but",
    "was",
    "were",
    "is",
    "are",
    "has",
    "have",
    "had",
    "will",
    "would",
    "could",
    "should",
    "can",
    "may",
    "not",
    "than",
    "then",
    "when",
    "while",
    "after",
    "before",
    "since",
    "if",
    "because",
    "said",
    "told",
    "says",
    "according",
    "per",
    "quoted",
    "more",
    "less",
    "despite",
];
const DETERMINERS: &[&str] = &[
    "a", "an", "the", "some", "two", "three", "four", "five", "six", "several", "many", "few", "other", "its", "their",
    "his", "her", "both", "one", "most", "all", "senior", "top",
];

/// Builds the anonymous-source description headed by token `head`, if it is one.
pub fn anon_np(doc: &Document, ents: &Entities, head: usize) -> Option<AnonMention> {
    let g = gazetteer();
    let hw = doc.word(head);
    if !g.is_anon_head(hw) || ents.mention_at(head).is_some() {
        return None;
    }
    let sent = doc.sentences.get(*doc.tok_sentence.get(head)?)?.tokens.clone();
    let mut s = head;
    let mut steps = 0;
    while s > sent.start && steps < 7 {
        let p = s - 1;
        let kind = doc.tokens.get(p).map(|t| t.kind);
        if kind == Some(TokKind::Possessive) {
            s = p;
            steps += 1;
            continue;
        }
        if !doc.is_word(p) {
            break;
        }
        let w = doc.word(p);
        let lw = w.to_lowercase();
        // "British and Moroccan scientists": coordinated capitalized modifiers.
        if lw == "and" && s > p && is_capitalized(doc.word(s)) && p > sent.start && is_capitalized(doc.word(p - 1)) {
            s = p;
            steps += 1;
            continue;
        }
        if NP_STOP.contains(&lw.as_str()) || g.is_speech_verb(w) {
            break;
        }
        // A person's name right before ("Kerry aides") is fine; a verb-like -ed/-ing word ends it.
        if !is_capitalized(w)
            && (lw.ends_with("ing") || lw.ends_with("ed"))
            && !["senior", "unnamed", "concerned", "unidentified", "informed", "retired"].contains(&lw.as_str())
        {
            break;
        }
        s = p;
        steps += 1;
        if DETERMINERS.contains(&lw.as_str()) && !["senior", "top", "other"].contains(&lw.as_str()) {
            break;
        }
    }
    // Appositive after a name: ", a banking analyst at ..." is not an anonymous source.
    if s > 0
        && doc.is_punct(s - 1, ',')
        && s >= 2
        && matches!(ents.mention_at(s - 2).map(|m| m.target), Some(Target::Person(_)))
    {
        return None;
    }
    if ents.mention_at(s).is_some_and(|m| matches!(m.target, Target::Person(_))) {
        return None;
    }
    let mut e = head + 1;
    let nxt = doc.word(e).to_lowercase();
    let nxt2 = doc.word(e + 1).to_lowercase();
    if ["familiar", "close", "briefed"].contains(&nxt.as_str()) || (nxt == "with" && nxt2 == "knowledge") {
        while e < sent.end
            && e < head + 9
            && doc.is_word(e)
            && !g.is_speech_verb(doc.word(e))
            && !["who", "that", "said"].contains(&doc.word(e))
        {
            e += 1;
        }
    } else if ["in", "at", "for", "from"].contains(&nxt.as_str()) && is_capitalized(doc.word(e + 1)) {
        e += 1;
        while e < sent.end && (is_cap_token(doc, e) || (doc.word(e) == "of" && is_cap_token(doc, e + 1))) {
            e += 1;
        }
    }
    let mut text = doc.span_text(s..e).to_string();
    for det in ["the ", "The "] {
        if let Some(rest) = text.strip_prefix(det) {
            text = rest.to_string();
        }
    }
    let lower = hw.to_lowercase();
    let plural = (lower.ends_with('s') && !["witness", "boss", "press"].contains(&lower.as_str()))
        || ["people", "police", "staff", "authorities"].contains(&lower.as_str());
    let mut affiliation = None;
    let mut best_len = 0;
    for m in ents.mentions_in(s..e) {
        if let Target::Org(o) = m.target
            && m.tokens.len() > best_len
        {
            best_len = m.tokens.len();
            affiliation = Some(o);
        }
    }
    Some(AnonMention { tokens: s..e, text, head: lower, plural, affiliation })
}

fn find_anonymous(doc: &Document, ents: &mut Entities) {
    let mut found = Vec::new();
    for t in 0..doc.tokens.len() {
        if doc.in_quote(t) || !doc.is_word(t) {
            continue;
        }
        if let Some(mut a) = anon_np(doc, ents, t) {
            if a.affiliation.is_none()
                && let Some(gi) = (a.tokens.clone()).find_map(|i| ents.demonym_at(i))
            {
                a.affiliation = ents.org_for_gaz(gi);
            }
            found.push(a);
        }
    }
    ents.anon = found;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segment::segment;

    fn run(text: &str) -> Entities {
        RuleEntities.recognize(&segment(text.to_string()), None)
    }

    #[test]
    fn titles_demonyms_and_surnames() {
        let e = run("Syrian President Bashar al Assad met UN envoy Staffan de Mistura. Later Assad left.");
        let names: Vec<&str> = e.people.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, vec!["Bashar al Assad", "Staffan de Mistura"]);
        assert!(e.people[0].aliases.contains(&"Assad".to_string()));
        assert_eq!(e.people[0].affiliation.map(|o| e.orgs[o].name.as_str()), Some("Syria"));
        assert_eq!(e.people[1].affiliation.map(|o| e.orgs[o].name.as_str()), Some("United Nations"));
    }

    #[test]
    fn acronym_definitions_and_suffixes() {
        let e = run("The International Syria Support Group (ISSG) met the Syrian Army and Agence France Presse.");
        let names: Vec<&str> = e.orgs.iter().map(|o| o.name.as_str()).collect();
        assert!(names.contains(&"International Syria Support Group"));
        assert!(names.contains(&"Syrian Army"));
        assert!(names.contains(&"Agence France-Presse"));
        let issg = e.orgs.iter().find(|o| o.name == "International Syria Support Group");
        assert!(issg.is_some_and(|o| o.aliases.contains(&"ISSG".to_string())));
    }

    #[test]
    fn initials_suffixes_and_a_surname_that_is_also_a_place() {
        let e = run("Secretary of Defense Lloyd J. Austin III said so on Monday. Later Austin left for Brussels.");
        let names: Vec<&str> = e.people.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, vec!["Lloyd J. Austin III"]);
        assert_eq!(e.people[0].aliases, vec!["Austin".to_string()]);
        assert_eq!(e.people[0].role.as_deref(), Some("Secretary of Defense"));
        let doc = segment("Secretary of Defense Lloyd J. Austin III spoke. Later Austin left.".to_string());
        let e = RuleEntities.recognize(&doc, None);
        let later = (0..doc.tokens.len()).rfind(|&i| doc.word(i) == "Austin").unwrap_or(0);
        assert!(e.mention_at(later).is_some_and(|m| m.target == Target::Person(0)), "the lone surname is the person");
        // "Austin" alone is the person; a place with no such person stays nobody.
        let e = run("Officials in Austin said so.");
        assert!(e.people.is_empty());
    }

    #[test]
    fn a_given_name_after_a_capitalized_role_starts_the_name() {
        let e = run("Phoenix Principal Investigator Peter Smith spoke. Mother of the House Harriet Harman spoke too.");
        let names: Vec<&str> = e.people.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, vec!["Peter Smith", "Harriet Harman"]);
        // Not inside a name that already has its given name, nor after an institution.
        let e = run("Secretary of Defense Lloyd J. Austin III spoke at the Universite Hassan II in Casablanca.");
        let names: Vec<&str> = e.people.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, vec!["Lloyd J. Austin III"]);
    }

    #[test]
    fn anonymous_sources() {
        let doc = segment(
            "Two people familiar with the matter said so. A senior U.S. State Department official agreed.".to_string(),
        );
        let e = RuleEntities.recognize(&doc, None);
        let texts: Vec<&str> = e.anon.iter().map(|a| a.text.as_str()).collect();
        assert!(texts.contains(&"Two people familiar with the matter"));
        assert!(texts.contains(&"A senior U.S. State Department official"));
    }
}
