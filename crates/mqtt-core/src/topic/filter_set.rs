//! `FilterSet`: many topic filters, and which of them match a topic, in time that depends on
//! the topic and the filters it matches rather than on how many filters there are.

use alloc::string::String;
use alloc::vec::Vec;

use super::matching_part;

/// The root node, which stands before the first level.
const ROOT: usize = 0;

/// Topic filters, each with a value, and the values whose filters match a topic: the same
/// answers as [`matches`](super::matches) gives filter by filter, from a trie of the filters'
/// levels walked once per topic.
///
/// Filters are not validated, and match what `matches` says they match: a shared
/// subscription like its inner filter, levels after a misplaced `#` are never reached, and a
/// `$share/` filter with no `/` after its group matches nothing (`insert` does not keep it).
///
/// Matching allocates nothing and does not recurse, however deep the topics and filters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilterSet<T> {
    /// The trie; `nodes[ROOT]` is its root and children point back at their parent, so that a
    /// walk can climb back up without a stack.
    nodes: Vec<Node<T>>,
}

/// One level of a filter, reached from its parent through a named level or `+`.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Node<T> {
    /// The node one level up; the root's is itself.
    parent: usize,
    /// Whether this node is its parent's `+` child.
    is_single_level_wildcard: bool,
    /// Children through named levels, sorted by name. A sorted Vec rather than a BTreeMap:
    /// the app would download the B-tree's code once more for a map of this type.
    named: Vec<(String, usize)>,
    /// The child through `+`.
    any_level: Option<usize>,
    /// Values of the filters that end at this level.
    ending_here: Vec<T>,
    /// Values of the filters whose next level is `#`: they match this level and all below it.
    ending_in_hash: Vec<T>,
}

impl<T> Node<T> {
    fn new(parent: usize, is_single_level_wildcard: bool) -> Self {
        Node {
            parent,
            is_single_level_wildcard,
            named: Vec::new(),
            any_level: None,
            ending_here: Vec::new(),
            ending_in_hash: Vec::new(),
        }
    }

    /// The child through `level`, or where it would go in `named`.
    fn named_child(&self, level: &str) -> Result<usize, usize> {
        self.named
            .binary_search_by(|(name, _)| name.as_str().cmp(level))
            .map(|found| self.named[found].1)
    }
}

impl<T> FilterSet<T> {
    /// A set with no filters, which matches nothing.
    pub fn new() -> Self {
        FilterSet {
            nodes: alloc::vec![Node::new(ROOT, false)],
        }
    }

    /// Adds `filter` with `value`. A filter added twice is kept twice, each time with its value.
    pub fn insert(&mut self, filter: &str, value: T) {
        let Some(filter) = matching_part(filter) else {
            return;
        };
        let mut node = ROOT;
        for level in filter.split('/') {
            node = match level {
                "#" => {
                    self.nodes[node].ending_in_hash.push(value);
                    return;
                }
                "+" => self.any_level_child(node),
                name => self.named_child(node, name),
            };
        }
        self.nodes[node].ending_here.push(value);
    }

    fn any_level_child(&mut self, parent: usize) -> usize {
        if let Some(child) = self.nodes[parent].any_level {
            return child;
        }
        let child = self.add_node(parent, true);
        self.nodes[parent].any_level = Some(child);
        child
    }

    fn named_child(&mut self, parent: usize, name: &str) -> usize {
        match self.nodes[parent].named_child(name) {
            Ok(child) => child,
            Err(position) => {
                let child = self.add_node(parent, false);
                self.nodes[parent]
                    .named
                    .insert(position, (String::from(name), child));
                child
            }
        }
    }

    fn add_node(&mut self, parent: usize, is_single_level_wildcard: bool) -> usize {
        self.nodes.push(Node::new(parent, is_single_level_wildcard));
        self.nodes.len() - 1
    }

