//! Views: what an action may see of a state, and which keys it writes.

use std::sync::Arc;

use super::State;
use super::key::key_eq;

/// The view an action gets: its name and declared reads, so that reading anything else is
/// an error naming the action, the key and the declared reads.
#[derive(Debug)]
pub(crate) struct ViewInfo {
    pub(crate) action: Arc<str>,
    pub(crate) reads: Arc<[String]>,
    pub(crate) writes: Arc<[String]>,
    /// Whether `__PRIOR_STEP` is among the reads.
    sees_prior_step: bool,
    /// The write mask of a state that wrote every declared write (`None` past 64 writes).
    all_written: Option<u64>,
}

impl ViewInfo {
    /// The view of `action`, which declared `reads` and `writes`.
    pub(crate) fn new(action: Arc<str>, reads: Vec<String>, writes: Vec<String>) -> Self {
        ViewInfo {
            action,
            sees_prior_step: reads.iter().any(|r| r == super::PRIOR_STEP_KEY),
            all_written: match writes.len() {
                64 => Some(u64::MAX),
                n if n < 64 => Some((1 << n) - 1),
                _ => None,
            },
            reads: Arc::from(reads),
            writes: Arc::from(writes),
        }
    }
}

impl State {
    /// Whether `key` is visible: always, except inside an action, where only its declared
    /// reads and the keys it wrote are.
    #[inline]
    pub(super) fn visible(&self, key: &str) -> bool {
        match &self.view {
            None => true,
            Some(v) => v.reads.iter().any(|r| key_eq(r, key)) || self.was_written(v, key),
        }
    }

    fn was_written(&self, view: &ViewInfo, key: &str) -> bool {
        match view.writes.iter().position(|w| key_eq(w, key)) {
            Some(i) if i < 64 => self.written_mask & (1 << i) != 0,
            _ => self.extra_writes().iter().any(|w| &**w == key),
        }
    }

    #[inline(always)]
    pub(super) fn record_write(&mut self, key: &str) {
        let Some(view) = &self.view else { return };
        match view.writes.iter().position(|w| key_eq(w, key)) {
            Some(i) if i < 64 => self.written_mask |= 1 << i,
            _ => self.record_extra_write(key),
        }
    }

    /// Records a write the mask cannot hold: an undeclared key, or a declared write past the
    /// 64th.
    #[cold]
    fn record_extra_write(&mut self, key: &str) {
        if self.extra_writes().iter().any(|w| &**w == key) {
            return;
        }
        let k = self
            .map
            .get_key_value(key)
            .map(|(k, _)| k.clone())
            .unwrap_or_else(|| Arc::from(key));
        Arc::make_mut(self.rare.get_or_insert_default())
            .written_extra
            .push(k);
    }

    /// The state an action sees: the full map (nothing is copied), tagged so that only its
    /// declared reads (and what it writes) are visible, and so that its writes are recorded.
    ///
    /// `__PRIOR_STEP` is left out unless the action declared it (it cannot see it otherwise,
    /// and the runtime sets it after the step), which spares a shared name's counter two
    /// atomic updates a step.
    pub(crate) fn view_for(&self, info: &Arc<ViewInfo>) -> State {
        let mut view = State {
            map: self.map.clone(),
            sequence_id: self.sequence_id,
            prior_step: if info.sees_prior_step {
                self.prior_step.clone()
            } else {
                None
            },
            view: Some(info.clone()),
            written_mask: 0,
            rare: self.rare.clone(),
        };
        view.forget_extra_writes();
        view
    }

    /// The keys written in view mode that the mask does not hold.
    fn extra_writes(&self) -> &[Arc<str>] {
        self.rare
            .as_deref()
            .map_or(&[], |r| r.written_extra.as_slice())
    }

    /// Whether this state is (derived from) the view made with `info`.
    pub(crate) fn is_view_of(&self, info: &Arc<ViewInfo>) -> bool {
        self.view.as_ref().is_some_and(|v| Arc::ptr_eq(v, info))
    }

    /// Whether the action wrote, in view mode, exactly its declared writes (the common case,
    /// checked on the write mask alone).
    #[inline]
    pub(crate) fn wrote_exactly_declared(&self) -> bool {
        self.extra_writes().is_empty()
            && self
                .view
                .as_ref()
                .is_some_and(|v| v.all_written == Some(self.written_mask))
    }

    /// Checks what the action wrote in view mode against its declared writes: returns the
    /// undeclared keys it wrote and the declared writes it left unwritten (both empty when all
    /// is well; no allocation then).
    pub(crate) fn write_violations(&self) -> (Vec<String>, Vec<String>) {
        let Some(view) = &self.view else {
            return (Vec::new(), Vec::new());
        };
        if self.wrote_exactly_declared() {
            return (Vec::new(), Vec::new());
        }
        let undeclared: Vec<String> = self
            .extra_writes()
            .iter()
            .filter(|k| !view.writes.iter().any(|w| w == &***k))
            .map(|k| k.to_string())
            .collect();
        let missing: Vec<String> = view
            .writes
            .iter()
            .filter(|w| !self.was_written(view, w))
            .cloned()
            .collect();
        (undeclared, missing)
    }

    /// Leaves view mode: the full state with the action's writes applied.
    pub(crate) fn leave_view(&mut self) {
        self.view = None;
        self.written_mask = 0;
        self.forget_extra_writes();
    }

    /// Drops the record of extra writes (keeping a write error).
    #[inline]
    fn forget_extra_writes(&mut self) {
        if let Some(rare) = &mut self.rare
            && !rare.written_extra.is_empty()
        {
            if rare.write_error.is_none() {
                self.rare = None;
            } else {
                Arc::make_mut(rare).written_extra.clear();
            }
        }
    }

    /// Whether `key` holds the very same stored value in both states (pointer equality: O(1)).
    pub(crate) fn same_field(&self, other: &State, key: &str) -> bool {
        match (self.map.get(key), other.map.get(key)) {
            (Some(a), Some(b)) => a.field.same_as(&b.field),
            (None, None) => true,
            _ => false,
        }
    }

    /// Whether the user key is stored (ignores views).
    pub(crate) fn has_raw(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }

    /// Whether `key` is stored, runtime keys included (ignores views).
    pub(crate) fn holds(&self, key: &str) -> bool {
        match key {
            super::SEQUENCE_ID_KEY => self.sequence_id.is_some(),
            super::PRIOR_STEP_KEY => self.prior_step.is_some(),
            _ => self.map.contains_key(key),
        }
    }

    /// The user keys stored (ignores views), in no particular order.
    pub(crate) fn raw_keys(&self) -> impl Iterator<Item = &str> {
        self.map.keys().map(|k| &**k)
    }
}
