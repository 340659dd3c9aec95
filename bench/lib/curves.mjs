// The cost curves: the full app's rate and frames as one thing grows at a time (cases.mjs runs
// them, report-curves.mjs reports them).

import { syntheticFeed } from './feeds.mjs';
import { fmtInt } from './format.mjs';

/// How the full app's cost grows with one thing at a time, on the synthetic source (32 packets of
/// 64 B per frame unless the curve varies the size). `feed` makes a point's feed, its message
/// count and the filters the app holds beside it, from the plan's count of batched 64 B messages;
/// `flat` says why the design expects the curve to be flat, if it does.
export const CURVES = [
  {
    id: 'curve-subscriptions',
    against: 'the number of subscriptions',
    unit: 'subscriptions',
    points: [1, 10, 100, 1000],
    show: fmtInt,
    flat: 'the app matches each topic against every filter at once (FilterSet, a trie walked once per topic)',
    feed: (port, count, n) => ({
      feed: syntheticFeed(port, count, 32, 64),
      count,
      // Never matched by the flood's topic, but sharing its first level, as a real set of
      // filters under one prefix does.
      others: Array.from({ length: n - 1 }, (_, i) => `bench/other/${i}/+`),
    }),
  },
  {
    id: 'curve-topics',
    against: 'the number of distinct topics',
    unit: 'distinct topics',
    points: [1_000, 10_000, 100_000],
    show: fmtInt,
    flat: 'a message on a known topic costs one hash lookup of its path and a walk up its levels (TopicIndex), and the tree renders only its visible rows',
    // Every topic comes at least once.
    feed: (port, count, n) => {
      const messages = Math.max(count, n);
      return { feed: syntheticFeed(port, messages, 32, 64, n), count: messages, others: [] };
    },
  },
  {
    id: 'curve-payload',
    against: 'the payload size',
    unit: 'payload bytes',
    points: [16, 256, 4096, 65536, 262144],
    show: (size) => (size >= 1024 ? `${size / 1024} KiB` : `${size} B`),
    flat: null,
    feed: (port, count, size) => {
      // At most 64 KiB of payload per frame and 64 MiB in a run, at least 100 frames.
      const batch = Math.max(1, Math.min(32, Math.floor(65536 / size)));
      const frames = Math.max(100, Math.min(count / 32, Math.floor(2 ** 26 / size / batch)));
      return { feed: syntheticFeed(port, frames * batch, batch, size), count: frames * batch, others: [] };
    },
  },
];