    /// Calls `found` with the value of every filter that matches `topic`, once per filter.
    ///
    /// The order is that of a walk through the trie, the same every time for the same set and
    /// topic, but not the order of insertion: a caller that wants the first filter in some
    /// order of its own takes the least value.
    pub fn for_each_match(&self, topic: &str, mut found: impl FnMut(&T)) {
        // MQTT-4.7.2-1: a filter whose first level is a wildcard does not match a `$` topic.
        let dollar_topic = topic.starts_with('$');
        let wildcards_match = |node: usize| node != ROOT || !dollar_topic;
        let mut node = ROOT;
        // Where the topic's next level, the one below `node`, starts; `None` past the last.
        let mut next = Some(0);
        loop {
            let here = &self.nodes[node];
            if wildcards_match(node) {
                here.ending_in_hash.iter().for_each(&mut found);
            }
            // Down: to the named child first, its `+` sibling once back from it.
            let down = match next {
                None => {
                    here.ending_here.iter().for_each(&mut found);
                    None
                }
                Some(start) => {
                    let (level, after) = level_at(topic, start);
                    here.named_child(level)
                        .ok()
                        .or(here.any_level.filter(|_| wildcards_match(node)))
                        .map(|child| (child, after))
                }
            };
            if let Some((child, after)) = down {
                node = child;
                next = after;
                continue;
            }
            // Up: to the nearest `+` sibling not yet visited, which matches the same level.
            loop {
                if node == ROOT {
                    return;
                }
                let parent = self.nodes[node].parent;
                let sibling = self.nodes[parent]
                    .any_level
                    .filter(|_| wildcards_match(parent));
                match sibling {
                    Some(sibling) if !self.nodes[node].is_single_level_wildcard => {
                        node = sibling;
                        break;
                    }
                    _ => {
                        node = parent;
                        next = Some(start_of_level_before(topic, next));
                    }
                }
            }
        }
    }
}

impl<T> Default for FilterSet<T> {
    fn default() -> Self {
        FilterSet::new()
    }
}

impl<F: AsRef<str>, T> FromIterator<(F, T)> for FilterSet<T> {
    fn from_iter<I: IntoIterator<Item = (F, T)>>(filters: I) -> Self {
        let mut set = FilterSet::new();
        for (filter, value) in filters {
            set.insert(filter.as_ref(), value);
        }
        set
    }
}

/// The level of `topic` that starts at byte `start`, and where the one after it starts
/// (`None` after the last level).
fn level_at(topic: &str, start: usize) -> (&str, Option<usize>) {
    let rest = &topic[start..];
    match rest.find('/') {
        Some(length) => (&rest[..length], Some(start + length + 1)),
        None => (rest, None),
    }
}

/// Where the level before `next` starts, `next` being where the level after it starts (`None`
/// when it is the last level).
fn start_of_level_before(topic: &str, next: Option<usize>) -> usize {
    let end = match next {
        Some(next) => next - 1,
        None => topic.len(),
    };
    topic[..end].rfind('/').map_or(0, |slash| slash + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn matched(set: &FilterSet<usize>, topic: &str) -> Vec<usize> {
        let mut values = Vec::new();
        set.for_each_match(topic, |&value| values.push(value));
        values.sort_unstable();
        values
    }

    #[test]
    fn every_matching_filter_once() {
        let filters = [
            "a/b",
            "a/+",
            "+/b",
            "#",
            "a/#",
            "+/+",
            "$share/g/a/b",
            "a/b/c",
            "$SYS/#",
            "+/#",
        ];
        let set: FilterSet<usize> = filters.iter().copied().zip(0..).collect();
        assert_eq!(matched(&set, "a/b"), [0, 1, 2, 3, 4, 5, 6, 9]);
        assert_eq!(matched(&set, "a"), [3, 4, 9]);
        assert_eq!(matched(&set, "a/b/c"), [3, 4, 7, 9]);
        assert_eq!(matched(&set, "$SYS/b"), [8]);
        assert_eq!(matched(&set, ""), [3, 9]);
        assert_eq!(matched(&set, "x//"), [3, 9]);
    }

    #[test]
    fn a_set_without_filters_matches_nothing() {
        assert_eq!(matched(&FilterSet::new(), "a"), []);
        let set: FilterSet<usize> = [("$share/g", 0), ("$share/", 1)].into_iter().collect();
        assert_eq!(
            set,
            FilterSet::new(),
            "filters that match nothing are not kept"
        );
    }

    #[test]
    fn the_same_filter_twice_matches_twice() {
        let set: FilterSet<usize> = [("a/+", 0), ("a/+", 1)].into_iter().collect();
        assert_eq!(matched(&set, "a/b"), [0, 1]);
    }

    #[test]
    fn deep_topics_and_filters_take_no_stack() {
        let depth = 30_000;
        let filter = "+/".repeat(depth) + "#";
        let topic = "a/".repeat(depth) + "end";
        let set: FilterSet<usize> = [(filter.as_str(), 0), (topic.as_str(), 1)]
            .into_iter()
            .collect();
        assert_eq!(matched(&set, &topic), vec![0, 1]);
    }
}
