#!/usr/bin/env bash
# loadtest/compare-wrk.sh — the side-by-side run behind docs/loadtest.md:
# wrk (closed loop) and tracecode loadtest (open loop) against the same
# constant-body fasthttp server on the same machine, in alternating rounds so
# that background load hits both alike. Needs wrk (Debian: apt-get install
# wrk) and python3; run from the repository root after `make build`.
#
#   ROUNDS=3 DUR=10 CONNS=64 ./loadtest/compare-wrk.sh
#   STEP_PCT=2.5 START_PCT=70 …     finer steps for the sustainable rate
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
#   lt_gor        the saturated run again with --engine goroutines (the engine
#                 before the event loops), for its rate and CPU per request
# and CPU-µs per request: wrk's from getrusage (/usr/bin/time), loadtest's
# from results.json (generator CPU over the saturated step ÷ completed).
# Rows go to $OUT/rounds.tsv; the end prints medians and ranges over rounds.
#
#   BIN=…           the tracecode binary (default ./bin/tracecode)
#   LT_ENV, WRK_ENV, SERVER_ENV   command prefixes, e.g. "taskset -c 1"
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-./bin/tracecode}
ROUNDS=${ROUNDS:-3}
DUR=${DUR:-10}
CONNS=${CONNS:-64}
PORT=${PORT:-18099}
BODY=${BODY:-600}
SUSTAIN_P99=${SUSTAIN_P99:-100ms}
STEP_PCT=${STEP_PCT:-5}   # sustain search: step, in % of wrk's rate
START_PCT=${START_PCT:-40} # sustain search: first step, in % of wrk's rate
OUT=${OUT:-/tmp/compare-wrk}
LT_ENV=${LT_ENV:-env} # e.g. LT_ENV="env GOMAXPROCS=1" to give loadtest one P
WRK_ENV=${WRK_ENV:-env}
SERVER_ENV=${SERVER_ENV:-env}
URLPATH=/01/09520123456788/21/CONSTANT
command -v wrk >/dev/null || { echo "compare-wrk.sh: wrk not installed (apt-get install wrk)" >&2; exit 1; }
command -v /usr/bin/time >/dev/null || { echo "compare-wrk.sh: /usr/bin/time not installed (apt-get install time)" >&2; exit 1; }
mkdir -p "$OUT"
printf '%s\n' "$URLPATH" >"$OUT/codes.txt"

$SERVER_ENV "$BIN" loadtest testserver --addr "127.0.0.1:$PORT" --constant --body-size "$BODY" --codes 1000 >"$OUT/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
sleep 1

