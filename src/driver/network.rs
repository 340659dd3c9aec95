//! The browser's `offline` and `online` window events: while offline the driver holds the
//! transport the core asks for instead of opening it; back online it opens at once.
//!
//! The listeners are added on Connect and removed on Disconnect, on shutdown and when the
//! driver is dropped.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

type Listener = Closure<dyn FnMut(web_sys::Event)>;

#[derive(Default)]
pub(super) struct Network {
    listeners: Option<(Listener, Listener)>,
}

/// Whether the browser says it is offline now.
pub(super) fn offline_now() -> bool {
    web_sys::window().is_some_and(|window| !window.navigator().on_line())
}

impl Network {
    /// Listens for `offline` and `online`, calling `on_change` with whether it is online.
    pub(super) fn listen(&mut self, on_change: impl Fn(bool) + Clone + 'static) {
        if self.listeners.is_some() {
            return;
        }
        let Some(window) = web_sys::window() else {
            return;
        };
        let offline: Listener = {
            let on_change = on_change.clone();
            Closure::new(move |_: web_sys::Event| on_change(false))
        };
        let online: Listener = Closure::new(move |_: web_sys::Event| on_change(true));
        let _ =
            window.add_event_listener_with_callback("offline", offline.as_ref().unchecked_ref());
        let _ = window.add_event_listener_with_callback("online", online.as_ref().unchecked_ref());
        self.listeners = Some((offline, online));
    }

    /// Removes the listeners, if any.
    pub(super) fn stop(&mut self) {
        let (Some((offline, online)), Some(window)) = (self.listeners.take(), web_sys::window())
        else {
            return;
        };
        let _ =
            window.remove_event_listener_with_callback("offline", offline.as_ref().unchecked_ref());
        let _ =
            window.remove_event_listener_with_callback("online", online.as_ref().unchecked_ref());
    }
}

impl Drop for Network {
    fn drop(&mut self) {
        self.stop();
    }
}
