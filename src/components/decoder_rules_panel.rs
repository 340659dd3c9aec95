//! The payload decoder rules of the connection settings: an ordered list of topic filter →
//! decoder, first match first, with a row to add one and buttons to move or remove each. A
//! Protobuf or Avro rule takes `.proto` or `.avsc` files (their text is kept with the rule),
//! which the decoder Worker compiles to list their types, or to say where they do not compile.

use std::rc::Rc;

use payload_decoders::js::{Answer, Request};
use payload_decoders::{Format, MessageSchema, SchemaError, SchemaFile, MAX_SCHEMA_BYTES};
use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::text_input;
use crate::decoder_module::{self, Outcome};
use crate::decoder_rules::{
    files_key, format_key, rule_with, schema_error_text, DecoderRule, RuleProblem,
};
use crate::i18n::{use_i18n, Key, Text};

/// The schema files chosen for a new Protobuf or Avro rule, and what compiling them said.
#[derive(Clone, Debug, Default, PartialEq)]
struct Chosen {
    /// The format they were compiled for: files chosen for another are not this one's.
    format: Option<Format>,
    files: Vec<SchemaFile>,
    /// `None` while the Worker compiles (or before any file is chosen).
    compiled: Option<Result<Vec<String>, SchemaError>>,
}

/// Reads the chosen files' text, then has the Worker compile them as `format`.
fn read_and_compile(input: HtmlInputElement, format: Format, chosen: UseStateHandle<Chosen>) {
    let Some(list) = input.files() else {
        return;
    };
    let files: Vec<web_sys::File> = (0..list.length()).filter_map(|i| list.get(i)).collect();
    wasm_bindgen_futures::spawn_local(async move {
        let mut read = Vec::with_capacity(files.len());
        for file in files {
            let text = wasm_bindgen_futures::JsFuture::from(file.text()).await;
            read.push(SchemaFile {
                name: file.name(),
                text: text
                    .ok()
                    .and_then(|text| text.as_string())
                    .unwrap_or_default(),
            });
        }
        let size = read.iter().map(|file| file.text.len()).sum::<usize>();
        if size > MAX_SCHEMA_BYTES {
            chosen.set(Chosen {
                format: Some(format),
                files: read,
                compiled: Some(Err(SchemaError::TooLarge {
                    size,
                    limit: MAX_SCHEMA_BYTES,
                })),
            });
            return;
        }
        chosen.set(Chosen {
            format: Some(format),
            files: read.clone(),
            compiled: None,
        });
        let request = Request::Compile(read.clone());
        decoder_module::request(format, &request, move |outcome| {
            let compiled = match outcome {
                Outcome::Answered(Answer::Compiled(result)) => result,
                Outcome::Answered(Answer::Unusable(error)) => Err(error),
                // Only a module that did not load answers otherwise.
                _ => Err(SchemaError::NoSuchMessage(String::new())),
            };
            chosen.set(Chosen {
                format: Some(format),
                files: read,
                compiled: Some(compiled),
            });
        });
    });
}

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
    let refused = use_state(|| None::<RuleProblem>);
    let decoder = use_node_ref();
    let message = use_node_ref();
    // The decoder chosen in the select, for what the row shows beside it.
    let format = use_state(|| Format::Cbor);
    let chosen = use_state(Chosen::default);
    let id = |name: &str| format!("{}-decoders-{name}", props.ids);
    let onformat = {
        let format = format.clone();
        let refused = refused.clone();
        Callback::from(move |event: Event| {
            let select: Option<HtmlSelectElement> =
                event.target().and_then(|target| target.dyn_into().ok());
            if let Some(picked) = select.and_then(|select| Format::from_name(&select.value())) {
                format.set(picked);
                refused.set(None);
            }
        })
    };
    let onfiles = {
        let chosen = chosen.clone();
        let format = *format;
        Callback::from(move |event: Event| {
            let input: Option<HtmlInputElement> =
                event.target().and_then(|target| target.dyn_into().ok());
            if let Some(input) = input {
                read_and_compile(input, format, chosen.clone());
            }
        })
    };
    // Files chosen for the other schema format are not this one's.
    let chosen_here = chosen.format == Some(*format);

    let onfilter = {
        let filter = filter.clone();
        let refused = refused.clone();
        Callback::from(move |value: String| {
            filter.set(value);
            refused.set(None);
        })
    };
    let onadd = {
        let filter = filter.clone();
        let decoder = decoder.clone();
        let message = message.clone();
        let refused = refused.clone();
        let rules = props.rules.clone();
        let onchange = props.onchange.clone();
        let chosen = chosen.clone();
        Callback::from(move |_: MouseEvent| {
            let format = decoder
                .cast::<HtmlSelectElement>()
                .and_then(|select| Format::from_name(&select.value()))
                .unwrap_or(Format::Cbor);
            let schema = message
                .cast::<HtmlSelectElement>()
                .map(|select| select.value())
                .filter(|_| format.takes_schema() && chosen.format == Some(format))
                .map(|message| MessageSchema {
                    files: chosen.files.clone(),
                    message,
                });
            match rule_with(&filter, format, schema) {
                Ok(added) => {
                    let mut next = rules.clone();
                    next.push(added);
                    onchange.emit(next);
                    filter.set(String::new());
                }
                Err(problem) => refused.set(Some(problem)),
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
    let filter_error = matches!(*refused, Some(RuleProblem::InvalidFilter))
        .then(|| i18n.t(Key::DecodersInvalidFilter));
    let rule_error = match *refused {
        Some(RuleProblem::NoMessageType) => Some(
            i18n.text(&Text::new(Key::DecodersNoMessageType).with("files", files_key(*format))),
        ),
        Some(RuleProblem::SchemaTooLarge { size, limit }) => Some(i18n.text(&schema_error_text(
            *format,
            &SchemaError::TooLarge { size, limit },
        ))),
        _ => None,
    };
    let compiled = chosen.compiled.as_ref().filter(|_| chosen_here);
    let types: Rc<Vec<String>> = match compiled {
        Some(Ok(types)) => Rc::new(types.clone()),
        _ => Rc::default(),
    };
    let compile_error = match compiled {
        Some(Err(SchemaError::NoSuchMessage(name))) if name.is_empty() => {
            Some(i18n.t(Key::DecodedUnavailable).to_owned())
        }
        Some(Err(error)) => Some(i18n.text(&schema_error_text(*format, error))),
        _ => None,
    };
    let (files_label, accept, type_label) = match *format {
        Format::Avro => (Key::DecodersAvroFiles, ".avsc,.json", Key::DecodersAvroType),
        _ => (Key::DecodersProtoFiles, ".proto", Key::DecodersMessageType),
    };

    html! {
        <details class="decoders" open={!props.rules.is_empty()}>
            <summary>{ i18n.t(Key::DecodersHeading) }</summary>
            <p class="note">{ i18n.t(Key::DecodersHelp) }</p>
            if !props.rules.is_empty() {
                <ol class="decoder-rules">
                    { for props.rules.iter().enumerate().map(|(index, rule)| {
                        let label = match &rule.schema {
                            Some(schema) => i18n.text(&Text::new(Key::DecodersRuleMessage)
                                .with("filter", rule.filter.clone())
                                .with("format", format_key(rule.format))
                                .with("message", schema.message.clone())),
                            None => i18n.text(&Text::new(Key::DecodersRule)
                                .with("filter", rule.filter.clone())
                                .with("format", format_key(rule.format))),
                        };
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
                    filter_error) }
                <div class="field">
                    <label for={id("format")}>{ i18n.t(Key::DecodersFormat) }</label>
                    <select id={id("format")} ref={decoder} onchange={onformat}>
                        { for Format::ALL.into_iter().map(|f| html! {
                            <option value={f.name()} selected={f == *format}>
                                { i18n.t(format_key(f)) }
                            </option>
                        }) }
                    </select>
                </div>
                if format.takes_schema() {
                    <div class="field">
                        <label for={id("schema-files")}>{ i18n.t(files_label) }</label>
                        // Keyed by format: files chosen for one are not offered as the other's.
                        <input id={id("schema-files")} key={format.name()} type="file"
                            accept={accept} multiple=true onchange={onfiles} />
                        if let Some(error) = compile_error {
                            <p class="error" role="alert">{ error }</p>
                        }
                    </div>
                    <div class="field">
                        <label for={id("message")}>{ i18n.t(type_label) }</label>
                        <select id={id("message")} ref={message}>
                            { for types.iter().map(|name| html! {
                                <option value={name.clone()}>{ name.clone() }</option>
                            }) }
                        </select>
                    </div>
                }
                <button type="button" id={id("add")} onclick={onadd}>
                    { i18n.t(Key::DecodersAdd) }
                </button>
            </div>
            if let Some(error) = rule_error {
                <p class="error" role="alert">{ error }</p>
            }
        </details>
    }
}
