//! `newsgraph_bm25`: an FTS5 auxiliary function that ranks full-text matches
//! by BM25 exactly as FTS5's own `bm25()` does, except that it takes each
//! phrase's IDF as an argument instead of computing it.
//!
//! `bm25()` computes, before it scores the first row, how many rows contain
//! each phrase of the query (a scan of every row holding the phrase): most of
//! a search's time on a large table. With per-term document counts kept at
//! write time the IDFs are known up front, and the caller passes them in:
//!
//! ```sql
//! SELECT rowid, newsgraph_bm25(articles_fts, 4.0, 1.0, ?2, ?3) AS score
//! FROM articles_fts WHERE articles_fts MATCH ?1
//! ```
//!
//! Arguments after the table:
//! - first, one weight per column of the table (a missing weight is 1.0, as
//!   in `bm25()`);
//! - then the IDF of each phrase of the MATCH expression, in FTS5's phrase
//!   order; a phrase without an argument gets IDF 0.0 and does not count.
//!
//! The result is positive and higher is better: given the IDFs `bm25()` would
//! compute, it equals `-bm25(table, weights…)`. With k1 = 1.2 and b = 0.75,
//! score = Σᵢ idfᵢ · fᵢ·(k1+1) / (fᵢ + k1·(1 − b + b·D/avgdl)), where fᵢ sums
//! the column weights of phrase i's instances in the row, D is the row's
//! length in tokens and avgdl the table's mean row length (computed once per
//! statement). A non-numeric argument, or more arguments than weights and
//! phrases, is an SQL error.
//!
//! `bm25()`'s IDF is ln((N − n + 0.5)/(n + 0.5)), at least 1e-6, for n rows
//! matching the phrase out of N. Beware that on a `contentless_delete` table
//! FTS5's N (and the token total behind avgdl) still count deleted rows: a
//! delete only adds a tombstone. Only n leaves them out.
//!
//! `newsgraph_bm25_rowlen` is the same function for a table whose rowids
//! carry each row's length: the low [`ROWID_LENGTH_BITS`] bits of the rowid
//! are D. `bm25()` reads D from FTS5's `%_docsize` table, one look-up per
//! scored row: about half of the scoring's time at 100k articles.
//!
//! No maintained crate offers FTS5 auxiliary functions for rusqlite (rusqlite
//! itself has none), so this module uses FTS5's C API through `rusqlite::ffi`;
//! every `unsafe` block is confined here. The function is registered per
//! connection by [`register`].

use rusqlite::Connection;
use rusqlite::ffi::{self, Fts5Context, Fts5ExtensionApi, fts5_api, sqlite3_context, sqlite3_value};
use std::ffi::{CStr, c_int, c_void};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr;

/// The SQL name of the function.
const NAME: &CStr = c"newsgraph_bm25";
/// The SQL name of the variant that reads each row's length from its rowid.
const ROWLEN_NAME: &CStr = c"newsgraph_bm25_rowlen";
/// How many low bits of a rowid hold the row's length, for `newsgraph_bm25_rowlen`.
pub const ROWID_LENGTH_BITS: u32 = 20;
/// The user data that marks the rowid variant (only its address matters).
static FROM_ROWID: u8 = 1;
/// BM25's term-frequency saturation, as in FTS5.
const K1: f64 = 1.2;
/// BM25's length normalisation, as in FTS5.
const B: f64 = 0.75;

