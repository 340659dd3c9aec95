//! A payload against the one before it on its topic: changes by path for JSON, lines for text.

use yew::prelude::*;

use crate::diff::{diff_payloads, ChangeKind, LineChange, PayloadDiff};
use crate::i18n::{use_i18n, I18n, Key, Text};

/// Unchanged lines shown around each change; longer unchanged stretches fold.
const CONTEXT_LINES: usize = 3;

#[derive(Properties, PartialEq)]
pub struct PayloadDiffViewProps {
    pub old: mqtt_core::Bytes,
    pub new: mqtt_core::Bytes,
}

fn json_changes(i18n: I18n, diff: &crate::diff::JsonDiff) -> Html {
    if diff.changes.is_empty() {
        return html! { <p class="note">{ i18n.t(Key::DiffSameJson) }</p> };
    }
    let value = |key: Key, value: &str| i18n.text(&Text::new(key).with("value", value));
    html! {
        <>
            <ul class="diff json-diff" aria-label={i18n.t(Key::DiffChangedKeys)}>
                { for diff.changes.iter().map(|change| {
                    let path = change.path.to_string();
                    match &change.kind {
                        ChangeKind::Added { new } => html! {
                            <li class="added"><span class="path">{ path }</span>{ " " }{ value(Key::DiffAdded, new) }</li>
                        },
                        ChangeKind::Removed { old } => html! {
                            <li class="removed"><span class="path">{ path }</span>{ " " }{ value(Key::DiffRemoved, old) }</li>
                        },
                        ChangeKind::Changed { old, new } => html! {
                            <li class="changed"><span class="path">{ path }</span>{ format!(": {old} → {new}") }</li>
                        },
                    }
                }) }
            </ul>
            if !diff.complete {
                <p class="note">{ i18n.text(&Text::new(Key::DiffMore).number("count", diff.changes.len() as u64)) }</p>
            }
        </>
    }
}

fn line_changes(i18n: I18n, diff: &crate::diff::LineDiff) -> Html {
    let mut lines = Vec::new();
    let runs = &diff.runs;
    for (at, run) in runs.iter().enumerate() {
        let (class, sign) = match run.change {
            LineChange::Kept => ("kept", "  "),
            LineChange::Removed => ("removed", "- "),
            LineChange::Added => ("added", "+ "),
        };
        let all: Vec<&str> = run.lines().collect();
        if run.change == LineChange::Kept && all.len() > 2 * CONTEXT_LINES + 1 {
            // Context after the change before this run and before the change after it.
            let head = if at == 0 { 0 } else { CONTEXT_LINES };
            let tail = if at + 1 == runs.len() {
                0
            } else {
                CONTEXT_LINES
            };
            for line in &all[..head] {
                lines.push(html! { <span class="kept">{ format!("  {line}\n") }</span> });
            }
            let folded = Text::new(Key::DiffUnchangedLines)
                .number("count", (all.len() - head - tail) as u64);
            lines.push(
                html! { <span class="fold">{ format!("  {}\n", i18n.text(&folded)) }</span> },
            );
            for line in &all[all.len() - tail..] {
                lines.push(html! { <span class="kept">{ format!("  {line}\n") }</span> });
            }
        } else {
            for line in all {
                lines.push(html! { <span class={class}>{ format!("{sign}{line}\n") }</span> });
            }
        }
    }
    html! {
        <>
            <pre class="diff line-diff" aria-label={i18n.t(Key::DiffChangedLines)}>{ for lines }</pre>
            if !diff.shortest {
                <p class="note">{ i18n.t(Key::DiffNotShortest) }</p>
            }
        </>
    }
}

#[component]
pub fn PayloadDiffView(props: &PayloadDiffViewProps) -> Html {
    let i18n = use_i18n();
    // The language is part of the memo's key: what it keeps is rendered words.
    let shown = use_memo(
        (props.old.clone(), props.new.clone(), i18n),
        |(old, new, i18n)| match diff_payloads(old, new) {
            PayloadDiff::Identical => {
                html! { <p class="note">{ i18n.t(Key::DiffIdentical) }</p> }
            }
            PayloadDiff::Json(diff) => json_changes(*i18n, &diff),
            PayloadDiff::Text(diff) => line_changes(*i18n, &diff),
            PayloadDiff::Binary {
                old_len,
                new_len,
                first_difference,
            } => html! {
                <p class="note">{ i18n.text(&Text::new(Key::DiffBinary)
                    .number("old", old_len as u64)
                    .number("new", new_len as u64)
                    .number("at", first_difference as u64)) }</p>
            },
        },
    );
    (*shown).clone()
}
