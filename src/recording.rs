//! Recordings: the JSON Lines format of docs/RECORDING.md (a header line, then one line per
//! message), written in batches and read back line by line, the app's own JSON export read as a
//! recording, and the `Recorder` that streams the lines into Blob parts while it runs.

use mqtt_core::{Bytes, OutgoingMessage, PublishProperties, QoS};

use crate::json::{self, Value};
use crate::payload::{base64_decode, base64_encode};
use crate::state::Message;

/// The `format` member of the header line, and the version this code writes and reads.
pub const FORMAT: &str = "mqtt-web-client-recording";
pub const VERSION: u64 = 1;

/// Encoded lines are kept as one string until this many bytes, then handed to a Blob part.
const PART_BYTES: usize = 256 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Received,
    Sent,
}

/// One recorded message.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    /// Milliseconds since the recording started.
    pub offset_ms: u64,
    pub direction: Direction,
    pub topic: String,
    pub qos: QoS,
    pub retain: bool,
    pub payload: Bytes,
    pub properties: PublishProperties,
}

impl Record {
    pub fn received(message: &Message, started_at: u64) -> Record {
        Record {
            offset_ms: message.received_at.saturating_sub(started_at),
            direction: Direction::Received,
            topic: message.topic.clone(),
            qos: message.qos,
            retain: message.retain,
            payload: message.payload.clone(),
            properties: message.properties.clone(),
        }
    }

    pub fn sent(message: &OutgoingMessage, offset_ms: u64) -> Record {
        Record {
            offset_ms,
            direction: Direction::Sent,
            topic: message.topic.clone(),
            qos: message.qos,
            retain: message.retain,
            payload: message.payload.clone(),
            properties: message.properties.clone(),
        }
    }

    /// The message to publish again, under `topic`. What only a server sets (subscription
    /// identifiers) and what belongs to one connection (a topic alias) is not sent.
    pub fn to_outgoing(&self, topic: String) -> OutgoingMessage {
        let mut properties = self.properties.clone();
        properties.subscription_identifiers.clear();
        properties.topic_alias = None;
        OutgoingMessage {
            topic,
            payload: self.payload.clone(),
            qos: self.qos,
            retain: self.retain,
            properties,
        }
    }
}

fn string(text: &str) -> Value {
    Value::String(text.to_owned())
}

fn number(n: impl ToString) -> Value {
    Value::Number(n.to_string())
}

/// The header line, with its line break.
pub fn header_line(broker: &str, started_at_ms: u64, started_at_iso: &str) -> String {
    let mut line = Value::Object(vec![
        ("format".into(), string(FORMAT)),
        ("version".into(), number(VERSION)),
        ("broker".into(), string(broker)),
        ("startedAt".into(), string(started_at_iso)),
        ("startedAtMs".into(), number(started_at_ms)),
    ])
    .to_compact();
    line.push('\n');
    line
}

fn properties_value(p: &PublishProperties) -> Value {
    let mut members = Vec::new();
    if let Some(indicator) = p.payload_format_indicator {
        members.push(("payloadFormatIndicator".into(), number(indicator)));
    }
    if let Some(expiry) = p.message_expiry_interval {
        members.push(("messageExpiryInterval".into(), number(expiry)));
    }
    if let Some(content_type) = &p.content_type {
        members.push(("contentType".into(), string(content_type)));
    }
    if let Some(topic) = &p.response_topic {
        members.push(("responseTopic".into(), string(topic)));
    }
    if let Some(data) = &p.correlation_data {
        members.push(("correlationData".into(), string(&base64_encode(data))));
    }
    if !p.user_properties.is_empty() {
        let pairs = p
            .user_properties
            .iter()
            .map(|(n, v)| Value::Array(vec![string(n), string(v)]))
            .collect();
        members.push(("userProperties".into(), Value::Array(pairs)));
    }
    if !p.subscription_identifiers.is_empty() {
        let ids = p.subscription_identifiers.iter().map(number).collect();
        members.push(("subscriptionIdentifiers".into(), Value::Array(ids)));
    }
    Value::Object(members)
}

