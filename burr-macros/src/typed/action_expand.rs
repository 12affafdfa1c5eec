//! Code generation for typed actions: the `Reads` and `Writes` structs, the function with
//! those names in its signature, and the `Action` impl that reads the fields, calls the
//! function and applies its writes.

use proc_macro2::{Group, Ident, Span, TokenStream, TokenTree};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;

use super::action::TypedAction;
use super::names::{field, index_const, typed_path};
use crate::attr::{ActionArgs, Key};
use crate::expand::{CallArgs, action_struct, call_args, describe, impl_action};
use crate::item::MaybeItemFn;
use crate::validate::ActionFn;

pub(crate) fn expand(args: &ActionArgs, a: TypedAction<'_>, source: &str) -> TokenStream {
    let core = quote!(::burr::__private::burr_core);
    let typed = typed_path(Span::call_site());
    let item = a.item;
    let state = a.state;
    let name = &item.sig.ident;
    let vis = &item.vis;
    let base = name.unraw().to_string();
    let reads_ty = format_ident!("__burr_{}_Reads", base);
    let writes_ty = format_ident!("__burr_{}_Writes", base);

    // One index const per field named, at its first mention.
    let mut consts = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for k in a.reads.iter().chain(&a.writes) {
        if !seen.contains(&k.name.as_str()) {
            seen.push(&k.name);
            consts.push(index_const(
                state,
                &k.name,
                &index_ident(&base, &k.name),
                k.span,
            ));
        }
    }
    let field_of = |k: &Key| field(state, &index_ident(&base, &k.name), k.span);
    let struct_fields = |keys: &[Key]| -> Vec<TokenStream> {
        keys.iter()
            .map(|k| {
                let f = field_ident(k);
                let ty = field_of(k);
                quote_spanned!(k.span=> pub #f: #ty::Type)
            })
            .collect()
    };
    let read_fields = struct_fields(&a.reads);
    let write_fields = struct_fields(&a.writes);
    let apply = a.writes.iter().map(|k| {
        let f = field_ident(k);
        let ty = field_of(k);
        quote! { let __burr_state = #ty::write(&__burr_state, self.#f)?; }
    });
    let read_values = a.reads.iter().map(|k| {
        let f = field_ident(k);
        let ty = field_of(k);
        quote! {
            #f: match #ty::read(&__burr_state) {
                ::core::result::Result::Ok(value) => value,
                ::core::result::Result::Err(e) => {
                    return ::core::result::Result::Err(#core::ActionError::from(e));
                }
            }
        }
    });
    let keys = |keys: &[Key]| -> Vec<TokenStream> {
        keys.iter()
            .map(|k| {
                let ty = field_of(k);
                quote!(::std::string::String::from(#ty::KEY))
            })
            .collect()
    };
    let reads = keys(&a.reads);
    let writes = keys(&a.writes);
    let tags = args.tags().iter().map(|k| {
        let n = &k.name;
        quote!(::std::string::String::from(#n))
    });

    let item_fn = rewritten(item, a.takes_reads, &reads_ty, &writes_ty);
    let f = ActionFn {
        item,
        params: a.params,
    };
    let CallArgs {
        input_specs,
        lets,
        args: call_args,
    } = call_args(&f);
    let tags: Vec<_> = tags.collect();
    let declarations = describe(&reads, &writes, &tags, &input_specs, source, &base);
    let reads_arg = a.takes_reads.then(|| quote!(__burr_reads,));
    let ret_span = match &item.sig.output {
        syn::ReturnType::Type(_, ty) => ty.span(),
        syn::ReturnType::Default => item.sig.ident.span(),
    };
    let convert = quote_spanned! {ret_span=>
        #typed::TypedOutput::into_typed_output(__burr_ret, __burr_state, __burr_ctx.action_name())
    };
    let result_ty = quote!(::core::result::Result<#core::StepOutput, #core::ActionError>);
    // Without a `Reads` parameter nothing is read (the declared reads are still checked).
    let read_all = a
        .takes_reads
        .then(|| quote!(let __burr_reads = #reads_ty { #(#read_values,)* };));
    let body = quote! {
        #(#lets)*
        #read_all
    };
    let (kind, call) = if !a.callable {
        // The signature was refused: the error is already there.
        (
            quote!(Sync),
            quote! {
                #core::action::Call::Ready(::core::result::Result::Err(
                    #core::ActionError::msg("this action did not compile"),
                ))
            },
        )
    } else if item.sig.asyncness.is_some() {
        (
            quote!(Async),
            quote! {
                #core::action::Call::Future(::std::boxed::Box::pin(async move {
                    #body
                    let __burr_ret = #name(#reads_arg #(#call_args),*).await;
                    #convert
                }))
            },
        )
    } else {
        (
            quote!(Sync),
            quote! {
                #core::action::Call::Ready((move || -> #result_ty {
                    #body
                    let __burr_ret = #name(#reads_arg #(#call_args),*);
                    #convert
                })())
            },
        )
    };
    let action_impl = impl_action(name, &declarations, &kind, &call);
    let action_struct = action_struct(item);
    // With no field named, nothing else checks that the state is a typed state.
    let is_typed = consts.is_empty().then(|| {
        quote_spanned! {state.span()=>
            const _: fn() = || {
                fn __burr_typed_state<T: #core::TypedState>() {}
                __burr_typed_state::<#state>();
            };
        }
    });
    quote! {
        #is_typed
        #(#consts)*

        /// What the action reads: one field per declared read.
        #[allow(non_camel_case_types, dead_code)]
        #[doc(hidden)]
        #vis struct #reads_ty { #(#read_fields,)* }

        /// What the action writes: one field per declared write, each one required.
        #[allow(non_camel_case_types, dead_code)]
        #[doc(hidden)]
        #vis struct #writes_ty { #(#write_fields,)* }

        impl #typed::Writes for #writes_ty {
            fn apply(
                self,
                __burr_state: #core::State,
            ) -> ::core::result::Result<#core::State, #core::TypedStateError> {
                #(#apply)*
                ::core::result::Result::Ok(__burr_state)
            }
        }

        impl #typed::TypedOutput for #writes_ty {
            fn into_typed_output(
                self,
                __burr_state: #core::State,
                __burr_action: &str,
            ) -> #result_ty {
                #typed::apply_writes(self, __burr_state, __burr_action)
            }
        }

        #item_fn

        #action_struct

        #action_impl
    }
}

