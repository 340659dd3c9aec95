//! A line diff of two texts: the lines both share first and last are matched directly, and the
//! differing middle by Myers' O(ND) algorithm in its linear-space form (a middle point of a
//! shortest edit path, found from both ends, splits the problem in two), within bounds.
//!
//! A text's lines are what `split('\n')` gives (a `\r` stays part of its line), except that the
//! empty text has none: so every byte difference shows, a final newline included.

use std::ops::Range;

/// Lines on either side of the differing middle beyond which no shortest diff is searched (the
/// search holds about 40 bytes a line); the middle is then shown as removed, then added.
const MAX_MIDDLE_LINES: usize = 10_000;

/// Steps the search may take: each diagonal tried and each comparison of two lines is one,
/// and comparing lines with the same hash costs one more per 64 bytes. About 20 ms in a native
/// release build, a few times that in the browser; enough for about a thousand lines removed
/// and added among 10,000. Past it the rest is shown as removed, then added.
const MAX_STEPS: usize = 2_000_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineChange {
    Kept,
    Removed,
    Added,
}

/// Consecutive lines with the same change. Removed lines are in the old text, kept and added
/// ones in the new; in each change between kept lines the removed lines come first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineRun<'a> {
    pub change: LineChange,
    /// Whole lines joined by `\n` (never empty of lines: `""` is one empty line).
    pub text: &'a str,
}

impl<'a> LineRun<'a> {
    pub fn lines(&self) -> std::str::Split<'a, char> {
        self.text.split('\n')
    }

    pub fn line_count(&self) -> usize {
        line_count(self.text).max(1)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineDiff<'a> {
    pub runs: Vec<LineRun<'a>>,
    /// Whether the diff is a shortest one. When the middle was too long or too different for
    /// the bounds, (part of) it is one removed run and one added run, still a correct diff.
    pub shortest: bool,
}

impl<'a> LineDiff<'a> {
    /// Each line with its change, in order.
    pub fn lines(&self) -> impl Iterator<Item = (LineChange, &'a str)> + '_ {
        self.runs
            .iter()
            .flat_map(|run| run.lines().map(move |line| (run.change, line)))
    }
}

/// The lines of `new` against those of `old`.
pub fn diff_lines<'a>(old: &'a str, new: &'a str) -> LineDiff<'a> {
    let old_count = line_count(old);
    let new_count = line_count(new);
    let prefix = lines_of(old)
        .zip(lines_of(new))
        .take_while(|(a, b)| a == b)
        .count();
    let suffix = lines_of(old)
        .rev()
        .zip(lines_of(new).rev())
        .take(old_count.min(new_count) - prefix)
        .take_while(|(a, b)| a == b)
        .count();
    let mut out = Runs::new(old, new);
    if let Some(kept) = span(new, 0..prefix) {
        out.keep(kept);
    }
    let old_middle = prefix..old_count - suffix;
    let new_middle = prefix..new_count - suffix;
    let shortest = if old_middle.len() <= MAX_MIDDLE_LINES && new_middle.len() <= MAX_MIDDLE_LINES {
        let mut search = Search {
            old: line_table(old, old_middle),
            new: line_table(new, new_middle),
            steps_left: MAX_STEPS,
            shortest: true,
            out: &mut out,
        };
        search.diff(0..search.old.len(), 0..search.new.len());
        search.shortest
    } else {
        // Too long to search: the middle as a whole.
        if let Some(removed) = span(old, old_middle) {
            out.remove(removed);
        }
        if let Some(added) = span(new, new_middle) {
            out.add(added);
        }
        false
    };
    if let Some(kept) = span(new, new_count - suffix..new_count) {
        out.keep(kept);
    }
    LineDiff {
        runs: out.finish(),
        shortest,
    }
}

fn lines_of(text: &str) -> impl DoubleEndedIterator<Item = &str> {
    (!text.is_empty())
        .then(|| text.split('\n'))
        .into_iter()
        .flatten()
}

fn line_table(text: &str, lines: Range<usize>) -> Vec<Line<'_>> {
    lines_of(text)
        .skip(lines.start)
        .take(lines.len())
        .map(|text| Line {
            text,
            hash: line_hash(text),
        })
        .collect()
}

