//! Attribution stage: turns each candidate's attributing tokens into a speaker and
//! the news organizations the statement came through.
//!
//! * via: every news agency/outlet named in the attribution ("according to the
//!   Guardian", "told Reuters", "AFP quoted …", "… by AFP", "the state news agency
//!   said" → the last agency mentioned);
//! * speaker: the object of "quoted X as saying" / "citing X", else the subject of
//!   the speech verb (or what follows an inverted "said X"), else a non-news
//!   "according to X". A subject is resolved to a person mention, a pronoun, an
//!   anonymous description, "the <noun>" (the last matching description or
//!   organization: "the official", "the lender"), or an organization;
//! * pronouns: he/she → the last person (gender-compatible when the given name is
//!   known) or singular anonymous source mentioned outside quotes; they → the last
//!   plural anonymous source; it → the last non-news organization. A pronoun speaker
//!   in the same paragraph as the antecedent's own statement inherits its via;
//! * a quote with no attribution of its own keeps the previous statement's speaker.

use std::ops::Range;

use crate::entities::{AnonMention, Entities, Mention, Target, all_caps, anon_np, is_cap_token};
use crate::gazetteer::gazetteer;
use crate::quotes::{Candidate, OUTLET_NOUNS, PARTICIPLE_SPEECH, according_at, is_speech_verb_at, speaker_label};
use crate::segment::Document;
use crate::text::{CharMap, TokKind, collapse_ws, is_capitalized, title_case};
use crate::{OrgKind, Quote};

/// A resolved speaker.
#[derive(Debug, Clone, PartialEq)]
pub enum Speaker {
    /// Nobody named.
    Unknown,
    /// Index into [`Entities::people`].
    Person(usize),
    /// Index into [`Entities::orgs`].
    Org(usize),
    /// Anonymous description.
    Anon {
        /// Text ("a senior U.S. official").
        text: String,
        /// Organization named in it.
        affiliation: Option<usize>,
        /// Plural description.
        plural: bool,
    },
}

/// Replaceable attribution stage.
pub trait Attributor {
    /// Attributes every candidate; may add organizations (e.g. a country implied by a demonym).
    fn attribute(&self, doc: &Document, ents: &mut Entities, cands: Vec<Candidate>) -> Vec<Quote>;
}

/// The rule-based attributor.
pub struct RuleAttribution;

#[derive(Debug, Clone)]
enum Raw {
    None,
    Speaker(Speaker),
    Pronoun(String, usize),
    /// "the lender": head noun, position, the words.
    Nominal(String, usize, String),
    /// "the mayor" with no person of that role named before it: head noun, position,
    /// the words.
    Role(String, usize, String),
}

/// A candidate's index and its frames, among those anchored in one sentence.
type SentenceFrames = (usize, Vec<Range<usize>>);

struct Done {
    speaker: Speaker,
    via: Vec<usize>,
    para: usize,
    /// The statement's first token (its frame's when it has one before the text).
    at: usize,
}

impl Attributor for RuleAttribution {
    fn attribute(&self, doc: &Document, ents: &mut Entities, cands: Vec<Candidate>) -> Vec<Quote> {
        let map = CharMap::new(&doc.body);
        let mut done: Vec<Done> = Vec::new();
        let mut out = Vec::new();
        // Each candidate's frames, by the sentence it is anchored in: a medium named in
        // another statement's frame there ("…, but the leader told VOA that …") is not
        // this statement's.
        let sentence_of = |c: &Candidate| doc.tok_sentence.get(c.anchor).copied();
        let mut frames_in: std::collections::HashMap<usize, Vec<SentenceFrames>> = std::collections::HashMap::new();
        for (ci, c) in cands.iter().enumerate() {
            if let Some(s) = sentence_of(c) {
                frames_in.entry(s).or_default().push((ci, c.frames.clone()));
            }
        }
        for (ci, c) in cands.into_iter().enumerate() {
            // (A sentence of many statements is no news prose: the check is skipped
            // there, so hostile input stays linear.)
            let others: Vec<Range<usize>> = sentence_of(&c)
                .and_then(|s| frames_in.get(&s))
                .filter(|f| f.len() <= 8)
                .into_iter()
                .flatten()
                .filter(|(k, f)| *k != ci && *f != c.frames)
                .flat_map(|(_, f)| f.iter().cloned())
                .collect();
            let mut via: Vec<usize> = Vec::new();
            let mut raw = Raw::None;
            for f in &c.frames {
                let (r, v) = parse_frame(doc, ents, f.clone());
                for o in v {
                    if !via.contains(&o) {
                        via.push(o);
                    }
                }
                if matches!(raw, Raw::None) {
                    raw = r;
                }
            }
            if !c.frames.is_empty() {
                for o in media_via(doc, ents, &c, &others) {
                    if !via.contains(&o) {
                        via.push(o);
                    }
                }
            }
            let mut speaker = Speaker::Unknown;
            match raw {
                Raw::Speaker(s) => speaker = s,
                Raw::Pronoun(p, at) => {
                    if let Some((s, from_para_via)) = resolve_pronoun(doc, ents, &p, at, &done, c.para) {
                        speaker = s;
                        if via.is_empty() {
                            via = from_para_via;
                        }
                    }
                }
                Raw::Nominal(head, at, _)
                    if let Some(pi) = first_description(doc, ents, &head, at)
                        .then(|| bridge_description(doc, ents, &head, at, &done))
                        .flatten() =>
                {
                    speaker = Speaker::Person(pi);
                }
                // "The report said": the report described before ("according to an
                // internal police report …").
                Raw::Nominal(head, _, _)
                    if let Some(earlier) = done.iter().rev().find_map(|d| match &d.speaker {
                        Speaker::Anon { text: t, .. } if is_document(&head) && t.to_lowercase().ends_with(&head) => {
                            Some(d.speaker.clone())
                        }
                        _ => None,
                    }) =>
                {
                    speaker = earlier;
                }
                Raw::Nominal(head, at, text) => match resolve_nominal(doc, ents, &head, at) {
                    Some(Speaker::Org(o)) if ents.orgs.get(o).is_some_and(|x| x.kind.is_news()) => {
                        if !via.contains(&o) {
                            via.push(o);
                        }
                    }
                    Some(s) => speaker = s,
                    None => {
                        // Keep the description ("health ministry"), reusing an earlier one
                        // with the same head noun.
                        let earlier = done.iter().rev().find_map(|d| match &d.speaker {
                            Speaker::Anon { text: t, .. } if t.to_lowercase().ends_with(&head) => {
                                Some(d.speaker.clone())
                            }
                            _ => None,
                        });
                        speaker = earlier.unwrap_or(Speaker::Anon { text, affiliation: None, plural: false });
                    }
                },
                Raw::Role(head, at, text) => {
                    let person = bridge_description(doc, ents, &head, at, &done)
                        .or_else(|| bridge_by_modifier(doc, ents, at, &text, &done))
                        .or_else(|| story_subject(doc, ents, at).filter(|&pi| role_fits_person(ents, pi, &head)));
                    speaker = match person {
                        Some(pi) => Speaker::Person(pi),
                        None => Speaker::Anon { text, affiliation: None, plural: false },
                    };
                }
                Raw::None => {
                    // A quote going on without attribution of its own came the same way
                    // as the one before it (“…,” he told the BBC. “…”).
                    if c.inherit
                        && let Some(prev) = done.last()
                    {
                        speaker = prev.speaker.clone();
                        if via.is_empty() {
                            via = prev.via.clone();
                        }
                    }
                }
            }
            // "The … Communications Minister states that … Minister Marie-Laurence
            // Lassegue commented …": the person the next sentences name with that role.
            if let Speaker::Anon { text, plural: false, .. } = &speaker
                && let Some(pi) = named_next(doc, ents, c.anchor, text)
            {
                speaker = Speaker::Person(pi);
            }
            let quote = build_quote(doc, ents, &map, &c, &speaker, &via);
            let at = c.frames.iter().map(|f| f.start).chain(std::iter::once(c.anchor)).min().unwrap_or(c.anchor);
            done.push(Done { speaker, via, para: c.para, at });
            if let Some(q) = quote {
                out.push(q);
            }
        }
        out
    }
}

