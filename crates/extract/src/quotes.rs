//! Quote stage: finds statements and the tokens that attribute them.
//!
//! Direct quotes: every quotation-mark span (continued across paragraphs when a
//! paragraph leaves a quote open and the next one reopens it). A span is a
//! statement when an attribution follows it (`"…," she said` / `"…," said X`) or
//! precedes it in its sentence (`X said: "…"`, `X called it "a lottery"`). A span
//! with neither is merged into the previous quote when it directly follows it in
//! the same paragraph (`"…," he said. "…"`), kept with the previous speaker when it
//! opens a paragraph, kept without speaker when it is long (8+ words, a sentence),
//! and otherwise dropped as a scare quote ("framework for political transition").
//!
//! Reported speech: in sentences without a direct quote, an attribution clause
//! after a comma (`…, the Guardian reported.`, `…, according to AFP.`), in the
//! middle (`The rebels, AFP quoted officials as saying, have …`) or in front
//! (`They opined that …`, `Park said the two sides had …`) marks the rest of the
//! sentence as the reported clause.

use std::collections::HashSet;
use std::ops::Range;

use crate::entities::Entities;
use crate::gazetteer::gazetteer;
use crate::segment::Document;
use crate::text::{TokKind, is_capitalized};

/// A statement found in the body, not yet attributed.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// Direct (quotation marks) or reported speech.
    pub direct: bool,
    /// Byte ranges of the pieces of text, in order.
    pub pieces: Vec<Range<usize>>,
    /// Token ranges that attribute the statement (speaker, verb, sources).
    pub frames: Vec<Range<usize>>,
    /// Token where the statement is anchored (for pronoun resolution).
    pub anchor: usize,
    /// Paragraph index.
    pub para: usize,
    /// No attribution of its own: same speaker as the previous statement.
    pub inherit: bool,
}

/// Replaceable quote stage.
pub trait QuoteFinder {
    /// Finds direct quotes and reported speech in `doc`.
    fn find(&self, doc: &Document, ents: &Entities) -> Vec<Candidate>;
}

/// The rule-based quote finder.
pub struct RuleQuotes;

impl QuoteFinder for RuleQuotes {
    fn find(&self, doc: &Document, ents: &Entities) -> Vec<Candidate> {
        let (mut direct, mut covered, mixed) = direct_quotes(doc);
        let turns = transcript_turns(doc, &mut covered);
        let reported = reported_speech(doc, ents, &covered);
        direct.extend(turns);
        // A quoted fragment inside a reported clause is the clause (mixed speech);
        // where no reported clause holds it, the fragment is kept as a direct quote.
        for m in mixed {
            let inside =
                |c: &Candidate| m.pieces.iter().all(|q| c.pieces.iter().any(|p| p.start <= q.start && q.end <= p.end));
            // A short fragment that no reported clause holds is a term the writer
            // quotes ("described the protests as “limited”"), not a statement.
            let words: usize =
                m.pieces.iter().map(|p| doc.body.get(p.clone()).map_or(0, |t| t.split_whitespace().count())).sum();
            if !reported.iter().any(inside) && words >= 5 {
                direct.push(m);
            }
        }
        direct.extend(reported);
        direct.sort_by_key(|c| (c.pieces.first().map_or(0, |p| p.start), c.anchor));
        direct
    }
}

/// The speaker label opening a paragraph of a broadcast transcript ("CAMPBELL NEWMAN:
/// …"): its name tokens.
pub fn speaker_label(doc: &Document, para: Range<usize>) -> Option<Range<usize>> {
    let colon = para.clone().take(6).find(|&i| doc.is_punct(i, ':'))?;
    let label = para.start..colon;
    let words = label.clone().filter(|&i| doc.is_word(i)).count();
    let caps = label.clone().all(|i| {
        doc.is_word(i) && crate::entities::all_caps(doc.word(i)) || doc.is_punct(i, '-') || doc.is_punct(i, '.')
    });
    ((1..=4).contains(&words) && caps && colon + 1 < para.end).then_some(label)
}

/// The turns of a broadcast transcript ("CAMPBELL NEWMAN: I believe …"), each running
/// to the next label, as direct statements of the labelled speaker. Only turns in the
/// speaker's own voice count (first or second person somewhere in them): a presenter's
/// or reporter's narration ("MARK COLVIN: The Premier is insisting …") is reporting,
/// searched for reported speech as any other text. A text needs two labelled
/// paragraphs to be a transcript (a lone "NOTE:" is not). The turns' tokens are added
/// to `covered`.
fn transcript_turns(doc: &Document, covered: &mut HashSet<usize>) -> Vec<Candidate> {
    let labels: Vec<(usize, Range<usize>)> = doc
        .paragraphs
        .iter()
        .enumerate()
        .filter_map(|(pi, p)| speaker_label(doc, p.clone()).map(|l| (pi, l)))
        .collect();
    if labels.len() < 2 {
        return Vec::new();
    }
    let own_voice = |r: Range<usize>| {
        r.filter(|&i| doc.is_word(i) && !doc.in_quote(i)).any(|i| {
            ["i", "i'm", "i’m", "we", "we're", "we’re", "my", "our", "me", "us", "you", "your"]
                .contains(&doc.word(i).to_lowercase().as_str())
        })
    };
    let mut out = Vec::new();
    for (k, (pi, label)) in labels.iter().enumerate() {
        let next = labels.get(k + 1).map_or(doc.paragraphs.len(), |(n, _)| *n);
        let body_start = label.end + 1;
        let paras: Vec<Range<usize>> = (*pi..next)
            .filter_map(|q| doc.paragraphs.get(q).cloned())
            .map(|p| if p.start == label.start { body_start..p.end } else { p })
            .filter(|p| !p.is_empty())
            .collect();
        // A turn ends where an unlabelled paragraph is plainly narration again.
        let mut turn: Vec<Range<usize>> = Vec::new();
        for p in paras {
            if !turn.is_empty() && !own_voice(p.clone()) && p.clone().any(|i| is_speech_verb_at(doc, i)) {
                break;
            }
            turn.push(p);
        }
        if !turn.iter().any(|p| own_voice(p.clone())) {
            continue;
        }
        let pieces: Vec<Range<usize>> = turn.iter().filter_map(|p| doc.byte_range(p.clone())).collect();
        if pieces.is_empty() {
            continue;
        }
        for p in &turn {
            covered.extend(p.clone());
        }
        out.push(Candidate {
            direct: true,
            pieces,
            frames: vec![label.clone()],
            anchor: body_start,
            para: *pi,
            inherit: false,
        });
    }
    out
}

/// Whether token `i` opens "according to" or "as per" (either case).
pub fn according_at(doc: &Document, i: usize) -> bool {
    let w = doc.word(i);
    (w.eq_ignore_ascii_case("according") && doc.word(i + 1) == "to")
        || (w.eq_ignore_ascii_case("as") && doc.word(i + 1) == "per")
}

/// Whether token `i` is a speech verb used as a verb ("said", "according to", "as per",
/// "quoted").
pub fn is_speech_verb_at(doc: &Document, i: usize) -> bool {
    let g = gazetteer();
    if !doc.is_word(i) {
        return false;
    }
    let w = doc.word(i);
    if according_at(doc, i) {
        return true;
    }
    if is_capitalized(w) {
        return false;
    }
    if w.eq_ignore_ascii_case("according") || w.eq_ignore_ascii_case("as") {
        return false;
    }
    if w == "quoted" {
        return true;
    }
    // "cited Hollande as saying".
    if w == "cited" {
        return (i + 2..i + 10).any(|k| doc.word(k) == "saying" && doc.word(k - 1) == "as");
    }
    if !g.is_speech_verb(w) {
        return false;
    }
    // "the reports", "a call", "over claims", "amid reports": nouns.
    let prev = doc.word(i.wrapping_sub(1)).to_lowercase();
    let preposition = ["over", "of", "amid", "despite", "about", "following", "against", "from", "on", "with", "by"]
        .contains(&prev.as_str())
        && !w.ends_with("ing")
        && !w.ends_with("ed");
    // "Gulf Arab states must quash", "the claims were": a plural noun before a verb.
    let next = doc.word(i + 1).to_lowercase();
    let noun_before_verb = w.ends_with('s')
        && [
            "must", "will", "would", "can", "could", "should", "may", "might", "have", "had", "are", "were", "do",
            "did", "shall",
        ]
        .contains(&next.as_str());
    !preposition
        && !noun_before_verb
        && !["the", "a", "an", "his", "her", "its", "their", "these", "those", "such", "news", "media"]
            .contains(&prev.as_str())
}

