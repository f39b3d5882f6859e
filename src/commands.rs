//! The batch commands of the CLI: `seed`, `extract`, `ingest`, `watch`, `eval`, `generate` and `export`.
//! Each reports per item and keeps going past a bad one; the exit status says
//! whether any failed.

use crate::cli::{EvalArgs, ExportArgs, ExtractArgs, GenerateArgs, IngestArgs, WatchArgs};
use crate::config::Settings;
use crate::ingest::feeds::{FeedsFile, Watcher};
use crate::ingest::fetch::Fetcher;
use crate::ingest::source::{self, Format, MAX_SOURCE_BYTES};
use crate::ingest::{IngestError, IngestInput, IngestReport, ingest, input_from_page, input_from_url};
use crate::seed;
use crate::startup::open_store;
use anyhow::{Context as _, bail};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::Read as _;
use std::path::{Path, PathBuf};

/// Adds the word lists of `dir` to the extractor's built-in ones, before anything is
/// extracted (`--lexicon-dir`). Without a directory the built-in lists are used as they are.
pub fn install_lexicon(dir: Option<&Path>) -> anyhow::Result<()> {
    let Some(dir) = dir else {
        return Ok(());
    };
    let mut lexicon = newsgraph_extract::lexicon::Lexicon::builtin();
    let added = lexicon
        .extend_from_dir(dir)
        .with_context(|| format!("the lexicon directory {} cannot be used", dir.display()))?;
    newsgraph_extract::gazetteer::install(&lexicon)?;
    tracing::info!(directory = %dir.display(), entries = added, "extraction lexicon extended");
    Ok(())
}

/// `newsgraph seed`: loads the seed graph and prints the counts before and after.
pub async fn seed(settings: &Settings) -> anyhow::Result<()> {
    let store = open_store(settings).await?;
    store.prepare().await.context("preparing the store")?;
    let before = store.counts().await?;
    seed::seed(store.as_ref(), &settings.seed_dir).await?;
    let after = store.counts().await?;
    println!(
        "seeded {} into the {} store: {} articles (+{}), {} quotes (+{}), {} people (+{}), {} organizations (+{})",
        settings.seed_dir.display(),
        store.backend().as_str(),
        after.articles,
        after.articles - before.articles,
        after.quotes,
        after.quotes - before.quotes,
        after.people,
        after.people - before.people,
        after.organizations,
        after.organizations - before.organizations,
    );
    Ok(())
}