fn build_quote(
    doc: &Document,
    ents: &mut Entities,
    map: &CharMap,
    c: &Candidate,
    speaker: &Speaker,
    via: &[usize],
) -> Option<Quote> {
    let texts: Vec<String> = c.pieces.iter().filter_map(|p| doc.body.get(p.clone())).map(collapse_ws).collect();
    if texts.is_empty() {
        return None;
    }
    let text = texts.join(" ");
    let start = map.char_at(c.pieces.first()?.start);
    let end = map.char_at(c.pieces.last()?.end);
    let (name, is_person, aff) = match speaker {
        Speaker::Unknown => (None, false, None),
        Speaker::Person(p) => {
            let rec = ents.people.get(*p)?;
            (Some(rec.name.clone()), true, rec.affiliation)
        }
        Speaker::Org(o) => (ents.orgs.get(*o).map(|x| x.name.clone()), false, Some(*o)),
        Speaker::Anon { text, affiliation, .. } => (Some(text.clone()), false, *affiliation),
    };
    let aff_name = aff.and_then(|o| ents.orgs.get(o)).map(|o| o.name.clone());
    // Implied organizations become visible once something refers to them.
    for o in aff.iter().chain(via.iter()) {
        if let Some(rec) = ents.orgs.get_mut(*o) {
            rec.named = true;
        }
    }
    let (fragments, fragment_spans) = if c.pieces.len() > 1 {
        (texts.clone(), c.pieces.iter().map(|p| (map.char_at(p.start), map.char_at(p.end))).collect())
    } else {
        (Vec::new(), Vec::new())
    };
    Some(Quote {
        text,
        direct: c.direct,
        speaker: name,
        speaker_is_person: is_person,
        speaker_affiliation: aff_name,
        via: via.iter().filter_map(|&o| ents.orgs.get(o)).map(|o| o.name.clone()).collect(),
        start,
        end,
        fragments,
        fragment_spans,
    })
}

/// Words that open a media slot: what follows names where the words were said
/// ("told Wikinews", "tells VOA", "speaking on RTL radio", "in an interview with the
/// state-owned Al-Ahram").
const MEDIA_SLOTS: &[&[&str]] = &[
    &["told"],
    &["tells"],
    &["telling"],
    &["speaking", "to"],
    &["speaking", "on"],
    &["speaking", "with"],
    &["interview", "with"],
    &["interview", "to"],
    &["interview", "on"],
    &["appearing", "on"],
    &["writing", "in"],
];

/// Capitalized words after a media slot that are audiences, not outlets.
const NOT_OUTLETS: &[&str] =
    &["parliament", "congress", "senate", "lawmakers", "reporters", "journalists", "i", "mps", "members", "the"];

/// Outlets named in a media slot of the statement's own sentence, outside its text:
/// an organization there is an outlet (made one when it was of no other kind), and
/// an unknown capitalized name there is a new outlet.
/// Tokens before and after a statement's frames that `media_via` reads.
const MEDIA_WINDOW: usize = 300;

fn media_via(doc: &Document, ents: &mut Entities, c: &Candidate, others: &[Range<usize>]) -> Vec<usize> {
    let g = gazetteer();
    let Some(sentence) = doc.tok_sentence.get(c.anchor).and_then(|&s| doc.sentences.get(s)) else {
        return Vec::new();
    };
    let inside = |t: usize| {
        let b = doc.tokens[t].start;
        c.pieces.iter().any(|p| p.start <= b && b < p.end)
            || doc.in_quote(t)
            || others.iter().any(|f| f.contains(&t) && !c.frames.iter().any(|own| own.contains(&t)))
    };
    let mut out = Vec::new();
    // A window around the statement: news sentences are far shorter, and a hostile
    // one-sentence text must not cost its length once per statement.
    let from = c.frames.iter().map(|f| f.start).chain([c.anchor]).min().unwrap_or(c.anchor);
    let to = c.frames.iter().map(|f| f.end).chain([c.anchor + 1]).max().unwrap_or(c.anchor + 1);
    let window =
        sentence.tokens.start.max(from.saturating_sub(MEDIA_WINDOW))..sentence.tokens.end.min(to + MEDIA_WINDOW);
    let words: Vec<(usize, String)> =
        window.clone().filter(|&t| doc.is_word(t) && !inside(t)).map(|t| (t, doc.word(t).to_lowercase())).collect();
    for k in 0..words.len() {
        let Some(slot) = MEDIA_SLOTS.iter().find(|slot| {
            slot.iter().enumerate().all(|(j, w)| words.get(k + j).is_some_and(|(_, x)| x == w)) && slot.len() > 1
                || slot.len() == 1 && words[k].1 == slot[0]
        }) else {
            continue;
        };
        let mut t = words[k].0 + 1;
        if slot.len() > 1 {
            t = words[k + slot.len() - 1].0 + 1;
        }
        // Determiners and lower-case descriptors ("the local broadcaster", "state-owned").
        let mut steps = 0;
        while t < sentence.tokens.end && doc.is_word(t) && !is_capitalized(doc.word(t)) && steps < 4 {
            let w = doc.word(t).to_lowercase();
            if g.is_speech_verb(&w) || ["that", "he", "she", "they", "it", "on", "in", "by"].contains(&w.as_str()) {
                break;
            }
            t += 1;
            steps += 1;
        }
        if t >= sentence.tokens.end || inside(t) || !doc.is_word(t) || !is_capitalized(doc.word(t)) {
            continue;
        }
        match ents.mention_at(t).map(|m| m.target) {
            Some(Target::Org(o)) => {
                let Some(rec) = ents.orgs.get_mut(o) else { continue };
                if rec.kind == OrgKind::Other && !rec.name.split(' ').any(|x| g.org_suffix(x).is_some()) {
                    rec.kind = OrgKind::NewsOutlet;
                }
                if rec.kind.is_news() && !out.contains(&o) {
                    out.push(o);
                }
            }
            Some(Target::Person(_)) => {}
            None => {
                let mut end = t;
                while end < sentence.tokens.end && doc.is_word(end) && is_capitalized(doc.word(end)) && !inside(end) {
                    end += 1;
                }
                // "Europe 1", "Channel 4".
                if end < sentence.tokens.end && doc.word(end).chars().all(|c| c.is_ascii_digit()) {
                    end += 1;
                }
                // A capitalized modifier of a common noun ("West African leaders") is
                // no outlet; a medium's noun may follow one ("RTL radio").
                let next = doc.word(end).to_lowercase();
                let modifier = doc.is_word(end)
                    && !is_capitalized(doc.word(end))
                    && !["radio", "television", "tv", "newspaper", "daily", "magazine", "news", "channel", "website"]
                        .contains(&next.as_str())
                    && !g.is_speech_verb(&next)
                    && !["that", "on", "in", "by", "about", "over", "last", "this", "after", "before", "when"]
                        .contains(&next.as_str());
                let name = doc.span_text(t..end).to_string();
                let lower = name.to_lowercase();
                let outlet = !modifier
                    && ents.demonym_at(t).is_none()
                    && !g.is_place(&lower)
                    && !NOT_OUTLETS.contains(&lower.as_str())
                    && !g.is_title(doc.word(t))
                    && !g.is_calendar(doc.word(t))
                    && !g.is_given_name(doc.word(t))
                    && ents.people.iter().all(|p| p.name != name && !p.aliases.contains(&name));
                if outlet {
                    let o = ents.add_org(&name, None, OrgKind::NewsOutlet, None);
                    if !out.contains(&o) {
                        out.push(o);
                    }
                }
            }
        }
    }
    out
}

