//! The editors' review page, mounted by the daemon under `/review`: the
//! candidate queue with accept, reject, snooze and undo, and the draft
//! preview that writes the next issue as `newsroom draft` does.
//!
//! Plain server-rendered HTML ([`pages`]) with forms that work without
//! JavaScript; `assets/review.js` only adds the keyboard. Every state change
//! is a POST checked against the CSRF token, and on a non-loopback address
//! every request needs the review token ([`auth`]). Everything a feed said
//! is escaped on the way out.

pub mod auth;
mod pages;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, RwLock};

use axum::Form;
use axum::Router;
use axum::body::Body;
use axum::extract::{Query, Request, State};
use axum::http::{HeaderValue, Response, StatusCode, header};
use axum::middleware::{self, Next};
use axum::routing::{get, post};
use chrono::{TimeDelta, Utc};
use serde::Deserialize;

use crate::aggregator::draft::{self, Draft, DraftError, NextIssue};
use crate::aggregator::rank::Ranker;
use crate::aggregator::setup;
use crate::config::Config;
use crate::issue::{Issue, IssueError};
use crate::store::{Accepted, Decision, Store, StoreError};

use auth::{Access, CsrfToken, RandomError};

/// Where the daemon mounts [`router`]; links and form actions start with it.
pub const MOUNT: &str = "/review";

/// The environment variable read for the review token when the config has
/// none.
pub const TOKEN_VARIABLE: &str = "NEWSROOM_REVIEW_TOKEN";

/// How many past issues offer their section names to the accept form.
const SECTION_ISSUES: usize = 5;

/// Days a snooze lasts unless the form says otherwise.
const SNOOZE_DAYS: u32 = 7;

/// What the review handlers share.
pub struct ReviewState<S> {
    store: S,
    context: RwLock<Arc<Context>>,
    csrf: CsrfToken,
    loopback: bool,
    /// Candidates decided through the page, latest last: what undo takes
    /// back.
    decided: Mutex<Vec<i64>>,
}

/// What the page derives from the config and the issue files; replaced as
/// a whole when either changes, so that a request sees one consistent set.
struct Context {
    config: Arc<Config>,
    ranker: Ranker,
    /// The sections the accept form offers.
    sections: Vec<String>,
    token: Option<String>,
}

impl Context {
    fn new(config: Arc<Config>, issues: &[Issue], token: Option<String>) -> Context {
        let ranker = Ranker::from_issues(
            issues,
            &config.newsletter.links_exclude,
            config.aggregator.half_life.0,
        );
        Context {
            sections: section_names(issues),
            config,
            ranker,
            token,
        }
    }
}

impl<S: Store> ReviewState<S> {
    /// `issues` are the issue files as the store was set up with (see
    /// [`setup::open_store`]), for ranking; `listen` is the daemon's
    /// address, and `token` the review token (see [`token`]).
    pub fn new(
        store: S,
        config: Arc<Config>,
        issues: &[Issue],
        listen: SocketAddr,
        token: Option<String>,
    ) -> Result<Self, RandomError> {
        Ok(ReviewState {
            store,
            context: RwLock::new(Arc::new(Context::new(config, issues, token))),
            csrf: CsrfToken::random()?,
            loopback: listen.ip().is_loopback(),
            decided: Mutex::new(Vec::new()),
        })
    }
}

impl<S> ReviewState<S> {
    /// Ranks, offers sections and checks the token from now on by a
    /// reloaded `config` and the current `issues`; requests in flight
    /// finish with what they started with.
    pub fn refresh(&self, config: Arc<Config>, issues: &[Issue]) {
        let token = token(&config);
        let context = Arc::new(Context::new(config, issues, token));
        *self
            .context
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = context;
    }

    fn context(&self) -> Arc<Context> {
        self.context
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }
}

/// The review token: `[daemon] review_token`, else [`TOKEN_VARIABLE`] when
/// set and not empty.
pub fn token(config: &Config) -> Option<String> {
    config.daemon.review_token.clone().or_else(|| {
        std::env::var(TOKEN_VARIABLE)
            .ok()
            .filter(|token| !token.is_empty())
    })
}

