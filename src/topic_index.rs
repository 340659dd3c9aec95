//! Every topic seen since Connect or Clear, apart from the bounded message history: the topic
//! tree's model. Updated in place, one batch at a time; nothing is ever rebuilt from the history.
//!
//! Topics are nodes of a tree of levels (`a/b/c` is `a` → `b` → `c`), held in one arena and
//! found by their path through a hash map, so a message on a known topic costs one lookup and a
//! walk up its levels. A topic keeps its last message for as long as the index lives; what a
//! memory bound evicts is older history, oldest first.

use std::cell::{Ref, RefCell};
use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};
use std::rc::Rc;

use crate::payload::contains_ignore_ascii_case;
use crate::state::Message;

/// A node of the tree; the root is [`ROOT`]. Ids are valid until [`TopicIndex::clear`].
pub type NodeId = u32;
pub const ROOT: NodeId = 0;

pub const DEFAULT_TOPIC_HISTORY: usize = 50;
/// The bytes the history of all topics may hold besides each topic's last message.
pub const DEFAULT_HISTORY_BYTES: usize = 64 * 1024 * 1024;
/// What a message costs besides its topic and payload (the struct, its `Rc`, the queue slots).
const MESSAGE_OVERHEAD: usize = 160;
/// The filter looks at this much of a payload, as the message search does.
const FILTER_PAYLOAD_BYTES: usize = 64 * 1024;
/// A topic's rate is counted over windows this long.
const RATE_WINDOW_MS: u64 = 5_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IndexLimits {
    /// Messages kept per topic, its last one included (at least 1).
    pub topic_history: usize,
    /// Bytes all topics' older messages may take; the oldest go first when it is exceeded.
    pub history_bytes: usize,
}

impl Default for IndexLimits {
    fn default() -> Self {
        IndexLimits {
            topic_history: DEFAULT_TOPIC_HISTORY,
            history_bytes: DEFAULT_HISTORY_BYTES,
        }
    }
}

/// What the index knows of a topic that has had a message.
#[derive(Debug)]
pub struct TopicData {
    /// Oldest first, never empty: the last entry is the topic's last message.
    history: VecDeque<Rc<Message>>,
    count: u64,
    /// Whether the broker holds a retained message here, as far as the messages tell: set by
    /// a retained message, cleared by an empty one (which deletes it).
    retained: bool,
    rate: RateMeter,
}

impl TopicData {
    pub fn last(&self) -> &Rc<Message> {
        self.history
            .back()
            .expect("a topic's history is never empty")
    }

    /// Oldest first; the last entry is [`TopicData::last`].
    pub fn history(&self) -> &VecDeque<Rc<Message>> {
        &self.history
    }

    /// Messages on this topic since it was first seen.
    pub fn count(&self) -> u64 {
        self.count
    }

    pub fn retained(&self) -> bool {
        self.retained
    }

    /// Messages per second around `now` (ms), in tenths.
    pub fn rate_tenths(&self, now: u64) -> u64 {
        self.rate.tenths_per_second(now)
    }
}

/// Counts over a node and everything under it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SubtreeCounts {
    pub topics: u32,
    pub messages: u64,
    pub retained: u32,
}

#[derive(Debug)]
pub struct Node {
    /// The full topic up to this level; the root's is empty.
    path: Rc<str>,
    /// Where this level's name starts in `path`.
    name_start: usize,
    parent: NodeId,
    /// 0 for the root, 1 for a first level.
    depth: u16,
    /// By name once the batch that added them is done.
    children: Vec<NodeId>,
    topic: Option<Box<TopicData>>,
    subtree: SubtreeCounts,
    expanded: bool,
    /// When a message last arrived here or below (its `received_at`).
    changed_at: u64,
    /// Topics here and below that the filter lets through.
    filter_hits: u32,
    /// Children were added in the current batch; they are sorted at its end.
    unsorted: bool,
}

