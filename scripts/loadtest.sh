#!/usr/bin/env bash
# scripts/loadtest.sh — what `make loadtest` runs (after `make build`): start a
# demo server on loopback, run a 30-second open-loop JSON scan test against
# it with `tracecode loadtest`, print the report and stop the server.
#
# INTERFACE THIS SCRIPT ASSUMES OF `tracecode serve` (server developers:
# please keep to it, or change this script with it):
#   1. `./bin/tracecode serve --demo --data DIR --addr 127.0.0.1:PORT` seeds a
#      demo data set into an empty DIR and serves on PORT in the foreground.
#   2. It logs (stdout or stderr) a line containing `demo API key: KEY`, with
#      KEY a bearer key that may list and read the demo's code blocks.
#   3. `GET /readyz` answers 200 once the server takes traffic.
#   4. `GET /v1/blocks` (Authorization: Bearer KEY) answers JSON: an array of
#      objects with an "id" (string or number), or an object holding such an
#      array under "blocks", "items" or "data"; "state" (only "active" blocks
#      are read) and "formats" are used when present.
#   5. `GET /v1/blocks/{id}/codes?format=dl&offset=O&limit=L` streams one
#      Digital Link URI per line (https://HOST/01/…/21/…; the host is ignored).
#      format=short and format=nmpa are read too when a block offers them.
#   6. SIGTERM stops it.
#
# Environment:
#   RATE=5000        offered JSON scans per second
#   DURATION=30s     measured length (plus WARMUP=2s)
#   CONNS=64         keep-alive connections
#   FORGED=0.05      share of forged (never-issued) codes
#   SEARCH=1         afterwards, step the rate up to MAX_RATE (default 60000) by
#                    STEP_RATE (default 5000), STEP_DURATION=10s each, and
#                    report the highest rate with p99 ≤ SLO_P99 (default 1ms)
#   MINT_RATE=0      write traffic alongside the scans: mints/s (MINT_COUNT
#   REPORT_RATE=0    codes each, default 1000) and commission reports/s
#                    (REPORT_COUNT codes each, default 100), with the demo key
#   OUT=loadtest-out where results.json and report.html go
#   PORT=18080       first port to try (the next free one is used)
#   LOADTEST_SERVER=testserver  run against `tracecode loadtest testserver`
#                    (a canned stand-in) instead of `tracecode serve`, to check
#                    this script and the generator without the real server.
set -euo pipefail

cd "$(dirname "$0")/.."
BIN=./bin/tracecode
RATE=${RATE:-5000}
DURATION=${DURATION:-30s}
WARMUP=${WARMUP:-2s}
CONNS=${CONNS:-64}
FORGED=${FORGED:-0.05}
OUT=${OUT:-loadtest-out}
PORT=${PORT:-18080}

die() { echo "loadtest.sh: $*" >&2; exit 1; }

[ -x "$BIN" ] || die "$BIN not found: run make build first"

# A free loopback port: nothing answers a TCP connect on it.
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for _ in $(seq 1 50); do
	port_free "$PORT" && break
	PORT=$((PORT + 1))
done
port_free "$PORT" || die "no free port near ${PORT}"
ADDR=127.0.0.1:$PORT
TARGET=http://$ADDR

DATA=$(mktemp -d "${TMPDIR:-/tmp}/tracecode-loadtest.XXXXXX")
LOG=$DATA/server.log
SERVER_PID=
cleanup() {
	if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
		kill -TERM "$SERVER_PID" 2>/dev/null || true
		for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$SERVER_PID" 2>/dev/null || true
	fi
	rm -rf "$DATA"
}
trap cleanup EXIT INT TERM

if [ "${LOADTEST_SERVER:-}" = testserver ]; then
	echo "loadtest.sh: using the stand-in test server (LOADTEST_SERVER=testserver), not tracecode serve"
	"$BIN" loadtest testserver --addr "$ADDR" --codes 100000 --body-size 600 >"$LOG" 2>&1 &
else
	"$BIN" serve --help >/dev/null 2>&1 || die "tracecode serve not available in $BIN (the server command is not built yet); LOADTEST_SERVER=testserver runs this script against a stand-in"
	mkdir -p "$DATA/db"
	"$BIN" serve --demo --data "$DATA/db" --addr "$ADDR" >"$LOG" 2>&1 &
fi
SERVER_PID=$!

# Wait up to 60 s for /readyz.
http_ok() {
	if command -v curl >/dev/null; then
		curl -fsS -o /dev/null --max-time 2 "$1"
	else
		exec 3<>"/dev/tcp/127.0.0.1/$PORT" || return 1
		printf 'GET %s HTTP/1.0\r\nHost: %s\r\n\r\n' "${1#"$TARGET"}" "$ADDR" >&3
		head -n1 <&3 | grep -q ' 200 '
	fi
}
ready=
for _ in $(seq 1 120); do
	kill -0 "$SERVER_PID" 2>/dev/null || { cat "$LOG" >&2; die "the server exited before it was ready (log above)"; }
	if http_ok "$TARGET/readyz" 2>/dev/null; then ready=1; break; fi
	sleep 0.5
done
[ -n "$ready" ] || { tail -n 20 "$LOG" >&2; die "server not ready on $TARGET/readyz after 60 s"; }

KEY=
for _ in $(seq 1 20); do
	KEY=$(sed -n 's/.*demo API key: *\([^[:space:]]*\).*/\1/p' "$LOG" | head -n1)
	[ -n "$KEY" ] && break
	sleep 0.5
done
[ -n "$KEY" ] || { tail -n 20 "$LOG" >&2; die "no 'demo API key: KEY' line in the server's log"; }
echo "loadtest.sh: server ready on $TARGET (pid $SERVER_PID)"

WRITES=()
if [ "${MINT_RATE:-0}" != 0 ] || [ "${REPORT_RATE:-0}" != 0 ]; then
	WRITES=(--mint-rate "${MINT_RATE:-0}" --mint-count "${MINT_COUNT:-1000}"
		--report-rate "${REPORT_RATE:-0}" --report-count "${REPORT_COUNT:-100}")
fi
"$BIN" loadtest --target "$TARGET" --key "$KEY" --blocks all \
	--forms dl=1 --accept json=1 --forged "$FORGED" \
	--rate "$RATE" --duration "$DURATION" --warmup "$WARMUP" --conns "$CONNS" --out "$OUT" "${WRITES[@]}"

if [ "${SEARCH:-}" = 1 ]; then
	echo
	echo "loadtest.sh: capacity search, p99 objective ${SLO_P99:-1ms}"
	"$BIN" loadtest --target "$TARGET" --key "$KEY" --blocks all \
		--forms dl=1 --accept json=1 --forged "$FORGED" --conns "$CONNS" --warmup "$WARMUP" \
		--rate "${STEP_RATE:-5000}" --step-rate "${STEP_RATE:-5000}" --max-rate "${MAX_RATE:-60000}" \
		--step-duration "${STEP_DURATION:-10s}" --slo-p99 "${SLO_P99:-1ms}" --out "$OUT/search"
fi
echo "loadtest.sh: report: $OUT/report.html"