fn line_count(text: &str) -> usize {
    if text.is_empty() {
        0
    } else {
        text.bytes().filter(|&b| b == b'\n').count() + 1
    }
}

/// The lines `range` of `text` as one slice, or `None` for no lines.
fn span(text: &str, range: Range<usize>) -> Option<&str> {
    let mut lines = lines_of(text).skip(range.start).take(range.len());
    let first = lines.next()?;
    let last = lines.last().unwrap_or(first);
    Some(join(text, first, last))
}

/// The slice of `source` from the start of `first` to the end of `last`, both slices of it.
fn join<'a>(source: &'a str, first: &str, last: &str) -> &'a str {
    &source[offset(source, first)..offset(source, last) + last.len()]
}

fn offset(source: &str, part: &str) -> usize {
    part.as_ptr() as usize - source.as_ptr() as usize
}

/// FNV-1a: lines with different hashes differ, so most comparisons read no text.
fn line_hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

struct Line<'a> {
    text: &'a str,
    hash: u64,
}

/// The runs being built, from lines (or spans of lines) in order.
struct Runs<'a> {
    old: &'a str,
    new: &'a str,
    runs: Vec<LineRun<'a>>,
    /// The current change's lines, held so that its removed lines come before its added ones.
    removed: Option<&'a str>,
    added: Option<&'a str>,
}

impl<'a> Runs<'a> {
    fn new(old: &'a str, new: &'a str) -> Self {
        Runs {
            old,
            new,
            runs: Vec::new(),
            removed: None,
            added: None,
        }
    }

    /// `lines` (of the new text) are in both.
    fn keep(&mut self, lines: &'a str) {
        self.end_change();
        match self.runs.last_mut() {
            Some(last) if last.change == LineChange::Kept => {
                last.text = join(self.new, last.text, lines);
            }
            _ => self.runs.push(LineRun {
                change: LineChange::Kept,
                text: lines,
            }),
        }
    }

    /// `lines` of the old text; within a change they come in order.
    fn remove(&mut self, lines: &'a str) {
        self.removed = Some(
            self.removed
                .map_or(lines, |held| join(self.old, held, lines)),
        );
    }

    fn add(&mut self, lines: &'a str) {
        self.added = Some(self.added.map_or(lines, |held| join(self.new, held, lines)));
    }

    fn end_change(&mut self) {
        if let Some(text) = self.removed.take() {
            self.runs.push(LineRun {
                change: LineChange::Removed,
                text,
            });
        }
        if let Some(text) = self.added.take() {
            self.runs.push(LineRun {
                change: LineChange::Added,
                text,
            });
        }
    }

    fn finish(mut self) -> Vec<LineRun<'a>> {
        self.end_change();
        self.runs
    }
}

struct Search<'r, 'a> {
    old: Vec<Line<'a>>,
    new: Vec<Line<'a>>,
    steps_left: usize,
    shortest: bool,
    out: &'r mut Runs<'a>,
}

impl Search<'_, '_> {
    fn same(&mut self, old: usize, new: usize) -> bool {
        let (a, b) = (&self.old[old], &self.new[new]);
        self.steps_left = self.steps_left.saturating_sub(1);
        if a.hash != b.hash {
            return false;
        }
        self.steps_left = self.steps_left.saturating_sub(a.text.len() / 64);
        a.text == b.text
    }

    /// Emits the diff of lines `old` against lines `new`.
    fn diff(&mut self, mut old: Range<usize>, mut new: Range<usize>) {
        let mut suffix = 0;
        while !old.is_empty() && !new.is_empty() && self.same(old.start, new.start) {
            self.out.keep(self.new[new.start].text);
            old.start += 1;
            new.start += 1;
        }
        while !old.is_empty() && !new.is_empty() && self.same(old.end - 1, new.end - 1) {
            old.end -= 1;
            new.end -= 1;
            suffix += 1;
        }
        if old.is_empty() || new.is_empty() {
            self.remove_all(old.clone());
            self.add_all(new.clone());
        } else if let Some((x, y)) = self.middle_point(old.clone(), new.clone()) {
            self.diff(old.start..x, new.start..y);
            self.diff(x..old.end, y..new.end);
        } else {
            self.shortest = false;
            self.remove_all(old.clone());
            self.add_all(new.clone());
        }
        for line in new.end..new.end + suffix {
            self.out.keep(self.new[line].text);
        }
    }

