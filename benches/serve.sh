#!/usr/bin/env bash
# Load test of the daemon's hot path: GET /feed.xml from many concurrent
# clients, every other request conditional (If-None-Match: the 304 path),
# while the scheduler polls SOURCES local feeds at the same time.
#
#   benches/serve.sh                     # release build, 20 s, 256 connections
#   DURATION=30s CONNECTIONS=512 benches/serve.sh
#   PROFILE=dev benches/serve.sh         # skip the release build (slower figures)
#
# Prints wrk's requests/s and latency percentiles (p99 included) for the
# mixed run and for an all-conditional run, and the load average.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-256}
THREADS=${THREADS:-2}
SOURCES=${SOURCES:-2000}
PROFILE=${PROFILE:-release}

if ! command -v wrk >/dev/null; then
    echo "installing wrk" >&2
    if [ "$(id -u)" -eq 0 ]; then apt-get install -y -q wrk >&2; else sudo apt-get install -y -q wrk >&2; fi
fi

cargo build --profile "$PROFILE" --bin newsroom >&2
target=$([ "$PROFILE" = dev ] && echo debug || echo "$PROFILE")
newsroom=$PWD/target/$target/newsroom

work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# The sources: one feed served SOURCES times (distinct query strings) by a
# plain HTTP server on 127.0.0.1, so that polling goes on during the run
# (one request at a time per host).
mkdir -p "$work/www" "$work/issues"
cp tests/fixtures/feeds/rss2.xml "$work/www/feed.xml"
cp tests/fixtures/generator/issues/*.md "$work/issues/"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# Niced: the sources stand for other people's servers, which do not share
# the daemon's cores in production; at equal priority this fixture takes a
# large share of the 2 cores the figures are about.
nice -n 15 python3 -m http.server --bind 127.0.0.1 --directory "$work/www" "$port" >/dev/null 2>&1 &
pids+=($!)
{
    printf '[newsletter]\ntitle = "Bench Weekly"\nbase_url = "https://example.org/"\n\n'
    printf '[aggregator]\nconcurrency = 16\n\n'
    for i in $(seq 1 "$SOURCES"); do
        printf '[[source]]\nname = "source %d"\nurl = "http://127.0.0.1:%d/feed.xml?source=%d"\n\n' "$i" "$port" "$i"
    done
} >"$work/feeds.toml"

RUST_LOG=warn "$newsroom" --config "$work/feeds.toml" daemon --listen 127.0.0.1:0 >"$work/stdout" 2>"$work/stderr" &
pids+=($!)
for _ in $(seq 1 300); do
    grep -q '^listening on ' "$work/stdout" 2>/dev/null && break
    sleep 0.1
done
base=$(sed -n 's/^listening on //p' "$work/stdout")
[ -n "$base" ] || { cat "$work/stderr" >&2; echo "the daemon did not start" >&2; exit 1; }
etag=$(curl -sI "$base/feed.xml" | tr -d '\r' | sed -n 's/^etag: //Ip')

cat >"$work/conditional.lua" <<'LUA'
-- Every other request revalidates with the feed's ETag (a 304).
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

echo "== half conditional: $CONNECTIONS connections, $DURATION, polling $SOURCES sources"
ETAG=$etag EVERY=2 wrk -t "$THREADS" -c "$CONNECTIONS" -d "$DURATION" --latency -s "$work/conditional.lua" "$base"
echo "== all conditional (the 304 path)"
ETAG=$etag EVERY=1 wrk -t "$THREADS" -c "$CONNECTIONS" -d "$DURATION" --latency -s "$work/conditional.lua" "$base"
echo "== polled during the runs: $(curl -s "$base/metrics" | sed -n 's/^newsroom_poll_duration_seconds_count //p') sources"
echo "== load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
