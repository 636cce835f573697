//! The review page over HTTP: access, CSRF, escaping and headers.

mod daemon_support;
mod review_support;

use std::net::SocketAddr;

use daemon_support::{client, csrf_of, page_at, post_form};
use newsroom::store::Store;
use review_support::{ACCEPTED, REJECTED, SCRIPTED};

fn id_of(page: &str, title: &str) -> String {
    let at = page.find(title).expect("the candidate is listed");
    let start = page[..at].rfind("id=\"c").unwrap() + 5;
    page[start..].split('"').next().unwrap().to_string()
}

#[tokio::test]
async fn feed_text_is_inert_and_headers_are_set() {
    let (site, store, issues) = review_support::site().await;
    let address = serve(&site, store, &issues, None, None).await;
    let response = client()
        .get(format!("http://{address}/review"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["referrer-policy"], "no-referrer");
    let page = response.text().await.unwrap();
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{page}"
    );
    assert!(!page.contains(SCRIPTED));
    assert!(!page.contains("javascript:"), "{page}");
    assert!(!page.contains("onerror"), "{page}");
    // The only scripts are the page's own.
    assert_eq!(page.matches("<script").count(), 1);
    assert!(page.contains("<script src=\"/review/assets/review.js\" defer></script>"));
}

#[tokio::test]
async fn a_post_without_the_csrf_token_is_refused_and_a_get_changes_nothing() {
    let (site, store, issues) = review_support::site().await;
    let database = site.config.aggregator.database.clone();
    let address = serve(&site, store, &issues, None, None).await;
    let page = page_at(format!("http://{address}/review")).await;
    let id = id_of(&page, REJECTED);
    let decide = format!("http://{address}/review/decide");

    let refused = post_form(&decide, &[("id", id.as_str()), ("action", "reject")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    let forged = post_form(
        &decide,
        &[("id", id.as_str()), ("action", "reject"), ("csrf", "0123")],
    )
    .send()
    .await
    .unwrap();
    assert_eq!(forged.status(), 403);
    let by_get = client()
        .get(format!(
            "{decide}?id={id}&action=reject&csrf={}",
            csrf_of(&page)
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(by_get.status(), 405);

    let store = newsroom::store::open(&database).await.unwrap();
    let waiting = store.candidates(chrono::Utc::now(), None).await.unwrap();
    assert_eq!(waiting.len(), 4, "nothing was decided");

    let done = post_form(
        &decide,
        &[
            ("id", id.as_str()),
            ("action", "reject"),
            ("csrf", &csrf_of(&page)),
        ],
    )
    .send()
    .await
    .unwrap();
    assert_eq!(done.status(), 303);
    let waiting = store.candidates(chrono::Utc::now(), None).await.unwrap();
    assert_eq!(waiting.len(), 3);
    assert!(waiting.iter().all(|candidate| candidate.title != REJECTED));
}

#[tokio::test]
async fn elsewhere_than_loopback_every_request_needs_the_token() {
    let (site, store, issues) = review_support::site().await;
    // The page believes it listens on a public address; the test still
    // connects over 127.0.0.1.
    let public: SocketAddr = "192.0.2.10:8080".parse().unwrap();
    let address = serve(&site, store, &issues, Some(public), Some("s3cret".into())).await;
    for path in [
        "/review",
        "/review/draft",
        "/review/assets/review.js",
        "/review/nope",
    ] {
        let response = client()
            .get(format!("http://{address}{path}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401, "{path}");
        let body = response.text().await.unwrap();
        assert!(!body.contains(ACCEPTED), "{path}: {body}");
    }
    let wrong = client()
        .get(format!("http://{address}/review"))
        .bearer_auth("guess")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let right = client()
        .get(format!("http://{address}/review"))
        .basic_auth("editor", Some("s3cret"))
        .send()
        .await
        .unwrap();
    assert_eq!(right.status(), 200);
    assert!(right.text().await.unwrap().contains(ACCEPTED));
}

#[tokio::test]
async fn elsewhere_than_loopback_without_a_token_the_page_is_closed() {
    let (site, store, issues) = review_support::site().await;
    let public: SocketAddr = "0.0.0.0:8080".parse().unwrap();
    let address = serve(&site, store, &issues, Some(public), None).await;
    let response = client()
        .get(format!("http://{address}/review"))
        .bearer_auth("")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn draft_entries_move_within_their_section() {
    let (site, store, issues) = review_support::site().await;
    let address = serve(&site, store, &issues, None, None).await;
    let page = page_at(format!("http://{address}/review")).await;
    let csrf = csrf_of(&page);
    let decide = format!("http://{address}/review/decide");
    let first = id_of(&page, ACCEPTED);
    let second = id_of(&page, REJECTED);
    for (id, blurb) in [(&first, "First blurb."), (&second, "Second blurb.")] {
        let accepted = post_form(
            &decide,
            &[
                ("id", id),
                ("action", "accept"),
                ("section", "News"),
                ("blurb", blurb),
                ("csrf", &csrf),
            ],
        )
        .send()
        .await
        .unwrap();
        assert_eq!(accepted.status(), 303);
    }
    let draft = format!("http://{address}/review/draft");
    let order =
        |page: &str| page.find("First blurb.").unwrap() < page.find("Second blurb.").unwrap();
    let page = page_at(&draft).await;
    assert!(order(&page), "{page}");

    let moved = post_form(
        &format!("{draft}/move"),
        &[("id", &second), ("direction", "up"), ("csrf", &csrf)],
    )
    .send()
    .await
    .unwrap();
    assert_eq!(moved.status(), 303);
    let page = page_at(&draft).await;
    assert!(!order(&page), "{page}");
}

/// Serves the review page, mounted as the daemon mounts it, on 127.0.0.1;
/// `listen` is the address the page believes it listens on.
async fn serve(
    site: &review_support::Site,
    store: newsroom::store::AnyStore,
    issues: &[newsroom::issue::Issue],
    listen: Option<SocketAddr>,
    token: Option<String>,
) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let state = newsroom::review::ReviewState::new(
        store,
        std::sync::Arc::new(site.config.clone()),
        issues,
        listen.unwrap_or(address),
        token,
    )
    .expect("random bytes");
    let app = axum::Router::new().nest(
        "/review",
        newsroom::review::router(std::sync::Arc::new(state)),
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    address
}
