//! Subscription dispatch per received message, as the app's `State::receive` does it: every
//! subscription whose filter matches the topic counts the message, and the first in list order
//! is kept. Through a `FilterSet` of 1 filter and of 1,000, and, for comparison, by testing
//! every filter with `matches`. Issue 12 asks that 1,000 filters cost at most twice one; the
//! ratios are printed at the end, from the mean over all of criterion's runs of each.
//!
//! Each set of filters gets the messages a broker delivers to a client subscribed to them: the
//! topics of one mix that match at least one of its filters. For 1,000 filters that is the
//! whole mix; the one filter gets its share of it. A last run gives the one filter the whole
//! mix too, most of which leaves its trie at the first level.

mod support;

use std::hint::black_box;

use criterion::measurement::Measurement;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion, Throughput};
use mqtt_core::topic::{matches, FilterSet};
use support::ThreadCpuTime;

const MANY_FILTERS: usize = 1000;

/// The one filter of the single-filter runs.
const ONE_FILTER: &str = "site/+/+/temp";

/// A dashboard's worth of filters: mostly one device or site each, a few wildcards across all,
/// shared subscriptions, and `$SYS`.
fn many_filters() -> Vec<String> {
    let mut filters: Vec<String> = [
        "#",
        ONE_FILTER,
        "+/status",
        "$SYS/#",
        "$share/workers/devices/+/telemetry/#",
    ]
    .map(String::from)
    .into();
    filters.extend((0..400).map(|n| format!("site/{n}/+/temp")));
    filters.extend((0..300).map(|n| format!("devices/{n}/#")));
    filters.extend((0..100).map(|n| format!("$share/group{}/site/{n}/+/humidity", n % 4)));
    let rooms = MANY_FILTERS - filters.len();
    filters.extend((0..rooms).map(|n| format!("home/room{n}/light")));
    filters
}

/// Topics of every kind the filters cover, each matching some of them and missing others.
fn topics() -> Vec<String> {
    (0..600)
        .map(|i| match i % 6 {
            0 => format!("site/{}/sensor{}/temp", i * 7 % 500, i % 5),
            1 => format!("site/{}/sensor{}/humidity", i * 3 % 150, i % 5),
            2 => format!("devices/{}/telemetry/cpu", i * 13 % 600),
            3 => format!("home/room{}/light", i % 250),
            4 => format!("line{}/status", i % 10),
            _ => format!("$SYS/broker/clients/{i}"),
        })
        .collect()
}

/// The topics a broker would deliver to a client subscribed to `filters`.
fn delivered(topics: &[String], filters: &[String]) -> Vec<String> {
    let wanted = |topic: &&String| filters.iter().any(|filter| matches(filter, topic));
    topics.iter().filter(wanted).cloned().collect()
}

/// What the app keeps of a message's matches: each counted, the first in list order.
fn count_matches(set: &FilterSet<usize>, counts: &mut [u64], topic: &str) -> Option<usize> {
    let mut first: Option<usize> = None;
    set.for_each_match(topic, |&index| {
        counts[index] += 1;
        first = Some(first.map_or(index, |first| first.min(index)));
    });
    first
}

/// The same by testing every filter, as the app did before `FilterSet`.
fn count_matches_one_by_one(filters: &[String], counts: &mut [u64], topic: &str) -> Option<usize> {
    let mut first = None;
    for (index, filter) in filters.iter().enumerate() {
        if matches(filter, topic) {
            counts[index] += 1;
            first.get_or_insert(index);
        }
    }
    first
}

/// Measures `dispatch` over all `topics` per iteration, and answers the mean CPU time per
/// message over all runs, `None` if the benchmark was filtered out.
fn measure(
    group: &mut BenchmarkGroup<ThreadCpuTime>,
    id: &str,
    topics: &[String],
    mut dispatch: impl FnMut(&str) -> Option<usize>,
) -> Option<f64> {
    let (mut nanos, mut messages) = (0u64, 0u64);
    group.throughput(Throughput::Elements(topics.len() as u64));
    group.bench_function(id, |b| {
        b.iter_custom(|iterations| {
            let start = ThreadCpuTime.start();
            for _ in 0..iterations {
                for topic in topics {
                    black_box(dispatch(black_box(topic)));
                }
            }
            let spent = ThreadCpuTime.end(start);
            nanos += spent;
            messages += iterations * topics.len() as u64;
            spent
        })
    });
    (messages > 0).then(|| nanos as f64 / messages as f64)
}

fn through_filter_set(
    group: &mut BenchmarkGroup<ThreadCpuTime>,
    id: &str,
    topics: &[String],
    filters: &[String],
) -> Option<f64> {
    let set: FilterSet<usize> = filters.iter().zip(0..).collect();
    let mut counts = vec![0; filters.len()];
    measure(group, id, topics, |topic| {
        count_matches(&set, &mut counts, topic)
    })
}

fn one_by_one(
    group: &mut BenchmarkGroup<ThreadCpuTime>,
    id: &str,
    topics: &[String],
    filters: &[String],
) -> Option<f64> {
    let mut counts = vec![0; filters.len()];
    measure(group, id, topics, |topic| {
        count_matches_one_by_one(filters, &mut counts, topic)
    })
}

fn dispatch(c: &mut Criterion<ThreadCpuTime>) {
    let all_topics = topics();
    let one = vec![ONE_FILTER.to_string()];
    let many = many_filters();
    let to_one = delivered(&all_topics, &one);
    let to_many = delivered(&all_topics, &many);
    let mut group = c.benchmark_group("dispatch");
    let set_one = through_filter_set(&mut group, "filter_set/1", &to_one, &one);
    let set_many = through_filter_set(&mut group, "filter_set/1000", &to_many, &many);
    let set_one_all_topics =
        through_filter_set(&mut group, "filter_set/1_all_topics", &all_topics, &one);
    let one_by_one_one = one_by_one(&mut group, "one_by_one/1", &to_one, &one);
    let one_by_one_many = one_by_one(&mut group, "one_by_one/1000", &to_many, &many);
    group.finish();

    println!(
        "dispatch, CPU time per delivered message ({} topics for 1 filter, {} for {MANY_FILTERS}):",
        to_one.len(),
        to_many.len()
    );
    for (name, one, many) in [
        ("FilterSet", set_one, set_many),
        ("matches on every filter", one_by_one_one, one_by_one_many),
    ] {
        if let (Some(one), Some(many)) = (one, many) {
            println!(
                "  {name}: 1 filter {one:.1} ns, {MANY_FILTERS} filters {many:.1} ns: {:.2}×",
                many / one
            );
        }
    }
    if let (Some(one), Some(many)) = (set_one_all_topics, set_many) {
        println!(
            "  FilterSet, 1 filter given all {} topics, delivered or not: {one:.1} ns \
             ({MANY_FILTERS} filters: {:.2}× that)",
            all_topics.len(),
            many / one
        );
    }
    println!("  (issue 12: {MANY_FILTERS} filters at most 2× one)");
}

criterion_group! {
    name = benches;
    config = support::criterion();
    targets = dispatch
}
criterion_main!(benches);