/// Appends one message's line, with its line break, to `out`.
pub fn encode_line(record: &Record, out: &mut String) {
    let mut members = vec![
        ("t".into(), number(record.offset_ms)),
        (
            "dir".into(),
            string(match record.direction {
                Direction::Received => "in",
                Direction::Sent => "out",
            }),
        ),
        ("topic".into(), string(&record.topic)),
        ("qos".into(), number(record.qos as u8)),
        ("retain".into(), Value::Bool(record.retain)),
        ("payload".into(), string(&base64_encode(&record.payload))),
    ];
    let properties = properties_value(&record.properties);
    if properties != Value::Object(Vec::new()) {
        members.push(("props".into(), properties));
    }
    out.push_str(&Value::Object(members).to_compact());
    out.push('\n');
}

/// What is wrong with one line (or, for the export, one item).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LineError {
    Json(json::JsonProblem),
    /// A member is missing or has the wrong type or value.
    Member(&'static str),
    /// The header names another format, or a version this code does not read.
    Header,
}

/// A line that could not be read: its number (from 1) and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadLine {
    pub line: usize,
    pub error: LineError,
}

/// A file read as a recording: every message that could be read, in file order, and every line
/// that could not (the others are kept).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Loaded {
    pub broker: Option<String>,
    pub records: Vec<Record>,
    pub errors: Vec<BadLine>,
}

fn qos_of(value: Option<&Value>) -> Option<QoS> {
    match value?.as_u64()? {
        0 => Some(QoS::AtMostOnce),
        1 => Some(QoS::AtLeastOnce),
        2 => Some(QoS::ExactlyOnce),
        _ => None,
    }
}

fn user_properties(value: &Value) -> Option<Vec<(String, String)>> {
    value
        .as_array()?
        .iter()
        .map(|pair| match pair.as_array()? {
            [name, value] => Some((name.as_str()?.to_owned(), value.as_str()?.to_owned())),
            _ => None,
        })
        .collect()
}

fn read_properties(value: &Value) -> Result<PublishProperties, LineError> {
    if !matches!(value, Value::Object(_)) {
        return Err(LineError::Member("props"));
    }
    let small = |name: &'static str| -> Result<Option<u64>, LineError> {
        value
            .get(name)
            .map(|v| v.as_u64().ok_or(LineError::Member(name)))
            .transpose()
    };
    let text = |name: &'static str| -> Result<Option<String>, LineError> {
        value
            .get(name)
            .map(|v| v.as_str().map(str::to_owned).ok_or(LineError::Member(name)))
            .transpose()
    };
    let payload_format_indicator = small("payloadFormatIndicator")?
        .map(|n| u8::try_from(n).map_err(|_| LineError::Member("payloadFormatIndicator")))
        .transpose()?;
    let message_expiry_interval = small("messageExpiryInterval")?
        .map(|n| u32::try_from(n).map_err(|_| LineError::Member("messageExpiryInterval")))
        .transpose()?;
    let correlation_data = text("correlationData")?
        .map(|data| {
            base64_decode(&data)
                .map(Bytes::from)
                .map_err(|_| LineError::Member("correlationData"))
        })
        .transpose()?;
    let user_properties = value
        .get("userProperties")
        .map(|v| user_properties(v).ok_or(LineError::Member("userProperties")))
        .transpose()?
        .unwrap_or_default();
    let subscription_identifiers = value
        .get("subscriptionIdentifiers")
        .map(|v| {
            v.as_array()
                .and_then(|ids| {
                    ids.iter()
                        .map(|id| id.as_u64().and_then(|n| u32::try_from(n).ok()))
                        .collect::<Option<Vec<u32>>>()
                })
                .ok_or(LineError::Member("subscriptionIdentifiers"))
        })
        .transpose()?
        .unwrap_or_default();
    Ok(PublishProperties {
        payload_format_indicator,
        message_expiry_interval,
        topic_alias: None,
        response_topic: text("responseTopic")?,
        correlation_data,
        user_properties,
        subscription_identifiers,
        content_type: text("contentType")?,
    })
}