/// Registers the FTS5 auxiliary function `newsgraph_bm25` on `conn`.
pub fn register(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    let api = fts5_api_of(conn)?;
    // SAFETY: `api` is non-null and points to the FTS5 API object of this
    // connection, which lives as long as the connection (`fts5_api_of` checked
    // both, and that `iVersion >= 2`, so the struct has `xCreateFunction`).
    let create =
        unsafe { (*api).xCreateFunction }.ok_or_else(|| failure(ffi::SQLITE_ERROR, "FTS5 has no xCreateFunction"))?;
    // SAFETY: `create` comes from that API object and is called with it; the
    // name is a NUL-terminated static string (FTS5 copies it anyway); the
    // function has the `fts5_extension_function` signature; there is no user
    // data, so no destructor.
    let rc = unsafe { create(api, NAME.as_ptr(), ptr::null_mut(), Some(newsgraph_bm25), None) };
    if rc != ffi::SQLITE_OK {
        return Err(failure(rc, "cannot register newsgraph_bm25"));
    }
    // SAFETY: as above; the user data is the address of a static, never
    // written through (FTS5 only hands it back), so no destructor.
    let marker = (&raw const FROM_ROWID).cast_mut().cast::<c_void>();
    let rc = unsafe { create(api, ROWLEN_NAME.as_ptr(), marker, Some(newsgraph_bm25), None) };
    if rc != ffi::SQLITE_OK {
        return Err(failure(rc, "cannot register newsgraph_bm25_rowlen"));
    }
    Ok(())
}

/// The connection's `fts5_api`, fetched the documented way: `SELECT fts5(?1)`
/// with a pointer bound to `?1`, which FTS5 fills in.
fn fts5_api_of(conn: &Connection) -> rusqlite::Result<*mut fts5_api> {
    // SAFETY: the raw handle is only used below, while `conn` is borrowed, to
    // prepare, run and finalize one statement; nothing keeps it afterwards.
    let db = unsafe { conn.handle() };
    let mut raw: *mut ffi::sqlite3_stmt = ptr::null_mut();
    // SAFETY: `db` is an open connection, the SQL is NUL-terminated (length
    // -1), and `raw` receives the statement or stays null on failure.
    let rc = unsafe { ffi::sqlite3_prepare_v2(db, c"SELECT fts5(?1)".as_ptr(), -1, &mut raw, ptr::null_mut()) };
    let stmt = Finalize(raw);
    if rc != ffi::SQLITE_OK || stmt.0.is_null() {
        return Err(failure(rc, "cannot prepare SELECT fts5(?1); is FTS5 compiled in?"));
    }
    let mut api: *mut fts5_api = ptr::null_mut();
    // SAFETY: the statement is valid and has parameter 1; the bound pointer
    // is to `api`, which outlives the statement (finalized when `stmt` drops,
    // before `api` goes out of scope); the type name is a static C string, as
    // `sqlite3_bind_pointer` requires; no destructor because SQLite does not
    // own `api`.
    let rc = unsafe {
        ffi::sqlite3_bind_pointer(stmt.0, 1, (&raw mut api).cast::<c_void>(), c"fts5_api_ptr".as_ptr(), None)
    };
    if rc != ffi::SQLITE_OK {
        return Err(failure(rc, "cannot bind the fts5_api pointer"));
    }
    // SAFETY: the statement is valid and fully bound; stepping it runs FTS5's
    // `fts5()` function, which writes the API pointer through the binding.
    let rc = unsafe { ffi::sqlite3_step(stmt.0) };
    if rc != ffi::SQLITE_ROW {
        return Err(failure(rc, "SELECT fts5(?1) returned no row"));
    }
    // SAFETY: when non-null, `api` points to FTS5's global API object, whose
    // first field is `iVersion`.
    if api.is_null() || unsafe { (*api).iVersion } < 2 {
        return Err(failure(ffi::SQLITE_ERROR, "FTS5 did not hand out an fts5_api of version 2 or later"));
    }
    Ok(api)
}

/// Finalizes a prepared statement when dropped.
struct Finalize(*mut ffi::sqlite3_stmt);

impl Drop for Finalize {
    fn drop(&mut self) {
        // SAFETY: the pointer came from `sqlite3_prepare_v2` (or is null,
        // which `sqlite3_finalize` accepts) and is finalized only here.
        unsafe { ffi::sqlite3_finalize(self.0) };
    }
}

fn failure(rc: c_int, what: &str) -> rusqlite::Error {
    rusqlite::Error::SqliteFailure(ffi::Error::new(rc), Some(what.to_string()))
}

