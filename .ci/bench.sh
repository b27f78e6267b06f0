#!/usr/bin/env bash
# `make bench`: load-tests the release binary with demo data on loopback and
# reports throughput, latency, memory and the WASM bundle size. Prints figures;
# asserts nothing (targets are in the README).
set -euo pipefail
cd "$(dirname "$0")/.."

port=${BENCH_PORT:-3200}
duration=${BENCH_SECONDS:-15}
connections=${BENCH_CONNECTIONS:-50}
data=$(mktemp -d /tmp/haggle-bench.XXXXXX)
log="$data/server.log"

LEPTOS_SITE_ADDR=127.0.0.1:$port LEPTOS_SITE_ROOT=target/site HAGGLE_DATA_DIR="$data" \
  HAGGLE_DEMO=1 RUST_LOG=warn ./target/release/haggle >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$data"' EXIT

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

rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
p90=$(awk '$1 == "90%" {print $2}' <<<"$out")
p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
errors=$(grep -E "Non-2xx|Socket errors" <<<"$out" || true)

wasm=target/site/pkg/haggle.wasm
raw=$(stat -c %s "$wasm")
gz=$(gzip -9 -c "$wasm" | wc -c)
br=$(brotli -q 11 -c "$wasm" | wc -c)
kb() { awk -v b="$1" 'BEGIN { printf "%.0f KB", b / 1024 }'; }

cat <<REPORT

Haggle benchmark (release binary, demo data: $cards cards on the home page)
  home page GET /, $connections connections, ${duration}s, wrk on the same 2-core machine
    requests/s      $rps
    latency p50     $p50
    latency p90     $p90
    latency p99     $p99
    ${errors:-errors          none}
  server memory
    RSS idle        $((rss_idle / 1024)) MB
    RSS under load  $((rss_load / 1024)) MB (peak $((rss_peak / 1024)) MB)
  WASM bundle ($wasm)
    raw             $(kb "$raw")
    gzip -9         $(kb "$gz")
    brotli -q 11    $(kb "$br")
  targets: >= 3000 req/s, p99 <= 20 ms, WASM <= 400 KB brotli
REPORT