/// `newsgraph statements rebuild`: joins every stored quote into statements again.
pub async fn rebuild_statements(settings: &Settings) -> anyhow::Result<()> {
    let store = open_store(settings).await?;
    store.prepare().await.context("preparing the store")?;
    let started = std::time::Instant::now();
    let counts = store.counts().await?;
    let statements = store.rebuild_statements().await.context("rebuilding statements")?;
    println!(
        "rebuilt statements in the {} store: {} quotes joined into {statements} statements in {:.1} s",
        store.backend().as_str(),
        counts.quotes,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// `newsgraph extract`: prints (or writes) the extraction of each file.
pub fn extract(args: &ExtractArgs) -> anyhow::Result<()> {
    if let Some(out) = &args.out {
        std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    }
    let mut failed = 0;
    for file in &args.files {
        let result = std::fs::read(file)
            .map_err(anyhow::Error::from)
            .and_then(|bytes| newsgraph_extract::extract_bytes(&bytes).map_err(anyhow::Error::from))
            .and_then(|extraction| Ok(serde_json::to_string_pretty(&extraction)?));
        match result {
            Ok(json) => match &args.out {
                Some(out) => {
                    let stem = file.file_stem().unwrap_or(file.as_os_str());
                    let target = out.join(Path::new(stem).with_extension("json"));
                    std::fs::write(&target, json + "\n").with_context(|| format!("writing {}", target.display()))?;
                }
                None => println!("{json}"),
            },
            Err(e) => {
                failed += 1;
                eprintln!("{}: {e}", file.display());
            }
        }
    }
    if failed > 0 {
        bail!("{failed} of {} files could not be extracted", args.files.len());
    }
    Ok(())
}

/// `newsgraph ingest`: ingests every article of the inputs (files, directories
/// walked recursively, `-` for standard input, http(s) URLs fetched by
/// [`Fetcher`]), each read as text, an HTML page or NDJSON by its content, with a progress bar and a line per article.
/// A page that is not an article is skipped and said so; a failed input does
/// not stop the others, and the exit status says whether any failed.
pub async fn ingest_files(settings: &Settings, args: &IngestArgs) -> anyhow::Result<()> {
    let store = open_store(settings).await?;
    store.prepare().await.context("preparing the store")?;
    let inputs = expand_inputs(&args.files)?;
    let progress = ProgressBar::new(inputs.len() as u64);
    progress.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} {elapsed} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let defaults = IngestInput {
        outlet: args.outlet.clone(),
        language: args.language.clone(),
        published_at: args.published_at,
        ..IngestInput::default()
    };
    let fetcher = match inputs.iter().any(|input| matches!(input, Input::Url(_))) {
        true => Some(Fetcher::new(settings.fetch_settings())?),
        false => None,
    };
    let mut tally = Tally::default();
    for input in &inputs {
        progress.set_message(input.label());
        let articles = match (input, &fetcher) {
            (Input::Url(url), Some(fetcher)) => {
                let article = input_from_url(fetcher, url, IngestInput::default()).await;
                vec![(input.label(), article.map(|article| article.or(&defaults)))]
            }
            _ => match input.read() {
                Err(e) => vec![(input.label(), Err(IngestError::Invalid(format!("cannot read: {e}"))))],
                Ok(bytes) => articles_of(&input.label(), &bytes, &defaults),
            },
        };
        for (label, prepared) in articles {
            let outcome = match prepared {
                Ok(article) => ingest(store.as_ref(), article).await,
                Err(e) => Err(e),
            };
            let line = tally.record(&label, outcome);
            progress.suspend(|| println!("{line}"));
        }
        progress.inc(1);
    }
    progress.finish_and_clear();
    let total = store.counts().await?;
    println!(
        "{} of {} articles ingested, {} pages skipped as not articles, {} failed; the store holds {total}",
        tally.ingested,
        tally.ingested + tally.failed,
        tally.skipped,
        tally.failed
    );
    if tally.failed > 0 {
        bail!("{} of {} articles failed", tally.failed, tally.ingested + tally.failed);
    }
    Ok(())
}

/// `newsgraph watch FILE`: polls the feeds of `FILE` into the configured store, on their
/// schedules until interrupted, or (`--once`) each once, printing a line per poll; the exit
/// status then says whether any poll failed.
pub async fn watch(settings: &Settings, args: &WatchArgs) -> anyhow::Result<()> {
    let file = FeedsFile::read(&args.file)?;
    let store = open_store(settings).await?;
    store.prepare().await.context("preparing the store")?;
    let watcher = Watcher::new(store.clone(), Fetcher::new(settings.fetch_settings())?, file);
    if !args.once {
        tokio::select! {
            () = watcher.run() => {}
            _ = tokio::signal::ctrl_c() => tracing::info!("interrupted: stopped watching"),
        }
        return Ok(());
    }
    let reports = watcher.poll_all().await;
    for report in &reports {
        let detail = match &report.error {
            Some(error) => format!("failed: {error}"),
            None => format!(
                "{} items: {} ingested ({} from the item's own text), {} duplicates, {} skipped, {} to retry, {} left for the next poll",
                report.items,
                report.ingested,
                report.from_item_content,
                report.duplicates,
                report.skipped,
                report.failed,
                report.left_for_next_poll
            ),
        };
        println!("{} [{}] {detail}; next poll {}", report.feed, report.outcome, report.next_poll_at.to_rfc3339());
    }
    let failed = reports.iter().filter(|r| r.error.is_some()).count();
    println!(
        "{} of {} feeds polled, {} articles ingested; the store holds {}",
        reports.len() - failed,
        reports.len(),
        reports.iter().map(|r| r.ingested).sum::<usize>(),
        store.counts().await?
    );
    if failed > 0 {
        bail!("{failed} of {} feed polls failed", reports.len());
    }
    Ok(())
}

/// One input of `newsgraph ingest`.
enum Input {
    File(PathBuf),
    Stdin,
    /// An http(s) URL, fetched by [`Fetcher`].
    Url(String),
}

impl Input {
    fn label(&self) -> String {
        match self {
            Input::File(path) => path.display().to_string(),
            Input::Stdin => "stdin".into(),
            Input::Url(url) => url.clone(),
        }
    }

    /// The content, refused past [`MAX_SOURCE_BYTES`] without reading it all.
    fn read(&self) -> std::io::Result<Vec<u8>> {
        let mut bytes = Vec::new();
        let limit = MAX_SOURCE_BYTES as u64 + 1;
        match self {
            Input::File(path) => std::fs::File::open(path)?.take(limit).read_to_end(&mut bytes)?,
            Input::Stdin => std::io::stdin().lock().take(limit).read_to_end(&mut bytes)?,
            Input::Url(_) => return Err(std::io::Error::other("a URL is fetched, not read")),
        };
        Ok(bytes)
    }
}

/// The files named, directories walked (in name order, hidden entries skipped), `-` as standard input.
fn expand_inputs(paths: &[PathBuf]) -> anyhow::Result<Vec<Input>> {
    let mut inputs = Vec::new();
    for path in paths {
        let named = path.to_string_lossy();
        if path.as_os_str() == "-" {
            inputs.push(Input::Stdin);
        } else if named.starts_with("http://") || named.starts_with("https://") {
            inputs.push(Input::Url(named.into_owned()));
        } else if path.is_dir() {
            let walk = walkdir::WalkDir::new(path)
                .sort_by_file_name()
                .into_iter()
                .filter_entry(|entry| entry.depth() == 0 || !entry.file_name().to_string_lossy().starts_with('.'));
            for entry in walk {
                let entry = entry.with_context(|| format!("walking {}", path.display()))?;
                if entry.file_type().is_file() {
                    inputs.push(Input::File(entry.into_path()));
                }
            }
        } else {
            inputs.push(Input::File(path.clone()));
        }
    }
    Ok(inputs)
}

/// The articles of one input, each labelled (`file`, or `file:line` for NDJSON)
/// and ready to ingest or already failed.
fn articles_of(label: &str, bytes: &[u8], defaults: &IngestInput) -> Vec<(String, Result<IngestInput, IngestError>)> {
    let format = match source::detect(bytes) {
        Ok(format) => format,
        Err(e) => return vec![(label.to_owned(), Err(IngestError::Invalid(e.to_string())))],
    };
    match format {
        Format::Html => {
            vec![(
                label.to_owned(),
                input_from_page(bytes, None, IngestInput::default()).map(|input| input.or(defaults)),
            )]
        }
        Format::Text => {
            let article = match std::str::from_utf8(bytes) {
                Ok(text) => Ok(IngestInput { text: text.to_owned(), ..defaults.clone() }),
                Err(e) => Err(IngestError::Invalid(format!("not UTF-8 text (valid up to byte {})", e.valid_up_to()))),
            };
            vec![(label.to_owned(), article)]
        }
        Format::Ndjson => match std::str::from_utf8(bytes) {
            Err(e) => vec![(
                label.to_owned(),
                Err(IngestError::Invalid(format!("NDJSON that is not UTF-8 (valid up to byte {})", e.valid_up_to()))),
            )],
            Ok(text) => source::ndjson_lines(text)
                .map(|(line, parsed)| {
                    let article = parsed
                        .map_err(|e| IngestError::Invalid(format!("not an article: {e}")))
                        .and_then(|article| article.into_input(defaults));
                    (format!("{label}:{line}"), article)
                })
                .collect(),
        },
    }
}

/// What `newsgraph ingest` did, counted as it goes.
#[derive(Default)]
struct Tally {
    ingested: usize,
    skipped: usize,
    failed: usize,
}

impl Tally {
    /// Counts one outcome and returns its line.
    fn record(&mut self, label: &str, outcome: Result<IngestReport, IngestError>) -> String {
        match outcome {
            Ok(report) => {
                self.ingested += 1;
                let line = format!(
                    "{label}: article {} ({}), {} quotes; people +{} ~{}; organizations +{} ~{}",
                    report.article,
                    if report.replaced { "rewritten" } else { "new" },
                    report.quotes.len(),
                    report.people_added.len(),
                    report.people_merged.len(),
                    report.organizations_added.len(),
                    report.organizations_merged.len(),
                );
                match (&report.copy_of, report.copies) {
                    (Some(original), n) => format!("{line}; copy of {original} ({n} other reports)"),
                    (None, n) if n > 0 => format!("{line}; original of {n} copies"),
                    _ => line,
                }
            }
            Err(IngestError::NotAnArticle(reason)) => {
                self.skipped += 1;
                format!("{label}: skipped: {reason}")
            }
            Err(e) => {
                self.failed += 1;
                format!("{label}: failed: {e}")
            }
        }
    }
}

/// `newsgraph eval`: the extraction scores on a gold directory.
pub fn eval(args: &EvalArgs) -> anyhow::Result<()> {
    let report = newsgraph_extract::eval::evaluate_dir(&args.gold_dir).map_err(anyhow::Error::msg)?;
    print!("{}", report.table(args.verbose));
    Ok(())
}

/// `newsgraph key generate`: a random 256-bit key, and its SHA-256 for the keys file.
pub fn generate_key(args: &crate::cli::KeyGenerateArgs) -> anyhow::Result<()> {
    use crate::graphql::access::{self, ApiKey, Scope};
    let scopes = Scope::parse_list(&args.scope).map_err(|e| anyhow::anyhow!("--scope: {e}"))?;
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness available: {e}"))?;
    let key: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let mut entry = ApiKey::unnamed(access::digest(&key));
    if let Some(name) = &args.name {
        anyhow::ensure!(
            access::valid_name(name),
            "--name: `{name}` is not a key name (letters, digits, `-`, `_`, `.`, `@`; 1 to 64)"
        );
        entry.name = name.clone();
    }
    entry.scopes = scopes;
    println!("key (give it to the client; it is not stored anywhere): {key}");
    println!("line for NEWSGRAPH_API_KEYS_FILE (the key's SHA-256, name and scopes):");
    println!("{}", entry.line());
    Ok(())
}

/// The least time `newsgraph generate` allows one batch write.
const GENERATE_STORE_TIMEOUT_MS: u64 = 60_000;

/// `newsgraph generate`: the synthetic corpus, with a progress bar and the write rate.
pub async fn generate(settings: &Settings, args: &GenerateArgs) -> anyhow::Result<()> {
    // One batch of thousands of articles is one store call: give it at least a
    // minute, whatever bound suits the requests of a server.
    let mut settings = settings.clone();
    settings.store_timeout_ms = settings.store_timeout_ms.max(GENERATE_STORE_TIMEOUT_MS);
    let store = open_store(&settings).await?;
    store.prepare().await.context("preparing the store")?;
    let progress = ProgressBar::new(args.articles as u64);
    progress.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} articles {per_sec} eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let started = std::time::Instant::now();
    let mut handed: Vec<(usize, std::time::Duration)> = Vec::new();
    let tenth = (args.articles / 10).max(1);
    crate::generate::generate(store.as_ref(), args.articles, args.seed, args.batch, |done| {
        let elapsed = started.elapsed();
        // A line per tenth where no progress bar shows (output not a
        // terminal), so a long load's pace can be followed while it runs.
        if progress.is_hidden() && handed.last().map_or(0, |(before, _)| before / tenth) < done / tenth {
            eprintln!("{done} articles handed to the store after {:.1} s", elapsed.as_secs_f64());
        }
        handed.push((done, elapsed));
        progress.set_position(done as u64)
    })
    .await?;
    progress.finish_and_clear();
    let seconds = started.elapsed().as_secs_f64();
    let counts = store.counts().await?;
    println!(
        "generated {} articles (seed {}) in {seconds:.1} s: {:.0} articles/s into the {} store, which now holds {counts}",
        args.articles,
        args.seed,
        args.articles as f64 / seconds.max(1e-9),
        store.backend().as_str(),
    );
    if let Some(tenths) = LoadTenths::of(&handed, seconds) {
        println!("{tenths}");
    }
    Ok(())
}

