use std::collections::VecDeque;

use yew::prelude::*;

use super::format_time;
use crate::i18n::use_i18n;
use crate::state::{LogEntry, LogLevel};

#[derive(Properties, PartialEq)]
pub struct LogViewProps {
    pub log: VecDeque<LogEntry>,
}

/// The connection's event log, newest first.
#[component]
pub fn LogView(props: &LogViewProps) -> Html {
    let i18n = use_i18n();
    html! {
        <details class="log">
            <summary>{ format!("Connection log ({})", props.log.len()) }</summary>
            <ol aria-label="Connection log">
                { for props.log.iter().rev().map(|entry| html! {
                    <li class={classes!((entry.level == LogLevel::Error).then_some("error"))}>
                        <span class="time">{ format_time(entry.at) }</span>
                        { " " }
                        { i18n.text(&entry.text) }
                    </li>
                }) }
            </ol>
        </details>
    }
}