fn read_line(value: &Value) -> Result<Record, LineError> {
    let offset_ms = value
        .get("t")
        .and_then(Value::as_u64)
        .ok_or(LineError::Member("t"))?;
    let direction = match value.get("dir").and_then(Value::as_str) {
        Some("in") => Direction::Received,
        Some("out") => Direction::Sent,
        _ => return Err(LineError::Member("dir")),
    };
    let topic = value
        .get("topic")
        .and_then(Value::as_str)
        .ok_or(LineError::Member("topic"))?
        .to_owned();
    let qos = qos_of(value.get("qos")).ok_or(LineError::Member("qos"))?;
    let retain = value
        .get("retain")
        .and_then(Value::as_bool)
        .ok_or(LineError::Member("retain"))?;
    let payload = value
        .get("payload")
        .and_then(Value::as_str)
        .and_then(|text| base64_decode(text).ok())
        .ok_or(LineError::Member("payload"))?;
    let properties = match value.get("props") {
        Some(props) => read_properties(props)?,
        None => PublishProperties::default(),
    };
    Ok(Record {
        offset_ms,
        direction,
        topic,
        qos,
        retain,
        payload: Bytes::from(payload),
        properties,
    })
}

/// Reads a recording (JSON Lines) or the app's JSON export (an array), told apart by the first
/// character. `parse_time` reads the export's `time` (an ISO date) as epoch milliseconds.
pub fn load(text: &str, parse_time: impl Fn(&str) -> Option<u64>) -> Loaded {
    if text.trim_start().starts_with('[') {
        load_export(text, parse_time)
    } else {
        load_lines(text)
    }
}

fn load_lines(text: &str) -> Loaded {
    let mut loaded = Loaded::default();
    let mut header_seen = false;
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        if line.trim().is_empty() {
            continue;
        }
        let result = json::parse(line)
            .map_err(|e| LineError::Json(e.problem))
            .and_then(|value| {
                if !header_seen && value.get("format").is_some() {
                    header_seen = true;
                    let ours = value.get("format").and_then(Value::as_str) == Some(FORMAT)
                        && value.get("version").and_then(Value::as_u64) == Some(VERSION);
                    if !ours {
                        return Err(LineError::Header);
                    }
                    loaded.broker = value.get("broker").and_then(Value::as_str).map(Into::into);
                    return Ok(None);
                }
                read_line(&value).map(Some)
            });
        match result {
            Ok(Some(record)) => loaded.records.push(record),
            Ok(None) => {}
            Err(error) => loaded.errors.push(BadLine {
                line: number,
                error,
            }),
        }
    }
    loaded
}

/// The export's items as messages received, timed from the first one; an item that cannot be
/// read is named by its number (from 1).
fn load_export(text: &str, parse_time: impl Fn(&str) -> Option<u64>) -> Loaded {
    let mut loaded = Loaded::default();
    let items = match json::parse(text) {
        Ok(Value::Array(items)) => items,
        Ok(_) => {
            loaded.errors.push(BadLine {
                line: 1,
                error: LineError::Member("[]"),
            });
            return loaded;
        }
        Err(error) => {
            let line = text[..error.offset.min(text.len())].matches('\n').count() + 1;
            loaded.errors.push(BadLine {
                line,
                error: LineError::Json(error.problem),
            });
            return loaded;
        }
    };
    let mut first = None;
    for (index, item) in items.iter().enumerate() {
        match read_export_item(item, &parse_time) {
            Ok((at, mut record)) => {
                let start = *first.get_or_insert(at);
                record.offset_ms = at.saturating_sub(start);
                loaded.records.push(record);
            }
            Err(error) => loaded.errors.push(BadLine {
                line: index + 1,
                error,
            }),
        }
    }
    loaded
}

