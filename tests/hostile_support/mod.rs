//! Hostile and broken sources for the tests of `poll` (`tests/hostile.rs`)
//! and of the daemon (`tests/daemon_hostile.rs`): each source has a server
//! of its own on its own loopback address (127.0.0.N), so that the
//! one-request-per-host rule lets them all run at once. Large bodies (a
//! gzip bomb, 50 MB) are generated as they are sent and stop as soon as the
//! client hangs up: nothing large is stored.

#![allow(dead_code)] // Each test binary uses part of it.

use std::io::Write;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// How a test server answers.
#[derive(Clone)]
pub enum Answer {
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
pub async fn serve(n: u8, what: Answer) -> String {
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
pub fn good_feed(tag: &str, entries: usize) -> Vec<u8> {
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

pub fn rss(items: &str) -> Vec<u8> {
    format!("<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>T</title>{items}</channel></rss>").into_bytes()
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

pub fn hundred_thousand_entries() -> Vec<u8> {
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

/// Hostile and broken documents (and a drip, a bomb, a flood) by source
/// name: each must fail with an error of its own or come out clean.
pub fn documents() -> Vec<(&'static str, Answer)> {
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
    vec![
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
    ]
}

/// Servers that misbehave below the document, by source name: each must
/// fail with an error of its own.
pub fn network_faults() -> Vec<(&'static str, Answer)> {
    vec![
        ("Cut short", Answer::CutShort),
        ("Reset", Answer::Reset),
        ("Error 500", Answer::Raw(b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec())),
        ("Garbage", Answer::Raw(b"SSH-2.0-OpenSSH_9.6\r\n\x00\x01\x02 not http at all\r\n\r\n".to_vec())),
        ("Silent", Answer::Silent),
    ]
}
