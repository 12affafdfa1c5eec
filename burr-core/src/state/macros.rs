//! The `state!` macro, and the `key: value` pairs it shares with `inputs!`.

/// Builds a [`State`](crate::State) from `key: value` pairs. A value is any expression whose
/// type converts into a JSON value (`-1`, `f(x)`, `"text"`); a value written in braces or
/// brackets is a JSON literal, as in `serde_json::json!`.
///
/// # Examples
///
/// ```
/// use burr_core::state;
/// let start = 41;
/// let s = state! { count: start + 1, offset: -1, history: ["hi"], "with space": {"a": 1} };
/// assert_eq!(s.keys(), vec!["count", "offset", "history", "with space"]);
/// assert_eq!(s.get::<i64>("count").unwrap(), 42);
/// ```
#[macro_export]
macro_rules! state {
    ($($pairs:tt)*) => {
        $crate::__with_pairs!(update; $crate::State::new(); $($pairs)*)
    };
}

/// Applies `$method(key, value)` for each `key: value` pair of `state!` and `inputs!`: braces
/// and brackets are JSON literals, anything else an expression.
#[doc(hidden)]
#[macro_export]
macro_rules! __with_pairs {
    ($method:ident; $acc:expr;) => { $acc };
    ($method:ident; $acc:expr; $key:tt : { $($json:tt)* } $(, $($rest:tt)*)?) => {
        $crate::__with_pairs!($method; $acc.$method(
            $crate::__state_key!($key),
            $crate::__private::serde_json::json!({ $($json)* }),
        ); $($($rest)*)?)
    };
    ($method:ident; $acc:expr; $key:tt : [ $($json:tt)* ] $(, $($rest:tt)*)?) => {
        $crate::__with_pairs!($method; $acc.$method(
            $crate::__state_key!($key),
            $crate::__private::serde_json::json!([ $($json)* ]),
        ); $($($rest)*)?)
    };
    ($method:ident; $acc:expr; $key:tt : $value:expr $(, $($rest:tt)*)?) => {
        $crate::__with_pairs!($method; $acc.$method($crate::__state_key!($key), $value); $($($rest)*)?)
    };
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
