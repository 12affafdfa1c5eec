use burr::trace;

#[trace(capture_inputs = false, input_filterlist = ["password"])]
fn login(user: &str, password: &str) -> bool {
    !user.is_empty() && !password.is_empty()
}

fn main() {}
