use std::collections::VecDeque;

use yew::prelude::*;

use crate::i18n::{use_i18n, Key, Text};
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
            <summary>
                { i18n.text(&Text::new(Key::ConnectionLogSummary).number("count", props.log.len() as u64)) }
            </summary>
            <ol aria-label={i18n.t(Key::ConnectionLogLabel)}>
                { for props.log.iter().rev().map(|entry| html! {
                    <li class={classes!((entry.level == LogLevel::Error).then_some("error"))}>
                        <span class="time">{ i18n.time(entry.at) }</span>
                        { " " }
                        { i18n.text(&entry.text) }
                    </li>
                }) }
            </ol>
        </details>
    }
}
