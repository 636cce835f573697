//! Hostile and broken sources, all polled in one `poll` beside a good one:
//! each gets a clear error of its own or a clean result, memory and time
//! stay bounded, and the good source's items arrive all the same.
//!
//! Every source has a server of its own on its own loopback address
//! (127.0.0.N), so that the one-request-per-host rule lets them all run at
//! once. Large bodies (a gzip bomb, 50 MB) are generated as they are sent
//! and stop as soon as the client hangs up: nothing large is stored.

use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use newsroom::aggregator::fetch::{FetchOptions, Fetcher};
use newsroom::aggregator::poll::{self, PollSummary, Progress, SourceReport};
use newsroom::config::Config;
use newsroom::store::{self, Candidate, PollStatus, SourceRecord, SourceSpec, Store};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// How a test server answers.
#[derive(Clone)]
enum Answer {
    /// A complete 200 response with this body and content type.
    Body(&'static str, Vec<u8>),
    /// 200, then a gzip stream of zeros made on the fly, 1 GB once
    /// decompressed, until the client hangs up.
    GzipBomb,
    /// 200 without a length, then `mb` megabytes made on the fly.
    Stream { mb: usize },
    /// 200 with a length, then one byte a second.
    Drip,
    /// These raw bytes, then the connection closed.
    Raw(Vec<u8>),
    /// The head and part of a body, then the connection closed.
    CutShort,
    /// The connection reset (RST) once the request is read.
    Reset,
    /// The request read, then nothing, ever.
    Silent,
}

async fn read_request(stream: &mut TcpStream) -> bool {
    let mut request = Vec::new();
    let mut chunk = [0u8; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return false,
            Ok(read) => request.extend_from_slice(&chunk[..read]),
        }
    }
    true
}

async fn answer(mut stream: TcpStream, answer: Answer) {
    if !read_request(&mut stream).await {
        return;
    }
    let head = |content_type: &str, length: Option<usize>, extra: &str| {
        let length = length
            .map(|length| format!("Content-Length: {length}\r\n"))
            .unwrap_or_default();
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\n{length}{extra}Connection: close\r\n\r\n"
        )
    };
    match answer {
        Answer::Body(content_type, body) => {
            let _ = stream
                .write_all(head(content_type, Some(body.len()), "").as_bytes())
                .await;
            let _ = stream.write_all(&body).await;
        }
        Answer::GzipBomb => {
            let head = head("application/rss+xml", None, "Content-Encoding: gzip\r\n");
            if stream.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            let mut gzip =
                flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            let zeros = vec![0u8; 1 << 20];
            for _ in 0..1024 {
                gzip.write_all(&zeros).unwrap();
                gzip.flush().unwrap();
                let compressed = std::mem::take(gzip.get_mut());
                if stream.write_all(&compressed).await.is_err() {
                    return; // The client gave up: what we want.
                }
            }
            let _ = stream.write_all(&gzip.finish().unwrap()).await;
        }
        Answer::Stream { mb } => {
            let head = head("application/rss+xml", None, "");
            if stream.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            let chunk = vec![b'x'; 1 << 20];
            for _ in 0..mb {
                if stream.write_all(&chunk).await.is_err() {
                    return;
                }
            }
        }
        Answer::Drip => {
            let body = good_feed("drip", 1);
            let _ = stream
                .write_all(head("application/rss+xml", Some(body.len()), "").as_bytes())
                .await;
            for byte in body {
                if stream.write_all(&[byte]).await.is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
        Answer::Raw(bytes) => {
            let _ = stream.write_all(&bytes).await;
        }
        Answer::CutShort => {
            let body = good_feed("cut", 3);
            let _ = stream
                .write_all(head("application/rss+xml", Some(body.len()), "").as_bytes())
                .await;
            let _ = stream.write_all(&body[..body.len() / 2]).await;
        }
        Answer::Reset => {
            // A zero linger makes the close a reset; it does not block.
            #[allow(deprecated)]
            let _ = stream.set_linger(Some(Duration::ZERO));
        }
        Answer::Silent => {
            tokio::time::sleep(Duration::from_secs(60)).await;
        }
    }
    let _ = stream.shutdown().await;
}

/// Serves `answer` to every request on 127.0.0.`n`; returns the feed URL.
async fn serve(n: u8, what: Answer) -> String {
    let listener = TcpListener::bind(("127.0.0.".to_string() + &n.to_string(), 0))
        .await
        .expect("bind loopback");
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(answer(stream, what.clone()));
        }
    });
    format!("http://{address}/feed")
}

