use yew::prelude::*;

use super::message_row::set_style;
use crate::i18n::{use_i18n, Key, Text};
use crate::topic_index::{NodeId, SubtreeCounts};

/// Every row is this tall, so the tree can compute which rows are visible.
pub const TOPIC_ROW_HEIGHT: u32 = 26;

#[derive(Properties, PartialEq)]
pub struct TopicRowProps {
    pub id: NodeId,
    pub dom_id: String,
    pub name: AttrValue,
    pub depth: u16,
    /// (position among its siblings from 1, their number), when known.
    pub position: Option<(usize, usize)>,
    /// `None` for a node without children.
    pub expanded: Option<bool>,
    pub counts: SubtreeCounts,
    pub retained: bool,
    /// The last payload, for a node that is a topic.
    pub last: Option<AttrValue>,
    /// Changed a moment ago: which of two identical highlights, so that each change restarts it.
    pub changed: Option<bool>,
    pub selected: bool,
    pub active: bool,
    /// Offset from the top of the tree, in pixels.
    pub top: u32,
    /// Clicked: the row becomes the active one and is selected.
    pub onactivate: Callback<NodeId>,
    pub onexpand: Callback<(NodeId, bool)>,
}

#[component]
pub fn TopicRow(props: &TopicRowProps) -> Html {
    let i18n = use_i18n();
    let node = use_node_ref();
    {
        let node = node.clone();
        use_effect_with((props.top, props.depth), move |(top, depth)| {
            set_style(&node, "top", &format!("{top}px"));
            set_style(
                &node,
                "padding-left",
                // CSS does the arithmetic: a float written by Rust would bring its float
                // printing into the download.
                &format!("calc(0.3rem + {} * 1.1rem)", depth - 1),
            );
        });
    }
    let id = props.id;
    let onclick = props.onactivate.reform(move |_: MouseEvent| id);
    let ontoggle = props.expanded.map(|expanded| {
        let onexpand = props.onexpand.clone();
        Callback::from(move |e: MouseEvent| {
            // The row's own click would select it too.
            e.stop_propagation();
            onexpand.emit((id, !expanded));
        })
    });
    let counts = props.counts;
    let count = |key: Key, count: u64| i18n.text(&Text::new(key).number("count", count));
    let messages = count(Key::MessageCount, counts.messages);
    let summary = if props.expanded.is_none() {
        messages
    } else {
        let mut parts = vec![count(Key::TopicCount, counts.topics.into()), messages];
        if counts.retained > 0 {
            parts.push(count(Key::TopicRetainedCount, counts.retained.into()));
        }
        parts.join(" · ")
    };
    html! {
        <div role="treeitem" id={props.dom_id.clone()} ref={node} {onclick}
            aria-level={props.depth.to_string()}
            aria-expanded={props.expanded.map(|e| e.to_string())}
            aria-selected={props.selected.to_string()}
            aria-posinset={props.position.map(|(at, _)| at.to_string())}
            aria-setsize={props.position.map(|(_, of)| of.to_string())}
            class={classes!("tree-row", props.selected.then_some("selected"),
                props.active.then_some("active"),
                props.changed.map(|even| if even { "changed-even" } else { "changed-odd" }))}>
            <span class="toggle" aria-hidden="true" onclick={ontoggle}>
                { match props.expanded { Some(true) => "▾", Some(false) => "▸", None => "" } }
            </span>
            if props.name.is_empty() {
                <span class="level empty-level" title={i18n.t(Key::TopicEmptyLevelTitle)}>{ i18n.t(Key::TopicEmptyLevel) }</span>
            } else {
                <span class="level">{ props.name.clone() }</span>
            }
            if props.retained {
                <span class="flag retain" title={i18n.t(Key::TopicRetainedMarkTitle)}>{ i18n.t(Key::TopicRetainedMark) }</span>
            }
            <span class="count">{ summary }</span>
            if let Some(last) = &props.last {
                <span class="last">{ last.clone() }</span>
            }
        </div>
    }
}
