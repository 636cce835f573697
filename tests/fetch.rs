//! The fetcher against HTTP servers on 127.0.0.1: wiremock for ordinary
//! exchanges, a raw TCP listener for misbehaving servers.

use std::io::Write;
use std::time::Duration;

use newsroom::aggregator::fetch::{
    Content, FetchError, FetchOptions, FetchRequest, Fetched, Fetcher, USER_AGENT,
};
use newsroom::aggregator::parse::{ParseError, parse_feed};
use newsroom::config::Source;
use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use url::Url;
use wiremock::matchers::{header, header_regex, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const RSS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Test feed</title><link>https://blog.example/</link>
<item><title>Hello</title><link>https://blog.example/hello</link><guid>hello</guid></item>
</channel></rss>"#;

fn fetcher() -> Fetcher {
    fetcher_with(FetchOptions::default())
}

fn fetcher_with(options: FetchOptions) -> Fetcher {
    Fetcher::new(options).expect("the HTTP client starts")
}

fn url(server: &MockServer, path: &str) -> Url {
    Url::parse(&format!("{}{path}", server.uri())).unwrap()
}

async fn serve(server: &MockServer, at: &str, response: ResponseTemplate) {
    Mock::given(method("GET"))
        .and(path(at))
        .respond_with(response)
        .mount(server)
        .await;
}

async fn redirect(server: &MockServer, from: &str, status: u16, to: &str) {
    serve(
        server,
        from,
        ResponseTemplate::new(status).insert_header("location", to),
    )
    .await;
}

fn rss() -> ResponseTemplate {
    ResponseTemplate::new(200)
        .insert_header("content-type", "application/rss+xml")
        .set_body_string(RSS)
}

async fn fetch(url: Url) -> Result<Fetched, FetchError> {
    fetcher().fetch(&FetchRequest::new(url)).await
}

fn body(fetched: &Fetched) -> &[u8] {
    match &fetched.content {
        Content::Modified { body, .. } => body,
        Content::NotModified => panic!("expected a body, got 304"),
    }
}

#[tokio::test]
async fn first_fetch_returns_the_body_and_its_validators() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/feed.xml"))
        .and(header("user-agent", USER_AGENT))
        .respond_with(
            rss()
                .insert_header("etag", "\"v1\"")
                .insert_header("last-modified", "Mon, 05 Jan 2026 09:00:00 GMT")
                .insert_header("cache-control", "public, max-age=7200"),
        )
        .mount(&server)
        .await;
    let fetched = fetch(url(&server, "/feed.xml")).await.unwrap();
    assert_eq!(body(&fetched), RSS.as_bytes());
    assert_eq!(fetched.etag.as_deref(), Some("\"v1\""));
    assert_eq!(
        fetched.last_modified.as_deref(),
        Some("Mon, 05 Jan 2026 09:00:00 GMT")
    );
    assert_eq!(fetched.hints.max_age, Some(Duration::from_secs(7200)));
    assert_eq!(fetched.moved_to, None);
    let Content::Modified { final_url, .. } = &fetched.content else {
        unreachable!()
    };
    assert_eq!(final_url, &url(&server, "/feed.xml"));
}

#[tokio::test]
async fn etag_gets_304_and_new_validators_are_returned() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/feed.xml"))
        .and(header("if-none-match", "\"v1\""))
        .respond_with(ResponseTemplate::new(304).insert_header("etag", "\"v2\""))
        .mount(&server)
        .await;
    serve(&server, "/feed.xml", rss()).await;
    let request = FetchRequest {
        etag: Some("\"v1\"".into()),
        ..FetchRequest::new(url(&server, "/feed.xml"))
    };
    let fetched = fetcher().fetch(&request).await.unwrap();
    assert_eq!(fetched.content, Content::NotModified);
    assert_eq!(fetched.etag.as_deref(), Some("\"v2\""));
}

#[tokio::test]
async fn last_modified_gets_304_and_the_sent_validators_are_kept() {
    let server = MockServer::start().await;
    let date = "Mon, 05 Jan 2026 09:00:00 GMT";
    Mock::given(method("GET"))
        .and(path("/feed.xml"))
        // `header` would split the date at its comma.
        .and(header_regex("if-modified-since", &format!("^{date}$")))
        .respond_with(ResponseTemplate::new(304))
        .mount(&server)
        .await;
    serve(&server, "/feed.xml", rss()).await;
    let request = FetchRequest {
        last_modified: Some(date.into()),
        etag: Some("\"old\"".into()),
        ..FetchRequest::new(url(&server, "/feed.xml"))
    };
    let fetched = fetcher().fetch(&request).await.unwrap();
    assert_eq!(fetched.content, Content::NotModified);
    assert_eq!(fetched.last_modified.as_deref(), Some(date));
    assert_eq!(fetched.etag.as_deref(), Some("\"old\""));
}

