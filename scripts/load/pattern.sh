#!/usr/bin/env bash
# pattern.sh: a pattern page's throughput, Microlab beside a bare net/http
# handler serving the same bytes, measured in one run (see README.md).
#
#   scripts/load/pattern.sh                      # both encodings, 2 rounds of A, B
#   ENCODINGS=gzip ROUNDS=3 scripts/load/pattern.sh
#   SERVER_BIN=/tmp/old-microlab scripts/load/pattern.sh   # measure another build
set -euo pipefail
cd "$(dirname "$0")/../.."

PAGE=${PAGE:-/patterns/circuit-breaker}
DURATION=${DURATION:-10s}
ROUNDS=${ROUNDS:-2}
ENCODINGS=${ENCODINGS:-identity gzip}
# COOKIE=1 sends the CSRF cookie a browser would hold after its first page
# (a returning reader); unset, every request is a first visit.
COOKIE=${COOKIE:-}
# SERVER_LOG is where the server's JSON log goes: every request is a line
# of it, so /dev/null keeps a run from filling the disk; the lines are
# still formatted and written.
SERVER_LOG=${SERVER_LOG:-/dev/null}
APP_ADDR=${APP_ADDR:-127.0.0.1:18081}
BARE_ADDR=${BARE_ADDR:-127.0.0.1:18082}

command -v wrk >/dev/null || { echo "pattern.sh: needs wrk (apt-get install -y wrk)" >&2; exit 2; }

tmp=$(mktemp -d /tmp/microlab-load.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

if [ -z "${SERVER_BIN:-}" ]; then
  SERVER_BIN=/tmp/microlab
  go build -o "$SERVER_BIN" ./cmd/server
fi
go build -o "$tmp/bare" ./scripts/load/bare

# The server as it runs for real: its default info-level JSON log, and
# metrics on their own listener.
"$SERVER_BIN" -addr "$APP_ADDR" -metrics-addr 127.0.0.1:0 -data "$tmp/data" \
  >"$tmp/server.out" 2>"$SERVER_LOG" &
app_pid=$!
pids+=($app_pid)
for _ in $(seq 100); do
  curl -fsS -o /dev/null "http://$APP_ADDR/healthz" 2>/dev/null && break
  sleep 0.1
done
curl -fsS -o /dev/null "http://$APP_ADDR$PAGE"

"$tmp/bare" -from "http://$APP_ADDR$PAGE" -addr "$BARE_ADDR" >"$tmp/bare.out" &
bare_pid=$!
pids+=($bare_pid)
for _ in $(seq 100); do
  curl -fsS -o /dev/null "http://$BARE_ADDR/" 2>/dev/null && break
  sleep 0.1
done
cat "$tmp/bare.out"

cookie_header=()
if [ -n "$COOKIE" ]; then
  token=$(curl -fsS -D - -o /dev/null "http://$APP_ADDR$PAGE" | sed -n 's/^Set-Cookie: microlab_csrf=\([^;]*\).*/\1/Ip' | tr -d '\r')
  cookie_header=(-H "Cookie: microlab_csrf=$token")
  echo "returning reader: sending microlab_csrf=${token:0:8}…"
fi

# p99_ms turns wrk's "99%  11.52ms" into milliseconds.
p99_ms() {
  awk '$1 == "99%" {
    v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
    if (u == "us") v /= 1000; else if (u == "s") v *= 1000; else if (u == "m") v *= 60000
    printf "%.2f", v }'
}
rps() { awk '/^Requests\/sec:/ { printf "%.0f", $2 }'; }
requests() { awk '/requests in/ { print $1 }'; }
# cpu_ticks PID: the process's user and system time so far, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
tick_us=$((1000000 / $(getconf CLK_TCK)))

# run NAME URL ENCODING PID: one wrk run, its summary line on stdout. The
# server's CPU time per request is steadier than req/s on a shared
# machine: another tenant's load slows both, but costs the server nothing.
run() {
  local name=$1 url=$2 enc=$3 pid=$4 out before after
  local args=(-t2 -c64 -d"$DURATION" --latency "${cookie_header[@]}")
  if [ "$enc" != identity ]; then args+=(-H "Accept-Encoding: $enc"); fi
  before=$(cpu_ticks "$pid")
  out=$(wrk "${args[@]}" "$url")
  after=$(cpu_ticks "$pid")
  if grep -q 'Non-2xx' <<<"$out"; then echo "$out" >&2; echo "pattern.sh: $name answered non-2xx" >&2; exit 1; fi
  printf '%s %s %s %s\n' "$name" "$(rps <<<"$out")" "$(p99_ms <<<"$out")" \
    "$(( (after - before) * tick_us / $(requests <<<"$out") ))"
}

echo "page $PAGE: $(curl -fsS "http://$APP_ADDR$PAGE" | wc -c) bytes; wrk -t2 -c64 -d$DURATION, A then B, $ROUNDS rounds"
for enc in $ENCODINGS; do
  # A short warm-up of each, not counted.
  wrk -t2 -c64 -d2s "${cookie_header[@]}" -H "Accept-Encoding: $enc" "http://$APP_ADDR$PAGE" >/dev/null
  wrk -t2 -c64 -d2s -H "Accept-Encoding: $enc" "http://$BARE_ADDR/" >/dev/null
  results=()
  for r in $(seq "$ROUNDS"); do
    results+=("$(run microlab "http://$APP_ADDR$PAGE" "$enc" "$app_pid")")
    results+=("$(run bare "http://$BARE_ADDR/" "$enc" "$bare_pid")")
  done
  printf '\nAccept-Encoding: %s\n' "$enc"
  printf '%s\n' "${results[@]}" | awk '
    { n[$1]++; sum[$1] += $2; cpu[$1] += $4; if ($3 > worst[$1]) worst[$1] = $3
      printf "  round %d  %-8s %8d req/s   p99 %6.2f ms   server CPU %3d µs/req\n", n[$1], $1, $2, $3, $4
      if ($1 == "bare") { printf "  round %d  ratio    %.2f×\n", n[$1], last / $2 } else last = $2 }
    END {
      printf "  mean     microlab %d req/s (worst p99 %.2f ms, %d µs/req), bare %d req/s (worst p99 %.2f ms, %d µs/req)\n",
        sum["microlab"] / n["microlab"], worst["microlab"], cpu["microlab"] / n["microlab"],
        sum["bare"] / n["bare"], worst["bare"], cpu["bare"] / n["bare"]
      printf "  ratio    %.2f× in req/s, %.2f× in server CPU per request (bare / microlab)\n",
        sum["microlab"] / sum["bare"], cpu["bare"] / cpu["microlab"] }'
done
