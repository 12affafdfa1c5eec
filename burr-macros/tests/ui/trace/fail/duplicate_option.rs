use burr::trace;

#[trace(capture_outputs = false, span_name = "x", capture_outputs = true)]
fn add(a: i64, b: i64) -> i64 {
    a + b
}

fn main() {}
