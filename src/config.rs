//! `feeds.toml`: what the generator publishes, how the aggregator polls, and
//! the source blogs. `parse` is pure; `load` reads the file and resolves
//! relative paths against the file's folder.

use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Deserializer};
use url::Url;

use crate::lines::line_of;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{}: cannot read: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}:{line}: {message}", path.display())]
    Invalid {
        path: PathBuf,
        line: usize,
        message: String,
    },
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub newsletter: Newsletter,
    #[serde(default)]
    pub aggregator: Aggregator,
    #[serde(default)]
    pub daemon: Daemon,
    #[serde(default, rename = "source")]
    pub sources: Vec<Source>,
}

/// `[newsletter]`: what the generator publishes.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Newsletter {
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// Root of the published site; always ends with `/`.
    #[serde(deserialize_with = "base_url")]
    pub base_url: Url,
    #[serde(default)]
    pub author: String,
    /// RSS `author` must be an e-mail address; without one, only the name is
    /// published (as `dc:creator`).
    #[serde(default)]
    pub author_email: Option<String>,
    #[serde(default = "default_language")]
    pub language: String,
    #[serde(default = "default_issues_dir")]
    pub issues_dir: PathBuf,
    #[serde(default = "default_output_dir")]
    pub output_dir: PathBuf,
    /// How many issues the feeds hold; 0 means all.
    #[serde(default = "default_feed_limit")]
    pub feed_limit: usize,
    /// Sections whose links stay out of `links.xml`.
    #[serde(default = "default_links_exclude")]
    pub links_exclude: Vec<String>,
}

/// `[aggregator]`: how sources are polled and candidates ranked.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Aggregator {
    /// A SQLite file path, or a `postgres://` URL.
    #[serde(default = "default_database")]
    pub database: String,
    #[serde(default = "default_interval")]
    pub interval: Interval,
    #[serde(default = "default_concurrency", deserialize_with = "positive")]
    pub concurrency: usize,
    /// Half-life of the recency part of a candidate's score.
    #[serde(default = "default_half_life")]
    pub half_life: Interval,
}

impl Default for Aggregator {
    fn default() -> Self {
        Aggregator {
            database: default_database(),
            interval: default_interval(),
            concurrency: default_concurrency(),
            half_life: default_half_life(),
        }
    }
}

/// `[daemon]`: the long-running service.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Daemon {
    /// Where it serves HTTP; `newsroom daemon --listen` overrides it.
    #[serde(default = "default_listen")]
    pub listen: String,
    /// `Cache-Control: max-age` of the served site.
    #[serde(default = "default_cache_max_age")]
    pub cache_max_age: Interval,
    /// The bearer token editors present to the review page; without one
    /// the page is off.
    #[serde(default)]
    pub review_token: Option<String>,
}

impl Default for Daemon {
    fn default() -> Self {
        Daemon {
            listen: default_listen(),
            cache_max_age: default_cache_max_age(),
            review_token: None,
        }
    }
}

/// `[[source]]`: one blog the aggregator polls.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub name: String,
    #[serde(deserialize_with = "http_url")]
    pub url: Url,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default = "default_weight", deserialize_with = "weight")]
    pub weight: f64,
    /// Overrides `[aggregator] interval` for this source.
    #[serde(default)]
    pub interval: Option<Interval>,
}

/// A duration written the human way: `"30m"`, `"1h"`, `"3days"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interval(pub Duration);

impl<'de> Deserialize<'de> for Interval {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        let duration = humantime::parse_duration(&text).map_err(|err| {
            serde::de::Error::custom(format!(
                "invalid interval {text:?}: {err} (write e.g. \"30m\", \"1h\", \"3days\")"
            ))
        })?;
        if duration.is_zero() {
            return Err(serde::de::Error::custom(
                "an interval must be longer than 0",
            ));
        }
        Ok(Interval(duration))
    }
}

impl fmt::Display for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", humantime::format_duration(self.0))
    }
}

