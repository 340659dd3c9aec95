use super::*;
use crate::state::tests::message;

fn at(seq: u64, topic: &str, payload: &str, received_at: u64) -> Rc<Message> {
    let mut message = message(seq, topic, payload);
    message.received_at = received_at;
    Rc::new(message)
}

fn retained(seq: u64, topic: &str, payload: &str) -> Rc<Message> {
    let mut message = message(seq, topic, payload);
    message.retain = true;
    Rc::new(message)
}

/// The rows as `depth:name`, the way the tree shows them.
fn rows(index: &TopicIndex) -> Vec<String> {
    index
        .rows()
        .iter()
        .map(|&id| {
            let node = index.node(id).expect("a row is a node");
            format!("{}:{}", node.depth(), node.name())
        })
        .collect()
}

/// The sequence numbers of `topic`'s history, oldest first.
fn history_seqs(index: &TopicIndex, topic: &str) -> Vec<u64> {
    let node = index.node(index.find(topic).expect("topic")).expect("node");
    node.topic()
        .expect("data")
        .history()
        .iter()
        .map(|m| m.seq)
        .collect()
}

fn record(index: &mut TopicIndex, topics: &[(&str, &str)]) {
    let batch: Vec<_> = topics
        .iter()
        .enumerate()
        .map(|(i, (topic, payload))| at(i as u64, topic, payload, 0))
        .collect();
    index.record(&batch);
}

#[test]
fn levels_form_a_sorted_tree_with_subtree_counts() {
    let mut index = TopicIndex::default();
    record(
        &mut index,
        &[
            ("home/kitchen/temp", "21"),
            ("home/attic", "x"),
            ("home/kitchen/temp", "22"),
            ("/leading", "y"),
            ("trailing/", "z"),
            ("home", "top"),
        ],
    );
    assert_eq!(index.topic_count(), 5);
    assert_eq!(rows(&index), ["1:", "1:home", "1:trailing"]);
    let home = index.find("home").expect("home");
    index.set_expanded(home, true);
    assert_eq!(
        rows(&index),
        ["1:", "1:home", "2:attic", "2:kitchen", "1:trailing"]
    );
    let kitchen = index.find("home/kitchen").expect("kitchen");
    index.set_expanded(kitchen, true);
    assert_eq!(
        rows(&index),
        [
            "1:",
            "1:home",
            "2:attic",
            "2:kitchen",
            "3:temp",
            "1:trailing"
        ]
    );
    let home = index.node(home).expect("node");
    assert_eq!(
        home.subtree(),
        SubtreeCounts {
            topics: 3,
            messages: 4,
            retained: 0
        }
    );
    assert_eq!(
        home.topic().map(|t| t.count()),
        Some(1),
        "home is a topic too"
    );
    let kitchen = index.node(kitchen).expect("node");
    assert!(
        kitchen.topic().is_none(),
        "a level without messages of its own"
    );
    assert_eq!(kitchen.subtree().messages, 2);
    let temp = index
        .node(index.find("home/kitchen/temp").expect("temp"))
        .expect("node");
    let data = temp.topic().expect("data");
    assert_eq!(&data.last().payload[..], b"22");
    assert_eq!(data.count(), 2);
    let payloads: Vec<_> = data.history().iter().map(|m| &m.payload[..]).collect();
    assert_eq!(payloads, [b"21", b"22"]);
    assert_eq!(index.root().subtree().messages, 6);
    // "trailing/" ends in an empty level below "trailing".
    let trailing = index
        .node(index.find("trailing").expect("trailing"))
        .expect("node");
    assert_eq!(trailing.children().len(), 1);
    assert_eq!(
        index.node(trailing.children()[0]).map(Node::path),
        Some("trailing/")
    );
}

#[test]
fn collapsing_hides_the_subtree_and_new_topics_under_a_collapsed_node_add_no_rows() {
    let mut index = TopicIndex::default();
    record(&mut index, &[("a/b/c", "1")]);
    let a = index.find("a").expect("a");
    let b = index.find("a/b").expect("b");
    index.set_expanded(a, true);
    index.set_expanded(b, true);
    assert_eq!(rows(&index), ["1:a", "2:b", "3:c"]);
    index.set_expanded(a, false);
    assert_eq!(rows(&index), ["1:a"]);
    record(&mut index, &[("a/b/d", "2"), ("a/e", "3")]);
    assert_eq!(rows(&index), ["1:a"]);
    index.set_expanded(a, true);
    assert_eq!(
        rows(&index),
        ["1:a", "2:b", "3:c", "3:d", "2:e"],
        "b stayed expanded"
    );
}