async fn moved_to_after(status: u16) -> Option<Url> {
    let server = MockServer::start().await;
    redirect(&server, "/old", status, "/new").await;
    serve(&server, "/new", rss()).await;
    let fetched = fetch(url(&server, "/old")).await.unwrap();
    assert_eq!(body(&fetched), RSS.as_bytes(), "after HTTP {status}");
    let Content::Modified { final_url, .. } = &fetched.content else {
        unreachable!()
    };
    assert_eq!(final_url, &url(&server, "/new"));
    fetched.moved_to.map(|moved| {
        assert_eq!(moved, url(&server, "/new"));
        moved
    })
}

#[tokio::test]
async fn permanent_redirects_move_the_source() {
    assert!(moved_to_after(301).await.is_some());
    assert!(moved_to_after(308).await.is_some());
}

#[tokio::test]
async fn temporary_redirects_do_not_move_the_source() {
    for status in [302, 303, 307] {
        assert_eq!(moved_to_after(status).await, None, "HTTP {status}");
    }
}

#[tokio::test]
async fn a_temporary_hop_ends_the_move() {
    let server = MockServer::start().await;
    redirect(&server, "/a", 301, "/b").await;
    redirect(&server, "/b", 302, "/c").await;
    redirect(&server, "/c", 301, "/d").await;
    serve(&server, "/d", rss()).await;
    let fetched = fetch(url(&server, "/a")).await.unwrap();
    assert_eq!(fetched.moved_to, Some(url(&server, "/b")));
}

#[tokio::test]
async fn a_redirect_loop_is_an_error() {
    let server = MockServer::start().await;
    redirect(&server, "/a", 301, "/b").await;
    redirect(&server, "/b", 302, "/a").await;
    let err = fetch(url(&server, "/a")).await.unwrap_err();
    let FetchError::RedirectLoop { chain, .. } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(chain.len(), 3);
    assert!(err.to_string().contains("redirect loop"), "{err}");
    assert_eq!(err.url(), &url(&server, "/a"));
}

