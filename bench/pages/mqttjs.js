// MQTT.js 5 (npm `mqtt`, its browser bundle), counting every 'message' event.
import { messageCounter, randomClientId, subscribed } from './common.js';

export function runBench({ url, topic, expected, qos }) {
  return new Promise((resolve, reject) => {
    const counter = messageCounter(expected);
    let connackAt = 0;
    const client = window.mqtt.connect(url, {
      protocolVersion: 4,
      clientId: randomClientId('mqttjs'),
      clean: true,
      keepalive: 60,
      reconnectPeriod: 0,
    });
    client.on('error', (error) => reject(error));
    client.on('connect', () => {
      connackAt = performance.now();
      client.subscribe(topic, { qos }, (error) => (error ? reject(error) : subscribed()));
    });
    client.on('message', () => counter.add(1));
    counter.done.then((result) => {
      client.end(true);
      resolve({ ...result, connackAt });
    });
  });
}
