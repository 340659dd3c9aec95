//! What a virtualized list (the message list, the topic tree) draws: only the rows in view,
//! over a spacer as tall as all of them.

use std::ops::Range;

use yew::prelude::*;

use super::message_row::set_style;
use super::on_resize::use_on_resize;

/// Rows rendered above and below the visible ones, so fast scrolling shows no gaps.
const OVERSCAN: usize = 6;

pub struct VisibleRows {
    /// The scrolling box; it needs `onscroll`.
    pub container: NodeRef,
    pub onscroll: Callback<Event>,
    /// The element the rows are placed in, made as tall as all of them.
    pub spacer: NodeRef,
    /// The rows to draw.
    pub range: Range<usize>,
}

/// The rows of `total`, each `row_height` px tall, that the scrolling box shows.
#[hook]
pub fn use_visible_rows(total: usize, row_height: u32) -> VisibleRows {
    let scroll_top = use_state_eq(|| 0u32);
    let viewport = use_state_eq(|| 600u32);
    let container = use_node_ref();
    let spacer = use_node_ref();
    let onscroll = {
        let scroll_top = scroll_top.clone();
        let container = container.clone();
        Callback::from(move |_: Event| {
            if let Some(element) = container.cast::<web_sys::Element>() {
                scroll_top.set(element.scroll_top().max(0) as u32);
            }
        })
    };
    {
        // The box is as tall as its pane, which changes with the window, the handles between
        // panes and its neighbours; it draws rows for the height it has.
        let viewport = viewport.clone();
        use_on_resize(container.clone(), move |element| {
            let height = element.client_height();
            if height > 0 {
                viewport.set(height as u32);
            }
        });
    }
    {
        let spacer = spacer.clone();
        let height = total as u64 * u64::from(row_height);
        use_effect_with(height, move |height| {
            set_style(&spacer, "height", &format!("{height}px"))
        });
    }
    let first = (*scroll_top / row_height) as usize;
    let first = first.saturating_sub(OVERSCAN).min(total);
    let count = (*viewport / row_height) as usize + 1 + 2 * OVERSCAN;
    VisibleRows {
        container,
        onscroll,
        spacer,
        range: first..(first + count).min(total),
    }
}
