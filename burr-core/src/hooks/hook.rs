//! [`Hook`]: a hook of either kind, what [`IntoHook`] makes of a value, and an app's [`Hooks`].

use std::sync::Arc;

use super::{AsyncLifecycleHook, LifecycleHook};
use crate::marker;

/// A hook of either kind, as an application keeps it: what [`IntoHook`] makes of a value.
#[derive(Clone)]
pub enum Hook {
    /// A sync hook: runs in every method.
    Sync(Arc<dyn LifecycleHook>),
    /// An async hook: runs in the `_async` methods only.
    Async(Arc<dyn AsyncLifecycleHook>),
}

impl std::fmt::Debug for Hook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Hook::Sync(_) => "Hook::Sync",
            Hook::Async(_) => "Hook::Async",
        })
    }
}

/// Converts a value into a [`Hook`]: any [`LifecycleHook`] or [`AsyncLifecycleHook`], an
/// `Arc` of one (to share it), or a `Hook`. Whether it is sync or async is decided by its
/// type; `M` is inferred.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use burr_core::hooks::{Hook, IntoHook};
/// struct Quiet;
/// impl burr_core::LifecycleHook for Quiet {}
/// struct Later;
/// impl burr_core::AsyncLifecycleHook for Later {}
/// assert!(matches!(Quiet.into_hook(), Hook::Sync(_)));
/// assert!(matches!(Arc::new(Later).into_hook(), Hook::Async(_)));
/// ```
pub trait IntoHook<M> {
    /// The hook.
    fn into_hook(self) -> Hook;
}

impl<T: LifecycleHook> IntoHook<marker::Sync> for T {
    fn into_hook(self) -> Hook {
        Hook::Sync(Arc::new(self))
    }
}

impl<T: AsyncLifecycleHook> IntoHook<marker::Async> for T {
    fn into_hook(self) -> Hook {
        Hook::Async(Arc::new(self))
    }
}

impl<T: LifecycleHook> IntoHook<marker::SharedSync> for Arc<T> {
    fn into_hook(self) -> Hook {
        Hook::Sync(self)
    }
}

impl<T: AsyncLifecycleHook> IntoHook<marker::SharedAsync> for Arc<T> {
    fn into_hook(self) -> Hook {
        Hook::Async(self)
    }
}

impl IntoHook<marker::SharedSync> for Arc<dyn LifecycleHook> {
    fn into_hook(self) -> Hook {
        Hook::Sync(self)
    }
}

impl IntoHook<marker::SharedAsync> for Arc<dyn AsyncLifecycleHook> {
    fn into_hook(self) -> Hook {
        Hook::Async(self)
    }
}

impl IntoHook<marker::Converted> for Hook {
    fn into_hook(self) -> Hook {
        self
    }
}

/// The hooks of one application.
#[derive(Clone, Default)]
pub(crate) struct Hooks {
    pub(crate) sync: Vec<Arc<dyn LifecycleHook>>,
    pub(crate) asynchronous: Vec<Arc<dyn AsyncLifecycleHook>>,
}

impl Hooks {
    pub(crate) fn push(&mut self, hook: Hook) {
        match hook {
            Hook::Sync(h) => self.sync.push(h),
            Hook::Async(h) => self.asynchronous.push(h),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.sync.is_empty() && self.asynchronous.is_empty()
    }

    #[inline]
    pub(crate) fn each(&self, f: impl Fn(&dyn LifecycleHook)) {
        for h in &self.sync {
            f(&**h);
        }
    }
}

impl std::fmt::Debug for Hooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hooks")
            .field("sync", &self.sync.len())
            .field("async", &self.asynchronous.len())
            .finish()
    }
}
