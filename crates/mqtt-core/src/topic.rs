//! Topic names (what a PUBLISH goes to) and topic filters (what a SUBSCRIBE asks for): their
//! validity rules and the matching of one against the other (MQTT 5.0 section 4.7, the same
//! rules as 3.1.1 plus shared subscriptions).

use core::fmt;

mod filter_set;

pub use filter_set::FilterSet;

/// The longest topic name or filter: its length travels as a 16-bit integer.
pub const MAX_TOPIC_LEN: usize = 65_535;

/// The prefix that makes a filter a shared subscription (`$share/{group}/{filter}`).
const SHARED_PREFIX: &str = "$share/";

/// Why a topic name or topic filter is not valid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TopicError {
    Empty,
    TooLong { len: usize },
    NullCharacter,
    WildcardInTopicName,
    MisplacedMultiLevelWildcard,
    MisplacedSingleLevelWildcard,
    InvalidSharedSubscription,
}

impl fmt::Display for TopicError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TopicError::Empty => f.write_str("the topic is empty"),
            TopicError::TooLong { len } => write!(
                f,
                "the topic is {len} bytes long, more than the {MAX_TOPIC_LEN} bytes MQTT allows"
            ),
            TopicError::NullCharacter => f.write_str("the topic contains a null character (U+0000)"),
            TopicError::WildcardInTopicName => f.write_str(
                "a topic to publish to cannot contain the wildcards '+' or '#' (they are only for subscriptions)",
            ),
            TopicError::MisplacedMultiLevelWildcard => f.write_str(
                "'#' must be the last level of the filter and alone in its level, as in 'a/b/#'",
            ),
            TopicError::MisplacedSingleLevelWildcard => {
                f.write_str("'+' must be alone in its level, as in 'a/+/c'")
            }
            TopicError::InvalidSharedSubscription => f.write_str(
                "a shared subscription must look like '$share/group/filter', with a group name that is not empty and has no wildcards",
            ),
        }
    }
}

/// The rules common to names and filters: not empty, not too long, no U+0000.
fn validate_common(text: &str) -> Result<(), TopicError> {
    if text.is_empty() {
        return Err(TopicError::Empty);
    }
    if text.len() > MAX_TOPIC_LEN {
        return Err(TopicError::TooLong { len: text.len() });
    }
    if text.as_bytes().contains(&0) {
        return Err(TopicError::NullCharacter);
    }
    Ok(())
}

/// Checks a topic name, the destination of a PUBLISH: no wildcards allowed.
pub fn validate_topic_name(topic: &str) -> Result<(), TopicError> {
    validate_common(topic)?;
    if topic.bytes().any(|byte| byte == b'+' || byte == b'#') {
        return Err(TopicError::WildcardInTopicName);
    }
    Ok(())
}

/// Checks a topic filter, as sent in SUBSCRIBE or UNSUBSCRIBE, including the shared
/// subscription form `$share/{group}/{filter}`.
pub fn validate_topic_filter(filter: &str) -> Result<(), TopicError> {
    validate_common(filter)?;
    let filter = match filter.strip_prefix(SHARED_PREFIX) {
        Some(rest) => {
            let (group, inner) = rest
                .split_once('/')
                .ok_or(TopicError::InvalidSharedSubscription)?;
            if group.is_empty() || group.contains(['+', '#']) || inner.is_empty() {
                return Err(TopicError::InvalidSharedSubscription);
            }
            inner
        }
        None => filter,
    };
    validate_filter_levels(filter)
}

/// The wildcard placement rules, level by level.
fn validate_filter_levels(filter: &str) -> Result<(), TopicError> {
    let mut levels = filter.split('/').peekable();
    while let Some(level) = levels.next() {
        if level.contains('#') && (level != "#" || levels.peek().is_some()) {
            return Err(TopicError::MisplacedMultiLevelWildcard);
        }
        if level.contains('+') && level != "+" {
            return Err(TopicError::MisplacedSingleLevelWildcard);
        }
    }
    Ok(())
}

/// The part of `filter` that topics are matched against: a shared subscription's inner filter,
/// else the whole filter. `None` for a `$share/` filter with no `/` after the group: it matches
/// nothing.
fn matching_part(filter: &str) -> Option<&str> {
    match filter.strip_prefix(SHARED_PREFIX) {
        Some(rest) => rest.split_once('/').map(|(_group, inner)| inner),
        None => Some(filter),
    }
}

