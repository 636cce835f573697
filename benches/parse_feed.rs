//! Parse throughput of a typical source feed: ~50 RSS 2.0 entries with HTML
//! summaries, categories and dates, through `parse_feed` (feed-rs, the
//! adapter, the sanitiser and the URL normaliser), beside feed-rs alone and
//! a poll where all but one entry are already known.
//!
//! Times are the CPU time of the benchmark thread, not wall time: the
//! target is per core, and on a shared machine the wall time mostly
//! measures the other processes.
//!
//! Measured on the shared 2-core machine, per core of CPU (MiB/s, as
//! criterion prints), the code before and after back to back (load average
//! 7.4-7.6): with ammonia on every HTML summary, the whole parse 22.7
//! (ammonia 36% of it, feed-rs 43%); with the sanitiser's one-pass path for
//! well-formed summaries, ammonia set up only when needed and the
//! plain-text copies made on demand, 47.6 (49.9 MB/s). feed-rs alone 62-64,
//! now 70% of the whole parse (its reading of `<author>` through a regex
//! alone 6%). Then relative links in summaries joined by concatenation when
//! the url crate would return them unchanged after the origin, titles
//! collapsed without an intermediate Vec, queries without tracking
//! parameters not set again, the sanitiser's element table searched by
//! halves; the three builds alternated twice (load average 2.9-3.0): before
//! 47.5 and 50.0 (49.8-52.4 MB/s), after the joins and titles 51.6 and
//! 53.4, after all 52.3 and 52.6 (54.8-55.2 MB/s); feed-rs alone 57.7-64.6
//! across those runs, so it varies about as much as the gain of the last
//! steps. Before and after alone, 10 s of measurement each, alternated
//! twice (load average 1.7-2.6): 47.0 and 47.9 MiB/s (49.3-50.2 MB/s)
//! before, 54.3 and 54.6 (56.9-57.2 MB/s) after. Target: 50 MB/s per core.

use std::fmt::Write;
use std::hint::black_box;
use std::time::Duration;

use chrono::{DateTime, Utc};
use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use newsroom::aggregator::parse::{parse_feed, parse_new_entries};
use newsroom::config::Source;
use url::Url;

fn feed(entries: usize) -> String {
    let mut xml = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:sy="http://purl.org/rss/1.0/modules/syndication/">
<channel>
<title>Bench blog</title><link>https://blog.example/</link>
<description>Posts about operations</description><ttl>60</ttl>
<sy:updatePeriod>hourly</sy:updatePeriod>
"#,
    );
    for n in 0..entries {
        write!(
            xml,
            r#"<item>
<title>Post number {n}: running things in production</title>
<link>https://blog.example/posts/{n}/?utm_source=rss&amp;utm_medium=feed</link>
<guid isPermaLink="false">post-{n}</guid>
<pubDate>Mon, 05 Jan 2026 {hour:02}:00:00 GMT</pubDate>
<category>ops</category><category>kubernetes</category>
<author>editor@blog.example (The Editor)</author>
<description><![CDATA[<p>This is the summary of post {n}. It talks about <a href="/related/{n}">deploys</a>,
<em>observability</em> and the on-call rotation, with a list:</p>
<ul><li>first point</li><li>second point with <code>kubectl get pods</code></li></ul>
<p>And a closing paragraph &amp; an image <img src="/img/{n}.png" alt="diagram"> to make it realistic.</p>]]></description>
</item>
"#,
            hour = n % 24
        )
        .expect("writing to a String cannot fail");
    }
    xml.push_str("</channel>\n</rss>\n");
    xml
}

/// The CPU time the calling thread has used (`CLOCK_THREAD_CPUTIME_ID`),
/// through the C library: the standard library has no such clock.
fn thread_cpu_time() -> Duration {
    #[repr(C)]
    struct Timespec {
        seconds: i64,
        nanoseconds: i64,
    }
    unsafe extern "C" {
        fn clock_gettime(clock: i32, time: *mut Timespec) -> i32;
    }
    const CLOCK_THREAD_CPUTIME_ID: i32 = 3;
    let mut time = Timespec {
        seconds: 0,
        nanoseconds: 0,
    };
    // SAFETY: `time` is a valid, writable timespec (64-bit Linux layout).
    let status = unsafe { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mut time) };
    assert_eq!(status, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
    Duration::new(time.seconds as u64, time.nanoseconds as u32)
}

/// Criterion measuring the benchmark thread's CPU time.
struct ThreadCpuTime;

/// Formats durations as criterion's wall clock does.
static WALL_TIME: WallTime = WallTime;

impl Measurement for ThreadCpuTime {
    type Intermediate = Duration;
    type Value = Duration;

    fn start(&self) -> Duration {
        thread_cpu_time()
    }
    fn end(&self, start: Duration) -> Duration {
        thread_cpu_time() - start
    }
    fn add(&self, a: &Duration, b: &Duration) -> Duration {
        *a + *b
    }
    fn zero(&self) -> Duration {
        Duration::ZERO
    }
    fn to_f64(&self, value: &Duration) -> f64 {
        value.as_nanos() as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        WALL_TIME.formatter()
    }
}

fn bench(c: &mut Criterion<ThreadCpuTime>) {
    let body = feed(50);
    let url = Url::parse("https://blog.example/feed.xml").expect("valid URL");
    let source = Source {
        name: "Bench blog".into(),
        url: url.clone(),
        tags: vec!["devops".into()],
        weight: 1.0,
        interval: None,
    };
    let now: DateTime<Utc> = "2026-01-06T00:00:00Z".parse().expect("valid date");
    let mut group = c.benchmark_group("parse_feed");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function("rss2_50_entries", |b| {
        b.iter(|| parse_feed(black_box(body.as_bytes()), &url, &source, now).expect("parses"))
    });
    // The floor: feed-rs alone, without our adapter and sanitiser.
    group.bench_function("rss2_50_entries_feed_rs_only", |b| {
        b.iter(|| feed_rs::parser::parse(black_box(body.as_bytes())).expect("parses"))
    });
    // A typical poll: one new entry among 50 the store already has.
    group.bench_function("rss2_49_of_50_known", |b| {
        b.iter(|| {
            parse_new_entries(black_box(body.as_bytes()), &url, &source, now, |id, _| {
                id != "post-0"
            })
            .expect("parses")
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().with_measurement(ThreadCpuTime);
    targets = bench
}
criterion_main!(benches);