fn word_count(doc: &Document, r: Range<usize>) -> usize {
    r.filter(|&i| doc.is_word(i)).count()
}

const AFTER_REJECT: &[&str] = &[
    "which", "who", "that", "as", "and", "but", "while", "when", "if", "because", "although", "so", "then", "to",
    "for", "with", "in", "on", "at", "of", "where", "or", "is", "was", "were", "are", "has", "have", "had", "will",
    "would", "could", "should", "can", "may",
];

/// After-frame `"…," X said` / `"…," said X`: the speech verb comes within the first
/// few words and nothing clause-like precedes it.
fn after_frame_attributes(doc: &Document, r: Range<usize>) -> bool {
    let mut s = r.start;
    while s < r.end && (doc.is_punct(s, ',') || doc.is_punct(s, '—') || doc.is_punct(s, '-')) {
        s += 1;
    }
    if s >= r.end {
        return false;
    }
    if AFTER_REJECT.contains(&doc.word(s).to_lowercase().as_str()) && !is_speech_verb_at(doc, s) {
        return false;
    }
    // "… as “limited”, saying they were …": a participle opens the next statement of the
    // sentence's subject; it does not attribute the marks before it.
    if PARTICIPLE_SPEECH.contains(&doc.word(s).to_lowercase().as_str()) {
        return false;
    }
    if (s..r.end.min(s + 14)).any(|i| is_speech_verb_at(doc, i)) {
        return true;
    }
    // "Faith Atiti, an analyst at Nairobi-based NIC Securities Ltd. (NICB), said …": a
    // name, a long appositive between commas, then the verb.
    let name_end = (s..r.end.min(s + 5)).take_while(|&i| is_capitalized(doc.word(i))).last().map(|i| i + 1);
    let Some(comma) = name_end.filter(|&e| e > s && doc.is_punct(e, ',')) else {
        return false;
    };
    let Some(close) = (comma + 1..r.end.min(comma + 24)).find(|&i| doc.is_punct(i, ',')) else {
        return false;
    };
    (close + 1..r.end.min(close + 4)).any(|i| is_speech_verb_at(doc, i))
}

fn before_frame_attributes(doc: &Document, r: Range<usize>) -> bool {
    if r.clone().any(|i| is_speech_verb_at(doc, i)) {
        return true;
    }
    // "Mr Hellman continued:", "The statement read:": a short subject and verb before
    // a colon.
    let words: Vec<usize> = r.clone().filter(|&i| doc.is_word(i)).collect();
    let Some(&verb) = words.last() else {
        return false;
    };
    let v = doc.word(verb);
    r.end > r.start
        && doc.is_punct(r.end - 1, ':')
        && verb + 2 == r.end
        && (2..=8).contains(&words.len())
        && !is_capitalized(v)
        && (v.ends_with("ed") || v.ends_with('s') || ["read", "wrote", "put"].contains(&v))
        && (is_capitalized(doc.word(words[0])) || PRONOUNS.contains(&doc.word(words[0]).to_lowercase().as_str()))
}

fn inner_bytes(doc: &Document, r: Range<usize>) -> Option<Range<usize>> {
    let mut r = r;
    while r.start < r.end && doc.is_quote_mark(r.start) {
        r.start += 1;
    }
    doc.byte_range(r)
}

/// Whether a before-frame puts words of the reported clause between its speech verb
/// and the quotation mark (`said the deal was "reckless"`): the quote is a fragment of
/// mixed speech. `said "…"`, `said that "…"` and `said: "…"` are not.
fn fragment_of_clause(doc: &Document, before: Range<usize>) -> bool {
    let Some(v) = before.clone().rev().find(|&i| is_speech_verb_at(doc, i)) else {
        return false;
    };
    let mut i = v + 1;
    if according_at(doc, v) {
        return false;
    }
    while i < before.end && (!doc.is_word(i) || doc.word(i).eq_ignore_ascii_case("that")) {
        if doc.is_punct(i, ':') {
            return false;
        }
        i += 1;
    }
    let words = (i..before.end).filter(|&t| doc.is_word(t)).count();
    words >= 1 && !(i..before.end).any(|t| doc.is_punct(t, ':') || doc.is_punct(t, '.'))
}

/// Direct quotes, the set of tokens they (and their marks) cover, and the quoted
/// fragments of mixed speech (left uncovered for `reported_speech`).
fn direct_quotes(doc: &Document) -> (Vec<Candidate>, HashSet<usize>, Vec<Candidate>) {
    let mut mixed: Vec<Candidate> = Vec::new();
    let mut out: Vec<Candidate> = Vec::new();
    let mut covered = HashSet::new();
    // Index of the last accepted direct candidate and the end of its last piece's after-frame.
    let mut last: Option<(usize, usize)> = None;
    for (qi, q) in doc.quotes.iter().enumerate() {
        if q.continues {
            continue;
        }
        let mut chain = vec![qi];
        let mut cur = q.continued_by;
        while let Some(n) = cur {
            if chain.contains(&n) {
                break;
            }
            chain.push(n);
            cur = doc.quotes.get(n).and_then(|s| s.continued_by);
        }
        let mut pieces = Vec::new();
        let mut words = 0;
        let mut after_attr: Option<Range<usize>> = None;
        let mut after_end = 0;
        let mut clause_inside = false;
        for &ci in &chain {
            let span = &doc.quotes[ci];
            let inner = span.inner(doc);
            words += word_count(doc, inner.clone());
            clause_inside |= has_clause(doc, inner.clone());
            if let Some(b) = inner_bytes(doc, inner) {
                pieces.push(b);
            }
            if let Some(c) = span.close {
                let sent_end = doc.sentences.get(doc.tok_sentence[c]).map_or(c + 1, |s| s.tokens.end);
                let next_open = doc.quotes.get(ci + 1).filter(|n| n.para == span.para).map_or(usize::MAX, |n| n.open);
                let end = sent_end.min(next_open).max(c + 1);
                after_end = end;
                if after_attr.is_none() && after_frame_attributes(doc, c + 1..end) {
                    after_attr = Some(c + 1..end);
                }
            }
        }
        if pieces.is_empty() || words == 0 {
            continue;
        }
        let open = q.open;
        let sent_start =
            doc.sentences.get(doc.tok_sentence[open]).map_or(open, |s| s.tokens.start).max(doc.lead_end.min(open));
        let prev_close = if qi > 0 { doc.quotes[qi - 1].close.filter(|&c| c >= sent_start && c < open) } else { None };
        let before = prev_close.map_or(sent_start, |c| c + 1)..open;
        let before_attr = before_frame_attributes(doc, before.clone());
        // "X described the protests as “limited”, saying they were “…”": a frame that
        // is only a participle speaks for the sentence's subject, named before the
        // earlier marks.
        let before_frames = {
            let first = (before.start..before.end).find(|&t| doc.is_word(t));
            let participle = first.is_some_and(|t| PARTICIPLE_SPEECH.contains(&doc.word(t).to_lowercase().as_str()));
            let subject_end = (sent_start..before.start)
                .find(|&t| doc.is_quote_mark(t) || doc.is_punct(t, ','))
                .unwrap_or(before.start);
            if participle && prev_close.is_some() && subject_end > sent_start {
                vec![before.clone(), sent_start..subject_end]
            } else {
                vec![before.clone()]
            }
        };
        let last_tok = chain.last().and_then(|&ci| doc.quotes[ci].close).unwrap_or_else(|| {
            doc.paragraphs.get(doc.quotes[*chain.last().unwrap_or(&qi)].para).map_or(open, |p| p.end.saturating_sub(1))
        });
        // A statement of these marks: its candidate, the tokens it covers, and
        // where a later quote may go on from it.
        let accept = |out: &mut Vec<Candidate>, covered: &mut HashSet<usize>, c: Candidate, resume: usize| {
            out.push(c);
            covered.extend(open..=last_tok);
            Some((out.len() - 1, resume))
        };
        let quoted = |pieces: Vec<Range<usize>>, frames: Vec<Range<usize>>, inherit: bool| Candidate {
            direct: true,
            pieces,
            frames,
            anchor: open,
            para: q.para,
            inherit,
        };
        // "The trio's images had been “captured by CCTV and circulated,” it said.": the
        // marks hold the end of a clause the sentence began; the whole clause is the
        // (mixed, not direct) statement.
        if let Some(fr) = after_attr.clone()
            && chain.len() == 1
            && prev_close.is_none()
            && !before_attr
            && open > before.start
            && doc.is_word(open - 1)
            && (doc.is_punct(last_tok.saturating_sub(1), ',') || doc.is_punct(last_tok + 1, ','))
            && word_count(doc, before.clone()) >= 2
            && !before.clone().any(|t| doc.is_quote_mark(t) || doc.is_punct(t, ':') || is_speech_verb_at(doc, t))
            && let Some(clause) = doc.byte_range(before.start..last_tok + 1)
        {
            let mixed_clause = Candidate {
                direct: false,
                pieces: vec![clause],
                frames: vec![fr],
                anchor: open,
                para: q.para,
                inherit: false,
            };
            last = accept(&mut out, &mut covered, mixed_clause, after_end);
            covered.extend(before.clone());
            continue;
        }
        if let Some(fr) = after_attr {
            // The after-frame decides the speaker when it names one; a
            // before-frame still counts when the after-frame only names a
            // source (`X said that "…", according to AFP`).
            let frames = if before_attr && words >= 2 { vec![fr, before] } else { vec![fr] };
            last = accept(&mut out, &mut covered, quoted(pieces, frames, false), after_end);
            continue;
        }
        if before_attr && fragment_of_clause(doc, before.clone()) {
            // A short phrase in marks inside a frame is a term the speaker used, not a
            // statement ("called the story \"desperate\"", "slammed the \"idiot\"").
            if words < 5 && !clause_inside {
                continue;
            }
            mixed.push(quoted(pieces, before_frames, false));
            continue;
        }
        if before_attr && (words >= 5 || words >= 2 && clause_inside) {
            last = accept(&mut out, &mut covered, quoted(pieces, before_frames, false), after_end.max(last_tok + 1));
            continue;
        }
        // "HHS Secretary Alex Azar issued the following statement:" closing the paragraph
        // before: that sentence is the frame.
        let para_start = doc.paragraphs.get(q.para).is_some_and(|p| p.start == open);
        if para_start
            && words >= 3
            && open > 0
            && doc.is_punct(open - 1, ':')
            && let Some(lead_in) = doc.tok_sentence.get(open - 1).and_then(|&s| doc.sentences.get(s))
            && lead_in.tokens.start < open - 1
            && !(lead_in.tokens.start..open - 1).any(|t| doc.is_quote_mark(t))
        {
            let frame = lead_in.tokens.start.max(doc.lead_end)..open - 1;
            if !frame.is_empty() {
                last = accept(&mut out, &mut covered, quoted(pieces, vec![frame], false), after_end.max(last_tok + 1));
                continue;
            }
        }
        // No attribution of its own.
        if let Some((li, lend)) = last
            && let Some(prev) = out.get(li)
            && prev.para == q.para
            && prev.direct
        {
            // Only the previous quote's after-frame (and punctuation) in between.
            let gap_ok = (lend..open).all(|t| !doc.is_word(t));
            if gap_ok
                || sent_start == open
                    && (lend..open)
                        .all(|t| !doc.is_word(t) || doc.tok_sentence[t] == doc.tok_sentence[lend.saturating_sub(1)])
            {
                if let Some(prev) = out.get_mut(li) {
                    prev.pieces.extend(pieces);
                }
                last = Some((li, after_end.max(last_tok + 1)));
                covered.extend(open..=last_tok);
                continue;
            }
        }
        let recent = last.and_then(|(li, _)| out.get(li)).is_some_and(|p| q.para <= p.para + 2);
        if para_start && words >= 3 && recent {
            last = accept(&mut out, &mut covered, quoted(pieces, Vec::new(), true), after_end.max(last_tok + 1));
            continue;
        }
        let sentence_like =
            (open..=last_tok).any(|t| doc.is_punct(t, '.') || doc.is_punct(t, '?') || doc.is_punct(t, '!'));
        if words >= 8 && sentence_like {
            last = accept(&mut out, &mut covered, quoted(pieces, Vec::new(), false), after_end.max(last_tok + 1));
        }
        // Otherwise: a scare quote or a title; not a statement.
    }
    (out, covered, mixed)
}