/// Whether a message published to `topic` is delivered to a subscription on `filter`.
///
/// A shared subscription filter matches like its inner filter. Filters starting with a
/// wildcard do not match topics starting with `$` (MQTT-4.7.2-1): `#` does not see `$SYS/...`.
/// Neither argument is validated; invalid filters simply match what their levels say.
pub fn matches(filter: &str, topic: &str) -> bool {
    let Some(filter) = matching_part(filter) else {
        return false;
    };
    if topic.starts_with('$') && filter.starts_with(['+', '#']) {
        return false;
    }
    let mut filter_levels = filter.split('/');
    let mut topic_levels = topic.split('/');
    loop {
        match (filter_levels.next(), topic_levels.next()) {
            // `#` also matches the parent level: `a/#` matches `a`.
            (Some("#"), _) => return true,
            (Some("+"), Some(_)) => {}
            (Some(wanted), Some(level)) if wanted == level => {}
            (None, None) => return true,
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::String;

    #[test]
    fn topic_names() {
        assert_eq!(validate_topic_name("a/b/c"), Ok(()));
        assert_eq!(validate_topic_name("/"), Ok(()));
        assert_eq!(validate_topic_name("$SYS/x"), Ok(()));
        assert_eq!(validate_topic_name(""), Err(TopicError::Empty));
        assert_eq!(
            validate_topic_name("a/#"),
            Err(TopicError::WildcardInTopicName)
        );
        assert_eq!(
            validate_topic_name("a/+/b"),
            Err(TopicError::WildcardInTopicName)
        );
        assert_eq!(validate_topic_name("a\0b"), Err(TopicError::NullCharacter));
        let long: String = "x".repeat(MAX_TOPIC_LEN + 1);
        assert_eq!(
            validate_topic_name(&long),
            Err(TopicError::TooLong {
                len: MAX_TOPIC_LEN + 1
            })
        );
        assert_eq!(validate_topic_name(&long[1..]), Ok(()));
    }

    #[test]
    fn topic_filters() {
        for good in [
            "#",
            "+",
            "a/#",
            "+/+",
            "a/+/b",
            "/+",
            "a//b",
            "$share/g/a/#",
            "$share/g/#",
        ] {
            assert_eq!(validate_topic_filter(good), Ok(()), "{good}");
        }
        let bad = [
            ("a/#/b", TopicError::MisplacedMultiLevelWildcard),
            ("a#", TopicError::MisplacedMultiLevelWildcard),
            ("a/b#", TopicError::MisplacedMultiLevelWildcard),
            ("a+", TopicError::MisplacedSingleLevelWildcard),
            ("a/+b/c", TopicError::MisplacedSingleLevelWildcard),
            ("$share/", TopicError::InvalidSharedSubscription),
            ("$share/g", TopicError::InvalidSharedSubscription),
            ("$share//a", TopicError::InvalidSharedSubscription),
            ("$share/g/", TopicError::InvalidSharedSubscription),
            ("$share/+/a", TopicError::InvalidSharedSubscription),
            ("$share/g#/a", TopicError::InvalidSharedSubscription),
            ("$share/g/a/#/b", TopicError::MisplacedMultiLevelWildcard),
            ("", TopicError::Empty),
            ("a/\0", TopicError::NullCharacter),
        ];
        for (filter, error) in bad {
            assert_eq!(validate_topic_filter(filter), Err(error), "{filter:?}");
        }
    }

    #[test]
    fn matching() {
        let cases = [
            ("a/b", "a/b", true),
            ("a/b", "a/c", false),
            ("a/+", "a/b", true),
            ("a/+", "a/b/c", false),
            ("a/+", "a/", true),
            ("a/#", "a", true),
            ("a/#", "a/b/c", true),
            ("a/#", "b", false),
            ("#", "a/b", true),
            ("+/+", "/x", true),
            ("+", "/x", false),
            ("#", "$SYS/x", false),
            ("+/x", "$SYS/x", false),
            ("$SYS/#", "$SYS/x", true),
            ("$share/g/a/+", "a/b", true),
            ("$share/g/#", "$SYS/b", false),
            ("$share/g", "g", false),
            ("a/b/c", "a/b", false),
        ];
        for (filter, topic, expected) in cases {
            assert_eq!(matches(filter, topic), expected, "{filter} vs {topic}");
        }
    }

    #[test]
    fn errors_read_as_words() {
        let text = alloc::format!("{}", TopicError::TooLong { len: 70_000 });
        assert!(text.contains("70000") && text.contains("65535"), "{text}");
    }
}
