//! Fetching a source's feed over HTTP, as a good citizen of other people's
//! servers: conditional GET, compression, a bounded number of redirects, a
//! timeout for connecting and for the whole response, a body size cap, and
//! the server's caching and back-off headers passed on to the scheduler.
//!
//! This module only talks HTTP: it never parses the document (see
//! [`crate::aggregator::parse`]) nor decides when to come back (see
//! [`crate::aggregator::schedule`]). Per-host serialisation and global
//! concurrency are the polling loop's job; a [`Fetcher`] is cheap to clone
//! and share between tasks.

use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use reqwest::header::{self, HeaderMap, HeaderValue};
use url::Url;

use super::schedule::PollHints;

/// Sent with every request, so that publishers can tell who polls them and
/// where to complain.
pub const USER_AGENT: &str = concat!(
    "newsroom/",
    env!("CARGO_PKG_VERSION"),
    " (+",
    env!("CARGO_PKG_REPOSITORY"),
    ")"
);

/// Feed formats first, so that a server doing content negotiation picks a
/// feed over an HTML page.
const ACCEPT: &str = "application/rss+xml, application/atom+xml, application/feed+json, \
     application/rdf+xml, application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, \
     */*;q=0.5";

/// The limits a [`Fetcher`] enforces. The defaults are the production
/// values; tests use small ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FetchOptions {
    /// Time allowed to open the TCP (and TLS) connection.
    pub connect_timeout: Duration,
    /// Time allowed for the whole fetch, every redirect and the full body
    /// included.
    pub timeout: Duration,
    /// Largest body accepted, counted after decompression, so that a small
    /// compressed "bomb" stops here too.
    pub max_body_bytes: usize,
    /// Redirects followed before giving up.
    pub max_redirects: usize,
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            max_body_bytes: 10 * 1024 * 1024,
            max_redirects: 5,
        }
    }
}

/// What to fetch: a source's current URL and the validators stored from its
/// last successful fetch, sent back as `If-None-Match` and
/// `If-Modified-Since`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchRequest {
    pub url: Url,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

impl FetchRequest {
    /// An unconditional request, for a source fetched for the first time.
    pub fn new(url: Url) -> FetchRequest {
        FetchRequest {
            url,
            etag: None,
            last_modified: None,
        }
    }
}

/// A successful fetch: a document, or word that it did not change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    pub content: Content,
    /// Where the source now lives, when the request was answered through a
    /// chain of permanent redirects (301, 308): store it as the source's new
    /// URL once the document parsed. A temporary redirect (302, 303, 307)
    /// ends the chain: `A -301-> B -302-> C` moves the source to `B`.
    pub moved_to: Option<Url>,
    /// The validators to store for the next request (replace the stored
    /// ones with these, `None` included). On a 304 a server may leave them
    /// out; the ones that were sent are then kept here.
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// `Cache-Control: max-age` and `Expires`; merge with the document's own
    /// hints (`ParsedFeed::hints`) before calling `schedule::next_poll`.
    pub hints: PollHints,
}

/// The body of a fetch, or its absence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    /// 2xx: the document, decompressed, and the URL it was finally served
    /// from (after redirects), which relative links resolve against.
    Modified { body: Vec<u8>, final_url: Url },
    /// 304 Not Modified: nothing new since the validators that were sent.
    NotModified,
}

/// Why a fetch failed. Each variant names the source URL that was requested
/// and reads as a message an operator can act on.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("{url}: the server answered HTTP {status}{}", retry_after_note(.retry_after))]
    Status {
        url: Url,
        status: StatusCode,
        /// `Retry-After` of a 429 or 503, as a delay.
        retry_after: Option<Duration>,
    },
    #[error("{url}: the feed is gone (HTTP 410): remove the source or give it its new URL")]
    Gone { url: Url },
    #[error("{url}: could not connect within {}", humantime::format_duration(*.limit))]
    ConnectTimeout { url: Url, limit: Duration },
    #[error("{url}: no complete response within {}", humantime::format_duration(*.limit))]
    Timeout { url: Url, limit: Duration },
    #[error("{url}: the response is larger than the {limit}-byte limit (after decompression)")]
    TooLarge { url: Url, limit: usize },
    #[error("{url}: redirect loop: {}", chain_text(.chain))]
    RedirectLoop {
        url: Url,
        /// Every URL visited, ending with the one seen before.
        chain: Vec<Url>,
    },
    #[error("{url}: more than {limit} redirects: {}", chain_text(.chain))]
    TooManyRedirects {
        url: Url,
        limit: usize,
        chain: Vec<Url>,
    },
    #[error(
        "{url}: HTTP {status} redirect without a usable http(s) Location: {}",
        chain_text(.chain)
    )]
    BadRedirect {
        url: Url,
        status: StatusCode,
        /// Every URL visited, ending with the one that sent the redirect.
        chain: Vec<Url>,
    },
    #[error("{url}: {what}: {source}")]
    Network {
        url: Url,
        /// What went wrong, in a few words ("cannot connect", ...).
        what: &'static str,
        #[source]
        source: reqwest::Error,
    },
}

