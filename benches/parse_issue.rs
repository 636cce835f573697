//! Issue parsing throughput on the seed issue (target: 5,000 issues/s on one
//! core). Criterion reports the time per issue and, through the element
//! throughput, issues per second.

use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn parse_seed(c: &mut Criterion) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("issues/issue-344.md");
    let bytes = std::fs::read(&path).expect("the seed issue is bundled");
    let mut group = c.benchmark_group("issue");
    group.throughput(Throughput::Elements(1));
    group.bench_function("parse seed issue-344", |b| {
        b.iter(|| newsroom::issue::parse(&path, std::hint::black_box(&bytes)).expect("seed parses"))
    });
    group.finish();
}

criterion_group!(benches, parse_seed);
criterion_main!(benches);
