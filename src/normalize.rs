//! The one URL normaliser. Both halves compare links through it, so that
//! "already published" and "duplicate" mean the same thing everywhere.

use url::Url;

/// Query parameters that only track the reader and never change the page.
fn is_tracking_parameter(key: &str) -> bool {
    key.get(..4)
        .is_some_and(|prefix| prefix.eq_ignore_ascii_case("utm_"))
        || [
            "fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "ref_src",
        ]
        .iter()
        .any(|tracking| tracking.eq_ignore_ascii_case(key))
}

/// Parses `input` as an absolute URL and normalises it (see [`normalize`]).
pub fn normalize_url(input: &str) -> Result<Url, url::ParseError> {
    Url::parse(input.trim()).map(normalize_owned)
}

/// Returns the canonical form of `url`: scheme and host lower-cased, default
/// port and fragment dropped, tracking parameters removed (the others keep
/// their order and their exact encoding), an empty path made `/`. Paths are
/// otherwise left alone: `/a` and `/a/` may be different pages. Idempotent.
pub fn normalize(url: &Url) -> Url {
    normalize_owned(url.clone())
}

/// [`normalize`] for a URL the caller no longer needs, such as one just
/// parsed: changed in place, not copied first.
pub fn normalize_owned(mut url: Url) -> Url {
    // `Url` already lower-cases scheme and host, drops the scheme's default
    // port and turns an empty path into `/` for http(s).
    url.set_fragment(None);
    if let Some(query) = url.query() {
        // Split the raw query instead of decoding and re-encoding it, so that
        // `a=b+c` and `a=b%20c` stay exactly as the publisher wrote them.
        let is_kept = |pair: &&str| {
            let key = pair.split('=').next().unwrap_or_default();
            !pair.is_empty() && !is_tracking_parameter(key)
        };
        // Most queries keep every pair: then setting the query again, which
        // parses it again, is skipped.
        if !query.is_empty() && query.split('&').all(|pair| is_kept(&pair)) {
            return url;
        }
        let kept: Vec<&str> = query.split('&').filter(is_kept).collect();
        let kept = kept.join("&");
        url.set_query(if kept.is_empty() { None } else { Some(&kept) });
    }
    url
}

#[cfg(test)]
mod tests {
    use super::normalize_url;

    fn norm(input: &str) -> String {
        normalize_url(input).unwrap().to_string()
    }

    #[test]
    fn changes_what_must_change() {
        let cases = [
            ("HTTP://Example.COM/a", "http://example.com/a"),
            ("https://EXAMPLE.com:443/a", "https://example.com/a"),
            ("http://example.com:80/a", "http://example.com/a"),
            ("https://example.com", "https://example.com/"),
            ("https://example.com/a#section-2", "https://example.com/a"),
            (
                "https://example.com/a?utm_source=x&utm_medium=y",
                "https://example.com/a",
            ),
            (
                "https://example.com/a?id=3&utm_campaign=z",
                "https://example.com/a?id=3",
            ),
            (
                "https://example.com/a?UTM_Source=x&id=3",
                "https://example.com/a?id=3",
            ),
            ("https://example.com/a?fbclid=abc", "https://example.com/a"),
            (
                "https://example.com/a?gclid=abc&b=2",
                "https://example.com/a?b=2",
            ),
            (
                "https://example.com/a?mc_cid=1&mc_eid=2",
                "https://example.com/a",
            ),
            (
                "https://twitter.com/x/status/1?ref_src=twsrc",
                "https://twitter.com/x/status/1",
            ),
            ("https://example.com/a?", "https://example.com/a"),
            ("https://example.com/a?&&b=1&&", "https://example.com/a?b=1"),
            (
                "https://example.com/a?utm_source=x#top",
                "https://example.com/a",
            ),
            ("  https://example.com/a  ", "https://example.com/a"),
            ("https://bücher.example/", "https://xn--bcher-kva.example/"),
        ];
        for (input, expected) in cases {
            assert_eq!(norm(input), expected, "normalising {input}");
        }
    }

    #[test]
    fn leaves_alone_what_must_not_change() {
        let unchanged = [
            "https://example.com/",
            "https://example.com/a/",
            "https://example.com/a",
            "https://example.com/A/B.html",
            "https://example.com:8443/a",
            "http://example.com:443/a",
            "https://example.com/a?b=2&a=1",
            "https://example.com/a?q=a+b&r=a%20b",
            "https://example.com/a?utm=1",
            "https://example.com/a?source=rss",
            "https://example.com/a?x_utm_source=1",
            "https://example.com/search?q=%C3%A9t%C3%A9",
            "https://example.com/a;jsessionid=1",
            "https://user@example.com/a",
            "https://medium.com/@cindysridharan/the-death-of-ops-is-greatly-exaggerated-ff3bd4a67f24",
            "https://[::1]:8080/a",
            "http://127.0.0.1/feed.xml",
            "mailto:jobs@example.com",
        ];
        for input in unchanged {
            assert_eq!(norm(input), input, "{input} must not change");
        }
    }

    #[test]
    fn is_idempotent() {
        let inputs = [
            "HTTP://Example.COM:80?utm_source=a&b=1#x",
            "https://example.com/a/../b/./c?&utm_medium=x&&z=%41",
            "https://EXAMPLE.com/%7Euser?q=a b",
        ];
        for input in inputs {
            let once = norm(input);
            assert_eq!(norm(&once), once, "normalising {input} twice");
        }
    }

    #[test]
    fn rejects_what_is_not_a_url() {
        for input in [
            "",
            "example.com/a",
            "/relative/path",
            "http://",
            "https://exa mple.com/",
        ] {
            assert!(normalize_url(input).is_err(), "{input} should not parse");
        }
    }
}
