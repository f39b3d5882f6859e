//! The embedded store's schema, applied in order; `PRAGMA user_version`
//! records how many migrations ran.
//!
//! Entities are rows holding their JSON document plus the columns queries
//! filter and sort on. Relations live in `links` (indexed from both ends),
//! names and aliases in `names`, and full text in two FTS5 tables. The FTS
//! tables are contentless (the text is already in the documents), keyed by the
//! rowid of their entity (which upserts keep stable), and since migration 6
//! hold the shared tokenizer's terms, keyed by that rowid shifted left with the
//! text's length in its low bits, with per-term document counts in
//! `search_terms` (see `text.rs`).
//!
//! `list_counts` (migration 8) holds how many rows each root list has, and
//! how many quotes each source and each speaker has, so that `totalCount`
//! does not grow with the store (see `lists.rs`); since migration 12 also
//! how many articles each outlet published, how many people each
//! organization has, and how many quotes each speaker organization has.
//!
//! `quote_counts` holds how many quotes fall in each year and month (and, for
//! the total, each day) overall, by source, by speaker and by speaker
//! organization, kept by triggers on `quotes` and `links` (see `counts.rs`),
//! and how many dated quotes each speaker has of all time (migration 5);
//! since migration 9 also each day by source and by speaker organization, and
//! `speaker_days` each day by speaker.
//!
//! Links from a quote (`quote_via`, `quote_speaker_org`) carry the quote's
//! date sort key, so "this source's quotes, newest first" is one range of the
//! `links_sorted` index instead of a sort of all that source's quotes.

/// Counts every stored quote into `quote_counts` (which must be empty): the
/// end of migration 3. A bulk load counts the same rows faster (`bulk::BACKFILL`).
macro_rules! counts_backfill {
    () => {
        r#"
INSERT INTO quote_counts (dim, grain, period, key, n)
    SELECT 'all', g.grain, substr(q.day, 1, g.len), '', count(*)
    FROM quotes q, (SELECT 'y' AS grain, 4 AS len UNION ALL SELECT 'm', 7 UNION ALL SELECT 'd', 10) g
    WHERE q.day IS NOT NULL GROUP BY 1, 2, 3, 4
    UNION ALL
    SELECT 'speaker', g.grain, substr(q.day, 1, g.len), q.speaker_key, count(*)
    FROM quotes q, (SELECT 'y' AS grain, 4 AS len UNION ALL SELECT 'm', 7) g
    WHERE q.day IS NOT NULL AND q.speaker_key IS NOT NULL GROUP BY 1, 2, 3, 4
    UNION ALL
    SELECT CASE l.rel WHEN 'quote_via' THEN 'source' ELSE 'org' END, g.grain, substr(l.sort_key, 1, g.len), l.dst, count(*)
    FROM links l, (SELECT 'y' AS grain, 4 AS len UNION ALL SELECT 'm', 7) g
    WHERE l.rel IN ('quote_via', 'quote_speaker_org') AND l.sort_key <> '' GROUP BY 1, 2, 3, 4;
"#
    };
}

/// Counts every stored dated quote into its speaker's all-time row
/// (`dim = 'speaker'`, `grain = 't'`, `period = ''`), which must not exist yet:
/// the end of migration 5.
macro_rules! totals_backfill {
    () => {
        r#"
INSERT INTO quote_counts (dim, grain, period, key, n)
    SELECT 'speaker', 't', '', speaker_key, count(*) FROM quotes
    WHERE day IS NOT NULL AND speaker_key IS NOT NULL GROUP BY speaker_key;
"#
    };
}

/// Counts every stored row into `list_counts` (which must be empty): the end
/// of migration 8, and of a bulk load (`bulk.rs`), which drops the triggers
/// that keep it.
macro_rules! list_counts_backfill {
    () => {
        r#"
INSERT INTO list_counts (list, key, n)
    SELECT 'articles', '', count(*) FROM articles
    UNION ALL SELECT 'people', '', count(*) FROM people
    UNION ALL SELECT 'organizations', '', count(*) FROM organizations
    UNION ALL SELECT 'quotes', '', count(*) FROM quotes
    UNION ALL SELECT 'speaker', speaker_person, count(*) FROM quotes WHERE speaker_person IS NOT NULL GROUP BY speaker_person
    UNION ALL SELECT 'via', dst, count(*) FROM links WHERE rel = 'quote_via' GROUP BY dst;
"#
    };
}

