//! A chart over time of a topic's numbers: the payload itself, or the number at a JSON path;
//! for a topic with a decoder rule, in the decoded payload (`decoded::number_in`).

use std::rc::Rc;

use yew::prelude::*;

use super::decoding::{use_want_decoded, DecodedViews};
use super::on_value;
use crate::chart::{labels, polyline_points, ChartPoint};
use crate::decoded::{number_in, Decoding};
use crate::i18n::{use_i18n, Key, Text};
use crate::json_path::{number_at, JsonPath, PathError};
use crate::state::Message;

// Integers, so that writing them into the SVG's attributes uses integer formatting: Rust's
// float printing would add about 12 KiB of code to the first download.
const WIDTH: u16 = 320;
const HEIGHT: u16 = 80;

#[derive(Properties, PartialEq)]
pub struct TopicChartProps {
    pub ids: AttrValue,
    /// The topic's history, oldest first; compared by the newest entry and the length.
    pub history: HistoryKey,
}

/// A topic's history as the chart reads it: equal while no message arrives on it.
#[derive(Clone)]
pub struct HistoryKey(pub Rc<Vec<Rc<Message>>>);

impl PartialEq for HistoryKey {
    fn eq(&self, other: &Self) -> bool {
        let newest = |h: &HistoryKey| h.0.last().map(|m| m.seq);
        self.0.len() == other.0.len()
            && newest(self) == newest(other)
            && self.0.first().map(|m| m.seq) == other.0.first().map(|m| m.seq)
    }
}

#[component]
pub fn TopicChart(props: &TopicChartProps) -> Html {
    let i18n = use_i18n();
    let path_text = use_state(String::new);
    let path: Result<Option<JsonPath>, PathError> = match path_text.trim() {
        "" => Ok(None),
        text => text.parse().map(Some),
    };
    let views = use_context::<DecodedViews>();
    // The topic's history not decoded yet by its rule (only a shown topic asks).
    let mut wanted = Vec::new();
    let points: Vec<ChartPoint> = match &path {
        Ok(path) => props
            .history
            .0
            .iter()
            // Read when drawn, not as each message arrives: only a shown topic pays for it.
            .filter_map(|message| {
                let decoded = views
                    .as_ref()
                    .and_then(|views| views.decoding(message, &mut wanted));
                let value = match decoded {
                    None => number_at(&message.payload, path.as_ref())?,
                    Some((_, Some(Decoding::Done(result)))) => {
                        number_in(result.as_ref().as_ref().ok()?, path.as_ref())?
                    }
                    Some(_) => return None,
                };
                Some(ChartPoint {
                    time_ms: message.received_at,
                    value,
                })
            })
            .collect(),
        Err(_) => Vec::new(),
    };
    use_want_decoded(views.as_ref(), wanted);
    let id = format!("{}-chart-path", props.ids);
    let oninput = {
        let path_text = path_text.clone();
        on_value::<InputEvent>(move |text| path_text.set(text))
    };
    let described = labels(&points).map(|labels| {
        let with_labels = |key: Key| {
            i18n.text(
                &Text::new(key)
                    .number("count", points.len() as u64)
                    .with("min", labels.min.as_str())
                    .with("max", labels.max.as_str())
                    .with("last", labels.last.as_str()),
            )
        };
        (
            with_labels(Key::ChartDescribed),
            with_labels(Key::ChartCaption),
        )
    });
    html! {
        <div class="topic-chart">
            <div class="field">
                <label for={id.clone()}>{ i18n.t(Key::ChartPath) }</label>
                <input {id} type="text" value={(*path_text).clone()} {oninput}
                    placeholder={i18n.t(Key::ChartPathPlaceholder)}
                    aria-invalid={path.is_err().to_string()} />
            </div>
            if let Err(error) = &path {
                <p class="error">{ i18n.text(&Text::new(Key::ChartNotAPath).with("reason", error.text())) }</p>
            } else if let Some((description, caption)) = described {
                <figure>
                    <svg class="chart" width={WIDTH.to_string()} height={HEIGHT.to_string()}
                        viewBox={format!("0 0 {WIDTH} {HEIGHT}")} role="img"
                        aria-label={description}>
                        <polyline points={polyline_points(&points, WIDTH.into(), HEIGHT.into())} fill="none"
                            stroke="currentColor" stroke-width="1.5" />
                    </svg>
                    <figcaption class="note">{ caption }</figcaption>
                </figure>
            } else {
                <p class="note">{ i18n.t(Key::ChartNoNumbers) }</p>
            }
        </div>
    }
}
