#!/usr/bin/env bash
# `make bench`: load-tests the release binary with demo data on loopback and
# reports throughput, latency, memory and the WASM bundle size, then adds bulk
# listings and measures search (JSON endpoint and server-rendered /search), then
# live auctions with haggle-load (watchers and bidders over WebSockets), then
# negotiation rooms (haggle-load deals: 1,000 rooms editing terms), then
# conversations (haggle-load chat: 1,000 conversations talking, and the
# latest page of one among 1,000,000 messages), then the wallet's ledger
# (haggle-load ledger: transfers per second, then its invariants), then
# hostile clients with haggle-load abuse (huge pictures, sign-up and log-in
# bursts, a subscribe flood, stalled connections; issue 14's figures).
# Prints figures; asserts nothing about them (targets are in the README), but
# fails when haggle-load finds a lost, reordered or wrong price, or cannot run.
set -euo pipefail
cd "$(dirname "$0")/.."

port=${BENCH_PORT:-3200}
duration=${BENCH_SECONDS:-15}
connections=${BENCH_CONNECTIONS:-50}
bulk=${BENCH_LISTINGS:-50000}
# Search latency is measured at low concurrency, so it shows the query itself
# rather than queueing; 10 s is plenty for a stable p99 at that rate.
search_seconds=$((duration < 10 ? duration : 10))
data=$(mktemp -d /tmp/haggle-bench.XXXXXX)
log="$data/server.log"

LEPTOS_SITE_ADDR=127.0.0.1:$port LEPTOS_SITE_ROOT=target/site HAGGLE_DATA_DIR="$data" \
  HAGGLE_DEMO=1 RUST_LOG=warn ./target/release/haggle >"$log" 2>&1 &
pid=$!
# `|| true`: under `set -e` a failing command in the trap (the server is already
# gone, or `wait` reports its SIGTERM) would replace the script's exit status.
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$data"' EXIT

for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
  sleep 0.1
done
curl -sf "http://127.0.0.1:$port/healthz" >/dev/null || { echo "server did not start"; cat "$log"; exit 1; }

cards=$(curl -s "http://127.0.0.1:$port/" | grep -o '<li class="card">' | wc -l)
rss_idle=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)

# Warm up, then measure.
wrk -t2 -c"$connections" -d3s "http://127.0.0.1:$port/" >/dev/null
out=$(wrk -t2 -c"$connections" -d"${duration}s" --latency "http://127.0.0.1:$port/")
rss_load=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
rss_peak=$(awk '/VmHWM/ {print $2}' /proc/$pid/status)

# The same page rendered for every request: a session cookie (as a member's
# browser sends) bypasses the page kept for anonymous visitors.
member=(-H "Cookie: haggle_session=bench")
wrk -t2 -c"$connections" -d3s "${member[@]}" "http://127.0.0.1:$port/" >/dev/null
rendered=$(wrk -t2 -c"$connections" -d"${duration}s" --latency "${member[@]}" "http://127.0.0.1:$port/")

rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
p90=$(awk '$1 == "90%" {print $2}' <<<"$out")
p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
errors=$(grep -E "Non-2xx|Socket errors" <<<"$out" || true)

# Search. The bulk listings are added to the running server's database rather
# than before start-up: the server seeds the demo (users, listings, images) only
# into a database without users, and `demo bulk` creates sellers when there are
# none, so seeding first would leave the demo without its pictures. SQLite in
# WAL mode lets the second process write while the idle server holds the file,
# and the home-page figures above stay comparable with runs before this section.
bulk_out=$(HAGGLE_DATA_DIR="$data" RUST_LOG=warn ./target/release/haggle demo bulk "$bulk")
base="http://127.0.0.1:$port"
api_empty="$base/api/search?query[q]=&query[area]=&query[min]=&query[max]=&query[status]=any&query[page]=1"
listed=$(curl -sfg "$api_empty" | grep -o '"total":[0-9]*' | cut -d: -f2)
[[ -n $listed ]] || { echo "search endpoint did not answer: $api_empty"; exit 1; }