    fn remove_all(&mut self, old: Range<usize>) {
        for line in old {
            self.out.remove(self.old[line].text);
        }
    }

    fn add_all(&mut self, new: Range<usize>) {
        for line in new {
            self.out.add(self.new[line].text);
        }
    }

    /// A point `(x, y)` (absolute line numbers) on a shortest edit path through `old` × `new`,
    /// both non-empty and differing in their first and last lines, strictly between its ends;
    /// or `None` when the steps run out. A path from the start and one from the end grow one
    /// edit at a time until they overlap on a diagonal, after about half the edits each.
    fn middle_point(&mut self, old: Range<usize>, new: Range<usize>) -> Option<(usize, usize)> {
        let n = old.len() as isize;
        let m = new.len() as isize;
        let max_d = (n + m + 1) / 2;
        let mut forward = Reach::new(max_d);
        let mut backward = Reach::new(max_d);
        // Diagonal k from the start is diagonal delta - k from the end.
        let delta = n - m;
        // With an odd delta the paths meet while extending forward, else backward.
        let meet_forward = delta % 2 != 0;
        // Diagonals that left the edit graph are not extended again.
        let (mut forward_start, mut forward_end) = (0, 0);
        let (mut backward_start, mut backward_end) = (0, 0);
        for d in 0..=max_d {
            if self.steps_left == 0 {
                return None;
            }
            for k in (-d + forward_start..=d - forward_end).step_by(2) {
                let x = self.slide(&old, &new, forward.start(k, d), k, false);
                forward.set(k, x);
                let y = x - k;
                if x > n {
                    forward_end += 2;
                } else if y > m {
                    forward_start += 2;
                } else if meet_forward
                    && backward
                        .get(delta - k)
                        .is_some_and(|from_end| x >= n - from_end)
                {
                    return Some((old.start + x as usize, new.start + y as usize));
                }
            }
            for k in (-d + backward_start..=d - backward_end).step_by(2) {
                let x = self.slide(&old, &new, backward.start(k, d), k, true);
                backward.set(k, x);
                if x > n {
                    backward_end += 2;
                } else if x - k > m {
                    backward_start += 2;
                } else if !meet_forward {
                    let k_forward = delta - k;
                    if let Some(x_forward) = forward.get(k_forward).filter(|&f| f >= n - x) {
                        let y_forward = x_forward - k_forward;
                        return Some((
                            old.start + x_forward as usize,
                            new.start + y_forward as usize,
                        ));
                    }
                }
            }
        }
        None
    }

    /// From `x` on diagonal `k`, along equal lines: the `x` where they end. `from_end`: the
    /// search from the end, whose coordinates count back from the ends of `old` and `new`.
    fn slide(
        &mut self,
        old: &Range<usize>,
        new: &Range<usize>,
        mut x: isize,
        k: isize,
        from_end: bool,
    ) -> isize {
        self.steps_left = self.steps_left.saturating_sub(1);
        let (n, m) = (old.len() as isize, new.len() as isize);
        let mut y = x - k;
        while x < n && y < m {
            let (a, b) = if from_end {
                (n - x - 1, m - y - 1)
            } else {
                (x, y)
            };
            if !self.same(old.start + a as usize, new.start + b as usize) {
                break;
            }
            x += 1;
            y += 1;
        }
        x
    }
}

/// The furthest `x` a search has reached on each diagonal `k = x - y`, for `k` in
/// `-max_d - 1..=max_d + 1`.
struct Reach {
    x: Vec<isize>,
    offset: isize,
}

impl Reach {
    fn new(max_d: isize) -> Self {
        let offset = max_d + 1;
        let mut reach = Reach {
            x: vec![-1; (2 * offset + 1) as usize],
            offset,
        };
        // A virtual start on diagonal 1, one step before (0, 0), so that d = 0 begins there.
        reach.set(1, 0);
        reach
    }

    /// The `x` reached on diagonal `k`, if it has been (the virtual start counts).
    fn get(&self, k: isize) -> Option<isize> {
        let i = usize::try_from(self.offset + k).ok()?;
        self.x.get(i).copied().filter(|&x| x != -1)
    }

    fn set(&mut self, k: isize, x: isize) {
        self.x[(self.offset + k) as usize] = x;
    }

