#!/usr/bin/env bash
# local-cluster.sh — a province on one machine, for trying replication:
# three NATS nodes (JetStream, one cluster, the log stored on all three),
# the writer (tracecode serve --replicate, seeded with the demo data set)
# and two replicas serving reads from the log (tracecode serve --replica-of
# --takeover) on the next two ports: when the writer dies, the replica that
# is caught up takes its lease and serves as the writer by itself.
#
#   deploy/local-cluster.sh            # Ctrl-C stops everything
#   DIR=/tmp/tc deploy/local-cluster.sh
#
# Everything it builds and writes stays in ./bin and $DIR (default
# ./local-cluster). NATS listens on 4231–4233 (clients) and 6231–6233
# (routes), clear of a NATS already on the default 4222. docs/replication.md
# explains what runs; the script prints how to try a failover.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${DIR:-./local-cluster}
ADDR=${ADDR:-127.0.0.1:8080}

go build -o bin/tracecode ./cmd/tracecode
# nats-server is a Go module the project already requires: built from it.
go build -o bin/nats-server github.com/nats-io/nats-server/v2

mkdir -p "$DIR"
pids=()
cleanup() {
	trap - INT TERM EXIT
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
}
trap 'cleanup; exit 130' INT TERM
trap cleanup EXIT

routes=nats://127.0.0.1:6231,nats://127.0.0.1:6232,nats://127.0.0.1:6233
urls=nats://127.0.0.1:4231,nats://127.0.0.1:4232,nats://127.0.0.1:4233
for i in 1 2 3; do
	bin/nats-server -n "n$i" -a 127.0.0.1 -p "423$i" -js -sd "$DIR/nats$i" \
		--cluster_name tracecode --cluster "nats://127.0.0.1:623$i" --routes "$routes" \
		>"$DIR/nats$i.log" 2>&1 &
	pids+=($!)
done

# The writer: the first start also creates the stream and the lease
# bucket, and fails while the NATS cluster has not elected its leaders
# yet: it is started again until it serves (seeding the demo takes a
# while; a start that is still running is never cut short).
writer=
for try in $(seq 1 30); do
	bin/tracecode serve --demo --data "$DIR/writer" --addr "$ADDR" \
		--replicate "$urls" --node-name writer >>"$DIR/writer.log" 2>&1 &
	writer=$!
	pids+=("$writer")
	while kill -0 "$writer" 2>/dev/null; do
		if curl -fsS "http://$ADDR/readyz" >/dev/null 2>&1; then break 2; fi
		sleep 0.5
	done
	sleep 1
done
curl -fsS "http://$ADDR/readyz" >/dev/null || { echo "the writer did not start: see $DIR/writer.log" >&2; exit 1; }

host=${ADDR%:*}
port=${ADDR##*:}
follows=()
raddrs=()
for s in 1 2; do
	raddr="$host:$((port + s))"
	bin/tracecode serve --replica-of "$urls" --takeover --node-name "replica$s" \
		--data "$DIR/replica$s" --addr "$raddr" >"$DIR/replica$s.log" 2>&1 &
	pids+=($!)
	follows+=($!)
	raddrs+=("$raddr")
done

cat <<EOT

three NATS nodes: $urls (logs in $DIR/nats*.log)
writer:           http://$ADDR (pid $writer; log $DIR/writer.log, demo keys and URLs in it)
replicas:         http://${raddrs[0]}, http://${raddrs[1]} serving reads from the log (pids ${follows[*]};
                  writes there answer 307 to the writer)

Fail over:
  kill -9 $writer                                   # the writer dies
Once its lease lapses (10 s), a replica that applied the whole log takes the
lease by itself and serves as the writer on its own address (its log says
"took over as the writer"); the other replica sends writes there. It goes on
after every block the writer had acknowledged. Ctrl-C stops everything.
EOT
wait
