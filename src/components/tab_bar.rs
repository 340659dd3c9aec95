use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::i18n::{use_i18n, Key, Text};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TabInfo {
    pub id: u32,
    pub title: String,
    /// Status key, e.g. "connected".
    pub status: &'static str,
}

#[derive(Properties, PartialEq)]
pub struct TabBarProps {
    pub tabs: Vec<TabInfo>,
    pub active: u32,
    pub onselect: Callback<u32>,
    pub onadd: Callback<()>,
    pub onclose: Callback<u32>,
}

#[component]
pub fn TabBar(props: &TabBarProps) -> Html {
    let i18n = use_i18n();
    let closable = props.tabs.len() > 1;
    let list = use_node_ref();
    {
        // The bar scrolls inside itself when the tabs do not fit: keep the active one in view.
        let list = list.clone();
        use_effect_with((props.active, props.tabs.len()), move |_| {
            let Some(list) = list.cast::<web_sys::HtmlElement>() else {
                return;
            };
            let Some(tab) = list
                .query_selector(".tab.active")
                .ok()
                .flatten()
                .and_then(|tab| tab.dyn_into::<web_sys::HtmlElement>().ok())
            else {
                return;
            };
            // The list is positioned (styles.css), so a tab's offset is within its content.
            let start = tab.offset_left();
            let end = start + tab.offset_width();
            if start < list.scroll_left() {
                list.set_scroll_left(start);
            } else if end > list.scroll_left() + list.client_width() {
                list.set_scroll_left(end - list.client_width());
            }
        });
    }
    html! {
        <nav class="tabs" aria-label={i18n.t(Key::Connections)}>
            <div role="tablist" ref={list}>
                { for props.tabs.iter().map(|tab| {
                    let id = tab.id;
                    let selected = id == props.active;
                    // Until the tab reports its title, it is named by its number.
                    let name = if tab.title.is_empty() {
                        i18n.text(&Text::new(Key::ConnectionNumbered).with("id", id.to_string()))
                    } else {
                        tab.title.clone()
                    };
                    let close_label =
                        i18n.text(&Text::new(Key::CloseConnection).with("title", name.as_str()));
                    html! {
                        <span class={classes!("tab", selected.then_some("active"))} key={id}>
                            <button type="button" role="tab" aria-selected={selected.to_string()}
                                aria-controls={format!("c{id}")}
                                onclick={props.onselect.reform(move |_: MouseEvent| id)}>
                                <span class={classes!("dot", tab.status)} aria-hidden="true"></span>
                                { name }
                            </button>
                            if closable {
                                <button type="button" class="close"
                                    aria-label={close_label}
                                    onclick={props.onclose.reform(move |_: MouseEvent| id)}>{ "✕" }</button>
                            }
                        </span>
                    }
                }) }
            </div>
            <button type="button" class="add" onclick={props.onadd.reform(|_: MouseEvent| ())}
                aria-label={i18n.t(Key::NewConnection)} title={i18n.t(Key::NewConnection)}>{ "+" }</button>
        </nav>
    }
}
