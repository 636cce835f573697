//! The `schema_migrations` table: which migrations a database has had.
//! Each backend creates the table in its own dialect and decides how its
//! steps share transactions; reading the version and applying one step are
//! the same on both.

/// `mod schema` for the database `$db`.
macro_rules! schema_queries {
    ($db:ty) => {
        use chrono::Utc;

        use crate::store::columns::During;
        use crate::store::{Migration, StoreError};

        type Connection = <$db as sqlx::Database>::Connection;

        /// The schema version the database is at (0 for a new one).
        pub(in crate::store) async fn version(
            connection: &mut Connection,
        ) -> Result<i64, StoreError> {
            let version: Option<i64> =
                sqlx::query_scalar("SELECT MAX(version) FROM schema_migrations")
                    .fetch_one(&mut *connection)
                    .await
                    .during("read the schema version")?;
            Ok(version.unwrap_or(0))
        }

        /// Runs `migration` and records it, in the caller's transaction.
        pub(in crate::store) async fn apply(
            tx: &mut Connection,
            migration: &Migration,
        ) -> Result<(), StoreError> {
            let failed = |source| migration.failed(source);
            sqlx::raw_sql(migration.sql)
                .execute(&mut *tx)
                .await
                .map_err(failed)?;
            sqlx::query(
                "INSERT INTO schema_migrations (version, description, applied_at) \
                 VALUES ($1, $2, $3)",
            )
            .bind(migration.version)
            .bind(migration.description)
            .bind(Utc::now().timestamp())
            .execute(&mut *tx)
            .await
            .map(drop)
            .map_err(failed)
        }
    };
}

pub(in crate::store) use schema_queries;
