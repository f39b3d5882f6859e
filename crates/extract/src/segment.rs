//! Segmentation stage: splits the input into an optional headline and the body,
//! finds the dateline, paragraphs, sentences and the quotation-mark pairs.
//!
//! Paragraphs: when the body contains blank lines, blank lines separate paragraphs
//! (single newlines inside are wrapping); otherwise every non-empty line is one.
//! Quotation marks are paired inside a paragraph (straight `"` toggles, curly and
//! guillemets have a direction); a quote left open at the end of a paragraph runs
//! to the paragraph's end and, when the next paragraph starts with an opening mark,
//! continues there (the news convention for multi-paragraph quotes).

use std::ops::Range;

use crate::text::{self, QuoteMark, TokKind, Token};

/// A pair of quotation marks (or an opening mark left unclosed).
#[derive(Debug, Clone)]
pub struct QuoteSpan {
    /// Token index of the opening mark.
    pub open: usize,
    /// Token index of the closing mark, `None` when the paragraph ended first.
    pub close: Option<usize>,
    /// Paragraph index.
    pub para: usize,
    /// Index of the span in the next paragraph that continues this one.
    pub continued_by: Option<usize>,
    /// Whether this span continues one from the previous paragraph.
    pub continues: bool,
}

impl QuoteSpan {
    /// Token range strictly inside the marks.
    pub fn inner(&self, doc: &Document) -> Range<usize> {
        let end = match self.close {
            Some(c) => c,
            None => doc.paragraphs.get(self.para).map_or(self.open + 1, |p| p.end),
        };
        (self.open + 1).min(end)..end
    }
}

/// A sentence: a token range inside one paragraph.
#[derive(Debug, Clone)]
pub struct Sentence {
    /// Token range.
    pub tokens: Range<usize>,
    /// Paragraph index.
    pub para: usize,
}

/// The segmented text every later stage works on.
#[derive(Debug, Clone, Default)]
pub struct Document {
    /// The text all offsets refer to.
    pub body: String,
    /// Tokens of the body.
    pub tokens: Vec<Token>,
    /// Paragraphs as token ranges.
    pub paragraphs: Vec<Range<usize>>,
    /// Sentences in order.
    pub sentences: Vec<Sentence>,
    /// Sentence index of every token.
    pub tok_sentence: Vec<usize>,
    /// Paragraph index of every token.
    pub tok_para: Vec<usize>,
    /// Quotation-mark spans in order.
    pub quotes: Vec<QuoteSpan>,
    /// Index into `quotes` of the span a token lies in (marks included).
    pub tok_quote: Vec<Option<usize>>,
    /// First token after a wire dateline ("VIENNA (AFP) -"), 0 when there is none.
    pub lead_end: usize,
}

impl Document {
    /// Text of token `i` ("" when out of range).
    pub fn word(&self, i: usize) -> &str {
        self.tokens.get(i).and_then(|t| self.body.get(t.start..t.end)).unwrap_or("")
    }
    /// Whether token `i` is a word.
    pub fn is_word(&self, i: usize) -> bool {
        self.tokens.get(i).is_some_and(|t| t.kind == TokKind::Word)
    }
    /// Whether token `i` is the punctuation `c`.
    pub fn is_punct(&self, i: usize, c: char) -> bool {
        self.tokens.get(i).is_some_and(|t| t.kind == TokKind::Punct(c))
    }
    /// Whether token `i` is a quotation mark.
    pub fn is_quote_mark(&self, i: usize) -> bool {
        self.tokens.get(i).is_some_and(|t| matches!(t.kind, TokKind::Quote(_)))
    }
    /// Whether token `i` lies inside (or is a mark of) a quotation.
    pub fn in_quote(&self, i: usize) -> bool {
        self.tok_quote.get(i).is_some_and(Option::is_some)
    }
    /// Body text covering tokens `r` (from the first token's start to the last one's end).
    pub fn span_text(&self, r: Range<usize>) -> &str {
        match self.byte_range(r) {
            Some(b) => self.body.get(b).unwrap_or(""),
            None => "",
        }
    }
    /// Byte range covering tokens `r`.
    pub fn byte_range(&self, r: Range<usize>) -> Option<Range<usize>> {
        if r.start >= r.end {
            return None;
        }
        let a = self.tokens.get(r.start)?;
        let b = self.tokens.get(r.end - 1)?;
        Some(a.start..b.end)
    }
}

/// Result of splitting raw text into headline and body.
#[derive(Debug, Clone)]
pub struct Split {
    /// The headline, when the first line is one.
    pub headline: Option<String>,
    /// Everything after it (trimmed).
    pub body: String,
}

