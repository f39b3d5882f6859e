//! The embedded store's schema, applied in order; `PRAGMA user_version`
//! records how many migrations ran.
//!
//! Entities are rows holding their JSON document plus the columns queries
//! filter and sort on. Relations live in `links` (indexed from both ends),
//! names and aliases in `names`, and full text in two FTS5 tables that fold
//! case and accents (`unicode61 remove_diacritics 2`). The FTS tables are
//! contentless (the text is already in the documents) and keyed by the rowid
//! of their entity, which upserts keep stable.
//!
//! Links from a quote (`quote_via`, `quote_speaker_org`) carry the quote's
//! date sort key, so "this source's quotes, newest first" is one range of the
//! `links_sorted` index instead of a sort of all that source's quotes.

/// The migrations, oldest first.
pub const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE articles (
    id TEXT PRIMARY KEY,
    outlet TEXT,
    published_at TEXT,
    sort_date TEXT NOT NULL,
    language TEXT,
    doc TEXT NOT NULL
);
CREATE INDEX articles_outlet ON articles (outlet, id);
CREATE INDEX articles_sort_date ON articles (sort_date, id);
CREATE INDEX articles_published_at ON articles (published_at);

CREATE TABLE people (id TEXT PRIMARY KEY, name_key TEXT NOT NULL, doc TEXT NOT NULL);
CREATE INDEX people_name ON people (name_key, id);

CREATE TABLE organizations (id TEXT PRIMARY KEY, kind TEXT NOT NULL, name_key TEXT NOT NULL, doc TEXT NOT NULL);
CREATE INDEX organizations_kind ON organizations (kind, id);
CREATE INDEX organizations_name ON organizations (name_key, id);

CREATE TABLE quotes (
    id TEXT PRIMARY KEY,
    article TEXT NOT NULL,
    speaker_person TEXT,
    speaker_org TEXT,
    speaker_key TEXT,
    direct INTEGER NOT NULL,
    day TEXT,
    week TEXT,
    month TEXT,
    sort_date TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX quotes_article ON quotes (article, id);
CREATE INDEX quotes_speaker_person ON quotes (speaker_person, id);
CREATE INDEX quotes_speaker_org ON quotes (speaker_org, id);
CREATE INDEX quotes_speaker_key ON quotes (speaker_key);
CREATE INDEX quotes_sort_date ON quotes (sort_date, id);
-- Covering for dashboards over a date range: counts by period and by speaker.
CREATE INDEX quotes_day ON quotes (day, week, month, speaker_key);

CREATE TABLE names (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    id TEXT NOT NULL,
    is_name INTEGER NOT NULL,
    PRIMARY KEY (kind, key, id)
) WITHOUT ROWID;

CREATE TABLE links (
    rel TEXT NOT NULL,
    src TEXT NOT NULL,
    dst TEXT NOT NULL,
    sort_key TEXT,
    PRIMARY KEY (rel, src, dst)
) WITHOUT ROWID;
CREATE INDEX links_reverse ON links (rel, dst, src);
CREATE INDEX links_sorted ON links (rel, dst, sort_key, src);
-- Covering for counts by source or speaker organization over a date range.
CREATE INDEX links_dated ON links (rel, sort_key, dst);

CREATE VIRTUAL TABLE articles_fts USING fts5(
    headline, body, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE quotes_fts USING fts5(
    text, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2'
);
"#,
    // The write sequence subscriptions tail (see `changes.rs`). AUTOINCREMENT:
    // a number is never handed out twice, even after the last row is deleted.
    r#"
CREATE TABLE changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    entity TEXT NOT NULL
);
"#,
];

/// Relation names in the `links` table: `src` holds the id of the owning side.
pub mod rel {
    pub const ARTICLE_PERSON: &str = "article_person";
    pub const ARTICLE_ORG: &str = "article_org";
    pub const PERSON_ORG: &str = "person_org";
    pub const ORG_MEMBER_OF: &str = "org_member_of";
    pub const QUOTE_VIA: &str = "quote_via";
    /// Derived: the organizations a quote's speaker belongs to (a person's
    /// affiliations, or an anonymous speaker's affiliation). Kept current when
    /// a person's affiliations change.
    pub const QUOTE_SPEAKER_ORG: &str = "quote_speaker_org";
}