/// Whether a bulk load keeps its pace as the store grows: the rate over its
/// first and its last tenth of articles, from the moments batches were handed
/// to the store (the store takes the next one only when it has written the
/// one before, so these follow its writing within a batch or two), and the
/// time after the last batch was handed over (the last rows, then rebuilding
/// indexes and counters, and the commit).
struct LoadTenths {
    tenth: usize,
    first: f64,
    last: f64,
    finishing: f64,
}

impl LoadTenths {
    /// From `(articles handed over so far, when)` after each batch, and the
    /// whole load's seconds; `None` when the load had too few batches.
    fn of(handed: &[(usize, std::time::Duration)], seconds: f64) -> Option<Self> {
        let &(total, end) = handed.last()?;
        let tenth = total / 10;
        // When the first batch reaching `n` articles was handed over.
        let at = |n: usize| handed.iter().find(|(done, _)| *done >= n).map(|&(done, t)| (done, t.as_secs_f64()));
        let (first_done, first_end) = at(tenth)?;
        let (last_start_done, last_start) = at(total - tenth)?;
        let last_span = end.as_secs_f64() - last_start;
        if first_done == 0 || last_start_done >= total || first_end <= 0.0 || last_span <= 0.0 {
            return None;
        }
        Some(Self {
            tenth,
            first: first_done as f64 / first_end,
            last: (total - last_start_done) as f64 / last_span,
            finishing: seconds - end.as_secs_f64(),
        })
    }
}