/// Why a row could not be scored.
#[derive(Debug, thiserror::Error)]
enum RankError {
    #[error("newsgraph_bm25: argument {position} ({role}) is {found}, expected a number")]
    NotANumber { position: usize, role: String, found: &'static str },
    #[error(
        "newsgraph_bm25: {given} arguments after the table, but it takes at most {} \
         ({columns} column weights and {phrases} phrase IDFs)", columns + phrases
    )]
    TooManyArguments { given: usize, columns: usize, phrases: usize },
    #[error("newsgraph_bm25: FTS5 lacks {0}")]
    MissingApi(&'static str),
    /// An FTS5 call failed with this SQLite result code.
    #[error("newsgraph_bm25: an FTS5 call failed (code {0})")]
    Sqlite(c_int),
}

/// What one statement computes once, kept by FTS5 as the function's
/// auxiliary data for the statement (shared by every call of the function in
/// it, which all see the same table and query).
struct QueryData {
    /// Mean row length in tokens, all columns.
    avgdl: f64,
    /// Scratch: the weighted frequency of each phrase in the current row.
    freq: Vec<f64>,
    /// Scratch: the current row's column weights.
    weights: Vec<f64>,
}

/// The entry point FTS5 calls for each row: scores it, or reports an error,
/// without letting a panic cross into C.
unsafe extern "C" fn newsgraph_bm25(
    api: *const Fts5ExtensionApi,
    fts: *mut Fts5Context,
    ctx: *mut sqlite3_context,
    n_val: c_int,
    ap_val: *mut *mut sqlite3_value,
) {
    // SAFETY: FTS5 calls this with a valid API object and context for the
    // current row, and `n_val` valid values at `ap_val`, all alive for the
    // duration of the call.
    let outcome = catch_unwind(AssertUnwindSafe(|| unsafe { score_row(api, fts, n_val, ap_val) }));
    let message = match outcome {
        Ok(Ok(score)) => {
            // SAFETY: `ctx` is this call's result context.
            unsafe { ffi::sqlite3_result_double(ctx, score) };
            return;
        }
        Ok(Err(RankError::Sqlite(rc))) => {
            // SAFETY: as above.
            unsafe { ffi::sqlite3_result_error_code(ctx, rc) };
            return;
        }
        Ok(Err(error)) => error.to_string(),
        Err(_) => "newsgraph_bm25: internal error".to_string(),
    };
    // SAFETY: `ctx` is this call's result context; SQLite copies the message,
    // which is `message.len()` bytes of UTF-8 at `message.as_ptr()`.
    unsafe { ffi::sqlite3_result_error(ctx, message.as_ptr().cast(), c_int::try_from(message.len()).unwrap_or(0)) };
}

/// Looks up an FTS5 API function, which every FTS5 since version 2 provides.
macro_rules! api_fn {
    ($api:expr, $name:ident) => {
        $api.$name.ok_or(RankError::MissingApi(stringify!($name)))?
    };
}

/// Turns an FTS5 result code into a `Result`.
fn check(rc: c_int) -> Result<(), RankError> {
    if rc == ffi::SQLITE_OK { Ok(()) } else { Err(RankError::Sqlite(rc)) }
}

