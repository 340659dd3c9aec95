//! The topic tree: every topic of the tab's index, as a virtualized WAI-ARIA tree. Only the
//! rows in view are in the DOM, whatever the topic count; the keyboard moves an active row
//! (`aria-activedescendant`), so the focus never has to follow a row out of the DOM.

use yew::prelude::*;

use super::decoding::{use_want_decoded, DecodedViews};
use super::on_value;
use super::topic_row::{TopicRow, TOPIC_ROW_HEIGHT};
use super::visible_rows::{use_visible_rows, VisibleRows};
use crate::clock::wall_clock_millis;
use crate::i18n::{use_i18n, Key, Text};
use crate::payload::{format_size, preview};
use crate::topic_index::{NodeId, SharedIndex, TopicIndex};

/// A change this recent (ms, by the wall clock that stamps messages) highlights its row; rows
/// that come into view later than that show none.
const HIGHLIGHT_MS: u64 = 1_500;

#[derive(Properties, PartialEq)]
pub struct TopicTreeProps {
    pub ids: AttrValue,
    pub topics: SharedIndex,
    pub selected: Option<NodeId>,
    pub onselect: Callback<NodeId>,
    pub onexpand: Callback<(NodeId, bool)>,
    pub onfilter: Callback<String>,
    /// Messages to keep per topic.
    pub onhistorylimit: Callback<usize>,
    pub onclear: Callback<()>,
}

/// What a key does.
enum Move {
    /// Makes this node's row the active one.
    To(NodeId),
    Expand(NodeId, bool),
    Select(NodeId),
}

fn key_move(index: &TopicIndex, active: usize, key: &str) -> Option<Move> {
    let rows = index.rows();
    let id = *rows.get(active)?;
    let node = index.node(id)?;
    let has_children = !node.children().is_empty();
    let filtering = !index.filter().is_empty();
    let row = |at: usize| rows.get(at).copied().map(Move::To);
    match key {
        "ArrowDown" => row((active + 1).min(rows.len() - 1)),
        "ArrowUp" => row(active.saturating_sub(1)),
        "Home" => row(0),
        "End" => row(rows.len() - 1),
        "ArrowRight" if has_children && !node.expanded() && !filtering => {
            Some(Move::Expand(id, true))
        }
        "ArrowRight" if has_children => row(active + 1),
        "ArrowLeft" if has_children && node.expanded() && !filtering => {
            Some(Move::Expand(id, false))
        }
        "ArrowLeft" => {
            let parent = node.parent();
            rows[..active].contains(&parent).then_some(Move::To(parent))
        }
        "Enter" | " " => Some(Move::Select(id)),
        _ => None,
    }
}

