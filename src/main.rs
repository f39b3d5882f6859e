//! The `newsgraph` binary: parse the command line, set up logging, run the command.

use anyhow::Context as _;
use clap::Parser;
use newsgraph::cli::{Cli, Command};
use newsgraph::startup::{Application, open_store};
use newsgraph::{graphql, seed, telemetry};

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    telemetry::init(cli.settings.log_format);
    let settings = cli.settings;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            Application::build(settings)
                .await?
                .run_until_stopped()
                .await?
        }
        Command::Schema => print!("{}", graphql::sdl()),
        Command::Seed => {
            let store = open_store(&settings).await?;
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
        }
    }
    Ok(())
}