/// Scores the current row.
///
/// # Safety
/// `api` and `fts` must be the API object and context FTS5 passed to the
/// auxiliary function for the current row, and `ap_val` must hold `n_val`
/// valid values.
unsafe fn score_row(
    api: *const Fts5ExtensionApi,
    fts: *mut Fts5Context,
    n_val: c_int,
    ap_val: *mut *mut sqlite3_value,
) -> Result<f64, RankError> {
    // SAFETY: FTS5 passes a valid API object (caller's contract).
    let api = unsafe { &*api };
    let args: &[*mut sqlite3_value] = match usize::try_from(n_val) {
        // SAFETY: `ap_val` holds `n_val` values (caller's contract).
        Ok(len) if len > 0 && !ap_val.is_null() => unsafe { std::slice::from_raw_parts(ap_val, len) },
        _ => &[],
    };
    // SAFETY (for every FTS5 call below): each function comes from `api` and
    // is called with the current row's context, as the FTS5 API requires,
    // with out-pointers to live locals.
    let data = unsafe { query_data(api, fts) }?;
    // SAFETY: see above.
    let columns = usize::try_from(unsafe { api_fn!(api, xColumnCount)(fts) }).unwrap_or(0);
    let phrases = data.freq.len();
    if args.len() > columns + phrases {
        return Err(RankError::TooManyArguments { given: args.len(), columns, phrases });
    }

    data.weights.clear();
    for column in 0..columns {
        let weight = match args.get(column) {
            // SAFETY: the value is one of this call's arguments.
            Some(&value) => unsafe { number(value) }.map_err(|found| RankError::NotANumber {
                position: column + 2,
                role: format!("the weight of column {column}"),
                found,
            })?,
            None => 1.0,
        };
        data.weights.push(weight);
    }

    data.freq.fill(0.0);
    let mut instances: c_int = 0;
    // SAFETY: see above.
    check(unsafe { api_fn!(api, xInstCount)(fts, &mut instances) })?;
    let inst = api_fn!(api, xInst);
    for index in 0..instances {
        let (mut phrase, mut column, mut offset): (c_int, c_int, c_int) = (0, 0, 0);
        // SAFETY: see above; `index` is below the row's instance count.
        check(unsafe { inst(fts, index, &mut phrase, &mut column, &mut offset) })?;
        let weight = usize::try_from(column).ok().and_then(|c| data.weights.get(c)).copied().unwrap_or(1.0);
        if let Some(freq) = usize::try_from(phrase).ok().and_then(|p| data.freq.get_mut(p)) {
            *freq += weight;
        }
    }

    // SAFETY: see above.
    let from_rowid = !unsafe { api_fn!(api, xUserData)(fts) }.is_null();
    let length = if from_rowid {
        // SAFETY: see above.
        let rowid = unsafe { api_fn!(api, xRowid)(fts) };
        (rowid & ((1 << ROWID_LENGTH_BITS) - 1)) as f64
    } else {
        let mut tokens: c_int = 0;
        // SAFETY: see above; column -1 asks for the whole row.
        check(unsafe { api_fn!(api, xColumnSize)(fts, -1, &mut tokens) })?;
        f64::from(tokens)
    };

    let mut score = 0.0;
    for (phrase, &freq) in data.freq.iter().enumerate() {
        let idf = match args.get(columns + phrase) {
            // SAFETY: the value is one of this call's arguments.
            Some(&value) => unsafe { number(value) }.map_err(|found| RankError::NotANumber {
                position: columns + phrase + 2,
                role: format!("the IDF of phrase {phrase}"),
                found,
            })?,
            None => 0.0,
        };
        // The same expression, in the same order, as FTS5's bm25(), so that
        // equal IDFs give bit-for-bit equal scores.
        score += idf * ((freq * (K1 + 1.0)) / (freq + K1 * (1.0 - B + B * length / data.avgdl)));
    }
    Ok(score)
}

