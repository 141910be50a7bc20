#!/usr/bin/env bash
# loadtest/compare-wrk.sh — the side-by-side run behind docs/loadtest.md:
# wrk (closed loop) and tracecode loadtest (open loop) against the same
# constant-body fasthttp server on the same machine, in alternating rounds so
# that background load hits both alike. Needs wrk (Debian: apt-get install
# wrk) and python3; run from the repository root after `make build`.
#
#   ROUNDS=3 DUR=10 CONNS=64 ./loadtest/compare-wrk.sh
#   QUIET_MAX=10 QUIET_WAIT=600 …   wait up to 600 s before each round for
#                                    the machine to be ≤ 10 % busy
#
# Per round it records:
#   wrk_max       wrk -t1 -cCONNS: requests/s and latency p50/p99
#   lt_max        loadtest offered far above capacity (every connection sends
#                 back to back, as wrk does): achieved/s, and service-time
#                 p50/p99 — the same quantity wrk's latency is
#   lt_sustain    loadtest step search (steps of 5 % of wrk's rate, 5 s each):
#                 the highest offered rate whose p99 from the intended send
#                 time stays ≤ SUSTAIN_P99 with nothing unsent and < 0.1 %
#                 errors — a rate the system keeps up with, not a backlog
#   wrk_c1 / lt_c1  one connection: wrk's latency vs loadtest's service time
#                 at half of wrk's one-connection rate
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=./bin/tracecode
ROUNDS=${ROUNDS:-3}
DUR=${DUR:-10}
CONNS=${CONNS:-64}
PORT=${PORT:-18099}
BODY=${BODY:-600}
SUSTAIN_P99=${SUSTAIN_P99:-100ms}
OUT=${OUT:-/tmp/compare-wrk}
LT_ENV=${LT_ENV:-env} # e.g. LT_ENV="env GOMAXPROCS=1" to give loadtest one P
URLPATH=/01/09520123456788/21/CONSTANT
command -v wrk >/dev/null || { echo "compare-wrk.sh: wrk not installed (apt-get install wrk)" >&2; exit 1; }
mkdir -p "$OUT"
printf '%s\n' "$URLPATH" >"$OUT/codes.txt"

"$BIN" loadtest testserver --addr "127.0.0.1:$PORT" --constant --body-size "$BODY" --codes 1000 >"$OUT/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
sleep 1

busy() { # machine CPU busy % over $1 seconds, from /proc/stat
	read -r _ a b c d e f g h _ </proc/stat; local t1=$((a+b+c+d+e+f+g+h)) i1=$((d+e))
	sleep "$1"
	read -r _ a b c d e f g h _ </proc/stat; local t2=$((a+b+c+d+e+f+g+h)) i2=$((d+e))
	echo $((100 * ((t2-t1) - (i2-i1)) / (t2-t1)))
}
wrk_run() { # conns → "req/s p50_us p99_us"
	local f=$OUT/r$round-wrk-c$1.txt
	wrk -t1 -c"$1" -d"${DUR}s" --latency -H 'Accept: application/json' "http://127.0.0.1:$PORT$URLPATH" >"$f"
	python3 - "$f" <<'EOF'
import re, sys
t = open(sys.argv[1]).read()
def us(v, u): return float(v) * {"us": 1, "ms": 1e3, "s": 1e6}[u]
p = {m[0]: us(m[1], m[2]) for m in re.findall(r"^\s+(\d+)%\s+([\d.]+)(us|ms|s)\s*$", t, re.M)}
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
print(f"{rps:.0f} {p['50']:.0f} {p['99']:.0f}")
EOF
}
lt() { # name args… → writes $OUT/name/results.json and report.html
	local name=$1
	shift
	$LT_ENV "$BIN" loadtest --target "http://127.0.0.1:$PORT" --codes "$OUT/codes.txt" --forms dl=1 --accept json=1 \
		--forged 0 --zipf-theta 0 --quiet --out "$OUT/$name" "$@" >"$OUT/$name.txt"
	LAST=$OUT/$name/results.json
}
lt_field() { # python expression over r (the last run's results) → printed
	python3 -c "import json,sys; r=json.load(open('$LAST')); print($1)"
}

printf 'round busy%% | wrk_max rps p50 p99 | lt_max rps svc_p50 svc_p99 | lt_sustain rps | wrk_c1 rps p50 p99 | lt_c1 rate svc_p50 svc_p99 lat_p99\n'
for round in $(seq 1 "$ROUNDS"); do
	# Wait (up to QUIET_WAIT seconds) for the machine to be quiet: other
	# processes' CPU use would be charged to whichever tool ran then.
	waited=0
	while b=$(busy 2); [ "$b" -gt "${QUIET_MAX:-100}" ] && [ "$waited" -lt "${QUIET_WAIT:-0}" ]; do
		waited=$((waited + 2))
	done
	read -r w_rps w_p50 w_p99 < <(wrk_run "$CONNS")
	lt "r$round-max" --rate 400000 --duration "${DUR}s" --warmup 0 --drain 1ms --conns "$CONNS"
	l_max=$(lt_field "f\"{r['steps'][0]['achieved_rate']:.0f} {r['steps'][0]['service_time']['percentiles'][0]['value_us']:.0f} {r['steps'][0]['service_time']['percentiles'][2]['value_us']:.0f}\"")
	# Steps of 5 % of wrk's rate, from 40 % to 120 % of it.
	read -r start step top < <(python3 -c "w=$w_rps; s=max(1000, round(w*0.05/1000)*1000); print(round(w*0.4/s)*s, s, round(w*1.2))")
	lt "r$round-sustain" --rate "$start" --step-rate "$step" --max-rate "$top" --step-duration 5s --warmup 1s --conns "$CONNS" \
		--slo-p99 "$SUSTAIN_P99" --late-threshold 5ms
	l_sus=$(lt_field "r['capacity']['highest_passing_rate']")
	read -r c_rps c_p50 c_p99 < <(wrk_run 1)
	half=$(python3 -c "print(int($c_rps / 2))")
	lt "r$round-c1" --rate "$half" --duration "${DUR}s" --warmup 1s --conns 1
	l_c1=$(lt_field "f\"{r['steps'][1]['service_time']['percentiles'][0]['value_us']:.0f} {r['steps'][1]['service_time']['percentiles'][2]['value_us']:.0f} {r['steps'][1]['latency']['percentiles'][2]['value_us']:.0f}\"")
	printf '%s %s | %s %s %s | %s | %s | %s %s %s | %s %s\n' "$round" "$b" "$w_rps" "$w_p50" "$w_p99" "$l_max" "$l_sus" "$c_rps" "$c_p50" "$c_p99" "$half" "$l_c1"
done
