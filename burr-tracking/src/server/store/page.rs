//! A page of one app's steps as JSON text, from the index or, before the log is indexed,
//! from the log's end.

use std::sync::atomic::Ordering;

use crate::confined::RootPath;
use crate::layout;

use super::super::index::{AppIndex, TailPage, newest_page};
use super::background::Claim;
use super::{Store, StoreError};

/// Most bytes of a log held to answer its newest page from the end (past it, or past half
/// the answer's bound, the log is indexed whole instead).
const TAIL_BYTES: usize = 32 << 20;

/// Bytes of a log past what its index read beyond which the newest steps and the counts are
/// answered from the log's end while the index catches up in the background: a writer faster
/// than the index (a tight loop writes hundreds of MB per second) never makes live answers
/// wait for all it wrote to be indexed.
const FAR_BEHIND: u64 = 32 << 20;

/// Steps read back from the end of a log for every answer while its index is far behind, the
/// most the UI asks for at once in live mode: each answer's check then starts where an earlier
/// one's ended (see [`newest_page`]), and scans only what was appended since.
const BEHIND_DEPTH: usize = 1_000;

impl Store {
    /// Bytes a page's steps may take: the answer's bound, less room for the page's other keys.
    pub(super) fn page_room(&self) -> usize {
        self.max_response.saturating_sub(128)
    }

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
        from: Option<u64>,
    ) -> Option<Result<String, StoreError>> {
        let mut page = self.unindexed_tail(dir, limit, room)?;
        page.keep_from(from.unwrap_or(0));
        Some(self.tail_json(&page, room))
    }

    /// The `limit` newest steps of a log no index has read yet, from its end (within half of
    /// `room`), the log then queued to be indexed in the background; `None` when the index is
    /// warm (or being read: it is not waited for) or the end does not tell.
    fn unindexed_tail(&self, dir: &RootPath, limit: usize, room: usize) -> Option<TailPage> {
        let (_, indexed, _) = self.cached_index(dir);
        if indexed.load(Ordering::Acquire) {
            return None;
        }
        let page = newest_page(
            &dir.join(layout::LOG_FILE),
            (limit, 0),
            (room / 2).min(TAIL_BYTES),
            &[],
        )?;
        self.index_in_background(
            dir,
            Claim {
                num_steps: page.total(),
                log_size: page.log_size(),
            },
        );
        Some(page)
    }

    /// The `limit` newest steps of the app in `dir` read from the end of its log, when its
    /// index (`index`, locked) read the log to the end once and is now more than
    /// [`FAR_BEHIND`] bytes behind it: the part not indexed is checked from what the index
    /// read (or what the last such answer checked, so that each answer scans only what was
    /// appended since), and the log is indexed in the background once the writer paused.
    /// `None` when the index should answer.
    pub(super) fn newest_when_behind(
        &self,
        dir: &RootPath,
        index: &mut AppIndex,
        limit: usize,
        room: usize,
    ) -> Option<TailPage> {
        let known = index.far_behind(FAR_BEHIND)?;
        let page = newest_page(
            &dir.join(layout::LOG_FILE),
            (limit, BEHIND_DEPTH),
            (room / 2).min(TAIL_BYTES),
            &known,
        )?;
        // While the writer writes, indexing would take the time the answers from the end
        // need; once it paused (the log has the size it had at the answer before: live mode
        // asks again soon), the index catches up in the background.
        if index.checked_ahead(page.known(), page.log_size()) {
            self.index_in_background(
                dir,
                Claim {
                    num_steps: page.total(),
                    log_size: page.log_size(),
                },
            );
        }
        Some(page)
    }

    /// How far the log of the app in `dir` goes, read from its end as
    /// [`Store::newest_from_tail`] reads the newest page, when its index has not read the log
    /// yet (the log is then indexed in the background). `None` when the index should answer.
    pub(super) fn extent_from_tail(&self, dir: &RootPath) -> Option<TailExtent> {
        let page = self.unindexed_tail(dir, 1, self.page_room())?;
        let last_sequence_id = page.newest();
        Some(TailExtent {
            num_steps: page.total(),
            // The end of the log answers only when its steps run one after the other from
            // the first one: the first is the last minus the count, plus one.
            first_sequence_id: last_sequence_id
                .map(|last| (last + 1).saturating_sub(page.total() as u64)),
            last_sequence_id,
            log_size: page.log_size(),
        })
    }

    /// The page of a tail answer (see [`Store::page_json`]).
    pub(super) fn tail_json(&self, page: &TailPage, room: usize) -> Result<String, StoreError> {
        self.page_json(
            page.seqs(),
            page.next(),
            page.steps_json(room),
            page.total(),
            page.log_size(),
        )
    }
}

/// How far a log goes, as its end tells (see [`Store::extent_from_tail`]).
pub(super) struct TailExtent {
    pub(super) num_steps: usize,
    pub(super) first_sequence_id: Option<u64>,
    pub(super) last_sequence_id: Option<u64>,
    pub(super) log_size: u64,
}
