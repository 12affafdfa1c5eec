//! How generated code names a field of a typed state: by its index, which a typed action
//! finds at compile time with `index_of::<S>("name")`.

use proc_macro2::{Span, TokenStream};
use quote::quote_spanned;

/// The core crate's `typed` module, as generated code names it.
pub(crate) fn typed_path(span: Span) -> TokenStream {
    quote_spanned!(span=> ::burr::__private::burr_core::typed)
}

/// `const #index: usize = index_of::<#state>(name);`, spanned at `span`: the index of the
/// field `name` of the typed state, computed once, so that a name the state does not have
/// fails the build once, there, with the state's list of fields.
pub(crate) fn index_const(
    state: &syn::Type,
    name: &str,
    index: &syn::Ident,
    span: Span,
) -> TokenStream {
    let typed = typed_path(span);
    quote_spanned! {span=>
        #[allow(non_upper_case_globals)]
        #[doc(hidden)]
        const #index: usize = #typed::index_of::<#state>(#name);
    }
}

/// `<#state as Field<{ #index }>>`, spanned at `span`: the field whose index is the const
/// `#index`.
pub(crate) fn field(state: &syn::Type, index: &syn::Ident, span: Span) -> TokenStream {
    let typed = typed_path(span);
    quote_spanned!(span=> <#state as #typed::Field<{ #index }>>)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_found_by_index() {
        let ty: syn::Type = syn::parse_quote!(Chat);
        let index = syn::Ident::new("I", Span::call_site());
        let t = index_const(&ty, "history", &index, Span::call_site()).to_string();
        assert!(t.contains("index_of :: < Chat > (\"history\")"), "{t}");
    }
}