/// An RSS feed of `entries` entries linking to `https://{tag}.example/N`.
fn good_feed(tag: &str, entries: usize) -> Vec<u8> {
    let mut feed =
        String::from("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>T</title>");
    for n in 0..entries {
        feed.push_str(&format!(
            "<item><title>{tag} {n}</title><link>https://{tag}.example/{n}</link></item>"
        ));
    }
    feed.push_str("</channel></rss>");
    feed.into_bytes()
}

fn rss(items: &str) -> Vec<u8> {
    format!("<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>T</title>{items}</channel></rss>").into_bytes()
}

#[derive(Default)]
struct Collect(Mutex<HashMap<String, SourceReport>>);

impl Progress for Collect {
    fn start(&self, _: usize) {}
    fn polled(&self, report: &SourceReport) {
        let mut reports = self.0.lock().unwrap();
        reports.insert(report.name.clone(), report.clone());
    }
}

struct Polled {
    summary: PollSummary,
    reports: HashMap<String, SourceReport>,
    records: HashMap<String, SourceRecord>,
    candidates: Vec<Candidate>,
    took: Duration,
    _dir: tempfile::TempDir,
}

impl Polled {
    /// The source's report, checked against what the store recorded.
    fn report(&self, name: &str) -> &SourceReport {
        let report = &self.reports[name];
        let record = &self.records[name];
        assert_eq!(record.last_status, Some(report.status), "{name}");
        assert_eq!(record.last_error, report.error, "{name}");
        report
    }

    fn failed_with(&self, name: &str, words: &[&str]) -> String {
        let report = self.report(name);
        assert_eq!(report.status, PollStatus::Failed, "{name}: {report:?}");
        let error = report.error.clone().unwrap_or_default();
        assert!(
            words.iter().any(|word| error.contains(word)),
            "{name}: {error:?} says none of {words:?}"
        );
        error
    }

    fn fetched(&self, name: &str) -> usize {
        let report = self.report(name);
        assert_eq!(report.status, PollStatus::Fetched, "{name}: {report:?}");
        report.new_items
    }

    fn candidates_of(&self, name: &str) -> Vec<&Candidate> {
        self.candidates
            .iter()
            .filter(|candidate| candidate.sources.iter().any(|source| source == name))
            .collect()
    }
}

/// Polls every source of `sources` (name, answer) once, beside a good
/// source named "Good", with a 3-second whole-response timeout.
async fn poll_all(sources: Vec<(&str, Answer)>, extra: &[(&str, &str)]) -> Polled {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("newsroom.db");
    let mut text = format!(
        "[newsletter]\ntitle = \"W\"\nbase_url = \"https://w.example/\"\n\
         [aggregator]\ndatabase = {:?}\nconcurrency = 64\n",
        database.to_string_lossy()
    );
    let good = serve(2, Answer::Body("application/rss+xml", good_feed("good", 3))).await;
    text.push_str(&format!("[[source]]\nname = \"Good\"\nurl = \"{good}\"\n"));
    for (n, (name, what)) in sources.into_iter().enumerate() {
        let url = serve(10 + n as u8, what).await;
        text.push_str(&format!("[[source]]\nname = \"{name}\"\nurl = \"{url}\"\n"));
    }
    for (name, url) in extra {
        text.push_str(&format!("[[source]]\nname = \"{name}\"\nurl = \"{url}\"\n"));
    }
    let config = Config::parse(&text).expect("valid config");
    let store = store::open(&config.aggregator.database).await.unwrap();
    let now = chrono::Utc::now();
    store
        .sync_sources(&SourceSpec::all_of(&config), now)
        .await
        .unwrap();
    let fetcher = Fetcher::new(FetchOptions {
        connect_timeout: Duration::from_secs(2),
        timeout: Duration::from_secs(3),
        ..FetchOptions::default()
    })
    .unwrap();
    let collect = Arc::new(Collect::default());
    let started = Instant::now();
    let summary = poll::poll(&store, &fetcher, &config, None, collect.clone())
        .await
        .expect("the poll itself succeeds");
    let took = started.elapsed();
    let records = store
        .sources()
        .await
        .unwrap()
        .into_iter()
        .map(|record| (record.name.clone(), record))
        .collect();
    let candidates = store
        .candidates(chrono::Utc::now() + chrono::Duration::days(1), None)
        .await
        .unwrap();
    let reports = std::mem::take(&mut *collect.0.lock().unwrap());
    let polled = Polled {
        summary,
        reports,
        records,
        candidates,
        took,
        _dir: dir,
    };
    // The good source is never hurt by the others.
    assert_eq!(polled.fetched("Good"), 3);
    assert_eq!(polled.candidates_of("Good").len(), 3);
    polled
}

