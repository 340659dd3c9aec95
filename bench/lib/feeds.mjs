// Feeds: what happens once a page says it is subscribed.

import { spawn } from 'node:child_process';
import fs from 'node:fs';

import { env, TOPIC } from './config.mjs';

// A feed: the broker's `url`, the `qos` to subscribe with, optionally the `topic` filter (the
// benchmark's TOPIC otherwise), `start()`, called once the page says it is subscribed, and
// `error`, set if what feeds it failed.

/// The synthetic source floods on SUBSCRIBE by itself; on `topics` distinct topics under TOPIC
/// (subscribed as TOPIC/#) if given.
export const syntheticFeed = (port, count, batch, size, topics) => ({
  url: `ws://127.0.0.1:${port}/flood/${count}/${batch}/${size}${topics ? `/${topics}` : ''}`,
  qos: 0,
  topic: topics ? `${TOPIC}/#` : undefined,
  error: null,
  start: async () => {},
});

/// Everything a broker holds retained (`#`, QoS 0, as an explorer subscribes): it comes on
/// SUBSCRIBE, with nothing to start.
export const retainedFeed = (url) => ({ url, qos: 0, topic: '#', error: null, start: async () => {} });

/// Mosquitto, fed by its own native publisher reading one message per line. `broker` is the
/// environment's prefix for its ports: BROKER or BROKER_INFLIGHT20.
export function mosquittoFeed(count, qos, linesFile, broker = 'BROKER') {
  const feed = {
    url: `ws://127.0.0.1:${env(`${broker}_WS_PORT`)}`,
    qos,
    /// Why the publisher failed, if it did: the run is then reported as failed, not as lost.
    error: null,
    start: () => {
      const input = fs.openSync(linesFile, 'r');
      const publisher = spawn(
        'mosquitto_pub',
        ['-h', '127.0.0.1', '-p', env(`${broker}_TCP_PORT`), '-t', TOPIC, '-q', String(qos), '-M', '1000', '-l'],
        { stdio: [input, 'ignore', 'inherit'] },
      );
      fs.closeSync(input);
      publishers.add(publisher);
      publisher.on('error', (error) => {
        feed.error = `mosquitto_pub: ${error.message}`;
      });
      publisher.on('exit', (code) => {
        publishers.delete(publisher);
        if (code) feed.error ??= `mosquitto_pub exited with status ${code}`;
      });
    },
  };
  return feed;
}
const publishers = new Set();

export function writeLines(file, count, size) {
  const line = `${'m'.repeat(size)}\n`;
  fs.writeFileSync(file, line.repeat(count));
}

/// Stops the publishers still running (the benchmark is ending).
export function stopPublishers() {
  for (const publisher of publishers) publisher.kill();
}