/// A method the attribute was put on, emitted so that its callers still resolve: `Reads` and
/// `Writes` (which cannot be declared in an `impl` block) become `()`, and the body, which
/// uses them, is left out.
pub(crate) fn method_stub(item: &MaybeItemFn) -> TokenStream {
    let sig = to_unit(item.sig.to_token_stream());
    let attrs = &item.attrs;
    let vis = &item.vis;
    quote! {
        #(#attrs)*
        #[allow(unused_variables)]
        #vis #sig {
            ::core::panic!("this action did not compile")
        }
    }
}

/// `tokens` with the identifiers `Reads` and `Writes` replaced by `()`.
fn to_unit(tokens: TokenStream) -> TokenStream {
    tokens
        .into_iter()
        .map(|t| match t {
            TokenTree::Ident(i) if i == "Reads" || i == "Writes" => {
                let mut unit = Group::new(proc_macro2::Delimiter::Parenthesis, TokenStream::new());
                unit.set_span(i.span());
                TokenTree::Group(unit)
            }
            TokenTree::Group(g) => {
                let mut ng = Group::new(g.delimiter(), to_unit(g.stream()));
                ng.set_span(g.span());
                TokenTree::Group(ng)
            }
            other => other,
        })
        .collect()
}

/// The const holding the index of field `name` for the action `base`: the lengths keep two
/// (action, field) pairs from giving one name (`load` + `field_x`, `load_field` + `x`).
fn index_ident(base: &str, name: &str) -> Ident {
    let (base, name) = (base.trim_start_matches("r#"), name.trim_start_matches("r#"));
    format_ident!(
        "__burr_{}_{}_field_{}_{}",
        base.len(),
        base,
        name.len(),
        name
    )
}

