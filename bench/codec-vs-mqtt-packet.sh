#!/usr/bin/env bash
# Runs the Rust codec bench and mqtt-packet's on the same packet bytes, in one go, and prints
# packets per second for each and the ratio (Rust / mqtt-packet). Run from anywhere.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
bytes_dir="$repo/target/codec-bench"
rust_results="$repo/target/criterion"

echo "== Rust: cargo bench -p mqtt-core --bench codec" >&2
(cd "$repo" && CODEC_BENCH_BYTES_DIR="$bytes_dir" cargo bench -q -p mqtt-core --bench codec >&2)

echo "== Node $(node --version): mqtt-packet" >&2
(cd "$repo/bench/mqtt-packet" && { [ -d node_modules ] || npm ci --no-audit --no-fund >&2; })
node_results="$(node "$repo/bench/mqtt-packet/bench.js" "$bytes_dir")"

NODE_RESULTS="$node_results" RUST_RESULTS="$rust_results" node -e '
const fs = require("fs")
const path = require("path")
const BATCH = 1000 // packets per decode iteration, as in benches/codec.rs
const rows = process.env.NODE_RESULTS.trim().split("\n").map((line) => JSON.parse(line))
console.log("bench".padEnd(32) + "mqtt-core pkt/s".padStart(16) + "mqtt-packet pkt/s".padStart(19) + "ratio".padStart(8))
for (const { bench, packets_per_second: node } of rows.sort((a, b) => a.bench.localeCompare(b.bench))) {
  const estimates = JSON.parse(fs.readFileSync(path.join(process.env.RUST_RESULTS, bench, "new", "estimates.json")))
  const perIteration = bench.startsWith("decode/") ? BATCH : 1
  const rust = perIteration / (estimates.mean.point_estimate / 1e9)
  const fmt = (n) => Math.round(n).toLocaleString("en-US")
  console.log(bench.padEnd(32) + fmt(rust).padStart(16) + fmt(node).padStart(19) + (rust / node).toFixed(1).padStart(7) + "x")
}
'
