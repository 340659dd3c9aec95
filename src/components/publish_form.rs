use std::rc::Rc;

use mqtt_core::{OutgoingMessage, ProtocolVersion};
use payload_decoders::js::Answer;
use payload_decoders::Format;
use yew::prelude::*;

use super::request_mode::{request_fields, RequestSettings, SendRequest};
use super::{checkbox, on_value, qos_select, text_input};
use crate::decoder_module::{self, Outcome};
use crate::decoder_rules::{
    encode_error_text, encode_request, format_key, json_field_error_text, json_text_to_decoded,
    json_to_decoded, schema_error_text,
};
use crate::i18n::{use_i18n, Key, Text};
use crate::payload::PayloadFormat;
use crate::periodic::PeriodicPublish;
use crate::publish::{DraftField, PublishDraft};
use crate::validate;

#[derive(Properties, PartialEq)]
pub struct PublishFormProps {
    pub ids: AttrValue,
    pub version: ProtocolVersion,
    /// Messages sent by the running periodic publish; `None` when stopped.
    pub periodic_sent: Option<u64>,
    pub onpublish: Callback<OutgoingMessage, Result<(), Text>>,
    pub onstartperiodic: Callback<PeriodicPublish>,
    pub onstopperiodic: Callback<()>,
    /// A message to load into the form (from "Edit" in the sent history); changes each time.
    #[prop_or_default]
    pub load: Option<(u32, PublishDraft)>,
    /// Asks the form to publish (a keyboard shortcut); changes each time.
    #[prop_or_default]
    pub trigger: u32,
    /// Sends the message as a request (version 5's request mode), with the mode's fields.
    pub onrequest: SendRequest,
    /// The tab's response topic token, shown under the request mode's fields.
    pub request_token: AttrValue,
    /// The decoder rules in force: "JSON → Protobuf" (or Avro) encodes as the type of the first
    /// rule of that format matching the topic.
    #[prop_or_default]
    pub decoders: Vec<crate::decoder_rules::DecoderRule>,
    /// The tab's Sparkplug B session, which numbers what is published (`seq`, `bdSeq`).
    #[prop_or_default]
    pub decoder_session: u32,
}

