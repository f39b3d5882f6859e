//! Statements across reports: joining the quotes that report the same words
//! of the same speaker in different articles into one [`Statement`](crate::domain::Statement).
//!
//! - [`similarity`]: when two reports carry the same words (normalised word
//!   pairs and content words, tolerant of trimmed ends, ellipses, fragments,
//!   typography and close paraphrase), and the fingerprints that index them.
//! - [`join`]: the plan a write carries out: which statement each quote
//!   reports, found through a handful of index keys per quote (speaker with
//!   a text fingerprint, speaker with a day), never by scanning.
//!
//! Both stores run [`join::plan`] inside every write (the embedded store in
//! the write's transaction), so CLI ingest, mutations, seeding and bulk
//! generation all join the same way; `newsgraph statements rebuild` runs it
//! again over every stored quote.

pub mod eval;
pub mod join;
pub mod similarity;

pub use join::{Plan, Previous, plan};
pub use similarity::{Rule, Signature};