/// Counts every stored dated quote into `speaker_days` and into the per-day
/// `quote_counts` rows of sources and speaker organizations (none of which may
/// exist yet): the end of migration 9.
macro_rules! days_backfill {
    () => {
        r#"
INSERT INTO speaker_days (speaker_key, day, n)
    SELECT speaker_key, day, count(*) FROM quotes
    WHERE day IS NOT NULL AND speaker_key IS NOT NULL GROUP BY speaker_key, day;
INSERT INTO quote_counts (dim, grain, period, key, n)
    SELECT CASE rel WHEN 'quote_via' THEN 'source' ELSE 'org' END, 'd', substr(sort_key, 1, 10), dst, count(*) FROM links
    WHERE rel IN ('quote_via', 'quote_speaker_org') AND sort_key <> '' GROUP BY rel, 3, dst;
"#
    };
}

/// Counts every stored row into the `list_counts` rows of migration 12
/// (`outlet`, `affiliation` and `speaker_org`, none of which may exist yet):
/// the end of that migration, and of a bulk load.
macro_rules! filtered_list_counts_backfill {
    () => {
        r#"
INSERT INTO list_counts (list, key, n)
    SELECT 'outlet', outlet, count(*) FROM articles WHERE outlet IS NOT NULL GROUP BY outlet
    UNION ALL SELECT 'affiliation', dst, count(*) FROM links WHERE rel = 'person_org' GROUP BY dst
    UNION ALL SELECT 'speaker_org', dst, count(*) FROM links WHERE rel = 'quote_speaker_org' GROUP BY dst;
"#
    };
}

/// [`filtered_list_counts_backfill!`] as a value, for the bulk load (after
/// [`LIST_COUNTS_BACKFILL`], into a `list_counts` it has emptied).
pub const FILTERED_LIST_COUNTS_BACKFILL: &str = filtered_list_counts_backfill!();

/// [`list_counts_backfill!`] as a value, for the bulk load.
pub const LIST_COUNTS_BACKFILL: &str = list_counts_backfill!();

/// [`days_backfill!`] as a value, for the bulk load (which may run on a store that
/// has rows, so `speaker_days` is emptied first; its day rows of `quote_counts` are
/// gone with the bulk load's own recount).
pub const DAYS_BACKFILL: &str = concat!("DELETE FROM speaker_days;", days_backfill!());

/// [`counts_backfill!`] and [`totals_backfill!`] as a value: the bulk load's
/// faster backfill is tested against it.
#[cfg(test)]
pub const COUNTS_BACKFILL: &str = concat!(counts_backfill!(), totals_backfill!(), days_backfill!());

/// Takes migration 9 back out (its table, triggers and rows), for tests that
/// make a store look as an older version left it.
#[cfg(test)]
pub const UNDO_MIGRATION_9: &str = "
DROP TRIGGER quotes_days_insert;
DROP TRIGGER quotes_days_delete;
DROP TRIGGER quotes_days_update;
DROP TRIGGER links_days_insert;
DROP TRIGGER links_days_delete;
DROP TRIGGER links_days_update;
DROP TABLE speaker_days;
DELETE FROM quote_counts WHERE grain = 'd' AND dim <> 'all';
";

/// Takes migration 10 (copies) back out, for tests that make a store look as
/// an older version left it.
#[cfg(test)]
pub const UNDO_MIGRATION_10: &str = "
DROP TABLE copy_keys;
DROP INDEX articles_copy_of;
ALTER TABLE articles DROP COLUMN copy_of;
DROP INDEX quotes_copy_of;
ALTER TABLE quotes DROP COLUMN copy_of;
";

