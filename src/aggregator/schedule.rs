//! When a source is due again: the configured interval, stretched to honour
//! what the server and the feed asked for, backed off on errors, and kept
//! within [`MIN_POLL`, `MAX_POLL`]. Pure: the clock and the randomness are
//! passed in, so every rule is tested without waiting.

use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

/// No source is polled more often than this, whatever it is configured to.
pub const MIN_POLL: Duration = Duration::from_secs(15 * 60);
/// No source waits longer than this, however long it asks us to wait or
/// however often it failed: a feed that comes back is noticed within a day.
pub const MAX_POLL: Duration = Duration::from_secs(24 * 60 * 60);

/// What a response and its document said about when to come back. Each
/// field is a delay from the time of the response; `None` means "not said".
/// Built by [`crate::aggregator::fetch`] from the HTTP headers and by
/// [`crate::aggregator::parse`] from the feed; combine both with
/// [`PollHints::merge`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PollHints {
    /// `Cache-Control: max-age`.
    pub max_age: Option<Duration>,
    /// `Expires`, as a delay from the response's `Date`.
    pub expires: Option<Duration>,
    /// `Retry-After` of a 429 or 503 response.
    pub retry_after: Option<Duration>,
    /// RSS `<ttl>`.
    pub ttl: Option<Duration>,
    /// `sy:updatePeriod` divided by `sy:updateFrequency`.
    pub update_period: Option<Duration>,
}

impl PollHints {
    /// Both sets of hints; where both say something, the longer delay wins
    /// (we only ever honour a request to come back *later*).
    pub fn merge(self, other: PollHints) -> PollHints {
        let longer = |a: Option<Duration>, b: Option<Duration>| a.max(b);
        PollHints {
            max_age: longer(self.max_age, other.max_age),
            expires: longer(self.expires, other.expires),
            retry_after: longer(self.retry_after, other.retry_after),
            ttl: longer(self.ttl, other.ttl),
            update_period: longer(self.update_period, other.update_period),
        }
    }

    /// The longest delay any hint asks for.
    fn longest(&self) -> Duration {
        [
            self.max_age,
            self.expires,
            self.retry_after,
            self.ttl,
            self.update_period,
        ]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or_default()
    }
}

/// The time to poll a source next.
///
/// - `now`: when the poll that just ended finished.
/// - `interval`: the source's configured interval (`Config::interval_of`).
/// - `hints`: what the last response and document asked for
///   ([`PollHints::merge`] of the fetch's and the parse's hints; on an error,
///   `FetchError::hints`).
/// - `consecutive_errors`: failed polls in a row, counting the one that just
///   ended; 0 after a success (including a 304).
/// - `jitter`: a number in `[0, 1]` (out-of-range values are clamped), e.g.
///   from [`random_jitter`]. It spreads failing sources apart so that they
///   do not all retry at once after a shared outage.
///
/// After a success the delay is the interval, raised to the longest hint.
/// After `n` errors it is `interval × 2^(n-1)`, capped at [`MAX_POLL`] and
/// shortened by up to a quarter by the jitter, and still at least any
/// `Retry-After`. Either way it is clamped to `[MIN_POLL, MAX_POLL]`.
pub fn next_poll(
    now: DateTime<Utc>,
    interval: Duration,
    hints: &PollHints,
    consecutive_errors: u32,
    jitter: f64,
) -> DateTime<Utc> {
    let delay = if consecutive_errors == 0 {
        interval.max(hints.longest())
    } else {
        backoff(interval, consecutive_errors, jitter).max(hints.retry_after.unwrap_or_default())
    };
    let delay = delay.clamp(MIN_POLL, MAX_POLL);
    // Within MAX_POLL, so the conversion cannot overflow.
    now + TimeDelta::milliseconds(delay.as_millis() as i64)
}

fn backoff(interval: Duration, consecutive_errors: u32, jitter: f64) -> Duration {
    // Past 2^31 the cap has long been reached; the shift must not overflow.
    let doublings = consecutive_errors.saturating_sub(1).min(31);
    let nominal = interval
        .checked_mul(1u32 << doublings)
        .unwrap_or(MAX_POLL)
        .min(MAX_POLL);
    let jitter = if jitter.is_nan() {
        0.0
    } else {
        jitter.clamp(0.0, 1.0)
    };
    nominal.mul_f64(1.0 - 0.25 * jitter)
}