#[component]
pub fn PublishForm(props: &PublishFormProps) -> Html {
    let i18n = use_i18n();
    let draft = use_state(PublishDraft::default);
    let error = use_state(|| None::<(DraftField, Text)>);
    let interval = use_state(|| "1000".to_owned());
    let request = use_reducer(RequestSettings::default);
    // The payload formats "JSON → CBOR" and "JSON → MessagePack": the payload is JSON, published
    // as the decoder Worker encodes it.
    // A format's name, or empty for none (a String: a state type the form has already).
    let encode_as = use_state(String::new);
    // Waiting for the Worker's encoding (the button says so).
    let encoding = use_state(|| false);
    let request_mode = request.enabled && props.version == ProtocolVersion::V5;
    {
        let draft = draft.clone();
        use_effect_with(props.load.clone(), move |load| {
            if let Some((_, loaded)) = load {
                draft.set(loaded.clone());
            }
        });
    }
    let id = |name: &str| format!("{}-{name}", props.ids);
    let edit = |f: fn(&mut PublishDraft, String)| {
        let draft = draft.clone();
        let error = error.clone();
        Callback::from(move |value: String| {
            let mut next = (*draft).clone();
            f(&mut next, value);
            draft.set(next);
            error.set(None);
        })
    };
    let toggle = |f: fn(&mut PublishDraft, bool)| {
        let draft = draft.clone();
        Callback::from(move |value: bool| {
            let mut next = (*draft).clone();
            f(&mut next, value);
            draft.set(next);
        })
    };

    let publish = {
        let draft = draft.clone();
        let error = error.clone();
        let onpublish = props.onpublish.clone();
        let onrequest = props.onrequest.clone();
        let request = request.clone();
        let encode_as = encode_as.clone();
        let encoding = encoding.clone();
        let version = props.version;
        let decoders = props.decoders.clone();
        let session = props.decoder_session;
        let send = Rc::new(move |message: OutgoingMessage| match request_mode {
            true => onrequest
                .emit((message, (*request).clone()))
                .map_err(|e| (DraftField::Properties, e)),
            false => onpublish
                .emit(message)
                .map_err(|e| (DraftField::Payload, e)),
        });
        Callback::from(move |()| {
            let Some(format) = Format::from_name(&encode_as) else {
                error.set(draft.build(version).and_then(|message| send(message)).err());
                return;
            };
            // The payload is read as JSON (its errors inline as for JSON), then encoded.
            let as_json = PublishDraft {
                format: PayloadFormat::Json,
                ..(*draft).clone()
            };
            let tree = as_json.build(version).and_then(|message| {
                let json = std::str::from_utf8(&message.payload)
                    .ok()
                    .and_then(|text| crate::json::parse(text).ok());
                let tree = json.as_ref().map(json_to_decoded);
                match tree {
                    Some(Ok(tree)) => Ok((message, tree)),
                    Some(Err(field)) => {
                        Err((DraftField::Payload, json_field_error_text(format, &field)))
                    }
                    // build() has checked the JSON already.
                    None => Err((DraftField::Payload, Text::new(Key::JsonUnexpectedCharacter))),
                }
            });
            let (mut message, tree) = match tree {
                Ok(built) => built,
                Err(problem) => {
                    error.set(Some(problem));
                    return;
                }
            };
            error.set(None);
            encoding.set(true);
            let error = error.clone();
            let encoding = encoding.clone();
            let send = send.clone();
            // A rule of the format for the topic gives the type (none: the Worker says so).
            let schema = crate::decoder_rules::rule_for(&decoders, &message.topic)
                .filter(|rule| rule.format == format && format.takes_schema())
                .and_then(|rule| rule.schema.clone());
            let request = encode_request(format, schema.as_ref(), session, &message.topic, tree);
            decoder_module::request(format, &request, move |outcome| {
                encoding.set(false);
                let result = match outcome {
                    Outcome::Answered(Answer::Encoded(Ok(bytes))) => {
                        message.payload = bytes.into();
                        send(message)
                    }
                    Outcome::Answered(Answer::Encoded(Err(problem))) => {
                        Err((DraftField::Payload, encode_error_text(format, &problem)))
                    }
                    Outcome::Answered(Answer::Unusable(problem)) => {
                        Err((DraftField::Payload, schema_error_text(format, &problem)))
                    }
                    _ => Err((DraftField::Payload, Text::new(Key::DecodedUnavailable))),
                };
                error.set(result.err());
            });
        })
    };
    {
        let publish = publish.clone();
        use_effect_with(props.trigger, move |trigger| {
            if *trigger > 0 {
                publish.emit(());
            }
        });
    }
    let onsubmit = publish.reform(|e: SubmitEvent| e.prevent_default());
    let onkeydown = {
        let publish = publish.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" && (e.ctrl_key() || e.meta_key()) {
                e.prevent_default();
                publish.emit(());
            }
        })
    };
    let onformat = {
        let draft = draft.clone();
        let error = error.clone();
        let encode_as = encode_as.clone();
        on_value::<Event>(move |key| {
            let mut next = (*draft).clone();
            // A payload format, or JSON to encode as CBOR or MessagePack.
            match Format::from_name(&key) {
                Some(format) => {
                    next.format = PayloadFormat::Json;
                    encode_as.set(format.name().to_owned());
                }
                None => {
                    next.format = PayloadFormat::from_key(&key).unwrap_or_default();
                    encode_as.set(String::new());
                }
            }
            draft.set(next);
            error.set(None);
        })
    };
    let onstart = {
        let draft = draft.clone();
        let error = error.clone();
        let interval = interval.clone();
        let onstart = props.onstartperiodic.clone();
        let encode_as = encode_as.clone();
        let version = props.version;
        Callback::from(move |_: MouseEvent| {
            let interval_ms = match validate::periodic_interval(&interval) {
                Ok(ms) => ms,
                Err(problem) => {
                    error.set(Some((DraftField::Properties, problem)));
                    return;
                }
            };
            // The placeholder stands for a number, so validate with one in its place.
            let sample = PublishDraft {
                payload: draft.payload.replace("{n}", "1"),
                ..(*draft).clone()
            };
            let message = match sample.build(version) {
                Ok(message) => message,
                Err(e) => return error.set(Some(e)),
            };
            let periodic = PeriodicPublish {
                message,
                template: draft.template(),
                interval_ms,
                encode: Format::from_name(&encode_as),
            };
            let Some(format) = periodic.encode else {
                error.set(None);
                return onstart.emit(periodic);
            };
            // The sample goes through the Worker first, so that a field no encoding holds is
            // named here rather than at the first tick.
            let sample = std::str::from_utf8(&periodic.message.payload).unwrap_or_default();
            let tree = match json_text_to_decoded(format, sample) {
                Ok(tree) => tree,
                Err(words) => return error.set(Some((DraftField::Payload, words))),
            };
            let error = error.clone();
            let onstart = onstart.clone();
            decoder_module::encode_each(format, vec![tree], move |encoded| match encoded {
                Ok(_) => {
                    error.set(None);
                    onstart.emit(periodic);
                }
                Err(words) => error.set(Some((DraftField::Payload, words))),
            });
        })
    };
    let onstop = props.onstopperiodic.reform(|_: MouseEvent| ());

    let error_for = |field: DraftField| {
        error
            .as_ref()
            .filter(|(f, _)| *f == field)
            .map(|(_, words)| i18n.text(words))
    };
    let payload_error_id = id("payload-error");
    let payload_error = error_for(DraftField::Payload);
    let is_v5 = props.version == ProtocolVersion::V5;

    html! {
        <form class="publish-form" {onsubmit} {onkeydown} novalidate=true>
            { text_input(&id("topic"), i18n.t(Key::PublishTopic), &draft.topic, edit(|d, v| d.topic = v),
                error_for(DraftField::Topic).as_deref()) }
            <div class="field payload">
                <label for={id("payload")}>{ i18n.t(Key::PublishPayload) }</label>
                <textarea id={id("payload")} rows="4" value={draft.payload.clone()}
                    placeholder={i18n.t(Key::PublishPayloadPlaceholder)}
                    aria-invalid={payload_error.is_some().then_some("true")}
                    aria-describedby={payload_error.is_some().then(|| payload_error_id.clone())}
                    oninput={on_value::<InputEvent>({
                        let edit = edit(|d, v| d.payload = v);
                        move |v| edit.emit(v)
                    })} />
                if let Some(words) = payload_error {
                    <p class="error" id={payload_error_id} role="alert">{ words.to_owned() }</p>
                }
            </div>
            <div class="row">
                <div class="field">
                    <label for={id("format")}>{ i18n.t(Key::PublishPayloadFormat) }</label>
                    <select id={id("format")} onchange={onformat}>
                        { for PayloadFormat::ALL.into_iter().map(|f| html! {
                            <option value={f.key()} selected={encode_as.is_empty() && f == draft.format}>{ i18n.t(f.label()) }</option>
                        }) }
                        // JSON that the decoder Worker encodes.
                        { for Format::ALL.into_iter().map(|f| html! {
                            <option value={f.name()} selected={*encode_as == f.name()}>
                                { i18n.text(&Text::new(Key::PublishEncodeAs).with("format", format_key(f))) }
                            </option>
                        }) }
                    </select>
                </div>
                { qos_select(&id("pub-qos"), "QoS", draft.qos, {
                    let draft = draft.clone();
                    Callback::from(move |qos| {
                        let mut next = (*draft).clone();
                        next.qos = qos;
                        draft.set(next);
                    })
                }) }
                { checkbox(&id("retain"), i18n.t(Key::PublishRetain), draft.retain, toggle(|d, v| d.retain = v)) }
            </div>
            if is_v5 {
                <details class="v5-properties">
                    <summary>{ i18n.t(Key::PublishV5Properties) }</summary>
                    { text_input(&id("content-type"), i18n.t(Key::PublishContentType), &draft.content_type,
                        edit(|d, v| d.content_type = v), None) }
                    { text_input(&id("response-topic"), i18n.t(Key::PublishResponseTopic), &draft.response_topic,
                        edit(|d, v| d.response_topic = v), None) }
                    { text_input(&id("correlation-data"), i18n.t(Key::PublishCorrelationData), &draft.correlation_data,
                        edit(|d, v| d.correlation_data = v), None) }
                    { text_input(&id("expiry"), i18n.t(Key::PublishMessageExpiry), &draft.message_expiry,
                        edit(|d, v| d.message_expiry = v), None) }
                    { checkbox(&id("utf8"), i18n.t(Key::PublishPayloadUtf8),
                        draft.payload_is_utf8, toggle(|d, v| d.payload_is_utf8 = v)) }
                    <div class="field">
                        <label for={id("user-properties")}>{ i18n.t(Key::PublishUserProperties) }</label>
                        <textarea id={id("user-properties")} rows="2" value={draft.user_properties.clone()}
                            oninput={on_value::<InputEvent>({
                                let edit = edit(|d, v| d.user_properties = v);
                                move |v| edit.emit(v)
                            })} />
                    </div>
                </details>
                { request_fields(i18n, &id, &request, &props.request_token, {
                    let dispatcher = request.dispatcher();
                    Callback::from(move |edit| dispatcher.dispatch(edit))
                }) }
            }
            if let Some(words) = error_for(DraftField::Properties) {
                <p class="error" role="alert">{ words.to_owned() }</p>
            }
            <div class="buttons">
                <button type="submit" class="primary" disabled={*encoding}>
                    { i18n.t(if *encoding {
                        Key::PublishEncoding
                    } else if request_mode {
                        Key::RequestSend
                    } else {
                        Key::Publish
                    }) }
                </button>
            </div>
            <fieldset class="periodic">
                <legend>{ i18n.t(Key::PeriodicPublish) }</legend>
                { text_input(&id("interval"), i18n.t(Key::PeriodicInterval), &interval, {
                    let interval = interval.clone();
                    Callback::from(move |v| interval.set(v))
                }, None) }
                if let Some(sent) = props.periodic_sent {
                    <button type="button" onclick={onstop}>{ i18n.t(Key::PeriodicStop) }</button>
                    <span class="periodic-count" role="status">{ i18n.text(&Text::new(Key::PeriodicSent).number("count", sent)) }</span>
                } else {
                    <button type="button" onclick={onstart}>{ i18n.t(Key::PeriodicStart) }</button>
                }
            </fieldset>
        </form>
    }
}