const TAIL_STARTS: &[&str] = &[
    "citing",
    "asking",
    "speaking",
    "adding",
    "as",
    "while",
    "who",
    "which",
    "according",
    "saying",
    "after",
    "without",
    "giving",
    "because",
    "although",
    "in",
    "on",
    "at",
    "noting",
    "referring",
    "declining",
    "where",
    "when",
    "but",
    "and",
    "though",
    "requesting",
];
const SKIP_BEFORE_VERB: &[&str] = &[
    "reportedly",
    "also",
    "later",
    "has",
    "had",
    "have",
    "repeatedly",
    "previously",
    "earlier",
    "again",
    "once",
    "then",
    "further",
    "separately",
    "publicly",
    "privately",
    "recently",
    "today",
    "yesterday",
    "first",
    "subsequently",
    "initially",
    "had",
    "would",
    "will",
    "was",
    "were",
    "is",
    "are",
    "been",
];
const CONNECTIVES: &[&str] = &[
    "however",
    "but",
    "and",
    "meanwhile",
    "still",
    "yet",
    "also",
    "moreover",
    "furthermore",
    "nevertheless",
    "instead",
    "separately",
    "so",
    "thus",
];
const PREPOSITIONS: &[&str] = &[
    "at",
    "in",
    "on",
    "during",
    "after",
    "before",
    "since",
    "with",
    "for",
    "under",
    "over",
    "by",
    "from",
    "following",
    "amid",
    "unlike",
    "like",
    "as",
    "to",
    "despite",
];
const PRONOUNS: &[&str] = &["he", "she", "they", "it", "we", "i"];

fn split_commas(doc: &Document, r: Range<usize>) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut s = r.start;
    let mut depth = 0i32;
    for i in r.clone() {
        if doc.is_punct(i, '(') {
            depth += 1;
        } else if doc.is_punct(i, ')') {
            depth -= 1;
        } else if depth <= 0 && (doc.is_punct(i, ',') || doc.is_punct(i, ';') || doc.is_punct(i, '—')) {
            out.push(s..i);
            s = i + 1;
        }
    }
    out.push(s..r.end);
    out.retain(|x| !x.is_empty());
    out
}

const SUBJECT_NOUNS: &[&str] = &[
    "union",
    "ministry",
    "company",
    "government",
    "club",
    "side",
    "team",
    "lender",
    "bank",
    "firm",
    "group",
    "agency",
    "court",
    "board",
    "party",
    "army",
    "police",
    "commission",
    "judge",
    "coach",
    "manager",
    "minister",
    "president",
    "statement",
    "report",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "carmaker",
    "airline",
    "regulator",
    "prosecutor",
    "prosecutors",
    "department",
    "council",
    "committee",
];

/// Nouns for an outlet the text does not name ("a news magazine reported"): a
/// subject that names someone, and an anonymous speaker when indefinite.
pub(crate) const OUTLET_NOUNS: &[&str] = &["newspaper", "magazine", "daily", "broadcaster", "website", "tabloid"];

/// Whether `r` can be the subject of a speech verb.
fn plausible_subject(doc: &Document, ents: &Entities, r: Range<usize>) -> bool {
    let g = gazetteer();
    if r.is_empty() || r.len() > 40 {
        return false;
    }
    let parts = split_commas(doc, r.clone());
    let main = parts.first().cloned().unwrap_or(r.clone());
    // Long names count as one word ("the National Institute of Allergy and Infectious
    // Diseases (NIAID) at the National Institutes of Health").
    let length = main.clone().filter(|&i| ents.mention_at(i).is_none_or(|m| m.tokens.start == i)).count();
    if length > 14 {
        return false;
    }
    let first = doc.word(r.start);
    let lf = first.to_lowercase();
    let ok_start = is_capitalized(first)
        || PRONOUNS.contains(&lf.as_str())
        || [
            "the", "a", "an", "two", "three", "several", "some", "many", "one", "its", "his", "her", "their", "most",
            "few",
        ]
        .contains(&lf.as_str())
        || g.is_anon_head(&lf)
        || SUBJECT_NOUNS.contains(&lf.as_str())
        || OUTLET_NOUNS.contains(&lf.as_str())
        || ents.mention_at(r.start).is_some()
        // "senior Labour sources", "local residents": modifiers, then a source noun.
        || r.len() <= 5 && g.is_anon_head(doc.word(r.end - 1));
    if !ok_start {
        return false;
    }
    // No clause inside the subject, except inside commas (appositives).
    let clause = main.clone().any(|i| {
        let w = doc.word(i).to_lowercase();
        (g.is_auxiliary(&w) && !SKIP_BEFORE_VERB.contains(&w.as_str())) || w == "that" || w == "which"
    });
    // "A television presenter who admitted …": a relative clause, not the sentence's.
    if clause || ["who", "whom"].contains(&doc.word(r.end - 1)) {
        return false;
    }
    // The subject must name someone: a mention, a pronoun, an anonymous head or "the X".
    r.clone().any(|i| {
        let w = doc.word(i);
        let lw = w.to_lowercase();
        ents.mention_at(i).is_some()
            || PRONOUNS.contains(&lw.as_str())
            || g.is_anon_head(w)
            || SUBJECT_NOUNS.contains(&lw.as_str())
            || OUTLET_NOUNS.contains(&lw.as_str())
            || (lw == "the" && doc.is_word(i + 1))
            || g.is_role(&lw)
            || is_capitalized(w) && !g.is_function_word(w)
    })
}

