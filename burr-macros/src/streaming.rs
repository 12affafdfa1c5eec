//! `#[streaming_action]`: an action function that pushes intermediate items through an
//! emitter parameter and returns its final state (or result and state).
//!
//! The function is checked like an `#[action]` function once its emitter parameter is set
//! aside (same arguments, same parameter rules, same return types). The generated `Action`
//! streams: a sync function runs lazily on its own thread
//! (`ActionStream::from_fn`), an async one as a future polled by the consumer
//! (`ActionStream::from_async_fn`).

use proc_macro2::TokenStream;
use quote::quote;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{FnArg, Type};

use crate::attr::ActionArgs;
use crate::expand::{self, CallArgs};
use crate::item::{self, MaybeItemFn};
use crate::validate::{self, ActionFn};

/// The emitter parameter: where it is and how it is taken.
struct EmitterParam {
    /// Its index among the parameters after the state.
    index: usize,
    by_ref: bool,
}

/// `Emitter` or `AsyncEmitter` (last path segment), behind at most one reference.
fn emitter_kind(ty: &Type) -> Option<(&'static str, bool, &Type)> {
    let (inner, by_ref) = match ty {
        Type::Reference(r) => (&*r.elem, true),
        other => (other, false),
    };
    let Type::Path(p) = inner else {
        return None;
    };
    let last = p.path.segments.last()?;
    if last.ident == "Emitter" {
        Some(("Emitter", by_ref, ty))
    } else if last.ident == "AsyncEmitter" {
        Some(("AsyncEmitter", by_ref, ty))
    } else {
        None
    }
}

/// Finds the emitter parameter and returns the function without it.
fn split_emitter(item: &MaybeItemFn) -> syn::Result<(EmitterParam, MaybeItemFn)> {
    let is_async = item.sig.asyncness.is_some();
    let mut found: Option<(usize, usize, bool)> = None;
    let mut errors: Option<syn::Error> = None;
    let mut push = |e: syn::Error| match &mut errors {
        Some(all) => all.combine(e),
        None => errors = Some(e),
    };
    for (i, arg) in item.sig.inputs.iter().enumerate() {
        let FnArg::Typed(t) = arg else { continue };
        let Some((kind, by_ref, span)) = emitter_kind(&t.ty) else {
            continue;
        };
        if found.is_some() {
            push(syn::Error::new_spanned(
                span,
                "a streaming action takes one emitter; remove this one",
            ));
            continue;
        }
        if i == 0 {
            push(syn::Error::new_spanned(
                span,
                "the first parameter of a streaming action is the state; put the emitter after it",
            ));
            continue;
        }
        match (is_async, kind, by_ref) {
            (false, "AsyncEmitter", _) => push(syn::Error::new_spanned(
                span,
                "a sync streaming action takes `&Emitter`; `AsyncEmitter` is for `async fn`",
            )),
            (true, "Emitter", _) => push(syn::Error::new_spanned(
                span,
                "an async streaming action takes `AsyncEmitter` (or `&AsyncEmitter`); `Emitter` is for sync functions",
            )),
            (false, _, false) => push(syn::Error::new_spanned(
                span,
                "take the emitter by reference: `emit: &Emitter`",
            )),
            _ => {}
        }
        found = Some((i, i - 1, by_ref));
    }
    if let Some(e) = errors {
        return Err(e);
    }
    let Some((position, index, by_ref)) = found else {
        let example = if is_async {
            "`emit: AsyncEmitter`"
        } else {
            "`emit: &Emitter`"
        };
        return Err(syn::Error::new(
            item.sig.paren_token.span.join(),
            format!(
                "a streaming action takes an emitter parameter after the state, like {example} \
                 (from `burr::stream`), to push its intermediate items"
            ),
        ));
    };
    let mut sig = item.sig.clone();
    sig.inputs = item
        .sig
        .inputs
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != position)
        .map(|(_, a)| a.clone())
        .collect::<Punctuated<FnArg, syn::Token![,]>>();
    let stripped = MaybeItemFn {
        attrs: item.attrs.clone(),
        vis: item.vis.clone(),
        sig,
        block: item.block.clone(),
        block_span: item.block_span,
    };
    Ok((EmitterParam { index, by_ref }, stripped))
}