/// A jitter value in `[0, 1]` for [`next_poll`], different on every call.
/// Uses the standard library's randomly keyed hasher, which is random enough
/// to spread retries and needs no extra dependency.
pub fn random_jitter() -> f64 {
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(
        Utc::now()
            .timestamp_nanos_opt()
            .unwrap_or_default()
            .unsigned_abs(),
    );
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: Duration = Duration::from_secs(60);
    const HOUR: Duration = Duration::from_secs(3600);

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-01-05T10:00:00Z")
            .unwrap()
            .to_utc()
    }

    fn delay(at: DateTime<Utc>) -> Duration {
        (at - now()).to_std().unwrap()
    }

    fn after_success(interval: Duration, hints: PollHints) -> Duration {
        delay(next_poll(now(), interval, &hints, 0, 0.5))
    }

    #[test]
    fn success_uses_the_interval() {
        assert_eq!(after_success(HOUR, PollHints::default()), HOUR);
    }

    #[test]
    fn interval_is_clamped_to_the_bounds() {
        assert_eq!(after_success(MINUTE, PollHints::default()), MIN_POLL);
        assert_eq!(after_success(HOUR * 100, PollHints::default()), MAX_POLL);
    }

    #[test]
    fn each_hint_raises_the_delay() {
        let three_hours = Some(HOUR * 3);
        let hints = [
            PollHints {
                max_age: three_hours,
                ..Default::default()
            },
            PollHints {
                expires: three_hours,
                ..Default::default()
            },
            PollHints {
                retry_after: three_hours,
                ..Default::default()
            },
            PollHints {
                ttl: three_hours,
                ..Default::default()
            },
            PollHints {
                update_period: three_hours,
                ..Default::default()
            },
        ];
        for hint in hints {
            assert_eq!(after_success(HOUR, hint), HOUR * 3, "{hint:?}");
        }
    }

    #[test]
    fn hints_never_shorten_the_interval() {
        let hints = PollHints {
            max_age: Some(MINUTE * 20),
            ttl: Some(MINUTE),
            ..Default::default()
        };
        assert_eq!(after_success(HOUR, hints), HOUR);
    }

    #[test]
    fn hints_are_clamped_to_a_day() {
        let hints = PollHints {
            max_age: Some(HOUR * 24 * 365),
            ..Default::default()
        };
        assert_eq!(after_success(HOUR, hints), MAX_POLL);
    }

    #[test]
    fn merge_keeps_the_longer_of_each_hint() {
        let a = PollHints {
            max_age: Some(HOUR),
            ttl: Some(MINUTE),
            ..Default::default()
        };
        let b = PollHints {
            max_age: Some(MINUTE),
            update_period: Some(HOUR),
            ..Default::default()
        };
        let merged = a.merge(b);
        assert_eq!(merged.max_age, Some(HOUR));
        assert_eq!(merged.ttl, Some(MINUTE));
        assert_eq!(merged.update_period, Some(HOUR));
        assert_eq!(merged.expires, None);
    }

    #[test]
    fn errors_back_off_exponentially() {
        let hints = PollHints::default();
        let delays: Vec<Duration> = (1..=5)
            .map(|errors| delay(next_poll(now(), HOUR, &hints, errors, 0.0)))
            .collect();
        assert_eq!(delays, [HOUR, HOUR * 2, HOUR * 4, HOUR * 8, HOUR * 16]);
    }

    #[test]
    fn backoff_stops_at_a_day_even_after_many_errors() {
        let hints = PollHints::default();
        for errors in [6, 31, 32, 33, 1000, u32::MAX] {
            let at = next_poll(now(), HOUR, &hints, errors, 0.0);
            assert_eq!(delay(at), MAX_POLL, "{errors} errors");
        }
    }

    #[test]
    fn jitter_spreads_retries_within_a_quarter() {
        let hints = PollHints::default();
        let early = delay(next_poll(now(), HOUR * 4, &hints, 1, 1.0));
        let late = delay(next_poll(now(), HOUR * 4, &hints, 1, 0.0));
        assert_eq!(early, HOUR * 3);
        assert_eq!(late, HOUR * 4);
        for odd in [-1.0, 2.0, f64::NAN] {
            let at = delay(next_poll(now(), HOUR * 4, &hints, 1, odd));
            assert!((HOUR * 3..=HOUR * 4).contains(&at), "jitter {odd}");
        }
    }

    #[test]
    fn errors_honour_retry_after_but_not_the_other_hints() {
        let hints = PollHints {
            retry_after: Some(HOUR * 5),
            ..Default::default()
        };
        assert_eq!(delay(next_poll(now(), HOUR, &hints, 1, 0.0)), HOUR * 5);
        let hints = PollHints {
            max_age: Some(HOUR * 5),
            ..Default::default()
        };
        assert_eq!(delay(next_poll(now(), HOUR, &hints, 1, 0.0)), HOUR);
    }

    #[test]
    fn error_delays_are_clamped_to_the_minimum() {
        let at = next_poll(now(), MINUTE, &PollHints::default(), 1, 1.0);
        assert_eq!(delay(at), MIN_POLL);
    }

    #[test]
    fn random_jitter_is_in_range() {
        for _ in 0..100 {
            assert!((0.0..=1.0).contains(&random_jitter()));
        }
    }
}
