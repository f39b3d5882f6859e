//! Input that is not a normal article: a clear error or an empty/partial extraction,
//! never a panic.

use newsgraph_extract::{ExtractError, MAX_INPUT_BYTES, extract, extract_bytes};

#[test]
fn empty_and_blank_text() {
    assert_eq!(extract(""), Err(ExtractError::Empty));
    assert_eq!(extract("  \n\t \r\n "), Err(ExtractError::Empty));
    assert_eq!(extract_bytes(b""), Err(ExtractError::Empty));
}

#[test]
fn binary_input() {
    assert_eq!(extract_bytes(b"GIF89a\x00\x01\x02\x03"), Err(ExtractError::Binary));
    assert_eq!(extract("text with a \0 NUL"), Err(ExtractError::Binary));
    let control: String = std::iter::repeat_n("\u{1}\u{2}abc", 50).collect();
    assert_eq!(extract(&control), Err(ExtractError::Binary));
    // A stray control character in a long text is tolerated.
    let mostly_text = format!("{}\u{7}", "Officials said the talks went well. ".repeat(10));
    assert!(extract(&mostly_text).is_ok());
}

#[test]
fn non_utf8_bytes() {
    let bytes = b"Kerry said \xff\xfe this";
    assert_eq!(extract_bytes(bytes), Err(ExtractError::NotUtf8 { valid_up_to: 11 }));
    let err = extract_bytes(bytes).expect_err("rejected");
    assert!(err.to_string().contains("UTF-8"));
}

#[test]
fn ten_megabytes_are_rejected() {
    let big = "a".repeat(10 * 1024 * 1024);
    assert_eq!(extract(&big), Err(ExtractError::TooLarge { bytes: big.len(), limit: MAX_INPUT_BYTES }));
    assert!(matches!(extract_bytes(big.as_bytes()), Err(ExtractError::TooLarge { .. })));
    let msg = extract(&big).expect_err("too large").to_string();
    assert!(msg.contains("limit"), "{msg}");
}

#[test]
fn text_at_the_limit_is_processed() {
    let para = "\"We will keep talking,\" said Maria Lopez, a senior official at the United Nations. Officials said the plan would work, according to Reuters.\n";
    let n = MAX_INPUT_BYTES / para.len();
    let text = para.repeat(n);
    assert!(text.len() <= MAX_INPUT_BYTES);
    let start = std::time::Instant::now();
    let x = extract(&text).expect("within the limit");
    assert!(x.quotes.len() >= n);
    assert!(start.elapsed().as_secs() < 60, "too slow: {:?}", start.elapsed());
}

#[test]
fn unbalanced_quotation_marks() {
    let x =
        extract("Kerry said: \"We will win. Lavrov disagreed.\n\nNext paragraph \" and “ again ” ” done.").expect("ok");
    let chars = x.body.chars().count();
    for q in &x.quotes {
        assert!(q.start <= q.end && q.end <= chars);
    }
    let x = extract("“Opened and never closed, she said").expect("ok");
    assert!(x.quotes.len() <= 1);
}

#[test]
fn text_without_quotes_or_names() {
    let x = extract("the weather was mild and nothing much happened today.").expect("ok");
    assert!(x.quotes.is_empty());
    assert!(x.people.is_empty());
    assert!(x.organizations.is_empty());
}

#[test]
fn headline_only_and_odd_line_ends() {
    let x = extract("Just A Headline").expect("ok");
    assert_eq!(x.headline, None);
    assert_eq!(x.body, "Just A Headline");
    let x = extract("Big Deal Signed\r\n\r\nThe company said on Monday it had signed the deal.\r\n").expect("ok");
    assert_eq!(x.headline.as_deref(), Some("Big Deal Signed"));
    assert!(!x.body.contains('\r'));
    assert_eq!(x.quotes.len(), 1);
}
