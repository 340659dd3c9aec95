//! The Record and replay panel: start and stop a recording (downloaded as JSON Lines at Stop),
//! and load a recording or a JSON export to publish again (`replay.rs`).

use std::rc::Rc;

use mqtt_core::ConnectionState;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::{checkbox, on_value, text_input};
use crate::driver::Driver;
use crate::export::download_blob;
use crate::i18n::{use_i18n, I18n, Key, Text};
use crate::payload::format_size;
use crate::recording::{self, BadLine, LineError, Loaded, Rewrite};
use crate::replay::{use_replay, ReplayPlan, Speed};
use crate::state::{ReplayProgress, State};

#[derive(Properties, PartialEq)]
pub struct RecordReplayProps {
    pub ids: AttrValue,
    pub driver: Driver,
    pub state: UseReducerHandle<State>,
}

/// The replay form's fields while edited.
#[derive(Clone, Debug, PartialEq)]
struct Fields {
    include_sent: bool,
    /// `keep`, `add` or `replace`.
    rewrite: String,
    prefix: String,
    replace_from: String,
    replace_to: String,
    speed: String,
    fastest: bool,
    looping: bool,
}

impl Default for Fields {
    fn default() -> Self {
        Fields {
            include_sent: false,
            rewrite: "keep".into(),
            prefix: String::new(),
            replace_from: String::new(),
            replace_to: String::new(),
            speed: "1".into(),
            fastest: false,
            looping: false,
        }
    }
}

impl Fields {
    fn rewrite(&self) -> Rewrite {
        match self.rewrite.as_str() {
            "add" => Rewrite::AddPrefix(self.prefix.clone()),
            "replace" => Rewrite::ReplacePrefix {
                from: self.replace_from.clone(),
                to: self.replace_to.clone(),
            },
            _ => Rewrite::Keep,
        }
    }

    fn speed(&self) -> Option<Speed> {
        if self.fastest {
            return Some(Speed::Fastest);
        }
        match self.speed.trim().parse::<u32>() {
            Ok(times) if times >= 1 => Some(Speed::Times(times)),
            _ => None,
        }
    }
}

fn line_error(bad: &BadLine) -> Text {
    let problem = match &bad.error {
        LineError::Json(problem) => Text::new(problem.key()),
        LineError::Member(member) => Text::new(Key::ReplayBadMember).with("member", *member),
        LineError::Header => Text::new(Key::ReplayBadHeader),
    };
    Text::new(Key::ReplayBadLine)
        .number("line", bad.line as u64)
        .with("problem", problem)
}

fn progress_text(i18n: I18n, p: &ReplayProgress) -> String {
    let mut words = i18n.text(
        &Text::new(Key::ReplayPosition)
            .number("position", p.position)
            .number("total", p.total),
    );
    if p.passes > 0 {
        words.push(' ');
        words.push_str(
            &i18n.text(&Text::new(Key::ReplayPasses).number("passes", u64::from(p.passes))),
        );
    }
    if let Some(left) = p.left_ms.filter(|_| !p.finished) {
        words.push(' ');
        words.push_str(
            &i18n.text(&Text::new(Key::ReplayLeft).number("seconds", left.div_ceil(1000))),
        );
    }
    words
}

