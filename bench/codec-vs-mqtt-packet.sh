#!/usr/bin/env bash
# The native codec beside mqtt-packet on the same packet bytes: runs the Rust codec bench and
# mqtt-packet's in turn (A B A B ...), and prints, for each measurement, the median packets per
# second of CPU time on each side and their ratio (Rust / mqtt-packet).
#   bench/codec-vs-mqtt-packet.sh [--rounds N] [--out results.json]
# Both sides count CPU time rather than wall time, and alternate, because the machines this runs
# on are shared: see crates/mqtt-core/benches/codec.rs.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
rounds=3
out=""
while [ $# -gt 0 ]; do
    case $1 in
    --rounds) rounds=$2; shift ;;
    --out) out=$2; shift ;;
    *) echo "usage: $0 [--rounds N] [--out results.json]" >&2; exit 2 ;;
    esac
    shift
done

target="$(realpath -m "${CARGO_TARGET_DIR:-$repo/target}")"
work="$target/codec-bench"
bytes_dir="$work/bytes"
samples="$work/samples.jsonl"
mkdir -p "$work"
rm -f "$samples"

(cd "$repo/bench/mqtt-packet" && { [ -d node_modules/mqtt-packet ] || npm ci --no-audit --no-fund --loglevel=error >&2; })

for round in $(seq "$rounds"); do
    echo "== round $round of $rounds: cargo bench -p mqtt-core --bench codec" >&2
    (cd "$repo" && CODEC_BENCH_BYTES_DIR="$bytes_dir" cargo bench --quiet --locked -p mqtt-core --bench codec \
        >"$work/criterion.log" 2>&1) || { cat "$work/criterion.log" >&2; exit 1; }
    node "$repo/bench/codec-samples.mjs" criterion "$target/criterion" "$bytes_dir" >>"$samples"
    echo "== round $round of $rounds: mqtt-packet on Node $(node --version)" >&2
    node "$repo/bench/mqtt-packet/bench.js" "$bytes_dir" |
        node "$repo/bench/codec-samples.mjs" mqtt-packet >>"$samples"
done

node "$repo/bench/codec-samples.mjs" summary "$samples" ${out:+"$out"}
