// The ceiling: the browser's WebSocket alone, on the page's thread (raw-mqtt.js does the MQTT).
import { messageCounter, subscribed } from './common.js';
import { rawClient } from './raw-mqtt.js';

export function runBench({ url, topic, expected, qos }) {
  return new Promise((resolve, reject) => {
    const counter = messageCounter(expected);
    let connackAt = 0;
    const socket = rawClient({
      url,
      topic,
      qos,
      prefix: 'raw',
      onConnack: () => {
        connackAt = performance.now();
      },
      onSubscribed: subscribed,
      onPublishes: (n) => counter.add(n),
      onError: reject,
    });
    counter.done.then((result) => {
      socket.close();
      resolve({ ...result, connackAt });
    });
  });
}
