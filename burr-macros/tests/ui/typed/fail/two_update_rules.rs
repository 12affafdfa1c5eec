use burr::TypedState;

#[derive(TypedState)]
struct Counter {
    #[burr(add, append)]
    count: i64,
}

fn main() {}