fn title_case_ratio(line: &str) -> f32 {
    let words: Vec<&str> = line.split_whitespace().filter(|w| w.chars().count() > 3).collect();
    if words.is_empty() {
        return 0.0;
    }
    let caps = words.iter().filter(|w| text::is_capitalized(w)).count();
    caps as f32 / words.len() as f32
}

/// Normalises line ends and splits off a headline.
///
/// The first line is a headline when it is short (at most 20 words and 160
/// characters), does not end like a sentence (`.`, `,`, `;`, `:`), some text follows,
/// and it is either followed by a blank line or written in title case.
pub fn split_headline(raw: &str) -> Split {
    let cleaned = raw.trim_start_matches('\u{feff}').replace("\r\n", "\n").replace('\r', "\n");
    let trimmed = cleaned.trim();
    if let Some((first, rest)) = trimmed.split_once('\n') {
        let line = first.trim();
        let words = line.split_whitespace().count();
        let ends_like_sentence = line.ends_with(['.', ',', ';', ':']);
        let blank_follows = rest.split('\n').next().is_some_and(|l| l.trim().is_empty());
        let rest_trim = rest.trim();
        let looks_wire = line.contains(") -") || line.contains(") —") || line.contains(") –");
        if !line.is_empty()
            && words <= 20
            && line.chars().count() <= 160
            && !ends_like_sentence
            && !looks_wire
            && !rest_trim.is_empty()
            && (blank_follows || title_case_ratio(line) >= 0.6)
        {
            return Split { headline: Some(line.to_string()), body: rest_trim.to_string() };
        }
    }
    Split { headline: None, body: trimmed.to_string() }
}

fn paragraph_ranges(body: &str) -> Vec<Range<usize>> {
    let mut lines = Vec::new();
    let mut pos = 0;
    for line in body.split('\n') {
        lines.push(pos..pos + line.len());
        pos += line.len() + 1;
    }
    let blank_mode = lines.iter().any(|r| body.get(r.clone()).is_some_and(|l| l.trim().is_empty()));
    let mut out = Vec::new();
    if blank_mode {
        let mut cur: Option<Range<usize>> = None;
        for r in lines {
            let blank = body.get(r.clone()).is_none_or(|l| l.trim().is_empty());
            if blank {
                if let Some(c) = cur.take() {
                    out.push(c);
                }
            } else {
                cur = Some(match cur {
                    Some(c) => c.start..r.end,
                    None => r,
                });
            }
        }
        if let Some(c) = cur {
            out.push(c);
        }
    } else {
        out = lines.into_iter().filter(|r| body.get(r.clone()).is_some_and(|l| !l.trim().is_empty())).collect();
    }
    out
}

const SENTENCE_STARTERS: &[&str] = &[
    "The",
    "He",
    "She",
    "It",
    "They",
    "We",
    "I",
    "But",
    "In",
    "A",
    "An",
    "This",
    "That",
    "However",
    "Its",
    "His",
    "Her",
    "Their",
    "And",
    "On",
    "At",
    "Meanwhile",
    "There",
];

/// Builds the [`Document`] for a body text.
pub fn segment(body: String) -> Document {
    let mut doc = Document { body, ..Default::default() };
    let paras = paragraph_ranges(&doc.body);
    for (pi, pr) in paras.iter().enumerate() {
        let first = doc.tokens.len();
        text::tokenize_range(&doc.body, pr.start, pr.end, &mut doc.tokens);
        let last = doc.tokens.len();
        if last > first {
            doc.paragraphs.push(first..last);
            doc.tok_para.resize(last, pi);
        }
    }
    // Re-number paragraphs densely (empty ones were skipped).
    doc.tok_para = vec![0; doc.tokens.len()];
    for (pi, r) in doc.paragraphs.iter().enumerate() {
        for t in r.clone() {
            if let Some(slot) = doc.tok_para.get_mut(t) {
                *slot = pi;
            }
        }
    }
    pair_quotes(&mut doc);
    split_sentences(&mut doc);
    doc.lead_end = wire_dateline(&doc).map_or_else(|| credit_only_lead(&doc), |(_, end)| end);
    doc
}

