//! Code generation: the only module that writes Rust with `quote!`.
//!
//! Generated code names only absolute paths (`::burr::__private::...`, `::core::...`,
//! `::std::...`) and identifiers prefixed with `__burr_`, so nothing in scope at the call site
//! changes its meaning. On error the user's function is still emitted as written, so that
//! the error is the only one the user sees.

use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote, quote_spanned};
use sha2::{Digest, Sha256};
use syn::ext::IdentExt;
use syn::spanned::Spanned;

use crate::attr::{ActionArgs, Key, TraceArgs};
use crate::item::{self, MaybeItemFn};
use crate::validate::{self, ActionFn, ParamKind, TraceFn};

/// `#[action(...)]` on `item`.
pub(crate) fn action(args: TokenStream, item: TokenStream) -> TokenStream {
    let args_parsed = syn::parse2::<ActionArgs>(args);
    let out = match syn::parse2::<MaybeItemFn>(item.clone()) {
        Err(e) => with_item_error("action", e, &item),
        Ok(parsed) => {
            if let Ok(args) = &args_parsed
                && args.state.is_some()
            {
                let out = crate::typed::action(args, &parsed, &item::source_text(&item));
                debug_print("action", &out);
                return out;
            }
            let checked = match args_parsed {
                Ok(args) => validate::action(Some(&args), &parsed).map(|f| (args, f)),
                Err(mut e) => {
                    // Report the signature's problems too.
                    if let Err(more) = validate::action(None, &parsed) {
                        e.combine(more);
                    }
                    Err(e)
                }
            };
            match checked {
                Ok((args, f)) => expand_action(&args, &f, &item::source_text(&item)),
                Err(e) => {
                    let err = e.to_compile_error();
                    let fallback = fallback_action(&parsed);
                    quote! { #err #parsed #fallback }
                }
            }
        }
    };
    debug_print("action", &out);
    out
}

/// `#[trace(...)]` on `item`.
pub(crate) fn trace(args: TokenStream, item: TokenStream) -> TokenStream {
    let args_parsed = syn::parse2::<TraceArgs>(args);
    let out = match syn::parse2::<MaybeItemFn>(item.clone()) {
        Err(e) => with_item_error("trace", e, &item),
        Ok(parsed) => match args_parsed.and_then(|args| {
            validate::trace(&args, &parsed).map(|f| expand_trace(&args, &f, &item))
        }) {
            Ok(tokens) => tokens,
            Err(e) => {
                let err = e.to_compile_error();
                quote! { #err #parsed }
            }
        },
    };
    debug_print("trace", &out);
    out
}

/// The item could not be parsed as a function: say what the attribute is for, and emit the
/// item untouched.
pub(crate) fn with_item_error(
    attr: &str,
    parse_error: syn::Error,
    item: &TokenStream,
) -> TokenStream {
    // A function that failed to parse (no body, say) gets the parse error; anything else is
    // told what the attribute is for.
    let is_fn = item
        .clone()
        .into_iter()
        .any(|t| matches!(t, proc_macro2::TokenTree::Ident(i) if i == "fn"));
    let err = if is_fn {
        parse_error
    } else {
        let (span, what) = item::describe_non_fn(item);
        syn::Error::new(
            span,
            format!("`#[{attr}]` can only be used on functions, not on {what}"),
        )
    };
    let err = err.to_compile_error();
    quote! { #err #item }
}

/// Prints the expansion to stderr when `BURR_MACROS_DEBUG` is set (to `1`, or to the name of
/// the function to show).
pub(crate) fn debug_print(attr: &str, out: &TokenStream) {
    let Some(filter) = std::env::var_os("BURR_MACROS_DEBUG") else {
        return;
    };
    let text = out.to_string();
    let filter = filter.to_string_lossy();
    if filter.is_empty() || filter == "1" || text.contains(&*filter) {
        eprintln!("---- #[{attr}] expansion ----\n{text}\n----");
    }
}

fn strings<'a>(keys: impl IntoIterator<Item = &'a Key>) -> impl Iterator<Item = TokenStream> {
    keys.into_iter().map(|k| {
        let name = &k.name;
        quote!(::std::string::String::from(#name))
    })
}

/// The struct and `Action` impl emitted beside a function the checks rejected, so that uses
/// of the action elsewhere do not add errors of their own.
pub(crate) fn fallback_action(item: &MaybeItemFn) -> TokenStream {
    if item.sig.receiver().is_some() {
        // A method: a struct cannot be declared where it is.
        return TokenStream::new();
    }
    let vis = &item.vis;
    let name = &item.sig.ident;
    let core = quote!(::burr::__private::burr_core);
    quote! {
        #[allow(non_camel_case_types, dead_code)]
        #[doc(hidden)]
        #vis struct #name {}

        impl #core::Action for #name {
            fn reads(&self) -> ::std::vec::Vec<::std::string::String> {
                ::std::vec::Vec::new()
            }
            fn writes(&self) -> ::std::vec::Vec<::std::string::String> {
                ::std::vec::Vec::new()
            }
            fn call<'__burr>(
                &'__burr self,
                _: #core::State,
                _: &'__burr #core::Inputs,
                _: &'__burr #core::ActionContext,
            ) -> #core::action::Call<'__burr> {
                #core::action::Call::Ready(::core::result::Result::Err(
                    #core::ActionError::msg("this action did not compile"),
                ))
            }
        }
    }
}

