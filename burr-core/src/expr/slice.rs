//! Slices (`seq[start:stop:step]`) of lists and strings, charged to the evaluation's budget
//! before the result is allocated.

use serde_json::Value;

use super::limits::{Budget, NODE};

/// The bounds of a slice: start, stop (`None` when omitted) and a non-zero step.
#[derive(Debug, Clone, Copy)]
pub(super) struct Bounds {
    pub(super) start: Option<i128>,
    pub(super) stop: Option<i128>,
    pub(super) step: i128,
}

/// The positions a slice selects in a sequence, in order, as Python's `slice.indices` gives
/// them; computed one by one, so a slice of a long sequence allocates nothing for them.
#[derive(Debug, Clone)]
pub(super) struct Positions {
    next: i128,
    step: i128,
    left: usize,
}

impl Positions {
    /// The positions `bounds` select in a sequence of `len` items.
    pub(super) fn new(len: usize, bounds: Bounds) -> Positions {
        let Bounds { start, stop, step } = bounds;
        let len = len as i128;
        let (lower, upper) = if step > 0 { (0, len) } else { (-1, len - 1) };
        let clamp = |x: Option<i128>, default: i128| match x {
            None => default,
            Some(x) if x < 0 => (x + len).max(lower),
            Some(x) => x.min(upper),
        };
        let start = clamp(start, if step > 0 { lower } else { upper });
        let stop = clamp(stop, if step > 0 { upper } else { lower });
        // Both ends are within `-1..=len`: the distance fits, and so does the count.
        let count = match step > 0 {
            true if start < stop => (stop - start).unsigned_abs().div_ceil(step.unsigned_abs()),
            false if start > stop => (start - stop).unsigned_abs().div_ceil(step.unsigned_abs()),
            _ => 0,
        };
        Positions {
            next: start,
            step,
            left: usize::try_from(count).unwrap_or(0),
        }
    }
}

impl Iterator for Positions {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        if self.left == 0 {
            return None;
        }
        let position = self.next as usize;
        self.left -= 1;
        if self.left > 0 {
            // Another position follows, within the sequence: no overflow.
            self.next += self.step;
        }
        Some(position)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl ExactSizeIterator for Positions {}

/// `items[bounds]`, its copies charged to `budget` first.
pub(super) fn slice_list(
    items: &[Value],
    bounds: Bounds,
    budget: &Budget,
) -> Result<Vec<Value>, String> {
    let positions = Positions::new(items.len(), bounds);
    budget.charge(NODE)?;
    for i in positions.clone() {
        budget.charge_value(&items[i])?;
    }
    Ok(positions.map(|i| items[i].clone()).collect())
}

/// `s[bounds]`, by characters, its bytes charged to `budget` first.
pub(super) fn slice_str(s: &str, bounds: Bounds, budget: &Budget) -> Result<String, String> {
    let len = s.chars().count();
    let chars = || Chars::new(s, len, Positions::new(len, bounds));
    let bytes: usize = chars().map(str::len).sum();
    budget.charge(NODE + bytes)?;
    let mut out = String::with_capacity(bytes);
    chars().for_each(|c| out.push_str(c));
    Ok(out)
}

/// The characters of a string at some positions, each as the slice of its bytes; a cursor
/// walks the string once in the direction of the positions.
struct Chars<'s> {
    s: &'s str,
    positions: Positions,
    /// The position of the character starting at `byte` (`len` at the end of the string).
    at: usize,
    byte: usize,
}

impl<'s> Chars<'s> {
    /// Starts at the end of `s` (of `len` characters) the positions come from.
    fn new(s: &'s str, len: usize, positions: Positions) -> Chars<'s> {
        let (at, byte) = if positions.step > 0 {
            (0, 0)
        } else {
            (len, s.len())
        };
        Chars {
            s,
            positions,
            at,
            byte,
        }
    }
}

impl<'s> Iterator for Chars<'s> {
    type Item = &'s str;

