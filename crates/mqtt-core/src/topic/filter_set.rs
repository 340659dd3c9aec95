//! `FilterSet`: many topic filters, and which of them match a topic, in time that depends on
//! the topic and the filters it matches rather than on how many filters there are.

use alloc::string::String;
use alloc::vec::Vec;

use super::matching_part;

/// The root node, which stands before the first level. No node's child, it also marks an
/// empty slot in the table of named edges.
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
/// Equality compares the tries: sets built by the same insertions in the same order are equal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilterSet<T> {
    /// The trie; `nodes[ROOT]` is its root, and children point back at their parent so that
    /// a walk can climb back up without a stack.
    nodes: Vec<Node<T>>,
    /// Every named edge of the trie, by the hash of its parent and name: open addressing with
    /// linear probing, a power of two long and at most half full. One table for all nodes,
    /// rather than a map in each: a level costs one probe however many siblings it has, and
    /// the app downloads no map's code for it.
    named_edges: Vec<Edge>,
    named_edge_count: usize,
}

/// One level of a filter, reached from its parent through a named level or `+`.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Node<T> {
    /// The node one level up; the root's is itself.
    parent: usize,
    /// The level that leads here from the parent; `None` for `+` children and the root.
    name: Option<String>,
    /// Whether `named_edges` holds children of this node.
    has_named_children: bool,
    /// The child through `+`.
    any_level: Option<usize>,
    /// Values of the filters that end at this level.
    ending_here: Vec<T>,
    /// Values of the filters whose next level is `#`: they match this level and all below it.
    ending_in_hash: Vec<T>,
}

/// A slot of `named_edges`: a child and the hash of its parent and name; empty if `child` is
/// `ROOT`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Edge {
    hash: u64,
    child: usize,
}

const EMPTY_EDGE: Edge = Edge {
    hash: 0,
    child: ROOT,
};

impl<T> Node<T> {
    fn new(parent: usize, name: Option<String>) -> Self {
        Node {
            parent,
            name,
            has_named_children: false,
            any_level: None,
            ending_here: Vec::new(),
            ending_in_hash: Vec::new(),
        }
    }
}

impl<T> FilterSet<T> {
    /// A set with no filters, which matches nothing.
    pub fn new() -> Self {
        FilterSet {
            nodes: alloc::vec![Node::new(ROOT, None)],
            named_edges: alloc::vec![EMPTY_EDGE; 8],
            named_edge_count: 0,
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
                name => self.named_child_or_new(node, name),
            };
        }
        self.nodes[node].ending_here.push(value);
    }

    fn any_level_child(&mut self, parent: usize) -> usize {
        if let Some(child) = self.nodes[parent].any_level {
            return child;
        }
        let child = self.nodes.len();
        self.nodes.push(Node::new(parent, None));
        self.nodes[parent].any_level = Some(child);
        child
    }

    fn named_child_or_new(&mut self, parent: usize, name: &str) -> usize {
        let hash = edge_hash(parent, name);
        if let Some(child) = self.named_child(parent, name, hash) {
            return child;
        }
        let child = self.nodes.len();
        self.nodes.push(Node::new(parent, Some(String::from(name))));
        self.nodes[parent].has_named_children = true;
        self.named_edge_count += 1;
        if self.named_edge_count * 2 > self.named_edges.len() {
            self.grow_named_edges();
        }
        self.add_edge(Edge { hash, child });
        child
    }

    fn grow_named_edges(&mut self) {
        let larger = alloc::vec![EMPTY_EDGE; self.named_edges.len() * 2];
        let old = core::mem::replace(&mut self.named_edges, larger);
        for edge in old.into_iter().filter(|edge| edge.child != ROOT) {
            self.add_edge(edge);
        }
    }

    fn add_edge(&mut self, edge: Edge) {
        let mask = self.named_edges.len() - 1;
        let mut slot = first_slot(edge.hash, mask);
        while self.named_edges[slot].child != ROOT {
            slot = (slot + 1) & mask;
        }
        self.named_edges[slot] = edge;
    }

    /// The child of `parent` through the level `name`, `hash` being `edge_hash(parent, name)`.
    fn named_child(&self, parent: usize, name: &str, hash: u64) -> Option<usize> {
        let mask = self.named_edges.len() - 1;
        let mut slot = first_slot(hash, mask);
        // The table is never full: an empty slot ends the search.
        loop {
            let edge = self.named_edges[slot];
            if edge.child == ROOT {
                return None;
            }
            if edge.hash == hash {
                let child = &self.nodes[edge.child];
                let same_name = child
                    .name
                    .as_deref()
                    .is_some_and(|own| equal_bytes(own, name));
                if child.parent == parent && same_name {
                    return Some(edge.child);
                }
            }
            slot = (slot + 1) & mask;
        }
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
                    let named = if here.has_named_children {
                        self.named_child(node, level, edge_hash(node, level))
                    } else {
                        None
                    };
                    named
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
                    Some(sibling) if self.nodes[node].name.is_some() => {
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

/// A hash of a named edge, its parent node and its level, eight bytes at a time. It need not
/// resist collisions, which cost no more than a comparison of names.
fn edge_hash(parent: usize, name: &str) -> u64 {
    // An odd constant with well-mixed bits (the golden ratio's), as in Fibonacci hashing.
    const MULTIPLIER: u64 = 0x9E37_79B9_7F4A_7C15;
    let mix = |hash: u64, word: u64| (hash.rotate_left(26) ^ word).wrapping_mul(MULTIPLIER);
    let seed = mix(parent as u64, name.len() as u64);
    name.as_bytes().chunks(8).fold(seed, |hash, chunk| {
        let word = chunk
            .iter()
            .rev()
            .fold(0, |word, &byte| word << 8 | u64::from(byte));
        mix(hash, word)
    })
}

/// Whether `a` and `b` are the same text. Levels are short: a loop the compiler inlines costs
/// less than the call to `memcmp` that `==` makes.
fn equal_bytes(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).all(|(a, b)| a == b)
}

/// Where an edge with `hash` is looked for first: from the hash's high bits, which the last
/// multiplication mixes best.
fn first_slot(hash: u64, mask: usize) -> usize {
    (hash >> 32) as usize & mask
}

/// The level of `topic` that starts at byte `start`, and where the one after it starts
/// (`None` after the last level).
fn level_at(topic: &str, start: usize) -> (&str, Option<usize>) {
    let rest = &topic[start..];
    match rest.bytes().position(|byte| byte == b'/') {
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
    let before = &topic.as_bytes()[..end];
    before
        .iter()
        .rposition(|&byte| byte == b'/')
        .map_or(0, |slash| slash + 1)
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
    fn thousands_of_siblings_are_told_apart() {
        let filters: Vec<String> = (0..5000).map(|n| alloc::format!("n/{n}")).collect();
        let set: FilterSet<usize> = filters.iter().zip(0..).collect();
        for (value, topic) in filters.iter().enumerate() {
            assert_eq!(matched(&set, topic), [value]);
        }
        assert_eq!(matched(&set, "n/5000"), []);
        assert_eq!(matched(&set, "n"), []);
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