#[component]
pub fn TopicTree(props: &TopicTreeProps) -> Html {
    let i18n = use_i18n();
    // The row the keyboard is on, by node (rows move as topics arrive).
    let active = use_state_eq(|| None::<NodeId>);
    let index = props.topics.read();
    let rows = index.rows();
    let total = rows.len();
    let active_row = active
        .and_then(|id| rows.iter().position(|&row| row == id))
        .unwrap_or(0);

    let VisibleRows {
        container,
        onscroll,
        spacer: tree,
        range,
    } = use_visible_rows(total, TOPIC_ROW_HEIGHT);
    {
        // Scrolls the active row into view after the keyboard moved it.
        let container = container.clone();
        use_effect_with(*active, move |_| {
            if let Some(element) = container.cast::<web_sys::Element>() {
                let top = active_row as i32 * TOPIC_ROW_HEIGHT as i32;
                let height = element.client_height();
                let scrolled = element.scroll_top();
                if top < scrolled {
                    element.set_scroll_top(top);
                } else if top + TOPIC_ROW_HEIGHT as i32 > scrolled + height {
                    element.set_scroll_top(top + TOPIC_ROW_HEIGHT as i32 - height);
                }
            }
        });
    }
    let onkeydown = {
        let topics = props.topics.clone();
        let active = active.clone();
        let onselect = props.onselect.clone();
        let onexpand = props.onexpand.clone();
        Callback::from(move |e: KeyboardEvent| {
            // The index is read and let go before any callback changes it.
            let step = key_move(&topics.read(), active_row, &e.key());
            let Some(step) = step else {
                return;
            };
            e.prevent_default();
            match step {
                Move::To(id) => active.set(Some(id)),
                Move::Expand(id, expanded) => onexpand.emit((id, expanded)),
                Move::Select(id) => onselect.emit(id),
            }
        })
    };
    let onactivate = {
        let active = active.clone();
        let onselect = props.onselect.clone();
        Callback::from(move |id: NodeId| {
            active.set(Some(id));
            onselect.emit(id);
        })
    };
    let onfilter = {
        let onfilter = props.onfilter.clone();
        on_value::<InputEvent>(move |text| onfilter.emit(text))
    };
    let onlimit = {
        let onhistorylimit = props.onhistorylimit.clone();
        on_value::<Event>(move |text| {
            if let Some(limit) = text.trim().parse::<usize>().ok().filter(|&n| n > 0) {
                onhistorylimit.emit(limit);
            }
        })
    };

    let row_id = |id: NodeId| format!("{}-topic-{id}", props.ids);
    let now = wall_clock_millis();
    let filtering = !index.filter().is_empty();
    let active_id = rows.get(active_row).copied();
    let root = index.root().subtree();
    let filter_id = format!("{}-topic-filter", props.ids);
    let limit_id = format!("{}-topic-history", props.ids);
    let (older, newest) = index.memory();
    let count = |key: Key, count: u64| i18n.text(&Text::new(key).number("count", count));
    // Only the rows in view are decoded.
    let views = use_context::<DecodedViews>();
    let mut wanted = Vec::new();
    let tree_rows: Html = range
        .filter_map(|row| {
            let id = rows[row];
            let node = index.node(id)?;
            let parent = index.node(node.parent())?;
            // Sibling position, for screen readers (most siblings are not in the DOM).
            let position = (!filtering).then(|| {
                let siblings = parent.children();
                let at = siblings
                    .binary_search_by(|&s| index.node(s).map_or("", |n| n.name()).cmp(node.name()))
                    .unwrap_or(0);
                (at + 1, siblings.len())
            });
            let topic = node.topic();
            // The last value decoded by the topic's rule, when it has one.
            let last = topic.map(|t| {
                let message = t.last();
                views
                    .as_ref()
                    .and_then(|views| views.line(i18n, message, 80, &mut wanted))
                    .map_or_else(
                        || AttrValue::from(preview(&message.payload, 80)),
                        |line| line.text,
                    )
            });
            let changed =
                node.changed_at() > 0 && now.saturating_sub(node.changed_at()) < HIGHLIGHT_MS;
            Some(html! {
                <TopicRow key={row} {id} dom_id={row_id(id)}
                    name={AttrValue::from(node.name().to_owned())}
                    depth={node.depth()} {position}
                    expanded={(!node.children().is_empty()).then_some(node.expanded() || filtering)}
                    counts={node.subtree()}
                    retained={topic.is_some_and(|t| t.retained())}
                    {last}
                    changed={changed.then_some(node.subtree().messages % 2 == 0)}
                    selected={props.selected == Some(id)}
                    active={active_id == Some(id)}
                    top={(row as u32).saturating_mul(TOPIC_ROW_HEIGHT)}
                    onactivate={onactivate.clone()} onexpand={props.onexpand.clone()} />
            })
        })
        .collect();
    use_want_decoded(views.as_ref(), wanted);

    html! {
        <div class="topic-explorer">
            <div class="toolbar">
                <div class="field search">
                    <label for={filter_id.clone()}>{ i18n.t(Key::TopicsFind) }</label>
                    <input id={filter_id} type="search" value={index.filter().to_owned()}
                        placeholder={i18n.t(Key::TopicsFindPlaceholder)} oninput={onfilter} />
                </div>
                <div class="field limit">
                    <label for={limit_id.clone()}>{ i18n.t(Key::TopicsHistoryLimit) }</label>
                    <input id={limit_id} type="number" min="1"
                        value={index.limits().topic_history.to_string()} onchange={onlimit} />
                </div>
                <button type="button" onclick={props.onclear.reform(|_: MouseEvent| ())}>{ i18n.t(Key::MessagesClear) }</button>
                <span class="counts">{ format!("{} · {}", count(Key::TopicCount, root.topics.into()),
                    count(Key::MessageCount, root.messages)) }</span>
                <span class="meter" title={i18n.t(Key::TopicsMemoryTitle)}>
                    { format_size(older + newest) }
                </span>
            </div>
            <div class="tree-scroll" ref={container} {onscroll}>
                if total == 0 {
                    <p class="empty">{
                        i18n.t(if filtering { Key::TopicsNoneMatch } else { Key::TopicsNoneYet })
                    }</p>
                }
                <div class="tree" role="tree" aria-label={i18n.t(Key::TopicsLabel)} tabindex="0" ref={tree} {onkeydown}
                    aria-activedescendant={active_id.filter(|_| total > 0).map(row_id)}>
                    { tree_rows }
                </div>
            </div>
        </div>
    }
}