impl std::fmt::Display for LoadTenths {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "first {n} articles: {first:.0} articles/s, last {n}: {last:.0} articles/s ({ratio:.2}x the first); \
             {finishing:.1} s after the last batch (indexes, counters, commit)",
            n = self.tenth,
            first = self.first,
            last = self.last,
            ratio = self.last / self.first,
            finishing = self.finishing,
        )
    }
}

/// `newsgraph export`: the rows a filter matches, page by page, to standard output or `--out`.
pub async fn export(settings: &Settings, args: &ExportArgs) -> anyhow::Result<()> {
    use futures_util::TryStreamExt as _;
    use std::io::Write as _;
    let selection = crate::export::Selection::parse(args.kind, args.filter.as_deref(), args.order_by.as_deref())
        .map_err(|e| anyhow::anyhow!("{} ({})", e.message(), e.code()))?;
    let store = open_store(settings).await?;
    store.prepare().await.context("preparing the store")?;
    let mut out: Box<dyn std::io::Write> = match &args.out {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let mut chunks = std::pin::pin!(crate::export::stream(store, selection, args.format, crate::export::PAGE_SIZE));
    while let Some(chunk) = chunks.try_next().await.map_err(|e| anyhow::anyhow!("{} ({})", e.message(), e.code()))? {
        out.write_all(&chunk).context("writing the export")?;
    }
    out.flush().context("writing the export")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::LoadTenths;
    use std::time::Duration;

    /// A load of 20 batches of 100 articles whose batches take 1 s each for
    /// the first half and 2 s each afterwards.
    #[test]
    fn load_tenths_compare_the_first_and_last_tenth() {
        let mut handed = Vec::new();
        let mut at = 0.0;
        for batch in 1..=20 {
            at += if batch <= 10 { 1.0 } else { 2.0 };
            handed.push((batch * 100, Duration::from_secs_f64(at)));
        }
        let tenths = LoadTenths::of(&handed, at + 5.0).unwrap();
        assert_eq!(tenths.tenth, 200);
        assert_eq!(tenths.first, 100.0, "200 articles in the first 2 s");
        // Handed over from 1,800 articles (at 26 s) to 2,000 (at 30 s).
        assert_eq!(tenths.last, 50.0);
        assert_eq!(tenths.finishing, 5.0);
        assert!(tenths.to_string().contains("0.50x the first"), "{tenths}");
        assert!(LoadTenths::of(&handed[..1], 1.0).is_none(), "one batch has no tenths");
    }
}
