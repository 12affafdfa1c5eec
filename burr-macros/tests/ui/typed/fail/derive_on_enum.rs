use burr::TypedState;

#[derive(TypedState)]
enum Mode {
    Chat,
    Search,
}

fn main() {}
