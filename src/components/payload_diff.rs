//! A payload against the one before it on its topic: changes by path for JSON, lines for text.

use yew::prelude::*;

use crate::diff::{diff_payloads, ChangeKind, LineChange, PayloadDiff};

/// Unchanged lines shown around each change; longer unchanged stretches fold.
const CONTEXT_LINES: usize = 3;

#[derive(Properties, PartialEq)]
pub struct PayloadDiffViewProps {
    pub old: mqtt_core::Bytes,
    pub new: mqtt_core::Bytes,
}

fn json_changes(diff: &crate::diff::JsonDiff) -> Html {
    if diff.changes.is_empty() {
        return html! { <p class="note">{ "The same JSON, written differently." }</p> };
    }
    html! {
        <>
            <ul class="diff json-diff" aria-label="Changed keys">
                { for diff.changes.iter().map(|change| {
                    let path = change.path.to_string();
                    match &change.kind {
                        ChangeKind::Added { new } => html! {
                            <li class="added"><span class="path">{ path }</span>{ format!(" added: {new}") }</li>
                        },
                        ChangeKind::Removed { old } => html! {
                            <li class="removed"><span class="path">{ path }</span>{ format!(" removed (was {old})") }</li>
                        },
                        ChangeKind::Changed { old, new } => html! {
                            <li class="changed"><span class="path">{ path }</span>{ format!(": {old} → {new}") }</li>
                        },
                    }
                }) }
            </ul>
            if !diff.complete {
                <p class="note">{ format!("The first {} changes; there are more.", diff.changes.len()) }</p>
            }
        </>
    }
}

fn line_changes(diff: &crate::diff::LineDiff) -> Html {
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
            let folded = all.len() - head - tail;
            lines.push(
                html! { <span class="fold">{ format!("  … {folded} unchanged lines\n") }</span> },
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
            <pre class="diff line-diff" aria-label="Changed lines">{ for lines }</pre>
            if !diff.shortest {
                <p class="note">{ "Too many changes to match line by line: the differing part is shown as removed, then added." }</p>
            }
        </>
    }
}

#[component]
pub fn PayloadDiffView(props: &PayloadDiffViewProps) -> Html {
    let shown = use_memo(
        (props.old.clone(), props.new.clone()),
        |(old, new)| match diff_payloads(old, new) {
            PayloadDiff::Identical => {
                html! { <p class="note">{ "The same payload as the message before." }</p> }
            }
            PayloadDiff::Json(diff) => json_changes(&diff),
            PayloadDiff::Text(diff) => line_changes(&diff),
            PayloadDiff::Binary {
                old_len,
                new_len,
                first_difference,
            } => html! {
                <p class="note">{ format!("Binary payloads: {old_len} bytes before, {new_len} now; \
                    they part at byte {first_difference}.") }</p>
            },
        },
    );
    (*shown).clone()
}
