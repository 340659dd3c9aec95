//! Decoded payloads for the message list, the topic tree and the charts (`decoded.rs`): the
//! tab's rules, its decoded messages and where to ask for more, as a context; and the hook that
//! sends what the views ask for to the decoder Worker: one message per format and batch for
//! CBOR and MessagePack, one per message for Protobuf and Avro (their rule's schema) and Sparkplug B (the
//! tab's session, whose births name the metrics).

use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;

use payload_decoders::js::{Answer, Request};
use payload_decoders::Format;
use yew::prelude::*;

use crate::decoded::{one_line, DecodedCache, Decoding, Wanted};
use crate::decoder_module::{self, Outcome};
use crate::decoder_rules::{
    decode_error_text, decode_request, decoder_for, format_key, rule_for, schema_error_text,
    DecoderRule,
};
use crate::i18n::{I18n, Key, Text};
use crate::state::{Action, Message, State};

/// Payloads in one request to the Worker at most; more go in the next.
const BATCH: usize = 256;

/// What the views read to show a message decoded, provided by `ConnectionView`.
#[derive(Clone, PartialEq)]
pub struct DecodedViews {
    pub rules: Rc<Vec<DecoderRule>>,
    pub cache: DecodedCache,
    /// Messages a view shows that are not decoded yet (`use_decoding`).
    pub want: Callback<Vec<Wanted>>,
}

/// One line for a decoded message, and whether it says why it is not decoded.
#[derive(Clone, Debug, PartialEq)]
pub struct DecodedLine {
    pub text: AttrValue,
    pub failed: bool,
}

impl DecodedViews {
    pub fn format_for(&self, topic: &str) -> Option<Format> {
        decoder_for(&self.rules, topic)
    }

    /// What `message` decodes to in its rule's format, or `None` without a rule; a message not
    /// decoded yet goes into `wanted`.
    pub fn decoding(
        &self,
        message: &Message,
        wanted: &mut Vec<Wanted>,
    ) -> Option<(Format, Option<&Decoding>)> {
        let format = self.format_for(&message.topic)?;
        let decoding = self.cache.get(message.seq, format);
        if decoding.is_none() {
            wanted.push(Wanted {
                seq: message.seq,
                format,
                topic: message.topic.clone(),
                payload: message.payload.clone(),
            });
        }
        Some((format, decoding))
    }

    /// A row's line for `message` (at most about `max_chars`), if its topic has a rule.
    pub fn line(
        &self,
        i18n: I18n,
        message: &Message,
        max_chars: usize,
        wanted: &mut Vec<Wanted>,
    ) -> Option<DecodedLine> {
        let (format, decoding) = self.decoding(message, wanted)?;
        let (text, failed) = match decoding {
            None => (
                Text::new(Key::DecodedRowWaiting).with("format", format_key(format)),
                false,
            ),
            Some(Decoding::Unavailable) => (Text::new(Key::DecodedUnavailable), true),
            Some(Decoding::Unusable(problem)) => (schema_error_text(format, problem), true),
            Some(Decoding::Done(result)) => match result.as_ref() {
                Ok(value) => (
                    Text::new(Key::DecodedRow)
                        .with("format", format_key(format))
                        .with("value", one_line(value, max_chars)),
                    false,
                ),
                Err(error) => (decode_error_text(format, error), true),
            },
        };
        Some(DecodedLine {
            text: i18n.text(&text).into(),
            failed,
        })
    }
}

/// Asks for `wanted` once the view has rendered (the hook dedups what is under way).
#[hook]
pub fn use_want_decoded(views: Option<&DecodedViews>, wanted: Vec<Wanted>) {
    let want = views.map(|views| views.want.clone());
    use_effect(move || {
        if let Some(want) = want.filter(|_| !wanted.is_empty()) {
            want.emit(wanted);
        }
    });
}

