//! Unit tests of the checks.

use super::*;
use quote::quote;

fn check_action(
    args: proc_macro2::TokenStream,
    item: proc_macro2::TokenStream,
) -> Result<usize, Vec<String>> {
    let args: ActionArgs = syn::parse2(args).unwrap();
    let item: MaybeItemFn = syn::parse2(item).unwrap();
    action(Some(&args), &item)
        .map(|f| f.params.len())
        .map_err(|e| e.into_iter().map(|e| e.to_string()).collect())
}

#[test]
fn minimal_action_passes() {
    let r = check_action(
        quote!(reads = [count], writes = [count]),
        quote!(
            fn inc(state: State) -> State {
                let n: i64 = state.get("count").unwrap();
                state.update("count", n + 1)
            }
        ),
    );
    assert_eq!(r, Ok(0));
}

#[test]
fn params_are_classified() {
    let args: ActionArgs = syn::parse2(quote!()).unwrap();
    let item: MaybeItemFn = syn::parse2(quote!(
        fn f(state: burr::State, a: u32, b: Option<String>, t: &Tracer, c: ActionContext) -> State {
            state
        }
    ))
    .unwrap();
    let f = action(Some(&args), &item).unwrap();
    let kinds: Vec<String> = f
        .params
        .iter()
        .map(|p| match &p.kind {
            ParamKind::Input { name, optional, .. } => format!("{name}:{optional}"),
            ParamKind::Tracer { by_ref } => format!("tracer:{by_ref}"),
            ParamKind::Context { by_ref } => format!("context:{by_ref}"),
        })
        .collect();
    assert_eq!(kinds, ["a:false", "b:true", "tracer:true", "context:false"]);
}

#[test]
fn undeclared_literal_keys_are_reported() {
    let r = check_action(
        quote!(reads = [count], writes = [count]),
        quote!(
            fn inc(state: State) -> State {
                let a: i64 = state.get::<i64>("cont").unwrap();
                let ok = state.contains("count");
                let s = state.update("count", 1).append("history", "x");
                let t = s.update("other", 2); // not the state parameter: not checked
                let n = self.state.get("zzz"); // a field, not the parameter
                state.increment("total", 1)?.update("count", 2)
            }
        ),
    )
    .unwrap_err();
    assert_eq!(r.len(), 3, "{r:#?}");
    assert!(r[0].starts_with("`inc` reads state key `cont`"), "{}", r[0]);
    assert!(r[0].ends_with("declared reads are `count`"), "{}", r[0]);
    assert!(
        r[1].starts_with("`inc` writes state key `history`"),
        "{}",
        r[1]
    );
    assert!(
        r[2].starts_with("`inc` writes state key `total`"),
        "{}",
        r[2]
    );
}

#[test]
fn reads_of_written_keys_and_non_literal_keys_pass() {
    let r = check_action(
        quote!(reads = [], writes = [x]),
        quote!(
            fn f(state: State) -> State {
                let key = "y";
                let _ = state.get::<i64>(key);
                let _ = state.get::<String>(&format!("{}", 1));
                let _ = state.get_or("x", 0);
                state.update("x", 1)
            }
        ),
    );
    assert_eq!(r, Ok(0));
}

#[test]
fn signature_errors_are_all_reported() {
    let r = check_action(
        quote!(writes = [a, b, a]),
        quote!(
            fn f<T>(state: State, (a, b): (u8, u8), s: &str, g: impl Fn(), h: fn()) {}
        ),
    )
    .unwrap_err();
    assert_eq!(r.len(), 7, "{r:#?}");
    assert!(r[0].contains("`a` appears more than once"), "{}", r[0]);
    assert!(r[1].contains("generic"), "{}", r[1]);
    assert!(r[2].contains("returns the new state"), "{}", r[2]);
    assert!(r[3].contains("plain names"), "{}", r[3]);
    assert!(r[4].contains("take a `String`"), "{}", r[4]);
    assert!(r[5].contains("`impl Trait`"), "{}", r[5]);
    assert!(r[6].contains("function pointer"), "{}", r[6]);
}

#[test]
fn state_must_come_first() {
    let r = check_action(
        quote!(),
        quote!(
            fn f(x: u8, state: State) -> State {
                state
            }
        ),
    )
    .unwrap_err();
    assert_eq!(r, ["the state must be the first parameter of an action"]);
    let r = check_action(
        quote!(),
        quote!(
            fn f() -> State {
                State::new()
            }
        ),
    )
    .unwrap_err();
    assert!(r[0].contains("first parameter"), "{r:?}");
    let r = check_action(
        quote!(),
        quote!(
            fn f(&self) -> State {
                State::new()
            }
        ),
    )
    .unwrap_err();
    assert!(r[0].contains("methods"), "{r:?}");
}

fn check_trace(
    args: proc_macro2::TokenStream,
    item: proc_macro2::TokenStream,
) -> Result<Vec<String>, Vec<String>> {
    let args: TraceArgs = syn::parse2(args).unwrap();
    let item: MaybeItemFn = syn::parse2(item).unwrap();
    trace(&args, &item)
        .map(|f| f.captured.iter().map(ToString::to_string).collect())
        .map_err(|e| e.into_iter().map(|e| e.to_string()).collect())
}

#[test]
fn trace_captures_parameters_minus_the_filter_list() {
    let r = check_trace(
        quote!(input_filterlist = ["password"]),
        quote!(
            fn login(&self, user: String, password: String, (a, b): (u8, u8)) -> bool {
                true
            }
        ),
    );
    assert_eq!(r.unwrap(), ["user", "a", "b"]);
    let r = check_trace(
        quote!(capture_inputs = false),
        quote!(
            fn f(x: u8) {}
        ),
    );
    assert!(r.unwrap().is_empty());
}

#[test]
fn trace_filter_list_errors() {
    let r = check_trace(
        quote!(input_filterlist = ["pasword"]),
        quote!(
            fn login(user: String, password: String) {}
        ),
    )
    .unwrap_err();
    assert_eq!(
        r,
        [
            "`input_filterlist` names `pasword`, which is not a parameter of `login`; parameters are `user`, `password`"
        ]
    );
    let r = check_trace(
        quote!(capture_inputs = false, input_filterlist = [x]),
        quote!(
            fn f(x: u8) {}
        ),
    )
    .unwrap_err();
    assert!(r[0].contains("no effect"), "{r:?}");
    let r = check_trace(
        quote!(),
        quote!(
            const fn f() {}
        ),
    )
    .unwrap_err();
    assert!(r[0].contains("const fn"), "{r:?}");
}