# Every path of a query mix once, with curl, before trusting figures: each
# should answer 200 with at least one listing (the marker). This also warms
# SQLite's page cache. Prints a summary, the slowest answer and any failures.
check() {
  local script=$1 marker=$2 path code seconds n=0 ok=0 slowest=0 slowest_path="" failed=""
  while IFS= read -r path; do
    n=$((n + 1))
    read -r code seconds < <(curl -sg -o "$data/answer" -w '%{http_code} %{time_total}\n' "$base$path")
    if [[ $code == 200 ]] && grep -qF -- "$marker" "$data/answer"; then
      ok=$((ok + 1))
    else
      failed+=$'\n'"                    HTTP $code, no listings: $path"
    fi
    if awk -v a="$seconds" -v b="$slowest" 'BEGIN { exit !(a > b) }'; then
      slowest=$seconds slowest_path=$path
    fi
  done < <(BENCH_LIST=1 wrk -t1 -c1 -d1s -s "$script" "$base" | grep '^/')
  printf '%d of %d paths found listings; slowest %.0f ms: %s%s' \
    "$ok" "$n" "$(awk -v s="$slowest" 'BEGIN { print s * 1000 }')" "$slowest_path" "$failed"
}
api_check=$(check .ci/bench/search_api.lua '"cards":[{')
page_check=$(check .ci/bench/search_page.lua 'class="card"')

# Slow answers are measured rather than dropped: wrk's default 2 s timeout
# would count them as socket errors and leave them out of the percentiles.
api_out=$(wrk -t2 -c4 -d"${search_seconds}s" --timeout 10s --latency -s .ci/bench/search_api.lua "$base")
wrk -t2 -c"$connections" -d3s --timeout 10s -s .ci/bench/search_page.lua "$base" >/dev/null
page_out=$(wrk -t2 -c"$connections" -d"${duration}s" --timeout 10s --latency -s .ci/bench/search_page.lua "$base")
page_rendered=$(wrk -t2 -c"$connections" -d"${duration}s" --timeout 10s --latency "${member[@]}" -s .ci/bench/search_page.lua "$base")
rss_search_peak=$(awk '/VmHWM/ {print $2}' /proc/$pid/status)

# Figures from wrk's output: wrk_stat OUTPUT "Requests/sec" or wrk_stat OUTPUT "99%".
wrk_stat() { awk -v key="$2" '$1 == key || $1 == key ":" {print $2; exit}' <<<"$1"; }
wrk_errors() { grep -E "Non-2xx|Socket errors" <<<"$1" | sed 's/^ *//' || true; }
api_errors=$(wrk_errors "$api_out")
page_errors=$(wrk_errors "$page_out")
rendered_errors=$(wrk_errors "$rendered")
page_rendered_errors=$(wrk_errors "$page_rendered")

