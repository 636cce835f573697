//! Scoring candidates: how fresh, how trusted their source, and how much
//! they read like what the newsletter has published before.
//!
//! A [`Ranker`] is built once from the blurbs of the past issues and then
//! scores any number of candidates; it reads no clock (`now` is passed in)
//! and no files.
//!
//! # How the parts combine
//!
//! `total = weight × recency × (FLOOR + (1 − FLOOR) × similarity)`
//!
//! - **recency** = 0.5^(age / half-life): 1 for a post published now, 0.5
//!   one half-life later. A date in the future counts as now, so a feed with
//!   a wrong clock cannot float its entries to the top.
//! - **weight** is the source's `weight` from feeds.toml (the highest one
//!   when several sources carried the candidate, see [`source_weight`]).
//! - **similarity** is in `[0, 1)`: 0 for a candidate that shares no word with
//!   past blurbs, 0.5 for one as close to them as a typical past blurb is.
//!
//! The product rather than a weighted sum, because each part should be able
//! to veto: a source weighted 0 is muted, and a month-old post should sink
//! however on-topic it is. The `FLOOR` keeps similarity from vetoing: a
//! fresh post about a tool the newsletter has never mentioned shares no
//! vocabulary with the past, yet may be exactly what the editors want, so
//! it keeps a quarter of the score of a perfectly on-topic one.
//!
//! # Similarity
//!
//! Words are lower-cased, split on anything but letters and digits, stripped
//! of a plural `s`, and dropped when shorter than two letters, all digits, or
//! a stop word. Each blurb becomes a TF-IDF vector (sublinear term frequency,
//! smoothed IDF over the past blurbs), normalised to length 1; their mean is
//! the newsletter's *profile*. A candidate's title and summary get the same
//! treatment and are compared with the profile by cosine.
//!
//! A centroid rather than the best match against every past blurb: the
//! question is "is this the kind of thing we publish", not "did we publish
//! this one" (already published links are dropped by URL before ranking),
//! and one dot product per candidate keeps 10,000 candidates against years
//! of issues far below a second. The raw cosine against a centroid is small
//! and depends on how varied the corpus is, so it is reported relative to
//! the corpus itself: `similarity = c / (c + r)`, where `r` is the mean
//! cosine of the past blurbs to their own profile.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, FixedOffset, Utc};
use serde::Serialize;

use crate::config::Source;
use crate::issue::Issue;
use crate::store::Candidate;

/// Share of the score a candidate keeps when it has nothing in common with
/// past issues (see the module documentation).
const FLOOR: f64 = 0.25;

/// What the ranker needs to know about one candidate.
#[derive(Debug, Clone, Copy)]
pub struct CandidateFeatures<'a> {
    pub title: &'a str,
    /// Plain text, markdown or HTML: tags are skipped.
    pub summary: &'a str,
    pub published: DateTime<FixedOffset>,
    /// The source's weight, see [`source_weight`].
    pub weight: f64,
}

/// A candidate's score and the parts it is made of, for `--explain`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Score {
    pub total: f64,
    /// 0.5^(age / half-life), in `(0, 1]`.
    pub recency: f64,
    pub weight: f64,
    /// Closeness to past blurbs, in `[0, 1)`.
    pub similarity: f64,
}

/// The weight of a candidate carried by the sources named `names`: the
/// highest of their weights, since the most trusted source vouching for a
/// link is what the editors would go by. A name no longer in feeds.toml, or
/// no name at all, counts as the default weight 1.
pub fn source_weight<'a>(sources: &[Source], names: impl IntoIterator<Item = &'a str>) -> f64 {
    names
        .into_iter()
        .filter_map(|name| sources.iter().find(|source| source.name == name))
        .map(|source| source.weight)
        .reduce(f64::max)
        .unwrap_or(1.0)
}

/// 0.5^(age / half_life); an age below zero counts as zero.
pub fn recency(age: chrono::TimeDelta, half_life: Duration) -> f64 {
    let age = age.as_seconds_f64().max(0.0);
    // A zero half-life would divide by zero; config never allows one.
    let half_life = half_life.as_secs_f64().max(1.0);
    0.5f64.powf(age / half_life)
}

/// The TF-IDF profile of past issues plus the recency half-life.
#[derive(Debug, Clone)]
pub struct Ranker {
    half_life: Duration,
    /// Term to its index in `idf` and `profile`.
    terms: HashMap<String, usize>,
    idf: Vec<f64>,
    /// Mean of the unit vectors of the past blurbs, itself made unit length
    /// (all zeros without past blurbs).
    profile: Vec<f64>,
    /// IDF of a term no past blurb contains.
    unseen_idf: f64,
    /// Mean cosine of the past blurbs to the profile.
    typical: f64,
}