fn news_orgs_in(ents: &Entities, r: Range<usize>) -> Vec<usize> {
    let mut v = Vec::new();
    for m in ents.mentions_in(r) {
        if let Target::Org(o) = m.target
            && ents.orgs.get(o).is_some_and(|x| x.kind.is_news())
            && !v.contains(&o)
        {
            v.push(o);
        }
    }
    v
}

/// A lower-case "-ly" word before a verb ("officially", "publicly"): an adverb.
fn is_adverb(w: &str) -> bool {
    w.len() > 4
        && w.ends_with("ly")
        && w.chars().next().is_some_and(char::is_lowercase)
        && !["only", "family", "ally", "italy"].contains(&w)
}

/// Parses one attribution frame into a raw speaker and the news organizations in it.
fn parse_frame(doc: &Document, ents: &mut Entities, r: Range<usize>) -> (Raw, Vec<usize>) {
    if doc.is_punct(r.end, ':') && speaker_label(doc, r.start..r.end + 2).is_some_and(|l| l == r) {
        return (label_speaker(doc, ents, r), Vec::new());
    }
    // An otherwise unknown organization that is "told" something, or that "reported"
    // it, is a news outlet ("he told New Scientist").
    for i in r.clone() {
        let w = doc.word(i);
        let target = match w {
            "told" => ents
                .mention_at(i + 1)
                .or_else(|| if doc.word(i + 1).eq_ignore_ascii_case("the") { ents.mention_at(i + 2) } else { None }),
            "reported" | "quoted" | "cited" if i > r.start => ents.mention_at(i - 1),
            _ => None,
        };
        if let Some(Target::Org(o)) = target.map(|m| m.target)
            && let Some(rec) = ents.orgs.get_mut(o)
            && rec.kind == OrgKind::Other
            && !rec.name.split(' ').any(|x| gazetteer().org_suffix(x).is_some())
        {
            rec.kind = OrgKind::NewsOutlet;
        }
    }
    let via = news_orgs_in(ents, r.clone());
    let words: Vec<String> = r.clone().map(|i| doc.word(i).to_lowercase()).collect();
    let at = |k: usize| r.start + k;
    // "X quoted Y as saying", "X cited Y as saying": Y.
    // "the Associated Press reports Lassegue as commenting": the same.
    let relay = |w: &str| ["quoted", "quotes", "cited", "cites", "reported", "reports"].contains(&w);
    if let Some(k) = words.iter().position(|w| relay(w)) {
        let passive = k > 0 && ["was", "were", "is", "are", "been", "being"].contains(&words[k - 1].as_str());
        let as_saying = words[k + 1..].iter().position(|w| w == "as").map(|a| a + k + 1).filter(|&a| {
            words.get(a + 1).is_some_and(|w| w.ends_with("ing")) || ["quoted", "cited"].contains(&words[k].as_str())
        });
        if !passive && let Some(a) = as_saying {
            let raw = resolve_np(doc, ents, at(k + 1)..at(a));
            if !matches!(raw, Raw::None) {
                // "The report cited X as saying", "the newspaper quoted X": the outlet
                // the subject refers back to relays it.
                let mut via = via;
                if k > 0
                    && let Raw::Nominal(head, n_at, _) = resolve_np(doc, ents, r.start..at(k))
                    && let Some(Speaker::Org(o)) = resolve_nominal(doc, ents, &head, n_at)
                    && ents.orgs.get(o).is_some_and(|x| x.kind.is_news())
                    && !via.contains(&o)
                {
                    via.push(o);
                }
                return (raw, via);
            }
        }
        // "the mother was quoted as saying": the subject.
        if passive && k >= 2 && words.get(k + 1).is_some_and(|w| w == "as") {
            let raw = resolve_np(doc, ents, r.start..at(k - 1));
            let raw = drop_news(ents, raw);
            if !matches!(raw, Raw::None) {
                return (raw, via);
            }
        }
    }
    // "citing X".
    if let Some(k) = words.iter().position(|w| w == "citing") {
        let raw = resolve_np(doc, ents, at(k + 1)..r.end);
        if !matches!(raw, Raw::None) {
            return (raw, via);
        }
    }
    // "according to X" at the start of the frame.
    let according = according_at(doc, r.start);
    if according {
        let raw = document_description(doc, ents, at(2)..r.end).unwrap_or_else(|| resolve_np(doc, ents, at(2)..r.end));
        let raw = drop_news(ents, raw);
        return (raw, via);
    }
    // Main speech verb.
    // "When asked if …, the coach said": the question is put to the speaker.
    let question = |i: usize| {
        doc.word(i).eq_ignore_ascii_case("asked")
            && (i == r.start
                || ["when", "after", "once", "if", "as"].contains(&doc.word(i - 1).to_lowercase().as_str()))
    };
    let verb = r.clone().find(|&i| is_speech_verb_at(doc, i) && !according_at(doc, i) && !question(i));
    let Some(v) = verb else {
        // A frame without a verb is the subject of a later participle ("X rejected the
        // claims, saying ...").
        let raw = resolve_np(doc, ents, r.clone());
        return (drop_news(ents, raw), via);
    };
    // ", saying they were …": a participle with no subject of its own names nobody
    // (the words after it are the statement, not an inverted subject).
    if PARTICIPLE_SPEECH.contains(&doc.word(v).to_lowercase().as_str()) && (r.start..v).all(|i| !doc.is_word(i)) {
        return (Raw::None, via);
    }
    let mut subj = r.start..v;
    // "The ministry issued a statement saying": the issuer.
    if doc.word(v) == "saying"
        && let Some(k) = (r.start + 1..v).find(|&i| gazetteer().is_issue_verb(doc.word(i)))
    {
        subj = r.start..k;
    }
    // "Mr Warner adjourned the matter and told Cox …", "Several superintendents have
    // since come forward to say": the subject of the first verb.
    if v > r.start + 1 && ["and", "to"].contains(&doc.word(v - 1)) {
        let g = gazetteer();
        if let Some(k) = (r.start + 1..v - 1).find(|&i| {
            let w = doc.word(i);
            doc.is_word(i) && !is_capitalized(w) && (g.is_auxiliary(w) || (w.len() > 4 && w.ends_with("ed")))
        }) {
            subj = r.start..k;
        }
    }
    // Trim adverbs/auxiliaries before the verb.
    while subj.end > subj.start
        && ([
            "reportedly",
            "also",
            "later",
            "has",
            "had",
            "have",
            "was",
            "were",
            "is",
            "are",
            "repeatedly",
            "previously",
            "earlier",
            "again",
            "then",
            "further",
        ]
        .contains(&doc.word(subj.end - 1).to_lowercase().as_str())
            || is_adverb(doc.word(subj.end - 1)))
    {
        subj.end -= 1;
    }
    let mut raw = if subj.is_empty() { Raw::None } else { resolve_np(doc, ents, subj.clone()) };
    // "A BBC spokesman said", "Reuters' Jane Doe said": an outlet inside the subject is
    // whom the speaker works for, not a relay (unless the outlet itself speaks).
    let own_voice = matches!(raw, Raw::Speaker(Speaker::Org(o)) if ents.orgs.get(o).is_some_and(|x| x.kind.is_news()));
    let mut via = via;
    if !subj.is_empty() && !matches!(raw, Raw::None) && !own_voice {
        via.retain(|&o| !ents.mentions_in(subj.clone()).any(|m| m.target == Target::Org(o)));
    }
    if subj.is_empty() || matches!(raw, Raw::None) {
        // Inverted "said Anja Feld, a banking analyst".
        let after = v + 1..r.end;
        if !after.is_empty() {
            let inv = resolve_np(doc, ents, after);
            if !matches!(inv, Raw::None) {
                raw = inv;
            }
        }
    }
    (drop_news(ents, raw), via)
}

