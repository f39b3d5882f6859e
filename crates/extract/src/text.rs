//! Low-level text handling: the tokenizer shared by every stage, byte-to-character
//! offset conversion and the text normalisation used by the evaluation.

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokKind {
    /// Letters/digits, possibly with inner `-'’.&` and an abbreviation's final dot.
    Word,
    /// The possessive ending `'s` split off a word.
    Possessive,
    /// A double quotation mark; which way it points is decided by [`crate::segment`].
    Quote(QuoteMark),
    /// Any other single non-space character.
    Punct(char),
}

/// The shape of a double quotation mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuoteMark {
    /// “ „ «
    Open,
    /// ” »
    Close,
    /// "
    Straight,
}

/// One token: a byte range of the body.
#[derive(Debug, Clone, Copy)]
pub struct Token {
    /// Byte offset of the first character.
    pub start: usize,
    /// Byte offset after the last character.
    pub end: usize,
    /// Token class.
    pub kind: TokKind,
}

const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "st", "gen", "lt", "col", "maj", "capt", "sgt", "adm", "gov", "sen", "rep", "jr",
    "sr", "inc", "corp", "ltd", "co", "no", "vs", "jan", "feb", "aug", "sept", "oct", "nov", "dec", "rev", "mt", "ft",
    "approx", "est", "dept", "univ", "a.m", "p.m", "e.g", "i.e", "etc", "hon", "comr", "supt", "insp", "cmdr", "brig",
];

fn quote_mark(c: char) -> Option<QuoteMark> {
    match c {
        '“' | '„' | '«' | '‟' => Some(QuoteMark::Open),
        '”' | '»' => Some(QuoteMark::Close),
        '"' => Some(QuoteMark::Straight),
        _ => None,
    }
}

fn is_inner(c: char) -> bool {
    matches!(c, '-' | '\'' | '’' | '.' | '&' | '_' | '‐')
}

/// Whether a word (without its final dot) is an abbreviation that keeps the dot.
pub fn is_abbreviation(word: &str) -> bool {
    let lower = word.to_lowercase();
    if ABBREVIATIONS.contains(&lower.as_str()) {
        return true;
    }
    // Single capital initial ("J") or dotted initials ("U.S", "U.N").
    let mut chars = word.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => c.is_uppercase(),
        _ => {
            word.contains('.') && word.split('.').all(|p| p.chars().count() == 1 && p.chars().all(char::is_alphabetic))
        }
    }
}

/// Splits `text[from..to]` into tokens (byte offsets are into `text`).
pub fn tokenize_range(text: &str, from: usize, to: usize, out: &mut Vec<Token>) {
    let Some(slice) = text.get(from..to) else {
        return;
    };
    let chars: Vec<(usize, char)> = slice.char_indices().map(|(i, c)| (i + from, c)).collect();
    let n = chars.len();
    let mut i = 0;
    while i < n {
        let (pos, c) = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c.is_alphanumeric() {
            let mut j = i + 1;
            while j < n {
                let cj = chars[j].1;
                if cj.is_alphanumeric() || cj == '\u{301}' {
                    j += 1;
                } else if is_inner(cj) && j + 1 < n && chars[j + 1].1.is_alphanumeric() {
                    j += 2;
                } else if cj == ',' && thousands_group(&chars, j) {
                    // "150,000": the comma groups digits; it is not a clause boundary.
                    j += 4;
                } else {
                    break;
                }
            }
            let mut end = if j < n { chars[j].0 } else { to };
            // Abbreviation dot.
            if j < n && chars[j].1 == '.' {
                let w = &text[pos..end];
                if is_abbreviation(w) {
                    end = chars[j].0 + 1;
                    j += 1;
                }
            }
            let w = &text[pos..end];
            // Split a possessive 's.
            let poss = ["'s", "’s", "'S", "’S"]
                .iter()
                .find_map(|p| if w.len() > p.len() && w.ends_with(p) { Some(p.len()) } else { None });
            if let Some(pl) = poss {
                out.push(Token { start: pos, end: end - pl, kind: TokKind::Word });
                out.push(Token { start: end - pl, end, kind: TokKind::Possessive });
            } else {
                out.push(Token { start: pos, end, kind: TokKind::Word });
            }
            i = j;
            continue;
        }
        let end = if i + 1 < n { chars[i + 1].0 } else { to };
        let kind = match quote_mark(c) {
            Some(q) => TokKind::Quote(q),
            None => TokKind::Punct(c),
        };
        out.push(Token { start: pos, end, kind });
        i += 1;
    }
}

