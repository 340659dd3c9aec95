//! Compiles the translation tables in `locales/` into `$OUT_DIR/i18n_tables.rs`: the `Key`
//! enum (one variant per key of `en.txt`), the `Locale` enum (one variant per file, with its
//! name in itself), English's texts, and for every other table what `src/i18n/fetched.rs`
//! needs to take the file when it is fetched (trunk copies it beside the page). A key a locale
//! lacks shows the English text; `src/i18n/tests.rs` fails on it, and on every other
//! disagreement between the tables.

// The app uses the placeholder functions; the build script only parses.
#[allow(dead_code)]
#[path = "src/i18n/table.rs"]
mod table;

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    println!("cargo::rerun-if-changed=locales");
    println!("cargo::rerun-if-changed=src/i18n/table.rs");
    let mut files: Vec<(String, String)> = std::fs::read_dir("locales")
        .expect("locales/ is readable")
        .map(|entry| entry.expect("locales/ is readable").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "txt"))
        .map(|path| {
            let tag = path.file_stem().unwrap().to_string_lossy().into_owned();
            let source = std::fs::read_to_string(&path).expect("a table is UTF-8 text");
            (tag, source)
        })
        .collect();
    // English first: it is the reference and the fallback.
    files.sort_by_key(|(tag, _)| (tag != "en", tag.clone()));
    assert_eq!(
        files.first().map(|(tag, _)| tag.as_str()),
        Some("en"),
        "locales/en.txt is missing"
    );
    let tables: Vec<(&str, Vec<table::Entry<'_>>)> = files
        .iter()
        .map(|(tag, source)| {
            let entries =
                table::parse(source).unwrap_or_else(|error| panic!("locales/{tag}.txt: {error}"));
            (tag.as_str(), entries)
        })
        .collect();
    let keys: Vec<&str> = tables[0]
        .1
        .iter()
        .filter(|entry| entry.plural.is_none())
        .map(|entry| entry.key)
        .collect();

    let mut out = String::new();
    out.push_str("/// A text of the UI, named by its key in `locales/en.txt`.\n");
    out.push_str("#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]\npub enum Key {\n");
    for key in &keys {
        writeln!(out, "    {},", table::variant_name(key)).unwrap();
    }
    out.push_str("}\n\n");
    out.push_str("/// A language of the UI: one per file in `locales/`.\n");
    out.push_str("#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]\npub enum Locale {\n");
    for (tag, _) in &tables {
        writeln!(out, "    {},", table::locale_variant_name(tag)).unwrap();
    }
    out.push_str("}\n\nimpl Locale {\n");
    write!(out, "    pub const ALL: [Locale; {}] = [", tables.len()).unwrap();
    for (tag, _) in &tables {
        write!(out, "Locale::{}, ", table::locale_variant_name(tag)).unwrap();
    }
    out.push_str("];\n\n    /// The BCP 47 tag, as `Intl` and `<html lang>` take it.\n");
    out.push_str("    pub fn tag(self) -> &'static str {\n        match self {\n");
    for (tag, _) in &tables {
        writeln!(
            out,
            "            Locale::{} => {tag:?},",
            table::locale_variant_name(tag)
        )
        .unwrap();
    }
    out.push_str("        }\n    }\n\n");
    out.push_str("    /// The language's name in itself, as the language menu lists it.\n");
    out.push_str("    pub fn name(self) -> &'static str {\n        match self {\n");
    for (tag, entries) in &tables {
        let name = entries
            .iter()
            .find(|entry| entry.key == "language-name" && entry.plural.is_none())
            .unwrap_or_else(|| panic!("locales/{tag}.txt has no `language-name`"));
        writeln!(
            out,
            "            Locale::{} => {:?},",
            table::locale_variant_name(tag),
            name.text
        )
        .unwrap();
    }
    out.push_str("        }\n    }\n}\n\n");

    // English, the reference and the fallback, is compiled in.
    let english = &tables[0].1;
    writeln!(out, "const KEY_COUNT: usize = {};\n", keys.len()).unwrap();
    out.push_str("static ENGLISH_TEXTS: [&str; KEY_COUNT] = [\n");
    for key in &keys {
        let text = english
            .iter()
            .find(|entry| entry.key == *key && entry.plural.is_none())
            .map(|entry| entry.text)
            .unwrap();
        writeln!(out, "    {text:?},").unwrap();
    }
    out.push_str("];\n\n");
    out.push_str("static ENGLISH_PLURALS: &[(Key, &str, &str)] = &[\n");
    for entry in english {
        if let Some(category) = entry.plural {
            let variant = table::variant_name(entry.key);
            writeln!(out, "    (Key::{variant}, {category:?}, {:?}),", entry.text).unwrap();
        }
    }
    out.push_str("];\n\n");

    // Every other table is fetched when its language is first shown: what the app knows of it
    // is the file's name, its fingerprint (so that only this build's file is taken) and what
    // each of its lines is, in order.
    writeln!(
        out,
        "static TABLE_FILES: [Option<TableFile>; {}] = [\n    None,",
        tables.len()
    )
    .unwrap();
    for ((tag, source), (_, entries)) in files.iter().zip(&tables).skip(1) {
        writeln!(
            out,
            "    Some(TableFile {{\n        file: \"{tag}.txt\",\n        fingerprint: {:#018x},\n        entries: &[",
            table::fingerprint(source)
        )
        .unwrap();
        for entry in entries {
            assert!(
                keys.contains(&entry.key),
                "locales/{tag}.txt:{}: `{}` is not in en.txt",
                entry.line,
                entry.key
            );
            // 0 for the plain form, else 1 + the category's place in PLURAL_CATEGORIES.
            let form = entry.plural.map_or(0, |category| {
                1 + table::PLURAL_CATEGORIES
                    .iter()
                    .position(|c| *c == category)
                    .unwrap()
            });
            writeln!(
                out,
                "            (Key::{}, {form}),",
                table::variant_name(entry.key)
            )
            .unwrap();
        }
        out.push_str("        ],\n    }),\n");
    }
    out.push_str("];\n\n");
    // The host tests have no server to fetch from: they read the files.
    out.push_str("#[cfg(test)]\n");
    writeln!(
        out,
        "static TABLE_SOURCES: [Option<&str>; {}] = [\n    None,",
        tables.len()
    )
    .unwrap();
    let manifest = std::env::var("CARGO_MANIFEST_DIR").unwrap();
    for (tag, _) in files.iter().skip(1) {
        writeln!(
            out,
            "    Some(include_str!({:?})),",
            format!("{manifest}/locales/{tag}.txt")
        )
        .unwrap();
    }
    out.push_str("];\n");
    let path = Path::new(&std::env::var("OUT_DIR").unwrap()).join("i18n_tables.rs");
    std::fs::write(path, out).expect("OUT_DIR is writable");
}