/// The person a transcript's speaker label names ("CAMPBELL NEWMAN", "MR NEWMAN"):
/// the person of that name or surname, case aside; else the label as a description.
fn label_speaker(doc: &Document, ents: &Entities, r: Range<usize>) -> Raw {
    let label = collapse_ws(doc.span_text(r)).to_lowercase();
    let last = label.rsplit(' ').next().unwrap_or_default().to_string();
    let forms = |p: &crate::entities::PersonRec| {
        std::iter::once(p.name.to_lowercase()).chain(p.aliases.iter().map(|a| a.to_lowercase())).collect::<Vec<_>>()
    };
    let found = ents.people.iter().position(|p| forms(p).contains(&label)).or_else(|| {
        let by_surname: Vec<usize> = (0..ents.people.len())
            .filter(|&i| forms(&ents.people[i]).iter().any(|f| f.rsplit(' ').next() == Some(last.as_str())))
            .collect();
        (by_surname.len() == 1).then(|| by_surname[0])
    });
    match found {
        Some(pi) => Raw::Speaker(Speaker::Person(pi)),
        None => Raw::Speaker(Speaker::Anon { text: title_case(&label), affiliation: None, plural: false }),
    }
}

/// A document that speaks for its authors ("the report said"): `document-nouns.txt`.
fn is_document(head: &str) -> bool {
    gazetteer().is_document_noun(head)
}

/// "an AFP tally based on …", "an internal police report seen by AFP": a document
/// within the phrase's first words. Its author when an organization names it ("an AFP
/// tally": AFP), else the document as described.
fn document_description(doc: &Document, ents: &Entities, p: Range<usize>) -> Option<Raw> {
    let first = doc.word(p.start).to_lowercase();
    if !["a", "an", "the"].contains(&first.as_str()) {
        return None;
    }
    let h = (p.start + 1..p.end.min(p.start + 5)).find(|&i| is_document(&doc.word(i).to_lowercase()))?;
    if (p.start + 1..h).any(|i| !doc.is_word(i) || gazetteer().is_speech_verb(doc.word(i))) {
        return None;
    }
    if let Some(o) = ents.mentions_in(p.start + 1..h).find_map(|m| match m.target {
        Target::Org(o) if m.tokens.end <= h => Some(o),
        _ => None,
    }) {
        return Some(Raw::Speaker(Speaker::Org(o)));
    }
    if ents.mentions_in(p.start + 1..h).next().is_some() {
        return None;
    }
    // "a report published on Tuesday by the Swiss Academy of Sciences": its author (not
    // one who merely saw it: "a police report seen by AFP").
    let authored = ["published", "released", "issued", "compiled", "prepared", "commissioned", "written", "conducted"];
    if let Some(by) = (h + 1..p.end).find(|&i| doc.word(i) == "by")
        && (by == h + 1 || (h + 1..by).any(|i| authored.contains(&doc.word(i))))
        && let Some(o) = ents.mentions_in(by + 1..p.end).find_map(|m| match m.target {
            Target::Org(o) if m.tokens.start <= by + 2 => Some(o),
            _ => None,
        })
    {
        return Some(Raw::Speaker(Speaker::Org(o)));
    }
    let text = doc.span_text(p.start..h + 1).to_string();
    Some(Raw::Speaker(Speaker::Anon { text, affiliation: None, plural: false }))
}

/// A news organization as subject is a source (via), not a speaker.
fn drop_news(ents: &Entities, raw: Raw) -> Raw {
    match raw {
        Raw::Speaker(Speaker::Org(o)) if ents.orgs.get(o).is_some_and(|x| x.kind.is_news()) => Raw::None,
        other => other,
    }
}

