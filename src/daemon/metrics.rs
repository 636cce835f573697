//! Prometheus metrics of the daemon, exposed at `/metrics`.

use std::time::Duration;

use axum::http::StatusCode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::{Metric, Registry};

use crate::store::{PollStatus, SourceRecord};

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    path: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct SourceLabels {
    source: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct SourceStatusLabels {
    source: String,
    status: &'static str,
}

pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    source_last_success: Family<SourceLabels, Gauge>,
    source_status: Family<SourceStatusLabels, Gauge>,
    source_errors: Family<SourceLabels, Gauge>,
    source_items: Family<SourceLabels, Gauge>,
    poll_duration: Histogram,
    builds: Counter,
    build_failures: Counter,
    build_duration: Histogram,
    candidates_pending: Gauge,
}

/// From 10 ms to about 80 s: a 304 on loopback up to a slow feed timing out.
fn seconds_buckets() -> Histogram {
    Histogram::new(exponential_buckets(0.01, 2.0, 14))
}

/// Registers `metric` under `name` and hands it back for the struct field.
fn add<M: Metric + Clone>(registry: &mut Registry, name: &str, help: &str, metric: M) -> M {
    registry.register(name, help, metric.clone());
    metric
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("newsroom");
        let r = &mut registry;
        Metrics {
            requests: add(
                r,
                "http_requests",
                "HTTP requests served, by path and status",
                Family::default(),
            ),
            source_last_success: add(
                r,
                "source_last_success_timestamp_seconds",
                "When the source last answered with a feed or a 304 (Unix time)",
                Family::default(),
            ),
            source_status: add(
                r,
                "source_last_status",
                "1 for the status of the source's last poll, 0 for the others",
                Family::default(),
            ),
            source_errors: add(
                r,
                "source_consecutive_errors",
                "Failed polls of the source in a row",
                Family::default(),
            ),
            source_items: add(
                r,
                "source_items_seen",
                "Distinct links the source has listed",
                Family::default(),
            ),
            poll_duration: add(
                r,
                "poll_duration_seconds",
                "Time to fetch, parse and store one source",
                seconds_buckets(),
            ),
            builds: add(r, "builds", "Site rebuilds", Counter::default()),
            build_failures: add(
                r,
                "build_failures",
                "Site rebuilds that failed (the last good output stays served)",
                Counter::default(),
            ),
            build_duration: add(
                r,
                "build_duration_seconds",
                "Time to rebuild the site",
                seconds_buckets(),
            ),
            candidates_pending: add(
                r,
                "candidates_pending",
                "Candidates waiting for an editor's decision",
                Gauge::default(),
            ),
            registry,
        }
    }
}

impl Metrics {
    pub fn request(&self, path: &str, status: StatusCode) {
        self.requests
            .get_or_create(&RequestLabels {
                path: path.to_string(),
                status: status.as_u16(),
            })
            .inc();
    }

    /// The polling state of `source` as the store holds it.
    pub fn source(&self, source: &SourceRecord) {
        let labels = SourceLabels {
            source: source.name.clone(),
        };
        let succeeded = matches!(
            source.last_status,
            Some(PollStatus::Fetched | PollStatus::NotModified)
        );
        if let Some(at) = source.last_polled_at.filter(|_| succeeded) {
            self.source_last_success
                .get_or_create(&labels)
                .set(at.timestamp());
        }
        for status in [
            PollStatus::Fetched,
            PollStatus::NotModified,
            PollStatus::Failed,
            PollStatus::Gone,
        ] {
            let labels = SourceStatusLabels {
                source: source.name.clone(),
                status: status.as_str(),
            };
            let current = source.last_status == Some(status);
            self.source_status
                .get_or_create(&labels)
                .set(i64::from(current));
        }
        self.source_errors
            .get_or_create(&labels)
            .set(i64::from(source.consecutive_errors));
        self.source_items
            .get_or_create(&labels)
            .set(i64::try_from(source.items_seen).unwrap_or(i64::MAX));
    }

    pub fn polled(&self, duration: Duration) {
        self.poll_duration.observe(duration.as_secs_f64());
    }

    pub fn built(&self, duration: Duration, succeeded: bool) {
        self.builds.inc();
        if !succeeded {
            self.build_failures.inc();
        }
        self.build_duration.observe(duration.as_secs_f64());
    }

    pub fn candidates_pending(&self, count: usize) {
        self.candidates_pending
            .set(i64::try_from(count).unwrap_or(i64::MAX));
    }

    /// The OpenMetrics text exposition of every metric.
    pub fn render(&self) -> String {
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }
}