#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Draft(#[from] DraftError),
    #[error("cannot read the issues: {0}")]
    Issues(#[from] IssueError),
    #[error("the form is not from this page (missing or stale CSRF token): reload the page")]
    Csrf,
    #[error("the form lacks {0}")]
    Incomplete(&'static str),
    #[error("nothing decided on this page to undo")]
    NothingToUndo,
}

impl ReviewError {
    fn status(&self) -> StatusCode {
        match self {
            ReviewError::Csrf => StatusCode::FORBIDDEN,
            ReviewError::Incomplete(_) => StatusCode::BAD_REQUEST,
            ReviewError::Store(StoreError::UnknownCandidate { .. }) => StatusCode::NOT_FOUND,
            ReviewError::Store(StoreError::NothingToUndo { .. })
            | ReviewError::NothingToUndo
            | ReviewError::Draft(DraftError::NothingAccepted | DraftError::Create { .. }) => {
                StatusCode::CONFLICT
            }
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl axum::response::IntoResponse for ReviewError {
    fn into_response(self) -> axum::response::Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error = %self, "review page");
        }
        html(status, pages::error(status, &self.to_string()))
    }
}

/// The review page's routes, to be nested under [`MOUNT`].
pub fn router<S: Store + 'static>(state: Arc<ReviewState<S>>) -> Router {
    Router::new()
        .route("/", get(queue::<S>))
        .route("/decide", post(decide::<S>))
        .route("/undo", post(undo::<S>))
        .route("/draft", get(draft::<S>))
        .route("/draft/write", post(write_draft::<S>))
        .route("/draft/move", post(move_entry::<S>))
        .route("/assets/review.js", get(script))
        .route("/assets/review.css", get(style))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            authorize::<S>,
        ))
        .layer(middleware::from_fn(security_headers))
        .with_state(state)
}

/// 401 and nothing else unless [`auth::decide`] allows the request.
async fn authorize<S: Store>(
    State(state): State<Arc<ReviewState<S>>>,
    request: Request,
    next: Next,
) -> axum::response::Response {
    let token = state.context().token.clone();
    match auth::decide(state.loopback, token.as_deref(), request.headers()) {
        Access::Allowed => next.run(request).await,
        Access::Denied => {
            let mut response = Response::new(Body::from("401 unauthorized\n"));
            *response.status_mut() = StatusCode::UNAUTHORIZED;
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"newsroom review\", charset=\"UTF-8\""),
            );
            response
        }
    }
}

async fn security_headers(request: Request, next: Next) -> axum::response::Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
             form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
        ),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The queue's filters, kept across a decision.
#[derive(Debug, Default, Clone, Deserialize)]
pub(crate) struct Filters {
    #[serde(default)]
    q: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    tag: String,
}

impl Filters {
    fn query(&self) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (key, value) in [("q", &self.q), ("source", &self.source), ("tag", &self.tag)] {
            if !value.is_empty() {
                query.append_pair(key, value);
            }
        }
        query.finish()
    }
}

/// What the page reports after a redirect: `done=accept&id=3`.
#[derive(Debug, Default, Deserialize)]
struct Done {
    done: Option<String>,
    id: Option<i64>,
    written: Option<String>,
}

async fn queue<S: Store>(
    State(state): State<Arc<ReviewState<S>>>,
    Query(filters): Query<Filters>,
    Query(done): Query<Done>,
) -> Result<axum::response::Response, ReviewError> {
    let now = Utc::now();
    let context = state.context();
    let candidates = state.store.candidates(now, None).await?;
    let ranked = context
        .ranker
        .rank_candidates(&candidates, &context.config.sources, now);
    let view = pages::Queue {
        csrf: state.csrf.as_str(),
        sources: &context.config.sources,
        ranked: &ranked,
        filters: &filters,
        sections: &context.sections,
        done: done_message(&done),
        can_undo: !lock(&state.decided).is_empty(),
        snooze_days: SNOOZE_DAYS,
    };
    Ok(html(StatusCode::OK, pages::queue(&view)))
}