fn retry_after_note(retry_after: &Option<Duration>) -> String {
    retry_after
        .map(|delay| {
            format!(
                " (retry after {})",
                humantime::format_duration(Duration::from_secs(delay.as_secs()))
            )
        })
        .unwrap_or_default()
}

fn chain_text(chain: &[Url]) -> String {
    chain
        .iter()
        .map(Url::as_str)
        .collect::<Vec<_>>()
        .join(" -> ")
}

impl FetchError {
    /// The source URL that was requested.
    pub fn url(&self) -> &Url {
        match self {
            FetchError::Status { url, .. }
            | FetchError::Gone { url }
            | FetchError::ConnectTimeout { url, .. }
            | FetchError::Timeout { url, .. }
            | FetchError::TooLarge { url, .. }
            | FetchError::RedirectLoop { url, .. }
            | FetchError::TooManyRedirects { url, .. }
            | FetchError::BadRedirect { url, .. }
            | FetchError::Network { url, .. } => url,
        }
    }

    /// True for 410 Gone: the source should be marked gone and no longer
    /// polled.
    pub fn is_gone(&self) -> bool {
        matches!(self, FetchError::Gone { .. })
    }

    /// The delay the server asked for (`Retry-After` on 429 or 503).
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            FetchError::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// The scheduling hints of this failure, for `schedule::next_poll`.
    pub fn hints(&self) -> PollHints {
        PollHints {
            retry_after: self.retry_after(),
            ..PollHints::default()
        }
    }
}

/// Could not set up the HTTP client (e.g. no TLS backend).
#[derive(Debug, thiserror::Error)]
#[error("cannot set up the HTTP client: {0}")]
pub struct ClientError(#[source] reqwest::Error);

/// Fetches feeds. Build one and share it: clones share the connection pool.
#[derive(Debug, Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    options: FetchOptions,
}