impl Ranker {
    /// Builds the profile from every entry blurb of the finished issues,
    /// except those in `skip_sections` (sponsors write their own blurbs,
    /// which say nothing about what the editors choose). Drafts are skipped.
    pub fn from_issues(issues: &[Issue], skip_sections: &[String], half_life: Duration) -> Ranker {
        let blurbs = issues
            .iter()
            .filter(|issue| !issue.draft)
            .flat_map(|issue| issue.entries())
            .filter(|(section, _)| {
                !skip_sections
                    .iter()
                    .any(|skip| skip.eq_ignore_ascii_case(&section.name))
            })
            .map(|(_, entry)| entry.blurb.as_str());
        Ranker::new(blurbs, half_life)
    }

    /// Builds the profile from past blurbs (markdown or plain text).
    pub fn new<'a>(blurbs: impl IntoIterator<Item = &'a str>, half_life: Duration) -> Ranker {
        let mut terms: HashMap<String, usize> = HashMap::new();
        let mut documents: Vec<Vec<(usize, f64)>> = Vec::new();
        for blurb in blurbs {
            let mut ids = Vec::new();
            for_each_term(blurb, |term| {
                let next = terms.len();
                ids.push(*terms.entry(term.to_string()).or_insert(next));
            });
            if !ids.is_empty() {
                documents.push(counted(ids));
            }
        }

        let mut document_frequency = vec![0.0; terms.len()];
        for document in &documents {
            for &(id, _) in document {
                document_frequency[id] += 1.0;
            }
        }
        let corpus = documents.len() as f64;
        let idf: Vec<f64> = document_frequency
            .iter()
            .map(|&df| smoothed_idf(corpus, df))
            .collect();

        let mut profile = vec![0.0; terms.len()];
        let vectors: Vec<Vec<(usize, f64)>> = documents
            .into_iter()
            .map(|document| {
                let vector = unit(
                    document
                        .into_iter()
                        .map(|(id, count)| (id, tf(count) * idf[id]))
                        .collect(),
                );
                for &(id, value) in &vector {
                    profile[id] += value;
                }
                vector
            })
            .collect();
        let norm = profile
            .iter()
            .map(|value| value * value)
            .sum::<f64>()
            .sqrt();
        if norm > 0.0 {
            profile.iter_mut().for_each(|value| *value /= norm);
        }
        let typical = if vectors.is_empty() {
            0.0
        } else {
            vectors
                .iter()
                .map(|vector| vector.iter().map(|&(id, v)| v * profile[id]).sum::<f64>())
                .sum::<f64>()
                / corpus
        };

        Ranker {
            half_life,
            terms,
            idf,
            profile,
            unseen_idf: smoothed_idf(corpus, 0.0),
            typical,
        }
    }

    pub fn score(&self, candidate: &CandidateFeatures, now: DateTime<Utc>) -> Score {
        let recency = recency(
            now.signed_duration_since(candidate.published),
            self.half_life,
        );
        let similarity = self.similarity(candidate.title, candidate.summary);
        Score {
            total: candidate.weight * recency * (FLOOR + (1.0 - FLOOR) * similarity),
            recency,
            weight: candidate.weight,
            similarity,
        }
    }

    /// Every candidate's index and score, best first; equal scores keep
    /// the order they came in.
    pub fn rank(
        &self,
        candidates: &[CandidateFeatures],
        now: DateTime<Utc>,
    ) -> Vec<(usize, Score)> {
        let mut ranked: Vec<(usize, Score)> = candidates
            .iter()
            .map(|candidate| self.score(candidate, now))
            .enumerate()
            .collect();
        ranked.sort_by(|(_, a), (_, b)| b.total.total_cmp(&a.total));
        ranked
    }

    /// The store's candidates with their scores, best first: what
    /// `newsroom suggest` lists and the review page shows. `sources` are
    /// feeds.toml's, for the weights.
    pub fn rank_candidates<'c>(
        &self,
        candidates: &'c [Candidate],
        sources: &[Source],
        now: DateTime<Utc>,
    ) -> Vec<(&'c Candidate, Score)> {
        let features: Vec<CandidateFeatures> = candidates
            .iter()
            .map(|candidate| CandidateFeatures {
                title: &candidate.title,
                summary: candidate.summary.as_deref().unwrap_or_default(),
                published: candidate.published.fixed_offset(),
                weight: source_weight(sources, candidate.sources.iter().map(String::as_str)),
            })
            .collect();
        self.rank(&features, now)
            .into_iter()
            .map(|(at, score)| (&candidates[at], score))
            .collect()
    }

    /// `c / (c + typical)` where `c` is the cosine of the text to the
    /// profile.
    fn similarity(&self, title: &str, summary: &str) -> f64 {
        if self.typical <= 0.0 {
            return 0.0;
        }
        // Known terms by index; terms the past never used only lengthen the
        // vector, so they are counted by text.
        let mut known = Vec::new();
        let mut unseen = Vec::new();
        let mut sort = |term: &str| match self.terms.get(term) {
            Some(&id) => known.push(id),
            None => unseen.push(term.to_string()),
        };
        for_each_term(title, &mut sort);
        for_each_term(summary, &mut sort);

        let mut dot = 0.0;
        let mut norm = 0.0;
        for (id, count) in counted(known) {
            let weight = tf(count) * self.idf[id];
            dot += weight * self.profile[id];
            norm += weight * weight;
        }
        for (_, count) in counted(unseen) {
            let weight = tf(count) * self.unseen_idf;
            norm += weight * weight;
        }
        if norm == 0.0 {
            return 0.0;
        }
        let cosine = dot / norm.sqrt();
        cosine / (cosine + self.typical)
    }
}