#[tokio::test]
async fn at_most_five_redirects_are_followed() {
    let server = MockServer::start().await;
    for hop in 0..6 {
        redirect(&server, &format!("/r{hop}"), 302, &format!("/r{}", hop + 1)).await;
    }
    serve(&server, "/r6", rss()).await;
    // r1 -> ... -> r6 is five redirects: fine.
    assert!(fetch(url(&server, "/r1")).await.is_ok());
    // r0 -> ... -> r6 is six: too many.
    let err = fetch(url(&server, "/r0")).await.unwrap_err();
    assert!(
        matches!(err, FetchError::TooManyRedirects { limit: 5, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_redirect_without_location_is_an_error() {
    let server = MockServer::start().await;
    serve(&server, "/a", ResponseTemplate::new(301)).await;
    let err = fetch(url(&server, "/a")).await.unwrap_err();
    assert!(matches!(err, FetchError::BadRedirect { .. }), "{err:?}");
}

fn status(err: &FetchError) -> Option<StatusCode> {
    match err {
        FetchError::Status { status, .. } => Some(*status),
        _ => None,
    }
}

#[tokio::test]
async fn too_many_requests_carries_retry_after() {
    let server = MockServer::start().await;
    serve(
        &server,
        "/feed.xml",
        ResponseTemplate::new(429).insert_header("retry-after", "3600"),
    )
    .await;
    let err = fetch(url(&server, "/feed.xml")).await.unwrap_err();
    assert_eq!(status(&err), Some(StatusCode::TOO_MANY_REQUESTS), "{err:?}");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(3600)));
    assert_eq!(err.hints().retry_after, Some(Duration::from_secs(3600)));
    let message = err.to_string();
    assert!(message.contains("429"), "{message}");
    assert!(message.contains("1h"), "{message}");
    assert!(
        message.contains(url(&server, "/feed.xml").as_str()),
        "{message}"
    );
}

#[tokio::test]
async fn service_unavailable_with_and_without_retry_after() {
    let server = MockServer::start().await;
    serve(
        &server,
        "/busy",
        ResponseTemplate::new(503).insert_header("retry-after", "120"),
    )
    .await;
    serve(&server, "/down", ResponseTemplate::new(503)).await;
    let busy = fetch(url(&server, "/busy")).await.unwrap_err();
    assert_eq!(busy.retry_after(), Some(Duration::from_secs(120)));
    let down = fetch(url(&server, "/down")).await.unwrap_err();
    assert_eq!(
        status(&down),
        Some(StatusCode::SERVICE_UNAVAILABLE),
        "{down:?}"
    );
    assert_eq!(down.retry_after(), None);
}

#[tokio::test]
async fn gone_marks_the_source_gone() {
    let server = MockServer::start().await;
    serve(&server, "/feed.xml", ResponseTemplate::new(410)).await;
    let err = fetch(url(&server, "/feed.xml")).await.unwrap_err();
    assert!(err.is_gone(), "{err:?}");
    assert!(err.to_string().contains("410"), "{err}");
}

#[tokio::test]
async fn not_found_is_a_status_error() {
    let server = MockServer::start().await;
    let err = fetch(url(&server, "/missing.xml")).await.unwrap_err();
    assert!(!err.is_gone());
    assert!(err.to_string().contains("404 Not Found"), "{err}");
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

fn brotli(data: &[u8]) -> Vec<u8> {
    let mut compressed = Vec::new();
    let mut encoder = brotli::CompressorWriter::new(&mut compressed, 4096, 5, 22);
    encoder.write_all(data).unwrap();
    drop(encoder);
    compressed
}

fn compressed(encoding: &str, body: Vec<u8>) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .insert_header("content-encoding", encoding)
        .insert_header("content-type", "application/rss+xml")
        .set_body_bytes(body)
}

#[tokio::test]
async fn gzip_and_brotli_bodies_are_decompressed() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/gzip"))
        .and(header_regex("accept-encoding", "gzip"))
        .and(header_regex("accept-encoding", "br"))
        .respond_with(compressed("gzip", gzip(RSS.as_bytes())))
        .mount(&server)
        .await;
    serve(&server, "/br", compressed("br", brotli(RSS.as_bytes()))).await;
    for at in ["/gzip", "/br"] {
        let fetched = fetch(url(&server, at)).await.unwrap();
        assert_eq!(body(&fetched), RSS.as_bytes(), "{at}");
    }
}

fn small_cap() -> FetchOptions {
    FetchOptions {
        max_body_bytes: 64 * 1024,
        ..FetchOptions::default()
    }
}

#[tokio::test]
async fn a_gzip_bomb_stops_at_the_cap() {
    let bomb = gzip(&vec![0u8; 50 * 1024 * 1024]);
    assert!(bomb.len() < 1024 * 1024);
    let server = MockServer::start().await;
    serve(&server, "/bomb", compressed("gzip", bomb)).await;
    let err = fetcher_with(small_cap())
        .fetch(&FetchRequest::new(url(&server, "/bomb")))
        .await
        .unwrap_err();
    assert!(
        matches!(err, FetchError::TooLarge { limit: 65536, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("larger than"), "{err}");
}

#[tokio::test]
async fn a_body_over_the_cap_is_refused() {
    let server = MockServer::start().await;
    serve(
        &server,
        "/big",
        ResponseTemplate::new(200).set_body_bytes(vec![b'x'; 64 * 1024 + 1]),
    )
    .await;
    serve(
        &server,
        "/fits",
        ResponseTemplate::new(200).set_body_bytes(vec![b'x'; 64 * 1024]),
    )
    .await;
    let fetcher = fetcher_with(small_cap());
    let err = fetcher
        .fetch(&FetchRequest::new(url(&server, "/big")))
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::TooLarge { .. }), "{err:?}");
    let fits = fetcher
        .fetch(&FetchRequest::new(url(&server, "/fits")))
        .await
        .unwrap();
    assert_eq!(body(&fits).len(), 64 * 1024);
}

/// A one-connection server that writes `head` and then `body` without a
/// length, or stalls before finishing when `stall` is set.
async fn raw_server(head: &'static str, body: Vec<u8>, stall: bool) -> Url {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        // The client must have sent its request before it accepts an answer.
        let mut request = Vec::new();
        let mut buffer = [0; 1024];
        while !request.ends_with(b"\r\n\r\n") {
            match socket.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(read) => request.extend_from_slice(&buffer[..read]),
            }
        }
        let _ = socket.write_all(head.as_bytes()).await;
        let _ = socket.write_all(&body).await;
        if stall {
            tokio::time::sleep(Duration::from_secs(10)).await;
        }
        let _ = socket.shutdown().await;
    });
    Url::parse(&format!("http://{address}/feed.xml")).unwrap()
}

