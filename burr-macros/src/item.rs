//! The function an attribute is put on, parsed just enough: attributes, visibility and
//! signature are parsed, the body is kept as raw tokens.
//!
//! Keeping the body unparsed means a typo inside it stays an ordinary rustc error at the
//! right place instead of becoming a macro failure, and nothing in the body is rewritten.

use proc_macro2::{Delimiter, Span, TokenStream, TokenTree};
use quote::ToTokens;
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{Attribute, Signature, Visibility};

/// A function item whose body is kept as tokens.
pub(crate) struct MaybeItemFn {
    pub(crate) attrs: Vec<Attribute>,
    pub(crate) vis: Visibility,
    pub(crate) sig: Signature,
    /// The body, braces included.
    pub(crate) block: TokenStream,
    /// The span of the body's braces.
    pub(crate) block_span: Span,
}

impl MaybeItemFn {
    /// The body's tokens, braces excluded.
    pub(crate) fn body_tokens(&self) -> TokenStream {
        match self.block.clone().into_iter().next() {
            Some(TokenTree::Group(g)) => g.stream(),
            _ => TokenStream::new(),
        }
    }
}

impl Parse for MaybeItemFn {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis: Visibility = input.parse()?;
        let sig: Signature = input.parse()?;
        let block: TokenTree = input.parse()?;
        match &block {
            TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => {}
            other => {
                return Err(syn::Error::new(
                    other.span(),
                    "expected the function's body, `{ ... }`",
                ));
            }
        }
        if !input.is_empty() {
            return Err(input.error("unexpected tokens after the function's body"));
        }
        let block_span = block.span();
        Ok(MaybeItemFn {
            attrs,
            vis,
            sig,
            block: block.into_token_stream(),
            block_span,
        })
    }
}

impl ToTokens for MaybeItemFn {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        for attr in &self.attrs {
            attr.to_tokens(tokens);
        }
        self.vis.to_tokens(tokens);
        self.sig.to_tokens(tokens);
        self.block.to_tokens(tokens);
    }
}

/// What the attribute was put on, when it is not a function: the span of the item's keyword
/// (`struct`, `const`, ...) and a short description, for the error message.
pub(crate) fn describe_non_fn(item: &TokenStream) -> (Span, &'static str) {
    let Ok(item) = syn::parse2::<syn::Item>(item.clone()) else {
        return (first_span(item), "this item");
    };
    let (span, what) = match &item {
        syn::Item::Struct(i) => (i.struct_token.span, "a struct"),
        syn::Item::Enum(i) => (i.enum_token.span, "an enum"),
        syn::Item::Union(i) => (i.union_token.span, "a union"),
        syn::Item::Const(i) => (i.const_token.span, "a constant"),
        syn::Item::Static(i) => (i.static_token.span, "a static"),
        syn::Item::Type(i) => (i.type_token.span, "a type alias"),
        syn::Item::Trait(i) => (i.trait_token.span, "a trait"),
        syn::Item::Impl(i) => (i.impl_token.span, "an impl block"),
        syn::Item::Mod(i) => (i.mod_token.span, "a module"),
        syn::Item::Use(i) => (i.use_token.span, "a `use` declaration"),
        syn::Item::ExternCrate(i) => (i.extern_token.span, "an `extern crate`"),
        syn::Item::ForeignMod(i) => (i.abi.span(), "an `extern` block"),
        syn::Item::Macro(i) => (i.mac.path.span(), "a macro invocation"),
        _ => (first_span(&item.to_token_stream()), "this item"),
    };
    (span, what)
}

/// The source code of `item` as the user wrote it, when the compiler can tell (the tokens
/// come from a file); else the tokens printed back.
pub(crate) fn source_text(item: &TokenStream) -> String {
    if proc_macro::is_available()
        && let Some(text) = text_from_spans(item)
    {
        return text;
    }
    item.to_string()
}

/// Rebuilds the text from each top-level token's source text, with the whitespace between
/// them taken from their positions.
fn text_from_spans(item: &TokenStream) -> Option<String> {
    let mut out = String::new();
    let mut prev_end: Option<(usize, usize)> = None;
    for tree in item.clone() {
        let span = tree.span().unwrap();
        let (start, end) = (span.start(), span.end());
        let start = (start.line(), start.column());
        if let Some(prev) = prev_end {
            if start < prev {
                // A token that shares its text with the previous one (a doc comment is
                // `#` and `[doc = ...]`, both spanning the comment).
                continue;
            }
            if start.0 > prev.0 {
                // One line break, whatever the gap: the lines in between held the attribute
                // being expanded.
                out.push('\n');
                out.push_str(&" ".repeat(start.1.saturating_sub(1)));
            } else {
                out.push_str(&" ".repeat(start.1 - prev.1));
            }
        }
        out.push_str(&span.source_text()?);
        prev_end = Some((end.line(), end.column()));
    }
    Some(out)
}

fn first_span(tokens: &TokenStream) -> Span {
    tokens
        .clone()
        .into_iter()
        .next()
        .map_or_else(Span::call_site, |t| t.span())
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn body_stays_raw_tokens() {
        // The body does not parse as Rust; the item still does.
        let item: MaybeItemFn = syn::parse2(quote! {
            /// Docs.
            pub fn f(state: State) -> State { let x = ; state }
        })
        .unwrap();
        assert_eq!(item.sig.ident, "f");
        assert_eq!(item.attrs.len(), 1);
        assert!(item.body_tokens().to_string().contains("let x ="));
    }

    #[test]
    fn declaration_without_body_is_rejected() {
        let err = syn::parse2::<MaybeItemFn>(quote!(
            fn f(state: State) -> State;
        ))
        .err()
        .unwrap();
        assert!(err.to_string().contains("body"), "{err}");
    }

    #[test]
    fn non_fn_items_are_described() {
        assert_eq!(
            describe_non_fn(&quote!(
                struct S;
            ))
            .1,
            "a struct"
        );
        assert_eq!(
            describe_non_fn(&quote!(
                const X: u8 = 1;
            ))
            .1,
            "a constant"
        );
        assert_eq!(describe_non_fn(&quote!(impl S {})).1, "an impl block");
    }
}
