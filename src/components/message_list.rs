use std::rc::Rc;

use mqtt_core::topic::matches;
use yew::prelude::*;

use super::decoding::{use_want_decoded, DecodedViews};
use super::message_row::{MessageRow, ROW_HEIGHT};
use super::visible_rows::{use_visible_rows, VisibleRows};
use crate::i18n::{use_i18n, Key};
use crate::state::{color_of, message_contains, Message, MessageLog};

#[derive(Properties, PartialEq)]
pub struct MessageListProps {
    pub messages: MessageLog,
    /// What the filter and search let through, or `None` when they let everything through.
    pub shown: Shown,
    pub selected: Option<u64>,
    pub onselect: Callback<u64>,
}

/// The filtered list, shared by the list and the toolbar's count; compared by identity, since
/// it is recomputed only when the history, filter or search change.
#[derive(Clone, Debug)]
pub struct Shown(pub Rc<Option<Vec<Rc<Message>>>>);

impl PartialEq for Shown {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// The messages the filter and search let through, newest first.
pub fn shown_messages(
    messages: &MessageLog,
    filter: Option<&str>,
    search: &str,
) -> Vec<Rc<Message>> {
    let needle = search.trim();
    messages
        .newest_first()
        .filter(|m| filter.is_none_or(|f| matches(f, &m.topic)))
        .filter(|m| message_contains(m, needle))
        .cloned()
        .collect()
}

/// Only the rows in view are in the DOM; the rest is an empty spacer of the right height.
#[component]
pub fn MessageList(props: &MessageListProps) -> Html {
    let i18n = use_i18n();
    let shown = props.shown.0.as_ref();
    let filtered = shown.is_some();
    let total = shown.as_ref().map_or(props.messages.len(), Vec::len);
    let nth = |index: usize| -> Option<Rc<Message>> {
        match shown {
            Some(list) => list.get(index).cloned(),
            None => props.messages.nth_newest(index).cloned(),
        }
    };

    let VisibleRows {
        container,
        onscroll,
        spacer,
        range,
    } = use_visible_rows(total, ROW_HEIGHT);
    // Only the rows in view are decoded.
    let views = use_context::<DecodedViews>();
    let mut wanted = Vec::new();

    let rows: Html = range
        .filter_map(|index| {
            let message = nth(index)?;
            let top = (index as u32).saturating_mul(ROW_HEIGHT);
            let decoded = views
                .as_ref()
                .and_then(|views| views.line(i18n, &message, 200, &mut wanted));
            // Keyed by position, not by message: under a flood every visible row
            // shows a new message each frame, and a row that is updated in place costs
            // the page far less than one removed and another created.
            Some(html! {
                <MessageRow key={index} color={message.subscription.map(color_of)}
                    selected={props.selected == Some(message.seq)}
                    {top} onselect={props.onselect.clone()} message={message.clone()} {decoded} />
            })
        })
        .collect();
    use_want_decoded(views.as_ref(), wanted);

    html! {
        <div class="message-scroll" ref={container} {onscroll} aria-label={i18n.t(Key::MessagesHeading)} tabindex="-1">
            if total == 0 {
                <p class="empty">{
                    i18n.t(if filtered { Key::MessagesNoneMatch } else { Key::MessagesNoneYet })
                }</p>
            }
            <div class="message-list" role="list" ref={spacer}>
                { rows }
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::tests::message;
    use crate::state::{Action, State};

    #[test]
    fn shown_messages_apply_filter_and_search_newest_first() {
        let mut state = State::default();
        let batch = [("a/1", "one"), ("b/1", "two"), ("a/2", "three")]
            .into_iter()
            .zip(1..)
            .map(|((topic, payload), seq)| message(seq, topic, payload))
            .collect();
        state.apply(Action::Received(batch));
        let seqs = |filter, search| -> Vec<u64> {
            shown_messages(&state.messages, filter, search)
                .iter()
                .map(|m| m.seq)
                .collect()
        };
        assert_eq!(seqs(None, ""), [3, 2, 1]);
        assert_eq!(seqs(Some("a/+"), ""), [3, 1]);
        assert_eq!(seqs(Some("a/+"), " THREE "), [3]);
        assert_eq!(seqs(None, "two"), [2]);
    }
}