/// Where a reported clause starts after the verb at `v` (inside `r`), or `None` when
/// what follows is not a clause.
fn clause_after_verb(doc: &Document, v: usize, r: Range<usize>) -> Option<usize> {
    let g = gazetteer();
    let verb = doc.word(v).to_lowercase();
    let mut s = v + 1;
    // "quoted X as saying (that)", "was quoted as saying", "cited X as saying".
    if verb == "quoted" || verb == "cited" {
        let saying = (s..r.end.min(s + 10)).find(|&i| doc.word(i) == "saying")?;
        s = saying + 1;
        if doc.word(s) == "by" {
            while s < r.end
                && !doc.word(s).eq_ignore_ascii_case("that")
                && s < saying + 6
                && (doc.word(s) == "by" || is_capitalized(doc.word(s)))
            {
                s += 1;
            }
        }
        if doc.word(s).eq_ignore_ascii_case("that") {
            s += 1;
        }
        return (s < r.end).then_some(s);
    }
    // "argued, as a basis for an appeal, that …": a parenthetical between the verb and
    // its "that".
    if doc.is_punct(s, ',')
        && let Some(c) = (s + 1..r.end.min(s + 12)).find(|&i| doc.is_punct(i, ','))
        && doc.word(c + 1) == "that"
        && (s + 1..c).all(|i| doc.is_word(i))
    {
        return (c + 2 < r.end).then_some(c + 2);
    }
    // "that" close by, with only an object or adverbials in between (a longer object
    // after "told": "told tearful friends and families of those inside the building that").
    let reach =
        if ["told", "tells", "tell", "assured", "informed", "reminded"].contains(&verb.as_str()) { 16 } else { 10 };
    if let Some(t) = (s..r.end.min(s + reach))
        .take_while(|&i| {
            let w = doc.word(i);
            (doc.is_word(i) || doc.tokens.get(i).is_some_and(|t| t.kind == TokKind::Possessive))
                && (w == "that"
                    || !(g.is_auxiliary(w)
                        || (w.len() > 4 && w.ends_with("ed") && !is_capitalized(w))
                        // "said the minister told him that …": the embedded frame's "that".
                        || is_speech_verb_at(doc, i) && !["and", "but", "or"].contains(&doc.word(i - 1))))
        })
        .find(|&i| doc.word(i) == "that")
    {
        return (t + 1 < r.end).then_some(t + 1);
    }
    if g.needs_that(&verb) {
        // Zero "that" after a verb that usually takes it only when a full clause
        // plainly follows: a subject, then its verb within a few words ("announced
        // there will be a meeting", "revealed his forces were in control").
        let takes_infinitive =
            ["urged", "urges", "promised", "promises", "pledged", "pledges", "vowed", "vows"].contains(&verb.as_str());
        let mental = ["believes", "believed", "thinks", "expects", "hopes", "feared", "fears"].contains(&verb.as_str());
        let subject_start = doc.is_word(s)
            && [
                "there", "he", "she", "it", "they", "we", "i", "his", "her", "its", "their", "the", "this", "any", "a",
                "an",
            ]
            .contains(&doc.word(s).to_lowercase().as_str());
        // "indicated he wanted to …": a pronoun and a past tense.
        let pronoun_past = PRONOUNS.contains(&doc.word(s).to_lowercase().as_str())
            && doc.word(s + 1).len() > 4
            && doc.word(s + 1).ends_with("ed");
        let verb_soon = pronoun_past
            || (s + 1..r.end.min(s + 6))
                .take_while(|&i| doc.is_word(i))
                .any(|i| g.is_auxiliary(doc.word(i)) || IRREGULAR_PAST.contains(&doc.word(i)));
        if takes_infinitive || mental || !(subject_start && verb_soon) {
            return None;
        }
        return Some(s);
    }
    // Zero "that": skip the object of "told", then short adverbials.
    if verb == "told" || verb == "tells" || verb == "tell" {
        // "told reporters", "told the BBC", "told VOA" (an article only before a name).
        let mut k = s;
        if ["the", "a"].contains(&doc.word(k)) && is_capitalized(doc.word(k + 1)) {
            k += 1;
        }
        if ["reporters", "journalists"].contains(&doc.word(k)) {
            k += 1;
        } else {
            while k < r.end && k < s + 4 && is_capitalized(doc.word(k)) {
                k += 1;
            }
        }
        if k == s {
            return None;
        }
        s = k;
    }
    // "said Tuesday they had …", "said yesterday that …".
    while s < r.end && (g.is_calendar(doc.word(s)) || ["yesterday", "today", "tonight"].contains(&doc.word(s))) {
        s += 1;
    }
    if doc.word(s) == "that" && s > v + 1 {
        s += 1;
    }
    while ["on", "in", "at", "late", "early"].contains(&doc.word(s)) {
        let mut k = s + 1;
        while k < r.end && k < s + 5 && doc.is_word(k) && !g.is_auxiliary(doc.word(k)) {
            let w = doc.word(k);
            k += 1;
            if g.is_calendar(w)
                || [
                    "statement",
                    "interview",
                    "conference",
                    "call",
                    "briefing",
                    "opinion",
                    "week",
                    "weekend",
                    "morning",
                    "evening",
                    "night",
                ]
                .contains(&w)
            {
                break;
            }
        }
        if k == s + 1 {
            break;
        }
        s = k;
    }
    if s >= r.end || !doc.is_word(s) {
        return None;
    }
    let first = doc.word(s).to_lowercase();
    let core_verb = ["say", "says", "said", "added", "adds"].contains(&verb.as_str());
    if ["to", "of", "with", "about", "on", "in", "at", "for", "by", "as"].contains(&first.as_str()) {
        // "said as hosts for the Nations Cup, his team would prepare well": an opening
        // phrase of the clause, closed by a comma, then the clause itself.
        let comma = (s + 1..r.end.min(s + 12)).find(|&i| doc.is_punct(i, ','))?;
        let opening_is_phrase = (s + 1..comma).all(|i| doc.is_word(i) && !g.is_auxiliary(doc.word(i)));
        let after = comma + 1..r.end;
        let subject_follows = doc.is_word(comma + 1) && !PARTICIPLE_SPEECH.contains(&doc.word(comma + 1));
        return (core_verb
            && first != "to"
            && first != "of"
            && opening_is_phrase
            && subject_follows
            && has_clause(doc, after))
        .then_some(s);
    }
    let core = [
        "say", "says", "said", "told", "tells", "added", "adds", "admitted", "insisted", "argued", "warned", "claimed",
        "wrote", "writes",
    ]
    .contains(&verb.as_str());
    let starts_np = [
        "the", "a", "an", "this", "that", "these", "those", "his", "her", "its", "their", "our", "my", "some", "many",
        "most", "all", "no", "every", "he", "she", "it", "they", "we", "i", "you", "there", "current", "new",
    ]
    .contains(&first.as_str())
        || is_capitalized(doc.word(s))
        || first.chars().next().is_some_and(|c| c.is_ascii_digit());
    // The clause must start before the next comma ("acknowledged wrongdoing, but
    // claimed that …" has no clause after "acknowledged").
    let upto =
        (s..r.end).find(|&i| doc.is_punct(i, ',') && ["but", "and", "yet"].contains(&doc.word(i + 1))).unwrap_or(r.end);
    let clause = has_clause(doc, s..upto) || (core && starts_np && word_count(doc, s..r.end) >= 3);
    clause.then_some(s)
}

