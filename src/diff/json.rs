//! A key-by-key diff of two JSON values: each change by its path (`a.b[2].c`), unchanged
//! values left out.
//!
//! The order is deterministic: an object's keys in the old value's order (changed and removed
//! ones where they stood, nested changes in place), then its added keys in the new value's
//! order; an array's items by index, items past the shorter array removed or added. Arrays
//! are compared index by index (an item inserted at the front changes every index after it).
//! A change of type at a path (an object becoming a number) is a change of that path; numbers
//! compare as written (`1.0` to `1` is a change). A member is matched to the first of its name
//! on the other side, looked for first after the previous match, so keys in the same order
//! cost one comparison each.

use crate::json::Value;
use crate::json_path::{JsonPath, PathStep};

/// Changes listed at most; the diff stops at the next one.
const MAX_CHANGES: usize = 1_000;

/// Key comparisons spent looking for members out of order (a 1,000-key object shuffled costs
/// about half a million); the diff stops when they run out.
const MAX_KEY_COMPARISONS: usize = 2_000_000;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    /// Values are compact JSON text (`{"a":1}`).
    Added {
        new: String,
    },
    Removed {
        old: String,
    },
    Changed {
        old: String,
        new: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonChange {
    /// No steps (`$`) for a change of the whole value.
    pub path: JsonPath,
    pub kind: ChangeKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonDiff {
    pub changes: Vec<JsonChange>,
    /// False when the diff stopped at a bound (1,000 changes, or too many keys out of order):
    /// the changes listed are the first, and more may follow.
    pub complete: bool,
}

pub fn diff_json(old: &Value, new: &Value) -> JsonDiff {
    let mut differ = Differ {
        path: Vec::new(),
        changes: Vec::new(),
        comparisons_left: MAX_KEY_COMPARISONS,
    };
    let complete = differ.value(old, new).is_ok();
    JsonDiff {
        changes: differ.changes,
        complete,
    }
}

/// A bound was reached.
struct Stopped;

struct Differ {
    /// Where the values being compared are.
    path: Vec<PathStep>,
    changes: Vec<JsonChange>,
    comparisons_left: usize,
}

type Members = [(String, Value)];

impl Differ {
    fn value(&mut self, old: &Value, new: &Value) -> Result<(), Stopped> {
        match (old, new) {
            (Value::Object(old), Value::Object(new)) => self.object(old, new),
            (Value::Array(old), Value::Array(new)) => self.array(old, new),
            _ if old == new => Ok(()),
            _ => self.push(ChangeKind::Changed {
                old: old.to_compact(),
                new: new.to_compact(),
            }),
        }
    }

    fn object(&mut self, old: &Members, new: &Members) -> Result<(), Stopped> {
        let mut cursor = 0;
        for (name, old_value) in old {
            self.path.push(PathStep::Key(name.clone()));
            match self.member(new, &mut cursor, name)? {
                Some(new_value) => self.value(old_value, new_value)?,
                None => self.push(ChangeKind::Removed {
                    old: old_value.to_compact(),
                })?,
            }
            self.path.pop();
        }
        let mut cursor = 0;
        for (name, new_value) in new {
            if self.member(old, &mut cursor, name)?.is_none() {
                self.path.push(PathStep::Key(name.clone()));
                self.push(ChangeKind::Added {
                    new: new_value.to_compact(),
                })?;
                self.path.pop();
            }
        }
        Ok(())
    }

    fn array(&mut self, old: &[Value], new: &[Value]) -> Result<(), Stopped> {
        for (index, (old_item, new_item)) in old.iter().zip(new).enumerate() {
            self.path.push(PathStep::Index(index));
            self.value(old_item, new_item)?;
            self.path.pop();
        }
        for (index, old_item) in old.iter().enumerate().skip(new.len()) {
            self.path.push(PathStep::Index(index));
            self.push(ChangeKind::Removed {
                old: old_item.to_compact(),
            })?;
            self.path.pop();
        }
        for (index, new_item) in new.iter().enumerate().skip(old.len()) {
            self.path.push(PathStep::Index(index));
            self.push(ChangeKind::Added {
                new: new_item.to_compact(),
            })?;
            self.path.pop();
        }
        Ok(())
    }

    /// The member `name` of `members`: the one at `cursor` (just after the previous match) if
    /// it has that name, else the first of that name.
    fn member<'v>(
        &mut self,
        members: &'v Members,
        cursor: &mut usize,
        name: &str,
    ) -> Result<Option<&'v Value>, Stopped> {
        if let Some((found, value)) = members.get(*cursor) {
            if found == name {
                *cursor += 1;
                return Ok(Some(value));
            }
        }
        self.comparisons_left = self
            .comparisons_left
            .checked_sub(members.len())
            .ok_or(Stopped)?;
        let index = members.iter().position(|(found, _)| found == name);
        if let Some(index) = index {
            *cursor = index + 1;
        }
        Ok(index.map(|index| &members[index].1))
    }

    fn push(&mut self, kind: ChangeKind) -> Result<(), Stopped> {
        if self.changes.len() == MAX_CHANGES {
            return Err(Stopped);
        }
        self.changes.push(JsonChange {
            path: JsonPath {
                steps: self.path.clone(),
            },
            kind,
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    /// Each change as `path: old → new`, `+path: new` or `-path: old`.
    fn changes(old: &str, new: &str) -> Vec<String> {
        let diff = diff_json(
            &json::parse(old).expect("old JSON"),
            &json::parse(new).expect("new JSON"),
        );
        assert!(diff.complete);
        diff.changes
            .iter()
            .map(|change| match &change.kind {
                ChangeKind::Added { new } => format!("+{}: {new}", change.path),
                ChangeKind::Removed { old } => format!("-{}: {old}", change.path),
                ChangeKind::Changed { old, new } => format!("{}: {old} → {new}", change.path),
            })
            .collect()
    }

    #[test]
    fn changes_by_path_in_old_order_then_added_keys() {
        assert_eq!(
            changes(
                r#"{"a":1,"b":{"c":[1,2,3],"d":"x"},"gone":true,"same":null}"#,
                r#"{"new":{"n":1},"b":{"d":"y","c":[1,5,3,4]},"same":null,"a":1.0}"#,
            ),
            [
                "a: 1 → 1.0",
                "b.c[1]: 2 → 5",
                "+b.c[3]: 4",
                r#"b.d: "x" → "y""#,
                "-gone: true",
                r#"+new: {"n":1}"#,
            ]
        );
    }

    #[test]
    fn type_changes_are_changes_of_their_path() {
        assert_eq!(
            changes(r#"{"a":{"b":1},"c":[1]}"#, r#"{"a":[1],"c":"1"}"#),
            [r#"a: {"b":1} → [1]"#, r#"c: [1] → "1""#]
        );
        assert_eq!(changes("[1]", r#"{"0":1}"#), [r#"$: [1] → {"0":1}"#]);
        assert_eq!(changes("[]", "[[]]"), ["+[0]: []"]);
        assert_eq!(changes("[1,2,3]", "[1]"), ["-[1]: 2", "-[2]: 3"]);
        assert_eq!(changes("{}", "{}"), Vec::<String>::new());
        assert_eq!(
            changes(r#"{"a" : [ 1 ]}"#, r#"{"a":[1]}"#),
            Vec::<String>::new()
        );
    }

    #[test]
    fn awkward_keys_are_quoted_in_paths() {
        assert_eq!(
            changes(r#"{"key with.dot":{"":1}}"#, r#"{"key with.dot":{"":2}}"#),
            [r#"["key with.dot"][""]: 1 → 2"#]
        );
    }

    #[test]
    fn duplicate_members_match_in_order() {
        assert_eq!(
            changes(r#"{"a":1,"a":2}"#, r#"{"a":1,"a":2}"#),
            Vec::<String>::new()
        );
        assert_eq!(
            changes(r#"{"a":1,"a":2}"#, r#"{"a":1,"a":3}"#),
            ["a: 2 → 3"]
        );
    }

    #[test]
    fn a_key_inserted_in_a_large_object_costs_no_search_per_key() {
        let object = |skip: Option<usize>| {
            let members: Vec<String> = (0..100_000)
                .filter(|&i| Some(i) != skip)
                .map(|i| format!("\"k{i}\":{i}"))
                .collect();
            format!("{{{}}}", members.join(","))
        };
        let old = json::parse(&object(Some(10))).expect("JSON");
        let new = json::parse(&object(None)).expect("JSON");
        let diff = diff_json(&old, &new);
        assert!(diff.complete);
        assert_eq!(diff.changes.len(), 1);
        assert_eq!(diff.changes[0].path.to_string(), "k10");
    }

    #[test]
    fn a_shuffled_large_object_stops_at_the_comparison_bound() {
        let object = |reversed: bool| {
            let mut members: Vec<String> = (0..20_000).map(|i| format!("\"k{i}\":{i}")).collect();
            if reversed {
                members.reverse();
            }
            format!("{{{}}}", members.join(","))
        };
        let old = json::parse(&object(false)).expect("JSON");
        let new = json::parse(&object(true)).expect("JSON");
        let diff = diff_json(&old, &new);
        assert!(!diff.complete);
        assert!(diff.changes.is_empty(), "the members found are all equal");
    }

    #[test]
    fn many_changes_stop_at_the_change_bound() {
        let array = |value: u32| {
            let items: Vec<String> = (0..100_000).map(|i| (i + value).to_string()).collect();
            json::parse(&format!("[{}]", items.join(","))).expect("JSON")
        };
        let diff = diff_json(&array(0), &array(1));
        assert!(!diff.complete);
        assert_eq!(diff.changes.len(), MAX_CHANGES);
        assert_eq!(diff.changes[999].path.to_string(), "[999]");
    }

    #[test]
    fn deep_nesting_as_deep_as_the_parser_allows() {
        let nested = |leaf: &str| format!("{}{leaf}{}", "[".repeat(128), "]".repeat(128));
        let changes = changes(&nested("1"), &nested("2"));
        assert_eq!(changes, [format!("{}: 1 → 2", "[0]".repeat(128))]);
    }
}
