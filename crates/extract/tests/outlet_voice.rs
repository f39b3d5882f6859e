//! An outlet or a document speaking in its own voice, and the phrases that refer back
//! to it: "the magazine said", "the report said", "It said", "an AFP tally", a
//! participle continuing the sentence's subject ("…, saying …").

use newsgraph_extract::{Extraction, Quote, extract};

fn run(body: &str) -> Extraction {
    extract(&format!("Report\n\n{body}\n")).expect("an extraction")
}

fn quote_with<'e>(x: &'e Extraction, words: &str) -> &'e Quote {
    x.quotes
        .iter()
        .find(|q| q.text.contains(words))
        .unwrap_or_else(|| panic!("no quote with {words:?}: {:#?}", x.quotes))
}

/// The outlet's own voice: no other speaker, the outlet as via (the seed's form).
fn assert_outlet_voice(q: &Quote, outlet: &str) {
    assert!(q.speaker.is_none() || q.speaker.as_deref() == Some(outlet), "speaker {:?}", q.speaker);
    assert_eq!(q.via, [outlet], "{q:#?}");
}

#[test]
fn it_and_the_magazine_go_on_for_the_outlet_that_spoke_before() {
    let x = run("Der Spiegel, citing intelligence officials, said a courier had carried the plans across the \
         border. It said investigators considered the warning serious. The new measures, the magazine said, \
         would stay in place until the end of the month.");
    assert_outlet_voice(quote_with(&x, "investigators considered the warning serious"), "Der Spiegel");
    assert_outlet_voice(quote_with(&x, "would stay in place"), "Der Spiegel");
}

#[test]
fn the_report_cited_and_the_newspaper_quoted_are_relayed_by_the_outlet_named_before() {
    let x = run("Days earlier the Nikkei Shimbun reported that dozens of former officers had travelled abroad. \
         The report cited a retired colonel named Wang Li-ming as saying that he had been paid for his \
         silence. \u{201c}I do not regret it,\u{201d} the newspaper quoted Wang as saying.");
    let cited = quote_with(&x, "paid for his silence");
    assert_eq!(cited.speaker.as_deref(), Some("Wang Li-ming"));
    assert_eq!(cited.via, ["Nikkei"]);
    let quoted = quote_with(&x, "I do not regret it");
    assert_eq!(quoted.speaker.as_deref(), Some("Wang Li-ming"));
    assert_eq!(quoted.via, ["Nikkei"]);
}

#[test]
fn a_tally_by_an_agency_is_the_agency_speaking() {
    let x = run("According to an AFP tally based on official figures, the floods have reached at least 30 \
         villages, most of them in the north.");
    assert_outlet_voice(quote_with(&x, "the floods have reached at least 30 villages"), "Agence France-Presse");
}

#[test]
fn a_report_speaks_as_described_or_for_the_body_that_published_it() {
    let x = run("Three men were detained near the base, according to an internal army report seen by \
         journalists on Monday. The report said the men had tried to climb the fence twice. \
         \u{201c}We will not comment on operational matters,\u{201d} he added.");
    let first = quote_with(&x, "Three men were detained");
    assert_eq!(first.speaker.as_deref(), Some("an internal army report"));
    let again = quote_with(&x, "tried to climb the fence");
    assert_eq!(again.speaker.as_deref(), Some("an internal army report"));
    let added = quote_with(&x, "We will not comment");
    assert_ne!(added.speaker.as_deref(), Some("an internal army report"), "a report is never 'he'");

    let x = run("Alpine lakes lost a fifth of their ice cover in a decade, according to a report published on \
         Friday by the Norwegian Polar Institute.");
    assert_eq!(quote_with(&x, "lost a fifth of their ice cover").speaker.as_deref(), Some("Norwegian Polar Institute"));
}

#[test]
fn a_participle_after_a_quoted_term_speaks_for_the_sentence_subject() {
    let x = run("The Tasnim news agency described the gatherings as \u{201c}scattered\u{201d}, saying they were \
         \u{201c}mostly made up of a few dozen students from the university\u{201d}.");
    let q = quote_with(&x, "mostly made up of a few dozen students");
    assert_outlet_voice(q, "Tasnim News Agency");
    assert!(x.quotes.iter().all(|q| q.text != "scattered"), "a quoted term is not a statement: {:#?}", x.quotes);
}
