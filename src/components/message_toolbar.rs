use yew::prelude::*;

use super::on_value;
use crate::i18n::{use_i18n, Key, Text};

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
    let i18n = use_i18n();
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
    let counts = if props.shown == props.total {
        Text::new(Key::MessageCount).number("count", props.total as u64)
    } else {
        Text::new(Key::MessageCountOf)
            .number("shown", props.shown as u64)
            .number("count", props.total as u64)
    };
    html! {
        <div class="toolbar" role="toolbar" aria-label={i18n.t(Key::MessagesTools)}>
            <div class="field search">
                <label for={id("search")}>{ i18n.t(Key::MessagesSearch) }</label>
                <input id={id("search")} type="search" value={props.search.clone()}
                    placeholder={i18n.t(Key::MessagesSearchPlaceholder)}
                    oninput={on_value::<InputEvent>({
                        let onsearch = props.onsearch.clone();
                        move |v| onsearch.emit(v)
                    })} />
            </div>
            if let Some(name) = &props.filtered_to {
                <button type="button" class="chip" onclick={props.onclearfilter.reform(|_: MouseEvent| ())}
                    aria-label={i18n.text(&Text::new(Key::MessagesShowAll).with("name", name.as_str()))}>
                    { i18n.text(&Text::new(Key::MessagesOnly).with("name", name.as_str())) }
                </button>
            }
            <button type="button" aria-pressed={paused.to_string()}
                onclick={props.onpause.reform(move |_: MouseEvent| !paused)}>
                { if paused {
                    i18n.text(&Text::new(Key::MessagesResume).number("count", props.held as u64))
                } else {
                    i18n.t(Key::MessagesPause).to_owned()
                } }
            </button>
            <button type="button" onclick={props.onclear.reform(|_: MouseEvent| ())}>{ i18n.t(Key::MessagesClear) }</button>
            <button type="button" onclick={props.onexportjson.reform(|_: MouseEvent| ())}>{ i18n.t(Key::MessagesExportJson) }</button>
            <button type="button" onclick={props.onexportcsv.reform(|_: MouseEvent| ())}>{ i18n.t(Key::MessagesExportCsv) }</button>
            <div class="field limit">
                <label for={id("limit")}>{ i18n.t(Key::MessagesHistoryLimit) }</label>
                <input id={id("limit")} type="number" min="1" value={(*limit_text).clone()}
                    onchange={onlimit} />
            </div>
            <span class="meter" aria-label={i18n.t(Key::MessagesRateLabel)}>
                { i18n.text(&Text::new(Key::MessagesRate).number("rate", props.rate.into())) }
            </span>
            <span class="counts">{ i18n.text(&counts) }</span>
        </div>
    }
}