impl Fetcher {
    pub fn new(options: FetchOptions) -> Result<Fetcher, ClientError> {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_static(ACCEPT));
        let client = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .default_headers(headers)
            // Redirects are followed by hand, to know each hop's status.
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(options.connect_timeout)
            .gzip(true)
            .brotli(true)
            .build()
            .map_err(ClientError)?;
        Ok(Fetcher { client, options })
    }

    pub fn options(&self) -> &FetchOptions {
        &self.options
    }

    /// Fetches `request.url`, following up to `max_redirects` redirects,
    /// within `timeout` for the whole exchange.
    pub async fn fetch(&self, request: &FetchRequest) -> Result<Fetched, FetchError> {
        tokio::time::timeout(self.options.timeout, self.follow(request))
            .await
            .unwrap_or_else(|_| {
                Err(FetchError::Timeout {
                    url: request.url.clone(),
                    limit: self.options.timeout,
                })
            })
    }

    async fn follow(&self, request: &FetchRequest) -> Result<Fetched, FetchError> {
        let mut chain = vec![request.url.clone()];
        let mut moved_to = None;
        let mut still_permanent = true;
        loop {
            let url = chain.last().unwrap_or(&request.url).clone();
            let mut response = self.send(request, &url).await?;
            let status = response.status();
            if status.is_redirection() && status != StatusCode::NOT_MODIFIED {
                let Some(next) = redirect_target(response.headers(), &url) else {
                    return Err(FetchError::BadRedirect {
                        url: request.url.clone(),
                        status,
                        chain,
                    });
                };
                let looped = chain.contains(&next);
                chain.push(next.clone());
                if looped {
                    return Err(FetchError::RedirectLoop {
                        url: request.url.clone(),
                        chain,
                    });
                }
                if chain.len() - 1 > self.options.max_redirects {
                    return Err(FetchError::TooManyRedirects {
                        url: request.url.clone(),
                        limit: self.options.max_redirects,
                        chain,
                    });
                }
                still_permanent &= matches!(
                    status,
                    StatusCode::MOVED_PERMANENTLY | StatusCode::PERMANENT_REDIRECT
                );
                if still_permanent {
                    moved_to = Some(next);
                }
                continue;
            }

            let headers = response.headers();
            let hints = header_hints(headers, status, Utc::now());
            let etag = header_text(headers, header::ETAG);
            let last_modified = header_text(headers, header::LAST_MODIFIED);
            return if status == StatusCode::NOT_MODIFIED {
                Ok(Fetched {
                    content: Content::NotModified,
                    moved_to,
                    etag: etag.or_else(|| request.etag.clone()),
                    last_modified: last_modified.or_else(|| request.last_modified.clone()),
                    hints,
                })
            } else if status.is_success() {
                let body = self.read_body(&request.url, &mut response).await?;
                Ok(Fetched {
                    content: Content::Modified {
                        body,
                        final_url: url,
                    },
                    moved_to,
                    etag,
                    last_modified,
                    hints,
                })
            } else if status == StatusCode::GONE {
                Err(FetchError::Gone {
                    url: request.url.clone(),
                })
            } else {
                Err(FetchError::Status {
                    url: request.url.clone(),
                    status,
                    retry_after: hints.retry_after,
                })
            };
        }
    }

    async fn send(
        &self,
        request: &FetchRequest,
        url: &Url,
    ) -> Result<reqwest::Response, FetchError> {
        let mut builder = self.client.get(url.clone());
        if let Some(etag) = &request.etag {
            builder = builder.header(header::IF_NONE_MATCH, etag);
        }
        if let Some(last_modified) = &request.last_modified {
            builder = builder.header(header::IF_MODIFIED_SINCE, last_modified);
        }
        builder
            .send()
            .await
            .map_err(|err| self.request_failed(&request.url, err))
    }

    /// Reads the body chunk by chunk, so that memory stays bounded by the cap
    /// however large the (decompressed) stream would grow.
    async fn read_body(
        &self,
        url: &Url,
        response: &mut reqwest::Response,
    ) -> Result<Vec<u8>, FetchError> {
        let limit = self.options.max_body_bytes;
        let too_large = || FetchError::TooLarge {
            url: url.clone(),
            limit,
        };
        // Content-Length, where reqwest still reports it, is the decoded size.
        if response
            .content_length()
            .is_some_and(|length| length > limit as u64)
        {
            return Err(too_large());
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|err| self.request_failed(url, err))?
        {
            if body.len() + chunk.len() > limit {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    fn request_failed(&self, url: &Url, source: reqwest::Error) -> FetchError {
        let url = url.clone();
        if source.is_timeout() && source.is_connect() {
            return FetchError::ConnectTimeout {
                url,
                limit: self.options.connect_timeout,
            };
        }
        if source.is_timeout() {
            return FetchError::Timeout {
                url,
                limit: self.options.timeout,
            };
        }
        let what = if source.is_connect() {
            "cannot connect"
        } else if source.is_decode() || source.is_body() {
            "the response was cut short or could not be decompressed"
        } else {
            "the request failed"
        };
        FetchError::Network { url, what, source }
    }
}

/// The absolute http(s) URL a redirect points to, if it has one.
fn redirect_target(headers: &HeaderMap, from: &Url) -> Option<Url> {
    let location = headers.get(header::LOCATION)?.to_str().ok()?;
    let target = from.join(location.trim()).ok()?;
    matches!(target.scheme(), "http" | "https").then_some(target)
}

fn header_text(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    let value = headers.get(name)?.to_str().ok()?.trim();
    (!value.is_empty()).then(|| value.to_string())
}

/// The scheduling hints of a response's headers. Absolute dates (`Expires`,
/// a dated `Retry-After`) become delays from the response's `Date`, or from
/// `now` when it has none, so that a server's clock skew does not matter.
/// `Retry-After` counts only on 429 and 503, where it means "back off".
pub fn header_hints(headers: &HeaderMap, status: StatusCode, now: DateTime<Utc>) -> PollHints {
    let sent = header_text(headers, header::DATE)
        .and_then(|date| http_date(&date))
        .unwrap_or(now);
    let delay_until = |at: DateTime<Utc>| (at - sent).to_std().ok();
    let max_age = header_text(headers, header::CACHE_CONTROL).and_then(|value| {
        value.split(',').find_map(|directive| {
            let (name, seconds) = directive.split_once('=')?;
            if !name.trim().eq_ignore_ascii_case("max-age") {
                return None;
            }
            let seconds = seconds.trim().trim_matches('"').parse().ok()?;
            Some(Duration::from_secs(seconds))
        })
    });
    // HTTP gives max-age precedence over Expires.
    let expires = match max_age {
        Some(_) => None,
        None => header_text(headers, header::EXPIRES)
            .and_then(|date| http_date(&date))
            .and_then(delay_until),
    };
    let retry_after = matches!(
        status,
        StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE
    )
    .then(|| header_text(headers, header::RETRY_AFTER))
    .flatten()
    .and_then(|value| match value.parse::<u64>() {
        Ok(seconds) => Some(Duration::from_secs(seconds)),
        Err(_) => http_date(&value).and_then(delay_until),
    });
    PollHints {
        max_age,
        expires,
        retry_after,
        ..PollHints::default()
    }
}

/// An HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`, the only form servers
/// still send).
fn http_date(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc2822(text.trim())
        .ok()
        .map(|date| date.to_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    fn now() -> DateTime<Utc> {
        http_date("Mon, 05 Jan 2026 10:00:00 GMT").unwrap()
    }

    #[test]
    fn user_agent_names_the_project() {
        assert!(USER_AGENT.starts_with("newsroom/0."), "{USER_AGENT}");
        assert!(USER_AGENT.ends_with("(+https://github.com/newsroom-rs/newsroom)"));
    }

    #[test]
    fn max_age_is_read_among_other_directives() {
        let hints = header_hints(
            &headers(&[("cache-control", "public, Max-Age=7200, must-revalidate")]),
            StatusCode::OK,
            now(),
        );
        assert_eq!(hints.max_age, Some(Duration::from_secs(7200)));
    }

    #[test]
    fn expires_counts_from_the_servers_date() {
        let hints = header_hints(
            &headers(&[
                ("date", "Mon, 05 Jan 2026 08:00:00 GMT"),
                ("expires", "Mon, 05 Jan 2026 11:00:00 GMT"),
            ]),
            StatusCode::OK,
            now(),
        );
        assert_eq!(hints.expires, Some(Duration::from_secs(3 * 3600)));
    }

    #[test]
    fn expires_in_the_past_or_invalid_is_no_hint() {
        for value in ["Mon, 05 Jan 2026 09:00:00 GMT", "0", "-1"] {
            let mut map = HeaderMap::new();
            map.insert(header::EXPIRES, HeaderValue::from_str(value).unwrap());
            let hints = header_hints(&map, StatusCode::OK, now());
            assert_eq!(hints.expires, None, "{value}");
        }
    }

    #[test]
    fn max_age_wins_over_expires() {
        let hints = header_hints(
            &headers(&[
                ("cache-control", "max-age=60"),
                ("expires", "Mon, 05 Jan 2026 20:00:00 GMT"),
            ]),
            StatusCode::OK,
            now(),
        );
        assert_eq!(hints.max_age, Some(Duration::from_secs(60)));
        assert_eq!(hints.expires, None);
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        let seconds = header_hints(
            &headers(&[("retry-after", "120")]),
            StatusCode::TOO_MANY_REQUESTS,
            now(),
        );
        assert_eq!(seconds.retry_after, Some(Duration::from_secs(120)));
        let dated = header_hints(
            &headers(&[("retry-after", "Mon, 05 Jan 2026 12:00:00 GMT")]),
            StatusCode::SERVICE_UNAVAILABLE,
            now(),
        );
        assert_eq!(dated.retry_after, Some(Duration::from_secs(2 * 3600)));
    }

    #[test]
    fn retry_after_counts_only_on_429_and_503() {
        let hints = header_hints(&headers(&[("retry-after", "120")]), StatusCode::OK, now());
        assert_eq!(hints.retry_after, None);
    }

    #[test]
    fn redirect_targets_resolve_and_must_be_http() {
        let from = Url::parse("https://example.com/blog/feed").unwrap();
        let target = |location: &'static str| {
            redirect_target(&headers(&[("location", location)]), &from).map(String::from)
        };
        assert_eq!(
            target("/new/feed.xml").as_deref(),
            Some("https://example.com/new/feed.xml")
        );
        assert_eq!(
            target("http://other.example/rss").as_deref(),
            Some("http://other.example/rss")
        );
        assert_eq!(target("ftp://example.com/feed"), None);
        assert_eq!(target("javascript:alert(1)"), None);
        assert_eq!(redirect_target(&HeaderMap::new(), &from), None);
    }
}
