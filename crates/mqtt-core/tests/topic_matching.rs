//! Topic filter matching against a reference matcher written from the specification, on
//! generated filters (with `+`, `#`, `$share/`) and topics (with `$` levels).

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

proptest! {
    #![proptest_config(codec_common::deterministic(3_000))]

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
