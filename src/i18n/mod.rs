//! The UI's words in the user's language: the tables in `locales/` (one file per language;
//! `build.rs` compiles English in, and `fetched.rs` fetches the others when first shown), `Text` (a key and its values, plain data that state can hold
//! and that renders in whichever language is chosen when it is shown) and `I18n`, the chosen
//! language, which formats texts, numbers and times (numbers and times through the browser's
//! `Intl`, so that no locale data is compiled into the download).

pub mod fetched;
mod intl;
pub mod outcomes;
pub mod table;
#[cfg(test)]
mod tests;

use std::rc::Rc;

use yew::prelude::*;

use fetched::TableFile;

include!(concat!(env!("OUT_DIR"), "/i18n_tables.rs"));

impl Locale {
    /// The first of the browser's preferred languages that the app speaks, else English.
    pub fn preferred(languages: impl IntoIterator<Item = String>) -> Locale {
        languages
            .into_iter()
            .find_map(|language| Locale::matching(&language))
            .unwrap_or(Locale::En)
    }

    /// The locale for a BCP 47 tag: the same tag, or the same language (`en-GB` is `en`,
    /// every Chinese tag is `zh-CN`, the only Chinese we have).
    pub fn matching(tag: &str) -> Option<Locale> {
        let language = |tag: &str| {
            tag.split(['-', '_'])
                .next()
                .unwrap_or("")
                .to_ascii_lowercase()
        };
        Locale::ALL
            .iter()
            .copied()
            .find(|locale| locale.tag().eq_ignore_ascii_case(tag))
            .or_else(|| {
                Locale::ALL
                    .iter()
                    .copied()
                    .find(|locale| language(locale.tag()) == language(tag))
            })
    }
}

/// A value put into a text's `{name}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Arg {
    /// Shown as it is: names, topics, codes.
    Plain(Rc<str>),
    /// A count or size, written with the locale's digit grouping and choosing the plural
    /// form when it is the `count` value.
    Number(u64),
    /// Another text, rendered in the same language.
    Text(Box<Text>),
}

impl From<&str> for Arg {
    fn from(value: &str) -> Self {
        Arg::Plain(value.into())
    }
}

impl From<String> for Arg {
    fn from(value: String) -> Self {
        Arg::Plain(value.into())
    }
}

impl From<Text> for Arg {
    fn from(value: Text) -> Self {
        Arg::Text(Box::new(value))
    }
}

impl From<Key> for Arg {
    fn from(value: Key) -> Self {
        Arg::Text(Box::new(value.into()))
    }
}

/// Words for the user that are not rendered yet: a key of the tables and the values of its
/// placeholders. Plain data, so state and errors hold it and it follows a change of language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Text {
    pub key: Key,
    pub args: Vec<(&'static str, Arg)>,
}

impl Text {
    pub fn new(key: Key) -> Self {
        Text {
            key,
            args: Vec::new(),
        }
    }

    /// This text with `{name}` standing for `value` (a string, a `Key` or another `Text`).
    pub fn with(mut self, name: &'static str, value: impl Into<Arg>) -> Self {
        self.args.push((name, value.into()));
        self
    }

    /// This text with `{name}` standing for a quantity, grouped as the locale writes numbers;
    /// `{count}` also chooses the plural form.
    pub fn number(mut self, name: &'static str, value: u64) -> Self {
        self.args.push((name, Arg::Number(value)));
        self
    }

    fn arg(&self, name: &str) -> Option<&Arg> {
        self.args
            .iter()
            .find(|(arg, _)| *arg == name)
            .map(|(_, value)| value)
    }
}

impl From<Key> for Text {
    fn from(key: Key) -> Self {
        Text::new(key)
    }
}

/// The chosen language, given to every component as a context (`use_i18n`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct I18n {
    pub locale: Locale,
}

impl I18n {
    /// A text without placeholders.
    pub fn t(self, key: Key) -> &'static str {
        fetched::texts(self.locale).texts[key as usize]
    }

    /// `text` in this language, its placeholders filled.
    pub fn text(self, text: &Text) -> String {
        let template = match text.arg("count") {
            Some(Arg::Number(count)) => self.plural_form(text.key, *count as f64),
            _ => self.t(text.key),
        };
        let mut out = String::with_capacity(template.len());
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let value = after
                .find('}')
                .map(|close| &after[..close])
                .filter(|name| table::is_placeholder(name))
                .and_then(|name| Some((name, text.arg(name)?)));
            match value {
                Some((name, value)) => {
                    self.push_arg(&mut out, value);
                    rest = &after[name.len() + 1..];
                }
                None => {
                    out.push('{');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }

    fn push_arg(self, out: &mut String, value: &Arg) {
        match value {
            Arg::Plain(value) => out.push_str(value),
            Arg::Number(value) => out.push_str(&self.number(*value as f64)),
            Arg::Text(text) => out.push_str(&self.text(text)),
        }
    }

    fn plural_form(self, key: Key, count: f64) -> &'static str {
        let category = intl::plural_category(self.locale, count);
        fetched::texts(self.locale)
            .plurals
            .iter()
            .find(|(form, name, _)| *form == key && *name == category.as_str())
            .map_or_else(|| self.t(key), |(_, _, text)| text)
    }

    /// A quantity as the locale writes it (`12,345`).
    pub fn number(self, value: f64) -> String {
        intl::format_number(self.locale, value)
    }

    /// A wall-clock time of day with milliseconds, as the locale writes it.
    pub fn time(self, epoch_millis: u64) -> String {
        intl::format_time(self.locale, epoch_millis)
    }
}

/// `text` in English, for the native tests of the code that makes texts.
#[cfg(test)]
pub fn english(text: &Text) -> String {
    I18n { locale: Locale::En }.text(text)
}

/// The language of the component's app.
#[hook]
pub fn use_i18n() -> I18n {
    use_context::<I18n>().unwrap_or(I18n { locale: Locale::En })
}
