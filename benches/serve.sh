#!/usr/bin/env bash
# Load test of the daemon's hot path, GET /feed.xml, while the scheduler
# polls local sources at the same time. Two questions, two kinds of run:
#
# - saturation (wrk, closed loop): how many requests/s at most. Its p99 is
#   mostly queueing: each connection waits for its previous answer, so the
#   mean latency is connections / throughput (Little's law), whatever the
#   server does.
# - fixed rate (oha -q RATE --latency-correction, open loop): the latency a
#   client sees when RATE requests/s arrive on schedule, each timed from
#   when it was due (no coordinated omission), so a stall counts for every
#   request it held up.
#
# Each kind runs mixed (half the requests conditional: If-None-Match, a
# 304) and all-conditional (the 304 path). The mixed fixed-rate run is two
# oha processes at RATE/2 each, one conditional; both p99 are shown.
#
#   benches/serve.sh                     # release build, 20 s per run
#   DURATION=30s RATE=30000 benches/serve.sh
#   POLL_RATE=0 benches/serve.sh         # no polling during the runs
#   PROFILE=dev benches/serve.sh         # skip the release build (slower)
#   NEWSROOM=/tmp/newsroom benches/serve.sh   # that binary, built before
#
# Polling: SOURCES feeds on HOSTS loopback addresses (plain python servers,
# one request at a time per host as the daemon does); after the first poll
# of all of them, POLL_RATE sources a second are made due again (their
# validators cleared, so each is fetched, parsed and stored in full), as if
# the clock had moved. Every run prints how many sources were polled during
# it (the daemon's own count, from /metrics) and the load average.
#
# The clients (wrk, oha) run on the daemon's cores and take their share,
# as does anything else running then: read the load average beside each
# figure; RATE=10000 shows where the latency stands below the knee.
#
# Needs wrk (installed from Debian if missing), oha (`cargo install oha`)
# and python3.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-256}
THREADS=${THREADS:-2}
RATE=${RATE:-20000}
SOURCES=${SOURCES:-2000}
HOSTS=${HOSTS:-4}
POLL_RATE=${POLL_RATE:-100}
PROFILE=${PROFILE:-release}

if ! command -v wrk >/dev/null; then
    echo "installing wrk" >&2
    if [ "$(id -u)" -eq 0 ]; then apt-get install -y -q wrk >&2; else sudo apt-get install -y -q wrk >&2; fi
fi
command -v oha >/dev/null || { echo "oha is missing: cargo install oha" >&2; exit 1; }

if [ -z "${NEWSROOM:-}" ]; then
    cargo build --profile "$PROFILE" --bin newsroom >&2
    target=$([ "$PROFILE" = dev ] && echo debug || echo "$PROFILE")
    NEWSROOM=$PWD/target/$target/newsroom
fi

