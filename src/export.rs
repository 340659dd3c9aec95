//! Shown messages as JSON or CSV, and the download of such a file.

use std::rc::Rc;

use crate::json::Value;
use crate::payload::base64_encode;
use crate::state::Message;

/// Text payloads as text, others as base64 (marked by `encoding`).
fn payload_fields(message: &Message) -> (&'static str, String) {
    match std::str::from_utf8(&message.payload) {
        Ok(text) => ("utf8", text.to_owned()),
        Err(_) => ("base64", base64_encode(&message.payload)),
    }
}

fn iso_time(epoch_millis: u64) -> String {
    js_sys::Date::new(&wasm_bindgen::JsValue::from(epoch_millis as f64))
        .to_iso_string()
        .into()
}

pub fn to_json(messages: &[Rc<Message>], time: impl Fn(u64) -> String) -> String {
    let items = messages
        .iter()
        .map(|m| {
            let (encoding, payload) = payload_fields(m);
            let mut members = vec![
                ("time".into(), Value::String(time(m.received_at))),
                ("topic".into(), Value::String(m.topic.clone())),
                ("qos".into(), Value::Number((m.qos as u8).to_string())),
                ("retain".into(), Value::Bool(m.retain)),
                ("encoding".into(), Value::String(encoding.into())),
                ("payload".into(), Value::String(payload)),
            ];
            let p = &m.properties;
            if let Some(content_type) = &p.content_type {
                members.push(("contentType".into(), Value::String(content_type.clone())));
            }
            if let Some(topic) = &p.response_topic {
                members.push(("responseTopic".into(), Value::String(topic.clone())));
            }
            if !p.user_properties.is_empty() {
                let pairs = p
                    .user_properties
                    .iter()
                    .map(|(n, v)| {
                        Value::Array(vec![Value::String(n.clone()), Value::String(v.clone())])
                    })
                    .collect();
                members.push(("userProperties".into(), Value::Array(pairs)));
            }
            Value::Object(members)
        })
        .collect();
    Value::Array(items).to_pretty()
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

pub fn to_csv(messages: &[Rc<Message>], time: impl Fn(u64) -> String) -> String {
    let mut out = String::from("time,topic,qos,retain,encoding,payload\r\n");
    for m in messages {
        let (encoding, payload) = payload_fields(m);
        out.push_str(&format!(
            "{},{},{},{},{},{}\r\n",
            csv_field(&time(m.received_at)),
            csv_field(&m.topic),
            m.qos as u8,
            m.retain,
            encoding,
            csv_field(&payload)
        ));
    }
    out
}

pub fn export_json(messages: &[Rc<Message>]) -> String {
    to_json(messages, iso_time)
}

pub fn export_csv(messages: &[Rc<Message>]) -> String {
    to_csv(messages, iso_time)
}

/// Offers `content` as a file download through a Blob object URL.
pub fn download(file_name: &str, mime_type: &str, content: &str) {
    download_blob(
        file_name,
        gloo::file::Blob::new_with_options(content, Some(mime_type)),
    );
}

/// Offers `blob` as a file download through an object URL (a recording's parts, joined).
pub fn download_blob(file_name: &str, blob: impl Into<gloo::file::Blob>) {
    use wasm_bindgen::JsCast;
    let url = gloo::file::ObjectUrl::from(blob.into());
    let Some(anchor) = gloo::utils::document()
        .create_element("a")
        .ok()
        .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    else {
        return;
    };
    anchor.set_href(&url);
    anchor.set_download(file_name);
    anchor.click();
    // The download reads the URL after this returns; release it a little later.
    gloo::timers::callback::Timeout::new(30_000, move || drop(url)).forget();
}

#[cfg(test)]
mod tests {
    use super::*;
    use mqtt_core::{Bytes, PublishProperties, QoS};

    fn message(topic: &str, payload: &[u8]) -> Rc<Message> {
        Rc::new(Message {
            seq: 1,
            topic: topic.into(),
            payload: Bytes::from(payload.to_vec()),
            qos: QoS::AtLeastOnce,
            retain: true,
            dup: false,
            received_at: 5,
            properties: PublishProperties {
                user_properties: vec![("k".into(), "v".into())],
                ..Default::default()
            },
            subscription: None,
        })
    }

    #[test]
    fn json_export_keeps_text_and_encodes_binary() {
        let json = to_json(
            &[message("a/b", b"hi \"there\""), message("bin", &[0xff, 0])],
            |t| t.to_string(),
        );
        let parsed = crate::json::parse(&json).expect("valid JSON");
        let items = parsed.as_array().expect("array");
        assert_eq!(
            items[0].get("payload").and_then(Value::as_str),
            Some("hi \"there\"")
        );
        assert_eq!(items[0].get("qos").and_then(Value::as_u64), Some(1));
        assert_eq!(
            items[1].get("encoding").and_then(Value::as_str),
            Some("base64")
        );
        assert_eq!(
            items[1].get("payload").and_then(Value::as_str),
            Some("/wA=")
        );
        assert!(items[0].get("userProperties").is_some());
    }

    #[test]
    fn csv_export_quotes_fields_with_separators() {
        let csv = to_csv(&[message("a,b", b"line1\nsays \"hi\"")], |t| t.to_string());
        assert_eq!(
            csv,
            "time,topic,qos,retain,encoding,payload\r\n5,\"a,b\",1,true,utf8,\"line1\nsays \"\"hi\"\"\"\r\n"
        );
    }
}
