//! Editors' decisions: every one kept, undo marks the one in force undone.

use chrono::{DateTime, Utc};
use sqlx::{Row, SqliteConnection};

use super::{During, optional_time_of};
use crate::store::{Decision, StoreError};

pub(super) async fn insert(
    tx: &mut SqliteConnection,
    candidate_id: i64,
    decision: &Decision,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let (kind, section, blurb, until) = match decision {
        Decision::Accept { section, blurb } => {
            ("accept", section.as_deref(), blurb.as_deref(), None)
        }
        Decision::Reject => ("reject", None, None, None),
        Decision::Snooze { until } => ("snooze", None, None, Some(until.timestamp())),
    };
    sqlx::query(
        "INSERT INTO decisions (candidate_id, kind, section, blurb, snoozed_until, decided_at) \
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(candidate_id)
    .bind(kind)
    .bind(section)
    .bind(blurb)
    .bind(until)
    .bind(now.timestamp())
    .execute(&mut *tx)
    .await
    .during("record a decision")?;
    Ok(())
}

/// Marks the decision in force on `candidate_id` undone and returns it, or
/// `None` when there is none.
pub(super) async fn undo_latest(
    tx: &mut SqliteConnection,
    candidate_id: i64,
    now: DateTime<Utc>,
) -> Result<Option<Decision>, StoreError> {
    let action = "undo a decision";
    let row = sqlx::query(
        "UPDATE decisions SET undone_at = ? WHERE id = \
            (SELECT MAX(id) FROM decisions WHERE candidate_id = ? AND undone_at IS NULL) \
         RETURNING kind, section, blurb, snoozed_until",
    )
    .bind(now.timestamp())
    .bind(candidate_id)
    .fetch_optional(&mut *tx)
    .await
    .during(action)?;
    let Some(row) = row else { return Ok(None) };
    let kind: String = row.try_get("kind").during(action)?;
    let decision = match kind.as_str() {
        "accept" => Decision::Accept {
            section: row.try_get("section").during(action)?,
            blurb: row.try_get("blurb").during(action)?,
        },
        "reject" => Decision::Reject,
        "snooze" => {
            let until = optional_time_of(row.try_get("snoozed_until").during(action)?)?;
            Decision::Snooze {
                until: until.ok_or(StoreError::Corrupt {
                    what: "snooze without an end",
                    value: candidate_id.to_string(),
                })?,
            }
        }
        _ => {
            return Err(StoreError::Corrupt {
                what: "kind of decision",
                value: kind,
            });
        }
    };
    Ok(Some(decision))
}
