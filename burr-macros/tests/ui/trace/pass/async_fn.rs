use burr::trace;

#[trace]
async fn fetch(id: u32) -> Result<String, std::num::ParseIntError> {
    let n: u32 = "7".parse()?;
    Ok(format!("{id}-{n}"))
}

#[trace(capture_outputs = false)]
async fn early(flag: bool) -> u8 {
    if flag {
        return 1;
    }
    2
}

#[trace]
async fn borrowed(items: &[u8]) -> Option<&u8> {
    items.first()
}

// The body runs as an `async` block, whose early `return`s do not coerce: say the type.
#[trace]
async fn boxed(flag: bool) -> Box<dyn std::fmt::Debug + Send> {
    if flag {
        return Box::new(1u8) as Box<dyn std::fmt::Debug + Send>;
    }
    Box::new("s")
}

fn assert_send<T: Send>(_: &T) {}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let fut = fetch(1);
    assert_send(&fut);
    assert_eq!(fut.await.unwrap(), "1-7");
    assert_eq!(early(true).await, 1);
    assert_eq!(borrowed(&[4, 5]).await, Some(&4));
    assert_eq!(format!("{:?}", boxed(true).await), "1");
}
