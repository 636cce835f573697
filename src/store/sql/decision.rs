//! Editors' decisions: every one kept, undo marks the one in force undone.

/// `mod decision` for the database `$db`.
macro_rules! decision_queries {
    ($db:ty) => {
        use chrono::{DateTime, Utc};
        use sqlx::Row;

        use crate::store::columns::{During, decision_columns, decision_of};
        use crate::store::{Decision, StoreError};

        type Connection = <$db as sqlx::Database>::Connection;

        pub(in crate::store) async fn insert(
            tx: &mut Connection,
            candidate_id: i64,
            decision: &Decision,
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            let (kind, section, blurb, until) = decision_columns(decision);
            sqlx::query(
                "INSERT INTO decisions \
                    (candidate_id, kind, section, blurb, snoozed_until, decided_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
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

        /// Marks the decision in force on `candidate_id` undone and returns
        /// it, or `None` when there is none.
        pub(in crate::store) async fn undo_latest(
            tx: &mut Connection,
            candidate_id: i64,
            now: DateTime<Utc>,
        ) -> Result<Option<Decision>, StoreError> {
            let action = "undo a decision";
            let row = sqlx::query(
                "UPDATE decisions SET undone_at = $1 WHERE id = \
                    (SELECT MAX(id) FROM decisions WHERE candidate_id = $2 AND undone_at IS NULL) \
                 RETURNING kind, section, blurb, snoozed_until",
            )
            .bind(now.timestamp())
            .bind(candidate_id)
            .fetch_optional(&mut *tx)
            .await
            .during(action)?;
            let Some(row) = row else { return Ok(None) };
            decision_of(
                candidate_id,
                row.try_get("kind").during(action)?,
                row.try_get("section").during(action)?,
                row.try_get("blurb").during(action)?,
                row.try_get("snoozed_until").during(action)?,
            )
            .map(Some)
        }
    };
}

pub(in crate::store) use decision_queries;
