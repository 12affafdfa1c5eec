//! A page of one app's steps as JSON text, from the index or, before the log is indexed,
//! from the log's end.

use std::sync::atomic::Ordering;

use crate::confined::RootPath;
use crate::layout;

use super::super::index::newest_page;
use super::background::Claim;
use super::{Store, StoreError};

/// Most bytes of a log held to answer its newest page from the end (past it, or past half
/// the answer's bound, the log is indexed whole instead).
const TAIL_BYTES: usize = 32 << 20;

impl Store {
    /// The page of `{"steps", "total", "has_more", "next", "log_size"}` (see
    /// [`Store::steps_json`]) for the page's sequence ids, the sequence id after them, the
    /// JSON array built of them and how many it covers, the app's step count and log size.
    pub(super) fn page_json(
        &self,
        seqs: &[u64],
        next: Option<u64>,
        (steps, covered): (String, usize),
        num_steps: usize,
        log_size: u64,
    ) -> Result<String, StoreError> {
        let next = match seqs.get(covered) {
            // Cut short by the bound: the page goes on at the first step left out.
            Some(&left_out) if covered == 0 => {
                return Err(StoreError::StepTooLarge {
                    sequence_id: left_out,
                    limit: self.max_response,
                });
            }
            Some(&left_out) => Some(left_out),
            None => next,
        };
        Ok(format!(
            "{{\"steps\":{steps},\"total\":{num_steps},\"has_more\":{},\"next\":{},\"log_size\":{log_size}}}",
            next.is_some(),
            next.map_or_else(|| "null".to_owned(), |n| n.to_string()),
        ))
    }

    /// The `limit` newest steps of the app in `dir` read from the end of its log, when its
    /// index has not read the log to the end yet and the end shows the layout every writer
    /// produces (see [`newest_page`]); the log is then indexed in the background. `None` when
    /// the index should answer: it is warm, or the end of the log does not tell.
    pub(super) fn newest_from_tail(
        &self,
        dir: &RootPath,
        limit: usize,
        room: usize,
    ) -> Option<Result<String, StoreError>> {
        // An index being read (in the background, or for another request) is not waited for.
        let (_, indexed, _) = self.cached_index(dir);
        if indexed.load(Ordering::Acquire) {
            return None;
        }
        let page = newest_page(
            &dir.join(layout::LOG_FILE),
            limit,
            (room / 2).min(TAIL_BYTES),
        )?;
        self.index_in_background(
            dir,
            Claim {
                num_steps: page.total(),
                log_size: page.log_size(),
            },
        );
        Some(self.page_json(
            page.seqs(),
            page.next(),
            page.steps_json(room),
            page.total(),
            page.log_size(),
        ))
    }
}
