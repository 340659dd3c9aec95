//! The payload decoder rules of the connection settings: an ordered list of topic filter →
//! decoder, first match first, with a row to add one and buttons to move or remove each.

use payload_decoders::Format;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use super::text_input;
use crate::decoder_rules::{format_key, rule, DecoderRule, RuleProblem};
use crate::i18n::{use_i18n, Key, Text};

#[derive(Properties, PartialEq)]
pub struct DecoderRulesPanelProps {
    pub ids: AttrValue,
    pub rules: Vec<DecoderRule>,
    pub onchange: Callback<Vec<DecoderRule>>,
}

#[component]
pub fn DecoderRulesPanel(props: &DecoderRulesPanelProps) -> Html {
    let i18n = use_i18n();
    let filter = use_state(String::new);
    // Whether the filter was refused. The decoder is read from its select when a rule is
    // added: what is chosen then, whatever has rendered since.
    let refused = use_state(|| false);
    let decoder = use_node_ref();
    let id = |name: &str| format!("{}-decoders-{name}", props.ids);

    let onfilter = {
        let filter = filter.clone();
        let refused = refused.clone();
        Callback::from(move |value: String| {
            filter.set(value);
            refused.set(false);
        })
    };
    let onadd = {
        let filter = filter.clone();
        let decoder = decoder.clone();
        let refused = refused.clone();
        let rules = props.rules.clone();
        let onchange = props.onchange.clone();
        Callback::from(move |_: MouseEvent| {
            let chosen = decoder
                .cast::<HtmlSelectElement>()
                .and_then(|select| Format::from_name(&select.value()))
                .unwrap_or(Format::Cbor);
            match rule(&filter, chosen) {
                Ok(added) => {
                    let mut next = rules.clone();
                    next.push(added);
                    onchange.emit(next);
                    filter.set(String::new());
                }
                Err(RuleProblem::InvalidFilter) => refused.set(true),
            }
        })
    };
    let change = |index: usize, edit: fn(&mut Vec<DecoderRule>, usize)| {
        let rules = props.rules.clone();
        let onchange = props.onchange.clone();
        Callback::from(move |_: MouseEvent| {
            let mut next = rules.clone();
            edit(&mut next, index);
            onchange.emit(next);
        })
    };
    let error_text = refused.then(|| i18n.t(Key::DecodersInvalidFilter));

    html! {
        <details class="decoders" open={!props.rules.is_empty()}>
            <summary>{ i18n.t(Key::DecodersHeading) }</summary>
            <p class="note">{ i18n.t(Key::DecodersHelp) }</p>
            if !props.rules.is_empty() {
                <ol class="decoder-rules">
                    { for props.rules.iter().enumerate().map(|(index, rule)| {
                        let label = i18n.text(&Text::new(Key::DecodersRule)
                            .with("filter", rule.filter.clone())
                            .with("format", format_key(rule.format)));
                        html! {
                            <li>
                                <span class="rule">{ label.clone() }</span>
                                if index > 0 {
                                    <button type="button"
                                        aria-label={format!("{} {label}", i18n.t(Key::DecodersUp))}
                                        onclick={change(index, |rules, i| rules.swap(i - 1, i))}>
                                        { "↑" }
                                    </button>
                                }
                                <button type="button"
                                    aria-label={format!("{} {label}", i18n.t(Key::DecodersRemove))}
                                    onclick={change(index, |rules, i| { rules.remove(i); })}>
                                    { "✕" }
                                </button>
                            </li>
                        }
                    }) }
                </ol>
            }
            <div class="row">
                { text_input(&id("filter"), i18n.t(Key::DecodersFilter), &filter, onfilter,
                    error_text) }
                <div class="field">
                    <label for={id("format")}>{ i18n.t(Key::DecodersFormat) }</label>
                    <select id={id("format")} ref={decoder}>
                        { for Format::ALL.into_iter().map(|f| html! {
                            <option value={f.name()}>
                                { i18n.t(format_key(f)) }
                            </option>
                        }) }
                    </select>
                </div>
                <button type="button" id={id("add")} onclick={onadd}>
                    { i18n.t(Key::DecodersAdd) }
                </button>
            </div>
        </details>
    }
}
