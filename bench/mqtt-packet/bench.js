// mqtt-packet's parser and generator on the exact bytes the Rust bench wrote, in packets
// per second of CPU time, as one JSON line per measurement. Usage: node bench.js <bytes-directory>
'use strict'

const fs = require('fs')
const path = require('path')
const mqtt = require('mqtt-packet')

const BATCH = 1000
const WARM_UP_MS = 1000
const MEASURE_MS = 3000

const directory = process.argv[2]
if (!directory) {
  console.error('usage: node bench.js <directory with the .bin files from benches/codec.rs>')
  process.exit(2)
}

/** CPU time this process has used, in seconds (user + system, every thread). */
function cpuSeconds () {
  const { user, system } = process.cpuUsage()
  return (user + system) / 1e6
}

/**
 * Runs `step` (which handles `perStep` packets) repeatedly; returns packets per second of CPU
 * time, not of wall time: on a shared machine the wall clock also counts the time the scheduler
 * gave the core to someone else. The Rust side (benches/codec.rs) measures the same way.
 */
function measure (step, perStep) {
  const warmUpEnd = Date.now() + WARM_UP_MS
  while (Date.now() < warmUpEnd) step()
  let packets = 0
  const start = cpuSeconds()
  const end = Date.now() + MEASURE_MS
  while (Date.now() < end) {
    step()
    packets += perStep
  }
  return packets / (cpuSeconds() - start)
}

const files = fs.readdirSync(directory).filter((name) => name.endsWith('.bin')).sort()
for (const file of files) {
  const id = file.slice(0, -'.bin'.length)
  const protocolVersion = id.endsWith('_v5') ? 5 : 4
  const bytes = fs.readFileSync(path.join(directory, file))

  // Decode: one buffer of BATCH packets through one parser, as a busy socket delivers them.
  const stream = Buffer.concat(Array(BATCH).fill(bytes))
  const parser = mqtt.parser({ protocolVersion })
  let decoded = 0
  let sample = null
  parser.on('packet', (packet) => { decoded++; sample = packet })
  parser.on('error', (error) => { throw error })
  const decodeRate = measure(() => {
    decoded = 0
    parser.parse(stream)
    if (decoded !== BATCH) throw new Error(`${id}: decoded ${decoded} of ${BATCH}`)
  }, BATCH)

  // Encode the packet mqtt-packet decoded; it must give the same bytes back.
  const generated = mqtt.generate(sample, { protocolVersion })
  if (!generated.equals(bytes)) {
    console.error(`${id}: mqtt-packet generates different bytes (${generated.length} vs ${bytes.length})`)
  }
  const encodeRate = measure(() => mqtt.generate(sample, { protocolVersion }), 1)

  console.log(JSON.stringify({ bench: `decode/${id}`, packets_per_second: decodeRate }))
  console.log(JSON.stringify({ bench: `encode/${id}`, packets_per_second: encodeRate }))
}
