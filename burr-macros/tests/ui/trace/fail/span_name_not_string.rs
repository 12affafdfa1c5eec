use burr::trace;

#[trace(span_name = retrieve)]
fn fetch() -> u8 {
    1
}

fn main() {}
