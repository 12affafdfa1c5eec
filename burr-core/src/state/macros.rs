//! The `state!` macro.

/// Builds a [`State`](crate::State) from `key: value` pairs; each value goes through
/// `serde_json::json!`.
///
/// # Examples
///
/// ```
/// use burr_core::state;
/// let s = state! { count: 0, history: ["hi"], "with space": {"a": 1} };
/// assert_eq!(s.keys(), vec!["count", "history", "with space"]);
/// ```
#[macro_export]
macro_rules! state {
    () => { $crate::State::new() };
    ($($key:tt : $value:tt),+ $(,)?) => {{
        let s = $crate::State::new();
        $( let s = s.update($crate::__state_key!($key), $crate::__private::serde_json::json!($value)); )+
        s
    }};
}

#[doc(hidden)]
#[macro_export]
macro_rules! __state_key {
    ($key:ident) => {
        ::core::stringify!($key)
    };
    ($key:literal) => {
        $key
    };
}