/// Resolves a noun phrase (comma parts tried in order) to a raw speaker.
fn resolve_np(doc: &Document, ents: &mut Entities, r: Range<usize>) -> Raw {
    let g = gazetteer();
    // The sentence's final stop is not part of the phrase ("…," said the officer.).
    let mut r = r;
    while r.end > r.start && doc.tokens.get(r.end - 1).is_some_and(|t| matches!(t.kind, TokKind::Punct(_))) {
        r.end -= 1;
    }
    let mut parts = Vec::new();
    let mut s = r.start;
    for i in r.clone() {
        if doc.is_punct(i, ',') {
            parts.push(s..i);
            s = i + 1;
        }
    }
    parts.push(s..r.end);
    // "Asked whether he was satisfied with the referee, Nichimura Yuchi, the Angolan
    // coach retorted": an opening participle clause, appositives and all, is not the
    // subject; the part before the verb is.
    let opener = parts.first().map(|p| doc.word(p.start).to_lowercase()).unwrap_or_default();
    if parts.len() >= 3
        && (["asked", "pressed", "questioned", "interviewed"].contains(&opener.as_str()) || opener.ends_with("ing"))
        && let Some(last) = parts.last().cloned()
    {
        // "…, Minister Chen Shih-chung (…), who heads the center, said": the subject is
        // before its relative clause.
        let relative = ["who", "which", "whose"].contains(&doc.word(last.start).to_lowercase().as_str());
        parts = vec![if relative { parts[parts.len() - 2].clone() } else { last }];
    }
    // "Asked if Bengaluru FC were better today the coach replied": a question clause
    // with no comma before its subject; the subject is the description ending it.
    for p in parts.iter_mut() {
        let first = doc.word(p.start).to_lowercase();
        if (first == "asked" || first == "when" && doc.word(p.start + 1).eq_ignore_ascii_case("asked"))
            && let Some(d) = (p.start + 2..p.end.saturating_sub(1)).rev().find(|&i| doc.word(i) == "the")
            && (d + 1..p.end).all(|i| doc.is_word(i) && !is_capitalized(doc.word(i)))
            && (g.is_role(doc.word(p.end - 1)) || g.is_anon_head(doc.word(p.end - 1)))
        {
            *p = d..p.end;
        }
    }
    let last_part = parts.last().cloned();
    parts.retain(|p| {
        if p.is_empty() {
            return false;
        }
        let first = doc.word(p.start).to_lowercase();
        // "Addressing Taoiseach Enda Kenny during Leaders' Questions, Mr Martin said": an
        // opening participle clause, capitalized as the sentence's first word.
        if first.len() > 5
            && first.ends_with("ing")
            && Some(p) != last_part.as_ref()
            && ents.mention_at(p.start).is_none()
            && !doc.in_quote(p.start)
        {
            return false;
        }
        // "WHO spokesman …" is the organization, not the pronoun.
        let skip = !all_caps(doc.word(p.start))
            && [
                "in",
                "at",
                "on",
                "during",
                "after",
                "before",
                "who",
                "which",
                "speaking",
                "asking",
                "however",
                "but",
                "and",
                "while",
                "despite",
                "sentencing",
                "when",
                "if",
                "because",
                "although",
                "though",
                "whether",
                "once",
            ]
            .contains(&first.as_str())
            || (first.ends_with("ing") && !is_capitalized(doc.word(p.start)));
        !skip
    });
    // A person anywhere in the phrase ("Its lawyer, Samuel Achebe"), unless only as a
    // possessor ("Pellow's barrister").
    for p in &parts {
        for i in p.clone() {
            if doc.in_quote(i) {
                continue;
            }
            if let Some(m) = ents.mention_at(i)
                && let Target::Person(pi) = m.target
                && !doc.tokens.get(m.tokens.end).is_some_and(|t| t.kind == TokKind::Possessive)
            {
                return Raw::Speaker(Speaker::Person(pi));
            }
        }
    }
    for p in parts {
        let first = doc.word(p.start).to_lowercase();
        // Pronoun.
        if PRONOUN_SET.contains(&first.as_str()) {
            return Raw::Pronoun(first, p.start);
        }
        // "Earlier in the hearing he (had denied …)": an opening adverbial, then the pronoun.
        let last = doc.word(p.end - 1).to_lowercase();
        if p.len() > 1 && PRONOUN_SET.contains(&last.as_str()) && last != "it" {
            return Raw::Pronoun(last, p.end - 1);
        }
        // "the minister", "the Turkish Minister", "Egypt's minister", "the DGP": the
        // person the text named with that role.
        if let Some(pi) = role_anaphor(doc, ents, p.clone()) {
            return Raw::Speaker(Speaker::Person(pi));
        }
        let head = doc.word(p.end - 1).to_lowercase();
        let det = ["the", "its", "their", "his", "her"].contains(&first.as_str());
        let simple = det && p.len() >= 2 && p.len() <= 5 && (p.start + 1..p.end).all(|i| !is_capitalized(doc.word(i)));
        // "the judge", "the coach": the last person with that role.
        if simple && g.is_role(&head) && !g.is_anon_head(&head) {
            let found = ents
                .mentions_before(p.start)
                .filter_map(|m| match m.target {
                    Target::Person(pi) => Some(pi),
                    Target::Org(_) => None,
                })
                .find(|&pi| {
                    ents.people
                        .get(pi)
                        .and_then(|x| x.role.as_ref())
                        .is_some_and(|role| role.to_lowercase().contains(&head))
                });
            if let Some(pi) = found {
                return Raw::Speaker(Speaker::Person(pi));
            }
            // No such person: the description speaks ("the mayor said"), unless it
            // refers back to the person who spoke just before.
            if !g.is_nominal_org_head(&head) {
                let text = doc.span_text(p.clone()).to_string();
                return Raw::Role(head, p.start, text);
            }
        }
        // "the official", "the lender", "their union".
        if simple && (g.is_anon_head(&head) || g.is_nominal_org_head(&head)) {
            let text = doc.span_text(p.start + 1..p.end).to_string();
            return Raw::Nominal(head, p.start, text);
        }
        // A body named by whom it serves ends the phrase ("Prime Minister Benjamin
        // Netanyahu's office"): the body, not the titles before it.
        if let Some(m) = ents.mention_at(p.end - 1)
            && m.tokens.end == p.end
            && m.tokens.len() > 2
            && let Target::Org(o) = m.target
            && doc.tokens.get(p.end - 2).is_some_and(|t| t.kind == TokKind::Possessive)
        {
            return Raw::Speaker(Speaker::Org(o));
        }
        // "The head of the World Health Organization": a person described by a role in
        // an organization is the person the text names with that affiliation and a
        // fitting role nearby; else the description speaks, tied to the organization.
        if let Some((head, o)) = role_in_org(doc, ents, p.clone()) {
            if let Some(pi) = person_in_role(doc, ents, p.start, &head, o) {
                return Raw::Speaker(Speaker::Person(pi));
            }
            let text = doc.span_text(p.clone()).to_string();
            return Raw::Speaker(Speaker::Anon { text, affiliation: Some(o), plural: false });
        }
        // Anonymous description.
        for i in p.clone() {
            // "a police officer": the compound's last noun is its head.
            let compound = i + 1 < p.end && g.is_anon_head(doc.word(i + 1));

            if g.is_anon_head(doc.word(i))
                && !compound
                && let Some(a) = anon_np(doc, ents, i)
            {
                // "The executive declined …, but said": a definite description that may
                // refer back to the person who just spoke.
                let head = doc.word(i).to_lowercase();
                if doc.word(a.tokens.start).eq_ignore_ascii_case("the")
                    && a.tokens.len() <= 4
                    && first_description(doc, ents, &head, a.tokens.start)
                {
                    return Raw::Nominal(head, a.tokens.start, a.text);
                }
                let mut aff = a.affiliation;
                if aff.is_none()
                    && let Some(gi) = a.tokens.clone().find_map(|t| ents.demonym_at(t))
                {
                    aff = ents.org_for_gaz(gi);
                }
                return Raw::Speaker(Speaker::Anon { text: a.text, affiliation: aff, plural: a.plural });
            }
        }
        // "Reports said", "state media said", "a local newspaper report said", "social media
        // users said": unnamed reports and media speak as described (a report by a named
        // body is that body's, below).
        let according = p.start >= 2 && doc.word(p.start - 2).eq_ignore_ascii_case("according") && first != "state";
        if ["report", "reports", "media", "users"].contains(&head.as_str())
            && p.len() <= 6
            && !det
            && !according
            && !doc.in_quote(p.start)
            && ents.mentions_in(p.clone()).next().is_none()
            && (p.start..p.end - 1).all(|i| doc.is_word(i) && !g.is_speech_verb(doc.word(i)))
        {
            let text = doc.span_text(p.clone()).to_string();
            return Raw::Speaker(Speaker::Anon { text, affiliation: None, plural: head.ends_with('s') });
        }
        // "Several superintendents", "a lawyer": an indefinite description by a role.
        let indefinite =
            ["a", "an", "one", "another", "several", "some", "many", "two", "three", "four", "five", "few", "most"]
                .contains(&first.as_str());
        let singular = head.strip_suffix('s').filter(|h| g.is_role(h));
        // "a news magazine reported": an outlet the text does not name.
        let outlet_noun = OUTLET_NOUNS.contains(&head.as_str());
        if indefinite
            && p.len() <= 5
            && (g.is_role(&head) || singular.is_some() || outlet_noun)
            && !g.is_function_word(&head)
        {
            let text = doc.span_text(p.clone()).to_string();
            let affiliation = ents.first_org_in(p.clone());
            return Raw::Speaker(Speaker::Anon { text, affiliation, plural: singular.is_some() });
        }
        // An unnamed body described by its country or kind ("French foreign ministry",
        // "the Turkish government"): the description speaks, tied to the country.
        if p.len() <= 5
            && g.is_nominal_org_head(&head)
            && p.clone().all(|i| doc.is_word(i) && !g.is_speech_verb(doc.word(i)))
            && ents.mentions_in(p.clone()).next().is_none()
        {
            let affiliation = p.clone().find_map(|t| ents.demonym_at(t)).and_then(|gi| ents.org_for_gaz(gi));
            let text = doc.span_text(p.clone()).to_string();
            return Raw::Speaker(Speaker::Anon { text, affiliation, plural: false });
        }
        // Organization ("the Premier League side" is another organization of the kind "side").
        for i in p.clone() {
            if let Some(m) = ents.mention_at(i)
                && let Target::Org(o) = m.target
                && !is_modifier_compound(doc, m)
            {
                let after = doc.word(m.tokens.end).to_lowercase();
                // "Nigeria's main opposition party": a description tied to the possessor.
                if doc.tokens.get(m.tokens.end).is_some_and(|t| t.kind == TokKind::Possessive)
                    && m.tokens.end + 1 < p.end
                    && !is_capitalized(doc.word(m.tokens.end + 1))
                {
                    let text = doc.span_text(p.clone()).to_string();
                    return Raw::Speaker(Speaker::Anon { text, affiliation: Some(o), plural: false });
                }
                if m.tokens.end < p.end && g.is_nominal_org_head(&after) && first == "the" {
                    let text = doc.span_text(p.start + 1..p.end).to_string();
                    return Raw::Nominal(after, p.start, text);
                }
                return Raw::Speaker(Speaker::Org(o));
            }
        }
    }
    Raw::None
}