fn read_export_item(
    item: &Value,
    parse_time: &impl Fn(&str) -> Option<u64>,
) -> Result<(u64, Record), LineError> {
    let at = item
        .get("time")
        .and_then(Value::as_str)
        .and_then(parse_time)
        .ok_or(LineError::Member("time"))?;
    let topic = item
        .get("topic")
        .and_then(Value::as_str)
        .ok_or(LineError::Member("topic"))?
        .to_owned();
    let qos = qos_of(item.get("qos")).ok_or(LineError::Member("qos"))?;
    let retain = item
        .get("retain")
        .and_then(Value::as_bool)
        .ok_or(LineError::Member("retain"))?;
    let text = item
        .get("payload")
        .and_then(Value::as_str)
        .ok_or(LineError::Member("payload"))?;
    let payload = match item.get("encoding").and_then(Value::as_str) {
        Some("utf8") => text.as_bytes().to_vec(),
        Some("base64") => base64_decode(text).map_err(|_| LineError::Member("payload"))?,
        _ => return Err(LineError::Member("encoding")),
    };
    let mut properties = PublishProperties::default();
    if let Some(value) = item.get("contentType") {
        properties.content_type = Some(
            value
                .as_str()
                .ok_or(LineError::Member("contentType"))?
                .into(),
        );
    }
    if let Some(value) = item.get("responseTopic") {
        properties.response_topic = Some(
            value
                .as_str()
                .ok_or(LineError::Member("responseTopic"))?
                .into(),
        );
    }
    if let Some(value) = item.get("userProperties") {
        properties.user_properties =
            user_properties(value).ok_or(LineError::Member("userProperties"))?;
    }
    Ok((
        at,
        Record {
            offset_ms: 0,
            direction: Direction::Received,
            topic,
            qos,
            retain,
            payload: Bytes::from(payload),
            properties,
        },
    ))
}

/// How replayed topics are changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Rewrite {
    #[default]
    Keep,
    /// Put this in front of every topic.
    AddPrefix(String),
    /// A topic starting with `from` starts with `to` instead; others are kept.
    ReplacePrefix { from: String, to: String },
}

impl Rewrite {
    pub fn topic(&self, topic: &str) -> String {
        match self {
            Rewrite::Keep => topic.to_owned(),
            Rewrite::AddPrefix(prefix) => format!("{prefix}{topic}"),
            Rewrite::ReplacePrefix { from, to } => match topic.strip_prefix(from.as_str()) {
                Some(rest) => format!("{to}{rest}"),
                None => topic.to_owned(),
            },
        }
    }
}

/// A running recording: lines encoded a batch at a time into a string, which goes into a Blob
/// part (which the browser may keep out of the page's memory, on disk) every `PART_BYTES`; the
/// file is the parts joined at `finish`. Only the driver holds one.
pub struct Recorder {
    pub started_at: u64,
    pub include_sent: bool,
    pending: String,
    parts: js_sys::Array,
    pub count: u64,
    pub bytes: u64,
}

impl Recorder {
    pub fn new(broker: &str, started_at: u64, started_at_iso: &str, include_sent: bool) -> Self {
        let pending = header_line(broker, started_at, started_at_iso);
        Recorder {
            started_at,
            include_sent,
            bytes: pending.len() as u64,
            pending,
            parts: js_sys::Array::new(),
            count: 0,
        }
    }

    fn push(&mut self, record: &Record) {
        let before = self.pending.len();
        encode_line(record, &mut self.pending);
        self.bytes += (self.pending.len() - before) as u64;
        self.count += 1;
    }

    /// Records a batch of received messages, then hands a full string to a Blob part.
    pub fn received(&mut self, batch: &[Message]) {
        for message in batch {
            self.push(&Record::received(message, self.started_at));
        }
        self.spill(PART_BYTES);
    }

    pub fn sent(&mut self, message: &OutgoingMessage, at: u64) {
        if self.include_sent {
            self.push(&Record::sent(message, at.saturating_sub(self.started_at)));
            self.spill(PART_BYTES);
        }
    }

