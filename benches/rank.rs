//! Scoring 10,000 candidates against the blurbs of 300 past issues must
//! take well under a second (`suggest` runs it on every call).

use std::hint::black_box;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use newsroom::aggregator::rank::{CandidateFeatures, Ranker};

#[rustfmt::skip]
const WORDS: &[&str] = &[
    "kubernetes", "deployment", "monitoring", "production", "incident", "postmortem",
    "terraform", "cloud", "aws", "latency", "debugging", "pipeline", "container", "docker",
    "observability", "tracing", "metrics", "alerting", "security", "compliance", "database",
    "postgres", "scaling", "outage", "resilience", "chaos", "testing", "release", "rollback",
    "service", "mesh", "network", "tcp", "dns", "load", "balancer", "cache", "queue", "kafka",
    "serverless", "lambda", "cost", "budget", "team", "culture", "oncall", "pager", "sre",
    "reliability", "capacity", "storage", "backup", "restore", "linux", "kernel", "ebpf",
];

/// A deterministic sentence of `length` words, different for each `seed`.
fn sentence(seed: usize, length: usize) -> String {
    let mut state = seed.wrapping_mul(2654435761).wrapping_add(1);
    let mut words = Vec::with_capacity(length + 4);
    for i in 0..length {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        words.push(WORDS[(state >> 33) % WORDS.len()]);
        if i % 4 == 0 {
            words.push("the");
        }
    }
    words.join(" ")
}

fn bench(c: &mut Criterion) {
    // 300 issues of 15 entries with blurbs of about 35 words.
    let blurbs: Vec<String> = (0..300 * 15).map(|i| sentence(i, 30)).collect();
    let half_life = Duration::from_secs(3 * 24 * 3600);
    let now: DateTime<Utc> = "2026-11-28T12:00:00Z".parse().expect("a valid date");

    let texts: Vec<(String, String)> = (0..10_000)
        .map(|i| (sentence(i + 1_000_000, 8), sentence(i + 2_000_000, 60)))
        .collect();
    let candidates: Vec<CandidateFeatures> = texts
        .iter()
        .enumerate()
        .map(|(i, (title, summary))| CandidateFeatures {
            title,
            summary,
            published: (now - TimeDelta::minutes(i as i64)).fixed_offset(),
            weight: 1.0,
        })
        .collect();

    c.bench_function("build profile of 300 issues", |b| {
        b.iter(|| Ranker::new(blurbs.iter().map(String::as_str), half_life))
    });
    let ranker = Ranker::new(blurbs.iter().map(String::as_str), half_life);
    let mut group = c.benchmark_group("rank");
    group.sample_size(10);
    group.bench_function("10k candidates against 300 issues", |b| {
        b.iter(|| ranker.rank(black_box(&candidates), now))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
