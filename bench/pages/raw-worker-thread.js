// The raw ceiling in a Worker: the same socket and counting as raw.js, off the page's thread.
// Counts are posted to the page at most every COUNT_POST_MS with the times of the messages they
// cover, on the page's clock, so the page's rate is as exact as the main-thread page's.
import { rawClient } from './raw-mqtt.js';

const COUNT_POST_MS = 20;

onmessage = ({ data: { url, topic, qos, pageTimeOrigin } }) => {
  const pageNow = () => performance.timeOrigin + performance.now() - pageTimeOrigin;
  let unposted = 0;
  let firstAt = 0;
  let lastAt = 0;
  let timer = null;
  const post = () => {
    timer = null;
    postMessage({ kind: 'count', count: unposted, firstAt, lastAt });
    unposted = 0;
  };
  rawClient({
    url,
    topic,
    qos,
    prefix: 'raw-worker',
    onConnack: () => postMessage({ kind: 'connack', at: pageNow() }),
    onSubscribed: () => postMessage({ kind: 'subscribed' }),
    onPublishes: (n) => {
      const now = pageNow();
      if (unposted === 0) firstAt = now;
      unposted += n;
      lastAt = now;
      timer ??= setTimeout(post, COUNT_POST_MS);
    },
    onError: (error) => postMessage({ kind: 'error', message: error.message }),
  });
};