const BILLION_LAUGHS: &str = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title>
<item><title>&lol9;</title><link>https://laughs.example/1</link><description>&lol9;</description></item>
</channel></rss>"#;

const EXTERNAL_ENTITY: &str = r#"<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY passwd SYSTEM "file:///etc/passwd">
 <!ENTITY remote SYSTEM "http://127.0.0.1:9/steal">
]>
<rss version="2.0"><channel><title>x</title>
<item><title>a &passwd; b</title><link>https://xxe.example/1</link><description>&remote;</description></item>
</channel></rss>"#;

fn hundred_thousand_entries() -> Vec<u8> {
    let mut feed = String::with_capacity(6 << 20);
    feed.push_str("<rss version=\"2.0\"><channel><title>Many</title>");
    for n in 0..100_000 {
        feed.push_str("<item><link>https://many.example/");
        feed.push_str(&n.to_string());
        feed.push_str("</link></item>");
    }
    feed.push_str("</channel></rss>");
    feed.into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_documents_fail_alone_or_come_out_clean() {
    let latin1_declared_utf8: Vec<u8> = {
        let mut body = rss(
            "<item><title>Caf\u{e9} cr\u{e8}me</title><link>https://latin.example/1</link></item>",
        );
        // The same text in ISO-8859-1, while the declaration says UTF-8.
        body = String::from_utf8(body)
            .unwrap()
            .chars()
            .map(|c| c as u32 as u8)
            .collect();
        body
    };
    let invalid_utf8 = {
        let mut body =
            rss("<item><title>bad XX bytes</title><link>https://bytes.example/1</link></item>");
        let at = body.windows(2).position(|w| w == b"XX").unwrap();
        body[at] = 0xff;
        body[at + 1] = 0xfe;
        body
    };
    let utf8_declared_latin1 = String::from_utf8(rss(
        "<item><title>Stra\u{df}e \u{2014} \u{1F600}</title><link>https://utf.example/1</link></item>",
    ))
    .unwrap()
    .replace("encoding=\"utf-8\"", "encoding=\"ISO-8859-1\"")
    .into_bytes();
    let sources = vec![
        ("Malformed", Answer::Body("application/rss+xml", b"<rss><channel><item><title>x</item></channel>".to_vec())),
        ("Truncated", Answer::Body("application/rss+xml", good_feed("trunc", 5)[..150].to_vec())),
        ("Laughs", Answer::Body("application/rss+xml", BILLION_LAUGHS.as_bytes().to_vec())),
        ("External", Answer::Body("application/rss+xml", EXTERNAL_ENTITY.as_bytes().to_vec())),
        ("Bomb", Answer::GzipBomb),
        ("Huge", Answer::Stream { mb: 50 }),
        ("Drip", Answer::Drip),
        ("Invalid UTF-8", Answer::Body("application/rss+xml", invalid_utf8)),
        ("Latin-1 as UTF-8", Answer::Body("application/rss+xml", latin1_declared_utf8)),
        ("UTF-8 as Latin-1", Answer::Body("text/xml; charset=iso-8859-1", utf8_declared_latin1)),
        ("JSON wrong types", Answer::Body("application/feed+json", br#"{"version":"https://jsonfeed.org/version/1.1","title":5,"items":"none"}"#.to_vec())),
        ("JSON wrong item types", Answer::Body("application/feed+json", br#"{"version":"https://jsonfeed.org/version/1.1","title":"J","items":[{"id":7,"url":["x"],"title":{"a":1}}]}"#.to_vec())),
        ("HTML", Answer::Body("text/html", b"<!DOCTYPE html><html><head><title>Blog</title></head><body><p>hi</p></body></html>".to_vec())),
        ("Empty", Answer::Body("application/rss+xml", Vec::new())),
        // Found by fuzzing: made the XML reader under feed-rs panic.
        ("Late declaration", Answer::Body("application/atom+xml", b"<entry><title type=\"html\"><?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>".to_vec())),
        ("Dates", Answer::Body("application/rss+xml", rss(
            "<item><title>Feb</title><link>https://dates.example/feb</link><pubDate>Tue, 31 Feb 2017 10:00:00 GMT</pubDate></item>\
             <item><title>Zero</title><link>https://dates.example/zero</link><pubDate>Sat, 01 Jan 0000 00:00:00 GMT</pubDate></item>\
             <item><title>Far</title><link>https://dates.example/far</link><pubDate>Fri, 31 Dec 9999 23:59:59 GMT</pubDate></item>\
             <item><title>Atom zero</title><link>https://dates.example/iso</link><pubDate>0000-00-00T00:00:00Z</pubDate></item>"))),
        ("Schemes", Answer::Body("application/rss+xml", rss(
            "<item><title>js</title><link>javascript:alert(1)</link></item>\
             <item><title>data</title><link>data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;</link></item>\
             <item><title>file</title><link>file:///etc/passwd</link></item>\
             <item><title>fine</title><link>https://schemes.example/ok</link></item>"))),
        ("Scripts", Answer::Body("application/rss+xml", rss(
            "<item><title>&lt;script&gt;alert(1)&lt;/script&gt;Title &lt;b onmouseover=\"x()\"&gt;bold&lt;/b&gt;</title>\
             <link>https://scripts.example/1</link>\
             <description>&lt;p onclick=\"steal()\"&gt;Hello&lt;script&gt;alert(2)&lt;/script&gt;&lt;style&gt;body{display:none}&lt;/style&gt;\
             &lt;iframe src=\"https://evil.example/\"&gt;&lt;/iframe&gt;&lt;img src=x onerror=\"alert(3)\"&gt;&lt;a href=\"javascript:alert(4)\"&gt;link&lt;/a&gt;&lt;/p&gt;</description></item>"))),
    ];
    let polled = poll_all(sources, &[]).await;
    // The drip is stopped by the 3-second timeout, and nothing waits longer.
    eprintln!("hostile poll took {:?}", polled.took);
    let mut names: Vec<_> = polled.reports.keys().collect();
    names.sort();
    for name in names {
        let report = &polled.reports[name];
        eprintln!(
            "{name}: {:?} {} {:?}",
            report.status, report.new_items, report.error
        );
    }
    assert!(polled.took < Duration::from_secs(20), "{:?}", polled.took);

    polled.failed_with("Malformed", &["malformed", "not a feed"]);
    polled.failed_with("Truncated", &["malformed", "not a feed"]);
    // No entity is expanded: the document is refused, or read without them.
    for name in ["Laughs", "External"] {
        let report = polled.report(name);
        if report.status == PollStatus::Fetched {
            for candidate in polled.candidates_of(name) {
                let text = format!("{} {:?}", candidate.title, candidate.summary);
                assert!(text.len() < 1000, "{name} expanded: {} bytes", text.len());
                assert!(!text.contains("root:"), "{name} read a file: {text}");
            }
        } else {
            polled.failed_with(name, &["malformed", "entity", "DOCTYPE", "not a feed"]);
        }
    }
    polled.failed_with("Bomb", &["larger than"]);
    polled.failed_with("Huge", &["larger than"]);
    polled.failed_with("Drip", &["no complete response within 3s"]);
    // Wrong bytes and wrong declarations come out as text, not as errors.
    assert_eq!(polled.fetched("Invalid UTF-8"), 1);
    assert_eq!(polled.fetched("Latin-1 as UTF-8"), 1);
    assert_eq!(
        polled.candidates_of("Latin-1 as UTF-8")[0].title,
        "Caf\u{e9} cr\u{e8}me"
    );
    assert_eq!(polled.fetched("UTF-8 as Latin-1"), 1);
    polled.failed_with("JSON wrong types", &["malformed", "not a feed"]);
    let json_items = polled.report("JSON wrong item types");
    if json_items.status == PollStatus::Failed {
        polled.failed_with("JSON wrong item types", &["malformed", "not a feed"]);
    }
    polled.failed_with("HTML", &["HTML page"]);
    polled.failed_with("Empty", &["malformed", "not a feed", "empty"]);
    polled.failed_with("Late declaration", &["malformed", "not a feed"]);
    // Impossible dates: the items are kept, dated no later than now.
    assert_eq!(polled.fetched("Dates"), 4);
    let later = chrono::Utc::now();
    for candidate in polled.candidates_of("Dates") {
        assert!(candidate.published <= later, "{candidate:?}");
    }
    assert_eq!(polled.fetched("Schemes"), 1);
    assert_eq!(
        polled.candidates_of("Schemes")[0].url.as_str(),
        "https://schemes.example/ok"
    );
    assert_eq!(polled.fetched("Scripts"), 1);
    let scripts = polled.candidates_of("Scripts")[0];
    let text = format!(
        "{} {}",
        scripts.title,
        scripts.summary.as_deref().unwrap_or_default()
    )
    .to_lowercase();
    for bad in [
        "<script",
        "alert(",
        "<style",
        "<iframe",
        "onclick",
        "onerror",
        "onmouseover",
        "javascript:",
    ] {
        assert!(!text.contains(bad), "{bad} survived: {text}");
    }
    assert!(text.contains("hello"), "{text}");
    assert_eq!(polled.summary.ok + polled.summary.failed, 19);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn network_faults_fail_alone() {
    let sources = vec![
        ("Cut short", Answer::CutShort),
        ("Reset", Answer::Reset),
        ("Error 500", Answer::Raw(b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec())),
        ("Garbage", Answer::Raw(b"SSH-2.0-OpenSSH_9.6\r\n\x00\x01\x02 not http at all\r\n\r\n".to_vec())),
        ("Silent", Answer::Silent),
    ];
    // RFC 2606: `.invalid` never resolves.
    let polled = poll_all(
        sources,
        &[("No DNS", "http://feed.newsroom-test.invalid/feed")],
    )
    .await;
    assert!(polled.took < Duration::from_secs(20), "{:?}", polled.took);
    polled.failed_with("Cut short", &["cut short"]);
    polled.failed_with("Reset", &["request failed", "cut short", "cannot connect"]);
    polled.failed_with("Error 500", &["HTTP 500"]);
    polled.failed_with("Garbage", &["request failed", "cut short"]);
    polled.failed_with("Silent", &["no complete response within 3s"]);
    polled.failed_with("No DNS", &["cannot connect", "request failed", "within"]);
    assert_eq!(polled.summary.failed, 6);
    for name in [
        "Cut short",
        "Reset",
        "Error 500",
        "Garbage",
        "Silent",
        "No DNS",
    ] {
        assert!(polled.candidates_of(name).is_empty(), "{name}");
        assert_eq!(polled.records[name].consecutive_errors, 1, "{name}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_thousand_entries_are_all_kept() {
    let polled = poll_all(
        vec![(
            "Many",
            Answer::Body("application/rss+xml", hundred_thousand_entries()),
        )],
        &[],
    )
    .await;
    eprintln!("100,000 entries took {:?}", polled.took);
    assert_eq!(polled.fetched("Many"), 100_000);
    assert_eq!(polled.candidates_of("Many").len(), 100_000);
}
