//! What an input is, told from its content: an HTML page, NDJSON (one article
//! per line), or plain article text. File names are not trusted: a binary file
//! named `.html` is refused as binary, a text file named `.html` is text.

use super::Submission;

/// The largest input read (a file, standard input or one NDJSON line's page).
pub const MAX_SOURCE_BYTES: usize = 16 * 1024 * 1024;

/// The kinds of input `newsgraph ingest` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Article text: a short first line followed by a blank line is the headline.
    Text,
    /// A web page; its main text and metadata are read by [`super::page`].
    Html,
    /// One JSON object per line, each a [`Submission`].
    Ndjson,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Html => "HTML",
            Format::Ndjson => "NDJSON",
        }
    }
}

/// Why an input cannot be read as any format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    #[error("the content is binary, not text, HTML or NDJSON")]
    Binary,
    #[error("the input is empty")]
    Empty,
    #[error("the input is over the limit of {limit} bytes")]
    TooLarge { limit: usize },
}

/// Tells the format of `bytes` from their content.
pub fn detect(bytes: &[u8]) -> Result<Format, SourceError> {
    if bytes.len() > MAX_SOURCE_BYTES {
        return Err(SourceError::TooLarge { limit: MAX_SOURCE_BYTES });
    }
    let utf16 = bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]);
    if !utf16 && is_binary(bytes) {
        return Err(SourceError::Binary);
    }
    let head: String = if utf16 {
        let (text, _, _) = encoding_rs::Encoding::for_bom(bytes)
            .map_or(encoding_rs::UTF_16LE, |(e, _)| e)
            .decode(&bytes[..bytes.len().min(8192)]);
        text.into_owned()
    } else {
        String::from_utf8_lossy(&bytes[..bytes.len().min(8192)]).into_owned()
    };
    let start = head.trim_start_matches('\u{feff}').trim_start();
    if start.is_empty() {
        return Err(SourceError::Empty);
    }
    if start.starts_with('<') && looks_like_html(start) {
        return Ok(Format::Html);
    }
    if utf16 {
        return Err(SourceError::Binary);
    }
    if start.starts_with('{') {
        let first_line = start.lines().next().unwrap_or("");
        if serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(first_line).is_ok() {
            return Ok(Format::Ndjson);
        }
    }
    Ok(Format::Text)
}

/// NUL bytes or more than 1% control characters in the first 8 KiB (the extractor's own bound).
pub fn is_binary(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(8192)];
    let control = head.iter().filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0C)).count();
    head.contains(&0) || control * 100 > head.len()
}

/// Markup a page starts with, in its first kilobytes.
fn looks_like_html(start: &str) -> bool {
    let lower = start[..start.len().min(4096)].to_ascii_lowercase();
    ["<!doctype html", "<html", "<head", "<body", "<meta", "<title", "<article", "<div", "<p>", "<p "]
        .iter()
        .any(|tag| lower.contains(tag))
        || lower.starts_with("<?xml") && lower.contains("<html")
}

/// The lines of an NDJSON input, numbered from 1, blank lines skipped, each
/// parsed on its own: a bad line is an error for that line only.
pub fn ndjson_lines(text: &str) -> impl Iterator<Item = (usize, Result<Submission, String>)> + '_ {
    text.lines().enumerate().filter(|(_, line)| !line.trim().is_empty()).map(|(index, line)| {
        let parsed = serde_json::from_str::<Submission>(line.trim()).map_err(|e| e.to_string());
        (index + 1, parsed)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_told_from_content() {
        assert_eq!(detect(b"<!DOCTYPE html><html><body><p>Hi</p></body></html>"), Ok(Format::Html));
        assert_eq!(detect(b"\n  <html lang=\"en\"><p>Hi</p></html>"), Ok(Format::Html));
        assert_eq!(detect(b"{\"text\": \"Hello\"}\n{\"html\": \"<p>x</p>\"}\n"), Ok(Format::Ndjson));
        assert_eq!(detect(b"Port strike ends\n\nThe strike ended."), Ok(Format::Text));
        assert_eq!(detect("{not json} is text".as_bytes()), Ok(Format::Text));
        assert_eq!(detect(b"<3 this story is text"), Ok(Format::Text));
        assert_eq!(detect(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D]), Err(SourceError::Binary));
        assert_eq!(detect(b"  \n "), Err(SourceError::Empty));
        assert_eq!(detect(&vec![b'a'; MAX_SOURCE_BYTES + 1]), Err(SourceError::TooLarge { limit: MAX_SOURCE_BYTES }));
        let mut utf16 = vec![0xFF, 0xFE];
        for unit in "<html><p>Grüße</p></html>".encode_utf16() {
            utf16.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(detect(&utf16), Ok(Format::Html));
    }

    #[test]
    fn ndjson_lines_fail_one_by_one() {
        let input = "{\"text\":\"A\",\"publishedAt\":\"2026-03-14T08:30:00Z\"}\n\nnot json\n{\"txt\":\"typo\"}\n";
        let lines: Vec<_> = ndjson_lines(input).collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0].0, 1);
        let first = lines[0].1.as_ref().unwrap();
        assert_eq!(first.text.as_deref(), Some("A"));
        assert_eq!(first.published_at.unwrap().to_rfc3339(), "2026-03-14T08:30:00+00:00");
        assert_eq!(lines[1].0, 3);
        assert!(lines[1].1.is_err());
        assert!(lines[2].1.as_ref().unwrap_err().contains("unknown field `txt`"), "{:?}", lines[2]);
    }
}