/// Leading attribution "SUBJ VERB [that] CLAUSE" inside `r`: returns (frame, clause).
fn leading_attribution(doc: &Document, ents: &Entities, r: Range<usize>) -> Option<(Range<usize>, Range<usize>)> {
    let g = gazetteer();
    let start = strip_leading(doc, r.clone()).start;
    for v in start..r.end {
        if !is_speech_verb_at(doc, v) {
            continue;
        }
        let w = doc.word(v).to_lowercase();
        // "Police issued a statement saying they would …": the statement's issuer says
        // the clause after the participle.
        if w == "saying"
            && let Some(c) = issued_statement_saying(doc, start, v, r.clone())
        {
            return Some((start..c, c..r.end));
        }
        if according_at(doc, v) || (!g.is_clause_verb(&w) && w != "quoted" && w != "cited") {
            continue;
        }
        // Subject: strip adverbs/auxiliaries just before the verb.
        let mut e = v;
        let adverb = |w: &str| w.len() > 4 && w.ends_with("ly") && w.chars().next().is_some_and(char::is_lowercase);
        while e > start
            && (SKIP_BEFORE_VERB.contains(&doc.word(e - 1).to_lowercase().as_str()) || adverb(doc.word(e - 1)))
        {
            e -= 1;
        }
        // "on Monday" between subject and verb.
        if e >= start + 2 && doc.word(e - 2) == "on" && g.is_calendar(doc.word(e - 1)) {
            e -= 2;
            while e > start && SKIP_BEFORE_VERB.contains(&doc.word(e - 1).to_lowercase().as_str()) {
                e -= 1;
            }
        }
        if !plausible_subject(doc, ents, start..e) {
            // "Seismologists have counted 70 aftershocks, and say the temblors …", "Mr
            // Warner adjourned the matter and told Cox …": the sentence's subject, when a
            // short one opens it.
            if e > start + 2 && ["and", "but"].contains(&doc.word(e - 1)) {
                let verb_at = (start + 1..e.min(start + 7)).find(|&i| {
                    let w = doc.word(i);
                    ["has", "have", "had", "is", "are", "was", "were", "will", "would"].contains(&w)
                        || (w.len() > 4 && w.ends_with("ed") && !is_capitalized(w))
                });
                if let Some(se) = verb_at
                    && plausible_subject(doc, ents, start..se)
                    && let Some(c) = clause_after_verb(doc, v, r.clone())
                {
                    return Some((start..se, c..r.end));
                }
            }
            return None;
        }
        if let Some(c) = clause_after_verb(doc, v, r.clone()) {
            return Some((start..c, c..r.end));
        }
        // "Hui acknowledged wrongdoing, but claimed that …": the same subject's later
        // speech verb.
        let later = (v + 1..r.end).find(|&k| {
            ["but", "and"].contains(&doc.word(k - 1)) && is_speech_verb_at(doc, k) && g.is_clause_verb(doc.word(k))
        })?;
        let c = clause_after_verb(doc, later, r.clone())?;
        return Some((start..c, c..r.end));
    }
    None
}

/// "X issued a statement saying (that) …": where the clause starts, when the words
/// from `start` to the participle at `v` are a short subject, a verb of issuing and a
/// document.
fn issued_statement_saying(doc: &Document, start: usize, v: usize, r: Range<usize>) -> Option<usize> {
    const DOCUMENTS: &[&str] = &["statement", "communique", "communiqué", "release", "notice", "report", "letter"];
    if v < start + 3 || !DOCUMENTS.contains(&doc.word(v - 1).to_lowercase().as_str()) {
        return None;
    }
    let issue = (start + 1..v - 1).find(|&i| gazetteer().is_issue_verb(doc.word(i)))?;
    // The subject is a short phrase; between the verb and the document only its
    // article and modifiers ("a joint statement", "a press release").
    if issue - start > 6 || v - 1 - issue > 4 || (issue..v).any(|i| !doc.is_word(i)) {
        return None;
    }
    let mut c = v + 1;
    if doc.word(c).eq_ignore_ascii_case("that") {
        c += 1;
    }
    (c < r.end && has_clause(doc, c..r.end)).then_some(c)
}

fn strip_leading(doc: &Document, r: Range<usize>) -> Range<usize> {
    let mut r = r;
    loop {
        let w = doc.word(r.start).to_lowercase();
        if CONNECTIVES.contains(&w.as_str()) && r.len() > 1 {
            r.start += 1;
            if doc.is_punct(r.start, ',') {
                r.start += 1;
            }
            continue;
        }
        // "over 150,000 people": "more than", not a place or time.
        let quantity = ["over", "under", "about", "around"].contains(&w.as_str())
            && doc.word(r.start + 1).chars().next().is_some_and(|c| c.is_ascii_digit());
        if PREPOSITIONS.contains(&w.as_str()) && !quantity {
            // Short prepositional phrase closed by a comma.
            if let Some(c) = (r.start..r.end.min(r.start + 7)).find(|&i| doc.is_punct(i, ','))
                && c + 1 < r.end
            {
                r.start = c + 1;
                continue;
            }
        }
        break;
    }
    r
}

fn is_tail(doc: &Document, seg: &Range<usize>) -> bool {
    let w = doc.word(seg.start).to_lowercase();
    TAIL_STARTS.contains(&w.as_str()) || w.ends_with("ing")
}

/// Trailing or parenthetical attribution segment: "the Guardian reported",
/// "according to AFP", "said a spokesman", "AFP quoted U.S. officials as saying".
fn attribution_segment(doc: &Document, ents: &Entities, seg: Range<usize>) -> bool {
    let g = gazetteer();
    if according_at(doc, seg.start) {
        return seg.len() <= 16;
    }
    if seg.len() > 24 {
        return false;
    }
    // Inverted: "said a spokesman for the ministry".
    if is_speech_verb_at(doc, seg.start) {
        let rest = seg.start + 1..seg.end;
        let names = rest.clone().take(6).any(|i| ents.mention_at(i).is_some() || g.is_anon_head(doc.word(i)));
        return !rest.is_empty() && rest.len() <= 10 && names && !has_clause(doc, rest);
    }
    for v in seg.clone() {
        if !is_speech_verb_at(doc, v) {
            continue;
        }
        let mut e = v;
        while e > seg.start && SKIP_BEFORE_VERB.contains(&doc.word(e - 1).to_lowercase().as_str()) {
            e -= 1;
        }
        if e - seg.start > 9 || !plausible_subject(doc, ents, seg.start..e) {
            return false;
        }
        // What follows the verb must be short: adverbials, the object of "told",
        // "X quoted Y as saying", a source ("by AFP").
        let after = v + 1..seg.end;
        if after.len() > 14
            || after.len() > 8 && has_clause(doc, after.clone())
            || after.clone().any(|i| doc.word(i) == "that")
        {
            return false;
        }
        let verb = doc.word(v).to_lowercase();
        let next = doc.word(v + 1).to_lowercase();
        let adverbial = after.is_empty()
            || ["told", "tells", "quoted", "cited", "wrote"].contains(&verb.as_str())
            || [
                "on",
                "in",
                "at",
                "to",
                "late",
                "early",
                "earlier",
                "later",
                "last",
                "this",
                "yesterday",
                "today",
                "tonight",
                "recently",
                "previously",
                "separately",
                "also",
                "by",
                "after",
                "before",
                "during",
                "as",
                "when",
                "via",
                "publicly",
                "privately",
                "repeatedly",
                "again",
            ]
            .contains(&next.as_str())
            || g.is_calendar(&next);
        return adverbial;
    }
    false
}

fn trim_range(doc: &Document, r: Range<usize>) -> Range<usize> {
    let mut r = r;
    while r.start < r.end && !doc.is_word(r.start) && !doc.is_quote_mark(r.start) && !doc.is_punct(r.start, '(') {
        r.start += 1;
    }
    while r.end > r.start && !doc.is_word(r.end - 1) && !doc.is_quote_mark(r.end - 1) && !doc.is_punct(r.end - 1, ')') {
        r.end -= 1;
    }
    r
}

const IRREGULAR_PAST: &[&str] = &[
    "took",
    "made",
    "went",
    "came",
    "got",
    "gave",
    "saw",
    "found",
    "held",
    "left",
    "lost",
    "won",
    "fell",
    "rose",
    "grew",
    "knew",
    "thought",
    "felt",
    "kept",
    "brought",
    "began",
    "became",
    "ran",
    "paid",
    "sold",
    "sent",
    "spent",
    "built",
    "hit",
    "cut",
    "put",
    "set",
    "led",
    "met",
    "stood",
    "understood",
    "chose",
    "drove",
    "wrote",
    "spoke",
    "broke",
    "forgot",
    "meant",
    "heard",
    "bought",
    "caught",
    "taught",
    "fought",
    "sought",
    "struck",
    "drew",
    "flew",
    "threw",
    "wore",
    "hid",
    "shot",
    "split",
    "spread",
    "quit",
    "beat",
    "bore",
];