/// "the U.S.-based SITE Intelligence Group", "a Kremlin-backed militia": a name that
/// only qualifies what follows it.
fn is_modifier_compound(doc: &Document, m: &Mention) -> bool {
    let Some(end) = m.tokens.end.checked_sub(1).and_then(|t| doc.tokens.get(t)).map(|t| t.end) else {
        return false;
    };
    let rest = doc.body.get(end..).unwrap_or_default();
    let rest = rest.strip_prefix(['-', '‐', '–']).unwrap_or("");
    ["based", "backed", "led", "owned", "funded", "run", "born", "allied", "aligned", "controlled", "linked"]
        .iter()
        .any(|w| rest.starts_with(w) && !rest[w.len()..].starts_with(|c: char| c.is_alphanumeric()))
}

/// "the head of the World Health Organization", "a chief of the army", "the director
/// at Acme Corp": a singular role noun right after the determiner, then `of`, `for` or
/// `at` and an organization ending the phrase. Gives the role noun and the organization.
fn role_in_org(doc: &Document, ents: &Entities, p: Range<usize>) -> Option<(String, usize)> {
    let g = gazetteer();
    let first = doc.word(p.start).to_lowercase();
    let noun = if ["the", "a", "an"].contains(&first.as_str()) { p.start + 1 } else { p.start };
    let head = doc.word(noun).to_lowercase();
    if !g.is_role(&head) || g.is_anon_head(&head) || is_capitalized(doc.word(noun)) && noun == p.start {
        return None;
    }
    if !["of", "for", "at"].contains(&doc.word(noun + 1).to_lowercase().as_str()) {
        return None;
    }
    let mut at = noun + 2;
    if doc.word(at).eq_ignore_ascii_case("the") {
        at += 1;
    }
    let m = ents.mention_at(at)?;
    match m.target {
        Target::Org(o) if m.tokens.start == at && m.tokens.end == p.end => Some((head, o)),
        _ => None,
    }
}

/// The person who is "the `head` of" organization `o`: the latest person affiliated
/// with it whose role fits the noun, named before `at` (outside quotes), else the first
/// such person named in the next two sentences.
fn person_in_role(doc: &Document, ents: &Entities, at: usize, head: &str, o: usize) -> Option<usize> {
    let fits = |pi: usize| {
        ents.people.get(pi).is_some_and(|p| {
            p.affiliation == Some(o) && p.role.as_deref().is_some_and(|role| gazetteer().role_fits(role, head))
        })
    };
    let person = |m: &Mention| match m.target {
        Target::Person(pi) if !doc.in_quote(m.tokens.start) && fits(pi) => Some(pi),
        _ => None,
    };
    if let Some(pi) = ents.mentions_before(at).find_map(person) {
        return Some(pi);
    }
    mentions_after(doc, ents, at)?.find_map(person)
}

/// The mentions after token `at`, in its sentence and the next two.
fn mentions_after<'e>(doc: &'e Document, ents: &'e Entities, at: usize) -> Option<impl Iterator<Item = &'e Mention>> {
    let here = *doc.tok_sentence.get(at)?;
    let from = ents.mentions.partition_point(|m| m.tokens.start <= at);
    Some(
        ents.mentions[from..]
            .iter()
            .take_while(move |m| doc.tok_sentence.get(m.tokens.start).is_some_and(|&s| s <= here + 2)),
    )
}

/// Initials of a role's capitalized words ("Director General of Police" -> "DGP").
fn role_initials(role: &str) -> String {
    role.split(|c: char| c.is_whitespace() || c == '-')
        .filter_map(|w| w.chars().next().filter(|c| c.is_uppercase()))
        .collect()
}

/// A definite role description ("the minister", "the Turkish Minister", "Egypt's
/// minister", "the DGP") that refers back to a person the text named with that role:
/// the most recent such person mentioned before it, outside quotes.
fn role_anaphor(doc: &Document, ents: &Entities, p: Range<usize>) -> Option<usize> {
    let g = gazetteer();
    if p.len() < 2 || p.len() > 6 {
        return None;
    }
    let head = doc.word(p.end - 1);
    let lower = head.to_lowercase();
    let acronym = all_caps(head) && (2..=6).contains(&head.chars().count());
    if !(g.is_role(&lower) || g.is_title(head) || acronym) || g.is_function_word(head) {
        return None;
    }
    let first = doc.word(p.start).to_lowercase();
    let possessive = p.clone().any(|i| doc.tokens.get(i).is_some_and(|t| t.kind == TokKind::Possessive));
    let definite =
        ["the", "this", "that"].contains(&first.as_str()) || possessive || ents.demonym_at(p.start).is_some();
    if !definite {
        return None;
    }
    // Modifiers only: no verb-like or clause words between the determiner and the head.
    if (p.start + 1..p.end - 1)
        .any(|i| !doc.is_word(i) && !doc.tokens.get(i).is_some_and(|t| t.kind == TokKind::Possessive))
    {
        return None;
    }
    // "The WHO chief": an organization among the modifiers makes a role that only fits
    // the noun ("director general") enough, for a person of that organization.
    let owner = ents.first_org_in(p.start..p.end - 1);
    ents.mentions_before(p.start).filter(|m| !doc.in_quote(m.tokens.start)).find_map(|m| match m.target {
        Target::Person(pi) => {
            let person = ents.people.get(pi)?;
            let role = person.role.as_deref()?;
            let words_match = role.split(|c: char| !c.is_alphanumeric()).any(|w| w.eq_ignore_ascii_case(head));
            let initials_match = acronym && role_initials(role) == head;
            let owned_fit = owner.is_some() && person.affiliation == owner && g.role_fits(role, &lower);
            (words_match || initials_match || owned_fit).then_some(pi)
        }
        Target::Org(_) => None,
    })
}

/// The named person who made the statement just before token `at`, in the same
/// sentence or one of the two before it.
fn recent_speaker(doc: &Document, at: usize, done: &[Done]) -> Option<usize> {
    let last = done.last()?;
    let Speaker::Person(pi) = last.speaker else {
        return None;
    };
    let (here, then) = (*doc.tok_sentence.get(at)?, *doc.tok_sentence.get(last.at)?);
    (then <= here && here - then <= 2).then_some(pi)
}

/// "… said DCP Parwaiz Ahamad. '…,' said the officer.": a definite description met
/// for the first time, right after a named person's statement (in the same or one of the
/// two sentences before), is that person, when their role (if the text gave one) fits the
/// description's noun ([`crate::gazetteer::Gazetteer::role_fits`]).
fn bridge_description(doc: &Document, ents: &Entities, head: &str, at: usize, done: &[Done]) -> Option<usize> {
    let pi = recent_speaker(doc, at, done)?;
    let singular = !head.ends_with('s') || head.ends_with("ss");
    (singular && role_fits_person(ents, pi, head)).then_some(pi)
}

/// "District police officer Mumtaz Zareen … The police chief says": a description
/// sharing a content word with the role of the person who made the statement just
/// before is that person.
fn bridge_by_modifier(doc: &Document, ents: &Entities, at: usize, text: &str, done: &[Done]) -> Option<usize> {
    let pi = recent_speaker(doc, at, done)?;
    let role = ents.people.get(pi)?.role.as_deref()?.to_lowercase();
    let role_words: Vec<&str> = role.split(|c: char| !c.is_alphanumeric()).collect();
    let words: Vec<String> = text.split_whitespace().map(str::to_lowercase).collect();
    let modifiers = &words[..words.len().saturating_sub(1)];
    let g = gazetteer();
    modifiers.iter().any(|w| w.len() > 3 && !g.is_function_word(w) && role_words.contains(&w.as_str())).then_some(pi)
}

