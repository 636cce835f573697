//! The daemon's HTTP layer against a real socket on 127.0.0.1.

mod daemon_support;

use std::sync::Arc;
use std::time::Duration;

use daemon_support::{client, raw_status, text};
use newsroom::daemon::http::{AppState, router};
use newsroom::daemon::metrics::Metrics;
use newsroom::daemon::site::Site;
use reqwest::StatusCode;
use reqwest::header::{
    ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE, ETAG, IF_MODIFIED_SINCE,
    IF_NONE_MATCH, LAST_MODIFIED, LOCATION,
};

struct Server {
    base: String,
    state: Arc<AppState>,
    _dir: tempfile::TempDir,
}

async fn start() -> Server {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("issues/344")).unwrap();
    std::fs::write(
        root.join("feed.xml"),
        "<rss version=\"2.0\"><channel></channel></rss>".repeat(50),
    )
    .unwrap();
    std::fs::write(
        root.join("atom.xml"),
        "<feed xmlns=\"http://www.w3.org/2005/Atom\"/>",
    )
    .unwrap();
    std::fs::write(
        root.join("index.html"),
        "<!doctype html><title>home</title>",
    )
    .unwrap();
    std::fs::write(
        root.join("issues/344/index.html"),
        "<!doctype html><title>344</title>",
    )
    .unwrap();
    let state = Arc::new(AppState::new(
        Site::load(root).unwrap(),
        Duration::from_secs(300),
        Metrics::default(),
    ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = router(state.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    Server {
        base,
        state,
        _dir: dir,
    }
}

#[tokio::test]
async fn serves_feeds_with_types_and_validators() {
    let server = start().await;
    let response = client()
        .get(format!("{}/feed.xml", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()[CONTENT_TYPE],
        "application/rss+xml; charset=utf-8"
    );
    assert_eq!(response.headers()[CACHE_CONTROL], "public, max-age=300");
    assert!(response.headers().contains_key(ETAG));
    assert!(response.headers().contains_key(LAST_MODIFIED));
    let atom = client()
        .get(format!("{}/atom.xml", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(
        atom.headers()[CONTENT_TYPE],
        "application/atom+xml; charset=utf-8"
    );
    let page = client()
        .get(format!("{}/issues/344/", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.headers()[CONTENT_TYPE], "text/html; charset=utf-8");
    assert!(page.text().await.unwrap().contains("344"));
}

#[tokio::test]
async fn answers_304_to_conditional_requests() {
    let server = start().await;
    let url = format!("{}/feed.xml", server.base);
    let first = client().get(&url).send().await.unwrap();
    let etag = first.headers()[ETAG].clone();
    let modified = first.headers()[LAST_MODIFIED].clone();

    let by_etag = client()
        .get(&url)
        .header(IF_NONE_MATCH, etag.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(by_etag.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(by_etag.headers()[ETAG], etag);
    assert!(by_etag.bytes().await.unwrap().is_empty());

    let by_date = client()
        .get(&url)
        .header(IF_MODIFIED_SINCE, modified)
        .send()
        .await
        .unwrap();
    assert_eq!(by_date.status(), StatusCode::NOT_MODIFIED);

    let stale = client()
        .get(&url)
        .header(IF_NONE_MATCH, "\"other\"")
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), StatusCode::OK);
}

#[tokio::test]
async fn compresses_by_accept_encoding() {
    let server = start().await;
    let url = format!("{}/feed.xml", server.base);
    let plain = client().get(&url).send().await.unwrap();
    let plain_etag = plain.headers()[ETAG].clone();
    let plain_len = plain.bytes().await.unwrap().len();

    let br = client()
        .get(&url)
        .header(ACCEPT_ENCODING, "gzip, br")
        .send()
        .await
        .unwrap();
    assert_eq!(br.headers()[CONTENT_ENCODING], "br");
    let br_etag = br.headers()[ETAG].clone();
    assert_ne!(
        br_etag, plain_etag,
        "each representation has its own validator"
    );
    assert!(br.bytes().await.unwrap().len() < plain_len);

    let gzip = client()
        .get(&url)
        .header(ACCEPT_ENCODING, "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(gzip.headers()[CONTENT_ENCODING], "gzip");
    let body = gzip.bytes().await.unwrap();
    let mut decoded = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&body[..]), &mut decoded)
        .unwrap();
    assert_eq!(decoded.len(), plain_len);

    // A client revalidating the compressed copy gets a 304 too.
    let again = client()
        .get(&url)
        .header(ACCEPT_ENCODING, "br")
        .header(IF_NONE_MATCH, br_etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
}

#[tokio::test]
async fn head_has_headers_and_no_body() {
    let server = start().await;
    let response = client()
        .head(format!("{}/feed.xml", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers().contains_key(ETAG));
    assert!(response.bytes().await.unwrap().is_empty());
}

#[tokio::test]
async fn unknown_paths_folders_and_traversal() {
    let server = start().await;
    for path in ["/nope.xml", "/issues/", "/issues/344/index.htm"] {
        let response = client()
            .get(format!("{}{path}", server.base))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
    }
    // HTTP clients resolve `..` before sending; a raw request does not.
    for path in [
        "/../Cargo.toml",
        "/issues/../../etc/passwd",
        "/issues/%2e%2e/feed.xml",
    ] {
        assert_eq!(raw_status(&server.base, path).await, 404, "{path}");
    }
    let redirect = client()
        .get(format!("{}/issues/344", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(redirect.status(), StatusCode::MOVED_PERMANENTLY);
    assert_eq!(redirect.headers()[LOCATION], "/issues/344/");
    let post = client()
        .post(format!("{}/feed.xml", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(post.status(), StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn health_and_metrics() {
    let server = start().await;
    let health = client()
        .get(format!("{}/healthz", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    server
        .state
        .set_health(Err("last build failed: issues/9.md:3: no date".into()));
    let health = client()
        .get(format!("{}/healthz", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(health.text().await.unwrap().contains("issues/9.md:3"));

    client()
        .get(format!("{}/feed.xml", server.base))
        .send()
        .await
        .unwrap();
    client()
        .get(format!("{}/random-{}", server.base, 1))
        .send()
        .await
        .unwrap();
    let metrics = text(client().get(format!("{}/metrics", server.base))).await;
    assert!(
        metrics.contains("newsroom_http_requests_total{path=\"/feed.xml\",status=\"200\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("path=\"other\",status=\"404\""),
        "{metrics}"
    );
}
