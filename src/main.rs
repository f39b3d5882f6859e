//! The `newsgraph` binary: parse the command line, set up logging, run the command.

/// jemalloc serves the process's allocations (feature `jemalloc`, on by default):
/// measured against the system allocator in docs/benchmarks.md.
#[cfg(feature = "jemalloc")]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;
use newsgraph::cli::{Cli, Command, KeyCommand, StatementsCommand};
use newsgraph::startup::Application;
use newsgraph::{commands, graphql, telemetry};

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse_args();
    // Traces are the server's: only `serve` exports them.
    let serving = matches!(cli.command, None | Some(Command::Serve));
    let otlp_endpoint = cli.settings.otlp_endpoint.as_deref().filter(|_| serving);
    telemetry::init_with_traces(cli.settings.log_format, otlp_endpoint)?;
    let settings = cli.settings;
    commands::install_lexicon(settings.lexicon_dir.as_deref())?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let served: anyhow::Result<()> = async {
                Application::build(settings).await?.run_until_stopped().await?;
                Ok(())
            }
            .await;
            // Send the last spans, off the runtime's thread (the exporter blocks).
            let _ = actix_web::rt::task::spawn_blocking(telemetry::shutdown).await;
            served?
        }
        Command::Schema => print!("{}", graphql::sdl()),
        Command::Seed => commands::seed(&settings).await?,
        Command::Extract(args) => commands::extract(&args)?,
        Command::Ingest(args) => commands::ingest_files(&settings, &args).await?,
        Command::Watch(args) => commands::watch(&settings, &args).await?,
        Command::Eval(args) => commands::eval(&args)?,
        Command::Key(KeyCommand::Generate(args)) => commands::generate_key(&args)?,
        Command::Generate(args) => commands::generate(&settings, &args).await?,
        Command::Export(args) => commands::export(&settings, &args).await?,
        Command::Statements(StatementsCommand::Rebuild) => commands::rebuild_statements(&settings).await?,
    }
    Ok(())
}
