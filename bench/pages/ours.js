// Our driver and core without the views: the app's real `Driver` (WebSocket, timers, core
// `Client`), built with the `bench` feature, hands its message batches to this page, which only
// counts them. Batches come once per animation frame (sooner when more arrive than the app's
// default history keeps), as they would go to the app's reducer.
import init, { BenchDriver } from '../ours/bench-driver.js';
import { messageCounter, subscribed } from './common.js';

export async function runBench({ url, topic, expected, qos }) {
  await init();
  const counter = messageCounter(expected);
  let connackAt = 0;
  let driver;
  const failure = new Promise((_, reject) => {
    driver = new BenchDriver(
      url,
      topic,
      qos,
      () => {
        connackAt = performance.now();
        // The driver is busy while it reports; subscribe once it has returned.
        queueMicrotask(() => driver.subscribe());
      },
      subscribed,
      (count) => counter.add(count),
      (error) => reject(new Error(error)),
    );
  });
  const result = await Promise.race([counter.done, failure]);
  driver.stop();
  return { ...result, connackAt };
}
