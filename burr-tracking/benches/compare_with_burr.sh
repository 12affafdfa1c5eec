#!/usr/bin/env bash
# Times the Burr-compatible endpoints on the same files with Apache Burr's server and ours:
# the app list and the full logs of a 10,000-step app (and of a 100,000-step app for ours).
#
#   bash burr-tracking/benches/compare_with_burr.sh
#
# Needs python3 with "apache-burr[tracking-server]" and curl. Prints one line per endpoint.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/burr-target}"
RUNS="${RUNS:-5}"
DATA="$(mktemp -d)"
trap 'kill "${BURR_PID:-}" "${OURS_PID:-}" 2>/dev/null || true; rm -rf "$DATA"' EXIT

BURR_BENCH_FIXTURE="$DATA" cargo bench -q -p burr-tracking --bench server >/dev/null
cargo build -q --release -p burr-tracking --bin burr

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
BURR_PORT="$(free_port)"
OURS_PORT="$(free_port)"
BURR_BACKEND_IMPL=burr.tracking.server.backend.LocalBackend BURR_PATH="$DATA" BURR_SERVE_STATIC=false \
  python3 -m uvicorn burr.tracking.server.run:app --host 127.0.0.1 --port "$BURR_PORT" >"$DATA/burr.log" 2>&1 &
BURR_PID=$!
"$CARGO_TARGET_DIR/release/burr" --no-open --port "$OURS_PORT" --dir "$DATA" >"$DATA/ours.log" 2>&1 &
OURS_PID=$!
for port in "$BURR_PORT" "$OURS_PORT"; do
  until curl -sf "http://127.0.0.1:$port/ready" >/dev/null; do sleep 0.3; done
done

# Median wall time of $RUNS requests (the first, which fills our cache, is reported apart).
time_it() {
  local url="$1" first times
  first="$(curl -s -o /dev/null -w '%{time_total}' "$url")"
  times="$(for _ in $(seq "$RUNS"); do curl -s -o /dev/null -w '%{time_total}\n' "$url"; done | sort -n)"
  printf '%s %s\n' "$first" "$(echo "$times" | sed -n "$(( (RUNS + 1) / 2 ))p")"
}
report() {
  local name="$1" path="$2" b o
  b="$(time_it "http://127.0.0.1:$BURR_PORT$path")"
  o="$(time_it "http://127.0.0.1:$OURS_PORT$path")"
  python3 - "$name" $b $o <<'PY'
import sys
name, bf, bm, of, om = sys.argv[1], *map(float, sys.argv[2:])
print(f"{name}: Burr {bm*1000:.1f} ms (first {bf*1000:.1f} ms), ours {om*1000:.2f} ms (first {of*1000:.1f} ms), {bm/om:.0f}x faster")
PY
}
report "app list" "/api/v0/big/__none__/apps"
report "logs of the 10,000-step app" "/api/v0/big/app-10k/__none__/apps"
o="$(time_it "http://127.0.0.1:$OURS_PORT/api/v1/big/app-100k/steps?order=desc&limit=100")"
echo "ours only: first page of the 100,000-step app: first ${o% *} s, then ${o#* } s"
