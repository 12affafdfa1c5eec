//! The type that names a field at the type level: `(C<'a'>, C<'b'>,)` for `ab`.

use proc_macro2::{Literal, Span, TokenStream};
use quote::quote_spanned;

/// The core crate's `typed` module, as generated code names it.
pub(crate) fn typed_path(span: Span) -> TokenStream {
    quote_spanned!(span=> ::burr::__private::burr_core::typed)
}

/// The type naming the field `name`, spanned at `span`.
pub(crate) fn name_type(name: &str, span: Span) -> TokenStream {
    let typed = typed_path(span);
    let chars = name.chars().map(|c| {
        let mut lit = Literal::character(c);
        lit.set_span(span);
        quote_spanned!(span=> #typed::C<#lit>)
    });
    quote_spanned!(span=> (#(#chars,)*))
}

/// `<#state as Field<N>>`, spanned at `span`: the field `name` of the typed state.
pub(crate) fn field(state: &syn::Type, name: &str, span: Span) -> TokenStream {
    let typed = typed_path(span);
    let n = name_type(name, span);
    quote_spanned!(span=> <#state as #typed::Field<#n>>)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_tuples_of_characters() {
        let t = name_type("ab", Span::call_site()).to_string();
        assert_eq!(
            t,
            "(:: burr :: __private :: burr_core :: typed :: C < 'a' > , :: burr :: __private :: burr_core :: typed :: C < 'b' > ,)"
        );
    }
}