#[test]
fn a_topics_history_is_bounded_and_its_limit_can_change() {
    let mut index = TopicIndex::new(IndexLimits {
        topic_history: 3,
        history_bytes: usize::MAX,
    });
    let batch: Vec<_> = (1..=10).map(|i| at(i, "t", &i.to_string(), i)).collect();
    index.record(&batch);
    let history = |index: &TopicIndex| history_seqs(index, "t");
    assert_eq!(history(&index), [8, 9, 10]);
    index.set_topic_history(1);
    assert_eq!(history(&index), [10]);
    index.set_topic_history(0);
    assert_eq!(history(&index), [10], "the last message always stays");
    assert_eq!(index.memory().0, 0, "no older history left");
}

#[test]
fn the_memory_bound_evicts_the_oldest_history_first_and_never_a_topic() {
    let payload = "x".repeat(1000);
    let cost = message_cost(&message(0, "a", &payload));
    let mut index = TopicIndex::new(IndexLimits {
        topic_history: 50,
        history_bytes: 2 * cost,
    });
    // a, b, a, b, a, b, c: the older entries are a1, b2, a3, b4, superseded in that order.
    let batch: Vec<_> = ["a", "b", "a", "b", "a", "b", "c"]
        .iter()
        .zip(1..)
        .map(|(topic, seq)| at(seq, topic, &payload, seq))
        .collect();
    index.record(&batch);
    let seqs = history_seqs;
    assert_eq!(
        seqs(&index, "a"),
        [3, 5],
        "a1 and b2, the oldest, went first"
    );
    assert_eq!(seqs(&index, "b"), [4, 6]);
    assert_eq!(seqs(&index, "c"), [7]);
    assert_eq!(index.memory().0, 2 * cost);
    index.set_history_bytes(0);
    let all: Vec<_> = ["a", "b", "c"].iter().map(|t| seqs(&index, t)).collect();
    assert_eq!(all, [[5], [6], [7]]);
    assert_eq!(index.topic_count(), 3, "no topic is ever evicted");
    assert_eq!(index.memory(), (0, 3 * cost));
}

#[test]
fn retained_markers_follow_retained_and_empty_messages() {
    let mut index = TopicIndex::default();
    index.record(&[
        retained(1, "site/a/temp", "1"),
        retained(2, "site/a/hum", "2"),
        retained(3, "site/b", "3"),
        at(4, "site/c", "live", 0),
    ]);
    let site = index.find("site").expect("site");
    assert_eq!(index.node(site).map(|n| n.subtree().retained), Some(3));
    let mut under = index.retained_under(site);
    under.sort_unstable();
    assert_eq!(under, ["site/a/hum", "site/a/temp", "site/b"]);
    let a = index.find("site/a").expect("a");
    assert_eq!(index.retained_under(a), ["site/a/hum", "site/a/temp"]);
    // A live message on a retained topic does not say the retained one is gone...
    index.record(&[at(5, "site/b", "4", 0)]);
    assert_eq!(index.node(site).map(|n| n.subtree().retained), Some(3));
    // ...an empty one does: that is how a retained message is deleted.
    index.record(&[at(6, "site/a/temp", "", 0), at(7, "site/b", "", 0)]);
    assert_eq!(index.retained_under(site), ["site/a/hum"]);
    assert_eq!(index.node(site).map(|n| n.subtree().retained), Some(1));
    assert_eq!(
        index.topic_count(),
        4,
        "the topics stay, with their empty last message"
    );
}

#[test]
fn the_filter_narrows_to_matching_topics_and_follows_new_payloads() {
    let mut index = TopicIndex::default();
    record(
        &mut index,
        &[
            ("home/kitchen/temp", "21"),
            ("home/hall/door", "open"),
            ("garden/door", "closed"),
        ],
    );
    index.set_filter(" DOOR ");
    assert_eq!(
        rows(&index),
        ["1:garden", "2:door", "1:home", "2:hall", "3:door"],
        "the paths to matches, expanded"
    );
    index.set_filter("open");
    assert_eq!(
        rows(&index),
        ["1:home", "2:hall", "3:door"],
        "payloads match too"
    );
    record(
        &mut index,
        &[("garden/door", "OPEN"), ("home/hall/door", "shut")],
    );
    assert_eq!(rows(&index), ["1:garden", "2:door"]);
    index.set_filter("");
    assert_eq!(
        rows(&index),
        ["1:garden", "1:home"],
        "back to what is expanded"
    );
}