/// The statement's [`QueryData`], created on the first row.
///
/// # Safety
/// As for [`score_row`]. The returned reference must not outlive the current
/// call: FTS5 owns the data and frees it when the statement ends.
unsafe fn query_data<'a>(api: &Fts5ExtensionApi, fts: *mut Fts5Context) -> Result<&'a mut QueryData, RankError> {
    // SAFETY: valid API object and context (caller's contract).
    let existing = unsafe { api_fn!(api, xGetAuxdata)(fts, 0) }.cast::<QueryData>();
    if !existing.is_null() {
        // SAFETY: the only auxiliary data this function sets is a
        // `Box<QueryData>` (below); FTS5 keeps it until the statement ends,
        // and nothing else touches it during this call.
        return Ok(unsafe { &mut *existing });
    }
    // SAFETY: valid API object and context; out-pointers to live locals.
    let phrases = usize::try_from(unsafe { api_fn!(api, xPhraseCount)(fts) }).unwrap_or(0);
    let mut rows: i64 = 0;
    // SAFETY: as above.
    check(unsafe { api_fn!(api, xRowCount)(fts, &mut rows) })?;
    let mut tokens: i64 = 0;
    // SAFETY: as above; column -1 asks for all columns.
    check(unsafe { api_fn!(api, xColumnTotalSize)(fts, -1, &mut tokens) })?;
    // FTS5 divides unguarded (a matching row implies rows > 0); 0 tokens in
    // all means no row can match, so the value is never used.
    let avgdl = if rows > 0 { tokens as f64 / rows as f64 } else { 0.0 };
    let data = Box::into_raw(Box::new(QueryData { avgdl, freq: vec![0.0; phrases], weights: Vec::new() }));
    // SAFETY: `data` is a fresh `Box<QueryData>`; FTS5 takes ownership and
    // frees it with `drop_query_data` (also when storing it fails).
    check(unsafe { api_fn!(api, xSetAuxdata)(fts, data.cast(), Some(drop_query_data)) })?;
    // SAFETY: stored successfully, so FTS5 holds it until the statement ends.
    Ok(unsafe { &mut *data })
}

/// The destructor FTS5 calls for a [`QueryData`].
unsafe extern "C" fn drop_query_data(data: *mut c_void) {
    if !data.is_null() {
        // SAFETY: set by `query_data` from `Box::into_raw`, freed only here.
        drop(unsafe { Box::from_raw(data.cast::<QueryData>()) });
    }
}

