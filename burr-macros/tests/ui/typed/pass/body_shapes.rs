//! Bodies the write check must read as Rust: generics and comparisons in field values, a
//! closure whose return type is `Writes`, and action and field names whose joined names meet.
use std::collections::BTreeMap;

use burr::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, TypedState)]
struct Counts {
    seen: BTreeMap<String, u32>,
    big: bool,
    x: u32,
    field_x: u32,
}

#[action(state = Counts, reads = [x], writes = [seen, big])]
fn tally(counts: Reads) -> Writes {
    let make = |big: bool| -> Writes { Writes { seen: BTreeMap::<String, u32>::new(), big } };
    let w = make(counts.x < 3 && counts.x > 0);
    Writes { seen: w.seen, big: w.big }
}

#[action(state = Counts, reads = [field_x], writes = [x])]
fn load(counts: Reads) -> Writes {
    Writes { x: counts.field_x }
}

#[action(state = Counts, reads = [x], writes = [field_x])]
fn load_field(counts: Reads) -> Writes {
    Writes { field_x: counts.x }
}

fn main() {
    let _ = (tally {}, load {}, load_field {});
}
