//! The tables of the languages other than English, which are not compiled into the download:
//! trunk copies each `locales/*.txt` beside the page, and the app fetches one when its language
//! is first shown (the service worker then keeps it, like any file the page fetches). Until it
//! is installed, and if it cannot be, that language's texts are English's.
//!
//! `build.rs` records each file's fingerprint and what each of its lines is, so that a table is
//! taken only if it is this build's file, byte for byte; a file of another build (a server that
//! was updated under an open page) is refused rather than shown with the wrong words.

use std::cell::RefCell;

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use yew::prelude::*;

use super::{table, Key, Locale, Text, ENGLISH_PLURALS, ENGLISH_TEXTS, KEY_COUNT, TABLE_FILES};

/// What the app knows of a table it fetches, from `build.rs`.
pub(super) struct TableFile {
    /// Its name beside the page.
    pub file: &'static str,
    /// `table::fingerprint` of the file.
    pub fingerprint: u64,
    /// What each line of the file (but blanks and comments) is, in order: its key and its
    /// form, 0 for the plain one, else 1 + the plural category's place in
    /// `table::PLURAL_CATEGORIES` (a byte, where a `&str` would cost 8 in the download).
    pub entries: &'static [(Key, u8)],
}

/// A language's texts: one per key (by `Key as usize`) and the plural forms.
pub(super) struct Texts {
    // An array, not a slice: indexed by a `Key`, it needs no bounds check at each text shown.
    pub texts: &'static [&'static str; KEY_COUNT],
    pub plurals: &'static [(Key, &'static str, &'static str)],
}

static ENGLISH: Texts = Texts {
    texts: &ENGLISH_TEXTS,
    plurals: ENGLISH_PLURALS,
};

thread_local! {
    static INSTALLED: RefCell<Vec<(Locale, &'static Texts)>> = const { RefCell::new(Vec::new()) };
    /// Where the tables are, when not beside the page (`locate`).
    static BASE: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Why a language's table could not be taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableError {
    /// The request failed: offline, or the server is gone.
    Unreachable,
    /// The server answered with this HTTP status.
    Status(u16),
    /// The server has a table, but not this build's.
    OtherBuild,
}

impl TableError {
    /// Why `locale` is not shown, for the user.
    pub fn text(self, locale: Locale) -> Text {
        let reason = match self {
            TableError::Unreachable => Text::new(Key::LanguageUnreachable),
            TableError::Status(status) => {
                Text::new(Key::LanguageStatus).with("status", status.to_string())
            }
            TableError::OtherBuild => Text::new(Key::LanguageOtherBuild),
        };
        Text::new(Key::LanguageUnavailable)
            .with("language", locale.name())
            .with("reason", reason)
    }
}

/// Fetches the tables from `base` (a URL ending before the file names) instead of from beside
/// the page: for the browser tests, which have no trunk build to serve them.
pub fn locate(base: String) {
    BASE.with(|cell| *cell.borrow_mut() = Some(base));
}

/// The texts of `locale`: English's until its table is installed.
pub(super) fn texts(locale: Locale) -> &'static Texts {
    if locale == Locale::En {
        return &ENGLISH;
    }
    #[cfg(test)]
    install_from_source(locale);
    INSTALLED
        .with(|installed| {
            installed
                .borrow()
                .iter()
                .find(|(l, _)| *l == locale)
                .map(|(_, texts)| *texts)
        })
        .unwrap_or(&ENGLISH)
}

/// The host tests read the tables from the files `build.rs` compiled from.
#[cfg(test)]
fn install_from_source(locale: Locale) {
    if let Some(source) = super::TABLE_SOURCES[locale as usize] {
        if !is_installed(locale) {
            install(locale, source.to_owned()).expect("the build's own table");
        }
    }
}

/// Whether `locale`'s words are there to show: English always, another language once its
/// table is installed.
pub fn is_installed(locale: Locale) -> bool {
    TABLE_FILES[locale as usize].is_none()
        || INSTALLED.with(|installed| installed.borrow().iter().any(|(l, _)| *l == locale))
}