work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# The sources: one feed served SOURCES times (distinct query strings) from
# 127.0.0.1 .. 127.0.0.HOSTS. Niced: they stand for other people's servers,
# which do not share the daemon's cores in production.
mkdir -p "$work/www" "$work/issues"
cp tests/fixtures/feeds/rss2.xml "$work/www/feed.xml"
cp tests/fixtures/generator/issues/*.md "$work/issues/"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
for host in $(seq 1 "$HOSTS"); do
    nice -n 15 python3 -m http.server --bind "127.0.0.$host" --directory "$work/www" "$port" >/dev/null 2>&1 &
    pids+=($!)
done
{
    printf '[newsletter]\ntitle = "Bench Weekly"\nbase_url = "https://example.org/"\n\n'
    printf '[aggregator]\nconcurrency = 16\n\n'
    for i in $(seq 1 "$SOURCES"); do
        printf '[[source]]\nname = "source %d"\nurl = "http://127.0.0.%d:%d/feed.xml?source=%d"\n\n' \
            "$i" $((i % HOSTS + 1)) "$port" "$i"
    done
} >"$work/feeds.toml"

for host in $(seq 1 "$HOSTS"); do
    for _ in $(seq 1 100); do
        curl -so /dev/null "http://127.0.0.$host:$port/feed.xml" && break
        sleep 0.1
    done
done

RUST_LOG=warn "$NEWSROOM" --config "$work/feeds.toml" daemon --listen 127.0.0.1:0 >"$work/stdout" 2>"$work/stderr" &
daemon=$!
pids+=($daemon)
for _ in $(seq 1 300); do
    grep -q '^listening on ' "$work/stdout" 2>/dev/null && break
    sleep 0.1
done
base=$(sed -n 's/^listening on //p' "$work/stdout")
[ -n "$base" ] || { cat "$work/stderr" >&2; echo "the daemon did not start" >&2; exit 1; }
etag=$(curl -sI "$base/feed.xml" | tr -d '\r' | sed -n 's/^etag: //Ip')

# Sources polled so far, as the daemon counts them.
polled() {
    curl -s "$base/metrics" | sed -n 's/^newsroom_poll_duration_seconds_count //p'
}

echo "== first poll of the $SOURCES sources" >&2
for _ in $(seq 1 600); do
    [ "$(polled)" -ge "$SOURCES" ] 2>/dev/null && break
    sleep 0.5
done

# Keeps POLL_RATE sources a second due: every second the least recently
# polled are made due two seconds ahead, so that the scheduler, going idle,
# sleeps until then (the earliest due time, read from the store); fewer
# when some are still due: when it falls behind, no backlog piles up to be
# polled faster in a later run. SIGHUP wakes it once from the sleep it
# began before (a config reload, and so a rebuild, before the runs).
if [ "$POLL_RATE" -gt 0 ]; then
    python3 - "$work/newsroom.db" "$POLL_RATE" <<'PY' &
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], timeout=10, isolation_level=None)
rate = int(sys.argv[2])
while True:
    now = int(time.time())
    # Due and not polled yet. Never no batch at all: the scheduler, finding
    # nothing due ahead, would sleep for minutes.
    (waiting,) = db.execute(
        "SELECT COUNT(*) FROM sources WHERE next_poll_at <= ?", (now,)
    ).fetchone()
    db.execute(
        "UPDATE sources SET next_poll_at = ?1, etag = NULL, last_modified = NULL "
        "WHERE id IN (SELECT id FROM sources WHERE next_poll_at > ?1 + 60 "
        "ORDER BY last_polled_at LIMIT ?2)",
        (now + 2, max(1, rate - waiting)),
    )
    time.sleep(max(0.0, now + 1 - time.time()))
PY
    pids+=($!)
    sleep 1
    kill -HUP "$daemon"
    sleep 3
fi

cat >"$work/conditional.lua" <<'LUA'
-- Every EVERY-th request revalidates with the feed's ETag (a 304).
local etag = os.getenv("ETAG")
local every = tonumber(os.getenv("EVERY") or "2")
local n = 0
request = function()
    n = n + 1
    if n % every == 0 then
        return wrk.format("GET", "/feed.xml", { ["If-None-Match"] = etag })
    end
    return wrk.format("GET", "/feed.xml")
end
LUA

seconds=$(python3 -c "import sys; d=sys.argv[1]; print(float(d[:-1]) * {'s': 1, 'm': 60}[d[-1]])" "$DURATION")

# $1 = label, $2.. = the run; prints one row: the run's figures (from the
# `figures` function it sets), sources polled meanwhile, load average.
row() {
    local label=$1 before after
    shift
    before=$(polled)
    "$@"
    after=$(polled)
    printf '%-34s %12s %10s %10s %8s %7.0f/s   %s\n' "$label" "$rps" "$p50" "$p99" \
        "$((after - before))" "$(python3 -c "print(($after - $before) / $seconds)")" \
        "$(cut -d' ' -f1-3 /proc/loadavg)"
}

# wrk, closed loop; $1 = every how many requests one is conditional.
saturation() {
    ETAG=$etag EVERY=$1 wrk -t "$THREADS" -c "$CONNECTIONS" -d "$DURATION" --latency \
        -s "$work/conditional.lua" "$base" >"$work/wrk"
    rps=$(awk '/^Requests\/sec/ {printf "%.0f", $2}' "$work/wrk")
    p50=$(awk '$1 == "50%" {print $2}' "$work/wrk")
    p99=$(awk '$1 == "99%" {print $2}' "$work/wrk")
    # wrk counts statuses from 400 on here, and socket errors.
    grep 'Non-2xx\|Socket errors' "$work/wrk" >&2 || true
}

# oha, open loop at $2 requests/s over $3 connections; $1 = conditional
# or not; writes $work/oha-$1.
oha_at() {
    local headers=()
    [ "$1" = conditional ] && headers=(-H "If-None-Match: $etag")
    oha -z "$DURATION" -c "$3" -q "$2" --latency-correction --no-tui --output-format json \
        "${headers[@]}" "$base/feed.xml" >"$work/oha-$1"
}

# Reads an oha report: achieved rate, p50 and p99 in ms; its errors and
# status codes other than $2 go to stderr.
oha_figures() {
    python3 - "$1" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
p = d["latencyPercentiles"]
for code, count in d["statusCodeDistribution"].items():
    if code != sys.argv[2]:
        print(f"oha: {count} x status {code}", file=sys.stderr)
for error, count in d["errorDistribution"].items():
    print(f"oha: {count} x {error}", file=sys.stderr)
print(f'{d["summary"]["requestsPerSec"]:.0f} {p["p50"] * 1000:.2f}ms {p["p99"] * 1000:.2f}ms')
PY
}

fixed_rate_all_conditional() {
    oha_at conditional "$RATE" "$CONNECTIONS"
    read -r rps p50 p99 < <(oha_figures "$work/oha-conditional" 304)
}

# Two processes at half the rate each: the 200s and the 304s.
fixed_rate_mixed() {
    oha_at full $((RATE / 2)) $((CONNECTIONS / 2)) &
    local full=$!
    oha_at conditional $((RATE / 2)) $((CONNECTIONS / 2))
    wait "$full"
    local rps2 p50_2 p99_2
    read -r rps p50 p99 < <(oha_figures "$work/oha-full" 200)
    read -r rps2 p50_2 p99_2 < <(oha_figures "$work/oha-conditional" 304)
    rps=$((rps + rps2))
    p50="$p50/$p50_2"
    p99="$p99/$p99_2"
}

echo "== /feed.xml, $CONNECTIONS connections, $DURATION per run; $SOURCES sources on $HOSTS hosts, $POLL_RATE a second made due; $(nproc) cores"
printf '%-34s %12s %10s %10s %8s %9s   %s\n' run 'requests/s' p50 p99 polled 'poll rate' 'load average'
row "saturation, half conditional" saturation 2
row "saturation, all conditional" saturation 1
row "$RATE/s, half conditional (200/304)" fixed_rate_mixed
row "$RATE/s, all conditional" fixed_rate_all_conditional
