//! The Publish panel's "Load test": N messages at R per second from a payload template, with
//! the counts, the achieved rate and the acknowledgement latencies shown live. The run's logic
//! is `crate::load`; this component gives it the clock, the driver's ticker and the driver's
//! watched publishes, whose outcomes come back in batches without a reducer action each.

use std::cell::RefMut;
use std::rc::Rc;

use mqtt_core::{Bytes, OutgoingMessage, PublishProperties, QoS};
use payload_decoders::Format;
use yew::prelude::*;

use super::{qos_select, text_input};
use crate::clock::{monotonic_millis, wall_clock_millis};
use crate::decoder_module;
use crate::decoder_rules::{format_key, json_text_to_decoded};
use crate::driver::{Driver, Outcomes};
use crate::i18n::{use_i18n, I18n, Key, Text};
use crate::load::{tick_interval_ms, LoadFigures, LoadPlan, LoadRun, Phase, Template};

/// The largest run and rate the form takes.
const MAX_COUNT: u64 = 1_000_000;
const MAX_RATE: u32 = 100_000;
/// While publishing, the figures are drawn at most this often (ms).
const REDRAW_MS: f64 = 200.0;

#[derive(Properties, PartialEq)]
pub struct LoadTestProps {
    pub ids: AttrValue,
    pub driver: Driver,
    pub connected: bool,
    /// The periodic publish runs: it holds the driver's one ticker.
    pub periodic_running: bool,
}

/// A running (or finished) load test and what each message is made of.
struct Active {
    run: LoadRun,
    template: Template,
    message: OutgoingMessage,
    /// The driver's ticker is this run's (not taken over by the periodic publish).
    ticking: bool,
    /// Each payload is JSON that the decoder Worker encodes in this format.
    encode: Option<Format>,
    /// A tick's payloads are with the Worker: the next ticks wait (the run catches up after).
    encoding: bool,
}

/// Publishes the encoded or filled `payloads`, the next due messages in order, until the core
/// refuses one.
fn publish_due(driver: &Driver, current: &mut Active, payloads: Vec<Vec<u8>>) -> Option<Text> {
    for payload in payloads {
        let mut message = current.message.clone();
        message.payload = Bytes::from(payload);
        match driver.publish_watched(message) {
            Ok(id) => current.run.published(id, monotonic_millis()),
            Err(words) => {
                current.run.refused(monotonic_millis());
                return Some(words);
            }
        }
    }
    None
}

/// After a tick's publishes: the ticker stops once the run is finished, the watch once it is
/// settled. Whether it is finished.
/// The run refused to go on, for `words` (an encoding that failed).
fn refuse(current: &mut Active, words: Text) -> Option<Text> {
    current.run.refused(monotonic_millis());
    Some(words)
}

/// The end of a tick, or of its encoding: a refusal shown, the run settled, the figures drawn.
fn end_tick(
    driver: &Driver,
    mut slot: RefMut<'_, Option<Active>>,
    refused: Option<Text>,
    reason: &UseStateHandle<Option<Text>>,
    draw: &dyn Fn(bool),
) {
    if let Some(words) = refused {
        reason.set(Some(words));
    }
    let finished = slot.as_mut().is_some_and(|current| settle(driver, current));
    drop(slot);
    draw(finished);
}

