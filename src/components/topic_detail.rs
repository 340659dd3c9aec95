//! The selected topic: its last message (or one from its history) in full, in the payload
//! views, what changed from the message before, a chart of its numbers, its history, copy
//! buttons and the clean-up of retained messages.

use std::rc::Rc;

use yew::prelude::*;

use super::message_detail::{format_select, property_list};
use super::on_value;
use super::payload_diff::PayloadDiffView;
use super::topic_chart::{HistoryKey, TopicChart};
use crate::clipboard::copy_text;
use crate::clock::wall_clock_millis;
use crate::i18n::{use_i18n, I18n, Key, Text};
use crate::payload::{detect, format_size, preview, render, PayloadFormat};
use crate::state::Message;
use crate::topic_index::{NodeId, SharedIndex};

#[derive(Properties, PartialEq)]
pub struct TopicDetailProps {
    pub ids: AttrValue,
    pub topics: SharedIndex,
    pub node: NodeId,
    /// Publish an empty retained message to each of these topics.
    pub ondeleteretained: Callback<Vec<String>>,
    pub onclose: Callback<()>,
}

/// What a copy button last did, shown beside the buttons.
#[derive(Clone, Copy, PartialEq)]
enum Copied {
    Topic,
    Payload,
    Refused,
}

impl Copied {
    fn note(self) -> Key {
        match self {
            Copied::Topic => Key::TopicCopied,
            Copied::Payload => Key::TopicPayloadCopied,
            Copied::Refused => Key::TopicCopyRefused,
        }
    }
}

/// `{count} topics`, `{count} messages`, … as a text.
fn counted(i18n: I18n, key: Key, count: u64) -> String {
    i18n.text(&Text::new(key).number("count", count))
}

#[derive(Properties, PartialEq)]
struct RenderedPayloadProps {
    message: Rc<Message>,
    format: PayloadFormat,
}

/// A payload in full in a format: its own component, so that it is rendered again only for
/// another message or format, not for news on other topics.
#[component]
fn RenderedPayload(props: &RenderedPayloadProps) -> Html {
    let i18n = use_i18n();
    let rendered = render(&props.message.payload, props.format);
    html! {
        <>
            if let Some(note) = rendered.note {
                <p class="note">{ i18n.text(&note) }</p>
            }
            <pre class="payload-view" data-format={props.format.key()}>{ rendered.text }</pre>
        </>
    }
}