/// Each distinct term with how often it occurs, in term order: sums over
/// it then always add in the same order, so a score does not change in its
/// last digits from one run to the next.
fn counted<T: Ord>(mut terms: Vec<T>) -> Vec<(T, f64)> {
    terms.sort_unstable();
    let mut counts: Vec<(T, f64)> = Vec::new();
    for term in terms {
        match counts.last_mut() {
            Some((last, count)) if *last == term => *count += 1.0,
            _ => counts.push((term, 1.0)),
        }
    }
    counts
}

/// Sublinear term frequency: the tenth "kubernetes" in a post says less
/// than the first.
fn tf(count: f64) -> f64 {
    1.0 + count.ln()
}

/// `ln((1 + n) / (1 + df)) + 1`: never zero, so a word every past blurb
/// uses still counts a little.
fn smoothed_idf(documents: f64, document_frequency: f64) -> f64 {
    ((1.0 + documents) / (1.0 + document_frequency)).ln() + 1.0
}

fn unit(mut vector: Vec<(usize, f64)>) -> Vec<(usize, f64)> {
    let norm = vector.iter().map(|(_, v)| v * v).sum::<f64>().sqrt();
    if norm > 0.0 {
        vector.iter_mut().for_each(|(_, v)| *v /= norm);
    }
    vector
}

/// Calls `emit` with every term of `text`, in order (see the module
/// documentation for what a term is).
fn for_each_term(text: &str, mut emit: impl FnMut(&str)) {
    let mut lowered = String::new();
    let mut rest = text;
    while let Some(start) = rest.find(|c: char| c.is_alphanumeric() || c == '<') {
        rest = &rest[start..];
        if let Some(after) = rest.strip_prefix('<') {
            // An HTML tag (`<p>`, `</a>`, `<a href="...">`) is markup, not
            // words; a `<` before anything else is a less-than sign.
            let is_tag = after
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '/');
            rest = match after.find('>') {
                Some(end) if is_tag => &after[end + 1..],
                _ => after,
            };
            continue;
        }
        let end = rest
            .find(|c: char| !c.is_alphanumeric())
            .unwrap_or(rest.len());
        let word = &rest[..end];
        rest = &rest[end..];
        // Most words need no lower-casing; copying only the others keeps
        // scoring 10,000 candidates fast.
        let word = if word
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        {
            word
        } else {
            lowered.clear();
            lowered.extend(word.chars().flat_map(char::to_lowercase));
            lowered.as_str()
        };
        if let Some(term) = term(word) {
            emit(term);
        }
    }
}

/// The term a lower-cased word stands for, if it is one.
fn term(word: &str) -> Option<&str> {
    let letters = word.chars().count();
    if letters < 2 || word.chars().all(|c| c.is_ascii_digit()) || is_stop_word(word) {
        return None;
    }
    // "containers" and "container" are one topic. Only a plain plural `s`
    // goes: "status", "analysis", "class" and "aws" keep theirs.
    let plural = letters > 3 && word.ends_with('s') && !word.ends_with("ss");
    let plural = plural && !word.ends_with("us") && !word.ends_with("is");
    Some(if plural {
        &word[..word.len() - 1]
    } else {
        word
    })
}

