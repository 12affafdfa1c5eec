use burr::prelude::*;

#[action(reads = [count], writes = [])]
fn log_count(state: State) {
    println!("{}", state.get::<i64>("count").unwrap());
}

fn main() {}
