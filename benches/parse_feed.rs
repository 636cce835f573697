//! Parse throughput of a typical source feed: ~50 RSS 2.0 entries with HTML
//! summaries, categories and dates, through `parse_feed` (feed-rs, the
//! adapter, ammonia and the URL normaliser), beside feed-rs alone and a
//! poll where all but one entry are already known.
//!
//! Measured on the shared 2-core machine (load average 6, the bench thread
//! on a core 87-90% of its wall time), per core of CPU: the whole parse
//! 18 MB/s, feed-rs alone 47-51 MB/s. Target: 50 MB/s per core. ammonia is
//! 36% of the whole parse (html5ever's tree builder and serialiser on every
//! HTML summary), feed-rs 43%, our plain-text copies 5%.

use std::fmt::Write;
use std::hint::black_box;

use chrono::{DateTime, Utc};
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

fn bench(c: &mut Criterion) {
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

criterion_group!(benches, bench);
criterion_main!(benches);