/// A wire dateline at the start of the body: its upper-case place words and the
/// first token after its dash.
/// A wire credit with no place ("(Reuters) -", "(AP) —") opening the body: the token
/// after its dash, else 0. It credits the whole story, so it is no one's attribution.
fn credit_only_lead(doc: &Document) -> usize {
    let Some(para) = doc.paragraphs.first().cloned() else {
        return 0;
    };
    let i = para.start;
    if !doc.is_punct(i, '(') {
        return 0;
    }
    let Some(close) = (i + 1..para.end.min(i + 6)).find(|&k| doc.is_punct(k, ')')) else {
        return 0;
    };
    let dash = close + 1;
    if close > i + 1 && dash < para.end && is_dash(doc.word(dash)) { dash + 1 } else { 0 }
}

fn wire_dateline(doc: &Document) -> Option<(String, usize)> {
    let para = doc.paragraphs.first()?.clone();
    let mut i = para.start;
    let mut words = Vec::new();
    while i < para.end && doc.is_word(i) {
        let w = doc.word(i);
        let letters: Vec<char> = w.chars().filter(|c| c.is_alphabetic()).collect();
        if letters.len() >= 2 && letters.iter().all(|c| c.is_uppercase()) {
            words.push(w);
            i += 1;
        } else {
            break;
        }
    }
    if words.is_empty() {
        return None;
    }
    let mut j = i;
    while j < para.end && j < i + 12 && !is_dash(doc.word(j)) {
        if doc.is_punct(j, '.') {
            return None;
        }
        j += 1;
    }
    if j < para.end && is_dash(doc.word(j)) && (j == i || doc.is_punct(i, '(') || doc.is_punct(i, ',')) {
        Some((text::title_case(&words.join(" ")), j + 1))
    } else {
        None
    }
}

fn pair_quotes(doc: &mut Document) {
    doc.tok_quote = vec![None; doc.tokens.len()];
    let mut spans: Vec<QuoteSpan> = Vec::new();
    for (pi, pr) in doc.paragraphs.iter().enumerate() {
        let mut open: Option<usize> = None;
        for i in pr.clone() {
            let TokKind::Quote(mark) = doc.tokens[i].kind else {
                continue;
            };
            match (mark, open) {
                (QuoteMark::Open, None) | (QuoteMark::Straight, None) => open = Some(i),
                (QuoteMark::Close, Some(o)) | (QuoteMark::Straight, Some(o)) => {
                    spans.push(QuoteSpan { open: o, close: Some(i), para: pi, continued_by: None, continues: false });
                    open = None;
                }
                // A stray closing mark, or an opening mark inside an open quote: ignored.
                _ => {}
            }
        }
        if let Some(o) = open {
            spans.push(QuoteSpan { open: o, close: None, para: pi, continued_by: None, continues: false });
        }
    }
    // Multi-paragraph continuation.
    let by_open: std::collections::HashMap<usize, usize> = spans.iter().enumerate().map(|(i, s)| (s.open, i)).collect();
    for k in 0..spans.len() {
        if spans[k].close.is_some() {
            continue;
        }
        let next_para = spans[k].para + 1;
        if let Some(np) = doc.paragraphs.get(next_para)
            && let Some(&j) = by_open.get(&np.start)
        {
            spans[k].continued_by = Some(j);
            spans[j].continues = true;
        }
    }
    for (si, s) in spans.iter().enumerate() {
        let end = match s.close {
            Some(c) => c + 1,
            None => doc.paragraphs.get(s.para).map_or(s.open + 1, |p| p.end),
        };
        for t in s.open..end {
            if let Some(slot) = doc.tok_quote.get_mut(t) {
                *slot = Some(si);
            }
        }
    }
    doc.quotes = spans;
}

fn is_closing_quote(doc: &Document, i: usize) -> bool {
    match doc.tokens.get(i).map(|t| t.kind) {
        Some(TokKind::Quote(QuoteMark::Close)) => true,
        Some(TokKind::Quote(QuoteMark::Straight)) => {
            doc.tok_quote.get(i).copied().flatten().and_then(|q| doc.quotes.get(q)).is_some_and(|s| s.close == Some(i))
        }
        _ => false,
    }
}