#[tokio::test]
async fn a_body_without_length_stops_at_the_cap() {
    let url = raw_server(
        "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nConnection: close\r\n\r\n",
        vec![b'x'; 256 * 1024],
        false,
    )
    .await;
    let err = fetcher_with(small_cap())
        .fetch(&FetchRequest::new(url))
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::TooLarge { .. }), "{err:?}");
}

#[tokio::test]
async fn a_stalled_body_times_out() {
    let url = raw_server(
        "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: 5000\r\n\r\n",
        RSS.as_bytes()[..100].to_vec(),
        true,
    )
    .await;
    let options = FetchOptions {
        timeout: Duration::from_millis(300),
        ..FetchOptions::default()
    };
    let started = std::time::Instant::now();
    let err = fetcher_with(options)
        .fetch(&FetchRequest::new(url.clone()))
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(matches!(err, FetchError::Timeout { .. }), "{err:?}");
    assert_eq!(err.url(), &url);
    assert!(err.to_string().contains("300ms"), "{err}");
}

#[tokio::test]
async fn a_closed_port_cannot_connect() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let url = Url::parse(&format!("http://{address}/feed.xml")).unwrap();
    let err = fetch(url).await.unwrap_err();
    assert!(
        matches!(
            err,
            FetchError::Network {
                what: "cannot connect",
                ..
            }
        ),
        "{err:?}"
    );
}

fn source(url: &Url) -> Source {
    Source {
        name: "Test".into(),
        url: url.clone(),
        tags: vec![],
        weight: 1.0,
        interval: None,
    }
}

async fn fetch_and_parse(
    server: &MockServer,
    at: &str,
) -> Result<newsroom::aggregator::parse::ParsedFeed, ParseError> {
    let fetched = fetch(url(server, at)).await.unwrap();
    let Content::Modified { body, final_url } = fetched.content else {
        panic!("expected a body");
    };
    parse_feed(&body, &final_url, &source(&final_url), chrono::Utc::now())
}

#[tokio::test]
async fn fetched_feeds_parse_and_other_documents_are_reported() {
    let server = MockServer::start().await;
    serve(&server, "/feed.xml", rss()).await;
    serve(
        &server,
        "/broken.xml",
        ResponseTemplate::new(200).set_body_string("<rss version=\"2.0\"><channel><item></rss>"),
    )
    .await;
    serve(
        &server,
        "/blog/",
        ResponseTemplate::new(200).set_body_string(
            "<!DOCTYPE html><html><head><link rel=\"alternate\" \
             type=\"application/rss+xml\" href=\"feed.xml\"></head></html>",
        ),
    )
    .await;
    serve(
        &server,
        "/plain/",
        ResponseTemplate::new(200).set_body_string("<html><body>hi</body></html>"),
    )
    .await;

    let feed = fetch_and_parse(&server, "/feed.xml").await.unwrap();
    assert_eq!(feed.entries.len(), 1);
    assert_eq!(
        feed.entries[0].item.url.as_str(),
        "https://blog.example/hello"
    );

    let broken = fetch_and_parse(&server, "/broken.xml").await.unwrap_err();
    assert!(matches!(broken, ParseError::Malformed(_)), "{broken:?}");

    let page = fetch_and_parse(&server, "/blog/").await.unwrap_err();
    let ParseError::HtmlPage { alternate } = page else {
        panic!("{page:?}");
    };
    assert_eq!(alternate, Some(url(&server, "/blog/feed.xml")));

    let plain = fetch_and_parse(&server, "/plain/").await.unwrap_err();
    assert!(
        matches!(plain, ParseError::HtmlPage { alternate: None }),
        "{plain:?}"
    );
}

#[tokio::test]
async fn a_server_that_never_accepts_hits_the_connect_timeout() {
    // A listener whose accept queue is full drops further SYNs, so the next
    // connection attempt hangs as it would against a black-holed host.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let address = socket.local_addr().unwrap();
    let _listener = socket.listen(0).unwrap();
    let mut fillers = Vec::new();
    for _ in 0..4 {
        let attempt = tokio::net::TcpStream::connect(address);
        if let Ok(Ok(stream)) = tokio::time::timeout(Duration::from_millis(100), attempt).await {
            fillers.push(stream);
        }
    }
    let options = FetchOptions {
        connect_timeout: Duration::from_millis(200),
        timeout: Duration::from_secs(5),
        ..FetchOptions::default()
    };
    let url = Url::parse(&format!("http://{address}/feed.xml")).unwrap();
    let err = fetcher_with(options)
        .fetch(&FetchRequest::new(url))
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::ConnectTimeout { .. }), "{err:?}");
    assert!(
        err.to_string().contains("could not connect within 200ms"),
        "{err}"
    );
}