#[test]
fn clear_forgets_every_topic_and_keeps_the_limits_and_filter() {
    let limits = IndexLimits {
        topic_history: 7,
        history_bytes: 1234,
    };
    let mut index = TopicIndex::new(limits);
    index.set_filter("a");
    record(&mut index, &[("a", "1"), ("b/a", "2")]);
    let before = index.version();
    index.clear();
    assert_eq!(index.topic_count(), 0);
    assert!(index.rows().is_empty());
    assert!(index.find("a").is_none());
    assert_eq!((index.limits(), index.filter()), (limits, "a"));
    assert!(index.version() > before);
    record(&mut index, &[("a", "1")]);
    assert_eq!(rows(&index), ["1:a"]);
}

#[test]
fn the_rate_counts_recent_messages_and_decays() {
    let mut index = TopicIndex::default();
    let batch: Vec<_> = (0..20).map(|i| at(i, "t", "x", 10_000 + i * 250)).collect();
    index.record(&batch);
    let rate = |now| {
        let node = index.node(index.find("t").expect("t")).expect("node");
        node.topic().expect("data").rate_tenths(now)
    };
    // 20 messages between 10.0 s and 14.75 s: 4 a second.
    assert_eq!(rate(14_999), 40);
    // Half of that window still counts 2.5 s later; all of it is gone after 10 s.
    assert_eq!(rate(17_500), 20);
    assert_eq!(rate(25_000), 0);
}

#[test]
fn the_index_holds_100_000_topics_through_1_000_000_updates_within_its_bound() {
    const TOPICS: u64 = 100_000;
    let bound = 8 * 1024 * 1024;
    let mut index = TopicIndex::new(IndexLimits {
        topic_history: 50,
        history_bytes: bound,
    });
    let topic = |n: u64| format!("plant/{}/line{}/sensor{}", n % 7, n % 100, n);
    let mut seq = 0;
    for round in 0..10 {
        for chunk in (0..TOPICS).collect::<Vec<_>>().chunks(2_000) {
            let batch: Vec<_> = chunk
                .iter()
                .map(|&n| {
                    seq += 1;
                    at(seq, &topic(n), &format!("{}", n + round), seq)
                })
                .collect();
            index.record(&batch);
            assert!(
                index.memory().0 <= bound,
                "the bound holds after every batch"
            );
        }
    }
    assert_eq!(seq, 1_000_000);
    assert_eq!(index.topic_count() as u64, TOPICS);
    assert_eq!(index.root().subtree().messages, 1_000_000);
    for n in [0, 1, 99_999, 54_321] {
        let node = index
            .node(index.find(&topic(n)).expect("every topic is kept"))
            .expect("node");
        let data = node.topic().expect("data");
        assert_eq!(data.count(), 10);
        assert_eq!(data.last().payload, format!("{}", n + 9).into_bytes());
    }
    // Every topic is reachable from the root by expanding its levels.
    let mut reached = 0;
    let mut stack = vec![ROOT];
    while let Some(id) = stack.pop() {
        let node = index.node(id).expect("node");
        reached += u64::from(node.topic().is_some());
        stack.extend(node.children());
    }
    assert_eq!(reached, TOPICS);
    // The oldest history went first: the newest older messages survive the bound.
    let newest = index
        .node(index.find(&topic(TOPICS - 1)).expect("t"))
        .expect("n");
    assert!(newest.topic().expect("data").history().len() > 1);
    let oldest = index.node(index.find(&topic(0)).expect("t")).expect("n");
    assert_eq!(oldest.topic().expect("data").history().len(), 1);
    assert!(
        index.superseded.len() < 3 * 1_000_000 / 10,
        "stale queue entries are dropped: {}",
        index.superseded.len()
    );
}

#[test]
fn stale_queue_entries_do_not_pile_up_under_a_per_topic_limit() {
    let mut index = TopicIndex::new(IndexLimits {
        topic_history: 2,
        history_bytes: usize::MAX,
    });
    for seq in 0..200_000 {
        index.record(&[at(seq, &format!("t{}", seq % 10), "x", seq)]);
    }
    assert!(
        index.superseded.len() <= 2 * 10 + 1024 + 1,
        "{}",
        index.superseded.len()
    );
}
