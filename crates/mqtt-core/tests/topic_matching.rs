//! Topic filter matching against a reference matcher written from the specification, on
//! generated filters (with `+`, `#`, `$share/`) and topics (with `$` levels); and `FilterSet`
//! against `matches`, on valid and invalid filters alike.

mod codec_common;

use codec_common::strategies::{topic_filter, topic_name};
use mqtt_core::*;
use proptest::prelude::*;

/// The reference: a direct reading of MQTT 5.0 section 4.7, level list against level list.
fn reference_matches(filter: &str, topic: &str) -> bool {
    let filter = match filter.strip_prefix("$share/") {
        Some(rest) => match rest.find('/') {
            Some(slash) => &rest[slash + 1..],
            None => return false,
        },
        None => filter,
    };
    let filter: Vec<&str> = filter.split('/').collect();
    let topic: Vec<&str> = topic.split('/').collect();
    if topic[0].starts_with('$') && (filter[0] == "+" || filter[0] == "#") {
        return false;
    }
    fn levels(filter: &[&str], topic: &[&str]) -> bool {
        match (filter.first(), topic.first()) {
            (Some(&"#"), _) => filter.len() == 1,
            (Some(&"+"), Some(_)) => levels(&filter[1..], &topic[1..]),
            (Some(f), Some(t)) => f == t && levels(&filter[1..], &topic[1..]),
            (None, None) => true,
            _ => false,
        }
    }
    levels(&filter, &topic)
}

/// A level from a small alphabet, so that generated filters and topics often meet: wildcards,
/// `$` levels, empty levels, and wildcards misplaced within a level.
fn odd_level() -> impl Strategy<Value = String> {
    prop::sample::select(&["", "a", "b", "$a", "$share", "g", "+", "#", "a+", "#b"][..])
        .prop_map(String::from)
}

fn odd_topic() -> impl Strategy<Value = String> {
    prop::collection::vec(odd_level(), 1..5).prop_map(|levels| levels.join("/"))
}

/// Valid and invalid filters alike, shared ones with and without a group.
fn odd_filter() -> impl Strategy<Value = String> {
    let shared = prop::sample::select(&["", "", "$share/g/", "$share//", "$share/"][..]);
    (shared, odd_topic()).prop_map(|(prefix, levels)| format!("{prefix}{levels}"))
}

/// The indices of the filters in `set` that match `topic`, in increasing order.
fn trie_matches(set: &FilterSet<usize>, topic: &str) -> Vec<usize> {
    let mut found = Vec::new();
    set.for_each_match(topic, |&index| found.push(index));
    found.sort_unstable();
    found
}

proptest! {
    #![proptest_config(codec_common::deterministic(3_000))]

    #[test]
    fn a_filter_set_matches_what_matches_does(
        filters in prop::collection::vec(odd_filter(), 0..12),
        topics in prop::collection::vec(odd_topic(), 1..8),
    ) {
        let set: FilterSet<usize> = filters.iter().zip(0..).collect();
        for topic in &topics {
            let expected: Vec<usize> = (0..filters.len())
                .filter(|&index| matches(&filters[index], topic))
                .collect();
            prop_assert_eq!(trie_matches(&set, topic), expected, "topic {:?}", topic);
        }
    }

    #[test]
    fn a_filter_set_of_valid_filters_matches_what_the_reference_does(
        filters in prop::collection::vec(topic_filter(), 1..8),
        topic in topic_name(),
    ) {
        let set: FilterSet<usize> = filters.iter().zip(0..).collect();
        let expected: Vec<usize> = (0..filters.len())
            .filter(|&index| reference_matches(&filters[index], &topic))
            .collect();
        prop_assert_eq!(trie_matches(&set, &topic), expected);
    }

    #[test]
    fn filter_matching_agrees_with_reference(filter in topic_filter(), topic in topic_name()) {
        prop_assert_eq!(matches(&filter, &topic), reference_matches(&filter, &topic));
    }

    #[test]
    fn a_topic_matches_itself_as_a_filter(topic in topic_name()) {
        prop_assert!(validate_topic_name(&topic).is_ok());
        prop_assert!(matches(&topic, &topic));
    }
}

// ---------------------------------------------------------------------------------------
// Packets