/// Whether the comma at `j` separates a group of three digits from the digits before it.
fn thousands_group(chars: &[(usize, char)], j: usize) -> bool {
    let digit = |k: usize| chars.get(k).is_some_and(|(_, c)| c.is_ascii_digit());
    j > 0 && digit(j - 1) && digit(j + 1) && digit(j + 2) && digit(j + 3) && !digit(j + 4)
}

/// Tokenizes a short string and returns the token texts (used for gazetteer keys).
pub fn tokenize_str(s: &str) -> Vec<String> {
    let mut toks = Vec::new();
    tokenize_range(s, 0, s.len(), &mut toks);
    toks.iter().map(|t| s[t.start..t.end].to_string()).collect()
}

/// Maps byte offsets of one string to character (Unicode scalar) offsets.
pub struct CharMap {
    /// `prefix[b]` = number of chars before byte `b`, for every char boundary `b`.
    byte_to_char: Vec<u32>,
}

impl CharMap {
    /// Builds the map for `s`.
    pub fn new(s: &str) -> Self {
        let mut byte_to_char = vec![0u32; s.len() + 1];
        let mut count = 0u32;
        for (b, c) in s.char_indices() {
            if let Some(slots) = byte_to_char.get_mut(b..b + c.len_utf8()) {
                slots.fill(count);
            }
            count += 1;
        }
        if let Some(last) = byte_to_char.last_mut() {
            *last = count;
        }
        CharMap { byte_to_char }
    }

    /// Character offset of byte offset `b` (clamped to the string).
    pub fn char_at(&self, b: usize) -> usize {
        let idx = b.min(self.byte_to_char.len().saturating_sub(1));
        self.byte_to_char.get(idx).copied().unwrap_or(0) as usize
    }
}

/// Lower-cases, maps every non-alphanumeric character (quotes, punctuation,
/// apostrophes) to a space and collapses whitespace: the form in which quote
/// texts are compared.
pub fn normalize_loose(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = true;
    for c in s.chars() {
        if c.is_alphanumeric() {
            for l in c.to_lowercase() {
                out.push(l);
            }
            space = false;
        } else if c == '\'' || c == '’' {
            // "don't" and "don’t" compare equal; keep words together.
        } else if !space {
            out.push(' ');
            space = true;
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// Collapses runs of whitespace to one space and trims.
pub fn collapse_ws(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Upper-cases the first letter of each word and of each part after a non-letter
/// ("MARK COLVIN" → "Mark Colvin", "ABDEL-FATTAH" → "Abdel-Fattah").
pub fn title_case(s: &str) -> String {
    s.split(' ')
        .map(|w| {
            let mut out = String::new();
            let mut first = true;
            for c in w.chars() {
                if first {
                    out.extend(c.to_uppercase());
                } else {
                    out.extend(c.to_lowercase());
                }
                first = !c.is_alphabetic();
            }
            out
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether the first character is upper case.
pub fn is_capitalized(w: &str) -> bool {
    w.chars().next().is_some_and(char::is_uppercase)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_keep_abbreviations_and_split_possessives() {
        let t = tokenize_str("U.S. Secretary of State's aide, Dr. Kim’s view: \"no\"");
        assert_eq!(
            t,
            vec![
                "U.S.",
                "Secretary",
                "of",
                "State",
                "'s",
                "aide",
                ",",
                "Dr.",
                "Kim",
                "’s",
                "view",
                ":",
                "\"",
                "no",
                "\""
            ]
        );
        let t = tokenize_str("Saudi-backed 2.4 percent don't");
        assert_eq!(t, vec!["Saudi-backed", "2.4", "percent", "don't"]);
    }

    #[test]
    fn char_map_counts_scalars() {
        let s = "é“a”";
        let m = CharMap::new(s);
        assert_eq!(m.char_at(0), 0);
        assert_eq!(m.char_at(2), 1);
        assert_eq!(m.char_at(s.len()), 4);
        assert_eq!(m.char_at(999), 4);
    }

    #[test]
    fn loose_normalisation() {
        assert_eq!(normalize_loose("  We’re talking, “really”.  "), "were talking really");
    }
}