/// Takes migration 12 (filtered list totals) back out (its triggers and rows), for
/// tests that make a store look as an older version left it.
#[cfg(test)]
pub const UNDO_MIGRATION_12: &str = "
DROP TRIGGER articles_outlet_list_insert;
DROP TRIGGER articles_outlet_list_delete;
DROP TRIGGER articles_outlet_list_update;
DROP TRIGGER org_links_list_insert;
DROP TRIGGER org_links_list_delete;
DROP TRIGGER org_links_list_update;
DELETE FROM list_counts WHERE list IN ('outlet', 'affiliation', 'speaker_org');
";

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
    concat!(
        r#"
-- Pre-aggregated quote counts for dashboards, kept by triggers so that every
-- write path (upserts, replaced and removed quotes, a person's new
-- affiliations) keeps them exact inside its own transaction. `n` may reach 0
-- after deletions; readers skip empty groups.
CREATE TABLE quote_counts (
    dim TEXT NOT NULL,
    grain TEXT NOT NULL,
    period TEXT NOT NULL,
    key TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (dim, grain, period, key)
) WITHOUT ROWID;

CREATE TRIGGER quotes_count_insert AFTER INSERT ON quotes BEGIN
    INSERT INTO quote_counts (dim, grain, period, key, n)
        SELECT 'all', 'y', substr(NEW.day, 1, 4), '', 1 WHERE NEW.day IS NOT NULL
        UNION ALL SELECT 'all', 'm', substr(NEW.day, 1, 7), '', 1 WHERE NEW.day IS NOT NULL
        UNION ALL SELECT 'all', 'd', NEW.day, '', 1 WHERE NEW.day IS NOT NULL
        UNION ALL SELECT 'speaker', 'y', substr(NEW.day, 1, 4), NEW.speaker_key, 1
            WHERE NEW.day IS NOT NULL AND NEW.speaker_key IS NOT NULL
        UNION ALL SELECT 'speaker', 'm', substr(NEW.day, 1, 7), NEW.speaker_key, 1
            WHERE NEW.day IS NOT NULL AND NEW.speaker_key IS NOT NULL
    ON CONFLICT (dim, grain, period, key) DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER quotes_count_delete AFTER DELETE ON quotes BEGIN
    INSERT INTO quote_counts (dim, grain, period, key, n)
        SELECT 'all', 'y', substr(OLD.day, 1, 4), '', -1 WHERE OLD.day IS NOT NULL
        UNION ALL SELECT 'all', 'm', substr(OLD.day, 1, 7), '', -1 WHERE OLD.day IS NOT NULL
        UNION ALL SELECT 'all', 'd', OLD.day, '', -1 WHERE OLD.day IS NOT NULL
        UNION ALL SELECT 'speaker', 'y', substr(OLD.day, 1, 4), OLD.speaker_key, -1
            WHERE OLD.day IS NOT NULL AND OLD.speaker_key IS NOT NULL
        UNION ALL SELECT 'speaker', 'm', substr(OLD.day, 1, 7), OLD.speaker_key, -1
            WHERE OLD.day IS NOT NULL AND OLD.speaker_key IS NOT NULL
    ON CONFLICT (dim, grain, period, key) DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER quotes_count_update AFTER UPDATE OF day, speaker_key ON quotes
WHEN OLD.day IS NOT NEW.day OR OLD.speaker_key IS NOT NEW.speaker_key BEGIN
    INSERT INTO quote_counts (dim, grain, period, key, n)
        SELECT 'all', 'y', substr(OLD.day, 1, 4), '', -1 WHERE OLD.day IS NOT NULL
        UNION ALL SELECT 'all', 'm', substr(OLD.day, 1, 7), '', -1 WHERE OLD.day IS NOT NULL
        UNION ALL SELECT 'all', 'd', OLD.day, '', -1 WHERE OLD.day IS NOT NULL
        UNION ALL SELECT 'speaker', 'y', substr(OLD.day, 1, 4), OLD.speaker_key, -1
            WHERE OLD.day IS NOT NULL AND OLD.speaker_key IS NOT NULL
        UNION ALL SELECT 'speaker', 'm', substr(OLD.day, 1, 7), OLD.speaker_key, -1
            WHERE OLD.day IS NOT NULL AND OLD.speaker_key IS NOT NULL
    ON CONFLICT (dim, grain, period, key) DO UPDATE SET n = n + excluded.n;
    INSERT INTO quote_counts (dim, grain, period, key, n)
        SELECT 'all', 'y', substr(NEW.day, 1, 4), '', 1 WHERE NEW.day IS NOT NULL
        UNION ALL SELECT 'all', 'm', substr(NEW.day, 1, 7), '', 1 WHERE NEW.day IS NOT NULL
        UNION ALL SELECT 'all', 'd', NEW.day, '', 1 WHERE NEW.day IS NOT NULL
        UNION ALL SELECT 'speaker', 'y', substr(NEW.day, 1, 4), NEW.speaker_key, 1
            WHERE NEW.day IS NOT NULL AND NEW.speaker_key IS NOT NULL
        UNION ALL SELECT 'speaker', 'm', substr(NEW.day, 1, 7), NEW.speaker_key, 1
            WHERE NEW.day IS NOT NULL AND NEW.speaker_key IS NOT NULL
    ON CONFLICT (dim, grain, period, key) DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER links_count_insert AFTER INSERT ON links WHEN NEW.rel IN ('quote_via', 'quote_speaker_org') AND NEW.sort_key <> '' BEGIN
    INSERT INTO quote_counts (dim, grain, period, key, n)
    VALUES (CASE NEW.rel WHEN 'quote_via' THEN 'source' ELSE 'org' END, 'y', substr(NEW.sort_key, 1, 4), NEW.dst, 1),
           (CASE NEW.rel WHEN 'quote_via' THEN 'source' ELSE 'org' END, 'm', substr(NEW.sort_key, 1, 7), NEW.dst, 1)
    ON CONFLICT (dim, grain, period, key) DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER links_count_delete AFTER DELETE ON links WHEN OLD.rel IN ('quote_via', 'quote_speaker_org') AND OLD.sort_key <> '' BEGIN
    INSERT INTO quote_counts (dim, grain, period, key, n)
    VALUES (CASE OLD.rel WHEN 'quote_via' THEN 'source' ELSE 'org' END, 'y', substr(OLD.sort_key, 1, 4), OLD.dst, -1),
           (CASE OLD.rel WHEN 'quote_via' THEN 'source' ELSE 'org' END, 'm', substr(OLD.sort_key, 1, 7), OLD.dst, -1)
    ON CONFLICT (dim, grain, period, key) DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER links_count_update AFTER UPDATE ON links WHEN OLD.rel IN ('quote_via', 'quote_speaker_org') AND OLD.sort_key <> '' OR NEW.rel IN ('quote_via', 'quote_speaker_org') AND NEW.sort_key <> '' BEGIN
    INSERT INTO quote_counts (dim, grain, period, key, n)
        SELECT CASE OLD.rel WHEN 'quote_via' THEN 'source' ELSE 'org' END, g.grain, substr(OLD.sort_key, 1, g.len), OLD.dst, -1
        FROM (SELECT 'y' AS grain, 4 AS len UNION ALL SELECT 'm', 7) g WHERE OLD.rel IN ('quote_via', 'quote_speaker_org') AND OLD.sort_key <> ''
    ON CONFLICT (dim, grain, period, key) DO UPDATE SET n = n + excluded.n;
    INSERT INTO quote_counts (dim, grain, period, key, n)
        SELECT CASE NEW.rel WHEN 'quote_via' THEN 'source' ELSE 'org' END, g.grain, substr(NEW.sort_key, 1, g.len), NEW.dst, 1
        FROM (SELECT 'y' AS grain, 4 AS len UNION ALL SELECT 'm', 7) g WHERE NEW.rel IN ('quote_via', 'quote_speaker_org') AND NEW.sort_key <> ''
    ON CONFLICT (dim, grain, period, key) DO UPDATE SET n = n + excluded.n;
END;

-- What is already stored.
"#,
        counts_backfill!()
    ),
    r#"
