//! A handle between two panes that resizes one of them: dragged with a pointer (mouse, pen or
//! finger), or moved with the arrow keys once focused.

use std::rc::Rc;

use yew::prelude::*;

use super::on_resize::use_on_resize;

/// Arrow keys move the handle this far; with Shift, four times as far.
const KEY_STEP: i32 = 16;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Axis {
    /// A vertical handle between two columns: it sets the pane's width.
    Columns,
    /// A horizontal handle between two rows: it sets the pane's height.
    Rows,
}

#[derive(Properties, PartialEq)]
pub struct SplitterProps {
    /// What it resizes, in words ("Resize the side panel").
    pub label: AttrValue,
    pub axis: Axis,
    /// The pane it resizes; its size is read from the page (where the stylesheet may have
    /// bounded the size chosen) when a drag or a key press starts.
    pub pane: NodeRef,
    /// That pane's element id.
    pub controls: AttrValue,
    /// The pane comes after the handle, so moving the handle right or down shrinks it.
    #[prop_or_default]
    pub pane_after: bool,
    pub min: u32,
    pub max: u32,
    /// The size chosen last, if any.
    pub size: Option<u32>,
    pub onresize: Callback<u32>,
    #[prop_or_default]
    pub class: Classes,
}

/// Where a drag started: the pointer's coordinate along the axis and the pane's size then.
#[derive(Clone, Copy)]
struct Drag {
    pointer: i32,
    pane: i32,
}

#[component]
pub fn Splitter(props: &SplitterProps) -> Html {
    // Nothing is rendered from it, so a cell, not state.
    let drag = use_mut_ref(|| None::<Drag>);
    let axis = props.axis;
    let along = move |e: &PointerEvent| match axis {
        Axis::Columns => e.client_x(),
        Axis::Rows => e.client_y(),
    };
    let pane_size = {
        let pane = props.pane.clone();
        move || {
            pane.cast::<web_sys::HtmlElement>()
                .map_or(0, |element| match axis {
                    Axis::Columns => element.offset_width(),
                    Axis::Rows => element.offset_height(),
                })
        }
    };
    let resize = {
        let onresize = props.onresize.clone();
        let (min, max) = (props.min, props.max.max(props.min));
        Rc::new(move |size: i32| onresize.emit((size.max(0) as u32).clamp(min, max)))
    };
    let sign = if props.pane_after { -1 } else { 1 };
    // A separator that can be moved must say where it is (ARIA): before the user chose a
    // size, the one the stylesheet gave. Read when the pane is laid out and whenever its size
    // changes, by a ResizeObserver: reading it after every render instead forced the page to
    // lay out again in the middle of each frame of a flood.
    let laid_out = use_state_eq(|| None::<u32>);
    {
        let laid_out = laid_out.clone();
        let pane_size = pane_size.clone();
        use_on_resize(props.pane.clone(), move |_| {
            laid_out.set(Some(pane_size().max(0) as u32))
        });
    }
    let value_now = props
        .size
        .or(*laid_out)
        .map(|size| size.clamp(props.min, props.max.max(props.min)));

    let onpointerdown = {
        let drag = drag.clone();
        let pane_size = pane_size.clone();
        Callback::from(move |e: PointerEvent| {
            if e.button() != 0 {
                return;
            }
            e.prevent_default();
            if let Some(target) = e.target_dyn_into::<web_sys::Element>() {
                // Moves go on reaching the handle however far the pointer strays.
                let _ = target.set_pointer_capture(e.pointer_id());
            }
            *drag.borrow_mut() = Some(Drag {
                pointer: along(&e),
                pane: pane_size(),
            });
        })
    };
    let onpointermove = {
        let drag = drag.clone();
        let resize = resize.clone();
        Callback::from(move |e: PointerEvent| {
            let Some(start) = *drag.borrow() else {
                return;
            };
            resize(start.pane + sign * (along(&e) - start.pointer));
        })
    };
    let onpointerup = {
        let drag = drag.clone();
        Callback::from(move |_: PointerEvent| *drag.borrow_mut() = None)
    };
    let onkeydown = {
        let resize = resize.clone();
        let (min, max) = (props.min as i32, props.max as i32);
        Callback::from(move |e: KeyboardEvent| {
            let step = if e.shift_key() {
                4 * KEY_STEP
            } else {
                KEY_STEP
            };
            let forward = match (axis, e.key().as_str()) {
                (Axis::Columns, "ArrowRight") | (Axis::Rows, "ArrowDown") => Some(step),
                (Axis::Columns, "ArrowLeft") | (Axis::Rows, "ArrowUp") => Some(-step),
                _ => None,
            };
            let next = match (forward, e.key().as_str()) {
                (Some(delta), _) => pane_size() + sign * delta,
                (None, "Home") => min,
                (None, "End") => max,
                _ => return,
            };
            e.prevent_default();
            resize(next);
        })
    };
    let orientation = match axis {
        // A handle between columns is itself a vertical line.
        Axis::Columns => "vertical",
        Axis::Rows => "horizontal",
    };
    html! {
        <div class={classes!("splitter", props.class.clone())} role="separator" tabindex="0"
            aria-orientation={orientation} aria-label={props.label.clone()}
            aria-controls={props.controls.clone()}
            aria-valuemin={props.min.to_string()} aria-valuemax={props.max.to_string()}
            aria-valuenow={value_now.map(|size| size.to_string())}
            title={props.label.clone()}
            {onpointerdown} {onpointermove} onpointerup={onpointerup.clone()}
            onpointercancel={onpointerup} {onkeydown}>
        </div>
    }
}
