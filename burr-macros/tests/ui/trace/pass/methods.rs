use burr::trace;

#[derive(Debug, Default)]
struct Counter {
    count: u32,
    name: String,
}

impl Counter {
    #[trace]
    fn bump(&mut self, by: u32) -> u32 {
        self.count += by;
        self.count
    }

    #[trace]
    fn name(&self) -> &str {
        &self.name
    }

    #[trace(span_name = "consume")]
    fn into_count(self) -> u32 {
        self.count
    }

    #[trace]
    async fn async_bump(&mut self) -> u32 {
        self.count += 1;
        self.count
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut c = Counter::default();
    assert_eq!(c.bump(2), 2);
    assert_eq!(c.name(), "");
    assert_eq!(c.async_bump().await, 3);
    assert_eq!(c.into_count(), 3);
}
