//! Poll results written in groups, one transaction per group.
//!
//! SQLite has one writer, and a commit is what costs: every page a poll
//! dirtied (the URL index is touched all over) goes to the WAL again, and
//! the page cache is swept. One task writes what the polls queued meanwhile
//! in one transaction, so that a poll of thousands of sources commits a few
//! hundred times instead of once per source.
//!
//! Nothing is weaker for it. A result is acknowledged (its `record` returns)
//! only once the transaction holding it committed; a crash before that
//! loses only results nobody was told about, and their sources, still due
//! with their old validators, are polled again. Each result stays whole: it
//! is all in one transaction, and when a group fails, it is rolled back and
//! each of its results is written again alone, so that one result's error
//! (a source removed meanwhile) is its own. Editors' decisions never wait
//! in a group: they keep their own transaction.

use sqlx::SqlitePool;
use tokio::sync::{mpsc, oneshot};

use super::source;
use crate::store::columns::During;
use crate::store::{PollRecorded, PollResult, StoreError};

const ACTION: &str = "record a poll";

/// Results per transaction at most: bounds how long a decision may wait for
/// the writer. A poll rarely queues more than its `concurrency` anyway.
const GROUP: usize = 64;

/// Hands poll results to the writer task; cheap to clone.
#[derive(Debug, Clone)]
pub(super) struct PollWriter {
    queue: mpsc::UnboundedSender<Queued>,
}

#[derive(Debug)]
struct Queued {
    result: PollResult,
    reply: oneshot::Sender<Result<PollRecorded, StoreError>>,
}

impl PollWriter {
    /// Starts the writer task on the current runtime; it ends when the last
    /// clone of this writer is dropped.
    pub(super) fn start(pool: SqlitePool) -> PollWriter {
        let (queue, queued) = mpsc::unbounded_channel();
        tokio::spawn(write_queued(pool, queued));
        PollWriter { queue }
    }

    /// Stores `result` in its source's group; returns once it is committed.
    pub(super) async fn record(&self, result: &PollResult) -> Result<PollRecorded, StoreError> {
        let (reply, committed) = oneshot::channel();
        let queued = Queued {
            result: result.clone(),
            reply,
        };
        // The task only stops with the runtime: the pool is as good as closed.
        let stopped = || Err(sqlx::Error::PoolClosed).during(ACTION);
        if self.queue.send(queued).is_err() {
            return stopped();
        }
        committed.await.unwrap_or_else(|_| stopped())
    }
}

async fn write_queued(pool: SqlitePool, mut queued: mpsc::UnboundedReceiver<Queued>) {
    let mut group = Vec::with_capacity(GROUP);
    while queued.recv_many(&mut group, GROUP).await > 0 {
        match write(&pool, &group).await {
            Ok(recorded) => {
                for (queued, recorded) in group.drain(..).zip(recorded) {
                    // The poll may have stopped waiting; the result is kept.
                    let _ = queued.reply.send(Ok(recorded));
                }
            }
            Err(err) if group.len() == 1 => {
                let _ = group.remove(0).reply.send(Err(err));
            }
            Err(_) => {
                for queued in group.drain(..) {
                    let alone = write(&pool, std::slice::from_ref(&queued)).await;
                    let _ = queued.reply.send(alone.map(|recorded| recorded[0]));
                }
            }
        }
    }
}

/// Writes `group` in one transaction: all of it, or none.
async fn write(pool: &SqlitePool, group: &[Queued]) -> Result<Vec<PollRecorded>, StoreError> {
    // IMMEDIATE: see `SqliteStore::write`.
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.during(ACTION)?;
    let mut recorded = Vec::with_capacity(group.len());
    for queued in group {
        recorded.push(source::record_result(&mut tx, &queued.result).await?);
    }
    tx.commit().await.during(ACTION)?;
    Ok(recorded)
}
