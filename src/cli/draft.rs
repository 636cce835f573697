//! `newsroom draft`: write the next issue from the accepted candidates.

use std::path::Path;
use std::process::ExitCode;

use chrono::Utc;
use newsroom::aggregator::draft::Draft;
use newsroom::config::Config;
use newsroom::store::Store;

pub fn run(config: &Config, out: Option<&Path>) -> anyhow::Result<ExitCode> {
    let (issues, accepted) = super::runtime()?.block_on(async {
        let opened = super::open_store(config).await?;
        let accepted = opened.store.accepted().await?;
        anyhow::Ok((opened.issues, accepted))
    })?;
    let draft = Draft::prepare(config, &issues, &accepted, Utc::now());
    let file = draft.write(config, out)?;
    println!(
        "wrote {}: issue {} with {} entries",
        file.display(),
        draft.next.number,
        draft.entries.len()
    );
    Ok(ExitCode::SUCCESS)
}