/// The `want` of the tab's `DecodedViews`: each message asked for once while it is decoded,
/// the answers into the state (`Action::Decoded`); `rules` give a Protobuf message its schema,
/// `session` is the tab's Sparkplug B session in the Worker. The Worker stays in
/// `decoder_module`.
#[hook]
pub fn use_decoding(
    dispatcher: UseReducerDispatcher<State>,
    rules: Rc<Vec<DecoderRule>>,
    session: u32,
) -> Callback<Vec<Wanted>> {
    let under_way = use_mut_ref(HashSet::<(u64, Format)>::new);
    use_callback(
        (rules, session),
        move |wanted: Vec<Wanted>, (rules, session)| {
            let mut batches: Vec<(Format, Vec<Wanted>)> = Vec::new();
            for wanted in wanted {
                if !under_way.borrow_mut().insert((wanted.seq, wanted.format)) {
                    continue;
                }
                if wanted.format.takes_schema() || wanted.format == Format::SparkplugB {
                    let schema =
                        rule_for(rules, &wanted.topic).and_then(|rule| rule.schema.as_ref());
                    let request = decode_request(
                        wanted.format,
                        schema,
                        *session,
                        &wanted.topic,
                        wanted.payload.to_vec(),
                    );
                    send(request, vec![wanted], under_way.clone(), dispatcher.clone());
                    continue;
                }
                match batches
                    .iter_mut()
                    .find(|(format, batch)| *format == wanted.format && batch.len() < BATCH)
                {
                    Some((_, batch)) => batch.push(wanted),
                    None => batches.push((wanted.format, vec![wanted])),
                }
            }
            for (_, batch) in batches {
                let payloads = batch.iter().map(|wanted| wanted.payload.to_vec()).collect();
                send(
                    Request::DecodeEach(payloads),
                    batch,
                    under_way.clone(),
                    dispatcher.clone(),
                );
            }
        },
    )
}

/// Sends `request` for `batch` (all of one format) and puts the answers into the state.
fn send(
    request: Request,
    batch: Vec<Wanted>,
    under_way: Rc<RefCell<HashSet<(u64, Format)>>>,
    dispatcher: UseReducerDispatcher<State>,
) {
    let format = batch[0].format;
    decoder_module::request(format, &request, move |outcome| {
        // Anything but an answer for each payload: the module is not there to ask.
        let results: Vec<Decoding> = match outcome {
            Outcome::Answered(Answer::DecodedEach(results)) if results.len() == batch.len() => {
                results
                    .into_iter()
                    .map(|result| Decoding::Done(Rc::new(result)))
                    .collect()
            }
            Outcome::Answered(Answer::Decoded(result)) if batch.len() == 1 => {
                vec![Decoding::Done(Rc::new(result))]
            }
            Outcome::Answered(Answer::Unusable(problem)) => {
                vec![Decoding::Unusable(Rc::new(problem)); batch.len()]
            }
            _ => Vec::new(),
        };
        let mut results = results.into_iter();
        let mut under_way = under_way.borrow_mut();
        let decoded = batch
            .into_iter()
            .map(|wanted| {
                under_way.remove(&(wanted.seq, format));
                let decoding = results.next().unwrap_or(Decoding::Unavailable);
                (wanted.seq, format, decoding)
            })
            .collect();
        drop(under_way);
        dispatcher.dispatch(Action::Decoded(decoded));
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decoder_rules::rule;
    use crate::i18n::Locale;
    use crate::state::tests::message;
    use payload_decoders::{DecodeError, DecodeProblem, Value};

    #[test]
    fn rows_show_the_decoded_value_the_wait_or_the_error_and_ask_only_for_what_is_missing() {
        let i18n = I18n { locale: Locale::En };
        let mut views = DecodedViews {
            rules: Rc::new(vec![rule("s/#", Format::Cbor).unwrap()]),
            cache: DecodedCache::default(),
            want: Callback::noop(),
        };
        let (one, two, other) = (
            message(1, "s/a", "x"),
            message(2, "s/b", "y"),
            message(3, "t", "z"),
        );
        let mut wanted = Vec::new();
        assert_eq!(views.line(i18n, &other, 80, &mut wanted), None);
        let waiting = views.line(i18n, &one, 80, &mut wanted).unwrap();
        assert_eq!(
            (&*waiting.text, waiting.failed),
            ("Decoding as CBOR…", false)
        );
        assert_eq!(wanted.iter().map(|w| w.seq).collect::<Vec<_>>(), [1]);

        let error = DecodeError {
            offset: 0,
            problem: DecodeProblem::InvalidUtf8,
        };
        let map = Value::Map(vec![(Value::Text("t".into()), Value::Float(21.5))]);
        views.cache.insert(vec![
            (1, Format::Cbor, Decoding::Done(Rc::new(Ok(map)))),
            (2, Format::Cbor, Decoding::Done(Rc::new(Err(error)))),
        ]);
        let mut wanted = Vec::new();
        let decoded = views.line(i18n, &one, 80, &mut wanted).unwrap();
        assert_eq!(
            (&*decoded.text, decoded.failed),
            (r#"CBOR: {"t": 21.5}"#, false)
        );
        let failed = views.line(i18n, &two, 80, &mut wanted).unwrap();
        assert_eq!(
            (&*failed.text, failed.failed),
            ("Not valid CBOR at byte 0: text that is not UTF-8.", true)
        );
        assert!(wanted.is_empty());

        // Another rule's format: decoded anew.
        views.rules = Rc::new(vec![rule("s/#", Format::MessagePack).unwrap()]);
        views.line(i18n, &one, 80, &mut wanted).unwrap();
        assert_eq!(wanted.len(), 1);
    }
}