/// Whether tokens `r` look like a clause (a finite verb among the first words).
fn has_clause(doc: &Document, r: Range<usize>) -> bool {
    let g = gazetteer();
    let start = r.start;
    r.clone().take(30).any(|i| {
        let w = doc.word(i);
        g.is_auxiliary(w)
            || IRREGULAR_PAST.contains(&w)
            || (i > start && w.len() > 4 && w.ends_with("ed") && !is_capitalized(w))
    })
}

pub(crate) const PARTICIPLE_SPEECH: &[&str] =
    &["saying", "adding", "noting", "arguing", "insisting", "warning", "claiming", "stressing", "explaining"];
const NOT_PARTICIPLES: &[&str] = &[
    "during",
    "including",
    "notwithstanding",
    "regarding",
    "concerning",
    "morning",
    "evening",
    "nothing",
    "something",
    "anything",
    "everything",
    "according",
    "spring",
    "king",
    "thing",
    "building",
    "meeting",
];

fn is_participle(w: &str) -> bool {
    w.len() > 5 && w.ends_with("ing") && !is_capitalized(w) && !NOT_PARTICIPLES.contains(&w)
}

/// A further statement found inside a reported clause: its own frame, or `None`
/// when it continues the same speaker ("…, adding that …").
type Extra = (Option<Range<usize>>, Range<usize>);

/// Cuts a reported clause before a second statement or a participle phrase:
/// "…, but critics say …" (returned as an extra statement with its frame),
/// "…, adding that …" (an extra statement by the same speaker; "… and that …" stays
/// one statement, as annotators of real news write it),
/// "… but noted …", "…, alleging …".
fn cut_content(doc: &Document, ents: &Entities, r: Range<usize>) -> (Range<usize>, Vec<Extra>) {
    let g = gazetteer();
    let mut end = r.end;
    let mut extra = Vec::new();
    for i in r.clone() {
        if i == r.start {
            continue;
        }
        let w = doc.word(i).to_lowercase();
        let after_comma = doc.is_punct(i - 1, ',');
        if after_comma && is_participle(&w) {
            end = i - 1;
            // "…, citing that the probe is still under way": a further statement ("citing
            // X" alone names a source).
            let citing_that = w == "citing" && doc.word(i + 1) == "that";
            if (PARTICIPLE_SPEECH.contains(&w.as_str()) || citing_that)
                && let Some(c) = clause_after_verb(doc, i, i..r.end)
            {
                let (clause, more) = cut_content(doc, ents, c..r.end);
                extra.push((None, clause));
                extra.extend(more);
            }
            break;
        }
        // ", in a written statement", ", in an interview with X", ", on Twitter": where
        // the words were said, not what was said.
        if after_comma && ["in", "on", "via", "during"].contains(&w.as_str()) && i + 10 >= r.end {
            let medium = (i + 1..r.end).any(|k| {
                [
                    "statement",
                    "interview",
                    "post",
                    "tweet",
                    "letter",
                    "email",
                    "e-mail",
                    "release",
                    "briefing",
                    "conference",
                    "video",
                    "speech",
                    "broadcast",
                    "twitter",
                    "facebook",
                    "media",
                ]
                .contains(&doc.word(k).to_lowercase().as_str())
            });
            if medium && !has_clause(doc, i + 1..r.end) {
                end = i - 1;
                break;
            }
        }
        // "… and published a report saying X": X is a further statement.
        if w == "and"
            && let Some(k) = (i + 2..r.end.min(i + 9)).find(|&k| PARTICIPLE_SPEECH.contains(&doc.word(k)))
            && !(i + 1..k).any(|t| doc.is_punct(t, ','))
            && let Some(c) = clause_after_verb(doc, k, k..r.end)
        {
            end = if after_comma { i - 1 } else { i };
            let (clause, more) = cut_content(doc, ents, c..r.end);
            extra.push((None, clause));
            extra.extend(more);
            break;
        }
        // "X said A, but police denied it and the leader told VOA that B": another
        // speaker's statement after the conjunction.
        if after_comma
            && ["but", "while", "whereas"].contains(&w.as_str())
            && let Some((frame, clause)) = std::iter::once(i + 1)
                .chain((i + 2..r.end).filter(|&k| doc.word(k - 1) == "and"))
                .find_map(|k| leading_attribution(doc, ents, k..r.end))
            && !PRONOUNS.contains(&doc.word(frame.start).to_lowercase().as_str())
        {
            end = i - 1;
            let (clause, more) = cut_content(doc, ents, clause);
            extra.push((Some(frame), clause));
            extra.extend(more);
            break;
        }
        // ", although he had …": a concession of the writer's, not the statement.
        if after_comma && w == "although" {
            end = i - 1;
            break;
        }
        // "…, which top military officials already refuted": someone else's answer.
        if after_comma
            && w == "which"
            && (i + 1..r.end).any(|k| {
                ["refuted", "denied", "disputed", "rejected", "dismissed", "contradicted"].contains(&doc.word(k))
            })
        {
            end = i - 1;
            break;
        }
        // "…, after a news magazine reported that …": a later clause with a frame of its own.
        if after_comma
            && ["after", "as", "when", "before"].contains(&w.as_str())
            && let Some((frame, clause)) = leading_attribution(doc, ents, i + 1..r.end)
        {
            end = i - 1;
            extra.push((Some(frame), clause));
            break;
        }
        // "… and hoped that …", "… and have criticized X": a new predicate of the
        // speaker's (a verb of saying or a verb taking "that", after an optional
        // auxiliary) ends the statement.
        if ["but", "and"].contains(&w.as_str()) {
            let mut k = i + 1;
            while ["have", "has", "had", "also", "then", "later"].contains(&doc.word(k).to_lowercase().as_str()) {
                k += 1;
            }
            let verb = doc.word(k);
            let takes_that = verb.ends_with("ed") && !is_capitalized(verb) && doc.word(k + 1) == "that";
            if (k > i + 1 && g.is_frame_only_verb(verb)) || (takes_that && !g.is_clause_verb(verb)) {
                end = if after_comma { i - 1 } else { i };
                break;
            }
        }
        if ["but", "and", "while", "whereas", "though"].contains(&w.as_str()) {
            let next = doc.word(i + 1);
            if is_speech_verb_at(doc, i + 1) && g.is_clause_verb(next) {
                end = if after_comma { i - 1 } else { i };
                // "…, and demanded that Coetzee remove …", "… and argued it was recorded":
                // a further statement.
                let core = ["said", "says", "argued", "claimed", "insisted", "added", "warned", "stressed", "noted"]
                    .contains(&next.to_lowercase().as_str());
                if let Some(c) = clause_after_verb(doc, i + 1, i + 1..r.end)
                    && (core || (i + 2..c).any(|t| doc.word(t) == "that"))
                {
                    let (clause, more) = cut_content(doc, ents, c..r.end);
                    extra.push((None, clause));
                    extra.extend(more);
                }
                break;
            }
            if after_comma && let Some((frame, clause)) = leading_attribution(doc, ents, i + 1..r.end) {
                end = i - 1;
                extra.push((Some(frame), clause));
                break;
            }
        }
    }
    (r.start..end, extra)
}

