use std::rc::Rc;

use yew::prelude::*;

use crate::payload::preview;
use crate::state::{Message, MessageLog};

/// Numeric values kept per topic for its chart.
const CHART_POINTS: usize = 50;

#[derive(Default)]
struct Node {
    /// Sorted by name. A sorted Vec rather than a BTreeMap: the app's only map of this type
    /// would add the B-tree's code for it to the download.
    children: Vec<(String, Node)>,
    /// Messages on exactly this topic in the history.
    count: u64,
    last: Option<Rc<Message>>,
    /// Recent numeric payloads, oldest first.
    values: Vec<f64>,
}

impl Node {
    fn child(&mut self, name: &str) -> &mut Node {
        let index = match self
            .children
            .binary_search_by(|(n, _)| n.as_str().cmp(name))
        {
            Ok(index) => index,
            Err(index) => {
                self.children
                    .insert(index, (name.to_owned(), Node::default()));
                index
            }
        };
        &mut self.children[index].1
    }
}

fn build(messages: &MessageLog) -> Node {
    let mut root = Node::default();
    // Oldest first, so the last message seen is the newest.
    let mut all: Vec<&Rc<Message>> = messages.newest_first().collect();
    all.reverse();
    for message in all {
        let mut node = &mut root;
        for level in message.topic.split('/') {
            node = node.child(level);
        }
        node.count += 1;
        node.last = Some(message.clone());
        if let Some(value) = std::str::from_utf8(&message.payload)
            .ok()
            .map(str::trim)
            .filter(|t| is_decimal(t))
            .map(js_sys::parse_float)
            .filter(|v| v.is_finite())
        {
            if node.values.len() == CHART_POINTS {
                node.values.remove(0);
            }
            node.values.push(value);
        }
    }
    root
}

/// Whether `text` is a decimal number as `str::parse::<f64>` reads one: an optional sign, digits
/// with an optional point, an optional exponent. The browser's `parseFloat` then converts it to
/// the same (nearest) `f64`: Rust's own conversion would add its tables, 10 KB, to the download.
fn is_decimal(text: &str) -> bool {
    let digits = |s: &str| s.len() - s.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    let whole = digits(unsigned);
    let rest = &unsigned[whole..];
    let (fraction, rest) = match rest.strip_prefix('.') {
        Some(after) => (digits(after), &after[digits(after)..]),
        None => (0, rest),
    };
    let exponent_ok = match rest.strip_prefix(['e', 'E']) {
        Some(exponent) => {
            let exponent = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
            digits(exponent) > 0 && digits(exponent) == exponent.len()
        }
        None => rest.is_empty(),
    };
    whole + fraction > 0 && exponent_ok
}

/// `points` for an SVG polyline of `values` scaled into `width` × `height`.
pub fn chart_points(values: &[f64], width: f64, height: f64) -> String {
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let span = if max > min { max - min } else { 1.0 };
    let step = if values.len() > 1 {
        width / (values.len() - 1) as f64
    } else {
        0.0
    };
    values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let x = i as f64 * step;
            let y = height - (v - min) / span * height;
            format!("{},{}", one_decimal(x), one_decimal(y))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A non-negative number with one decimal, without the float formatting machinery.
fn one_decimal(value: f64) -> String {
    let tenths = (value.max(0.0) * 10.0).round() as u64;
    format!("{}.{}", tenths / 10, tenths % 10)
}

fn view_node(name: &str, node: &Node) -> Html {
    let total = total_count(node);
    let chart = (node.values.len() > 1).then(|| {
        html! {
            <svg class="chart" width="80" height="20" viewBox="0 0 80 20" role="img"
                aria-label={format!("Recent values of {name}")}>
                <polyline points={chart_points(&node.values, 80.0, 20.0)} fill="none"
                    stroke="currentColor" stroke-width="1.5" />
            </svg>
        }
    });
    let label = html! {
        <>
            <span class="level">{ name.to_owned() }</span>
            <span class="count">{ total }</span>
            if let Some(last) = &node.last {
                <span class="last">{ preview(&last.payload, 60) }</span>
            }
            { for chart }
        </>
    };
    if node.children.is_empty() {
        html! { <li class="leaf">{ label }</li> }
    } else {
        html! {
            <li>
                <details open={node.children.len() <= 20}>
                    <summary>{ label }</summary>
                    <ul>
                        { for node.children.iter().map(|(name, child)| view_node(name, child)) }
                    </ul>
                </details>
            </li>
        }
    }
}

fn total_count(node: &Node) -> u64 {
    node.count
        + node
            .children
            .iter()
            .map(|(_, child)| total_count(child))
            .sum::<u64>()
}

#[derive(Properties, PartialEq)]
pub struct TopicTreeProps {
    pub messages: MessageLog,
}

/// Topics in the history as a tree, with counts, last values and charts of numbers. Built
/// only while open, since it walks the whole history.
#[component]
pub fn TopicTree(props: &TopicTreeProps) -> Html {
    let open = use_state(|| false);
    let ontoggle = {
        let open = open.clone();
        Callback::from(move |e: Event| {
            let is_open = e
                .target()
                .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlDetailsElement>(t).ok())
                .is_some_and(|d| d.open());
            open.set(is_open);
        })
    };
    let tree = (*open).then(|| build(&props.messages));
    html! {
        <details class="topic-tree" {ontoggle}>
            <summary>{ "Topic tree" }</summary>
            if let Some(tree) = tree {
                <ul aria-label="Topic tree">
                    { for tree.children.iter().map(|(name, child)| view_node(name, child)) }
                </ul>
            }
        </details>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn children_stay_sorted_and_are_found_again() {
        let mut root = Node::default();
        for name in ["b", "a", "c", "a"] {
            root.child(name).count += 1;
        }
        let children: Vec<_> = root
            .children
            .iter()
            .map(|(n, c)| (n.as_str(), c.count))
            .collect();
        assert_eq!(children, [("a", 2), ("b", 1), ("c", 1)]);
    }

    #[test]
    fn decimals_are_what_rust_parses_as_finite_numbers() {
        let inputs = [
            "0",
            "42",
            "-7",
            "+3.5",
            "1.",
            ".5",
            "-.5",
            "1e3",
            "2.5E-3",
            "1e+9",
            "007",
            "",
            "+",
            "-",
            ".",
            "e3",
            "1e",
            "1e+",
            "1.2.3",
            "1,5",
            "0x10",
            "1_000",
            "+-1",
            " 1",
            "1 ",
            "12a",
            "inf",
            "-infinity",
            "NaN",
        ];
        for text in inputs {
            let finite = text.parse::<f64>().is_ok_and(f64::is_finite);
            assert_eq!(is_decimal(text), finite, "{text:?}");
        }
    }

    #[test]
    fn chart_spans_the_box_from_min_to_max() {
        assert_eq!(
            chart_points(&[1.0, 3.0, 2.0], 80.0, 20.0),
            "0.0,20.0 40.0,0.0 80.0,10.0"
        );
        assert_eq!(chart_points(&[5.0, 5.0], 10.0, 10.0), "0.0,10.0 10.0,10.0");
    }
}
