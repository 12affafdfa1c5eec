use burr::trace;

#[trace(capture_input = true)]
fn add(a: i64, b: i64) -> i64 {
    a + b
}

fn main() {}
