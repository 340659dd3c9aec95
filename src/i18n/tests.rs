//! The tables agree with each other and with the code: every language has English's keys,
//! placeholders and a plain form; every key is used; texts render with their values.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::table::{self, Entry};
use super::*;

fn tables() -> Vec<(String, String)> {
    let mut tables: Vec<(String, String)> =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("locales"))
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "txt"))
            .map(|path| {
                let tag = path.file_stem().unwrap().to_string_lossy().into_owned();
                (tag, std::fs::read_to_string(path).unwrap())
            })
            .collect();
    tables.sort();
    tables
}

fn placeholders_of(entry: &Entry<'_>) -> BTreeSet<String> {
    table::placeholders(entry.text).map(str::to_owned).collect()
}

#[test]
fn every_language_has_english_s_keys_and_placeholders() {
    let tables = tables();
    let english = tables.iter().find(|(tag, _)| tag == "en").unwrap();
    let english = table::parse(&english.1).unwrap();
    let mut problems = Vec::new();
    for (tag, source) in &tables {
        assert!(Locale::matching(tag).is_some(), "{tag} is compiled in");
        let entries = table::parse(source).unwrap_or_else(|error| panic!("{tag}: {error}"));
        for reference in english.iter().filter(|e| e.plural.is_none()) {
            let wanted = placeholders_of(reference);
            let forms: Vec<&Entry<'_>> =
                entries.iter().filter(|e| e.key == reference.key).collect();
            if !forms.iter().any(|form| form.plural.is_none()) {
                problems.push(format!("{tag}: `{}` is missing", reference.key));
            }
            for form in forms {
                let got = placeholders_of(form);
                // A plural form may leave the number out ("a message"); the plain form may not.
                let agrees = match form.plural {
                    None => got == wanted,
                    Some(_) => got.is_subset(&wanted) && wanted.contains("count"),
                };
                if !agrees {
                    problems.push(format!(
                        "{tag}:{}: `{}` has placeholders {got:?}, English {wanted:?}{}",
                        form.line,
                        form.key,
                        if form.plural.is_some() {
                            " (a plural form needs {count})"
                        } else {
                            ""
                        }
                    ));
                }
            }
        }
        for entry in &entries {
            if !english.iter().any(|e| e.key == entry.key) {
                problems.push(format!(
                    "{tag}:{}: `{}` is not in en.txt",
                    entry.line, entry.key
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_key_is_used() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    let sources: String = files
        .iter()
        .map(|path| std::fs::read_to_string(path).unwrap())
        .collect();
    let english = std::fs::read_to_string(root.join("locales/en.txt")).unwrap();
    let unused: Vec<&str> = table::parse(&english)
        .unwrap()
        .iter()
        .filter(|entry| entry.plural.is_none())
        .map(|entry| entry.key)
        // `build.rs` reads it for the language menu (`Locale::name`).
        .filter(|key| *key != "language-name")
        .filter(|key| {
            let name = format!("Key::{}", table::variant_name(key));
            !sources.match_indices(&name).any(|(at, _)| {
                let next = sources[at + name.len()..].chars().next();
                !next.is_some_and(|c| c.is_alphanumeric() || c == '_')
            })
        })
        .collect();
    assert!(unused.is_empty(), "keys no code uses: {unused:?}");
}

#[test]
fn texts_render_with_their_values_in_each_language() {
    let english = I18n { locale: Locale::En };
    let chinese = I18n {
        locale: Locale::ZhCn,
    };
    let text = Text::new(Key::CloseConnection).with("title", "plant");
    assert_eq!(english.text(&text), "Close connection plant");
    assert_eq!(chinese.text(&text), "关闭连接 plant");
    // A brace that is not a placeholder is text, and a value nobody gave stays visible.
    assert_eq!(
        english.text(&Text::new(Key::CloseConnection)),
        "Close connection {title}"
    );
}

#[test]
fn the_browser_s_languages_choose_the_locale() {
    let languages = |tags: &[&str]| tags.iter().map(|t| t.to_string()).collect::<Vec<_>>();
    assert_eq!(Locale::preferred(languages(&["zh-CN", "en"])), Locale::ZhCn);
    assert_eq!(Locale::preferred(languages(&["zh-TW"])), Locale::ZhCn);
    assert_eq!(
        Locale::preferred(languages(&["fr-FR", "en-GB"])),
        Locale::En
    );
    assert_eq!(Locale::preferred(languages(&["de", "zh"])), Locale::ZhCn);
    assert_eq!(Locale::preferred(languages(&["fr"])), Locale::En);
    assert_eq!(Locale::matching("ZH-cn"), Some(Locale::ZhCn));
    assert_eq!(Locale::matching("ja"), None);
}

/// A string literal of a Rust source, with the code around it (to tell a class name from a
/// text node).
struct Literal {
    line: usize,
    text: String,
    before: String,
    after: String,
}

/// The string literals of a Rust source outside comments and its `#[cfg(test)]` module.
fn literals(source: &str) -> Vec<Literal> {
    let source = source.split("\n#[cfg(test)]\n").next().unwrap_or(source);
    let bytes = source.as_bytes();
    let mut found = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        match bytes[at] {
            b'/' if bytes.get(at + 1) == Some(&b'/') => {
                at = source[at..].find('\n').map_or(bytes.len(), |end| at + end);
            }
            b'/' if bytes.get(at + 1) == Some(&b'*') => {
                at = source[at..]
                    .find("*/")
                    .map_or(bytes.len(), |end| at + end + 2);
            }
            // A char literal, so that '"' does not open a string (lifetimes have no quote after).
            b'\'' if bytes.get(at + 2) == Some(&b'\'') || bytes.get(at + 1) == Some(&b'\\') => {
                at = source[at + 1..]
                    .find('\'')
                    .map_or(bytes.len(), |end| at + end + 2);
            }
            b'r' if matches!(bytes.get(at + 1), Some(b'"' | b'#'))
                && !bytes[..at]
                    .last()
                    .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_') =>
            {
                let hashes = bytes[at + 1..].iter().take_while(|b| **b == b'#').count();
                let open = at + 1 + hashes;
                if bytes.get(open) != Some(&b'"') {
                    at += 1;
                    continue;
                }
                let close = format!("\"{}", "#".repeat(hashes));
                let end = source[open + 1..]
                    .find(&close)
                    .map_or(bytes.len(), |e| open + 1 + e);
                found.push((at, end + close.len(), source[open + 1..end].to_owned()));
                at = end + close.len();
            }
            b'"' => {
                let mut end = at + 1;
                while end < bytes.len() && bytes[end] != b'"' {
                    end += if bytes[end] == b'\\' { 2 } else { 1 };
                }
                let end = end.min(bytes.len());
                found.push((at, end + 1, source[at + 1..end].to_owned()));
                at = end + 1;
            }
            _ => at += 1,
        }
    }
    found
        .into_iter()
        .map(|(at, end, text)| {
            let start = source[..at]
                .char_indices()
                .rev()
                .nth(24)
                .map_or(0, |(i, _)| i);
            Literal {
                line: source[..at].matches('\n').count() + 1,
                text,
                before: source[start..at].trim_end().to_owned(),
                after: source
                    .get(end..)
                    .unwrap_or("")
                    .trim_start()
                    .chars()
                    .take(8)
                    .collect(),
            }
        })
        .collect()
}

/// Literals that name things for the browser, not for people, though they look like words.
const NOT_WORDS: &[&str] = &[
    // Numbers as JavaScript writes them.
    "Infinity",
    "-Infinity",
    "NaN",
    // KeyboardEvent.key and .code values.
    "Enter",
    "Escape",
    "ArrowUp",
    "ArrowDown",
    "ArrowLeft",
    "ArrowRight",
    "Home",
    "End",
    "PageUp",
    "PageDown",
    "Tab",
    "Delete",
    "Backspace",
    "KeyC",
    "KeyS",
    "KeyP",
];

/// Whether a literal reads as words for a person: letters beyond ASCII, a capitalised word,
/// a phrase, or in a view any word in a text node; unless the code before it says it is a
/// class, an id, a role or the like, or a message for developers (a panic's).
fn reads_as_words(text: &str, before: &str, after: &str, in_view: bool) -> bool {
    const NOT_FOR_PEOPLE: [&str; 14] = [
        "class=",
        "classes!(",
        "role=",
        "type=",
        "id=",
        "key=",
        "data-",
        "rel=",
        "target=",
        "autocomplete=",
        "inputmode=",
        "expect(",
        "panic!(",
        "unreachable!(",
    ];
    if NOT_WORDS.contains(&text) || NOT_FOR_PEOPLE.iter().any(|a| before.ends_with(a)) {
        return false;
    }
    let non_ascii_letters = text.chars().any(|c| c.is_alphabetic() && !c.is_ascii());
    let words: Vec<&str> = text
        .split(|c: char| !c.is_ascii_alphabetic() && c != '\'')
        .filter(|word| word.len() >= 2)
        .collect();
    let capitalised = words.iter().any(|word| {
        let mut chars = word.chars();
        chars.next().is_some_and(|c| c.is_ascii_uppercase())
            && chars.all(|c| c.is_ascii_lowercase() || c == '\'')
    });
    let phrase = text
        .split_whitespace()
        .filter(|word| {
            word.len() >= 2
                && word
                    .chars()
                    .all(|c| c.is_ascii_alphabetic() || ",.:;!?'".contains(c))
        })
        .count()
        >= 2;
    // A hyphenated lowercase token is a name (`changed-even`), wherever it sits.
    let name = text.contains('-')
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    let text_node =
        in_view && before.ends_with('{') && after.starts_with('}') && !words.is_empty() && !name;
    non_ascii_letters || capitalised || phrase || text_node
}

#[test]
fn the_views_hold_no_words_of_their_own() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    let mut found = Vec::new();
    // The tables' own code, and tests kept in files of their own.
    let checked =
        |path: &&PathBuf| !path.starts_with(root.join("src/i18n")) && !path.ends_with("tests.rs");
    for path in files.iter().filter(checked) {
        let source = std::fs::read_to_string(path).unwrap();
        let in_view = path.starts_with(root.join("src/components")) || path.ends_with("src/lib.rs");
        for Literal {
            line,
            text,
            before,
            after,
        } in literals(&source)
        {
            if reads_as_words(&text, &before, &after, in_view) {
                let name = path.strip_prefix(root).unwrap().display();
                found.push(format!("{name}:{line}: {text:?}"));
            }
        }
    }
    assert!(
        found.is_empty(),
        "words outside locales/ ({}):\n{}",
        found.len(),
        found.join("\n")
    );
}

#[test]
fn the_literal_check_finds_words_and_passes_names() {
    let source = r##"
        // "Not this": a comment.
        let a = html! { <p class="field check">{ "sending" }</p> };
        let b = format!("{} topics left", n);
        let c = "Connect";
        let d = r#"主题"#;
        let e = '"';
        let f = if even { "tree-row" } else { "b" };
        let k = match key { "connected" => 1 };
        let g = "Enter";
        let h = item.expect("Never shown");
#[cfg(test)]
mod tests { "Also not this" }
    "##;
    let words: Vec<String> = literals(source)
        .into_iter()
        .filter(|l| reads_as_words(&l.text, &l.before, &l.after, true))
        .map(|l| l.text)
        .collect();
    assert_eq!(words, ["sending", "{} topics left", "Connect", "主题"]);
}

#[test]
fn a_fetched_table_is_taken_only_if_it_is_this_build_s() {
    let source = TABLE_SOURCES[Locale::ZhCn as usize].unwrap();
    let chinese = I18n {
        locale: Locale::ZhCn,
    };
    assert!(fetched::is_installed(Locale::En));
    assert!(!fetched::is_installed(Locale::ZhCn));
    // Another build's table: one text changed, or one line more.
    let changed = source.replacen("连接", "连結", 1);
    assert_eq!(
        fetched::install(Locale::ZhCn, changed),
        Err(fetched::TableError::OtherBuild)
    );
    assert_eq!(
        fetched::install(Locale::ZhCn, format!("{source}\nextra-key = 多余\n")),
        Err(fetched::TableError::OtherBuild)
    );
    assert!(!fetched::is_installed(Locale::ZhCn));
    fetched::install(Locale::ZhCn, source.to_owned()).unwrap();
    assert!(fetched::is_installed(Locale::ZhCn));
    assert_eq!(chinese.t(Key::Connect), "连接");
    assert_eq!(chinese.t(Key::LanguageName), "简体中文");
    assert_eq!(Locale::ZhCn.name(), "简体中文");
    assert_eq!(
        chinese.text(&Text::new(Key::MessageCount).number("count", 1)),
        "1 条消息"
    );
}

#[test]
fn a_language_that_cannot_be_fetched_says_why() {
    let failure = |error: fetched::TableError| english(&error.text(Locale::ZhCn));
    assert_eq!(
        failure(fetched::TableError::Status(404)),
        "简体中文 could not be loaded: the server answered HTTP 404. Choose it again to retry."
    );
    assert!(failure(fetched::TableError::Unreachable).contains("could not be downloaded"));
    assert!(failure(fetched::TableError::OtherBuild).contains("reload the page"));
}

#[test]
fn index_html_puts_every_fetched_table_beside_the_page_and_names_it() {
    let page =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("index.html")).unwrap();
    for file in TABLE_FILES.iter().flatten() {
        let link = format!(
            r#"<link data-trunk rel="copy-file" href="locales/{}">"#,
            file.file
        );
        assert!(page.contains(&link), "index.html lacks {link}");
    }
    assert_eq!(TABLE_FILES.iter().flatten().count(), Locale::ALL.len() - 1);
}