impl Config {
    /// Reads `path` and resolves `issues_dir`, `output_dir` and a relative
    /// SQLite `database` against the folder that holds it.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let mut config = Config::parse(&text).map_err(|(line, message)| ConfigError::Invalid {
            path: path.to_path_buf(),
            line,
            message,
        })?;
        let dir = path.parent().unwrap_or(Path::new(""));
        config.newsletter.issues_dir = dir.join(&config.newsletter.issues_dir);
        config.newsletter.output_dir = dir.join(&config.newsletter.output_dir);
        if !config.aggregator.database.contains("://") {
            config.aggregator.database = dir
                .join(&config.aggregator.database)
                .to_string_lossy()
                .into_owned();
        }
        Ok(config)
    }

    /// Parses the text of a feeds.toml; an error is `(line, message)` and
    /// the message names the offending key.
    pub fn parse(text: &str) -> Result<Config, (usize, String)> {
        let config: Config = toml::from_str(text).map_err(|err| {
            let Some(span) = err.span() else {
                return (1, err.message().to_string());
            };
            let line = line_of(text, span.start);
            let message = match key_on_line(text, span.start) {
                Some(key) if !err.message().contains(&format!("`{key}`")) => {
                    format!("`{key}`: {}", err.message())
                }
                _ => err.message().to_string(),
            };
            (line, message)
        })?;
        config.check_source_names(text)?;
        Ok(config)
    }

    fn check_source_names(&self, text: &str) -> Result<(), (usize, String)> {
        let mut seen = HashSet::new();
        for source in &self.sources {
            if source.name.trim().is_empty() {
                return Err((1, "a [[source]] has an empty `name`".into()));
            }
            if !seen.insert(source.name.as_str()) {
                // The second `name = "..."` line with this value is the culprit.
                let needle = format!("{:?}", source.name);
                let line = text
                    .match_indices(&needle)
                    .nth(1)
                    .map(|(at, _)| line_of(text, at))
                    .unwrap_or(1);
                return Err((
                    line,
                    format!("`name`: duplicate source name {:?}", source.name),
                ));
            }
        }
        Ok(())
    }

    /// The poll interval of `source`: its own, else the aggregator's.
    pub fn interval_of(&self, source: &Source) -> Duration {
        source.interval.unwrap_or(self.aggregator.interval).0
    }
}

/// The key of the `key = value` line that holds byte `offset`, if any.
fn key_on_line(text: &str, offset: usize) -> Option<&str> {
    let start = text[..offset.min(text.len())]
        .rfind('\n')
        .map_or(0, |at| at + 1);
    let line = text[start..].lines().next()?;
    let (key, _) = line.split_once('=')?;
    let key = key.trim().trim_matches('"');
    (!key.is_empty() && !key.starts_with('[')).then_some(key)
}

fn base_url<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Url, D::Error> {
    let mut url = http_url(deserializer)?;
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

fn http_url<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Url, D::Error> {
    let text = String::deserialize(deserializer)?;
    let url = Url::parse(&text)
        .map_err(|err| serde::de::Error::custom(format!("invalid URL {text:?}: {err}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(serde::de::Error::custom(format!(
            "invalid URL {text:?}: must be an http:// or https:// URL"
        )));
    }
    Ok(url)
}

fn weight<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    let weight = f64::deserialize(deserializer)?;
    if !weight.is_finite() || weight < 0.0 {
        return Err(serde::de::Error::custom(format!(
            "invalid weight {weight}: must be a number of 0 or more"
        )));
    }
    Ok(weight)
}

fn positive<'de, D: Deserializer<'de>>(deserializer: D) -> Result<usize, D::Error> {
    let value = usize::deserialize(deserializer)?;
    if value == 0 {
        return Err(serde::de::Error::custom("must be 1 or more"));
    }
    Ok(value)
}

