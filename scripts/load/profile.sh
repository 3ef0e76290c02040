#!/usr/bin/env bash
# profile.sh: CPU profiles of Microlab and of the bare handler under the
# same wrk load, one after the other, for go tool pprof (see README.md).
#
#   scripts/load/profile.sh                  # profiles in /tmp/microlab-profile
#   ENCODING=gzip OUT=/tmp/p scripts/load/profile.sh
#
# Microlab is served by the web package's TestServeForProfile: the same
# handler and http.Server as cmd/server, with its JSON access log into
# /dev/null, inside a test binary that go test can profile.
set -euo pipefail
cd "$(dirname "$0")/../.."

PAGE=${PAGE:-/patterns/circuit-breaker}
DURATION=${DURATION:-15s}
ENCODING=${ENCODING:-identity}
OUT=${OUT:-/tmp/microlab-profile}
APP_ADDR=${APP_ADDR:-127.0.0.1:18091}
BARE_ADDR=${BARE_ADDR:-127.0.0.1:18092}
mkdir -p "$OUT"

go test -c -o "$OUT/web.test" ./web
go build -o "$OUT/bare" ./scripts/load/bare

secs=${DURATION%s}
# Up to 10 s to start and warm up, then the load, then a little slack.
MICROLAB_PROFILE_ADDR=$APP_ADDR MICROLAB_PROFILE_FOR=$((secs + 15))s \
  "$OUT/web.test" -test.run '^TestServeForProfile$' -test.cpuprofile "$OUT/microlab.cpu" >"$OUT/microlab.out" 2>&1 &
app=$!
trap 'kill $app $bare 2>/dev/null || true' EXIT
bare=""
for _ in $(seq 100); do
  curl -fsS -o /dev/null "http://$APP_ADDR/healthz" 2>/dev/null && break
  sleep 0.1
done
"$OUT/bare" -from "http://$APP_ADDR$PAGE" -addr "$BARE_ADDR" -cpuprofile "$OUT/bare.cpu" >"$OUT/bare.out" &
bare=$!
for _ in $(seq 100); do
  curl -fsS -o /dev/null "http://$BARE_ADDR/" 2>/dev/null && break
  sleep 0.1
done

ae=()
if [ "$ENCODING" != identity ]; then ae=(-H "Accept-Encoding: $ENCODING"); fi
# requests_in: the requests a wrk run reports.
requests_in() { awk '/requests in/ { print $1 }'; }
warm=$(wrk -t2 -c64 -d2s "${ae[@]}" "http://$APP_ADDR$PAGE" | requests_in)
echo "== microlab"
out=$(wrk -t2 -c64 -d"$DURATION" --latency "${ae[@]}" "http://$APP_ADDR$PAGE")
grep -E 'Requests/sec|99%' <<<"$out"
app_requests=$((warm + $(requests_in <<<"$out")))
echo "== bare"
out=$(wrk -t2 -c64 -d"$DURATION" --latency "${ae[@]}" "http://$BARE_ADDR/")
grep -E 'Requests/sec|99%' <<<"$out"
bare_requests=$(requests_in <<<"$out")
kill -INT "$bare"
wait "$bare" || true
wait "$app" || true
echo
echo "microlab served $app_requests requests while profiled, bare $bare_requests: divide by them for a cost per request"
echo "go tool pprof -top $OUT/web.test $OUT/microlab.cpu"
echo "go tool pprof -top $OUT/bare $OUT/bare.cpu"
