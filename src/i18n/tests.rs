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
