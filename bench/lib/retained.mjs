// The topic explorer case's broker side: a Mosquitto of its own (mosquitto/mosquitto.conf as the
// app's users get it, through crates/test-peers' launcher), the retained topics it holds, in a
// plant's shape, and a steady stream of live messages onto those topics. Published over TCP by
// MQTT.js (bench/node_modules), imported when first used so that --list and --render need no
// packages.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import readline from 'node:readline';

import { env, MOSQUITTO_CONF } from './config.mjs';

/// plant/{site}/{line}/{device}/{metric}: 4 sites of 25 lines, each line's devices with these
/// metrics, so 1,000 topics per device on every line; the count sets how many devices a line has.
const SITES = 4;
const LINES_PER_SITE = 25;
const METRICS = ['current', 'humidity', 'power', 'pressure', 'rpm', 'temperature', 'vibration', 'voltage', 'status', 'config'];
const TOPICS_PER_DEVICE_ROW = SITES * LINES_PER_SITE * METRICS.length;

/// QoS 1 publishes awaiting their PUBACK at once: MQTT.js waits forever for a packet id once all
/// 65,535 are taken, and a window this wide already loads 100,000 in about a second.
const IN_FLIGHT = 1_000;
/// The stream's timer: messages go out in a burst per tick, as many as the rate owes by then.
const STREAM_TICK_MS = 10;
/// Spreads the stream over the tree: consecutive messages land on topics this far apart.
const STREAM_STRIDE = 7_919;

const brokers = new Set();

/// Starts the broker; resolves with { tcpPort, wsUrl, log, child } once it accepts connections.
export async function startBroker() {
  const child = spawn(env('BENCH_TEST_MOSQUITTO'), ['--config', MOSQUITTO_CONF], { stdio: ['ignore', 'pipe', 'inherit'] });
  brokers.add(child);
  child.on('exit', () => brokers.delete(child));
  for await (const line of readline.createInterface({ input: child.stdout })) {
    const ready = /^ready mqtt:\/\/127\.0\.0\.1:(\d+) (ws:\/\/\S+) log (.+)$/.exec(line);
    if (ready) return { tcpPort: Number(ready[1]), wsUrl: ready[2], log: ready[3], child };
  }
  throw new Error('test-mosquitto exited before it was ready');
}

/// What the broker's log says about dropped messages (read before `stopBroker`, which removes it).
export function droppedLines(broker) {
  const text = fs.existsSync(broker.log) ? fs.readFileSync(broker.log, 'utf8') : '';
  return text.split('\n').filter((line) => /dropp/i.test(line));
}

/// Stops it (the launcher removes its files) and with it every retained message: persistence is off.
export async function stopBroker(broker) {
  if (broker.child.exitCode !== null) return;
  const exited = new Promise((resolve) => broker.child.once('exit', resolve));
  broker.child.kill('SIGTERM');
  await exited;
}

/// The brokers still running (the benchmark is ending).
export function stopBrokers() {
  for (const child of brokers) child.kill('SIGTERM');
}

/// The `count` topics (a multiple of 1,000), site by site, line by line, device by device.
export function plantTopics(count) {
  if (count % TOPICS_PER_DEVICE_ROW) throw new Error(`${count} topics: not a multiple of ${TOPICS_PER_DEVICE_ROW}`);
  const devices = count / TOPICS_PER_DEVICE_ROW;
  const pad = (n, of) => String(n).padStart(String(of).length, '0');
  const topics = [];
  for (let site = 1; site <= SITES; site++) {
    for (let line = 1; line <= LINES_PER_SITE; line++) {
      for (let device = 1; device <= devices; device++) {
        const prefix = `plant/site-${site}/line-${pad(line, LINES_PER_SITE)}/dev-${pad(device, devices)}`;
        for (const metric of METRICS) topics.push(`${prefix}/${metric}`);
      }
    }
  }
  return topics;
}

/// A payload as such a device sends it: a number for a measurement, small JSON for its state
/// and configuration (under 250 bytes). `n` varies the values.
export function payload(topic, n) {
  const metric = topic.slice(topic.lastIndexOf('/') + 1);
  if (metric === 'status') {
    return JSON.stringify({ state: n % 7 ? 'running' : 'idle', since: 1_770_000_000 + n, alarms: n % 3 });
  }
  if (metric === 'config') {
    const [, site, line, device] = topic.split('/');
    return JSON.stringify({
      model: 'PX-200', firmware: '4.2.1', interval_ms: 1000,
      thresholds: { temperature: [5, 80], vibration: [0, 12.5] },
      location: { site, line, device }, tags: ['sensor', 'plc', `batch-${n % 97}`],
    });
  }
  return ((n * 7919) % 100_000 / 100).toFixed(2);
}

async function connect(broker) {
  const { default: mqtt } = await import('mqtt');
  return mqtt.connectAsync(`mqtt://127.0.0.1:${broker.tcpPort}`, { protocolVersion: 4, clean: true, reconnectPeriod: 0 });
}

/// Publishes one retained message to each topic at QoS 1 and resolves once the broker has
/// acknowledged every one (so it holds them all), with the milliseconds it took.
export async function loadRetained(broker, topics) {
  const client = await connect(broker);
  const started = performance.now();
  let next = 0;
  const lane = async () => {
    while (next < topics.length) {
      const i = next++;
      await client.publishAsync(topics[i], payload(topics[i], i), { qos: 1, retain: true });
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  const ms = performance.now() - started;
  await client.endAsync();
  return ms;
}

/// Live messages (QoS 0, not retained) onto `topics` at `rate` per second for `seconds`;
/// resolves with { sent, seconds } once the last is written.
export async function stream(broker, topics, rate, seconds) {
  const client = await connect(broker);
  const total = Math.round(rate * seconds);
  const started = performance.now();
  let sent = 0;
  await new Promise((resolve) => {
    const tick = () => {
      const owed = Math.min(total, Math.floor(((performance.now() - started) * rate) / 1000));
      for (; sent < owed; sent++) {
        const topic = topics[(sent * STREAM_STRIDE) % topics.length];
        client.publish(topic, payload(topic, topics.length + sent), { qos: 0 });
      }
      if (sent >= total) {
        clearInterval(timer);
        resolve();
      }
    };
    const timer = setInterval(tick, STREAM_TICK_MS);
  });
  const elapsed = (performance.now() - started) / 1000;
  await client.endAsync();
  return { sent, seconds: elapsed };
}
