//! `newsroom review`: record an editor's decision on a candidate. Each one
//! is committed before the command says it is done.

use std::process::ExitCode;

use chrono::{TimeDelta, Utc};
use newsroom::config::Config;
use newsroom::store::{Decision, Store};

use super::Review;

pub fn run(config: &Config, review: Review) -> anyhow::Result<ExitCode> {
    super::runtime()?.block_on(async {
        let store = super::open_store(config).await?.store;
        let now = Utc::now();
        match review {
            Review::Accept { id, section, blurb } => {
                let decision = Decision::Accept { section, blurb };
                let candidate = store.decide(id, &decision, now).await?;
                println!("accepted {id}: {}", candidate.title);
            }
            Review::Reject { id } => {
                let candidate = store.decide(id, &Decision::Reject, now).await?;
                println!("rejected {id}: {}", candidate.title);
            }
            Review::Snooze { id, days } => {
                let until = now + TimeDelta::days(i64::from(days));
                let candidate = store.decide(id, &Decision::Snooze { until }, now).await?;
                println!(
                    "snoozed {id} until {}: {}",
                    until.format("%Y-%m-%d %H:%M UTC"),
                    candidate.title
                );
            }
            Review::Undo { id } => {
                let undone = match store.undo(id, now).await? {
                    Decision::Accept { .. } => "accept",
                    Decision::Reject => "reject",
                    Decision::Snooze { .. } => "snooze",
                };
                println!("undid the {undone} of {id}");
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}
