//! `use_on_resize`: a component's way to follow an element's laid-out size, from a
//! ResizeObserver, which reports after layout, so that reading the size forces none.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Calls `measure` with `node`'s element once it is laid out and whenever its size changes,
/// for as long as the component lives.
#[hook]
pub fn use_on_resize(node: NodeRef, measure: impl Fn(&web_sys::Element) + 'static) {
    use_effect_with(node, move |node| {
        let observer = node.cast::<web_sys::Element>().and_then(|element| {
            let measured = element.clone();
            let callback = Closure::<dyn Fn()>::new(move || measure(&measured));
            let observer = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()).ok()?;
            // It reports the size it finds at once, too.
            observer.observe(&element);
            Some((observer, callback))
        });
        move || {
            if let Some((observer, _callback)) = observer {
                observer.disconnect();
            }
        }
    });
}