    fn spill(&mut self, at_least: usize) {
        if self.pending.len() >= at_least.max(1) {
            let text = std::mem::take(&mut self.pending);
            let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(&text));
            if let Ok(blob) = web_sys::Blob::new_with_str_sequence(&parts) {
                self.parts.push(&blob);
            }
        }
    }

    pub fn progress(&self) -> crate::state::RecordingProgress {
        crate::state::RecordingProgress {
            count: self.count,
            bytes: self.bytes,
        }
    }

    /// The whole file.
    pub fn finish(mut self) -> Option<web_sys::Blob> {
        self.spill(1);
        let options = web_sys::BlobPropertyBag::new();
        options.set_type("application/x-ndjson");
        web_sys::Blob::new_with_blob_sequence_and_options(&self.parts, &options).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(offset_ms: u64, topic: &str, payload: &[u8]) -> Record {
        Record {
            offset_ms,
            direction: Direction::Received,
            topic: topic.into(),
            qos: QoS::AtLeastOnce,
            retain: false,
            payload: Bytes::from(payload.to_vec()),
            properties: PublishProperties::default(),
        }
    }

    fn full_record() -> Record {
        Record {
            offset_ms: 1234,
            direction: Direction::Sent,
            topic: "a/\"b\"/ü".into(),
            qos: QoS::ExactlyOnce,
            retain: true,
            payload: Bytes::from(vec![0, 0xFF, b'\n', 0x80]),
            properties: PublishProperties {
                payload_format_indicator: Some(0),
                message_expiry_interval: Some(60),
                topic_alias: None,
                response_topic: Some("reply/x".into()),
                correlation_data: Some(Bytes::from_static(&[1, 2, 3])),
                user_properties: vec![("k".into(), "v\n".into()), ("k".into(), "w".into())],
                subscription_identifiers: vec![7, 268_435_455],
                content_type: Some("application/octet-stream".into()),
            },
        }
    }

    fn file(records: &[Record]) -> String {
        let mut text = header_line(
            "ws://broker:9001",
            1_700_000_000_000,
            "2023-11-14T22:13:20Z",
        );
        for r in records {
            encode_line(r, &mut text);
        }
        text
    }

    #[test]
    fn a_recording_reads_back_as_written() {
        let records = vec![full_record(), record(0, "t", b""), record(5, "t/2", b"hi")];
        let text = file(&records);
        assert_eq!(text.lines().count(), 4, "a header and one line per message");
        assert!(text.lines().all(|line| !line.is_empty()));
        let loaded = load(&text, |_| None);
        assert_eq!(loaded.errors, []);
        assert_eq!(loaded.broker.as_deref(), Some("ws://broker:9001"));
        assert_eq!(loaded.records, records);
    }

    #[test]
    fn the_header_says_format_version_broker_and_start() {
        let header = json::parse(header_line("ws://h", 5, "1970").trim_end()).unwrap();
        assert_eq!(header.get("format").and_then(Value::as_str), Some(FORMAT));
        assert_eq!(header.get("version").and_then(Value::as_u64), Some(VERSION));
        assert_eq!(header.get("broker").and_then(Value::as_str), Some("ws://h"));
        assert_eq!(header.get("startedAtMs").and_then(Value::as_u64), Some(5));
        assert_eq!(
            header.get("startedAt").and_then(Value::as_str),
            Some("1970")
        );
    }

    #[test]
    fn a_malformed_line_is_named_and_the_others_are_kept() {
        let mut text = file(&[record(0, "a", b"1")]);
        text.push_str("{\"t\":1,\"dir\":\"in\",\"topic\":\"b\"\n"); // line 3: cut short
        encode_line(&record(2, "c", b"3"), &mut text); // line 4
        text.push_str("{\"t\":3,\"dir\":\"in\",\"topic\":\"d\",\"qos\":3,\"retain\":false,\"payload\":\"\"}\n");
        text.push('\n'); // blank lines are skipped
        text.push_str("{\"t\":4,\"dir\":\"in\",\"topic\":\"e\",\"qos\":0,\"retain\":false,\"payload\":\"@@\"}\n");
        text.push_str("{\"t\":5,\"dir\":\"sideways\",\"topic\":\"f\",\"qos\":0,\"retain\":false,\"payload\":\"\"}\n");
        text.push_str("{\"t\":6,\"dir\":\"in\",\"topic\":\"g\",\"qos\":0,\"retain\":false,\"payload\":\"\",\"props\":{\"userProperties\":[[\"k\"]]}}\n");
        encode_line(&record(7, "h", b"8"), &mut text); // line 10
        let loaded = load(&text, |_| None);
        let topics: Vec<_> = loaded.records.iter().map(|r| r.topic.as_str()).collect();
        assert_eq!(topics, ["a", "c", "h"]);
        assert_eq!(
            loaded.errors,
            [
                BadLine {
                    line: 3,
                    error: LineError::Json(json::JsonProblem::UnexpectedEnd)
                },
                BadLine {
                    line: 5,
                    error: LineError::Member("qos")
                },
                BadLine {
                    line: 7,
                    error: LineError::Member("payload")
                },
                BadLine {
                    line: 8,
                    error: LineError::Member("dir")
                },
                BadLine {
                    line: 9,
                    error: LineError::Member("userProperties")
                },
            ]
        );
    }

    #[test]
    fn another_format_or_version_is_refused_by_its_header() {
        let text = "{\"format\":\"mqtt-web-client-recording\",\"version\":2}\n";
        assert_eq!(
            load(text, |_| None).errors,
            [BadLine {
                line: 1,
                error: LineError::Header
            }]
        );
        let loaded = load("{\"format\":\"other\"}\nnot json\n", |_| None);
        assert_eq!(loaded.errors.len(), 2);
        assert_eq!(loaded.errors[1].line, 2);
    }

    #[test]
    fn the_apps_json_export_reads_as_received_messages_timed_from_the_first() {
        use std::rc::Rc;
        let message = |seq, at, topic: &str, payload: &[u8]| {
            Rc::new(Message {
                seq,
                topic: topic.into(),
                payload: Bytes::from(payload.to_vec()),
                qos: QoS::AtLeastOnce,
                retain: true,
                dup: false,
                received_at: at,
                properties: PublishProperties {
                    user_properties: vec![("k".into(), "v".into())],
                    content_type: Some("text/plain".into()),
                    ..Default::default()
                },
                subscription: None,
            })
        };
        let json = crate::export::to_json(
            &[
                message(1, 1000, "a", b"text"),
                message(2, 1250, "b", &[0xFF, 0]),
            ],
            |t| t.to_string(),
        );
        let loaded = load(&json, |t| t.parse().ok());
        assert_eq!(loaded.errors, []);
        assert_eq!(loaded.records.len(), 2);
        assert_eq!(loaded.records[0].offset_ms, 0);
        assert_eq!(loaded.records[1].offset_ms, 250);
        assert_eq!(&loaded.records[1].payload[..], &[0xFF, 0]);
        assert_eq!(loaded.records[0].properties.user_properties.len(), 1);
        assert_eq!(
            loaded.records[0].properties.content_type.as_deref(),
            Some("text/plain")
        );
        // An item without a time it can read is named; the others stay.
        let loaded = load(&json, |t| (t != "1000").then_some(7));
        assert_eq!(loaded.records.len(), 1);
        assert_eq!(
            loaded.errors,
            [BadLine {
                line: 1,
                error: LineError::Member("time")
            }]
        );
    }

    #[test]
    fn topics_are_rewritten_by_prefix() {
        assert_eq!(Rewrite::Keep.topic("a/b"), "a/b");
        assert_eq!(Rewrite::AddPrefix("copy/".into()).topic("a/b"), "copy/a/b");
        let replace = Rewrite::ReplacePrefix {
            from: "a/".into(),
            to: "z/".into(),
        };
        assert_eq!(replace.topic("a/b"), "z/b");
        assert_eq!(replace.topic("b/a/"), "b/a/", "only a prefix is replaced");
        let remove = Rewrite::ReplacePrefix {
            from: "a/".into(),
            to: String::new(),
        };
        assert_eq!(remove.topic("a/b"), "b");
    }

    #[test]
    fn replayed_messages_drop_what_only_a_server_or_a_connection_sets() {
        let mut r = full_record();
        r.properties.topic_alias = Some(3);
        let out = r.to_outgoing("x".into());
        assert_eq!(out.topic, "x");
        assert!(out.properties.subscription_identifiers.is_empty());
        assert_eq!(out.properties.topic_alias, None);
        assert_eq!(
            out.properties.correlation_data,
            r.properties.correlation_data
        );
        assert_eq!(out.properties.user_properties, r.properties.user_properties);
    }
}