#[component]
pub fn RecordReplayPanel(props: &RecordReplayProps) -> Html {
    let i18n = use_i18n();
    let state = &props.state;
    let driver = &props.driver;
    let fields = use_state(Fields::default);
    let loaded = use_state(|| None::<(String, Rc<Loaded>)>);
    let speed_error = use_state(|| false);
    // The file being read; dropping it would cancel the read.
    let reading = use_mut_ref(|| None::<gloo::file::callbacks::FileReader>);
    let connected = matches!(state.connection, ConnectionState::Connected { .. });
    let controls = use_replay(driver, state.dispatcher(), connected);
    let id = |name: &str| format!("{}-rr-{name}", props.ids);
    let edit = |f: fn(&mut Fields, String)| {
        let fields = fields.clone();
        let speed_error = speed_error.clone();
        Callback::from(move |value: String| {
            let mut next = (*fields).clone();
            f(&mut next, value);
            fields.set(next);
            speed_error.set(false);
        })
    };
    let toggle = |f: fn(&mut Fields, bool)| {
        let fields = fields.clone();
        Callback::from(move |value: bool| {
            let mut next = (*fields).clone();
            f(&mut next, value);
            fields.set(next);
        })
    };

    let onrecord = {
        let driver = driver.clone();
        let include_sent = fields.include_sent;
        Callback::from(move |_: MouseEvent| driver.start_recording(include_sent))
    };
    let onstoprecord = {
        let driver = driver.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(blob) = driver.stop_recording() {
                let stamp: String = js_sys::Date::new_0().to_iso_string().into();
                let name = format!("recording-{}.jsonl", stamp.replace(':', "-"));
                download_blob(&name, blob);
            }
        })
    };
    let onfile = {
        let loaded = loaded.clone();
        let reading = reading.clone();
        Callback::from(move |event: Event| {
            let Some(file) = event
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                .and_then(|input| input.files())
                .and_then(|files| files.get(0))
            else {
                return;
            };
            let file = gloo::file::File::from(file);
            let name = file.name();
            let loaded = loaded.clone();
            let task = gloo::file::callbacks::read_as_text(&file, move |text| {
                let result = match text {
                    Ok(text) => recording::load(&text, |time| {
                        let at = js_sys::Date::parse(time);
                        (at.is_finite() && at >= 0.0).then_some(at as u64)
                    }),
                    Err(_) => Loaded {
                        errors: vec![BadLine {
                            line: 0,
                            error: LineError::Member(""),
                        }],
                        ..Loaded::default()
                    },
                };
                loaded.set(Some((name, Rc::new(result))));
            });
            *reading.borrow_mut() = Some(task);
        })
    };
    let onstart = {
        let fields = fields.clone();
        let loaded = loaded.clone();
        let speed_error = speed_error.clone();
        let start = controls.start.clone();
        Callback::from(move |_: MouseEvent| {
            let Some((_, file)) = loaded.as_ref() else {
                return;
            };
            let Some(speed) = fields.speed() else {
                speed_error.set(true);
                return;
            };
            start.emit(ReplayPlan {
                records: Rc::new(file.records.clone()),
                rewrite: fields.rewrite(),
                speed,
                looping: fields.looping,
            });
        })
    };
    let running = state.replay.filter(|p| !p.finished);
    // Sending (or paused) until the last message went out; the outcomes may still come.
    let sending = running.is_some_and(|p| p.left_ms != Some(0));
    let onpause = {
        let pause = controls.pause.clone();
        let paused = running.is_some_and(|p| p.paused);
        Callback::from(move |_: MouseEvent| pause.emit(!paused))
    };
    let onstop = {
        let stop = controls.stop.clone();
        Callback::from(move |_: MouseEvent| stop.emit(()))
    };
    let onrewrite = edit(|f, v| f.rewrite = v);
    let speed_error_text = (*speed_error).then(|| i18n.t(Key::ReplaySpeedInvalid));

    html! {
        <section class="panel record-replay" aria-label={i18n.t(Key::RecordReplay)}>
            <h2>{ i18n.t(Key::RecordReplay) }</h2>
            <div class="record">
                { checkbox(&id("include-sent"), i18n.t(Key::RecordIncludeSent), fields.include_sent,
                    toggle(|f, v| f.include_sent = v)) }
                <div class="buttons">
                    if state.recording.is_some() {
                        <button type="button" onclick={onstoprecord}>{ i18n.t(Key::RecordStop) }</button>
                    } else {
                        <button type="button" onclick={onrecord}>{ i18n.t(Key::RecordStart) }</button>
                    }
                </div>
                if let Some(progress) = state.recording {
                    <p class="record-status" role="status">{ i18n.text(&Text::new(Key::RecordStatus)
                        .number("count", progress.count)
                        .with("size", format_size(progress.bytes as usize))) }</p>
                }
            </div>
            <div class="replay">
                <div class="field">
                    <label for={id("file")}>{ i18n.t(Key::ReplayFile) }</label>
                    <input id={id("file")} type="file" accept=".jsonl,.ndjson,.json,application/json"
                        onchange={onfile} />
                </div>
                if let Some((name, file)) = loaded.as_ref() {
                    <p class="replay-loaded">{ i18n.text(&Text::new(Key::ReplayLoaded)
                        .number("count", file.records.len() as u64).with("file", name.as_str())) }</p>
                    if !file.errors.is_empty() {
                        <ul class="replay-errors">
                            { for file.errors.iter().take(20).map(|bad| html! {
                                <li class="error">{ i18n.text(&line_error(bad)) }</li>
                            }) }
                        </ul>
                    }
                }
                <div class="field">
                    <label for={id("rewrite")}>{ i18n.t(Key::ReplayTopics) }</label>
                    <select id={id("rewrite")} onchange={on_value::<Event>(move |v| onrewrite.emit(v))}>
                        { for [("keep", Key::ReplayTopicsKeep), ("add", Key::ReplayTopicsAdd),
                            ("replace", Key::ReplayTopicsReplace)].into_iter().map(|(value, key)| html! {
                            <option {value} selected={fields.rewrite == value}>{ i18n.t(key) }</option>
                        }) }
                    </select>
                </div>
                if fields.rewrite == "add" {
                    { text_input(&id("prefix"), i18n.t(Key::ReplayPrefix), &fields.prefix,
                        edit(|f, v| f.prefix = v), None) }
                }
                if fields.rewrite == "replace" {
                    { text_input(&id("from"), i18n.t(Key::ReplayReplaceFrom), &fields.replace_from,
                        edit(|f, v| f.replace_from = v), None) }
                    { text_input(&id("to"), i18n.t(Key::ReplayReplaceTo), &fields.replace_to,
                        edit(|f, v| f.replace_to = v), None) }
                }
                { checkbox(&id("fastest"), i18n.t(Key::ReplayFastest), fields.fastest,
                    toggle(|f, v| f.fastest = v)) }
                if !fields.fastest {
                    { text_input(&id("speed"), i18n.t(Key::ReplaySpeed), &fields.speed,
                        edit(|f, v| f.speed = v), speed_error_text) }
                }
                { checkbox(&id("loop"), i18n.t(Key::ReplayLoop), fields.looping,
                    toggle(|f, v| f.looping = v)) }
                <div class="buttons">
                    if sending {
                        <button type="button" onclick={onpause}>{ i18n.t(
                            if running.is_some_and(|p| p.paused) { Key::ReplayResume } else { Key::ReplayPause }) }</button>
                        <button type="button" onclick={onstop}>{ i18n.t(Key::ReplayStop) }</button>
                    } else {
                        <button type="button" onclick={onstart}
                            disabled={!connected || loaded.is_none() || running.is_some()}>
                            { i18n.t(Key::ReplayStart) }</button>
                    }
                </div>
                if let Some(progress) = state.replay {
                    <progress aria-label={i18n.t(Key::ReplayProgress)} max={progress.total.max(1).to_string()}
                        value={progress.position.to_string()} />
                    <p class="replay-status" role="status">{ progress_text(i18n, &progress) }</p>
                    <p class="replay-counts">{ i18n.text(&Text::new(Key::ReplayCounts)
                        .number("sent", progress.sent)
                        .number("acknowledged", progress.acknowledged)
                        .number("failed", progress.failed)) }</p>
                    if progress.finished {
                        <p class="replay-done">{ i18n.t(Key::ReplayDone) }</p>
                    }
                }
            </div>
        </section>
    }
}
