// The ceiling off the page's thread: raw-worker-thread.js owns the socket and counts; this page
// only adds up what it reports. Ending the worker closes its socket.
import { messageCounter, subscribed } from './common.js';

export function runBench({ url, topic, expected, qos }) {
  return new Promise((resolve, reject) => {
    const counter = messageCounter(expected);
    let connackAt = 0;
    const worker = new Worker(new URL('./raw-worker-thread.js', import.meta.url), { type: 'module' });
    worker.onerror = (event) => reject(new Error(`worker: ${event.message}`));
    worker.onmessage = ({ data }) => {
      if (data.kind === 'connack') connackAt = data.at;
      else if (data.kind === 'subscribed') subscribed();
      else if (data.kind === 'count') counter.add(data.count, data.firstAt, data.lastAt);
      else if (data.kind === 'error') reject(new Error(data.message));
    };
    worker.postMessage({ url, topic, qos, pageTimeOrigin: performance.timeOrigin });
    counter.done.then((result) => {
      worker.terminate();
      resolve({ ...result, connackAt });
    });
  });
}