/// The sections of the latest issues, newest issue's order first, each
/// name once.
fn section_names(issues: &[Issue]) -> Vec<String> {
    let mut latest: Vec<&Issue> = issues.iter().collect();
    latest.sort_by_key(|issue| std::cmp::Reverse(issue.number));
    let mut names = NextIssue::after(issues).sections;
    for issue in latest.into_iter().take(SECTION_ISSUES) {
        for section in &issue.sections {
            if !names
                .iter()
                .any(|name| name.eq_ignore_ascii_case(&section.name))
            {
                names.push(section.name.clone());
            }
        }
    }
    if names.is_empty() {
        names.push(crate::aggregator::draft::DEFAULT_SECTION.to_string());
    }
    names
}

fn done_message(done: &Done) -> Option<String> {
    let id = done
        .id
        .map(|id| format!(" candidate {id}"))
        .unwrap_or_default();
    let message = match done.done.as_deref()? {
        "accept" => format!("Saved: accepted{id}."),
        "reject" => format!("Saved: rejected{id}."),
        "snooze" => format!("Saved: snoozed{id}."),
        "undo" => format!("Saved: undid the last decision on{id}."),
        "written" => format!("Wrote {}.", done.written.as_deref().unwrap_or("the draft")),
        _ => return None,
    };
    Some(message)
}

#[derive(Debug, Default, Deserialize)]
struct DecideForm {
    csrf: Option<String>,
    id: Option<i64>,
    action: Option<String>,
    section: Option<String>,
    blurb: Option<String>,
    days: Option<u32>,
    #[serde(flatten)]
    filters: Filters,
}

async fn decide<S: Store>(
    State(state): State<Arc<ReviewState<S>>>,
    Form(form): Form<DecideForm>,
) -> Result<axum::response::Response, ReviewError> {
    check_csrf(&state, form.csrf.as_deref())?;
    let id = form.id.ok_or(ReviewError::Incomplete("a candidate id"))?;
    let now = Utc::now();
    let (action, decision) = match form.action.as_deref() {
        Some("accept") => (
            "accept",
            Decision::Accept {
                section: non_blank(form.section),
                blurb: non_blank(form.blurb),
            },
        ),
        Some("reject") => ("reject", Decision::Reject),
        Some("snooze") => {
            let days = form.days.unwrap_or(SNOOZE_DAYS);
            let until = now + TimeDelta::days(i64::from(days));
            ("snooze", Decision::Snooze { until })
        }
        _ => {
            return Err(ReviewError::Incomplete(
                "an action (accept, reject or snooze)",
            ));
        }
    };
    // Committed before the redirect: the page says "saved" only after this.
    state.store.decide(id, &decision, now).await?;
    lock(&state.decided).push(id);
    Ok(redirect_to_queue(&form.filters, action, id))
}

#[derive(Debug, Default, Deserialize)]
struct UndoForm {
    csrf: Option<String>,
    #[serde(flatten)]
    filters: Filters,
}

async fn undo<S: Store>(
    State(state): State<Arc<ReviewState<S>>>,
    Form(form): Form<UndoForm>,
) -> Result<axum::response::Response, ReviewError> {
    check_csrf(&state, form.csrf.as_deref())?;
    let id = lock(&state.decided)
        .last()
        .copied()
        .ok_or(ReviewError::NothingToUndo)?;
    state.store.undo(id, Utc::now()).await?;
    lock(&state.decided).pop();
    Ok(redirect_to_queue(&form.filters, "undo", id))
}

async fn draft<S: Store>(
    State(state): State<Arc<ReviewState<S>>>,
    Query(done): Query<Done>,
) -> Result<axum::response::Response, ReviewError> {
    let (draft, ids) = current_draft(&state).await?;
    let view = pages::DraftView {
        csrf: state.csrf.as_str(),
        draft: &draft,
        ids: &ids,
        path: draft.default_path(&state.context().config),
        done: done_message(&done),
    };
    Ok(html(StatusCode::OK, pages::draft(&view)))
}

#[derive(Debug, Default, Deserialize)]
struct CsrfForm {
    csrf: Option<String>,
}

async fn write_draft<S: Store>(
    State(state): State<Arc<ReviewState<S>>>,
    Form(form): Form<CsrfForm>,
) -> Result<axum::response::Response, ReviewError> {
    check_csrf(&state, form.csrf.as_deref())?;
    let (draft, _) = current_draft(&state).await?;
    let file = draft.write(&state.context().config, None)?;
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query.append_pair("done", "written");
    query.append_pair("written", &file.display().to_string());
    Ok(see_other(&format!("{MOUNT}/draft?{}", query.finish())))
}