/// The identifier of a field named `key` (raw when it is a keyword).
fn field_ident(key: &Key) -> Ident {
    match syn::parse_str::<Ident>(&key.name) {
        Ok(mut ident) => {
            ident.set_span(key.span);
            ident
        }
        Err(_) => Ident::new_raw(&key.name, key.span),
    }
}

/// The user's function with `Reads` and `Writes` in its signature naming the generated
/// structs, and both names in scope in its body.
fn rewritten(item: &MaybeItemFn, takes_reads: bool, reads: &Ident, writes: &Ident) -> TokenStream {
    let mut sig = item.sig.clone();
    if takes_reads && let Some(syn::FnArg::Typed(first)) = sig.inputs.first_mut() {
        let span = first.ty.span();
        *first.ty = syn::parse_quote_spanned!(span=> #reads);
    }
    if let syn::ReturnType::Type(_, ty) = &mut sig.output {
        let tokens = replace_ident(ty.to_token_stream(), "Writes", writes);
        if let Ok(parsed) = syn::parse2::<syn::Type>(tokens) {
            **ty = parsed;
        }
    }
    let aliases = quote! {
        #[allow(dead_code, unused)]
        type Reads = #reads;
        #[allow(dead_code, unused)]
        type Writes = #writes;
    };
    let body = with_prelude(&item.block, aliases);
    let attrs = &item.attrs;
    let vis = &item.vis;
    quote! {
        #(#attrs)*
        #vis #sig #body
    }
}

/// `ident` replaced by `with` wherever it starts a path.
fn replace_ident(tokens: TokenStream, ident: &str, with: &Ident) -> TokenStream {
    let mut prev_colon = false;
    tokens
        .into_iter()
        .map(|t| {
            let out = match &t {
                TokenTree::Ident(i) if i == ident && !prev_colon => {
                    let mut w = with.clone();
                    w.set_span(i.span());
                    TokenTree::Ident(w)
                }
                TokenTree::Group(g) => {
                    let mut ng = Group::new(g.delimiter(), replace_ident(g.stream(), ident, with));
                    ng.set_span(g.span());
                    TokenTree::Group(ng)
                }
                other => other.clone(),
            };
            prev_colon = matches!(&t, TokenTree::Punct(p) if p.as_char() == ':');
            out
        })
        .collect()
}

/// The body `{ .. }` with `prelude` inserted at its start (after its inner attributes).
fn with_prelude(block: &TokenStream, prelude: TokenStream) -> TokenStream {
    let Some(TokenTree::Group(g)) = block.clone().into_iter().next() else {
        return block.clone();
    };
    let tokens: Vec<TokenTree> = g.stream().into_iter().collect();
    // Inner attributes: `#` `!` `[..]`.
    let mut split = 0;
    while let (Some(TokenTree::Punct(h)), Some(TokenTree::Punct(b)), Some(TokenTree::Group(_))) = (
        tokens.get(split),
        tokens.get(split + 1),
        tokens.get(split + 2),
    ) {
        if h.as_char() == '#' && b.as_char() == '!' {
            split += 3;
        } else {
            break;
        }
    }
    let (inner, rest) = tokens.split_at(split);
    let mut stream = TokenStream::new();
    stream.extend(inner.iter().cloned());
    stream.extend(prelude);
    stream.extend(rest.iter().cloned());
    let mut out = Group::new(g.delimiter(), stream);
    out.set_span(g.span());
    TokenTree::Group(out).into_token_stream()
}