fn split_sentences(doc: &mut Document) {
    let mut sentences = Vec::new();
    for (pi, pr) in doc.paragraphs.iter().enumerate() {
        let mut start = pr.start;
        let mut i = pr.start;
        while i < pr.end {
            let tok = doc.tokens[i];
            let w = doc.body.get(tok.start..tok.end).unwrap_or("");
            let terminal = match tok.kind {
                TokKind::Punct('.') | TokKind::Punct('!') | TokKind::Punct('?') => true,
                TokKind::Word if w.ends_with('.') => {
                    let next = doc.word(i + 1);
                    SENTENCE_STARTERS.contains(&next)
                }
                _ => false,
            };
            if terminal {
                let mut j = i + 1;
                while j < pr.end && (is_closing_quote(doc, j) || doc.is_punct(j, ')')) {
                    j += 1;
                }
                if j < pr.end {
                    let next = doc.tokens[j];
                    let nw = doc.body.get(next.start..next.end).unwrap_or("");
                    let opens = matches!(next.kind, TokKind::Quote(QuoteMark::Open))
                        || (matches!(next.kind, TokKind::Quote(QuoteMark::Straight)) && !is_closing_quote(doc, j));
                    let upper = nw.chars().next().is_some_and(|c| c.is_uppercase() || c.is_ascii_digit());
                    if opens || (next.kind == TokKind::Word && upper) {
                        sentences.push(Sentence { tokens: start..j, para: pi });
                        start = j;
                    }
                }
                i = j.max(i + 1);
                continue;
            }
            i += 1;
        }
        if start < pr.end {
            sentences.push(Sentence { tokens: start..pr.end, para: pi });
        }
    }
    doc.tok_sentence = vec![0; doc.tokens.len()];
    for (si, s) in sentences.iter().enumerate() {
        for t in s.tokens.clone() {
            if let Some(slot) = doc.tok_sentence.get_mut(t) {
                *slot = si;
            }
        }
    }
    doc.sentences = sentences;
}

/// Finds the dateline: a wire-style "VIENNA (AFP) -" opening, or else "in <Place> on
/// <weekday/month>" in the first paragraph.
pub fn find_dateline(doc: &Document) -> Option<String> {
    let g = crate::gazetteer::gazetteer();
    let para = doc.paragraphs.first()?.clone();
    if let Some((place, _)) = wire_dateline(doc) {
        return Some(place);
    }
    // "in Vienna on Tuesday".
    let first_sentence_end = doc.sentences.first().map_or(para.end, |s| s.tokens.end);
    let mut k = para.start;
    while k + 3 < first_sentence_end {
        if doc.word(k) == "in" && text::is_capitalized(doc.word(k + 1)) {
            let mut e = k + 1;
            while e < first_sentence_end && e < k + 4 && doc.is_word(e) && text::is_capitalized(doc.word(e)) {
                e += 1;
            }
            let place = doc.span_text(k + 1..e).to_string();
            let next = doc.word(e);
            let after = doc.word(e + 1);
            let timely = (next == "on" || next == "this" || next == "last") && g.is_calendar(after)
                || (next == "," && g.is_calendar(after));
            let key = crate::gazetteer::spelling_key(&place);
            let is_country = g.org_index.contains_key(&key);
            if timely && !is_country && !g.is_calendar(&place) {
                return Some(place);
            }
        }
        k += 1;
    }
    None
}

fn is_dash(w: &str) -> bool {
    matches!(w, "-" | "—" | "–" | "--")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headline_needs_blank_line_or_title_case() {
        let s = split_headline("Big Win For City\n\nCity won on Saturday.");
        assert_eq!(s.headline.as_deref(), Some("Big Win For City"));
        assert_eq!(s.body, "City won on Saturday.");
        let s = split_headline("City won on Saturday.\nThey were happy.");
        assert!(s.headline.is_none());
        let s = split_headline("just one line");
        assert!(s.headline.is_none());
    }

    #[test]
    fn paragraphs_sentences_and_quotes() {
        let doc =
            segment("He said: \"One. Two.\" Then U.S. officials left.\nA second \"open\n\"para\" here.".to_string());
        // No blank line anywhere: every line is a paragraph.
        assert_eq!(doc.paragraphs.len(), 3);
        assert!(doc.sentences.len() >= 3);
        assert_eq!(doc.quotes.len(), 3);
        assert!(doc.quotes[0].close.is_some());
    }

    #[test]
    fn multi_paragraph_quote_continues() {
        let doc = segment("\"First part.\n\n\"Second part,\" she said.".to_string());
        assert_eq!(doc.quotes.len(), 2);
        assert_eq!(doc.quotes[0].continued_by, Some(1));
        assert!(doc.quotes[1].continues);
    }

    #[test]
    fn datelines() {
        let doc = segment("GENEVA (AFP) - The WHO said.".to_string());
        assert_eq!(find_dateline(&doc).as_deref(), Some("Geneva"));
        let doc = segment("Officials met in Vienna on Tuesday to talk.".to_string());
        assert_eq!(find_dateline(&doc).as_deref(), Some("Vienna"));
        let doc = segment("Nothing here.".to_string());
        assert_eq!(find_dateline(&doc), None);
    }
}