/// The next issue as `newsroom draft` would write it now, and the
/// candidate id of each of its entries: the issue files are read again,
/// since a draft written here adds one.
async fn current_draft<S: Store>(state: &ReviewState<S>) -> Result<(Draft, Vec<i64>), ReviewError> {
    let config = state.context().config.clone();
    let (issues, _) = setup::load_issues(&config.newsletter.issues_dir)?;
    let accepted = state.store.accepted().await?;
    let ids = accepted.iter().map(|entry| entry.candidate.id).collect();
    Ok((Draft::prepare(&config, &issues, &accepted, Utc::now()), ids))
}

#[derive(Debug, Default, Deserialize)]
struct MoveForm {
    csrf: Option<String>,
    id: Option<i64>,
    direction: Option<String>,
}

/// Moves an entry up or down within its section. The draft lists a
/// section's entries in the order they were accepted, so the entries from
/// the moved place on are accepted again, unchanged, in their new order.
async fn move_entry<S: Store>(
    State(state): State<Arc<ReviewState<S>>>,
    Form(form): Form<MoveForm>,
) -> Result<axum::response::Response, ReviewError> {
    check_csrf(&state, form.csrf.as_deref())?;
    let id = form.id.ok_or(ReviewError::Incomplete("a candidate id"))?;
    let up = match form.direction.as_deref() {
        Some("up") => true,
        Some("down") => false,
        _ => return Err(ReviewError::Incomplete("a direction (up or down)")),
    };
    let accepted = state.store.accepted().await?;
    let key = |entry: &Accepted| draft::section_name(entry.section.as_deref()).to_lowercase();
    let moved = accepted
        .iter()
        .find(|entry| entry.candidate.id == id)
        .ok_or(StoreError::UnknownCandidate { id })?;
    let mut section: Vec<&Accepted> = accepted
        .iter()
        .filter(|entry| key(entry) == key(moved))
        .collect();
    let at = section
        .iter()
        .position(|entry| entry.candidate.id == id)
        .unwrap_or_default();
    let to = if up {
        at.checked_sub(1)
    } else {
        Some(at + 1).filter(|to| *to < section.len())
    };
    if let Some(to) = to {
        section.swap(at, to);
        let now = Utc::now();
        for entry in &section[at.min(to)..] {
            let again = Decision::Accept {
                section: entry.section.clone(),
                blurb: entry.blurb.clone(),
            };
            state.store.decide(entry.candidate.id, &again, now).await?;
        }
    }
    Ok(see_other(&format!("{MOUNT}/draft")))
}

fn check_csrf<S>(state: &ReviewState<S>, presented: Option<&str>) -> Result<(), ReviewError> {
    if state.csrf.matches(presented) {
        Ok(())
    } else {
        Err(ReviewError::Csrf)
    }
}

fn non_blank(text: Option<String>) -> Option<String> {
    text.map(|text| text.trim().to_string())
        .filter(|text| !text.is_empty())
}

fn lock(decided: &Mutex<Vec<i64>>) -> std::sync::MutexGuard<'_, Vec<i64>> {
    decided
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn redirect_to_queue(filters: &Filters, done: &str, id: i64) -> axum::response::Response {
    let filters = filters.query();
    let separator = if filters.is_empty() { "" } else { "&" };
    see_other(&format!("{MOUNT}?{filters}{separator}done={done}&id={id}"))
}

/// 303: the browser follows with a GET, so a reload never posts again.
fn see_other(location: &str) -> axum::response::Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::SEE_OTHER;
    if let Ok(location) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

fn html(status: StatusCode, body: String) -> axum::response::Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}

fn asset(content_type: &'static str, body: &'static str) -> axum::response::Response {
    let mut response = Response::new(Body::from(body));
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

async fn script() -> axum::response::Response {
    asset(
        "text/javascript; charset=utf-8",
        include_str!("assets/review.js"),
    )
}

async fn style() -> axum::response::Response {
    asset("text/css; charset=utf-8", include_str!("assets/review.css"))
}

async fn not_found() -> axum::response::Response {
    html(
        StatusCode::NOT_FOUND,
        pages::error(StatusCode::NOT_FOUND, "no such page"),
    )
}
