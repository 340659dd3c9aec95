//! The format of the translation tables in `locales/`, read by `build.rs` (which compiles
//! them in) and by the tests that check them; it uses nothing but `core` and `alloc`'s
//! basics so that both can include it.
//!
//! One line per text: `key = text`. A key is lowercase words joined by `-`; `{name}` in a
//! text is replaced by a value. A text that depends on a number has a line per plural
//! category of the locale (`key[one] = …`, as `Intl.PluralRules` names them) beside the plain
//! `key = …`, which is the `other` form. Lines starting with `#` are comments.

/// One line of a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry<'a> {
    /// 1-based, for errors.
    pub line: usize,
    pub key: &'a str,
    /// The plural category (`one`, `two`, `few`, …), or `None` for the plain form.
    pub plural: Option<&'a str>,
    pub text: &'a str,
}

/// The categories `Intl.PluralRules` can select, but `other`, which is the plain form.
pub const PLURAL_CATEGORIES: [&str; 5] = ["zero", "one", "two", "few", "many"];

/// Every line of `source` that is not blank or a comment, or the first malformed one.
pub fn parse(source: &str) -> Result<Vec<Entry<'_>>, String> {
    let mut entries: Vec<Entry<'_>> = Vec::new();
    for (index, raw) in source.lines().enumerate() {
        let line = index + 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let Some((name, text)) = trimmed.split_once(" = ") else {
            return Err(format!("line {line}: expected `key = text`"));
        };
        let (key, plural) = match name.split_once('[') {
            Some((key, rest)) => match rest.strip_suffix(']') {
                Some(category) if PLURAL_CATEGORIES.contains(&category) => (key, Some(category)),
                _ => return Err(format!("line {line}: unknown plural category in `{name}`")),
            },
            None => (name, None),
        };
        if !is_key(key) {
            return Err(format!(
                "line {line}: `{key}` is not a key (lowercase words joined by `-`)"
            ));
        }
        let text = text.trim();
        if text.is_empty() {
            return Err(format!("line {line}: `{name}` has no text"));
        }
        if entries
            .iter()
            .any(|entry| entry.key == key && entry.plural == plural)
        {
            return Err(format!("line {line}: `{name}` appears twice"));
        }
        entries.push(Entry {
            line,
            key,
            plural,
            text,
        });
    }
    for entry in &entries {
        if entry.plural.is_some()
            && !entries
                .iter()
                .any(|e| e.key == entry.key && e.plural.is_none())
        {
            return Err(format!(
                "line {}: `{}` has a plural form but no plain (`other`) one",
                entry.line, entry.key
            ));
        }
    }
    Ok(entries)
}

fn is_key(key: &str) -> bool {
    key.split('-').all(|word| {
        !word.is_empty()
            && word
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    }) && key.starts_with(|c: char| c.is_ascii_lowercase())
}

/// The names of the `{name}` placeholders in `text`, in order; any other brace is text.
pub fn placeholders(text: &str) -> impl Iterator<Item = &str> {
    text.split('{').skip(1).filter_map(|rest| {
        let name = &rest[..rest.find('}')?];
        is_placeholder(name).then_some(name)
    })
}

pub fn is_placeholder(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// The Rust name of a key: `broker-url` is `BrokerUrl`.
pub fn variant_name(key: &str) -> String {
    key.split('-')
        .map(|word| {
            let mut chars = word.chars();
            let first = chars.next().map(|c| c.to_ascii_uppercase());
            first.into_iter().chain(chars).collect::<String>()
        })
        .collect()
}

/// The Rust name of a locale: `zh-CN` is `ZhCn`.
pub fn locale_variant_name(tag: &str) -> String {
    variant_name(&tag.to_ascii_lowercase())
}

/// A 64-bit FNV-1a hash of a table's text: `build.rs` records each fetched table's, so that
/// the app takes only the file of its own build.
pub fn fingerprint(source: &str) -> u64 {
    source.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}