/// English function words, the fragments contractions split into, and the
/// debris of URLs and HTML entities. A `match`, which the compiler turns
/// into a switch on length and bytes: a sorted list and binary search took
/// half the time of scoring a candidate.
#[rustfmt::skip] // one word a line would make this 130 lines long
fn is_stop_word(word: &str) -> bool {
    matches!(
        word,
        "about" | "after" | "again" | "all" | "also" | "am" | "amp" | "an" | "and" | "any" |
        "are" | "aren" | "as" | "at" | "be" | "because" | "been" | "before" | "being" |
        "between" | "both" | "but" | "by" | "can" | "com" | "could" | "did" | "didn" | "do" |
        "does" | "doesn" | "doing" | "don" | "down" | "during" | "each" | "few" | "for" |
        "from" | "further" | "gt" | "had" | "has" | "have" | "having" | "he" | "her" | "here" |
        "hers" | "him" | "his" | "how" | "href" | "html" | "http" | "https" | "if" | "in" |
        "into" | "is" | "isn" | "it" | "its" | "itself" | "just" | "ll" | "lt" | "me" | "more" |
        "most" | "my" | "nbsp" | "no" | "nor" | "not" | "now" | "of" | "off" | "on" | "once" |
        "only" | "or" | "org" | "other" | "our" | "ours" | "out" | "over" | "own" | "quot" |
        "re" | "same" | "she" | "should" | "so" | "some" | "such" | "than" | "that" | "the" |
        "their" | "them" | "then" | "there" | "these" | "they" | "this" | "those" | "through" |
        "to" | "too" | "under" | "until" | "up" | "us" | "ve" | "very" | "was" | "wasn" | "we" |
        "were" | "what" | "when" | "where" | "which" | "while" | "who" | "whom" | "why" |
        "will" | "with" | "won" | "would" | "www" | "you" | "your" | "yours"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 24 * 3600;
    const HALF_LIFE: Duration = Duration::from_secs(3 * DAY as u64);

    /// Blurbs in the style of the seed issue.
    const PAST: &[&str] = &[
        "A great post arguing that the next decade of operations will be about teaching developers to run their services in production.",
        "An interesting tale of debugging a production performance issue on a public cloud, with lessons on I/O quotas and burst balance on AWS.",
        "A good introduction to running Kubernetes clusters, from deployments and services to monitoring the control plane.",
        "A case study of moving an AWS environment from manual provisioning to CloudFormation and continuous deployment pipelines.",
        "Some good tips for incident response and writing blameless postmortems after production outages.",
        "A comparison of container orchestrators, with notes on Kubernetes scheduling and monitoring containers with Prometheus.",
        "How one team built their continuous delivery pipeline with Terraform, Jenkins and Kubernetes.",
        "A look at observability: metrics, logs and traces, and how to alert on what matters in production.",
    ];

    fn ranker() -> Ranker {
        Ranker::new(PAST.iter().copied(), HALF_LIFE)
    }

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-28T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn candidate<'a>(title: &'a str, summary: &'a str, age_days: f64) -> CandidateFeatures<'a> {
        let age = chrono::TimeDelta::seconds((age_days * DAY as f64) as i64);
        CandidateFeatures {
            title,
            summary,
            published: (now() - age).fixed_offset(),
            weight: 1.0,
        }
    }

    const DEVOPS: (&str, &str) = (
        "Debugging Kubernetes deployments in production",
        "Monitoring containers and alerting on the control plane of your clusters.",
    );
    const UNRELATED: (&str, &str) = (
        "My favourite sourdough recipe",
        "Flour, water, salt and a lot of patience in a warm kitchen.",
    );

    #[test]
    fn terms_are_lower_case_words_without_noise() {
        let mut terms = Vec::new();
        for_each_term(
            "<p>The Containers of <a href=\"https://x.io/k8s\">K8s</a> in 2017: a < b, status!</p>",
            |term| terms.push(term.to_string()),
        );
        assert_eq!(terms, ["container", "k8s", "status"]);
        terms.clear();
        for_each_term("Été à ZÜRICH, Kubernetes-Operators <3 x", |term| {
            terms.push(term.to_string())
        });
        assert_eq!(terms, ["été", "zürich", "kubernete", "operator"]);
    }

    #[test]
    fn recency_halves_at_each_half_life() {
        let delta = |days: i64| chrono::TimeDelta::seconds(days * DAY);
        assert_eq!(recency(delta(0), HALF_LIFE), 1.0);
        assert_eq!(recency(delta(3), HALF_LIFE), 0.5);
        assert_eq!(recency(delta(6), HALF_LIFE), 0.25);
        assert_eq!(
            recency(delta(-2), HALF_LIFE),
            1.0,
            "future dates count as now"
        );
    }

    #[test]
    fn newer_beats_older_at_equal_similarity() {
        let ranker = ranker();
        let (title, summary) = DEVOPS;
        let new = ranker.score(&candidate(title, summary, 1.0), now());
        let old = ranker.score(&candidate(title, summary, 4.0), now());
        assert_eq!(new.similarity, old.similarity);
        assert!(new.total > old.total, "{new:?} vs {old:?}");
        assert!((old.recency / new.recency - 0.5).abs() < 1e-12);
    }

    #[test]
    fn devops_candidate_beats_unrelated_one_at_equal_age() {
        let ranker = ranker();
        let devops = ranker.score(&candidate(DEVOPS.0, DEVOPS.1, 2.0), now());
        let unrelated = ranker.score(&candidate(UNRELATED.0, UNRELATED.1, 2.0), now());
        assert!(
            devops.total > unrelated.total,
            "{devops:?} vs {unrelated:?}"
        );
        assert!(devops.similarity > 0.5, "{devops:?}");
        assert_eq!(unrelated.similarity, 0.0);
        assert!((unrelated.total - FLOOR * unrelated.recency).abs() < 1e-12);
    }

    #[test]
    fn weight_scales_the_total() {
        let ranker = ranker();
        let plain = candidate(DEVOPS.0, DEVOPS.1, 1.0);
        let heavy = CandidateFeatures {
            weight: 2.5,
            ..plain
        };
        let muted = CandidateFeatures {
            weight: 0.0,
            ..plain
        };
        let plain = ranker.score(&plain, now());
        assert!((ranker.score(&heavy, now()).total - 2.5 * plain.total).abs() < 1e-12);
        assert_eq!(ranker.score(&muted, now()).total, 0.0);
    }

    #[test]
    fn a_blurb_like_the_past_is_typical() {
        // The past blurbs average 0.5 against their own profile.
        let ranker = ranker();
        let mean = PAST
            .iter()
            .map(|blurb| ranker.similarity("", blurb))
            .sum::<f64>()
            / PAST.len() as f64;
        assert!((0.35..0.65).contains(&mean), "{mean}");
    }

    #[test]
    fn without_past_issues_only_recency_and_weight_count() {
        let ranker = Ranker::new([], HALF_LIFE);
        let score = ranker.score(&candidate(DEVOPS.0, DEVOPS.1, 3.0), now());
        assert_eq!(score.similarity, 0.0);
        assert_eq!(score.total, FLOOR * 0.5);
    }

    #[test]
    fn rank_orders_best_first() {
        let ranker = ranker();
        let candidates = [
            candidate(UNRELATED.0, UNRELATED.1, 1.0),
            candidate(DEVOPS.0, DEVOPS.1, 10.0),
            candidate(DEVOPS.0, DEVOPS.1, 1.0),
        ];
        let order: Vec<usize> = ranker
            .rank(&candidates, now())
            .into_iter()
            .map(|(index, _)| index)
            .collect();
        assert_eq!(order, [2, 0, 1]);
    }

    #[test]
    fn source_weight_takes_the_highest_known() {
        let source = |name: &str, weight: f64| Source {
            name: name.into(),
            url: url::Url::parse("https://example.org/feed").unwrap(),
            tags: Vec::new(),
            weight,
            interval: None,
        };
        let sources = [source("A", 0.5), source("B", 2.0)];
        assert_eq!(source_weight(&sources, ["A", "B"]), 2.0);
        assert_eq!(source_weight(&sources, ["A", "Gone"]), 0.5);
        assert_eq!(source_weight(&sources, ["Gone"]), 1.0);
        assert_eq!(source_weight(&sources, []), 1.0);
    }

    #[test]
    fn from_issues_skips_drafts_and_sponsors() {
        let text = "---\ntitle: Weekly #1\ndate: 2026-11-01\n---\n\nSponsor\n=======\n\nSourdough bakery sourdough bread.\n\nhttps://bakery.example/\n\nNews\n====\n\nKubernetes monitoring in production.\n\nhttps://k8s.example/\n";
        let issue = crate::issue::parse(std::path::Path::new("1.md"), text.as_bytes()).unwrap();
        let ranker = Ranker::from_issues(
            std::slice::from_ref(&issue),
            &["sponsor".to_string()],
            HALF_LIFE,
        );
        assert!(ranker.terms.contains_key("kubernete"));
        assert!(!ranker.terms.contains_key("sourdough"));
        let draft = Issue {
            draft: true,
            ..issue
        };
        assert!(
            Ranker::from_issues(&[draft], &[], HALF_LIFE)
                .terms
                .is_empty()
        );
    }
}
