use burr::trace;

#[trace]
fn add(a: i64, b: i64) -> i64 {
    a + b
}

#[trace(capture_inputs = false, capture_outputs = false, span_name = "quiet")]
fn quiet(secret: String) {
    let _ = secret;
}

#[trace(input_filterlist = [password])]
fn login(user: &str, password: &str) -> Result<bool, String> {
    if user.is_empty() {
        return Err("no user".into());
    }
    let ok = check(password)?;
    Ok(ok)
}

fn check(password: &str) -> Result<bool, String> {
    Ok(!password.is_empty())
}

#[trace]
fn borrowed<'a>(items: &'a [String], index: usize) -> Option<&'a str> {
    items.get(index).map(String::as_str)
}

#[trace]
fn returns_impl(n: u32) -> impl Iterator<Item = u32> {
    0..n
}

#[trace]
fn generic<T: std::fmt::Debug + Clone>(value: T, opaque: impl Fn() -> u8) -> T {
    let _ = opaque();
    value.clone()
}

#[trace]
fn destructured((a, b): (u8, u8), _ignored: u8) -> u8 {
    a + b
}

#[trace]
fn boxed(flag: bool) -> Box<dyn std::fmt::Debug> {
    if flag {
        return Box::new(1u8);
    }
    Box::new("s")
}

#[trace]
#[allow(mismatched_lifetime_syntaxes)]
fn chars_of(s: &str) -> std::str::Chars {
    s.chars()
}

#[trace]
unsafe fn unchecked(x: u8) -> u8 {
    x
}

fn main() {
    assert_eq!(add(1, 2), 3);
    quiet("s".into());
    assert_eq!(login("ada", "pw"), Ok(true));
    assert!(login("", "pw").is_err());
    let items = vec!["a".to_string()];
    assert_eq!(borrowed(&items, 0), Some("a"));
    assert_eq!(returns_impl(3).count(), 3);
    assert_eq!(generic(5, || 1), 5);
    assert_eq!(destructured((1, 2), 0), 3);
    assert_eq!(format!("{:?}", boxed(true)), "1");
    assert_eq!(chars_of("ab").count(), 2);
    // SAFETY: `unchecked` has no safety requirement.
    assert_eq!(unsafe { unchecked(1) }, 1);
}