impl Node {
    pub fn name(&self) -> &str {
        &self.path[self.name_start..]
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    pub fn depth(&self) -> u16 {
        self.depth
    }

    pub fn parent(&self) -> NodeId {
        self.parent
    }

    pub fn children(&self) -> &[NodeId] {
        &self.children
    }

    pub fn topic(&self) -> Option<&TopicData> {
        self.topic.as_deref()
    }

    pub fn subtree(&self) -> SubtreeCounts {
        self.subtree
    }

    pub fn expanded(&self) -> bool {
        self.expanded
    }

    pub fn changed_at(&self) -> u64 {
        self.changed_at
    }
}

/// Messages per window, the last two windows, for a rate that decays when they stop.
#[derive(Clone, Copy, Debug, Default)]
struct RateMeter {
    window_start: u64,
    current: u32,
    previous: u32,
}

impl RateMeter {
    fn count(&mut self, at: u64) {
        let window = at - at % RATE_WINDOW_MS;
        if window != self.window_start {
            self.previous = if window == self.window_start + RATE_WINDOW_MS {
                self.current
            } else {
                0
            };
            self.current = 0;
            self.window_start = window;
        }
        self.current += 1;
    }

    fn tenths_per_second(&self, now: u64) -> u64 {
        let window = now - now % RATE_WINDOW_MS;
        let (current, previous) = if window == self.window_start {
            (self.current, self.previous)
        } else if window == self.window_start + RATE_WINDOW_MS {
            (0, self.current)
        } else {
            return 0;
        };
        // The previous window, weighted by how much of it the last RATE_WINDOW_MS still covers.
        let into = now - window;
        let messages =
            u64::from(current) * RATE_WINDOW_MS + u64::from(previous) * (RATE_WINDOW_MS - into);
        messages * 10_000 / (RATE_WINDOW_MS * RATE_WINDOW_MS)
    }
}

/// FNV-1a: topic paths are short, and the map needs no protection from chosen collisions
/// (a hostile broker could slow its own tab, nothing more).
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn write(&mut self, bytes: &[u8]) {
        let mut hash = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for byte in bytes {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = hash;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type PathMap = HashMap<Rc<str>, NodeId, BuildHasherDefault<Fnv>>;

/// The index. See the module's documentation.
#[derive(Debug)]
pub struct TopicIndex {
    nodes: Vec<Node>,
    by_path: PathMap,
    limits: IndexLimits,
    /// Bytes held by histories besides each topic's last message.
    history_bytes: usize,
    /// Bytes held by the topics' last messages.
    last_bytes: usize,
    /// History entries, in the order they stopped being their topic's last message; an entry
    /// is stale once its topic's history has dropped it.
    superseded: VecDeque<(NodeId, u64)>,
    /// The ASCII-lowercased filter text; empty lets everything through.
    filter: String,
    /// The visible rows, in order: what the tree renders.
    rows: Vec<NodeId>,
    /// The rows need recomputing once the current change is done.
    rows_stale: bool,
    /// Nodes whose children were added to in the current batch, to be sorted at its end.
    unsorted: Vec<NodeId>,
    /// Changes with every change, so views can tell two states apart cheaply.
    version: u64,
}

impl Default for TopicIndex {
    fn default() -> Self {
        TopicIndex::new(IndexLimits::default())
    }
}

impl TopicIndex {
    pub fn new(limits: IndexLimits) -> TopicIndex {
        TopicIndex {
            nodes: vec![Node {
                path: Rc::from(""),
                name_start: 0,
                parent: ROOT,
                depth: 0,
                children: Vec::new(),
                topic: None,
                subtree: SubtreeCounts::default(),
                expanded: true,
                changed_at: 0,
                filter_hits: 0,
                unsorted: false,
            }],
            by_path: PathMap::default(),
            limits: IndexLimits {
                topic_history: limits.topic_history.max(1),
                ..limits
            },
            history_bytes: 0,
            last_bytes: 0,
            superseded: VecDeque::new(),
            filter: String::new(),
            rows: Vec::new(),
            rows_stale: false,
            unsorted: Vec::new(),
            version: 0,
        }
    }

    pub fn version(&self) -> u64 {
        self.version
    }

    pub fn limits(&self) -> IndexLimits {
        self.limits
    }

    /// Topics that have had a message.
    pub fn topic_count(&self) -> u32 {
        self.nodes[ROOT as usize].subtree.topics
    }

    pub fn node(&self, id: NodeId) -> Option<&Node> {
        self.nodes.get(id as usize)
    }

    pub fn root(&self) -> &Node {
        &self.nodes[ROOT as usize]
    }

    pub fn find(&self, topic: &str) -> Option<NodeId> {
        self.by_path.get(topic).copied()
    }

    /// What the tree shows, in order: the root's children and, below each expanded node, its
    /// children; with a filter, only what leads to a topic it lets through, expanded.
    pub fn rows(&self) -> &[NodeId] {
        &self.rows
    }

    pub fn filter(&self) -> &str {
        &self.filter
    }

    /// Bytes held: (older history, last messages). An estimate of the payloads, topics and
    /// per-message overhead, not of the allocator's own.
    pub fn memory(&self) -> (usize, usize) {
        (self.history_bytes, self.last_bytes)
    }

    /// The topics under `id` (itself included) whose retained message the broker holds.
    pub fn retained_under(&self, id: NodeId) -> Vec<&str> {
        let mut found = Vec::new();
        let mut stack = vec![id];
        while let Some(id) = stack.pop() {
            let Some(node) = self.node(id) else { continue };
            if node.subtree.retained == 0 {
                continue;
            }
            if node.topic.as_ref().is_some_and(|t| t.retained) {
                found.push(node.path());
            }
            stack.extend(node.children.iter().rev());
        }
        found
    }

    /// Adds a batch of messages, oldest first.
    pub fn record(&mut self, batch: &[Rc<Message>]) {
        if batch.is_empty() {
            return;
        }
        for message in batch {
            self.record_one(message);
        }
        self.evict_to_bound();
        self.finish_change();
    }

    /// Forgets every topic.
    pub fn clear(&mut self) {
        let limits = self.limits;
        let filter = std::mem::take(&mut self.filter);
        let version = self.version;
        *self = TopicIndex::new(limits);
        self.filter = filter;
        self.version = version;
        self.rows_stale = true;
        self.finish_change();
    }

    /// Messages kept per topic (at least 1); shorter histories lose their oldest at once.
    pub fn set_topic_history(&mut self, limit: usize) {
        self.limits.topic_history = limit.max(1);
        for id in 0..self.nodes.len() {
            self.trim_topic_history(id as NodeId);
        }
        self.finish_change();
    }

    pub fn set_history_bytes(&mut self, bytes: usize) {
        self.limits.history_bytes = bytes;
        self.evict_to_bound();
        self.finish_change();
    }

    pub fn set_expanded(&mut self, id: NodeId, expanded: bool) {
        if id == ROOT {
            return;
        }
        if let Some(node) = self.nodes.get_mut(id as usize) {
            if node.expanded != expanded {
                node.expanded = expanded;
                self.rows_stale = true;
                self.finish_change();
            }
        }
    }

    /// Narrows the rows to topics whose path or last payload contains `text` (ASCII case
    /// insensitive); empty shows everything.
    pub fn set_filter(&mut self, text: &str) {
        let mut filter = text.trim().to_owned();
        filter.make_ascii_lowercase();
        if filter == self.filter {
            return;
        }
        self.filter = filter;
        for node in &mut self.nodes {
            node.filter_hits = 0;
        }
        for id in 1..self.nodes.len() as NodeId {
            if self.passes_filter(id) {
                self.add_filter_hits(id, 1);
            }
        }
        self.rows_stale = true;
        self.finish_change();
    }

    fn record_one(&mut self, message: &Rc<Message>) {
        let id = self.node_for(&message.topic);
        let at = message.received_at;
        let passed_before = !self.filter.is_empty() && self.passes_filter(id);
        let cost = message_cost(message);
        let entry = message.clone();
        let retained_now = if message.payload.is_empty() {
            false
        } else if message.retain {
            true
        } else {
            // A live message says nothing of what the broker holds.
            self.nodes[id as usize]
                .topic
                .as_ref()
                .is_some_and(|t| t.retained)
        };
        let node = &mut self.nodes[id as usize];
        let (new_topic, retained_change) = match &mut node.topic {
            Some(topic) => {
                let previous = topic.last();
                let previous_cost = message_cost(previous);
                let previous_seq = previous.seq;
                self.history_bytes += previous_cost;
                self.last_bytes = self.last_bytes - previous_cost + cost;
                self.superseded.push_back((id, previous_seq));
                topic.history.push_back(entry);
                topic.count += 1;
                topic.rate.count(at);
                let change = i32::from(retained_now) - i32::from(topic.retained);
                topic.retained = retained_now;
                (false, change)
            }
            None => {
                let mut rate = RateMeter::default();
                rate.count(at);
                node.topic = Some(Box::new(TopicData {
                    history: VecDeque::from([entry]),
                    count: 1,
                    retained: retained_now,
                    rate,
                }));
                self.last_bytes += cost;
                (true, i32::from(retained_now))
            }
        };
        self.trim_topic_history(id);
        let mut walk = Some(id);
        while let Some(current) = walk {
            let node = &mut self.nodes[current as usize];
            node.subtree.messages += 1;
            node.subtree.topics += u32::from(new_topic);
            node.subtree.retained = node.subtree.retained.saturating_add_signed(retained_change);
            node.changed_at = at;
            walk = (current != ROOT).then_some(node.parent);
        }
        if !self.filter.is_empty() {
            let passes = self.passes_filter(id);
            if passes != passed_before {
                self.add_filter_hits(id, if passes { 1 } else { -1 });
                self.rows_stale = true;
            }
        }
    }

    /// The node of `topic`, made (with the levels above it) if it is new.
    fn node_for(&mut self, topic: &str) -> NodeId {
        if let Some(&id) = self.by_path.get(topic) {
            return id;
        }
        // Walk down from the deepest level that exists.
        let mut parent = ROOT;
        let mut start = 0;
        for (end, _) in topic
            .match_indices('/')
            .chain(std::iter::once((topic.len(), "")))
        {
            let prefix = &topic[..end];
            parent = match self.by_path.get(prefix) {
                Some(&id) => id,
                None => self.add_child(parent, prefix, start),
            };
            start = end + 1;
        }
        parent
    }

    fn add_child(&mut self, parent: NodeId, path: &str, name_start: usize) -> NodeId {
        let id = self.nodes.len() as NodeId;
        let path: Rc<str> = Rc::from(path);
        let depth = self.nodes[parent as usize].depth + 1;
        self.nodes.push(Node {
            path: path.clone(),
            name_start,
            parent,
            depth,
            children: Vec::new(),
            topic: None,
            subtree: SubtreeCounts::default(),
            expanded: false,
            changed_at: 0,
            filter_hits: 0,
            unsorted: false,
        });
        self.by_path.insert(path, id);
        let parent_node = &mut self.nodes[parent as usize];
        if !parent_node.unsorted {
            parent_node.unsorted = true;
            self.unsorted.push(parent);
        }
        parent_node.children.push(id);
        if self.is_shown(parent) {
            self.rows_stale = true;
        }
        id
    }

    /// Whether `id`'s children are among the rows (it and every level above it are expanded).
    fn is_shown(&self, mut id: NodeId) -> bool {
        loop {
            let node = &self.nodes[id as usize];
            if !node.expanded && self.filter.is_empty() {
                return false;
            }
            if id == ROOT {
                return true;
            }
            id = node.parent;
        }
    }

    fn passes_filter(&self, id: NodeId) -> bool {
        let node = &self.nodes[id as usize];
        let Some(topic) = &node.topic else {
            return false;
        };
        let needle = self.filter.as_bytes();
        let payload = &topic.last().payload;
        contains_ignore_ascii_case(node.path.as_bytes(), needle)
            || contains_ignore_ascii_case(
                &payload[..payload.len().min(FILTER_PAYLOAD_BYTES)],
                needle,
            )
    }

    fn add_filter_hits(&mut self, id: NodeId, change: i32) {
        let mut walk = Some(id);
        while let Some(current) = walk {
            let node = &mut self.nodes[current as usize];
            node.filter_hits = node.filter_hits.saturating_add_signed(change);
            walk = (current != ROOT).then_some(node.parent);
        }
    }

    fn trim_topic_history(&mut self, id: NodeId) {
        let limit = self.limits.topic_history;
        let Some(topic) = self.nodes[id as usize].topic.as_mut() else {
            return;
        };
        while topic.history.len() > limit {
            if let Some(entry) = topic.history.pop_front() {
                self.history_bytes -= message_cost(&entry);
            }
        }
    }

    /// Drops the oldest older messages until the bound holds (a topic's last one never goes).
    fn evict_to_bound(&mut self) {
        while self.history_bytes > self.limits.history_bytes {
            let Some((id, seq)) = self.superseded.pop_front() else {
                break;
            };
            let Some(topic) = self.nodes[id as usize].topic.as_mut() else {
                continue;
            };
            // Entries the topic's own limit dropped already are stale.
            if topic.history.len() > 1 && topic.history.front().is_some_and(|m| m.seq == seq) {
                if let Some(entry) = topic.history.pop_front() {
                    self.history_bytes -= message_cost(&entry);
                }
            }
        }
        // Stale entries pile up while the bound is not reached: drop them once they are most.
        let live: usize = self.history_bytes / MESSAGE_OVERHEAD;
        if self.superseded.len() > 2 * live + 1024 {
            let nodes = &self.nodes;
            self.superseded.retain(|&(id, seq)| {
                nodes[id as usize]
                    .topic
                    .as_ref()
                    .is_some_and(|topic| topic.history.front().is_some_and(|m| m.seq <= seq))
            });
        }
    }

    fn finish_change(&mut self) {
        for id in std::mem::take(&mut self.unsorted) {
            let mut children = std::mem::take(&mut self.nodes[id as usize].children);
            let nodes = &self.nodes;
            // Mostly sorted already (new names are appended): the sort merges the new run in.
            children.sort_by(|a, b| nodes[*a as usize].name().cmp(nodes[*b as usize].name()));
            let node = &mut self.nodes[id as usize];
            node.children = children;
            node.unsorted = false;
        }
        if self.rows_stale {
            self.rows_stale = false;
            let mut rows = std::mem::take(&mut self.rows);
            rows.clear();
            self.push_rows(ROOT, &mut rows);
            self.rows = rows;
        }
        self.version += 1;
    }

    fn push_rows(&self, id: NodeId, rows: &mut Vec<NodeId>) {
        let filtering = !self.filter.is_empty();
        // Depth first without recursion: topics may be 65,535 levels deep.
        let mut stack: Vec<NodeId> = self.nodes[id as usize]
            .children
            .iter()
            .rev()
            .copied()
            .collect();
        while let Some(id) = stack.pop() {
            let node = &self.nodes[id as usize];
            if filtering && node.filter_hits == 0 {
                continue;
            }
            rows.push(id);
            if node.expanded || filtering {
                stack.extend(node.children.iter().rev());
            }
        }
    }
}

/// The index as a tab's state holds it. It is shared with the state a change came from rather
/// than copied (the reducer copies the state for every action, and a copy of 100,000 topics
/// per batch would cost more than the batch), so it is changed only by the reducer's `apply`;
/// two states compare by the version they saw.
#[derive(Clone, Debug, Default)]
pub struct SharedIndex {
    index: Rc<RefCell<TopicIndex>>,
    version: u64,
}

impl PartialEq for SharedIndex {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version && Rc::ptr_eq(&self.index, &other.index)
    }
}

impl SharedIndex {
    pub fn read(&self) -> Ref<'_, TopicIndex> {
        self.index.borrow()
    }

    pub fn version(&self) -> u64 {
        self.version
    }

    pub(crate) fn change(&mut self, change: impl FnOnce(&mut TopicIndex)) {
        let mut index = self.index.borrow_mut();
        change(&mut index);
        self.version = index.version();
    }
}

/// What a message costs the history's memory bound.
fn message_cost(message: &Message) -> usize {
    message.payload.len() + message.topic.len() + MESSAGE_OVERHEAD
}

#[cfg(test)]
mod tests;