wasm=target/site/pkg/haggle.wasm
raw=$(stat -c %s "$wasm")
gz=$(gzip -9 -c "$wasm" | wc -c)
br=$(brotli -q 11 -c "$wasm" | wc -c)
kb() { awk -v b="$1" 'BEGIN { printf "%.0f KB", b / 1024 }'; }
all_raw=0 all_br=0
for f in target/site/pkg/*.wasm; do
  all_raw=$((all_raw + $(stat -c %s "$f")))
  all_br=$((all_br + $(brotli -q 11 -c "$f" | wc -c)))
done

# What a first visit to each page downloads: the main file, plus for a route
# split out of it (app/src/pages/lazy.rs) the chunks its code needs, as the
# splitter's manifest lists them. Each file is compressed on its own, as served.
pages=$(python3 .ci/bench/wasm_pages.py target/site/pkg)

cat <<REPORT

Haggle benchmark (release binary, demo data: $cards cards on the home page)
  home page GET /, $connections connections, ${duration}s, wrk on the same 2-core machine
  anonymous (the page kept for a second)
    requests/s      $rps
    latency p50     $p50
    latency p90     $p90
    latency p99     $p99
    ${errors:-errors          none}
  rendered for each request (with a session cookie)
    requests/s      $(wrk_stat "$rendered" Requests/sec)
    latency p50     $(wrk_stat "$rendered" 50%)
    latency p90     $(wrk_stat "$rendered" 90%)
    latency p99     $(wrk_stat "$rendered" 99%)
    errors          ${rendered_errors:-none}
  server memory
    RSS idle        $((rss_idle / 1024)) MB
    RSS under load  $((rss_load / 1024)) MB (peak $((rss_peak / 1024)) MB)
  WASM main file ($wasm; every page needs it)
    raw             $(kb "$raw")
    gzip -9         $(kb "$gz")
    brotli -q 11    $(kb "$br")
  WASM in all (main file and the chunks of split-out routes)
    raw             $(kb "$all_raw")
    brotli -q 11    $(kb "$all_br")
  first-load WASM per page (main file + the chunks a split route needs)
${pages%$'\n'}
  targets: >= 3000 req/s, p99 <= 20 ms, first-load WASM of /, /search, /l/<id> <= 400 KB brotli

Search ($listed public listings; $bulk_out)
  query mix: $(grep -c '^  {' .ci/bench/queries.lua) searches (words in English, Chinese and Korean, a prefix,
  filters, sorts, pages 2-5), rotated per request; .ci/bench/queries.lua
  JSON GET /api/search, 4 connections, ${search_seconds}s
    requests/s      $(wrk_stat "$api_out" Requests/sec)
    latency p50     $(wrk_stat "$api_out" 50%)
    latency p90     $(wrk_stat "$api_out" 90%)
    latency p99     $(wrk_stat "$api_out" 99%)
    errors          ${api_errors:-none}
  SSR GET /search, $connections connections, ${duration}s after a 3s warm-up
    requests/s      $(wrk_stat "$page_out" Requests/sec)
    latency p50     $(wrk_stat "$page_out" 50%)
    latency p90     $(wrk_stat "$page_out" 90%)
    latency p99     $(wrk_stat "$page_out" 99%)
    errors          ${page_errors:-none}
  SSR GET /search rendered for each request (with a session cookie), $connections connections, ${duration}s
    requests/s      $(wrk_stat "$page_rendered" Requests/sec)
    latency p50     $(wrk_stat "$page_rendered" 50%)
    latency p90     $(wrk_stat "$page_rendered" 90%)
    latency p99     $(wrk_stat "$page_rendered" 99%)
    errors          ${page_rendered_errors:-none}
  server memory peak after search  $((rss_search_peak / 1024)) MB
  answers checked with curl (every path once, before the runs)
    JSON            $api_check
    SSR             $page_check
  targets: search p99 <= 30 ms, SSR /search >= 1500 req/s at 50 connections
REPORT

# Live auctions: watchers and closed-loop bidders over real WebSockets against a
# server of haggle-load's own (fresh data, another loopback port). The server
# above is stopped first so it does not share the two cores.
kill "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
auction_seconds=${BENCH_AUCTION_SECONDS:-20}
auction_status=0
for mix in "1000 50" "2000 200"; do
  read -r watchers bidders <<<"$mix"
  ./target/release/haggle-load load --watchers "$watchers" --bidders "$bidders" \
    --seconds "$auction_seconds" || auction_status=1
done

# Negotiation rooms: both sides of 1,000 rooms on 2,000 signed-in sockets,
# every seller editing a term once a second (issue 15's figures).
./target/release/haggle-load deals --rooms "${BENCH_ROOMS:-1000}" \
  --seconds "${BENCH_DEAL_SECONDS:-20}" || auction_status=1

# Conversations: both members of 1,000 conversations on 2,000 signed-in
# sockets, each sending a message a second, in a database of 1,000,000
# messages; then the latest page of one conversation (issue 16's figures).
./target/release/haggle-load chat --conversations "${BENCH_CONVERSATIONS:-1000}" \
  --messages "${BENCH_MESSAGES:-1000000}" \
  --seconds "${BENCH_CHAT_SECONDS:-20}" || auction_status=1

# The wallet's ledger: 50 clients paying into escrow holds and releasing
# them, between 1,000 members, in-process on a fresh SQLite file; then the
# ledger's invariants (issue 17's figures).
./target/release/haggle-load ledger --accounts "${BENCH_LEDGER_ACCOUNTS:-1000}" \
  --clients "${BENCH_LEDGER_CLIENTS:-50}" \
  --seconds "${BENCH_LEDGER_SECONDS:-10}" || auction_status=1

# Abuse: hostile clients against another fresh server of haggle-load's own,
# each scenario with the server's memory and /healthz latency sampled beside
# it, then a table against the targets. Missed targets are reported, not
# failed; only a tool that cannot do its work fails the bench.
./target/release/haggle-load abuse || auction_status=1
exit "$auction_status"