/// `#[streaming_action(...)]` on `item`.
pub(crate) fn streaming_action(args: TokenStream, item: TokenStream) -> TokenStream {
    let args_parsed = syn::parse2::<ActionArgs>(args);
    let out = match syn::parse2::<MaybeItemFn>(item.clone()) {
        Err(e) => expand::with_item_error("streaming_action", e, &item),
        Ok(parsed) => {
            let checked = split_emitter(&parsed).and_then(|(emitter, stripped)| {
                let args = args_parsed?;
                let f = validate::action(Some(&args), &stripped)?;
                Ok(expand_streaming(
                    &args,
                    &f,
                    &emitter,
                    &parsed,
                    &item::source_text(&item),
                ))
            });
            match checked {
                Ok(tokens) => tokens,
                Err(e) => {
                    let err = e.to_compile_error();
                    let fallback = expand::fallback_action(&parsed);
                    quote! { #err #parsed #fallback }
                }
            }
        }
    };
    expand::debug_print("streaming_action", &out);
    out
}

fn expand_streaming(
    args: &ActionArgs,
    f: &ActionFn<'_>,
    emitter: &EmitterParam,
    original: &MaybeItemFn,
    source: &str,
) -> TokenStream {
    let name = &original.sig.ident;
    let private = quote!(::burr::__private);
    let core = quote!(#private::burr_core);
    let is_async = original.sig.asyncness.is_some();
    let CallArgs {
        input_specs,
        lets,
        args: mut call_args,
    } = expand::call_args(f);
    let emit_arg = if is_async && emitter.by_ref {
        quote!(&__burr_emit)
    } else {
        quote!(__burr_emit)
    };
    call_args.insert(emitter.index.min(call_args.len()), emit_arg);
    let declarations = expand::declarations(args, f.item, &input_specs, source);
    let action_struct = expand::action_struct(original);
    let ret_span = match &original.sig.output {
        syn::ReturnType::Type(_, ty) => ty.span(),
        syn::ReturnType::Default => name.span(),
    };
    let convert = quote::quote_spanned! {ret_span=>
        #private::IntoStepOutput::into_step_output(__burr_ret, __burr_ctx.action_name())
    };
    let kind = if is_async {
        quote!(AsyncStream)
    } else {
        quote!(Stream)
    };
    let body = if is_async {
        quote! {
            #core::stream::ActionStream::from_async_fn(__burr_ctx, move |__burr_emit: #core::stream::AsyncEmitter| async move {
                let __burr_ctx = &__burr_ctx_owned;
                let __burr_ret = #name(__burr_state, #(#call_args),*).await;
                #convert
            })
        }
    } else {
        quote! {
            #core::stream::ActionStream::from_fn(__burr_ctx, move |__burr_emit: &#core::stream::Emitter| {
                let __burr_ctx = &__burr_ctx_owned;
                let __burr_ret = #name(__burr_state, #(#call_args),*);
                #convert
            })
        }
    };
    let call = quote! {
        let __burr_started = (move || -> ::core::result::Result<#core::stream::ActionStream, #core::ActionError> {
            #(#lets)*
            let __burr_ctx_owned = ::core::clone::Clone::clone(__burr_ctx);
            ::core::result::Result::Ok(#body)
        })();
        match __burr_started {
            ::core::result::Result::Ok(__burr_events) => #core::action::Call::Stream(__burr_events),
            ::core::result::Result::Err(__burr_error) => {
                #core::action::Call::Ready(::core::result::Result::Err(__burr_error))
            }
        }
    };
    let action_impl = expand::impl_action(name, &declarations, &kind, &call);
    quote! {
        #original

        #action_struct

        #action_impl
    }
}
