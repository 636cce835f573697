//! Published links: the links of every issue file, never suggested again.

/// `mod published` for the database `$db`.
macro_rules! published_queries {
    ($db:ty) => {
        use sqlx::QueryBuilder;

        use crate::store::columns::{During, distinct_links};
        use crate::store::{PublishedLink, StoreError};

        type Connection = <$db as sqlx::Database>::Connection;

        const CHUNK: usize = 500;

        /// Replaces the published links with `links`: an issue file deleted
        /// or edited takes its old links with it.
        pub(in crate::store) async fn replace(
            tx: &mut Connection,
            links: &[PublishedLink],
        ) -> Result<(), StoreError> {
            let action = "index the published links";
            sqlx::query("DELETE FROM published")
                .execute(&mut *tx)
                .await
                .during(action)?;
            let links = distinct_links(links);
            for chunk in links.chunks(CHUNK) {
                let mut insert =
                    QueryBuilder::<$db>::new("INSERT INTO published (url, issue_number) ");
                insert.push_values(chunk, |mut row, (url, issue)| {
                    row.push_bind(url.as_str()).push_bind(*issue);
                });
                insert.build().execute(&mut *tx).await.during(action)?;
            }
            Ok(())
        }
    };
}

pub(in crate::store) use published_queries;
