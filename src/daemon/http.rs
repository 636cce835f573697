//! The daemon's HTTP face: the built site for feed readers, `/healthz` and
//! `/metrics` for operators.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Response, StatusCode, Uri, header};
use axum::routing::get;

use super::metrics::Metrics;
use super::site::{Asset, Lookup, Site};

/// What the handlers share.
pub struct AppState {
    site: RwLock<Arc<Site>>,
    health: RwLock<Result<(), String>>,
    cache_control: HeaderValue,
    pub metrics: Metrics,
}

impl AppState {
    pub fn new(site: Site, max_age: Duration, metrics: Metrics) -> Self {
        let cache_control =
            HeaderValue::from_str(&format!("public, max-age={}", max_age.as_secs()))
                .expect("a number is a valid header value");
        AppState {
            site: RwLock::new(Arc::new(site)),
            health: RwLock::new(Ok(())),
            cache_control,
            metrics,
        }
    }

    /// Serves `site` from now on; requests in flight finish on the old one.
    pub fn replace_site(&self, site: Site) {
        *self
            .site
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Arc::new(site);
    }

    /// The site served now.
    pub fn site(&self) -> Arc<Site> {
        self.site
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// `Err(reason)` makes `/healthz` answer 503 with the reason.
    pub fn set_health(&self, health: Result<(), String>) {
        *self
            .health
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = health;
    }
}

pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .fallback(get(serve_site))
        .with_state(state)
}

async fn healthz(State(state): State<Arc<AppState>>) -> Response<Body> {
    let health = state
        .health
        .read()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .clone();
    let (status, text) = match health {
        Ok(()) => (StatusCode::OK, "ok\n".to_string()),
        Err(reason) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("unhealthy: {reason}\n"),
        ),
    };
    state.metrics.request("/healthz", status);
    plain(status, text)
}

async fn metrics(State(state): State<Arc<AppState>>) -> Response<Body> {
    state.metrics.request("/metrics", StatusCode::OK);
    let mut response = Response::new(Body::from(state.metrics.render()));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"),
    );
    response
}

async fn serve_site(
    State(state): State<Arc<AppState>>,
    uri: Uri,
    headers: HeaderMap,
) -> Response<Body> {
    let path = uri.path();
    let response = match state.site().lookup(path) {
        Lookup::Found(asset) => asset_response(&asset, &headers, &state.cache_control),
        Lookup::Redirect(to) => {
            let mut response = plain(StatusCode::MOVED_PERMANENTLY, format!("moved to {to}\n"));
            if let Ok(location) = HeaderValue::from_str(&to) {
                response.headers_mut().insert(header::LOCATION, location);
            }
            response
        }
        Lookup::Missing => plain(StatusCode::NOT_FOUND, "not found\n".into()),
    };
    // Unknown paths share one label, so that scanners cannot blow up the
    // number of time series.
    let label = if response.status() == StatusCode::NOT_FOUND {
        "other"
    } else {
        path
    };
    state.metrics.request(label, response.status());
    response
}

fn asset_response(
    asset: &Asset,
    request: &HeaderMap,
    cache_control: &HeaderValue,
) -> Response<Body> {
    let (encoding, representation) = match preferred_encoding(request) {
        Encoding::Brotli if asset.brotli.is_some() => (Some("br"), asset.brotli.as_ref()),
        Encoding::Brotli | Encoding::Gzip if asset.gzip.is_some() => {
            (Some("gzip"), asset.gzip.as_ref())
        }
        _ => (None, None),
    };
    let representation = representation.unwrap_or(&asset.identity);
    // Every representation's validator matches the asset on revalidation.
    let not_modified = match request.get(header::IF_NONE_MATCH) {
        Some(tags) => etag_matches(tags, &asset.etag),
        None => request
            .get(header::IF_MODIFIED_SINCE)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| httpdate::parse_http_date(value).ok())
            .is_some_and(|since| asset.last_modified <= since),
    };
    let mut response = if not_modified {
        let mut response = Response::new(Body::empty());
        *response.status_mut() = StatusCode::NOT_MODIFIED;
        response
    } else {
        Response::new(Body::from(representation.body.clone()))
    };
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(asset.content_type),
    );
    headers.insert(header::ETAG, representation.etag.clone());
    headers.insert(header::LAST_MODIFIED, asset.last_modified_header.clone());
    headers.insert(header::CACHE_CONTROL, cache_control.clone());
    headers.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    if let Some(encoding) = encoding {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
    }
    response
}

#[derive(Debug, PartialEq)]
enum Encoding {
    Brotli,
    Gzip,
    Identity,
}

/// The best encoding the client accepts (`q=0` refuses one).
fn preferred_encoding(request: &HeaderMap) -> Encoding {
    let Some(accept) = request
        .get(header::ACCEPT_ENCODING)
        .and_then(|value| value.to_str().ok())
    else {
        return Encoding::Identity;
    };
    let accepts = |name: &str| {
        accept.split(',').any(|part| {
            let mut pieces = part.split(';');
            let coding = pieces.next().unwrap_or_default().trim();
            let refused = pieces.any(|param| {
                let param = param.trim();
                param
                    .strip_prefix("q=")
                    .is_some_and(|q| q.trim().parse::<f32>().is_ok_and(|q| q == 0.0))
            });
            coding.eq_ignore_ascii_case(name) && !refused
        })
    };
    if accepts("br") {
        Encoding::Brotli
    } else if accepts("gzip") {
        Encoding::Gzip
    } else {
        Encoding::Identity
    }
}

/// `If-None-Match: *`, or any listed tag whose opaque part is the asset's
/// (weak comparison, encoding suffix ignored).
fn etag_matches(header: &HeaderValue, etag: &str) -> bool {
    let Ok(header) = header.to_str() else {
        return false;
    };
    let wanted = etag.trim_matches('"');
    header.split(',').map(str::trim).any(|tag| {
        if tag == "*" {
            return true;
        }
        let tag = tag.trim_start_matches("W/").trim_matches('"');
        tag == wanted
            || tag
                .strip_prefix(wanted)
                .is_some_and(|rest| rest == "-br" || rest == "-gzip")
    })
}

fn plain(status: StatusCode, text: String) -> Response<Body> {
    let mut response = Response::new(Body::from(text));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(name, value)| (name.clone(), HeaderValue::from_str(value).unwrap()))
            .collect()
    }

    #[test]
    fn picks_the_best_accepted_encoding() {
        let pick =
            |accept: &str| preferred_encoding(&headers(&[(header::ACCEPT_ENCODING, accept)]));
        assert_eq!(pick("gzip, deflate, br"), Encoding::Brotli);
        assert_eq!(pick("gzip"), Encoding::Gzip);
        assert_eq!(pick("br;q=0, gzip;q=0.5"), Encoding::Gzip);
        assert_eq!(pick("identity"), Encoding::Identity);
        assert_eq!(preferred_encoding(&HeaderMap::new()), Encoding::Identity);
    }

    #[test]
    fn etags_match_across_encodings_and_weakness() {
        let tag = "\"abc\"";
        for header in [
            "\"abc\"",
            "W/\"abc\"",
            "\"abc-br\"",
            "\"x\", \"abc-gzip\"",
            "*",
        ] {
            assert!(
                etag_matches(&HeaderValue::from_str(header).unwrap(), tag),
                "{header}"
            );
        }
        for header in ["\"abcd\"", "\"ab\"", "\"abc-zstd\""] {
            assert!(
                !etag_matches(&HeaderValue::from_str(header).unwrap(), tag),
                "{header}"
            );
        }
    }
}