/// Takes `source` as `locale`'s table if it is this build's file.
pub fn install(locale: Locale, source: String) -> Result<(), TableError> {
    let Some(file) = &TABLE_FILES[locale as usize] else {
        return Ok(());
    };
    if is_installed(locale) {
        return Ok(());
    }
    if table::fingerprint(&source) != file.fingerprint {
        return Err(TableError::OtherBuild);
    }
    // Kept for the page's life, as compiled-in texts would be: one table per language.
    let source: &'static str = Box::leak(source.into_boxed_str());
    let entries = table::parse(source).map_err(|_| TableError::OtherBuild)?;
    if entries.len() != file.entries.len() {
        return Err(TableError::OtherBuild);
    }
    let mut texts = Box::new(ENGLISH_TEXTS);
    let mut plurals = Vec::new();
    for (entry, &(key, form)) in entries.iter().zip(file.entries) {
        match usize::from(form).checked_sub(1) {
            None => texts[key as usize] = entry.text,
            Some(category) => {
                let category = table::PLURAL_CATEGORIES
                    .get(category)
                    .ok_or(TableError::OtherBuild)?;
                plurals.push((key, *category, entry.text));
            }
        }
    }
    let texts: &'static Texts = Box::leak(Box::new(Texts {
        texts: Box::leak(texts),
        plurals: plurals.leak(),
    }));
    INSTALLED.with(|installed| installed.borrow_mut().push((locale, texts)));
    Ok(())
}

fn url_of(file: &str) -> String {
    match BASE.with(|base| base.borrow().clone()) {
        Some(base) => format!("{base}/{file}"),
        None => file.to_owned(),
    }
}

/// Fetches and installs `locale`'s table.
pub async fn fetch(locale: Locale) -> Result<(), TableError> {
    let Some(file) = &TABLE_FILES[locale as usize] else {
        return Ok(());
    };
    let window = gloo::utils::window();
    let response = JsFuture::from(window.fetch_with_str(&url_of(file.file)))
        .await
        .map_err(|_| TableError::Unreachable)?;
    let response: web_sys::Response = response.unchecked_into();
    if !response.ok() {
        return Err(TableError::Status(response.status()));
    }
    let text = response.text().map_err(|_| TableError::Unreachable)?;
    let text = JsFuture::from(text)
        .await
        .map_err(|_| TableError::Unreachable)?;
    install(locale, text.as_string().unwrap_or_default())
}

/// A language that could not be shown, and why.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoadFailure {
    pub locale: Locale,
    pub error: TableError,
}

impl LoadFailure {
    pub fn text(self) -> Text {
        self.error.text(self.locale)
    }
}

/// How long a first visit waits for its language's table before showing English meanwhile
/// (a slow network; the table, once it comes, replaces it).
const FIRST_TABLE_WAIT_MS: u32 = 2_000;

/// The language the page is shown in, given the one `wanted`: `wanted` once its table is
/// installed (at once for English or a table fetched before), else the one shown so far.
/// `None` only before the first language is shown, so that a first visit in Chinese does not
/// flash English; if that first table cannot be had, or is slow to come, the page shows
/// English (and the failure). A new `attempt` (the user chose a language again) tries a failed
/// table again.
#[hook]
pub fn use_shown_locale(wanted: Locale, attempt: u32) -> (Option<Locale>, Option<LoadFailure>) {
    let shown = use_state_eq(|| is_installed(wanted).then_some(wanted));
    let failure = use_state_eq(|| None::<LoadFailure>);
    // The latest wish and attempt: an answer for another language changes nothing.
    let latest = use_mut_ref(|| (wanted, attempt));
    {
        let shown = shown.clone();
        let failure = failure.clone();
        use_effect_with((wanted, attempt), move |&(wanted, attempt)| {
            *latest.borrow_mut() = (wanted, attempt);
            if is_installed(wanted) {
                shown.set(Some(wanted));
                failure.set(None);
            } else {
                if shown.is_none() {
                    let shown = shown.clone();
                    let latest = latest.clone();
                    gloo::timers::callback::Timeout::new(FIRST_TABLE_WAIT_MS, move || {
                        if !is_installed(latest.borrow().0) {
                            shown.set(Some(Locale::En));
                        }
                    })
                    .forget();
                }
                // A failure shown is of the last attempt only.
                failure.set(None);
                wasm_bindgen_futures::spawn_local(async move {
                    let outcome = fetch(wanted).await;
                    let (latest_wanted, latest_attempt) = *latest.borrow();
                    if latest_wanted != wanted {
                        return;
                    }
                    match outcome {
                        // An older attempt's table serves the latest as well.
                        Ok(()) => {
                            shown.set(Some(wanted));
                            failure.set(None);
                        }
                        // A failure of an attempt made again since is not the latest word.
                        Err(_) if latest_attempt != attempt => {}
                        Err(error) => {
                            if shown.is_none() {
                                shown.set(Some(Locale::En));
                            }
                            failure.set(Some(LoadFailure {
                                locale: wanted,
                                error,
                            }));
                        }
                    }
                });
            }
        });
    }
    (*shown, *failure)
}