/// Keyed by its node where it is used, so that another topic starts afresh: on its last
/// message, in the detected format, with its own chart path.
#[component]
pub fn TopicDetail(props: &TopicDetailProps) -> Html {
    let i18n = use_i18n();
    // `None` follows the detected format.
    let chosen = use_state(|| None::<PayloadFormat>);
    // The history entry shown, by sequence number; `None` follows the last message.
    let shown_seq = use_state(|| None::<u64>);
    // The retained clean-up of the node's subtree waiting for a confirmation, with its count.
    let confirming = use_state(|| None::<usize>);
    let copied = use_state(|| None::<Copied>);
    let index = props.topics.read();
    let Some(node) = index.node(props.node) else {
        return Html::default();
    };
    let path = node.path().to_owned();
    let id = |name: &str| format!("{}-{name}", props.ids);
    let close = html! {
        <button type="button" class="close" aria-label={i18n.t(Key::TopicClose)}
            onclick={props.onclose.reform(|_: MouseEvent| ())}>{ "✕" }</button>
    };
    let subtree = node.subtree();
    let retained_here = node.topic().is_some_and(|t| t.retained());
    let onconfirmdelete = {
        let confirming = confirming.clone();
        let count = subtree.retained as usize;
        Callback::from(move |_: MouseEvent| confirming.set(Some(count)))
    };
    let ondeletesubtree = {
        let topics = props.topics.clone();
        let node = props.node;
        let confirming = confirming.clone();
        let ondeleteretained = props.ondeleteretained.clone();
        Callback::from(move |_: MouseEvent| {
            let doomed = topics
                .read()
                .retained_under(node)
                .into_iter()
                .map(str::to_owned)
                .collect();
            confirming.set(None);
            ondeleteretained.emit(doomed);
        })
    };
    let ondeletehere = {
        let path = path.clone();
        props
            .ondeleteretained
            .reform(move |_: MouseEvent| vec![path.clone()])
    };
    let copy = |text: String, what: Copied| {
        let copied = copied.clone();
        Callback::from(move |_: MouseEvent| {
            let text = text.clone();
            let copied = copied.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let done = copy_text(&text).await;
                copied.set(Some(if done { what } else { Copied::Refused }));
            });
        })
    };
    let cleanup = html! {
        <div class="buttons">
            if retained_here {
                <button type="button" onclick={ondeletehere}
                    title={i18n.t(Key::MessageClearRetainedTitle)}>
                    { i18n.t(Key::TopicDeleteRetained) }
                </button>
            }
            if subtree.retained > u32::from(retained_here) {
                <button type="button" onclick={onconfirmdelete}>
                    { i18n.text(&Text::new(Key::TopicDeleteRetainedUnder)
                        .with("name", node.name())
                        .number("count", subtree.retained.into())) }
                </button>
            }
        </div>
    };
    let confirm = confirming.map(|count| {
        let cancel = {
            let confirming = confirming.clone();
            Callback::from(move |_: MouseEvent| confirming.set(None))
        };
        html! {
            <div class="confirm" role="alertdialog" aria-label={i18n.t(Key::TopicConfirmDeletion)}>
                <p>{ i18n.text(&Text::new(Key::TopicDeleteQuestion)
                    .number("count", count as u64)
                    .with("path", path.as_str())) }</p>
                <div class="buttons">
                    <button type="button" class="danger" onclick={ondeletesubtree}>
                        { counted(i18n, Key::TopicDeleteConfirm, count as u64) }
                    </button>
                    <button type="button" onclick={cancel}>{ i18n.t(Key::TopicDeleteCancel) }</button>
                </div>
            </div>
        }
    });
    let header = html! {
        <header>
            <h3 class="topic">{ path.clone() }</h3>
            { close }
        </header>
    };
    let Some(topic) = node.topic() else {
        // A level with no messages of its own.
        return html! {
            <section class="detail topic-detail" aria-label={i18n.t(Key::TopicDetails)}>
                { header }
                <p class="meta">{ format!("{} · {}",
                    counted(i18n, Key::TopicCountBelow, subtree.topics.into()),
                    counted(i18n, Key::MessageCount, subtree.messages)) }</p>
                { cleanup }
                { for confirm }
            </section>
        };
    };
    let history = topic.history();
    let shown_at = shown_seq
        .and_then(|seq| history.iter().rposition(|m| m.seq == seq))
        .unwrap_or(history.len() - 1);
    let message: Rc<Message> = history[shown_at].clone();
    let detected = detect(&message.payload);
    let format = chosen.unwrap_or(detected);

    let onview = {
        let chosen = chosen.clone();
        on_value::<Event>(move |key| chosen.set(PayloadFormat::from_key(&key)))
    };
    let copied_note = copied.map(|c| i18n.t(c.note()));
    // As of this render: the detail renders again with every batch of messages.
    let rate = topic.rate_tenths(wall_clock_millis());
    let last = topic.last();
    let mut meta = vec![
        counted(i18n, Key::MessageCount, topic.count()),
        // One decimal always ("1.0"), as the rate is kept in tenths.
        i18n.text(&Text::new(Key::TopicRate).with("rate", format!("{}.{}", rate / 10, rate % 10))),
        i18n.text(&Text::new(Key::TopicLastAt).with("time", i18n.time(last.received_at))),
        i18n.text(&Text::new(Key::MessageQos).with("qos", (last.qos as u8).to_string())),
        format_size(last.payload.len()),
    ];
    if retained_here {
        meta.push(i18n.t(Key::MessageRetained).to_owned());
    }
    let payload_text = String::from_utf8_lossy(&message.payload).into_owned();
    let shown_when = Text::new(if shown_at + 1 == history.len() {
        Key::TopicShownLast
    } else {
        Key::TopicShownAt
    })
    .with("time", i18n.time(message.received_at));

    html! {
        <section class="detail topic-detail" aria-label={i18n.t(Key::TopicDetails)}>
            { header }
            <p class="meta">{ meta.join(" · ") }</p>
            <div class="buttons">
                <button type="button" onclick={copy(path.clone(), Copied::Topic)}>{ i18n.t(Key::TopicCopy) }</button>
                <button type="button" onclick={copy(payload_text, Copied::Payload)}>{ i18n.t(Key::TopicCopyPayload) }</button>
                if let Some(note) = copied_note {
                    <span class="note" role="status">{ note }</span>
                }
            </div>
            { cleanup }
            { for confirm }
            <div class="row">
                { format_select(i18n, &id("topic-view"), detected, *chosen, onview) }
                <p class="note">{ i18n.text(&shown_when) }</p>
            </div>
            <RenderedPayload message={message.clone()} {format} />
            { property_list(i18n, &message) }
            <h4>{ i18n.t(Key::TopicChanges) }</h4>
            if shown_at > 0 {
                <PayloadDiffView old={history[shown_at - 1].payload.clone()}
                    new={message.payload.clone()} />
            } else {
                <p class="note">{ i18n.t(Key::TopicOldest) }</p>
            }
            <h4>{ i18n.t(Key::TopicChart) }</h4>
            <TopicChart ids={props.ids.clone()}
                history={HistoryKey(Rc::new(history.iter().cloned().collect()))} />
            <h4>{ i18n.text(&Text::new(Key::TopicHistory)
                .number("shown", history.len() as u64)
                .number("count", topic.count())) }</h4>
            <ol class="topic-history" aria-label={i18n.t(Key::TopicHistoryLabel)}>
                { for history.iter().enumerate().rev().map(|(at, entry)| {
                    let seq = entry.seq;
                    let shown_seq = shown_seq.clone();
                    let onclick = Callback::from(move |_: MouseEvent| shown_seq.set(Some(seq)));
                    html! {
                        <li>
                            <button type="button" aria-pressed={(at == shown_at).to_string()} {onclick}>
                                <span class="time">{ i18n.time(entry.received_at) }</span>
                                <span class="size">{ format_size(entry.payload.len()) }</span>
                                <span class="preview">{ preview(&entry.payload, 60) }</span>
                            </button>
                        </li>
                    }
                }) }
            </ol>
        </section>
    }
}