fn reported_speech(doc: &Document, ents: &Entities, covered: &HashSet<usize>) -> Vec<Candidate> {
    let mut out = Vec::new();
    for sent in &doc.sentences {
        let r = trim_range(doc, sent.tokens.start.max(doc.lead_end)..sent.tokens.end);
        if r.is_empty() {
            continue;
        }
        if let Some(q) = r.clone().find(|t| covered.contains(t)) {
            out.extend(reported_before_direct(doc, ents, r.start..q, sent.para));
            if let Some(last) = r.clone().rev().find(|t| covered.contains(t)) {
                out.extend(reported_after_direct(doc, ents, last + 1..r.end, sent.para));
            }
            continue;
        }
        if doc.in_quote(r.start) {
            continue;
        }
        let segs = split_commas(doc, r.clone());
        let mut content: Vec<Range<usize>> = Vec::new();
        let mut frames: Vec<Range<usize>> = Vec::new();
        // 1. Trailing / parenthetical attribution, or "…, saying (that) …".
        for k in 1..segs.len() {
            let w = doc.word(segs[k].start).to_lowercase();
            // (A speech verb before it that takes no clause, "affirmed his intention",
            // does not frame the sentence.)
            if PARTICIPLE_SPEECH.contains(&w.as_str())
                && !(segs[0].start..segs[k].start)
                    .any(|i| is_speech_verb_at(doc, i) && clause_after_verb(doc, i, i..segs[k].start).is_some())
                && let Some(c) = clause_after_verb(doc, segs[k].start, segs[k].start..r.end)
            {
                frames.push(segs[0].clone());
                content = std::iter::once(c..r.end).collect();
                break;
            }
            if !attribution_segment(doc, ents, segs[k].clone()) {
                continue;
            }
            let rest = &segs[k + 1..];
            // "The rebel groups, AFP quoted officials as saying, have been …", "AQAP may
            // be a smaller group, he says, but they are …".
            let first_rest = rest.first().map(|s| doc.word(s.start)).unwrap_or_default();
            let middle = !is_capitalized(first_rest)
                && (gazetteer().is_auxiliary(first_rest)
                    || ["but", "and", "so", "yet"].contains(&first_rest)
                        && has_clause(doc, segs[0].start..segs[k - 1].end));
            if middle {
                content = vec![segs[0].start..segs[k - 1].end, rest[0].start..rest[rest.len() - 1].end];
                frames.push(segs[k].clone());
                break;
            }
            // "Right now, Austin said, this is a long-range firefight": an adverbial, the
            // attribution, then the clause.
            if !rest.is_empty()
                && !has_clause(doc, segs[0].start..segs[k - 1].end)
                && word_count(doc, segs[0].start..segs[k - 1].end) <= 5
                && has_clause(doc, rest[0].start..rest[rest.len() - 1].end)
                && rest.iter().skip(1).all(|s| !attribution_segment(doc, ents, s.clone()))
            {
                content = std::iter::once(rest[0].start..rest[rest.len() - 1].end).collect();
                frames.push(segs[k].clone());
                break;
            }
            if rest.iter().all(|s| is_tail(doc, s) || attribution_segment(doc, ents, s.clone()))
                && (has_clause(doc, segs[0].start..segs[k - 1].end)
                    || (!PREPOSITIONS.contains(&doc.word(segs[0].start).to_lowercase().as_str())
                        && word_count(doc, segs[0].start..segs[k - 1].end) >= 3))
            {
                content = std::iter::once(segs[0].start..segs[k - 1].end).collect();
                frames.push(segs[k].clone());
                for s in rest {
                    let w = doc.word(s.start).to_lowercase();
                    if w == "citing" || according_at(doc, s.start) || attribution_segment(doc, ents, s.clone()) {
                        frames.push(s.clone());
                    }
                }
                break;
            }
        }
        // 1a. "…, with authorities saying there is no longer any hope": the noun phrase
        // after "with" says the clause after its participle.
        if content.is_empty()
            && let Some((frame, clause)) = with_participle(doc, ents, r.clone())
        {
            let clause = cut_content(doc, ents, clause).0;
            if let Some(c) =
                make_candidate(doc, std::slice::from_ref(&clause), vec![frame.clone()], frame.start, sent.para)
            {
                out.push(c);
            }
            continue;
        }
        // 1b. "…, disputed by Labour whips, who denied any assault had happened": the
        // relative clause's speech verb, its antecedent the noun phrase before the comma.
        if content.is_empty() {
            for k in 1..segs.len() {
                // "who has also declared that …": past auxiliaries and adverbs.
                let mut v = segs[k].start + 1;
                while v < segs[k].end
                    && (["has", "have", "had", "also", "previously", "earlier", "repeatedly"].contains(&doc.word(v))
                        || doc.word(v).len() > 4 && doc.word(v).ends_with("ly"))
                {
                    v += 1;
                }
                if !doc.word(segs[k].start).eq_ignore_ascii_case("who")
                    || !is_speech_verb_at(doc, v)
                    || !gazetteer().is_clause_verb(doc.word(v))
                {
                    continue;
                }
                let Some(c) = clause_after_verb(doc, v, v..segs[k].end) else { continue };
                let before = segs[k - 1].clone();
                let antecedent = ents
                    .mentions_in(before.clone())
                    .filter(|m| m.tokens.end == before.end)
                    .map(|m| m.tokens.start)
                    .chain(ents.anon.iter().filter(|a| a.tokens.end == before.end).map(|a| a.tokens.start))
                    .min();
                if let Some(a) = antecedent {
                    frames.push(a..before.end);
                    content = std::iter::once(c..segs[k].end).collect();
                    break;
                }
            }
        }
        // 2. Leading "According to X, ..." / "As per X, ...".
        if content.is_empty() && segs.len() >= 2 && according_at(doc, segs[0].start) {
            frames.push(segs[0].clone());
            content = std::iter::once(segs[1].start..r.end).collect();
        }
        // 3. Leading "SUBJ VERB (that) ..." on the content (or the whole sentence).
        let base = if content.is_empty() { r.clone() } else { content[0].clone() };
        // After a short opening adverbial ("But later on Saturday, Netanyahu said …").
        let after_adverbial = || {
            split_commas(doc, base.clone()).into_iter().skip(1).take(2).find_map(|seg| {
                let opening = base.start..seg.start;
                if word_count(doc, opening.clone()) > 6 || has_clause(doc, opening) {
                    return None;
                }
                leading_attribution(doc, ents, seg.start..base.end)
            })
        };
        if content.len() <= 1
            && let Some((frame, clause)) = leading_attribution(doc, ents, base.clone()).or_else(after_adverbial)
        {
            frames.insert(0, frame);
            content = std::iter::once(clause).collect();
        }
        if frames.is_empty() || content.is_empty() {
            continue;
        }
        content[0] = strip_leading(doc, content[0].clone());
        let mut extra = Vec::new();
        if content.len() == 1 {
            let (c, x) = cut_content(doc, ents, content[0].clone());
            content[0] = c;
            extra = x;
        }
        // A relayed statement ("Lee said a top official told him that …"): the relayer's
        // clause, and the original speaker's statement inside it.
        if content.len() == 1
            && let Some((inner_frame, inner)) = leading_attribution(doc, ents, content[0].clone())
            && inner_frame.start == strip_leading(doc, content[0].clone()).start
        {
            extra.push((Some(inner_frame), inner));
        }
        if let Some(c) = make_candidate(doc, &content, frames.clone(), sent.tokens.start, sent.para) {
            out.push(c);
        }
        for (frame, clause) in extra {
            let (frames, anchor) = match frame {
                Some(f) => (vec![f.clone()], f.start),
                None => (frames.clone(), clause.start),
            };
            if let Some(c) = make_candidate(doc, &[clause], frames, anchor, sent.para) {
                out.push(c);
            }
        }
    }
    out
}

/// "…, with authorities saying (that) …": the frame (the noun phrase after "with") and
/// the clause after the participle.
fn with_participle(doc: &Document, ents: &Entities, r: Range<usize>) -> Option<(Range<usize>, Range<usize>)> {
    let w = (r.start..r.end).find(|&i| doc.word(i).eq_ignore_ascii_case("with") && i > r.start)?;
    let k = (w + 2..r.end.min(w + 8)).find(|&k| PARTICIPLE_SPEECH.contains(&doc.word(k)))?;
    let np = w + 1..k;
    if np.clone().any(|i| !doc.is_word(i) && doc.tokens.get(i).is_none_or(|t| t.kind != TokKind::Possessive))
        || !plausible_subject(doc, ents, np.clone())
        || ents.mentions_in(np.clone()).next().is_none() && !np.clone().any(|i| gazetteer().is_anon_head(doc.word(i)))
    {
        return None;
    }
    let c = clause_after_verb(doc, k, k..r.end)?;
    Some((np, c..r.end))
}

/// "“…,” he said, adding that he will file a complaint": the further statement in the
/// after-frame of a direct quote (`r` starts after the quotation), framed by that
/// after-frame.
fn reported_after_direct(doc: &Document, ents: &Entities, r: Range<usize>, para: usize) -> Option<Candidate> {
    let k = r.clone().find(|&k| PARTICIPLE_SPEECH.contains(&doc.word(k)) && k > r.start && doc.is_punct(k - 1, ','))?;
    let frame = r.start..k - 1;
    if !frame.clone().any(|i| is_speech_verb_at(doc, i)) {
        return None;
    }
    let c = clause_after_verb(doc, k, k..r.end)?;
    let clause = cut_content(doc, ents, c..r.end).0;
    make_candidate(doc, std::slice::from_ref(&clause), vec![frame.clone()], frame.start, para)
}