    /// Where the path with `d` edits on diagonal `k` starts: one edit on from whichever
    /// neighbouring diagonal's path (`d - 1` edits) got further.
    fn start(&self, k: isize, d: isize) -> isize {
        let i = (self.offset + k) as usize;
        if k == -d || (k != d && self.x[i - 1] < self.x[i + 1]) {
            self.x[i + 1]
        } else {
            self.x[i - 1] + 1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use LineChange::{Added, Kept, Removed};

    fn runs<'a>(diff: &LineDiff<'a>) -> Vec<(LineChange, &'a str)> {
        diff.runs.iter().map(|r| (r.change, r.text)).collect()
    }

    /// The old text is the kept and removed lines, the new one the kept and added.
    fn assert_rebuilds(old: &str, new: &str, diff: &LineDiff) {
        let side = |change: LineChange| {
            diff.lines()
                .filter(|&(c, _)| c == Kept || c == change)
                .map(|(_, line)| line)
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(side(Removed), old, "old of {old:?} → {new:?}");
        assert_eq!(side(Added), new, "new of {old:?} → {new:?}");
    }

    /// The length of a longest common subsequence of lines, by the quadratic table.
    fn common_lines(old: &str, new: &str) -> usize {
        let a: Vec<&str> = lines_of(old).collect();
        let b: Vec<&str> = lines_of(new).collect();
        let mut table = vec![vec![0usize; b.len() + 1]; a.len() + 1];
        for i in 0..a.len() {
            for j in 0..b.len() {
                table[i + 1][j + 1] = if a[i] == b[j] {
                    table[i][j] + 1
                } else {
                    table[i][j + 1].max(table[i + 1][j])
                };
            }
        }
        table[a.len()][b.len()]
    }

    fn kept_lines(diff: &LineDiff) -> usize {
        diff.lines().filter(|&(c, _)| c == Kept).count()
    }

    #[test]
    fn changes_between_kept_lines() {
        let diff = diff_lines("a\nb\nc\nd", "a\nB\nc\nd\ne");
        assert_eq!(
            runs(&diff),
            [
                (Kept, "a"),
                (Removed, "b"),
                (Added, "B"),
                (Kept, "c\nd"),
                (Added, "e")
            ]
        );
        assert!(diff.shortest);
        assert_eq!(diff.runs[3].line_count(), 2);
        assert_eq!(diff.runs[3].lines().collect::<Vec<_>>(), ["c", "d"]);
    }

    #[test]
    fn empty_texts_and_final_newlines() {
        assert_eq!(runs(&diff_lines("", "")), []);
        assert_eq!(runs(&diff_lines("", "x")), [(Added, "x")]);
        assert_eq!(runs(&diff_lines("x", "")), [(Removed, "x")]);
        assert_eq!(
            runs(&diff_lines("", "\n")),
            [(Added, "\n")],
            "two empty lines"
        );
        assert_eq!(runs(&diff_lines("a", "a\n")), [(Kept, "a"), (Added, "")]);
        assert_eq!(
            runs(&diff_lines("a\r\nb", "a\nb")),
            [(Removed, "a\r"), (Added, "a"), (Kept, "b")],
            "a line ending is part of the line"
        );
        assert_eq!(runs(&diff_lines("same\n", "same\n")), [(Kept, "same\n")]);
    }

    #[test]
    fn removed_lines_come_before_added_ones_in_each_change() {
        let diff = diff_lines("k\nx1\nx2\nk2", "k\ny1\nx2\ny2\nk2");
        for pair in diff.runs.windows(2) {
            assert!(
                !(pair[0].change == Added && pair[1].change == Removed),
                "{:?}",
                runs(&diff)
            );
        }
        assert_rebuilds("k\nx1\nx2\nk2", "k\ny1\nx2\ny2\nk2", &diff);
    }

    #[test]
    fn every_pair_of_short_texts_gets_a_shortest_diff() {
        // All texts of up to 6 lines over two line values, each against each.
        let mut texts = vec![String::new()];
        for len in 1..=6 {
            for bits in 0..1u32 << len {
                let lines: Vec<&str> = (0..len)
                    .map(|i| if bits >> i & 1 == 1 { "a" } else { "b" })
                    .collect();
                texts.push(lines.join("\n"));
            }
        }
        for old in &texts {
            for new in &texts {
                let diff = diff_lines(old, new);
                assert_rebuilds(old, new, &diff);
                assert!(diff.shortest);
                assert_eq!(
                    kept_lines(&diff),
                    common_lines(old, new),
                    "{old:?} → {new:?}"
                );
            }
        }
    }

    #[test]
    fn random_texts_get_shortest_diffs() {
        let mut seed = 7u64;
        let mut next = move |bound: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % bound
        };
        let mut text = |alphabet: u64| {
            let len = next(40);
            (0..len)
                .map(|_| ["x", "y", "z", "", "w"][next(alphabet) as usize])
                .collect::<Vec<_>>()
                .join("\n")
        };
        for round in 0..300 {
            let alphabet = 2 + round % 4;
            let (old, new) = (text(alphabet), text(alphabet));
            let diff = diff_lines(&old, &new);
            assert_rebuilds(&old, &new, &diff);
            assert!(diff.shortest);
            assert_eq!(
                kept_lines(&diff),
                common_lines(&old, &new),
                "{old:?} → {new:?}"
            );
        }
    }

    #[test]
    fn a_megabyte_with_one_change_is_diffed_around_it() {
        let old: String = (0..100_000).map(|i| format!("line {i}\n")).collect();
        let new = old.replacen("line 50000\n", "line fifty thousand\n", 1);
        let diff = diff_lines(&old, &new);
        assert!(old.len() > 1_000_000);
        assert!(diff.shortest);
        assert_eq!(diff.runs.len(), 4);
        assert_eq!(
            diff.runs[1],
            LineRun {
                change: Removed,
                text: "line 50000"
            }
        );
        assert_eq!(diff.runs[2].text, "line fifty thousand");
        assert_rebuilds(&old, &new, &diff);
    }

    #[test]
    fn a_long_differing_middle_is_shown_whole() {
        let old: String = (0..50_000).map(|i| format!("{i}\n")).collect();
        let new: String = (0..50_000)
            .map(|i| format!("{}\n", i * 7 % 50_000))
            .collect();
        let diff = diff_lines(&old, &new);
        assert!(!diff.shortest);
        assert_rebuilds(&old, &new, &diff);
        assert_eq!(
            diff.runs.iter().map(|r| r.change).collect::<Vec<_>>(),
            [Kept, Removed, Added, Kept]
        );
    }

    #[test]
    fn hundreds_of_scattered_changes_among_thousands_of_lines_get_a_shortest_diff() {
        let old: String = (0..10_000).map(|i| format!("{i}\n")).collect();
        let new: String = (0..10_000)
            .map(|i| match i % 20 {
                5 => format!("changed {i}\n"),
                _ => format!("{i}\n"),
            })
            .collect();
        let diff = diff_lines(&old, &new);
        assert!(diff.shortest);
        assert_eq!(kept_lines(&diff), 9_501, "the final empty line too");
        assert_rebuilds(&old, &new, &diff);
    }

    #[test]
    fn very_different_texts_stop_at_the_step_bound() {
        // Each side under the line bound, but nothing in common: the search would be quadratic.
        let old: String = (0..10_000).map(|i| format!("old {i}\n")).collect();
        let new: String = (0..10_000).map(|i| format!("new {i}\n")).collect();
        let diff = diff_lines(&old, &new);
        assert!(!diff.shortest);
        assert_rebuilds(&old, &new, &diff);
        // Many short snakes: lines alternate between two values, shifted by one.
        let old = "a\nb\n".repeat(5_000);
        let new = format!("b\n{}c", "a\nb\n".repeat(4_999));
        let diff = diff_lines(&old, &new);
        assert_rebuilds(&old, &new, &diff);
    }

    #[test]
    fn long_equal_lines_count_against_the_bound() {
        let long = "x".repeat(1 << 16);
        let old = format!("{long}\n{long}\n{long}\na");
        let new = format!("b\n{long}\n{long}\n{long}");
        let diff = diff_lines(&old, &new);
        assert!(diff.shortest);
        assert_eq!(
            diff.runs
                .iter()
                .map(|r| (r.change, r.line_count()))
                .collect::<Vec<_>>(),
            [(Added, 1), (Kept, 3), (Removed, 1)]
        );
    }
}