-- `links_sorted` (rel, dst, sort_key, src) answers every look-up from the
-- `dst` end that this index did (sort_key is NULL but for quote links), so
-- each link insert maintains three B-trees instead of four.
DROP INDEX links_reverse;
-- Grouping by speaker reads `quotes_day` (covering) or the counters.
DROP INDEX quotes_speaker_key;
"#,
    concat!(
        r#"
-- Each speaker's all-time count of dated quotes (grain 't', period ''), and
-- the speakers ranked by it: an all-time count bounds the count of any range,
-- so the top speakers of a range are found by visiting speakers in this order
-- and stopping once no later one can enter (see `counts.rs`). Partial, so the
-- year, month and day rows' upserts do not maintain it.
CREATE TRIGGER quotes_total_insert AFTER INSERT ON quotes
WHEN NEW.day IS NOT NULL AND NEW.speaker_key IS NOT NULL BEGIN
    INSERT INTO quote_counts (dim, grain, period, key, n) VALUES ('speaker', 't', '', NEW.speaker_key, 1)
    ON CONFLICT (dim, grain, period, key) DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER quotes_total_delete AFTER DELETE ON quotes
WHEN OLD.day IS NOT NULL AND OLD.speaker_key IS NOT NULL BEGIN
    INSERT INTO quote_counts (dim, grain, period, key, n) VALUES ('speaker', 't', '', OLD.speaker_key, -1)
    ON CONFLICT (dim, grain, period, key) DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER quotes_total_update AFTER UPDATE OF day, speaker_key ON quotes
WHEN (OLD.day IS NULL) IS NOT (NEW.day IS NULL) OR OLD.speaker_key IS NOT NEW.speaker_key BEGIN
    INSERT INTO quote_counts (dim, grain, period, key, n)
        SELECT 'speaker', 't', '', OLD.speaker_key, -1 WHERE OLD.day IS NOT NULL AND OLD.speaker_key IS NOT NULL
    ON CONFLICT (dim, grain, period, key) DO UPDATE SET n = n + excluded.n;
    INSERT INTO quote_counts (dim, grain, period, key, n)
        SELECT 'speaker', 't', '', NEW.speaker_key, 1 WHERE NEW.day IS NOT NULL AND NEW.speaker_key IS NOT NULL
    ON CONFLICT (dim, grain, period, key) DO UPDATE SET n = n + excluded.n;
END;
CREATE INDEX quote_counts_ranked ON quote_counts (dim, n DESC, key) WHERE grain = 't';
"#,
        totals_backfill!()
    ),
    // Full text as the shared tokenizer splits it, and per-term document
    // counts for ranking (see `text.rs`); the FTS rows are rebuilt by
    // `text::reindex`, which runs in this migration's transaction.
    r#"
