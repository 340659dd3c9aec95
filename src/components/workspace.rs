//! A tab's workspace: where its panes are on the page. It knows nothing of MQTT; the tab hands
//! it the panes to place.
//!
//! In a wide window (`WIDE`) it is a grid the height of the window, each pane scrolling inside
//! itself: the status bar across the top, the side column (Connection, Subscriptions) on the
//! left, the center (the Messages panel) with the Publish panel under it, and the inspector,
//! which shows what is selected, on the right. The side column and the inspector can be
//! hidden, and the handles between the panes resize them. In a narrow window the panes stack,
//! the inspector right under the messages and the Publish panel last, and the page scrolls
//! (`styles.css`).

use yew::prelude::*;

use super::message_row::set_style;
use super::splitter::{Axis, Splitter};
use crate::i18n::{use_i18n, Key};

/// The media query of the grid; `styles.css` uses the same width.
const WIDE: &str = "(min-width: 1000px)";

/// What the inspector shows: the view of the selected thing, and a key that changes whenever
/// the selection does.
#[derive(Clone, PartialEq)]
pub struct Selected {
    pub key: AttrValue,
    pub view: Html,
}

#[derive(Properties, PartialEq)]
pub struct WorkspaceProps {
    /// Prefix that makes element ids unique per tab.
    pub ids: AttrValue,
    /// Across the top (the connection's status).
    pub bar: Html,
    pub side: Html,
    pub center: Html,
    /// What is selected; `None` shows a hint in its place.
    pub inspector: Option<Selected>,
    /// Under the center.
    pub publish: Html,
    /// Shows the side column if it was hidden (a shortcut focuses a control there); changes
    /// each time.
    #[prop_or_default]
    pub reveal_side: u32,
}

/// Pane sizes chosen with the handles, in CSS pixels; `None` leaves the stylesheet's.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Sizes {
    side: Option<u32>,
    inspector: Option<u32>,
    publish: Option<u32>,
}

fn wide() -> bool {
    gloo::utils::window()
        .match_media(WIDE)
        .ok()
        .flatten()
        .is_some_and(|query| query.matches())
}

#[component]
pub fn Workspace(props: &WorkspaceProps) -> Html {
    let i18n = use_i18n();
    // Hidden as of which `reveal_side`: a new reveal shows the column in the very render that
    // asks a control in it for the focus (a hidden control cannot take it).
    let side_hidden_at = use_state_eq(|| None::<u32>);
    let inspector_hidden = use_state_eq(|| false);
    let sizes = use_state_eq(Sizes::default);
    let root = use_node_ref();
    let side = use_node_ref();
    let inspector = use_node_ref();
    let publish = use_node_ref();
    {
        let root = root.clone();
        use_effect_with(*sizes, move |sizes| {
            for (property, size) in [
                ("--side-width", sizes.side),
                ("--inspector-width", sizes.inspector),
                ("--publish-height", sizes.publish),
            ] {
                if let Some(size) = size {
                    set_style(&root, property, &format!("{size}px"));
                }
            }
        });
    }
    let center = use_node_ref();
    {
        // Stacked, a new selection shows below the list: bring it into view, and the list back
        // when the selection is gone.
        let inspector = inspector.clone();
        let center = center.clone();
        let last = use_mut_ref(|| None::<AttrValue>);
        let key = props.inspector.as_ref().map(|s| s.key.clone());
        use_effect_with(key, move |key| {
            let before = last.replace(key.clone());
            if !wide() {
                let scroll = |node: &NodeRef, top: bool| {
                    if let Some(element) = node.cast::<web_sys::Element>() {
                        element.scroll_into_view_with_bool(top);
                    }
                };
                match (before, key) {
                    (_, Some(_)) => scroll(&inspector, true),
                    (Some(_), None) => scroll(&center, false),
                    (None, None) => {}
                }
            }
        });
    }
    let side_hidden = *side_hidden_at == Some(props.reveal_side);
    let id = |name: &str| format!("{}-{name}", props.ids);
    let ontoggleside = {
        let side_hidden_at = side_hidden_at.clone();
        let reveal = props.reveal_side;
        Callback::from(move |_: MouseEvent| {
            side_hidden_at.set((!side_hidden).then_some(reveal));
        })
    };
    let ontoggleinspector = {
        let inspector_hidden = inspector_hidden.clone();
        Callback::from(move |_: MouseEvent| inspector_hidden.set(!*inspector_hidden))
    };
    let resized = |set: fn(&mut Sizes, u32)| {
        let sizes = sizes.clone();
        Callback::from(move |size: u32| {
            let mut next = *sizes;
            set(&mut next, size);
            sizes.set(next);
        })
    };
    let selected = props.inspector.as_ref();

    html! {
        <div ref={root} class={classes!("workspace", side_hidden.then_some("side-hidden"),
                inspector_hidden.then_some("inspector-hidden"))}>
            <div class="workspace-bar">
                { props.bar.clone() }
                <div class="pane-toggles" role="group" aria-label={i18n.t(Key::WorkspacePanes)}>
                    <button type="button" aria-pressed={(!side_hidden).to_string()}
                        aria-controls={id("side")} onclick={ontoggleside}
                        title={i18n.t(Key::WorkspaceSideTitle)}>
                        { i18n.t(Key::WorkspaceSide) }
                    </button>
                    <button type="button" aria-pressed={(!*inspector_hidden).to_string()}
                        aria-controls={id("inspector")} onclick={ontoggleinspector}
                        title={i18n.t(Key::WorkspaceInspectorTitle)}>
                        { i18n.t(Key::WorkspaceInspector) }
                    </button>
                </div>
            </div>
            <div class="pane side" id={id("side")} ref={side.clone()}>
                { props.side.clone() }
            </div>
            <Splitter class="split-side" axis={Axis::Columns} label={i18n.t(Key::WorkspaceResizeSide)}
                pane={side} controls={id("side")} min={200} max={640} size={sizes.side}
                onresize={resized(|s, size| s.side = Some(size))} />
            <div class="pane center" id={id("center")} ref={center}>
                { props.center.clone() }
            </div>
            <Splitter class="split-inspector" axis={Axis::Columns} label={i18n.t(Key::WorkspaceResizeInspector)}
                pane={inspector.clone()} controls={id("inspector")} pane_after=true min={200}
                max={900} size={sizes.inspector}
                onresize={resized(|s, size| s.inspector = Some(size))} />
            <aside class={classes!("pane", "inspector", "panel", selected.is_none().then_some("nothing"))}
                id={id("inspector")} ref={inspector} aria-label={i18n.t(Key::WorkspaceInspector)}>
                <h2>{ i18n.t(Key::WorkspaceInspector) }</h2>
                if let Some(selected) = selected {
                    { selected.view.clone() }
                } else {
                    <p class="empty">{ i18n.t(Key::WorkspaceNothingSelected) }</p>
                }
            </aside>
            <Splitter class="split-publish" axis={Axis::Rows} label={i18n.t(Key::WorkspaceResizePublish)}
                pane={publish.clone()} controls={id("publish")} pane_after=true min={96} max={720}
                size={sizes.publish} onresize={resized(|s, size| s.publish = Some(size))} />
            <div class="pane publish-pane" id={id("publish")} ref={publish}>
                { props.publish.clone() }
            </div>
        </div>
    }
}