/// What the run methods of a generated action need to call the user's function: one `let`
/// per input (reading `__burr_inputs` for the action `__burr_ctx`, returning early with an
/// `ActionError`), and the arguments after the state, in order.
pub(crate) struct CallArgs {
    pub(crate) input_specs: Vec<TokenStream>,
    pub(crate) lets: Vec<TokenStream>,
    pub(crate) args: Vec<TokenStream>,
}

pub(crate) fn call_args(f: &ActionFn<'_>) -> CallArgs {
    let core = quote!(::burr::__private::burr_core);
    let mut out = CallArgs {
        input_specs: Vec::new(),
        lets: Vec::new(),
        args: Vec::new(),
    };
    for (i, param) in f.params.iter().enumerate() {
        match &param.kind {
            ParamKind::Input { name, ty, optional } => {
                let var = format_ident!("__burr_input_{}", i);
                let (spec, getter) = if *optional {
                    (quote!(optional), quote!(get_opt))
                } else {
                    (quote!(required), quote!(get))
                };
                out.input_specs.push(quote!(#core::InputSpec::#spec(#name)));
                out.lets.push(quote_spanned! {param.span=>
                    let #var = match __burr_inputs.#getter::<#ty>(__burr_ctx.action_name(), #name) {
                        ::core::result::Result::Ok(value) => value,
                        ::core::result::Result::Err(e) => {
                            return ::core::result::Result::Err(#core::ActionError::from(e));
                        }
                    };
                });
                out.args.push(quote!(#var));
            }
            ParamKind::Tracer { by_ref: true } => out.args.push(quote!(__burr_ctx.tracer())),
            ParamKind::Tracer { by_ref: false } => {
                out.args
                    .push(quote!(::core::clone::Clone::clone(__burr_ctx.tracer())));
            }
            ParamKind::Context { by_ref: true } => out.args.push(quote!(__burr_ctx)),
            ParamKind::Context { by_ref: false } => {
                out.args
                    .push(quote!(::core::clone::Clone::clone(__burr_ctx)));
            }
        }
    }
    out
}

/// The `Action` methods that describe an action: reads, writes, tags, inputs, source,
/// default name.
pub(crate) fn declarations(
    args: &ActionArgs,
    item: &MaybeItemFn,
    input_specs: &[TokenStream],
    source: &str,
) -> TokenStream {
    let reads: Vec<_> = strings(args.reads()).collect();
    let writes: Vec<_> = strings(args.writes()).collect();
    let tags: Vec<_> = strings(args.tags()).collect();
    let name = item.sig.ident.unraw().to_string();
    describe(&reads, &writes, &tags, input_specs, source, &name)
}

/// The `Action` methods that describe an action, from the expressions of its reads, writes
/// and tags (each a `String`), its input specs, its source and its default name.
pub(crate) fn describe(
    reads: &[TokenStream],
    writes: &[TokenStream],
    tags: &[TokenStream],
    input_specs: &[TokenStream],
    source: &str,
    name: &str,
) -> TokenStream {
    let core = quote!(::burr::__private::burr_core);
    quote! {
        fn reads(&self) -> ::std::vec::Vec<::std::string::String> {
            ::std::vec![#(#reads),*]
        }
        fn writes(&self) -> ::std::vec::Vec<::std::string::String> {
            ::std::vec![#(#writes),*]
        }
        fn tags(&self) -> ::std::vec::Vec<::std::string::String> {
            ::std::vec![#(#tags),*]
        }
        fn inputs(&self) -> ::std::vec::Vec<#core::InputSpec> {
            ::std::vec![#(#input_specs),*]
        }
        fn source(&self) -> ::core::option::Option<::std::string::String> {
            ::core::option::Option::Some(::std::string::String::from(#source))
        }
        fn default_name(&self) -> ::core::option::Option<::std::string::String> {
            ::core::option::Option::Some(::std::string::String::from(#name))
        }
    }
}

/// The hidden unit struct named after the function, with its `bind` and `action`.
pub(crate) fn action_struct(item: &MaybeItemFn) -> TokenStream {
    let vis = &item.vis;
    let name = &item.sig.ident;
    let private = quote!(::burr::__private);
    let core = quote!(#private::burr_core);
    quote! {
        #[allow(non_camel_case_types, dead_code)]
        #[doc(hidden)]
        #vis struct #name {}

        #[allow(dead_code)]
        impl #name {
            /// This action with some of its inputs bound ahead of time: they are no longer
            /// inputs, and every run receives the bound values.
            #vis fn bind<__BurrK, __BurrV>(
                values: impl ::core::iter::IntoIterator<Item = (__BurrK, __BurrV)>,
            ) -> #core::Bound
            where
                __BurrK: ::core::convert::Into<::std::string::String>,
                __BurrV: ::core::convert::Into<#private::serde_json::Value>,
            {
                #core::Bound::new(#name {}, values)
            }

            /// This action, shared.
            #vis fn action() -> ::std::sync::Arc<dyn #core::Action> {
                ::std::sync::Arc::new(#name {})
            }
        }
    }
}

fn expand_action(args: &ActionArgs, f: &ActionFn<'_>, source: &str) -> TokenStream {
    let item = f.item;
    let name = &item.sig.ident;
    let private = quote!(::burr::__private);
    let core = quote!(#private::burr_core);
    let is_async = item.sig.asyncness.is_some();
    let CallArgs {
        input_specs,
        lets,
        args: call_args,
    } = call_args(f);
    let declarations = declarations(args, item, &input_specs, source);
    let action_struct = action_struct(item);

    let convert = output_conversion(item);
    let result_ty = quote! {
        ::core::result::Result<#core::StepOutput, #core::ActionError>
    };
    let (kind, call) = if is_async {
        (
            quote!(Async),
            quote! {
                #core::action::Call::Future(::std::boxed::Box::pin(async move {
                    #(#lets)*
                    let __burr_ret = #name(__burr_state, #(#call_args),*).await;
                    #convert
                }))
            },
        )
    } else {
        (
            quote!(Sync),
            quote! {
                #core::action::Call::Ready((move || -> #result_ty {
                    #(#lets)*
                    let __burr_ret = #name(__burr_state, #(#call_args),*);
                    #convert
                })())
            },
        )
    };

    let action_impl = impl_action(name, &declarations, &kind, &call);
    quote! {
        #item

        #action_struct

        #action_impl
    }
}

/// What turns the function's return value `__burr_ret` into the step's output, spanned at
/// the return type so that a type that cannot be an output is reported there.
pub(crate) fn output_conversion(item: &MaybeItemFn) -> TokenStream {
    let ret_span = match &item.sig.output {
        syn::ReturnType::Type(_, ty) => ty.span(),
        syn::ReturnType::Default => item.sig.ident.span(),
    };
    quote_spanned! {ret_span=>
        ::burr::__private::IntoStepOutput::into_step_output(__burr_ret, __burr_ctx.action_name())
    }
}

/// `impl Action for #name`: the declarations, the kind (an `ActionKind` variant) and the
/// body of `call`, which sees `__burr_state`, `__burr_inputs` and `__burr_ctx`.
pub(crate) fn impl_action(
    name: &syn::Ident,
    declarations: &TokenStream,
    kind: &TokenStream,
    call: &TokenStream,
) -> TokenStream {
    let core = quote!(::burr::__private::burr_core);
    quote! {
        impl #core::Action for #name {
            #declarations
            fn kind(&self) -> #core::action::ActionKind {
                #core::action::ActionKind::#kind
            }
            fn call<'__burr>(
                &'__burr self,
                __burr_state: #core::State,
                __burr_inputs: &'__burr #core::Inputs,
                __burr_ctx: &'__burr #core::ActionContext,
            ) -> #core::action::Call<'__burr> {
                #call
            }
        }
    }
}

fn expand_trace(args: &TraceArgs, f: &TraceFn<'_>, original: &TokenStream) -> TokenStream {
    let item = f.item;
    let MaybeItemFn {
        attrs,
        vis,
        sig,
        block,
        block_span,
    } = item;
    let private = quote!(::burr::__private);
    let core = quote!(#private::burr_core);
    let fn_name = sig.ident.unraw().to_string();
    let span_name = args
        .span_name
        .as_ref()
        .map_or_else(|| fn_name.clone(), syn::LitStr::value);
    let hash = sha256_hex(&item::source_text(original));
    let function = quote!(::core::concat!(::core::module_path!(), "::", #fn_name));
    let capture_traits = quote! {
        #[allow(unused_imports)]
        use #private::{CaptureDebug as _, CaptureOther as _, CaptureSerialize as _};
    };

    let inputs = if f.captured.is_empty() {
        quote!(::core::option::Option::None)
    } else {
        let pairs = f.captured.iter().map(|ident| {
            let name = ident.unraw().to_string();
            quote!((#name, (&&&#private::Capture(&#ident)).__burr_capture()))
        });
        quote! {
            ::core::option::Option::Some(&|| {
                #capture_traits
                ::std::vec![#(#pairs),*]
            })
        }
    };
    let enter = quote! {
        let __burr_span = if #core::Tracer::is_active() {
            #private::trace_enter(#span_name, #function, #hash, #inputs)
        } else {
            ::core::option::Option::None
        };
    };
    let capture_return = quote! {
        {
            #capture_traits
            (&&&#private::Capture(&__burr_ret)).__burr_capture()
        }
    };

    let body = if sig.asyncness.is_some() {
        let finish = if args.capture_outputs() {
            quote! {
                let __burr_ret = __burr_fut.await;
                #private::trace_return(::core::option::Option::None, #capture_return);
                __burr_ret
            }
        } else {
            quote!(__burr_fut.await)
        };
        quote_spanned! {*block_span=>
            {
                #enter
                let __burr_fut = async move #block;
                match __burr_span {
                    ::core::option::Option::None => __burr_fut.await,
                    ::core::option::Option::Some(__burr_span) => {
                        __burr_span.instrument(async move { #finish }).await
                    }
                }
            }
        }
    } else if args.capture_outputs() {
        // The body becomes a closure's, so that its value can be logged. Its return type is
        // written on the closure when it can be (so that `return` coerces as in the function,
        // e.g. to a `Box<dyn Trait>`), else on the variable: an `impl Trait` cannot be named,
        // and an elided lifetime means something else in a closure's signature.
        let (closure_ty, let_ty) = match &sig.output {
            syn::ReturnType::Type(_, ty) => {
                let tokens = ty.to_token_stream();
                if mentions_impl(&tokens) {
                    (TokenStream::new(), TokenStream::new())
                } else if may_elide_lifetimes(&tokens) {
                    (TokenStream::new(), quote!(: #ty))
                } else {
                    (quote!(-> #ty), TokenStream::new())
                }
            }
            syn::ReturnType::Default => (quote!(-> ()), TokenStream::new()),
        };
        quote_spanned! {*block_span=>
            {
                #enter
                let __burr_ret #let_ty = #private::call_once(move || #closure_ty #block);
                if let ::core::option::Option::Some(__burr_span) = &__burr_span {
                    #private::trace_return(::core::option::Option::Some(__burr_span), #capture_return);
                }
                __burr_ret
            }
        }
    } else {
        quote_spanned! {*block_span=>
            {
                #enter
                #block
            }
        }
    };

    quote! {
        #(#attrs)*
        #vis #sig #body
    }
}

fn mentions_impl(tokens: &TokenStream) -> bool {
    tokens.clone().into_iter().any(|t| match t {
        proc_macro2::TokenTree::Ident(i) => i == "impl",
        proc_macro2::TokenTree::Group(g) => mentions_impl(&g.stream()),
        _ => false,
    })
}

/// Whether a type may hold an elided lifetime: a reference or `'_`.
fn may_elide_lifetimes(tokens: &TokenStream) -> bool {
    let mut prev_quote = false;
    tokens.clone().into_iter().any(|t| {
        let found = match &t {
            proc_macro2::TokenTree::Punct(p) => p.as_char() == '&',
            proc_macro2::TokenTree::Ident(i) => prev_quote && i == "_",
            proc_macro2::TokenTree::Group(g) => may_elide_lifetimes(&g.stream()),
            proc_macro2::TokenTree::Literal(_) => false,
        };
        prev_quote = matches!(&t, proc_macro2::TokenTree::Punct(p) if p.as_char() == '\'');
        found
    })
}

/// The sha256 of `text`, as lowercase hex.
fn sha256_hex(text: &str) -> String {
    use std::fmt::Write;
    let digest = Sha256::digest(text.as_bytes());
    let mut out = String::with_capacity(64);
    for byte in digest.iter() {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_known_text() {
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn elided_lifetimes_are_found() {
        assert!(may_elide_lifetimes(&quote!(Option<&str>)));
        assert!(may_elide_lifetimes(&quote!(Cow<'_, str>)));
        assert!(!may_elide_lifetimes(&quote!(Cow<'static, str>)));
        assert!(!may_elide_lifetimes(&quote!(Box<dyn Error + Send>)));
    }

    #[test]
    fn impl_is_found_in_nested_types() {
        assert!(mentions_impl(&quote!(Box<impl Fn()>)));
        assert!(!mentions_impl(&quote!(Result<u8, String>)));
    }

    #[test]
    fn action_expansion_names_only_absolute_paths() {
        let out = action(
            quote!(reads = [count], writes = [count]),
            quote!(
                fn inc(state: State, by: Option<i64>) -> State {
                    state
                }
            ),
        )
        .to_string();
        assert!(out.contains("struct inc { }"), "{out}");
        assert!(
            out.contains(":: burr :: __private :: burr_core :: Action for inc"),
            "{out}"
        );
        assert!(out.contains("InputSpec :: optional (\"by\")"), "{out}");
        assert!(!out.contains("compile_error"), "{out}");
    }

    #[test]
    fn a_function_without_body_gets_the_parse_error() {
        let declaration = quote! { fn f(&self) -> u8; };
        let out = trace(quote!(), declaration).to_string();
        assert!(out.contains("expected the function's body"), "{out}");
        let not_a_fn = quote! { static X: u8 = 1; };
        let out = action(quote!(), not_a_fn).to_string();
        assert!(out.contains("not on a static"), "{out}");
    }

    #[test]
    fn errors_keep_the_function() {
        let out = action(
            quote!(reads = count),
            quote!(
                fn inc(state: State) -> State {
                    state
                }
            ),
        )
        .to_string();
        assert!(out.contains("compile_error"), "{out}");
        assert!(
            out.contains("fn inc (state : State) -> State { state }"),
            "{out}"
        );
        let out = trace(
            quote!(bogus = 1),
            quote!(
                fn f(x: u8) -> u8 {
                    x
                }
            ),
        )
        .to_string();
        assert!(out.contains("compile_error") && out.contains("fn f (x : u8) -> u8 { x }"));
    }
}