CREATE TABLE search_terms (
    target TEXT NOT NULL,
    term TEXT NOT NULL,
    docs INTEGER NOT NULL,
    PRIMARY KEY (target, term)
) WITHOUT ROWID;
"#,
    // Rewriting a person or organization replaces its names: without this the
    // delete scanned every name of its kind (the key leads with `key`).
    r#"
CREATE INDEX names_by_entity ON names (kind, id);
"#,
    concat!(
        r#"
-- How many rows each root list holds, kept by triggers in every write's own
-- transaction, so an unfiltered `totalCount` (and one narrowed to a single
-- source or a single speaker) reads one row instead of counting the whole
-- table on every request: at 1M articles that count took 1.5 s.
-- `list` is `articles`, `people`, `organizations` or `quotes` (key ''),
-- `via` (key: a source's id; its quotes) or `speaker` (key: a person's id;
-- their quotes). A bulk load drops these triggers and recounts (`bulk.rs`).
CREATE TABLE list_counts (
    list TEXT NOT NULL,
    key TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (list, key)
) WITHOUT ROWID;
CREATE TRIGGER articles_list_insert AFTER INSERT ON articles BEGIN
    INSERT INTO list_counts (list, key, n) VALUES ('articles', '', 1) ON CONFLICT (list, key) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER articles_list_delete AFTER DELETE ON articles BEGIN
    INSERT INTO list_counts (list, key, n) VALUES ('articles', '', -1) ON CONFLICT (list, key) DO UPDATE SET n = n - 1;
END;
CREATE TRIGGER people_list_insert AFTER INSERT ON people BEGIN
    INSERT INTO list_counts (list, key, n) VALUES ('people', '', 1) ON CONFLICT (list, key) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER people_list_delete AFTER DELETE ON people BEGIN
    INSERT INTO list_counts (list, key, n) VALUES ('people', '', -1) ON CONFLICT (list, key) DO UPDATE SET n = n - 1;
END;
CREATE TRIGGER organizations_list_insert AFTER INSERT ON organizations BEGIN
    INSERT INTO list_counts (list, key, n) VALUES ('organizations', '', 1) ON CONFLICT (list, key) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER organizations_list_delete AFTER DELETE ON organizations BEGIN
    INSERT INTO list_counts (list, key, n) VALUES ('organizations', '', -1) ON CONFLICT (list, key) DO UPDATE SET n = n - 1;
END;
CREATE TRIGGER quotes_list_insert AFTER INSERT ON quotes BEGIN
    INSERT INTO list_counts (list, key, n)
        SELECT 'quotes', '', 1 UNION ALL SELECT 'speaker', NEW.speaker_person, 1 WHERE NEW.speaker_person IS NOT NULL
    ON CONFLICT (list, key) DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER quotes_list_delete AFTER DELETE ON quotes BEGIN
    INSERT INTO list_counts (list, key, n)
        SELECT 'quotes', '', -1 UNION ALL SELECT 'speaker', OLD.speaker_person, -1 WHERE OLD.speaker_person IS NOT NULL
    ON CONFLICT (list, key) DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER quotes_list_update AFTER UPDATE OF speaker_person ON quotes
WHEN OLD.speaker_person IS NOT NEW.speaker_person BEGIN
    INSERT INTO list_counts (list, key, n)
        SELECT 'speaker', OLD.speaker_person, -1 WHERE OLD.speaker_person IS NOT NULL
    ON CONFLICT (list, key) DO UPDATE SET n = n + excluded.n;
    INSERT INTO list_counts (list, key, n)
        SELECT 'speaker', NEW.speaker_person, 1 WHERE NEW.speaker_person IS NOT NULL
    ON CONFLICT (list, key) DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER via_list_insert AFTER INSERT ON links WHEN NEW.rel = 'quote_via' BEGIN
    INSERT INTO list_counts (list, key, n) VALUES ('via', NEW.dst, 1) ON CONFLICT (list, key) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER via_list_delete AFTER DELETE ON links WHEN OLD.rel = 'quote_via' BEGIN
    INSERT INTO list_counts (list, key, n) VALUES ('via', OLD.dst, -1) ON CONFLICT (list, key) DO UPDATE SET n = n - 1;
END;
CREATE TRIGGER via_list_update AFTER UPDATE OF rel, dst ON links
WHEN (OLD.rel = 'quote_via' OR NEW.rel = 'quote_via') AND (OLD.rel IS NOT NEW.rel OR OLD.dst IS NOT NEW.dst) BEGIN
    INSERT INTO list_counts (list, key, n) SELECT 'via', OLD.dst, -1 WHERE OLD.rel = 'quote_via'
    ON CONFLICT (list, key) DO UPDATE SET n = n + excluded.n;
    INSERT INTO list_counts (list, key, n) SELECT 'via', NEW.dst, 1 WHERE NEW.rel = 'quote_via'
    ON CONFLICT (list, key) DO UPDATE SET n = n + excluded.n;
END;

-- What is already stored.
"#,
        list_counts_backfill!()
    ),
    concat!(
        r#"
-- Day counters for the edge days of a dashboard range (the days before its
-- first whole month and after its last), which were counted from the quotes'
-- indexes: two months of quotes, ten times as many at 1M articles as at 100k.
-- Per source and per speaker organization they are `quote_counts` rows at
-- grain 'd' (a range of days reads every source's rows of those days: few);
-- per speaker, `speaker_days`, keyed speaker first, because the top speakers
-- of a range are visited one by one (`counts.rs`): one short range each.
CREATE TABLE speaker_days (
    speaker_key TEXT NOT NULL,
    day TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (speaker_key, day)
) WITHOUT ROWID;
CREATE TRIGGER quotes_days_insert AFTER INSERT ON quotes
WHEN NEW.day IS NOT NULL AND NEW.speaker_key IS NOT NULL BEGIN
    INSERT INTO speaker_days (speaker_key, day, n) VALUES (NEW.speaker_key, NEW.day, 1)
    ON CONFLICT (speaker_key, day) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER quotes_days_delete AFTER DELETE ON quotes
WHEN OLD.day IS NOT NULL AND OLD.speaker_key IS NOT NULL BEGIN
    INSERT INTO speaker_days (speaker_key, day, n) VALUES (OLD.speaker_key, OLD.day, -1)
    ON CONFLICT (speaker_key, day) DO UPDATE SET n = n - 1;
END;
CREATE TRIGGER quotes_days_update AFTER UPDATE OF day, speaker_key ON quotes
WHEN OLD.day IS NOT NEW.day OR OLD.speaker_key IS NOT NEW.speaker_key BEGIN
    INSERT INTO speaker_days (speaker_key, day, n)
        SELECT OLD.speaker_key, OLD.day, -1 WHERE OLD.day IS NOT NULL AND OLD.speaker_key IS NOT NULL
    ON CONFLICT (speaker_key, day) DO UPDATE SET n = n + excluded.n;
    INSERT INTO speaker_days (speaker_key, day, n)
        SELECT NEW.speaker_key, NEW.day, 1 WHERE NEW.day IS NOT NULL AND NEW.speaker_key IS NOT NULL
    ON CONFLICT (speaker_key, day) DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER links_days_insert AFTER INSERT ON links WHEN NEW.rel IN ('quote_via', 'quote_speaker_org') AND NEW.sort_key <> '' BEGIN
    INSERT INTO quote_counts (dim, grain, period, key, n)
    VALUES (CASE NEW.rel WHEN 'quote_via' THEN 'source' ELSE 'org' END, 'd', substr(NEW.sort_key, 1, 10), NEW.dst, 1)
    ON CONFLICT (dim, grain, period, key) DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER links_days_delete AFTER DELETE ON links WHEN OLD.rel IN ('quote_via', 'quote_speaker_org') AND OLD.sort_key <> '' BEGIN
    INSERT INTO quote_counts (dim, grain, period, key, n)
    VALUES (CASE OLD.rel WHEN 'quote_via' THEN 'source' ELSE 'org' END, 'd', substr(OLD.sort_key, 1, 10), OLD.dst, -1)
    ON CONFLICT (dim, grain, period, key) DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER links_days_update AFTER UPDATE ON links WHEN OLD.rel IN ('quote_via', 'quote_speaker_org') AND OLD.sort_key <> '' OR NEW.rel IN ('quote_via', 'quote_speaker_org') AND NEW.sort_key <> '' BEGIN
    INSERT INTO quote_counts (dim, grain, period, key, n)
        SELECT CASE OLD.rel WHEN 'quote_via' THEN 'source' ELSE 'org' END, 'd', substr(OLD.sort_key, 1, 10), OLD.dst, -1
        WHERE OLD.rel IN ('quote_via', 'quote_speaker_org') AND OLD.sort_key <> ''
    ON CONFLICT (dim, grain, period, key) DO UPDATE SET n = n + excluded.n;
    INSERT INTO quote_counts (dim, grain, period, key, n)
        SELECT CASE NEW.rel WHEN 'quote_via' THEN 'source' ELSE 'org' END, 'd', substr(NEW.sort_key, 1, 10), NEW.dst, 1
        WHERE NEW.rel IN ('quote_via', 'quote_speaker_org') AND NEW.sort_key <> ''
    ON CONFLICT (dim, grain, period, key) DO UPDATE SET n = n + excluded.n;
END;

-- What is already stored.
"#,
        days_backfill!()
    ),
    // ---- Copies known as copies (issue 14): near-duplicate index and links.
    // Self-contained: it only adds a table, two columns and their indexes.
    r#"
-- The near-duplicate index: each article's LSH band keys (`ingest::fingerprint`);
-- an article's candidates are the articles sharing any of its keys, one
-- primary-key range each.
CREATE TABLE copy_keys (
    key INTEGER NOT NULL,
    article TEXT NOT NULL,
    PRIMARY KEY (key, article)
) WITHOUT ROWID;
-- The original report an article copies, and the statement of the earliest
-- report a copy's quote repeats (NULL for originals and for statements
-- only this report carries). Partial: most rows are not copies.
ALTER TABLE articles ADD COLUMN copy_of TEXT;
CREATE INDEX articles_copy_of ON articles (copy_of, id) WHERE copy_of IS NOT NULL;
ALTER TABLE quotes ADD COLUMN copy_of TEXT;
CREATE INDEX quotes_copy_of ON quotes (copy_of) WHERE copy_of IS NOT NULL;
"#,
    // ---- Feeds that keep the graph current (issue 14, `src/ingest/feeds/`) ----
    // What the feed watcher remembers between polls (`store::feed_state`): a
    // document per feed and per item met, by key. Self-contained: no other
    // table refers to these; `IF NOT EXISTS`, since tests roll `user_version` back
    // to re-run older migrations over a current schema.
    r#"
