use burr::trace;

#[trace(input_filterlist = ["pasword"])]
fn login(user: &str, password: &str) -> bool {
    !user.is_empty() && !password.is_empty()
}

fn main() {}
