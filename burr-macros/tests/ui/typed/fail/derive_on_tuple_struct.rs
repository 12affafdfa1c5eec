use burr::TypedState;

#[derive(TypedState)]
struct Pair(u32, u32);

fn main() {}
