//! `burr --dir s3://bucket/prefix`: the server over a bucket, through a local mirror that a
//! task keeps up to date.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use burr_tracking::object::{Mirror, ObjectRoot, default_mirror_dir};

/// How often the bucket is listed, unless `BURR_UPDATE_INTERVAL_MILLISECONDS` says.
const DEFAULT_INTERVAL: Duration = Duration::from_secs(1);

/// Opens the mirror of `url` (in `index_dir`, else the default cache), brings it up to date
/// once, and returns the folder to serve; the task that follows the bucket is started by
/// [`follow`].
pub(crate) async fn open(url: &str, index_dir: Option<PathBuf>) -> Result<Arc<Mirror>, String> {
    let root = ObjectRoot::open(url).map_err(|e| e.to_string())?;
    let dir = index_dir.unwrap_or_else(|| default_mirror_dir(&root));
    let mirror = Mirror::open(root, &dir).map_err(|e| e.to_string())?;
    match mirror.sync().await {
        Ok(report) => crate::say(&format!(
            "burr: indexed {url} into {} ({} new objects)",
            dir.display(),
            report.fetched
        )),
        Err(e) => eprintln!("burr: cannot read {url} yet (retried): {e}"),
    }
    Ok(Arc::new(mirror))
}

/// Follows the bucket: looks for new objects every interval, for as long as the server runs.
pub(crate) fn follow(mirror: Arc<Mirror>) {
    let interval = std::env::var("BURR_UPDATE_INTERVAL_MILLISECONDS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .map_or(DEFAULT_INTERVAL, |ms| Duration::from_millis(ms.max(50)));
    tokio::spawn(async move {
        let mut failing = false;
        loop {
            tokio::time::sleep(interval).await;
            match mirror.sync().await {
                Ok(_) => failing = false,
                Err(e) if !failing => {
                    failing = true;
                    eprintln!("burr: cannot read {} (retried): {e}", mirror.root().url());
                }
                Err(_) => {}
            }
        }
    });
}