/// A singular role description, not indefinite ("The Haitian government Communications
/// Minister") made explicit by the next two sentences: the person they name whose role
/// or title ends with the same word ("Minister Marie-Laurence Jocelyn Lassegue").
fn named_next(doc: &Document, ents: &Entities, at: usize, text: &str) -> Option<usize> {
    let g = gazetteer();
    let first = text.split_whitespace().next()?.to_lowercase();
    let head = text.split_whitespace().last()?.to_lowercase();
    if ["a", "an", "one", "two", "some"].contains(&first.as_str()) || !(g.is_role(&head) || g.is_title(&head)) {
        return None;
    }
    mentions_after(doc, ents, at)?.filter(|m| !doc.in_quote(m.tokens.start)).find_map(|m| match m.target {
        Target::Person(pi) => {
            let role = ents.people.get(pi)?.role.as_deref()?.to_lowercase();
            role.split_whitespace().last().is_some_and(|w| w == head).then_some(pi)
        }
        Target::Org(_) => None,
    })
}

/// Whether person `pi` can be "the `head`": no role given, or one that fits.
fn role_fits_person(ents: &Entities, pi: usize, head: &str) -> bool {
    ents.people.get(pi).is_some_and(|p| p.role.as_deref().is_none_or(|role| gazetteer().role_fits(role, head)))
}

/// The person a story is about: named at least twice before `at` (outside
/// quotes), at least twice as often as anyone else. "A BBC presenter who admitted …
/// Ray Gosling, 71, … the presenter told the court" is that person.
fn story_subject(doc: &Document, ents: &Entities, at: usize) -> Option<usize> {
    let mut counts = vec![0usize; ents.people.len()];
    for m in ents.mentions_before(at).filter(|m| !doc.in_quote(m.tokens.start)) {
        if let Target::Person(pi) = m.target
            && let Some(c) = counts.get_mut(pi)
        {
            *c += 1;
        }
    }
    let (best, &n) = counts.iter().enumerate().max_by_key(|(_, c)| **c)?;
    let second = counts.iter().enumerate().filter(|(i, _)| *i != best).map(|(_, c)| *c).max().unwrap_or(0);
    (n >= 2 && n >= 2 * second).then_some(best)
}

const PRONOUN_SET: &[&str] = &["he", "she", "they", "it"];

/// Whether the mention starting at `start` is the object of a preposition ("to the
/// officer", "with Hui"), which a later pronoun subject rarely refers to.
fn pp_object(doc: &Document, start: usize) -> bool {
    let mut i = start;
    while i > 0 && ["the", "a", "an", "his", "her", "its", "their"].contains(&doc.word(i - 1).to_lowercase().as_str()) {
        i -= 1;
    }
    i > 0
        && ["to", "with", "from", "by", "for", "at", "against", "about", "on", "of", "into", "toward", "towards"]
            .contains(&doc.word(i - 1).to_lowercase().as_str())
}

fn resolve_pronoun(
    doc: &Document,
    ents: &Entities,
    pronoun: &str,
    at: usize,
    done: &[Done],
    para: usize,
) -> Option<(Speaker, Vec<usize>)> {
    let mut best: Option<(usize, Speaker)> = None;
    let mut consider = |pos: usize, s: Speaker| {
        if pos < at && best.as_ref().is_none_or(|(b, _)| pos >= *b) {
            best = Some((pos, s));
        }
    };
    let anon_to = ents.anon.partition_point(|a| a.tokens.start < at);
    let anon_before = || ents.anon[..anon_to].iter().rev().filter(|a| !doc.in_quote(a.tokens.start));
    match pronoun {
        "he" | "she" => {
            let want_female = pronoun == "she";
            let mut found: Vec<(usize, Speaker)> = ents
                .mentions_before(at)
                .take(300)
                .filter(|m| !doc.in_quote(m.tokens.start))
                .filter_map(|m| match m.target {
                    Target::Person(p)
                        if ents.people.get(p).is_some_and(|x| x.female.is_none_or(|f| f == want_female)) =>
                    {
                        Some((m.tokens.start, Speaker::Person(p)))
                    }
                    _ => None,
                })
                .collect();
            for a in anon_before().filter(|a| !a.plural).take(50) {
                // A description that titles a name ("District police officer Mumtaz
                // Zareen", "the minister, Mofid Shehab,", "Agriculture Minister of Russia
                // Alexander Tkachev") is that person.
                let mut titled = None;
                let mut t = a.tokens.end;
                while t < a.tokens.end + 6 && (doc.is_punct(t, ',') || doc.word(t) == "of" || is_cap_token(doc, t)) {
                    if let Some(m) = ents.mention_at(t) {
                        if let Target::Person(pi) = m.target
                            && m.tokens.start == t
                        {
                            titled = Some(pi);
                        }
                        if !matches!(m.target, Target::Org(_)) {
                            break;
                        }
                    }
                    if doc.is_punct(t, ',') && t > a.tokens.end {
                        break;
                    }
                    t += 1;
                }
                // "the Minister" is the minister the text named, when it named one.
                // "The Brazilian conservative leader … he stressed": a definite role
                // description of the person the story is about.
                let definite = doc.word(a.tokens.start).eq_ignore_ascii_case("the")
                    && ents.mentions_in(a.tokens.clone()).next().is_none();
                let subject = || {
                    definite
                        .then(|| story_subject(doc, ents, a.tokens.start))
                        .flatten()
                        .filter(|&pi| role_fits_person(ents, pi, &a.head))
                };
                let s = match titled.or_else(|| role_anaphor(doc, ents, a.tokens.clone())).or_else(subject) {
                    Some(pi) => Speaker::Person(pi),
                    None => Speaker::Anon { text: a.text.clone(), affiliation: a.affiliation, plural: false },
                };
                found.push((a.tokens.start, s));
            }
            // The speaker of an earlier statement counts where its statement starts ("The
            // DGP said that … '…,' he said": the DGP, whom the text named).
            if let Some(d) = done.iter().rev().find(|d| d.at < at) {
                let gender_ok = match &d.speaker {
                    Speaker::Person(p) => {
                        ents.people.get(*p).is_some_and(|x| x.female.is_none_or(|f| f == want_female))
                    }
                    // A report is "it", never "he".
                    Speaker::Anon { plural, text, .. } => {
                        !plural && !text.rsplit(' ').next().is_some_and(|w| is_document(&w.to_lowercase()))
                    }
                    _ => false,
                };
                if gender_ok {
                    // The description that opened that statement is whom it named ("A
                    // spokesman for X, George Sibotshiwe, says …").
                    if matches!(d.speaker, Speaker::Person(_)) {
                        found.retain(|(pos, s)| !(*pos == d.at && matches!(s, Speaker::Anon { .. })));
                    }
                    found.push((d.at, d.speaker.clone()));
                }
            }
            // Subjects before objects of prepositions ("Hui apologised. He said he would
            // apologise to the officer. 'I …,' he said": Hui, not the officer).
            if found.iter().any(|(pos, _)| !pp_object(doc, *pos)) {
                found.retain(|(pos, _)| !pp_object(doc, *pos));
            }
            // The latest sentence that has a candidate, and in it the first one: its
            // subject rather than a name in a relative clause or an appositive ("Nada
            // Bakos, a former analyst who tracked Abu Musab, points to … 'We …,' she
            // said": Bakos).
            let sentence = |pos: usize| doc.tok_sentence.get(pos).copied().unwrap_or(0);
            // A sentence whose subject is the same pronoun ("He accused one whip, Jim
            // Dowd, of …") continues the same referent: its names are objects.
            let after_same_pronoun = |pos: usize| {
                doc.sentences
                    .get(sentence(pos))
                    .is_some_and(|s| (s.tokens.start..pos).take(6).any(|i| doc.word(i).eq_ignore_ascii_case(pronoun)))
            };
            if found.iter().any(|(pos, _)| !after_same_pronoun(*pos)) {
                found.retain(|(pos, _)| !after_same_pronoun(*pos));
            }
            if let Some(last) = found.iter().map(|(pos, _)| sentence(*pos)).max()
                && let Some((pos, s)) =
                    found.into_iter().filter(|(pos, _)| sentence(*pos) == last).min_by_key(|(pos, _)| *pos)
            {
                consider(pos, s);
            }
        }
        "they" => {
            if let Some(a) = anon_before().find(|a| a.plural) {
                consider(
                    a.tokens.start,
                    Speaker::Anon { text: a.text.clone(), affiliation: a.affiliation, plural: true },
                );
            }
        }
        _ => {
            // "…, the FDA said in its warning. But it also said …": the organization that
            // made the statement just before, in this sentence or the one before, goes on.
            if let Some(d) = done.last()
                && let Speaker::Org(o) = d.speaker
                && !ents.orgs.get(o).is_some_and(|x| x.kind.is_news())
                && let (Some(&here), Some(&then)) = (doc.tok_sentence.get(at), doc.tok_sentence.get(d.at))
                && then <= here
                && here - then <= 1
            {
                return Some((Speaker::Org(o), Vec::new()));
            }
            // "Der Spiegel, citing security officials, said … It said …": the outlet
            // that relayed the statement just before goes on in its own voice, unless
            // another organization was named since.
            if let Some(d) = done.last()
                && let Some(&o) = d.via.last()
                && ents.orgs.get(o).is_some_and(|x| x.kind.is_news())
                && !matches!(d.speaker, Speaker::Org(_))
                && let (Some(&here), Some(&then)) = (doc.tok_sentence.get(at), doc.tok_sentence.get(d.at))
                && then <= here
                && here - then <= 1
                && !ents.mentions_before(at).take_while(|m| m.tokens.start > d.at).any(|m| {
                    // A country named since is a place, not a speaker.
                    matches!(m.target, Target::Org(x) if x != o && ents.orgs.get(x).is_some_and(|r| r.kind != OrgKind::Government || r.name.contains(' ')))
                })
            {
                return Some((Speaker::Unknown, vec![o]));
            }
            let org = ents.mentions_before(at).filter(|m| !doc.in_quote(m.tokens.start)).find_map(|m| match m.target {
                Target::Org(o)
                    if ents
                        .orgs
                        .get(o)
                        .is_some_and(|x| !x.kind.is_news() && x.kind != OrgKind::Government || x.aliases.len() > 3) =>
                {
                    Some((m.tokens.start, o))
                }
                _ => None,
            });
            if let Some((pos, o)) = org {
                consider(pos, Speaker::Org(o));
            }
        }
    }
    let (_, mut speaker) = best?;
    // An anonymous antecedent "the U.S. officials" takes the earlier full description.
    if let Speaker::Anon { text, .. } = &speaker
        && let Some(prev) = done.iter().rev().find(|d| same_anon(&d.speaker, text))
    {
        speaker = prev.speaker.clone();
    }
    let via =
        done.iter().rev().find(|d| d.para == para && d.speaker == speaker).map(|d| d.via.clone()).unwrap_or_default();
    Some((speaker, via))
}

