//! `newsroom migrate --from sqlite:PATH --to postgres://...`: moves an
//! installation to PostgreSQL, sources, history and decisions included.

use std::process::ExitCode;

use anyhow::{Context, bail};
use newsroom::store::{self, PostgresStore, SqliteStore};

pub fn run(from: &str, to: &str) -> anyhow::Result<ExitCode> {
    if store::is_postgres(from) || !store::is_postgres(to) {
        bail!(
            "`migrate` copies a SQLite database (--from sqlite:PATH) into PostgreSQL (--to postgres://...)"
        );
    }
    let copied = super::runtime()?.block_on(async {
        let source = SqliteStore::open(from)
            .await
            .with_context(|| format!("cannot open {from}"))?;
        let target = PostgresStore::open(to)
            .await
            .context("cannot open the PostgreSQL database")?;
        target.import(&source).await.context("nothing was copied")
    })?;
    for (table, rows) in copied {
        println!("{table}: {rows} rows");
    }
    println!("done: set `[aggregator] database` to the PostgreSQL URL");
    Ok(ExitCode::SUCCESS)
}
