//! What a store cannot hold gets a typed, explained error, and tenants never share a key:
//! Redis keys escaped part by part, Redis sequence ids within a score's exact range,
//! PostgreSQL text and JSONB without NUL characters.
//!
//! PostgreSQL (`BURR_TEST_POSTGRES_URL`, default `postgres://postgres@127.0.0.1:5432/test`)
//! and Redis (`BURR_TEST_REDIS_URL`, default `redis://127.0.0.1:6379/`) are used for real;
//! a test whose service is unreachable skips, unless `BURR_REQUIRE_SERVICES=1`.

mod support;

use std::time::Duration;

use burr_core::{AsyncStateLoader, AsyncStateSaver, PersistenceError, SaveRequest, State, Status};
use support::roots::unique;
use support::service_unreachable;

fn request<'a>(pk: Option<&'a str>, app: &'a str, seq: u64, state: &'a State) -> SaveRequest<'a> {
    SaveRequest {
        partition_key: pk,
        app_id: app,
        sequence_id: seq,
        position: "act",
        state,
        status: Status::Completed,
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[cfg(feature = "redis")]
mod redis_store {
    use super::*;
    use burr_tracking::persist::redis::driver::AsyncCommands;
    use burr_tracking::persist::redis::{MAX_SEQUENCE_ID, RedisPersister};

    async fn connect(namespace: &str) -> Option<RedisPersister> {
        let url = std::env::var("BURR_TEST_REDIS_URL")
            .unwrap_or_else(|_| "redis://127.0.0.1:6379/".into());
        match RedisPersister::builder(url)
            .namespace(namespace)
            .timeout(Duration::from_secs(5))
            .connect()
            .await
        {
            Ok(p) => Some(p),
            Err(e) => service_unreachable("Redis", e),
        }
    }

    async fn keys(p: &RedisPersister, prefix: &str) -> Vec<String> {
        let mut conn = p.connection();
        let mut keys: Vec<String> = conn.keys(format!("{prefix}*")).await.unwrap();
        keys.sort();
        keys
    }

    async fn delete(p: &RedisPersister, keys: &[String]) {
        if !keys.is_empty() {
            let _: () = p.connection().del(keys).await.unwrap();
        }
    }

    #[test]
    fn tenants_whose_ids_join_to_the_same_text_never_share_a_key() {
        runtime().block_on(async {
            let ns = unique("burr_keys");
            let Some(p) = connect(&ns).await else { return };
            let (one, two) = (State::new().update("who", 1), State::new().update("who", 2));
            p.save(request(Some("T:a"), "b", 0, &one)).await.unwrap();
            p.save(request(Some("T"), "a:b", 0, &two)).await.unwrap();
            let load = |pk, app| {
                let p = p.clone();
                async move { p.load(Some(pk), app, None).await.unwrap().unwrap().state }
            };
            assert_eq!(load("T:a", "b").await.get::<i64>("who").unwrap(), 1);
            assert_eq!(load("T", "a:b").await.get::<i64>("who").unwrap(), 2);
            assert_eq!(p.list_app_ids(Some("T:a")).await.unwrap(), ["b"]);
            assert_eq!(p.list_app_ids(Some("T")).await.unwrap(), ["a:b"]);
            // `%` is escaped too, so an escaped-looking id is not an escape.
            let three = State::new().update("who", 3);
            p.save(request(Some("T%3Aa"), "b", 0, &three))
                .await
                .unwrap();
            assert_eq!(load("T%3Aa", "b").await.get::<i64>("who").unwrap(), 3);
            assert_eq!(load("T:a", "b").await.get::<i64>("who").unwrap(), 1);

            let found = keys(&p, &format!("{ns}:")).await;
            assert_eq!(
                found,
                [
                    format!("{ns}:T"),
                    format!("{ns}:T%253Aa"),
                    format!("{ns}:T%253Aa:b:0"),
                    format!("{ns}:T%3Aa"),
                    format!("{ns}:T%3Aa:b:0"),
                    format!("{ns}:T:a%3Ab:0"),
                ]
            );
            delete(&p, &found).await;
        });
    }

    #[test]
    fn ids_without_separators_keep_apache_burrs_keys() {
        runtime().block_on(async {
            let ns = unique("burr_keys");
            let Some(p) = connect(&ns).await else { return };
            let s = State::new().update("n", 1);
            p.save(request(None, "app-1", 0, &s)).await.unwrap();
            p.save(request(Some("user-7"), "4f1c-uuid", 3, &s))
                .await
                .unwrap();
            let found = keys(&p, &format!("{ns}:")).await;
            assert_eq!(
                found,
                [
                    format!("{ns}:"),
                    format!("{ns}::app-1:0"),
                    format!("{ns}:user-7"),
                    format!("{ns}:user-7:4f1c-uuid:3"),
                ]
            );
            delete(&p, &found).await;
        });
    }

    #[test]
    fn a_sequence_id_beyond_a_scores_exact_range_is_refused_and_the_latest_step_is_found() {
        runtime().block_on(async {
            let ns = unique("burr_keys");
            let Some(p) = connect(&ns).await else { return };
            let s = State::new().update("n", 1);
            p.save(request(None, "app", MAX_SEQUENCE_ID, &s))
                .await
                .unwrap();
            let err = p
                .save(request(None, "app", MAX_SEQUENCE_ID + 1, &s))
                .await
                .unwrap_err();
            assert!(matches!(err, PersistenceError::Unsupported(_)), "{err}");
            assert!(err.to_string().contains("2^53"), "{err}");
            let latest = p.load(None, "app", None).await.unwrap().unwrap();
            assert_eq!(latest.sequence_id, MAX_SEQUENCE_ID);
            let found = keys(&p, &format!("{ns}:")).await;
            delete(&p, &found).await;
        });
    }
}

#[cfg(feature = "postgres")]
mod postgres_store {
    use super::*;
    use burr_tracking::persist::postgres::PostgresPersister;

    /// A persister on a fresh table, and a client to drop it.
    async fn open() -> Option<(PostgresPersister, tokio_postgres::Client, String)> {
        let url = std::env::var("BURR_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
        let connect = tokio_postgres::connect(&url, tokio_postgres::NoTls);
        let (admin, connection) = match tokio::time::timeout(Duration::from_secs(5), connect).await
        {
            Ok(Ok(pair)) => pair,
            Ok(Err(e)) => return service_unreachable("PostgreSQL", e),
            Err(e) => return service_unreachable("PostgreSQL", e),
        };
        tokio::spawn(async move {
            let _ = connection.await;
        });
        let table = unique("burr_nul");
        let p = PostgresPersister::builder(url)
            .table_name(&table)
            .build()
            .unwrap();
        p.initialize().await.unwrap();
        Some((p, admin, table))
    }

    #[test]
    fn a_nul_character_is_refused_with_where_it_is_and_nothing_is_saved() {
        runtime().block_on(async {
            let Some((p, admin, table)) = open().await else {
                return;
            };
            let bad = State::new().update("messages", serde_json::json!([{"text": "a\u{0}b"}]));
            let err = p.save(request(None, "app", 0, &bad)).await.unwrap_err();
            assert!(matches!(err, PersistenceError::Unsupported(_)), "{err}");
            let text = err.to_string();
            assert!(text.contains(r#"state["messages"][0]["text"]"#), "{text}");
            assert!(text.contains("NUL"), "{text}");

            let ok = State::new().update("n", 1);
            let err = p.save(request(None, "a\u{0}pp", 0, &ok)).await.unwrap_err();
            assert!(
                matches!(err, PersistenceError::Unsupported(ref m) if m.contains("app_id")),
                "{err}"
            );
            assert!(p.load(None, "a\u{0}pp", None).await.unwrap().is_none());
            assert!(p.list_app_ids(Some("\u{0}")).await.unwrap().is_empty());
            // A backslash followed by `u0000` is text, not a NUL.
            let lookalike = State::new().update("s", "\\u0000");
            p.save(request(None, "app", 0, &lookalike)).await.unwrap();
            assert_eq!(
                p.load(None, "app", None).await.unwrap().unwrap().state,
                lookalike
            );
            let err = p
                .save(request(None, "app", u64::from(u32::MAX), &ok))
                .await
                .unwrap_err();
            assert!(matches!(err, PersistenceError::Unsupported(_)), "{err}");
            admin
                .execute(&format!("DROP TABLE {table}, {table}_journal"), &[])
                .await
                .unwrap();
        });
    }
}