/// The value as a number, or the name of its type when it is not one.
///
/// # Safety
/// `value` must be a valid SQL value for the duration of the call.
unsafe fn number(value: *mut sqlite3_value) -> Result<f64, &'static str> {
    // SAFETY: valid value (caller's contract).
    match unsafe { ffi::sqlite3_value_type(value) } {
        // SAFETY: as above.
        ffi::SQLITE_INTEGER | ffi::SQLITE_FLOAT => Ok(unsafe { ffi::sqlite3_value_double(value) }),
        ffi::SQLITE_TEXT => Err("text"),
        ffi::SQLITE_BLOB => Err("a blob"),
        _ => Err("null"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::params_from_iter;
    use rusqlite::types::Value;

    /// Words for the generated rows; the first few are frequent, so some
    /// phrases occur in more than half the rows (IDF clamped to 1e-6).
    const WORDS: &[&str] = &[
        "talks",
        "ceasefire",
        "peace",
        "minister",
        "said",
        "the",
        "border",
        "troops",
        "aid",
        "convoy",
        "geneva",
        "sanctions",
        "élection",
        "vote",
        "président",
        "parliament",
        "strike",
        "port",
        "grain",
        "deal",
    ];

    /// A small deterministic generator, so failures reproduce.
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self, bound: usize) -> usize {
            self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((self.0 >> 33) % bound as u64) as usize
        }

        /// Text of `min..min + spread` words, skewed towards the first words,
        /// with phrases such as "peace talks" now and then.
        fn text(&mut self, min: usize, spread: usize) -> String {
            let len = min + self.next(spread);
            let mut words = Vec::with_capacity(len);
            while words.len() < len {
                if self.next(6) == 0 {
                    words.extend(["peace", "talks"]);
                } else {
                    let skewed = self.next(WORDS.len()).min(self.next(WORDS.len()));
                    words.push(WORDS[skewed]);
                }
            }
            words.join(" ")
        }
    }

    fn connection() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        register(&conn).unwrap();
        conn
    }

    /// Creates `t` with `columns` columns like the store's FTS tables, fills
    /// 64 rows, deletes 6 of them, and returns the row count FTS5 ranks with.
    ///
    /// That is 64, not 58: a delete from a `contentless_delete` table only
    /// adds a tombstone and cannot know the row's tokens, so SQLite (3.46)
    /// leaves the row and token totals (`xRowCount`, `xColumnTotalSize`) as
    /// they were. Phrase counts (`MATCH`) do leave deleted rows out.
    fn fill(conn: &Connection, columns: usize) -> i64 {
        let names = ["headline", "body"][..columns].join(", ");
        conn.execute_batch(&format!(
            "CREATE VIRTUAL TABLE t USING fts5({names}, content = '', contentless_delete = 1, \
             tokenize = 'unicode61 remove_diacritics 2')"
        ))
        .unwrap();
        let mut rng = Lcg(columns as u64);
        let placeholders = vec!["?"; columns].join(", ");
        let sql = format!("INSERT INTO t (rowid, {names}) VALUES (?, {placeholders})");
        for rowid in 1..=64_i64 {
            let mut values = vec![Value::Integer(rowid)];
            values.push(Value::Text(rng.text(2, 8)));
            if columns == 2 {
                values.push(Value::Text(rng.text(1, 60)));
            }
            conn.execute(&sql, params_from_iter(values)).unwrap();
        }
        for rowid in [3_i64, 10, 17, 30, 41, 64] {
            assert_eq!(conn.execute("DELETE FROM t WHERE rowid = ?", [rowid]).unwrap(), 1);
        }
        64
    }

    /// The IDF FTS5's bm25() computes for `phrase` on `t` with `rows` rows.
    fn idf(conn: &Connection, phrase: &str, rows: i64) -> f64 {
        let hits: i64 = conn.query_row("SELECT count(*) FROM t WHERE t MATCH ?", [phrase], |row| row.get(0)).unwrap();
        let idf = (((rows - hits) as f64 + 0.5) / (hits as f64 + 0.5)).ln();
        if idf <= 0.0 { 1e-6 } else { idf }
    }

    /// Asserts newsgraph_bm25 with FTS5's IDFs equals -bm25 on every row
    /// `query` matches, and returns how many rows matched.
    fn assert_same_scores(conn: &Connection, query: &str, phrases: &[&str], rows: i64, weights: &[f64]) -> usize {
        let idfs: Vec<f64> = phrases.iter().map(|phrase| idf(conn, phrase, rows)).collect();
        let list = |values: &[f64]| values.iter().map(|v| format!("{v:?}")).collect::<Vec<_>>().join(", ");
        let sql = format!(
            "SELECT rowid, -bm25(t, {w}), newsgraph_bm25(t, {w}, {i}) FROM t WHERE t MATCH ?",
            w = list(weights),
            i = list(&idfs)
        );
        let mut stmt = conn.prepare(&sql).unwrap();
        let scores: Vec<(i64, f64, f64)> = stmt
            .query_map([query], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        for (rowid, expected, actual) in &scores {
            assert!(*actual > 0.0, "{query}: row {rowid} scored {actual}");
            assert!(
                (expected - actual).abs() <= 1e-9,
                "{query} {weights:?}: row {rowid}: bm25 {expected}, ours {actual}"
            );
        }
        scores.len()
    }

    /// Queries with one word, two words, a phrase, a word and a phrase, and a
    /// NOT clause, with the phrases FTS5 numbers in each (a NOT clause's
    /// phrase too: it never occurs in a matching row, so its IDF is inert).
    const QUERIES: &[(&str, &[&str])] = &[
        ("ceasefire", &["ceasefire"]),
        ("convoy geneva", &["convoy", "geneva"]),
        ("\"peace talks\"", &["\"peace talks\""]),
        ("grain AND \"peace talks\"", &["grain", "\"peace talks\""]),
        ("minister NOT troops", &["minister", "troops"]),
        ("election", &["election"]),
    ];

    #[test]
    fn equals_negated_bm25_on_two_columns() {
        let conn = connection();
        let rows = fill(&conn, 2);
        for weights in [[4.0, 1.0], [1.0, 1.0]] {
            for (query, phrases) in QUERIES {
                let matched = assert_same_scores(&conn, query, phrases, rows, &weights);
                assert!(matched > 0 && (matched as i64) < rows, "{query} matched {matched} of {rows} rows");
            }
        }
    }

    #[test]
    fn equals_negated_bm25_on_one_column() {
        let conn = connection();
        let rows = fill(&conn, 1);
        for weights in [[4.0], [1.0]] {
            for (query, phrases) in QUERIES {
                let matched = assert_same_scores(&conn, query, phrases, rows, &weights);
                assert!(matched > 0 && (matched as i64) < rows, "{query} matched {matched} of {rows} rows");
            }
        }
    }

    #[test]
    fn rare_phrases_outrank_common_ones_with_the_idfs_given() {
        let conn = connection();
        fill(&conn, 2);
        // With only phrase 1's IDF, a row's score is that of phrase 1 alone.
        let scores: Vec<(f64, f64)> = conn
            .prepare(
                "SELECT newsgraph_bm25(t, 1.0, 1.0, 0.0, 2.5), newsgraph_bm25(t, 1.0, 1.0, 3.0, 2.5) \
                 FROM t WHERE t MATCH 'talks geneva'",
            )
            .unwrap()
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert!(!scores.is_empty());
        assert!(scores.iter().all(|(geneva, both)| *geneva > 0.0 && both > geneva));
    }

    #[test]
    fn missing_idfs_count_as_zero() {
        let conn = connection();
        fill(&conn, 2);
        let mut stmt = conn
            .prepare(
                "SELECT newsgraph_bm25(t, 4.0, 1.0), newsgraph_bm25(t, 4.0, 1.0, 1.5), \
                 newsgraph_bm25(t, 4.0, 1.0, 1.5, 0.0), newsgraph_bm25(t, 4.0, 1.0, 1.5, 0.7) \
                 FROM t WHERE t MATCH 'talks AND minister'",
            )
            .unwrap();
        let rows: Vec<[f64; 4]> = stmt
            .query_map([], |row| Ok([row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?]))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert!(!rows.is_empty());
        for [none, first, first_and_zero, both] in rows {
            assert_eq!(none, 0.0);
            assert!(first > 0.0);
            assert_eq!(first, first_and_zero);
            assert!(both > first);
        }
    }

    #[test]
    fn a_text_argument_is_an_error() {
        let conn = connection();
        fill(&conn, 2);
        let error = conn
            .query_row("SELECT newsgraph_bm25(t, 4.0, 1.0, 'high') FROM t WHERE t MATCH 'talks'", [], |row| {
                row.get::<_, f64>(0)
            })
            .unwrap_err();
        assert!(
            error.to_string().contains("newsgraph_bm25: argument 4 (the IDF of phrase 0) is text, expected a number"),
            "{error}"
        );
        let error = conn
            .query_row("SELECT newsgraph_bm25(t, '4.0') FROM t WHERE t MATCH 'talks'", [], |row| row.get::<_, f64>(0))
            .unwrap_err();
        assert!(error.to_string().contains("argument 2 (the weight of column 0) is text"), "{error}");
    }

    #[test]
    fn more_arguments_than_weights_and_phrases_is_an_error() {
        let conn = connection();
        fill(&conn, 2);
        let error = conn
            .query_row("SELECT newsgraph_bm25(t, 1.0, 1.0, 1.0, 1.0) FROM t WHERE t MATCH 'talks'", [], |row| {
                row.get::<_, f64>(0)
            })
            .unwrap_err();
        assert!(
            error
                .to_string()
                .contains("4 arguments after the table, but it takes at most 3 (2 column weights and 1 phrase IDFs)"),
            "{error}"
        );
    }

    #[test]
    fn registration_is_per_connection() {
        let plain = Connection::open_in_memory().unwrap();
        plain.execute_batch("CREATE VIRTUAL TABLE t USING fts5(a); INSERT INTO t VALUES ('talks');").unwrap();
        let error = plain.query_row("SELECT newsgraph_bm25(t, 1.0, 1.0) FROM t WHERE t MATCH 'talks'", [], |row| {
            row.get::<_, f64>(0)
        });
        assert!(error.unwrap_err().to_string().contains("no such function: newsgraph_bm25"));

        let (first, second) = (connection(), connection());
        fill(&first, 2);
        fill(&second, 1);
        // Weights, then one IDF: two columns in `first`, one in `second`.
        for (conn, sql) in [
            (&first, "SELECT newsgraph_bm25(t, 1.0, 1.0, 2.0) FROM t WHERE t MATCH 'grain' LIMIT 1"),
            (&second, "SELECT newsgraph_bm25(t, 1.0, 2.0) FROM t WHERE t MATCH 'grain' LIMIT 1"),
        ] {
            let score: f64 = conn.query_row(sql, [], |row| row.get(0)).unwrap();
            assert!(score > 0.0);
        }
    }

    #[test]
    fn the_store_registers_it_on_every_connection() {
        let score = |conn: &Connection| -> f64 {
            conn.query_row(
                "SELECT newsgraph_bm25(articles_fts, 4.0, 1.0, 1.0) FROM articles_fts WHERE articles_fts MATCH 'talks'",
                [],
                |row| row.get(0),
            )
            .unwrap()
        };
        let insert = "INSERT INTO articles_fts (rowid, headline, body) VALUES (1, 'talks', 'ceasefire talks resume')";
        let store = super::super::SqliteStore::in_memory().unwrap();
        store.inner.writer.lock().unwrap().execute(insert, []).unwrap();
        assert!(score(&store.inner.writer.lock().unwrap()) > 0.0);

        let dir = tempfile::tempdir().unwrap();
        let store = super::super::SqliteStore::open(dir.path()).unwrap();
        store.inner.writer.lock().unwrap().execute(insert, []).unwrap();
        assert!(score(&store.inner.writer.lock().unwrap()) > 0.0);
        assert!(!store.inner.readers.is_empty());
        for reader in &store.inner.readers {
            assert!(score(&reader.lock().unwrap()) > 0.0);
        }
    }

    #[test]
    fn the_rowid_variant_reads_the_length_from_the_rowid() {
        let conn = connection();
        conn.execute_batch("CREATE VIRTUAL TABLE t USING fts5(headline, body, content = '', contentless_delete = 1);")
            .unwrap();
        let mut rng = Lcg(7);
        for n in 1..=40_i64 {
            let (headline, body) = (rng.text(2, 6), rng.text(10, 40));
            let tokens = (headline.split(' ').count() + body.split(' ').count()) as i64;
            let rowid = (n << ROWID_LENGTH_BITS) | tokens;
            conn.execute(
                "INSERT INTO t (rowid, headline, body) VALUES (?1, ?2, ?3)",
                rusqlite::params![rowid, headline, body],
            )
            .unwrap();
        }
        let mut stmt = conn
            .prepare(
                "SELECT newsgraph_bm25(t, 4.0, 1.0, 0.7, 1.3), newsgraph_bm25_rowlen(t, 4.0, 1.0, 0.7, 1.3)
                 FROM t WHERE t MATCH 'peace AND talks'",
            )
            .unwrap();
        let pairs: Vec<(f64, f64)> =
            stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?))).unwrap().map(Result::unwrap).collect();
        assert!(pairs.len() > 3, "{pairs:?}");
        for (from_docsize, from_rowid) in pairs {
            assert!(from_docsize > 0.0);
            assert_eq!(from_docsize, from_rowid, "the same length, read from the rowid");
        }
        // A rowid carrying another length scores differently.
        conn.execute(
            "INSERT INTO t (rowid, headline, body) VALUES (?1, 'peace talks', 'peace talks')",
            [(99_i64 << ROWID_LENGTH_BITS) | 400],
        )
        .unwrap();
        let (docsize, rowlen): (f64, f64) = conn
            .query_row(
                "SELECT newsgraph_bm25(t, 1.0, 1.0, 1.0, 1.0), newsgraph_bm25_rowlen(t, 1.0, 1.0, 1.0, 1.0)
                 FROM t WHERE t MATCH 'peace AND talks' AND rowid = ?1",
                [(99_i64 << ROWID_LENGTH_BITS) | 400],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .unwrap();
        assert!(rowlen < docsize, "400 tokens weigh the matches down: {rowlen} < {docsize}");
    }
}
