use burr::trace;

#[trace]
struct Client {
    url: String,
}

fn main() {}