busy() { # machine CPU busy % over $1 seconds, from /proc/stat
	read -r _ a b c d e f g h _ </proc/stat; local t1=$((a+b+c+d+e+f+g+h)) i1=$((d+e))
	sleep "$1"
	read -r _ a b c d e f g h _ </proc/stat; local t2=$((a+b+c+d+e+f+g+h)) i2=$((d+e))
	echo $((100 * ((t2-t1) - (i2-i1)) / (t2-t1)))
}
wrk_run() { # conns → "req/s p50_us p99_us cpu_us_per_req"
	local f=$OUT/r$round-wrk-c$1.txt
	/usr/bin/time -f "%U %S" -o "$f.time" $WRK_ENV wrk -t1 -c"$1" -d"${DUR}s" --latency -H 'Accept: application/json' "http://127.0.0.1:$PORT$URLPATH" >"$f"
	python3 - "$f" "$DUR" <<'EOF'
import re, sys
t = open(sys.argv[1]).read()
u, s = map(float, open(sys.argv[1] + ".time").read().split()[-2:])
def us(v, u): return float(v) * {"us": 1, "ms": 1e3, "s": 1e6}[u]
p = {m[0]: us(m[1], m[2]) for m in re.findall(r"^\s+(\d+)%\s+([\d.]+)(us|ms|s)\s*$", t, re.M)}
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
print(f"{rps:.0f} {p['50']:.0f} {p['99']:.0f} {(u + s) * 1e6 / (rps * float(sys.argv[2])):.2f}")
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
ratio() { python3 -c "print(f'{$1 / $2:.3f}')"; }
# A saturated step: achieved/s, service p50, p99, generator CPU-µs per request.
SAT="f\"{r['steps'][0]['achieved_rate']:.0f} {r['steps'][0]['service_time']['percentiles'][0]['value_us']:.0f} {r['steps'][0]['service_time']['percentiles'][2]['value_us']:.0f} {r['steps'][0]['generator']['cpu']['seconds'] * 1e6 / r['steps'][0]['completed']:.2f}\""

TSV=$OUT/rounds.tsv
printf 'round\tbusy\twrk_rps\twrk_p50\twrk_p99\twrk_cpu_us\tlt_rps\tlt_svc_p50\tlt_svc_p99\tlt_cpu_us\tratio\tgor_rps\tgor_cpu_us\tgor_ratio\tlt_sustain\tsustain_ratio\twrk_c1_rps\twrk_c1_p50\twrk_c1_p99\tlt_c1_rate\tlt_c1_svc_p50\tlt_c1_svc_p99\tlt_c1_lat_p99\n' | tee "$TSV"
for round in $(seq 1 "$ROUNDS"); do
	# Wait (up to QUIET_WAIT seconds) for the machine to be quiet: other
	# processes' CPU use would be charged to whichever tool ran then.
	waited=0
	while b=$(busy 2); [ "$b" -gt "${QUIET_MAX:-100}" ] && [ "$waited" -lt "${QUIET_WAIT:-0}" ]; do
		waited=$((waited + 2))
	done
	read -r w_rps w_p50 w_p99 w_cpu < <(wrk_run "$CONNS")
	# Offered at twice wrk's rate: far above capacity, so every connection
	# sends back to back, as wrk's do.
	sat=$((2 * w_rps))
	lt "r$round-max" --rate "$sat" --duration "${DUR}s" --warmup 0 --drain 1ms --conns "$CONNS"
	read -r l_rps l_p50 l_p99 l_cpu < <(lt_field "$SAT")
	lt "r$round-gor" --engine goroutines --rate "$sat" --duration "${DUR}s" --warmup 0 --drain 1ms --conns "$CONNS"
	read -r g_rps _ _ g_cpu < <(lt_field "$SAT")
	# Steps of STEP_PCT % of wrk's rate, from START_PCT % to 120 % of it.
	read -r start step top < <(python3 -c "w=$w_rps; s=max(500, round(w*$STEP_PCT/100/500)*500); print(round(w*$START_PCT/100/s)*s, s, round(w*1.2))")
	lt "r$round-sustain" --rate "$start" --step-rate "$step" --max-rate "$top" --step-duration 5s --warmup 1s --conns "$CONNS" \
		--slo-p99 "$SUSTAIN_P99" --late-threshold 5ms
	l_sus=$(lt_field "r['capacity']['highest_passing_rate']")
	read -r c_rps c_p50 c_p99 _ < <(wrk_run 1)
	half=$((c_rps / 2))
	lt "r$round-c1" --rate "$half" --duration "${DUR}s" --warmup 1s --conns 1
	l_c1=$(lt_field "f\"{r['steps'][1]['service_time']['percentiles'][0]['value_us']:.0f}\t{r['steps'][1]['service_time']['percentiles'][2]['value_us']:.0f}\t{r['steps'][1]['latency']['percentiles'][2]['value_us']:.0f}\"")
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$b" \
		"$w_rps" "$w_p50" "$w_p99" "$w_cpu" "$l_rps" "$l_p50" "$l_p99" "$l_cpu" "$(ratio "$l_rps" "$w_rps")" \
		"$g_rps" "$g_cpu" "$(ratio "$g_rps" "$w_rps")" "$l_sus" "$(ratio "$l_sus" "$w_rps")" \
		"$c_rps" "$c_p50" "$c_p99" "$half" "$l_c1" | tee -a "$TSV"
done
# Medians and ranges over the rounds.
python3 - "$TSV" <<'EOF'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
print(f"\n{len(rows)} rounds: median [min – max]")
for k in rows[0]:
    if k != "round":
        v = [float(r[k]) for r in rows]
        print(f"  {k:14s} {statistics.median(v):10.3f}  [{min(v):.3f} – {max(v):.3f}]")
EOF