fn default_language() -> String {
    "en".into()
}
fn default_issues_dir() -> PathBuf {
    "issues".into()
}
fn default_output_dir() -> PathBuf {
    "public".into()
}
fn default_feed_limit() -> usize {
    20
}
fn default_links_exclude() -> Vec<String> {
    vec!["Sponsor".into(), "Sponsored".into()]
}
fn default_database() -> String {
    "newsroom.db".into()
}
fn default_interval() -> Interval {
    Interval(Duration::from_secs(3600))
}
fn default_concurrency() -> usize {
    16
}
fn default_half_life() -> Interval {
    Interval(Duration::from_secs(3 * 24 * 3600))
}
fn default_listen() -> String {
    "127.0.0.1:8080".into()
}
fn default_cache_max_age() -> Interval {
    Interval(Duration::from_secs(5 * 60))
}
fn default_weight() -> f64 {
    1.0
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = "[newsletter]\ntitle = \"Weekly\"\nbase_url = \"https://example.org\"\n";

    fn error_of(text: &str) -> (usize, String) {
        Config::parse(text).expect_err("config should be rejected")
    }

    #[test]
    fn defaults_fill_everything_optional() {
        let config = Config::parse(MINIMAL).unwrap();
        assert_eq!(config.newsletter.base_url.as_str(), "https://example.org/");
        assert_eq!(config.newsletter.language, "en");
        assert_eq!(config.newsletter.issues_dir, PathBuf::from("issues"));
        assert_eq!(config.newsletter.output_dir, PathBuf::from("public"));
        assert_eq!(config.newsletter.feed_limit, 20);
        assert_eq!(config.newsletter.links_exclude, ["Sponsor", "Sponsored"]);
        assert_eq!(config.aggregator.database, "newsroom.db");
        assert_eq!(config.aggregator.interval.0, Duration::from_secs(3600));
        assert_eq!(config.aggregator.concurrency, 16);
        assert!(config.sources.is_empty());
        assert_eq!(config.daemon.listen, "127.0.0.1:8080");
        assert_eq!(config.daemon.cache_max_age.0, Duration::from_secs(300));
        assert_eq!(config.daemon.review_token, None);
    }

    #[test]
    fn daemon_table_is_read_and_checked() {
        let text = format!(
            "{MINIMAL}[daemon]\nlisten = \"0.0.0.0:80\"\ncache_max_age = \"1h\"\nreview_token = \"s3cret\"\n"
        );
        let daemon = Config::parse(&text).unwrap().daemon;
        assert_eq!(daemon.listen, "0.0.0.0:80");
        assert_eq!(daemon.cache_max_age.0, Duration::from_secs(3600));
        assert_eq!(daemon.review_token.as_deref(), Some("s3cret"));
        let (line, message) = error_of(&format!("{MINIMAL}[daemon]\nport = 80\n"));
        assert_eq!(line, 5);
        assert!(message.contains("port"), "{message}");
    }

    #[test]
    fn base_url_gains_a_trailing_slash() {
        let text = MINIMAL.replace("https://example.org", "https://example.org/weekly");
        let config = Config::parse(&text).unwrap();
        assert_eq!(
            config.newsletter.base_url.as_str(),
            "https://example.org/weekly/"
        );
    }

    #[test]
    fn sources_read_with_overrides() {
        let text = format!(
            "{MINIMAL}[aggregator]\ninterval = \"2h\"\n\n[[source]]\nname = \"A\"\nurl = \"https://a.example/feed\"\ntags = [\"k8s\"]\nweight = 2.5\ninterval = \"30m\"\n\n[[source]]\nname = \"B\"\nurl = \"https://b.example/rss\"\n"
        );
        let config = Config::parse(&text).unwrap();
        assert_eq!(config.sources.len(), 2);
        assert_eq!(config.sources[0].weight, 2.5);
        assert_eq!(
            config.interval_of(&config.sources[0]),
            Duration::from_secs(1800)
        );
        assert_eq!(
            config.interval_of(&config.sources[1]),
            Duration::from_secs(7200)
        );
        assert_eq!(config.sources[1].weight, 1.0);
    }

    #[test]
    fn unknown_key_names_key_and_line() {
        let text = format!("{MINIMAL}colour = \"blue\"\n");
        let (line, message) = error_of(&text);
        assert_eq!(line, 4);
        assert!(message.contains("colour"), "{message}");
    }

    #[test]
    fn unknown_table_is_an_error() {
        let (line, message) = error_of(&format!("{MINIMAL}\n[extras]\nx = 1\n"));
        assert_eq!(line, 5);
        assert!(message.contains("extras"), "{message}");
    }

    #[test]
    fn bad_interval_names_key_and_line() {
        let text = format!("{MINIMAL}[aggregator]\ninterval = \"5 parsecs\"\n");
        let (line, message) = error_of(&text);
        assert_eq!(line, 5);
        assert!(message.contains("`interval`"), "{message}");
        assert!(message.contains("5 parsecs"), "{message}");
    }

    #[test]
    fn non_url_source_names_key_and_line() {
        let text = format!("{MINIMAL}[[source]]\nname = \"A\"\nurl = \"not a url\"\n");
        let (line, message) = error_of(&text);
        assert_eq!(line, 6);
        assert!(message.contains("`url`"), "{message}");
        let text = format!("{MINIMAL}[[source]]\nname = \"A\"\nurl = \"ftp://a.example/\"\n");
        assert!(error_of(&text).1.contains("http"));
    }

    #[test]
    fn duplicate_source_name_points_at_the_second() {
        let text = format!(
            "{MINIMAL}[[source]]\nname = \"A\"\nurl = \"https://a.example/\"\n[[source]]\nname = \"A\"\nurl = \"https://b.example/\"\n"
        );
        let (line, message) = error_of(&text);
        assert_eq!(line, 8);
        assert!(message.contains("duplicate source name"), "{message}");
    }

    #[test]
    fn bad_values_are_rejected() {
        for (extra, key) in [
            ("[aggregator]\nconcurrency = 0\n", "concurrency"),
            ("[aggregator]\nconcurrency = \"many\"\n", "concurrency"),
            (
                "[[source]]\nname = \"A\"\nurl = \"https://a.example/\"\nweight = -1.0\n",
                "weight",
            ),
        ] {
            let (_, message) = error_of(&format!("{MINIMAL}{extra}"));
            assert!(message.contains(key), "{message} should name {key}");
        }
    }

    #[test]
    fn missing_newsletter_is_reported() {
        let (_, message) = error_of("[aggregator]\n");
        assert!(message.contains("newsletter"), "{message}");
    }

    #[test]
    fn load_resolves_paths_against_the_config_folder() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("feeds.toml");
        std::fs::write(&path, MINIMAL).unwrap();
        let config = Config::load(&path).unwrap();
        assert_eq!(config.newsletter.issues_dir, dir.path().join("issues"));
        assert_eq!(
            config.aggregator.database,
            dir.path().join("newsroom.db").to_string_lossy()
        );
    }

    #[test]
    fn load_error_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("feeds.toml");
        std::fs::write(&path, "[newsletter]\ntitle = 3\n").unwrap();
        let message = Config::load(&path).unwrap_err().to_string();
        assert!(
            message.starts_with(&format!("{}:2:", path.display())),
            "{message}"
        );
    }
}
