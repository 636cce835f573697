#!/usr/bin/env bash
# Compares `newsroom build` (four feeds + HTML archive) with Hugo (its
# default RSS + a one-line HTML template) on the same issues: median wall
# time of a full build into an empty folder, their ratio, CPU time (user +
# system), peak memory, and the load average while they ran.
#
#   benches/vs-hugo.sh            # the bundled issues/ and 1,000 generated ones
#   benches/vs-hugo.sh 5000       # the bundled issues/ and 5,000 generated ones
#   RUNS=30 benches/vs-hugo.sh    # more runs per median (default 15)
#
# Needs hugo (Debian package `hugo`); uses hyperfine when installed, else a
# loop of runs. Not part of `cargo test`: performance lives here.
set -euo pipefail
cd "$(dirname "$0")/.."

generated=${1:-1000}
runs=${RUNS:-15}
command -v hugo >/dev/null || { echo "hugo is not installed (apt-get install hugo)" >&2; exit 1; }
cargo build --release --quiet
newsroom=$PWD/target/release/newsroom

# A RAM disk when there is one: the figures are then the tools', not those
# of the disk's journal (BENCH_DIR=/some/disk/folder to include the disk).
work=$(mktemp -d -p "${BENCH_DIR:-$([ -w /dev/shm ] && echo /dev/shm || echo "${TMPDIR:-/tmp}")}")
trap 'rm -rf "$work"' EXIT

# The same markdown for both tools: newsroom reads issues/, Hugo content/.
# $1 = folder of issue files, $2 = site folder to create.
make_sites() {
  local issues=$1 site=$2
  mkdir -p "$site/issues" "$site/hugo/content/issues" "$site/hugo/layouts/_default"
  cp "$issues"/*.md "$site/issues/"
  cat >"$site/feeds.toml" <<EOF
[newsletter]
title = "DevOps Weekly"
description = "Benchmark"
base_url = "https://weekly.example.org/"
author = "The Editors"
EOF
  for file in "$issues"/*.md; do
    # Hugo wants its own front matter: keep title and date, drop the rest.
    awk 'NR==1 && $0=="---" {fm=1; print; next}
         fm && $0=="---" {fm=0; print; next}
         fm && !/^(title|date):/ {next}
         {print}' "$file" >"$site/hugo/content/issues/$(basename "$file")"
  done
  cat >"$site/hugo/config.toml" <<EOF
baseURL = "https://weekly.example.org/"
title = "DevOps Weekly"
disableKinds = ["taxonomy", "term"]
EOF
  echo '<!DOCTYPE html><html><head><title>{{ .Title }}</title></head><body>{{ .Content }}</body></html>' \
    >"$site/hugo/layouts/_default/single.html"
  echo '<!DOCTYPE html><html><head><title>{{ .Title }}</title></head><body>{{ range .Pages }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}</body></html>' \
    >"$site/hugo/layouts/_default/list.html"
}

# N issues shaped like the seed issue, one a week.
generate_issues() {
  local count=$1 dir=$2 seed=issues/issue-344.md
  mkdir -p "$dir"
  local body
  body=$(awk 'f>=2 {print} /^---/ {f++}' "$seed")
  for ((n = 1; n <= count; n++)); do
    printf -- '---\ntitle: DEVOPS WEEKLY ISSUE #%d\ndate: %s\n---\n%s\n' \
      "$n" "$(date -u -d "2000-01-02 + $((n * 7)) days" +%Y-%m-%dT08:00:00Z)" \
      "${body//the /the $n }" >"$dir/issue-$n.md"
  done
}

# Hyperfine JSON, or lines of "wall user system" seconds, to "median-wall
# mean-cpu" seconds (cpu = user + system, of both tools' every thread).
median_of() {
  python3 -c 'import json,statistics,sys
data=sys.stdin.read()
try:
    r=json.loads(data)["results"][0]
    print(statistics.median(r["times"]), r["user"] + r["system"])
except ValueError:
    rows=[[float(x) for x in line.split()] for line in data.splitlines() if line.strip()]
    print(statistics.median(r[0] for r in rows), statistics.mean(r[1] + r[2] for r in rows))'
}

# Median wall and mean CPU seconds of command $2 run from folder $1 into
# an empty output.
time_build() {
  local dir=$1 command=$2
  if command -v hyperfine >/dev/null; then
    (cd "$dir" && hyperfine --style none --shell=none --warmup 2 --runs "$runs" \
      --prepare 'rm -rf out' --export-json timing.json "$command" >/dev/null)
    median_of <"$dir/timing.json"
  else
    for ((i = 0; i < runs; i++)); do
      rm -rf "$dir/out"
      (cd "$dir" && /usr/bin/time -f '%e %U %S' -o time.txt bash -c "$command" >/dev/null 2>&1)
      cat "$dir/time.txt"
    done | median_of
  fi
}

# Peak resident memory (KiB) of command $2 run from folder $1.
peak_kib() {
  local dir=$1 command=$2
  rm -rf "$dir/out"
  (cd "$dir" && /usr/bin/time -v bash -c "exec $command" 2>&1 >/dev/null) |
    awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}'
}

compare() {
  local label=$1 site=$2
  local count
  count=$(ls "$site/issues" | wc -l)
  local ours="$newsroom --config feeds.toml build --issues issues --out out"
  local hugo_cmd="hugo --quiet --source hugo --destination ../out"
  # Both must succeed before they are timed.
  (cd "$site" && $ours >/dev/null && rm -rf out && $hugo_cmd >/dev/null && rm -rf out)
  local t_ours t_hugo c_ours c_hugo m_ours m_hugo load_before
  # The machine may be shared: the load says how far to trust wall times.
  load_before=$(cut -d' ' -f1-3 /proc/loadavg)
  read -r t_ours c_ours < <(time_build "$site" "$ours")
  read -r t_hugo c_hugo < <(time_build "$site" "$hugo_cmd")
  m_ours=$(peak_kib "$site" "$ours")
  m_hugo=$(peak_kib "$site" "$hugo_cmd")
  python3 - "$label" "$count" "$t_ours" "$t_hugo" "$c_ours" "$c_hugo" "$m_ours" "$m_hugo" \
    "$load_before" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'EOF'
import sys
label, count, t_ours, t_hugo, c_ours, c_hugo, m_ours, m_hugo, load_before, load_after = sys.argv[1:]
t_ours, t_hugo, c_ours, c_hugo = float(t_ours), float(t_hugo), float(c_ours), float(c_hugo)
m_ours, m_hugo = int(m_ours), int(m_hugo)
print(f"{label} ({count} issues; load average {load_before} before, {load_after} after)")
print(f"  newsroom build: median {t_ours * 1000:8.1f} ms   CPU {c_ours * 1000:8.1f} ms   peak RSS {m_ours / 1024:7.1f} MiB")
print(f"  hugo:           median {t_hugo * 1000:8.1f} ms   CPU {c_hugo * 1000:8.1f} ms   peak RSS {m_hugo / 1024:7.1f} MiB")
print(f"  newsroom is {t_hugo / t_ours:.1f}x faster ({c_hugo / c_ours:.1f}x less CPU), uses {m_hugo / m_ours:.1f}x less memory")
EOF
}

make_sites issues "$work/bundled"
generate_issues "$generated" "$work/generated-issues"
make_sites "$work/generated-issues" "$work/generated"

compare "bundled issues/" "$work/bundled"
compare "generated" "$work/generated"
