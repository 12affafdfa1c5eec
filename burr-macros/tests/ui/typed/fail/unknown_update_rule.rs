use burr::TypedState;

#[derive(TypedState)]
struct Counter {
    #[burr(sum)]
    count: i64,
}

fn main() {}