CREATE TABLE IF NOT EXISTS feed_states (id TEXT PRIMARY KEY, doc TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS feed_items (id TEXT PRIMARY KEY, feed TEXT NOT NULL, doc TEXT NOT NULL) WITHOUT ROWID;
"#,
    // ---- end of feeds ----
    // ---- Filtered list totals (issue 13, speed at 1M articles) ----
    // Self-contained: one table's rows and their triggers, so the migration
    // can be renumbered at merge.
    concat!(
        r#"
-- More `list_counts` rows, so that the `totalCount` of a list narrowed to one
-- outlet (articles), one affiliation (people) or one speaker organization
-- (quotes) reads one row instead of counting matches per request (ten times
-- as many at 1M articles as at 100k): `outlet` (key: an organization's id;
-- the articles it published), `affiliation` (key: an organization's id; the
-- people affiliated with it), `speaker_org` (key: an organization's id; the
-- quotes by its people or its anonymous spokespeople, the derived
-- `quote_speaker_org` links). A bulk load drops these triggers and recounts
-- (`bulk.rs`), as it does migration 8's.
CREATE TRIGGER articles_outlet_list_insert AFTER INSERT ON articles WHEN NEW.outlet IS NOT NULL BEGIN
    INSERT INTO list_counts (list, key, n) VALUES ('outlet', NEW.outlet, 1) ON CONFLICT (list, key) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER articles_outlet_list_delete AFTER DELETE ON articles WHEN OLD.outlet IS NOT NULL BEGIN
    INSERT INTO list_counts (list, key, n) VALUES ('outlet', OLD.outlet, -1) ON CONFLICT (list, key) DO UPDATE SET n = n - 1;
END;
CREATE TRIGGER articles_outlet_list_update AFTER UPDATE OF outlet ON articles
WHEN OLD.outlet IS NOT NEW.outlet BEGIN
    INSERT INTO list_counts (list, key, n) SELECT 'outlet', OLD.outlet, -1 WHERE OLD.outlet IS NOT NULL
    ON CONFLICT (list, key) DO UPDATE SET n = n + excluded.n;
    INSERT INTO list_counts (list, key, n) SELECT 'outlet', NEW.outlet, 1 WHERE NEW.outlet IS NOT NULL
    ON CONFLICT (list, key) DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER org_links_list_insert AFTER INSERT ON links WHEN NEW.rel IN ('person_org', 'quote_speaker_org') BEGIN
    INSERT INTO list_counts (list, key, n)
    VALUES (CASE NEW.rel WHEN 'person_org' THEN 'affiliation' ELSE 'speaker_org' END, NEW.dst, 1)
    ON CONFLICT (list, key) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER org_links_list_delete AFTER DELETE ON links WHEN OLD.rel IN ('person_org', 'quote_speaker_org') BEGIN
    INSERT INTO list_counts (list, key, n)
    VALUES (CASE OLD.rel WHEN 'person_org' THEN 'affiliation' ELSE 'speaker_org' END, OLD.dst, -1)
    ON CONFLICT (list, key) DO UPDATE SET n = n - 1;
END;
CREATE TRIGGER org_links_list_update AFTER UPDATE OF rel, dst ON links
WHEN (OLD.rel IN ('person_org', 'quote_speaker_org') OR NEW.rel IN ('person_org', 'quote_speaker_org'))
    AND (OLD.rel IS NOT NEW.rel OR OLD.dst IS NOT NEW.dst) BEGIN
    INSERT INTO list_counts (list, key, n)
        SELECT CASE OLD.rel WHEN 'person_org' THEN 'affiliation' ELSE 'speaker_org' END, OLD.dst, -1
        WHERE OLD.rel IN ('person_org', 'quote_speaker_org')
    ON CONFLICT (list, key) DO UPDATE SET n = n + excluded.n;
    INSERT INTO list_counts (list, key, n)
        SELECT CASE NEW.rel WHEN 'person_org' THEN 'affiliation' ELSE 'speaker_org' END, NEW.dst, 1
        WHERE NEW.rel IN ('person_org', 'quote_speaker_org')
    ON CONFLICT (list, key) DO UPDATE SET n = n + excluded.n;
END;

-- What is already stored.
"#,
        filtered_list_counts_backfill!()
    ),
    // --- Statements across reports (issue 15) ---
    // The statements' summaries, which quote reports which statement (the
    // quote's document holds it too), and the look-up index of (key,
    // statement) pairs that finds a new report's candidate statements. Filled
    // for an existing store by `statements::rebuild_in`, in this migration's
    // transaction (`migrate` finds the migration by its first table, so the
    // step follows it when migrations are renumbered). Idempotent (`IF NOT
    // EXISTS`): tests that wind `user_version` back to replay an earlier
    // migration replay this one too.
    r#"
CREATE TABLE IF NOT EXISTS statements (
    id TEXT PRIMARY KEY,
    speaker_key TEXT NOT NULL,
    sort_date TEXT NOT NULL,
    reports_key TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS statements_by_date ON statements (sort_date, id);
CREATE INDEX IF NOT EXISTS statements_by_reports ON statements (reports_key, id);
CREATE TABLE IF NOT EXISTS statement_reports (
    quote TEXT PRIMARY KEY,
    statement TEXT NOT NULL,
    article TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS statement_reports_by_statement ON statement_reports (statement, quote);
CREATE INDEX IF NOT EXISTS statement_reports_by_article ON statement_reports (article);
CREATE TABLE IF NOT EXISTS statement_keys (
    key TEXT NOT NULL,
    statement TEXT NOT NULL,
    PRIMARY KEY (key, statement)
) WITHOUT ROWID;
"#,
    // ---- Corrections with an audit trail (issue 15, `src/corrections/`) ----
    // Human decisions per quote (indexed by anchor, for re-ingest) and the
    // append-only audit log. Self-contained: nothing else refers to these,
    // so the migration can be renumbered at merge; `IF NOT EXISTS` so it can
    // be replayed.
    r#"
CREATE TABLE IF NOT EXISTS quote_decisions (
    quote TEXT PRIMARY KEY,
    anchor TEXT NOT NULL,
    version INTEGER NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS quote_decisions_by_anchor ON quote_decisions (anchor);
CREATE TABLE IF NOT EXISTS audit_log (
    id TEXT PRIMARY KEY,
    at TEXT NOT NULL,
    by_name TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    field TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_log_by_entity ON audit_log (entity_id, id);
CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TABLE IF NOT EXISTS merges (
    from_id TEXT PRIMARY KEY,
    into_id TEXT NOT NULL
);
"#,
    // ---- end of corrections ----
    // --- Pages ordered by an index (issue 13, speed at 1M) ---
    // A page of one speaker's quotes or of one outlet's articles, newest
    // first, walks its key's range of an index in the page's order and stops
    // at its LIMIT, instead of sorting every match of the key: the leading
    // column answers every look-up the replaced `(key, id)` index did. (A
    // page of a date range walks `quotes_sort_date`, and one source's or
    // speaker organization's quotes `links_sorted`; see `sql.rs`.)
    // Self-contained: it can be renumbered at merge.
    r#"
DROP INDEX IF EXISTS quotes_speaker_person;
CREATE INDEX IF NOT EXISTS quotes_speaker_date ON quotes (speaker_person, sort_date, id);
DROP INDEX IF EXISTS articles_outlet;
CREATE INDEX IF NOT EXISTS articles_outlet_date ON articles (outlet, sort_date, id);
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