fn same_anon(s: &Speaker, text: &str) -> bool {
    match s {
        Speaker::Anon { text: t, .. } => {
            let a = strip_det(t);
            let b = strip_det(text);
            a == b
        }
        _ => false,
    }
}

fn strip_det(s: &str) -> String {
    let l = s.to_lowercase();
    for d in ["the ", "a ", "an "] {
        if let Some(r) = l.strip_prefix(d) {
            return r.to_string();
        }
    }
    l
}

/// The last anonymous description with head noun `head` before token `at`, outside quotes.
fn earlier_description<'e>(doc: &Document, ents: &'e Entities, head: &str, at: usize) -> Option<&'e AnonMention> {
    let to = ents.anon.partition_point(|a| a.tokens.start < at);
    ents.anon[..to].iter().rev().find(|a| a.tokens.end <= at && a.head == head && !doc.in_quote(a.tokens.start))
}

/// Whether "the `head`" at `at` is the text's first description of its kind: "the
/// officer" with no officer described before it.
fn first_description(doc: &Document, ents: &Entities, head: &str, at: usize) -> bool {
    doc.word(at).eq_ignore_ascii_case("the")
        && gazetteer().is_anon_head(head)
        && earlier_description(doc, ents, head, at).is_none()
}

fn resolve_nominal(doc: &Document, ents: &Entities, head: &str, at: usize) -> Option<Speaker> {
    let g = gazetteer();
    if g.is_anon_head(head) {
        // The last earlier description with the same head.
        let found = earlier_description(doc, ents, head, at)
            .or_else(|| ents.anon.iter().find(|a| a.tokens.start == at || a.tokens.contains(&at)));
        return found.map(|a| Speaker::Anon { text: a.text.clone(), affiliation: a.affiliation, plural: a.plural });
    }
    let want = |k: OrgKind, name: &str| -> bool {
        let lname = name.to_lowercase();
        match head {
            "lender" | "bank" | "insurer" => k == OrgKind::Company || lname.contains("bank"),
            "company" | "firm" | "carmaker" | "automaker" | "airline" | "retailer" | "startup" => k == OrgKind::Company,
            // A regulator or a government office ("the U.S. Food and Drug Administration …
            // the agency said").
            "agency" => {
                k == OrgKind::NewsAgency
                    || lname.contains("agency")
                    || k == OrgKind::Government
                        && lname.split(' ').count() > 1
                        && lname.rsplit(' ').next().is_some_and(|w| {
                            ["administration", "commission", "bureau", "service", "authority", "office", "board"]
                                .contains(&w)
                        })
            }
            "ministry" | "department" | "government" => k == OrgKind::Government && lname.split(' ').count() > 1,
            "army" | "military" => k == OrgKind::Military,
            "party" => k == OrgKind::PoliticalGroup,
            "club" | "team" | "side" | "outfit" => k == OrgKind::Other,
            "charity" | "watchdog" => k == OrgKind::Other || k == OrgKind::Government,
            "group" => k == OrgKind::Company || k == OrgKind::Other,
            // "the magazine said", "the report said": the outlet the text named.
            "paper" | "network" | "channel" | "station" | "outlet" | "publication" | "report" => k.is_news(),
            other if OUTLET_NOUNS.contains(&other) => k.is_news(),
            other => lname.contains(other),
        }
    };
    let news_agency = head == "agency";
    let sentence = doc.tok_sentence.get(at).copied();
    let mut matching: Vec<(usize, usize)> = ents
        .mentions_before(at)
        .take(400)
        .filter(|m| m.tokens.end <= at && !doc.in_quote(m.tokens.start))
        .filter_map(|m| match m.target {
            Target::Org(o) => ents.orgs.get(o).map(|x| (m.tokens.start, o, x)),
            Target::Person(_) => None,
        })
        .filter(|(_, _, x)| want(x.kind, &x.name) || (news_agency && x.kind.is_news()))
        .map(|(t, o, _)| (t, o))
        .collect();
    matching.reverse();
    // The subject of the same sentence first ("X will cut jobs, the lender said"), else the latest.
    let same = matching.iter().find(|(t, _)| doc.tok_sentence.get(*t).copied() == sentence);
    same.or(matching.last()).map(|&(_, o)| Speaker::Org(o))
}
