//! Full-text search, the part both stores share: how text becomes terms, and
//! what a user's query means.
//!
//! A query is words, `"quoted phrases"`, `+required` and `-excluded` words.
//! Every word and phrase must match (`+` only makes that explicit); a `-word`
//! must not. Matching ignores case and accents ("Égypte" finds "egypte").
//! Query text is never handed to a database as syntax: the SQLite store
//! compiles a [`SearchQuery`] into quoted FTS5 terms, the MongoDB store looks
//! terms up in its own index.

/// The longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 500;
/// The most words and phrases a query may have.
pub const MAX_QUERY_PARTS: usize = 24;

/// Splits text into search terms: runs of letters and digits, accents folded,
/// lowercased. "We're in Zürich" gives `we`, `re`, `in`, `zurich`.
pub fn terms(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(fold)
        .filter(|term| !term.is_empty())
        .collect()
}

/// Folds one word: ASCII transliteration (deunicode), lowercase, letters and digits only.
fn fold(word: &str) -> String {
    if word.is_ascii() {
        // Split on anything but letters and digits, an ASCII word is all
        // letters and digits already.
        return word.to_ascii_lowercase();
    }
    deunicode::deunicode(word).chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect()
}

/// Why a query cannot be run, in words for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidQuery(pub String);

impl From<&str> for InvalidQuery {
    fn from(message: &str) -> Self {
        InvalidQuery(message.to_owned())
    }
}

impl From<String> for InvalidQuery {
    fn from(message: String) -> Self {
        InvalidQuery(message)
    }
}

/// A parsed query.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct SearchQuery {
    /// Words that must all appear.
    pub required: Vec<String>,
    /// Phrases (two or more words in order) that must all appear.
    pub phrases: Vec<Vec<String>>,
    /// Words that must not appear.
    pub excluded: Vec<String>,
}

impl SearchQuery {
    /// Parses what a user typed.
    pub fn parse(raw: &str) -> Result<Self, InvalidQuery> {
        if raw.chars().count() > MAX_QUERY_CHARS {
            return Err(InvalidQuery::from(format!("a search query is at most {MAX_QUERY_CHARS} characters")));
        }
        let mut query = SearchQuery::default();
        let mut parts = 0;
        let mut rest = raw;
        while let Some(start) = rest.find(|c: char| !c.is_whitespace()) {
            rest = &rest[start..];
            let (piece, excluded, quoted, next) = if let Some(body) = rest.strip_prefix('"') {
                let end = body.find('"').unwrap_or(body.len());
                (&body[..end], false, true, body.get(end + 1..).unwrap_or(""))
            } else {
                let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
                let word = &rest[..end];
                let (word, excluded) = match word.strip_prefix('-') {
                    Some(w) => (w, true),
                    None => (word.strip_prefix('+').unwrap_or(word), false),
                };
                (word, excluded, false, &rest[end..])
            };
            rest = next;
            let words = terms(piece);
            if words.is_empty() {
                continue;
            }
            parts += 1;
            if parts > MAX_QUERY_PARTS {
                return Err(InvalidQuery::from(format!(
                    "a search query has at most {MAX_QUERY_PARTS} words and phrases"
                )));
            }
            match (excluded, quoted || words.len() > 1) {
                (true, _) => query.excluded.extend(words),
                (false, true) if words.len() > 1 => query.phrases.push(words),
                (false, _) => query.required.extend(words),
            }
        }
        query.required.dedup();
        if query.required.is_empty() && query.phrases.is_empty() {
            return Err(InvalidQuery::from(
                "a search query needs at least one word or phrase to find (excluded words alone match nothing)",
            ));
        }
        Ok(query)
    }

    /// Every term that must appear, phrase words included.
    pub fn positive_terms(&self) -> Vec<&str> {
        let mut all: Vec<&str> = self.required.iter().map(String::as_str).collect();
        for phrase in &self.phrases {
            all.extend(phrase.iter().map(String::as_str));
        }
        all.sort_unstable();
        all.dedup();
        all
    }

    /// The words and phrases that must appear, each as its list of terms:
    /// required words first, then phrases. [`Self::to_fts5`] writes them in
    /// this order, so FTS5 numbers its phrases the same way.
    pub fn positive_parts(&self) -> Vec<&[String]> {
        self.required.iter().map(std::slice::from_ref).chain(self.phrases.iter().map(Vec::as_slice)).collect()
    }

    /// The query in FTS5 syntax, every term quoted so nothing in it is an operator.
    pub fn to_fts5(&self) -> String {
        let quote = |words: &[String]| format!("\"{}\"", words.join(" ").replace('"', "\"\""));
        let mut fts = self.positive_parts().into_iter().map(quote).collect::<Vec<_>>().join(" AND ");
        for word in &self.excluded {
            fts = format!("({fts}) NOT {}", quote(std::slice::from_ref(word)));
        }
        fts
    }

    /// Whether a text's terms satisfy the query (used to check phrases and
    /// exclusions after an index look-up).
    pub fn matches(&self, text_terms: &[String]) -> bool {
        let has = |t: &str| text_terms.iter().any(|x| x == t);
        self.required.iter().all(|t| has(t))
            && !self.excluded.iter().any(|t| has(t))
            && self.phrases.iter().all(|p| text_terms.windows(p.len()).any(|w| w == p.as_slice()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_fold_case_accents_and_punctuation() {
        assert_eq!(terms("We're in Zürich — Égypte's ÉLAN!"), ["we", "re", "in", "zurich", "egypte", "s", "elan"]);
        assert_eq!(terms("$ne {\"$gt\": 1} (a+)+$"), ["ne", "gt", "1", "a"]);
    }

    #[test]
    fn parses_words_phrases_required_and_excluded() {
        let q = SearchQuery::parse(r#"  Lavrov "finish line" +ISSG -Kerry "#).unwrap();
        assert_eq!(q.required, ["lavrov", "issg"]);
        assert_eq!(q.phrases, [vec!["finish".to_string(), "line".to_string()]]);
        assert_eq!(q.excluded, ["kerry"]);
        assert_eq!(q.to_fts5(), r#"("lavrov" AND "issg" AND "finish line") NOT "kerry""#);
    }

    #[test]
    fn operators_and_junk_stay_data() {
        let q = SearchQuery::parse(r#"NOT OR "a" * NEAR(x) {"$ne": null}"#).unwrap();
        assert!(q.to_fts5().split(" AND ").all(|t| t.starts_with('"') && t.ends_with('"')));
        assert!(SearchQuery::parse("").is_err());
        assert!(SearchQuery::parse("   -only -excluded").is_err());
        assert!(SearchQuery::parse("!!! ???").is_err());
        assert!(SearchQuery::parse(&"a".repeat(10_000)).is_err());
        assert!(SearchQuery::parse(&"w ".repeat(30)).is_err());
    }

    #[test]
    fn matching_checks_phrase_order_and_exclusions() {
        let q = SearchQuery::parse(r#""finish line" -kerry"#).unwrap();
        assert!(q.matches(&terms("a long way from the finish line")));
        assert!(!q.matches(&terms("the line to finish")));
        assert!(!q.matches(&terms("Kerry saw the finish line")));
    }
}