fn settle(driver: &Driver, current: &mut Active) -> bool {
    let finished = current.run.phase() == Phase::Finished;
    if finished && std::mem::take(&mut current.ticking) {
        driver.stop_ticker();
    }
    if current.run.is_settled() {
        driver.watch_publishes(None);
    }
    finished
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Field {
    Payload,
    Count,
    Rate,
}

#[component]
pub fn LoadTest(props: &LoadTestProps) -> Html {
    let i18n = use_i18n();
    let topic = use_state(|| "load/test".to_owned());
    let payload = use_state(|| "{\"n\":{n},\"ts\":{ts}}".to_owned());
    let qos = use_state(|| QoS::AtLeastOnce);
    let count = use_state(|| "1000".to_owned());
    let rate = use_state(|| "100".to_owned());
    // A format's name when the payload is JSON to encode, else empty: sent as written.
    let encode = use_state(String::new);
    let error = use_state(|| None::<(Field, Text)>);
    let active = use_mut_ref(|| None::<Active>);
    let figures = use_state(|| None::<LoadFigures>);
    // Why the run stopped early (a refused publish), or why a message failed.
    let reason = use_state(|| None::<Text>);
    let drawn_at = use_mut_ref(|| f64::NEG_INFINITY);

    // Draws the figures: at once when `at_once` is true, else at most every REDRAW_MS.
    let draw = {
        let active = active.clone();
        let figures = figures.clone();
        let drawn_at = drawn_at.clone();
        Rc::new(move |at_once: bool| {
            let now = monotonic_millis();
            let mut drawn = drawn_at.borrow_mut();
            if at_once || now - *drawn >= REDRAW_MS {
                *drawn = now;
                if let Some(active) = active.borrow().as_ref() {
                    figures.set(Some(active.run.figures()));
                }
            }
        })
    };

    // Ends publishing; the outcomes of what is in flight still count. The ticker is stopped
    // only if it is still this run's.
    let stop = {
        let driver = props.driver.clone();
        let active = active.clone();
        let draw = draw.clone();
        Rc::new(move |ticker_ours: bool| {
            let mut slot = active.borrow_mut();
            let Some(current) = slot.as_mut() else {
                return;
            };
            current.run.stop();
            if std::mem::take(&mut current.ticking) && ticker_ours {
                driver.stop_ticker();
            }
            if current.run.is_settled() {
                driver.watch_publishes(None);
            }
            drop(slot);
            draw(true);
        })
    };

    {
        // The driver stops its ticker when the connection changes state; the periodic publish
        // takes the ticker over when it starts.
        let stop = stop.clone();
        use_effect_with(
            (props.connected, props.periodic_running),
            move |(connected, periodic)| {
                if !*connected || *periodic {
                    stop(false);
                }
            },
        );
    }
    {
        let driver = props.driver.clone();
        let active = active.clone();
        use_effect_with((), move |()| {
            move || {
                if let Some(current) = active.borrow_mut().take() {
                    if current.ticking {
                        driver.stop_ticker();
                    }
                    driver.watch_publishes(None);
                }
            }
        });
    }

    let on_outcomes = {
        let driver = props.driver.clone();
        let active = active.clone();
        let draw = draw.clone();
        let reason = reason.clone();
        Callback::from(move |outcomes: Outcomes| {
            let now = monotonic_millis();
            let mut slot = active.borrow_mut();
            let Some(current) = slot.as_mut() else {
                return;
            };
            for (id, result) in outcomes {
                if let Err(words) = &result {
                    reason.set(Some(words.clone()));
                }
                current.run.outcome(id, result.is_ok(), now);
            }
            let finished = current.run.phase() == Phase::Finished;
            if current.run.is_settled() {
                driver.watch_publishes(None);
            }
            drop(slot);
            draw(finished);
        })
    };

    let on_tick = {
        let driver = props.driver.clone();
        let active = active.clone();
        let draw = draw.clone();
        let reason = reason.clone();
        Callback::from(move |()| {
            let mut slot = active.borrow_mut();
            let Some(current) = slot.as_mut().filter(|current| !current.encoding) else {
                return;
            };
            let timestamp = wall_clock_millis();
            let payloads: Vec<Vec<u8>> = current
                .run
                .due_now(monotonic_millis())
                .map(|number| current.template.fill(number, timestamp))
                .collect();
            let refused = match current.encode {
                None => publish_due(&driver, current, payloads),
                Some(_) if payloads.is_empty() => None,
                Some(format) => {
                    let trees = payloads
                        .iter()
                        .map(|payload| {
                            json_text_to_decoded(format, &String::from_utf8_lossy(payload))
                        })
                        .collect::<Result<Vec<_>, _>>();
                    match trees {
                        Ok(trees) => {
                            current.encoding = true;
                            let (driver, active) = (driver.clone(), active.clone());
                            let (draw, reason) = (draw.clone(), reason.clone());
                            decoder_module::encode_each(format, trees, move |encoded| {
                                let mut slot = active.borrow_mut();
                                let Some(current) = slot.as_mut() else {
                                    return;
                                };
                                current.encoding = false;
                                // Stopped meanwhile: nothing more goes out.
                                let running = current.run.phase() == Phase::Running;
                                let refused = match encoded {
                                    Ok(payloads) if running => {
                                        publish_due(&driver, current, payloads)
                                    }
                                    Ok(_) => None,
                                    Err(words) => refuse(current, words),
                                };
                                end_tick(&driver, slot, refused, &reason, &*draw);
                            });
                            None
                        }
                        Err(words) => refuse(current, words),
                    }
                }
            };
            end_tick(&driver, slot, refused, &reason, &*draw);
        })
    };

    let onstart = {
        let driver = props.driver.clone();
        let (topic, payload, qos, count, rate, encode) = (
            topic.clone(),
            payload.clone(),
            qos.clone(),
            count.clone(),
            rate.clone(),
            encode.clone(),
        );
        let error = error.clone();
        let reason = reason.clone();
        let active = active.clone();
        Callback::from(move |_: MouseEvent| {
            let plan = match parse_plan(&count, &rate, *qos) {
                Ok(plan) => plan,
                Err(problem) => return error.set(Some(problem)),
            };
            let encode = Format::from_name(&encode);
            // A payload to encode must be JSON once filled in: said here, naming the field.
            if let Some(format) = encode {
                let sample = Template::parse(&payload).fill(1, wall_clock_millis());
                let sample = String::from_utf8_lossy(&sample);
                if let Err(words) = json_text_to_decoded(format, &sample) {
                    return error.set(Some((Field::Payload, words)));
                }
            }
            error.set(None);
            reason.set(None);
            let interval = tick_interval_ms(plan.rate);
            *active.borrow_mut() = Some(Active {
                run: LoadRun::new(plan.clone(), monotonic_millis()),
                template: Template::parse(&payload),
                message: OutgoingMessage {
                    topic: (*topic).clone(),
                    payload: Bytes::new(),
                    qos: plan.qos,
                    retain: false,
                    properties: PublishProperties::default(),
                },
                ticking: true,
                encode,
                encoding: false,
            });
            driver.watch_publishes(Some(on_outcomes.clone()));
            // The first message goes at once; the ticker paces the rest.
            on_tick.emit(());
            if active.borrow().as_ref().is_some_and(|a| a.ticking) {
                driver.start_ticker(interval, on_tick.clone());
            }
        })
    };
    let onstop = {
        let stop = stop.clone();
        Callback::from(move |_: MouseEvent| stop(true))
    };

    let id = |name: &str| format!("{}-{name}", props.ids);
    let set = |handle: &UseStateHandle<String>| {
        let handle = handle.clone();
        let error = error.clone();
        Callback::from(move |value: String| {
            handle.set(value);
            error.set(None);
        })
    };
    let error_for = |field: Field| {
        error
            .as_ref()
            .filter(|(f, _)| *f == field)
            .map(|(_, words)| i18n.text(words))
    };
    let running = figures.as_ref().is_some_and(|f| f.running);
    let title = i18n.t(Key::LoadTest);
    html! {
        <section class="load-test" aria-label={title}>
            <details>
                <summary>{ title }</summary>
                { text_input(&id("load-topic"), i18n.t(Key::LoadTopic), &topic, set(&topic), None) }
                <div class="field payload">
                    <label for={id("load-payload")}>{ i18n.t(Key::LoadPayload) }</label>
                    <textarea id={id("load-payload")} rows="2" value={(*payload).clone()}
                        placeholder={i18n.t(Key::LoadPayloadHint)}
                        oninput={super::on_value::<InputEvent>({
                            let set = set(&payload);
                            move |v| set.emit(v)
                        })}
                        aria-invalid={error_for(Field::Payload).is_some().then_some("true")}
                        aria-describedby={error_for(Field::Payload).map(|_| id("load-payload-error"))} />
                    if let Some(words) = error_for(Field::Payload) {
                        <p class="error" id={id("load-payload-error")} role="alert">{ words }</p>
                    }
                </div>
                <div class="field">
                    <label for={id("load-format")}>{ i18n.t(Key::LoadFormat) }</label>
                    <select id={id("load-format")} onchange={super::on_value::<Event>({
                        let encode = encode.clone();
                        move |name| encode.set(name)
                    })}>
                        <option value="" selected={encode.is_empty()}>{ i18n.t(Key::LoadAsWritten) }</option>
                        // Protobuf and Sparkplug B need a rule's schema or an edge node's
                        // session, which generated load has no use for.
                        { for [Format::Cbor, Format::MessagePack].into_iter().map(|f| html! {
                            <option value={f.name()} selected={*encode == f.name()}>
                                { i18n.text(&Text::new(Key::PublishEncodeAs).with("format", format_key(f))) }
                            </option>
                        }) }
                    </select>
                </div>
                <div class="row">
                    { qos_select(&id("load-qos"), "QoS", *qos, {
                        let qos = qos.clone();
                        Callback::from(move |q| qos.set(q))
                    }) }
                    { text_input(&id("load-count"), i18n.t(Key::LoadCount), &count, set(&count),
                        error_for(Field::Count).as_deref()) }
                    { text_input(&id("load-rate"), i18n.t(Key::LoadRate), &rate, set(&rate),
                        error_for(Field::Rate).as_deref()) }
                </div>
                <div class="buttons">
                    if running {
                        <button type="button" onclick={onstop}>{ i18n.t(Key::LoadStop) }</button>
                    } else {
                        <button type="button" onclick={onstart}
                            disabled={props.periodic_running}>{ i18n.t(Key::LoadStart) }</button>
                    }
                </div>
                if props.periodic_running && !running {
                    <p class="note">{ i18n.t(Key::LoadPeriodicRunning) }</p>
                }
                if let Some(figures) = figures.as_ref() {
                    { view_figures(i18n, figures, reason.as_ref()) }
                }
            </details>
        </section>
    }
}

fn parse_plan(count: &str, rate: &str, qos: QoS) -> Result<LoadPlan, (Field, Text)> {
    let count = count
        .trim()
        .parse::<u64>()
        .ok()
        .filter(|n| (1..=MAX_COUNT).contains(n))
        .ok_or_else(|| {
            let words = Text::new(Key::LoadCountRange).number("maximum", MAX_COUNT);
            (Field::Count, words)
        })?;
    let rate = rate
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|n| (1..=MAX_RATE).contains(n))
        .ok_or_else(|| {
            let words = Text::new(Key::LoadRateRange).number("maximum", u64::from(MAX_RATE));
            (Field::Rate, words)
        })?;
    Ok(LoadPlan { count, rate, qos })
}