    fn next(&mut self) -> Option<&'s str> {
        let p = self.positions.next()?;
        while self.at < p {
            self.byte += self.s[self.byte..].chars().next()?.len_utf8();
            self.at += 1;
        }
        while self.at > p {
            self.byte -= self.s[..self.byte].chars().next_back()?.len_utf8();
            self.at -= 1;
        }
        let c = self.s[self.byte..].chars().next()?;
        Some(&self.s[self.byte..self.byte + c.len_utf8()])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Python's slicing, spelled out.
    fn reference(len: usize, start: Option<i128>, stop: Option<i128>, step: i128) -> Vec<usize> {
        let n = len as i128;
        let norm = |x: i128, lo: i128, hi: i128| if x < 0 { (x + n).max(lo) } else { x.min(hi) };
        let mut out = Vec::new();
        if step > 0 {
            let (mut i, stop) = (
                start.map_or(0, |x| norm(x, 0, n)),
                stop.map_or(n, |x| norm(x, 0, n)),
            );
            while i < stop {
                out.push(i as usize);
                i += step;
            }
        } else {
            let start = start.map_or(n - 1, |x| norm(x, -1, n - 1));
            let stop = stop.map_or(-1, |x| norm(x, -1, n - 1));
            let mut i = start;
            while i > stop {
                out.push(i as usize);
                i += step;
            }
        }
        out
    }

    #[test]
    fn positions_are_pythons() {
        let ends = [
            None,
            Some(-9),
            Some(-3),
            Some(-1),
            Some(0),
            Some(1),
            Some(2),
            Some(4),
            Some(9),
        ];
        for len in 0..7 {
            for start in ends {
                for stop in ends {
                    for step in [-4, -2, -1, 1, 2, 3, 7] {
                        let bounds = Bounds { start, stop, step };
                        let got: Vec<usize> = Positions::new(len, bounds).collect();
                        assert_eq!(got, reference(len, start, stop, step), "{len} {bounds:?}");
                        assert_eq!(Positions::new(len, bounds).len(), got.len());
                    }
                }
            }
        }
    }

    #[test]
    fn string_slices_take_whole_characters() {
        let budget = Budget::new();
        let s = "aé€😀b";
        let slice =
            |start, stop, step| slice_str(s, Bounds { start, stop, step }, &budget).unwrap();
        assert_eq!(slice(None, None, 1), s);
        assert_eq!(slice(None, None, -1), "b😀€éa");
        assert_eq!(slice(Some(1), Some(4), 1), "é€😀");
        assert_eq!(slice(None, None, 2), "a€b");
        assert_eq!(slice(Some(-2), None, -2), "😀é");
        assert_eq!(slice(Some(3), Some(1), 1), "");
    }

    #[test]
    fn string_slices_allocate_exactly_their_result() {
        let budget = Budget::new();
        let s = "é€😀a".repeat(1000);
        for step in [-3, -1, 1, 2, 5] {
            let bounds = Bounds {
                start: None,
                stop: None,
                step,
            };
            let out = slice_str(&s, bounds, &budget).unwrap();
            let want: String = s
                .chars()
                .rev()
                .step_by(step.unsigned_abs() as usize)
                .collect();
            let want: String = if step < 0 {
                want
            } else {
                s.chars().step_by(step as usize).collect()
            };
            assert_eq!(out, want, "step {step}");
            // Measured (and charged) before a single allocation of the result's size.
            assert_eq!(out.capacity(), out.len(), "step {step}");
        }
    }

    #[test]
    fn a_slice_past_the_budget_fails_before_it_is_built() {
        let budget = Budget::new();
        budget.charge(crate::expr::MAX_EVAL_BYTES - 100).unwrap();
        let s = "é".repeat(100);
        let all = Bounds {
            start: None,
            stop: None,
            step: -1,
        };
        assert!(slice_str(&s, all, &budget).is_err());
        assert!(budget.exceeded());
    }
}
