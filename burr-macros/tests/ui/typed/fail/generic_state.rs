use burr::TypedState;

#[derive(TypedState)]
struct Holder<T> {
    value: T,
}

fn main() {}
