//! The core's typed outcomes as texts: each variant of its errors and each reason code, in
//! the words of the tables. The core's own `Display` is for native tools; the UI uses these.

use mqtt_core::TopicError;

use super::{Key, Text};

pub fn topic_error(error: &TopicError) -> Text {
    match error {
        TopicError::Empty => Key::TopicEmpty.into(),
        TopicError::TooLong { len } => Text::new(Key::TopicTooLong)
            .number("len", *len as u64)
            .number("maximum", mqtt_core::topic::MAX_TOPIC_LEN as u64),
        TopicError::NullCharacter => Key::TopicNullCharacter.into(),
        TopicError::WildcardInTopicName => Key::TopicWildcardInName.into(),
        TopicError::MisplacedMultiLevelWildcard => Key::TopicMisplacedMultiLevel.into(),
        TopicError::MisplacedSingleLevelWildcard => Key::TopicMisplacedSingleLevel.into(),
        TopicError::InvalidSharedSubscription => Key::TopicInvalidShared.into(),
    }
}
