#!/usr/bin/env bash
# Instructions per step of a benchmark scenario, counted by callgrind: a figure that stays
# the same from run to run on a busy machine, where timings do not.
#
#   bash benches/instructions.sh [SCENARIO] [STEPS]
#
# SCENARIO is `counter` (default), `counter-typed` (the counter with a typed state),
# `counter-tracked` (the counter with tracking) or `spans` (4 spans and 6 attributes per step, tracked). The bench example runs under
# `valgrind --tool=callgrind` at STEPS and 2*STEPS steps (default 20000); the difference of
# the two totals, divided by STEPS, is the cost of one step without the start-up. Prints one
# JSON line: {"scenario":"counter","instructions_per_step":3758}.
set -euo pipefail
cd "$(dirname "$0")/.."

scenario="${1:-counter}"
steps="${2:-20000}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/burr-target}"
case "$scenario" in
  counter | counter-typed | counter-tracked | spans) ;;
  *) echo "unknown scenario: $scenario (counter, counter-typed, counter-tracked, spans)" >&2; exit 2 ;;
esac
command -v valgrind >/dev/null || { echo "valgrind is needed (apt-get install valgrind)" >&2; exit 2; }

cargo build --quiet --release --example bench
bench="$CARGO_TARGET_DIR/release/examples/bench"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

args() {
  case "$scenario" in
    counter) echo "counter --steps $1" ;;
    counter-typed) echo "counter-typed --steps $1" ;;
    counter-tracked) echo "counter --steps $1 --track $work/track-$1" ;;
    spans) echo "spans --steps $1 --track $work/track-$1" ;;
  esac
}

total() {
  # shellcheck disable=SC2046
  valgrind --tool=callgrind --callgrind-out-file="$work/out-$1" "$bench" $(args "$1") \
    >/dev/null 2>"$work/log-$1"
  sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$work/log-$1"
}

small="$(total "$steps")"
large="$(total "$((2 * steps))")"
echo "{\"scenario\":\"$scenario\",\"instructions_per_step\":$(((large - small) / steps))}"
