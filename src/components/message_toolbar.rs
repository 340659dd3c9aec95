use yew::prelude::*;

use super::on_value;

#[derive(Properties, PartialEq)]
pub struct MessageToolbarProps {
    pub ids: AttrValue,
    pub search: AttrValue,
    pub paused: bool,
    /// Messages that arrived while paused.
    pub held: usize,
    pub shown: usize,
    pub total: usize,
    pub rate: u32,
    pub history_limit: usize,
    /// The subscription the list is filtered to, as the user named it.
    pub filtered_to: Option<AttrValue>,
    pub onsearch: Callback<String>,
    pub onpause: Callback<bool>,
    pub onclear: Callback<()>,
    pub onexportjson: Callback<()>,
    pub onexportcsv: Callback<()>,
    pub onhistorylimit: Callback<usize>,
    pub onclearfilter: Callback<()>,
}

#[component]
pub fn MessageToolbar(props: &MessageToolbarProps) -> Html {
    let id = |name: &str| format!("{}-{name}", props.ids);
    let limit_text = use_state(|| props.history_limit.to_string());
    let onlimit = {
        let limit_text = limit_text.clone();
        let onhistorylimit = props.onhistorylimit.clone();
        on_value::<Event>(move |v| {
            if let Ok(limit) = v.trim().parse::<usize>() {
                if limit > 0 {
                    onhistorylimit.emit(limit);
                }
            }
            limit_text.set(v);
        })
    };
    let paused = props.paused;
    html! {
        <div class="toolbar" role="toolbar" aria-label="Message list tools">
            <div class="field search">
                <label for={id("search")}>{ "Search" }</label>
                <input id={id("search")} type="search" value={props.search.clone()}
                    placeholder="topic or payload"
                    oninput={on_value::<InputEvent>({
                        let onsearch = props.onsearch.clone();
                        move |v| onsearch.emit(v)
                    })} />
            </div>
            if let Some(name) = &props.filtered_to {
                <button type="button" class="chip" onclick={props.onclearfilter.reform(|_: MouseEvent| ())}
                    aria-label={format!("Show all messages, not only {name}")}>
                    { format!("Only {name} ✕") }
                </button>
            }
            <button type="button" aria-pressed={paused.to_string()}
                onclick={props.onpause.reform(move |_: MouseEvent| !paused)}>
                { if paused { format!("Resume ({} new)", props.held) } else { "Pause".to_owned() } }
            </button>
            <button type="button" onclick={props.onclear.reform(|_: MouseEvent| ())}>{ "Clear" }</button>
            <button type="button" onclick={props.onexportjson.reform(|_: MouseEvent| ())}>{ "Export JSON" }</button>
            <button type="button" onclick={props.onexportcsv.reform(|_: MouseEvent| ())}>{ "Export CSV" }</button>
            <div class="field limit">
                <label for={id("limit")}>{ "History limit" }</label>
                <input id={id("limit")} type="number" min="1" value={(*limit_text).clone()}
                    onchange={onlimit} />
            </div>
            <span class="meter" aria-label="messages per second">{ format!("{} msg/s", props.rate) }</span>
            <span class="counts">
                { if props.shown == props.total {
                    format!("{} messages", props.total)
                } else {
                    format!("{} of {} messages", props.shown, props.total)
                } }
            </span>
        </div>
    }
}