/// "AMLO acknowledged that A, but asserted that “B”": the reported statement A before
/// a direct quote framed by the same subject's second speech verb (`r` ends where the
/// quotation begins).
fn reported_before_direct(doc: &Document, ents: &Entities, r: Range<usize>, para: usize) -> Option<Candidate> {
    let g = gazetteer();
    let mut k = r.end;
    while k > r.start && matches!(doc.tokens.get(k - 1).map(|t| t.kind), Some(TokKind::Punct(':' | ','))) {
        k -= 1;
    }
    if k > r.start && doc.word(k - 1).eq_ignore_ascii_case("that") {
        k -= 1;
    }
    let v = k.checked_sub(1).filter(|&v| v > r.start && is_speech_verb_at(doc, v) && g.is_clause_verb(doc.word(v)))?;
    let conj = v - 1;
    if !["but", "and"].contains(&doc.word(conj).to_lowercase().as_str()) {
        return None;
    }
    let end = if conj > r.start && doc.is_punct(conj - 1, ',') { conj - 1 } else { conj };
    let base = r.start..end;
    let opening = |seg: Range<usize>| {
        let before = base.start..seg.start;
        (word_count(doc, before.clone()) <= 8 && !has_clause(doc, before))
            .then(|| leading_attribution(doc, ents, seg.start..base.end))
            .flatten()
    };
    let (frame, clause) = leading_attribution(doc, ents, base.clone())
        .or_else(|| split_commas(doc, base.clone()).into_iter().skip(1).take(3).find_map(opening))?;
    // The clause must stop before the second verb: no speech verb of its own left in it.
    if (clause.start..clause.end).any(|i| is_speech_verb_at(doc, i) && g.is_clause_verb(doc.word(i))) {
        return None;
    }
    let clause = strip_leading(doc, clause);
    make_candidate(doc, &[clause], vec![frame.clone()], frame.start, para)
}

fn make_candidate(
    doc: &Document,
    content: &[Range<usize>],
    frames: Vec<Range<usize>>,
    anchor: usize,
    para: usize,
) -> Option<Candidate> {
    let pieces: Vec<Range<usize>> = content
        .iter()
        .map(|c| trim_range(doc, c.clone()))
        .filter(|c| !c.is_empty())
        .filter_map(|c| doc.byte_range(c))
        .collect();
    let words: usize = content.iter().map(|c| word_count(doc, c.clone())).sum();
    if pieces.is_empty() || words < 2 {
        return None;
    }
    Some(Candidate { direct: false, pieces, frames, anchor, para, inherit: false })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::{EntityRecognizer, RuleEntities};
    use crate::segment::segment;

    fn find(text: &str) -> (Document, Vec<Candidate>) {
        let doc = segment(text.to_string());
        let ents = RuleEntities.recognize(&doc, None);
        let c = RuleQuotes.find(&doc, &ents);
        (doc, c)
    }

    fn texts(doc: &Document, c: &[Candidate]) -> Vec<String> {
        c.iter()
            .map(|c| c.pieces.iter().map(|p| doc.body[p.clone()].to_string()).collect::<Vec<_>>().join(" | "))
            .collect()
    }

    #[test]
    fn split_quote_is_merged_and_scare_quote_dropped() {
        let (doc, c) =
            find("They formed a \"framework for transition,\" which is hard. \"We talk,\" he said. \"Really.\"");
        assert_eq!(texts(&doc, &c), vec!["We talk, | Really."]);
    }

    #[test]
    fn a_quoted_fragment_of_a_reported_clause_is_the_clause() {
        let (doc, c) = find("The minister said the deal was \"reckless\" and that it would \"erase the gains.\"");
        assert_eq!(texts(&doc, &c), vec!["the deal was \"reckless\" and that it would \"erase the gains.\""]);
        assert!(!c[0].direct);
        // Outside any reported clause a fragment with a clause stays a direct quote; a
        // short phrase (the content of "urged Iran to act …") is no statement.
        let (doc, c) = find("She said Washington backed the work and urged Iran to act \"fully and without delay.\"");
        assert_eq!(texts(&doc, &c), vec!["Washington backed the work"]);
        let (doc, c) =
            find("She said Washington backed the work and urged Iran to act as \"we will all be watching.\"");
        assert_eq!(texts(&doc, &c), vec!["Washington backed the work", "we will all be watching."]);
        let (_, c) = find("Ms Rayner called the story \"desperate\" and slammed the \"idiot\" who wrote it.");
        assert!(c.is_empty());
        // `said that "…"` and `said: "…"` quote a whole clause directly.
        let (doc, c) = find("He said that \"the talks are over.\" Then he left.");
        assert_eq!(texts(&doc, &c), vec!["the talks are over."]);
        assert!(c[0].direct);
    }

    #[test]
    fn reported_speech_forms() {
        let (doc, c) = find(
            "The rebel groups, Agence France Presse quoted U.S. officials as saying, have been more open to talks.",
        );
        assert_eq!(texts(&doc, &c), vec!["The rebel groups | have been more open to talks"]);
        let (doc, c) = find("Right now, Austin said, this is a long-range firefight and artillery is important.");
        assert_eq!(texts(&doc, &c), vec!["this is a long-range firefight and artillery is important"]);
        let (doc, c) = find("AQAP may be a smaller group, he says, but they are much better at making bombs.");
        assert_eq!(texts(&doc, &c), vec!["AQAP may be a smaller group | but they are much better at making bombs"]);
        let (doc, c) =
            find("But later on Saturday, Netanyahu said Israel will not proceed, according to media reports.");
        assert_eq!(texts(&doc, &c), vec!["Israel will not proceed"]);
        let (doc, c) = find("The secretary also announced there will be a meeting in Brussels next month.");
        assert_eq!(texts(&doc, &c), vec!["there will be a meeting in Brussels next month"]);
        let (_, c) = find("The company announced the release of its new phone.");
        assert!(c.is_empty());
        let (doc, c) = find("However, senior Labour sources admitted patience had run out with the MP.");
        assert_eq!(texts(&doc, &c), vec!["patience had run out with the MP"]);
        let (doc, c) =
            find("The statement cited Hollande as saying he shares the anxiety of families, in a written statement.");
        assert_eq!(texts(&doc, &c), vec!["he shares the anxiety of families"]);
        let (doc, c) = find(
            "Muddy Waters said it had taken a short position and published a report saying the accounts were wrong.",
        );
        assert_eq!(texts(&doc, &c), vec!["it had taken a short position", "the accounts were wrong"]);
        let (doc, c) = find("The NPG asserted that it holds copyright, and demanded that Coetzee remove the images.");
        assert_eq!(texts(&doc, &c), vec!["it holds copyright", "Coetzee remove the images"]);
        let (doc, c) = find("Hui acknowledged wrongdoing over the incident, but claimed that the phone held details.");
        assert_eq!(texts(&doc, &c), vec!["the phone held details"]);
        let (doc, c) = find("Arif said there was no confirmation, although he had announced the release earlier.");
        assert_eq!(texts(&doc, &c), vec!["there was no confirmation"]);
        let (doc, c) = find("The story was disputed by Labour whips, who denied any physical assault had happened.");
        assert_eq!(texts(&doc, &c), vec!["any physical assault had happened"]);
        assert_eq!(c[0].frames.len(), 1);
        assert_eq!(doc.span_text(c[0].frames[0].clone()), "Labour whips");
        // A relayed statement: the relayer's clause and the original speaker's inside it.
        let (doc, c) = find("Austin said Russian officials had told him that the talks would resume.");
        assert_eq!(
            texts(&doc, &c),
            vec!["Russian officials had told him that the talks would resume", "the talks would resume"]
        );
        let (doc, c) = find("The governor said the minister told him that the roads would be repaired.");
        assert_eq!(
            texts(&doc, &c),
            vec!["the minister told him that the roads would be repaired", "the roads would be repaired"]
        );
        // "as per X", as the conventions list it beside "according to X".
        let (doc, c) = find("The train was delayed by three hours, as per railway officials.");
        assert_eq!(texts(&doc, &c), vec!["The train was delayed by three hours"]);
        let (doc, c) = find("As per the police, the suspect fled on foot.");
        assert_eq!(texts(&doc, &c), vec!["the suspect fled on foot"]);
        let (_, c) = find("The game was played as per the rules.");
        assert!(c.is_empty());
        let (doc, c) = find("The minister countered that the figures were wrong.");
        assert_eq!(texts(&doc, &c), vec!["the figures were wrong"]);
        let (doc, c) = find("They opined that Assad should resign, according to AFP news agency.");
        assert_eq!(texts(&doc, &c), vec!["Assad should resign"]);
        let (doc, c) = find("However, Kerry was in Jeddah over the weekend, the Guardian reported.");
        assert_eq!(texts(&doc, &c), vec!["Kerry was in Jeddah over the weekend"]);
        let (_, c) = find("Assad insists on wresting control of the country.");
        assert!(c.is_empty());
    }
}