/// A quantity to one decimal, as the locale writes it.
fn tenths(i18n: I18n, value: f64) -> String {
    i18n.number((value * 10.0).round() / 10.0)
}

fn view_figures(i18n: I18n, figures: &LoadFigures, reason: Option<&Text>) -> Html {
    let count = |n: u64| i18n.number(n as f64);
    let status = match (figures.running, reason) {
        (true, _) => i18n.t(Key::LoadRunning).to_owned(),
        (false, Some(reason)) => {
            i18n.text(&Text::new(Key::LoadEnded).with("reason", reason.clone()))
        }
        (false, None) if figures.in_flight > 0 => i18n.t(Key::LoadWaiting).to_owned(),
        (false, None) => i18n.t(Key::LoadFinished).to_owned(),
    };
    let done = match figures.qos {
        QoS::AtMostOnce => Key::LoadWritten,
        _ => Key::LoadAcknowledged,
    };
    let millis =
        |value: f64| i18n.text(&Text::new(Key::LoadMillis).with("value", tenths(i18n, value)));
    let latency = match (figures.qos, figures.latency) {
        (QoS::AtMostOnce, _) => html! {
            <p class="note" data-figure="latency">{ i18n.t(Key::LoadNoAckQos0) }</p>
        },
        (_, None) => html! {
            <p class="note" data-figure="latency">{ i18n.t(Key::LoadNoAckYet) }</p>
        },
        (_, Some([p50, p95, p99])) => html! {
            <dl class="properties load-figures" data-figure="latency">
                <dt>{ i18n.t(Key::LoadP50) }</dt><dd data-figure="p50">{ millis(p50) }</dd>
                <dt>{ i18n.t(Key::LoadP95) }</dt><dd data-figure="p95">{ millis(p95) }</dd>
                <dt>{ i18n.t(Key::LoadP99) }</dt><dd data-figure="p99">{ millis(p99) }</dd>
            </dl>
        },
    };
    html! {
        <div class="load-results">
            <p data-figure="status">{ status }</p>
            <dl class="properties load-figures">
                <dt>{ i18n.t(Key::LoadSent) }</dt>
                <dd data-figure="sent">{ i18n.text(&Text::new(Key::LoadSentOf)
                    .with("sent", count(figures.sent)).with("total", count(figures.count))) }</dd>
                <dt>{ i18n.t(done) }</dt><dd data-figure="acknowledged">{ count(figures.acknowledged) }</dd>
                <dt>{ i18n.t(Key::LoadFailed) }</dt><dd data-figure="failed">{ count(figures.failed) }</dd>
                <dt>{ i18n.t(Key::LoadInFlight) }</dt><dd data-figure="in-flight">{ count(figures.in_flight) }</dd>
                <dt>{ i18n.t(Key::LoadAchievedRate) }</dt>
                <dd data-figure="rate">{ match figures.rate {
                    Some(rate) => i18n.text(&Text::new(Key::LoadPerSecond).with("rate", tenths(i18n, rate))),
                    None => "–".to_owned(),
                } }</dd>
            </dl>
            { latency }
        </div>
    }
}
