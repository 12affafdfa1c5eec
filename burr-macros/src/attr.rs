//! Parsing of the attributes' arguments: `#[action(reads = [...], writes = [...])]` and
//! `#[trace(capture_inputs = true, ...)]`.
//!
//! Simple checks happen here (the kind of each value, a key given twice); checks that need
//! the function as well live in `validate.rs`. Every argument error is collected, so a user
//! with three mistakes sees three errors in one build.

use proc_macro2::{Span, TokenTree};
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::{Ident, LitBool, LitStr, Token, bracketed};

/// The argument names, as custom keywords (so that syn lists the legal ones in its errors).
pub(crate) mod kw {
    syn::custom_keyword!(reads);
    syn::custom_keyword!(writes);
    syn::custom_keyword!(tags);
    syn::custom_keyword!(state);
    syn::custom_keyword!(capture_inputs);
    syn::custom_keyword!(capture_outputs);
    syn::custom_keyword!(input_filterlist);
    syn::custom_keyword!(span_name);
}

/// Collects errors, combining them into one `syn::Error` (serde's `Ctxt`).
#[derive(Default)]
pub(crate) struct Errors(Option<syn::Error>);

impl Errors {
    /// Adds an error.
    pub(crate) fn push(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(error),
            None => self.0 = Some(error),
        }
    }

    /// How many errors were collected.
    pub(crate) fn count(&self) -> usize {
        self.0.as_ref().map_or(0, |e| e.clone().into_iter().count())
    }

    /// Adds an error at `span`.
    pub(crate) fn error(&mut self, span: Span, message: impl std::fmt::Display) {
        self.push(syn::Error::new(span, message));
    }

    /// Adds an error spanning all of `tokens`.
    pub(crate) fn spanned(
        &mut self,
        tokens: impl quote::ToTokens,
        message: impl std::fmt::Display,
    ) {
        self.push(syn::Error::new_spanned(tokens, message));
    }

    /// `Ok(value)` when no error was collected.
    pub(crate) fn finish<T>(self, value: T) -> syn::Result<T> {
        match self.0 {
            Some(e) => Err(e),
            None => Ok(value),
        }
    }
}

/// One state key (or parameter name) as written by the user: `count` or `"count"`.
#[derive(Debug, Clone)]
pub(crate) struct Key {
    /// The key.
    pub(crate) name: String,
    /// Where it was written.
    pub(crate) span: Span,
    /// Whether it was written as a string literal.
    pub(crate) literal: bool,
}

impl Parse for Key {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let lookahead = input.lookahead1();
        if lookahead.peek(LitStr) {
            let lit: LitStr = input.parse()?;
            let name = lit.value();
            if name.is_empty() {
                return Err(syn::Error::new(
                    lit.span(),
                    "a key cannot be an empty string",
                ));
            }
            Ok(Key {
                name,
                span: lit.span(),
                literal: true,
            })
        } else if lookahead.peek(Ident::peek_any) {
            let ident = input.call(Ident::parse_any)?;
            Ok(Key {
                name: ident.unraw().to_string(),
                span: ident.span(),
                literal: false,
            })
        } else {
            Err(syn::Error::new(
                input.span(),
                "expected a key: an identifier or a string literal, like `count` or `\"chat history\"`",
            ))
        }
    }
}

/// A bracketed list of keys: `[count, "chat history"]`.
#[derive(Debug, Clone)]
pub(crate) struct KeyList {
    /// The argument's name (`reads`).
    pub(crate) arg: String,
    /// Where the argument's name was written (`reads`).
    pub(crate) arg_span: Span,
    /// The keys, in order (duplicates are reported by `validate.rs`).
    pub(crate) keys: Vec<Key>,
}

impl KeyList {
    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        self.keys.iter().map(|k| k.name.as_str())
    }

    /// Parses the list after `name =`; every bad key is reported, not only the first.
    fn parse_value(input: ParseStream<'_>, name: &str, arg_span: Span) -> syn::Result<Self> {
        if !input.peek(syn::token::Bracket) {
            let span = input
                .cursor()
                .token_tree()
                .map_or(input.span(), |(t, _)| t.span());
            return Err(syn::Error::new(
                span,
                format!(
                    "`{name}` takes a list of keys in brackets, like `{name} = [count, \"chat history\"]`"
                ),
            ));
        }
        let content;
        bracketed!(content in input);
        let mut keys = Vec::new();
        let mut errors = Errors::default();
        while !content.is_empty() {
            match content.parse::<Key>() {
                Ok(key) => keys.push(key),
                Err(e) => {
                    errors.push(e);
                    skip_to_comma(&content)?;
                }
            }
            if content.is_empty() {
                break;
            }
            if !content.peek(Token![,]) {
                errors.error(content.span(), "expected `,` between keys");
                skip_to_comma(&content)?;
            }
            if content.peek(Token![,]) {
                content.parse::<Token![,]>()?;
            }
        }
        errors.finish(KeyList {
            arg: name.to_string(),
            arg_span,
            keys,
        })
    }
}

/// The arguments of `#[action(...)]`.
#[derive(Default)]
pub(crate) struct ActionArgs {
    pub(crate) reads: Option<KeyList>,
    pub(crate) writes: Option<KeyList>,
    pub(crate) tags: Option<KeyList>,
    /// The typed state the action's `reads` and `writes` name fields of.
    pub(crate) state: Option<syn::Type>,
}

impl std::fmt::Debug for ActionArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ActionArgs")
            .field("reads", &self.reads)
            .field("writes", &self.writes)
            .field("tags", &self.tags)
            .field(
                "state",
                &self
                    .state
                    .as_ref()
                    .map(|t| quote::ToTokens::to_token_stream(t).to_string()),
            )
            .finish()
    }
}

impl ActionArgs {
    /// The declared reads (none when `reads` was not given).
    pub(crate) fn reads(&self) -> &[Key] {
        self.reads.as_ref().map_or(&[], |l| &l.keys)
    }

    /// The declared writes.
    pub(crate) fn writes(&self) -> &[Key] {
        self.writes.as_ref().map_or(&[], |l| &l.keys)
    }

    /// The declared tags.
    pub(crate) fn tags(&self) -> &[Key] {
        self.tags.as_ref().map_or(&[], |l| &l.keys)
    }
}

impl Parse for ActionArgs {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let mut args = ActionArgs::default();
        let mut errors = Errors::default();
        parse_arguments(input, &mut errors, |input, errors| {
            let lookahead = input.lookahead1();
            if lookahead.peek(kw::reads) {
                let parsed = parse_assignment::<kw::reads, _>(input, KeyList::parse_value);
                set_once(&mut args.reads, parsed?, errors);
            } else if lookahead.peek(kw::writes) {
                let parsed = parse_assignment::<kw::writes, _>(input, KeyList::parse_value);
                set_once(&mut args.writes, parsed?, errors);
            } else if lookahead.peek(kw::tags) {
                let parsed = parse_assignment::<kw::tags, _>(input, KeyList::parse_value);
                set_once(&mut args.tags, parsed?, errors);
            } else if lookahead.peek(kw::state) {
                let parsed = parse_assignment::<kw::state, _>(input, parse_state_type);
                set_once(&mut args.state, parsed?, errors);
            } else {
                return Err(lookahead.error());
            }
            Ok(())
        })?;
        errors.finish(args)
    }
}

/// The arguments of `#[trace(...)]`.
#[derive(Default)]
pub(crate) struct TraceArgs {
    pub(crate) capture_inputs: Option<LitBool>,
    pub(crate) capture_outputs: Option<LitBool>,
    pub(crate) input_filterlist: Option<KeyList>,
    pub(crate) span_name: Option<LitStr>,
}

impl TraceArgs {
    /// Whether the inputs are logged (default `true`).
    pub(crate) fn capture_inputs(&self) -> bool {
        self.capture_inputs.as_ref().is_none_or(LitBool::value)
    }

    /// Whether the return value is logged (default `true`).
    pub(crate) fn capture_outputs(&self) -> bool {
        self.capture_outputs.as_ref().is_none_or(LitBool::value)
    }
}

impl Parse for TraceArgs {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let mut args = TraceArgs::default();
        let mut errors = Errors::default();
        parse_arguments(input, &mut errors, |input, errors| {
            let lookahead = input.lookahead1();
            if lookahead.peek(kw::capture_inputs) {
                let parsed = parse_assignment::<kw::capture_inputs, _>(input, parse_bool);
                set_once(&mut args.capture_inputs, parsed?, errors);
            } else if lookahead.peek(kw::capture_outputs) {
                let parsed = parse_assignment::<kw::capture_outputs, _>(input, parse_bool);
                set_once(&mut args.capture_outputs, parsed?, errors);
            } else if lookahead.peek(kw::input_filterlist) {
                let parsed =
                    parse_assignment::<kw::input_filterlist, _>(input, KeyList::parse_value);
                set_once(&mut args.input_filterlist, parsed?, errors);
            } else if lookahead.peek(kw::span_name) {
                let parsed = parse_assignment::<kw::span_name, _>(input, parse_span_name);
                set_once(&mut args.span_name, parsed?, errors);
            } else {
                return Err(lookahead.error());
            }
            Ok(())
        })?;
        errors.finish(args)
    }
}

fn parse_state_type(input: ParseStream<'_>, name: &str, _: Span) -> syn::Result<syn::Type> {
    let span = input
        .cursor()
        .token_tree()
        .map_or(input.span(), |(t, _)| t.span());
    input.parse::<syn::Type>().map_err(|_| {
        syn::Error::new(
            span,
            format!(
                "`{name}` takes the type of a struct deriving `TypedState`, like `{name} = ChatState`"
            ),
        )
    })
}

fn parse_bool(input: ParseStream<'_>, name: &str, _: Span) -> syn::Result<LitBool> {
    if input.peek(LitBool) {
        return input.parse();
    }
    let span = input
        .cursor()
        .token_tree()
        .map_or(input.span(), |(t, _)| t.span());
    Err(syn::Error::new(
        span,
        format!("`{name}` takes `true` or `false`"),
    ))
}

fn parse_span_name(input: ParseStream<'_>, name: &str, _: Span) -> syn::Result<LitStr> {
    if input.peek(LitStr) {
        let lit: LitStr = input.parse()?;
        if lit.value().is_empty() {
            return Err(syn::Error::new(lit.span(), "`span_name` cannot be empty"));
        }
        return Ok(lit);
    }
    let span = input
        .cursor()
        .token_tree()
        .map_or(input.span(), |(t, _)| t.span());
    Err(syn::Error::new(
        span,
        format!("`{name}` takes a string literal, like `{name} = \"retrieve\"`"),
    ))
}

/// A parsed `name = value` argument: the span of its name and its value.
pub(crate) struct Assignment<T> {
    pub(crate) name: String,
    pub(crate) span: Span,
    pub(crate) value: T,
}

/// Parses `name = value`, where `name` is the custom keyword `K`.
pub(crate) fn parse_assignment<K, T>(
    input: ParseStream<'_>,
    parse_value: fn(ParseStream<'_>, &str, Span) -> syn::Result<T>,
) -> syn::Result<Assignment<T>>
where
    K: Parse,
{
    let span = input.span();
    let name = input.fork().call(Ident::parse_any)?.to_string();
    input.parse::<K>()?;
    input.parse::<Token![=]>()?;
    let value = parse_value(input, &name, span)?;
    Ok(Assignment { name, span, value })
}

/// Stores a parsed argument, rejecting a second occurrence (the error points at it).
pub(crate) fn set_once<T>(slot: &mut Option<T>, parsed: Assignment<T>, errors: &mut Errors) {
    let Assignment { name, span, value } = parsed;
    if slot.is_some() {
        errors.error(
            span,
            format!("`{name}` is given more than once; give it once"),
        );
    } else {
        *slot = Some(value);
    }
}

/// Runs `parse_one` on each comma-separated argument. A failing argument is reported and
/// skipped up to the next comma, so that the following ones are still checked.
pub(crate) fn parse_arguments(
    input: ParseStream<'_>,
    errors: &mut Errors,
    mut parse_one: impl FnMut(ParseStream<'_>, &mut Errors) -> syn::Result<()>,
) -> syn::Result<()> {
    while !input.is_empty() {
        if let Err(e) = parse_one(input, errors) {
            errors.push(e);
            skip_to_comma(input)?;
        } else if !input.is_empty() && !input.peek(Token![,]) {
            // The value parsed but more tokens follow it.
            let span = input.span();
            errors.error(span, "expected `,` between arguments");
            skip_to_comma(input)?;
        }
        if input.peek(Token![,]) {
            input.parse::<Token![,]>()?;
        }
    }
    Ok(())
}

/// Skips token trees up to (not including) the next top-level comma.
fn skip_to_comma(input: ParseStream<'_>) -> syn::Result<()> {
    input.step(|cursor| {
        let mut rest = *cursor;
        while let Some((tt, next)) = rest.token_tree() {
            if let TokenTree::Punct(p) = &tt
                && p.as_char() == ','
            {
                break;
            }
            rest = next;
        }
        Ok(((), rest))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn action(tokens: proc_macro2::TokenStream) -> syn::Result<ActionArgs> {
        syn::parse2(tokens)
    }

    fn trace(tokens: proc_macro2::TokenStream) -> syn::Result<TraceArgs> {
        syn::parse2(tokens)
    }

    fn messages(e: syn::Error) -> Vec<String> {
        e.into_iter().map(|e| e.to_string()).collect()
    }

    #[test]
    fn idents_and_strings_are_keys() {
        let a = action(quote!(
            reads = [count, "chat history", r#type],
            writes = ["count"]
        ))
        .unwrap();
        let reads: Vec<_> = a.reads.as_ref().unwrap().names().collect();
        assert_eq!(reads, ["count", "chat history", "type"]);
        assert_eq!(a.writes().len(), 1);
        assert!(a.tags.is_none());
    }

    #[test]
    fn empty_arguments_and_trailing_commas() {
        let a = action(quote!()).unwrap();
        assert!(a.reads.is_none() && a.writes.is_none());
        let a = action(quote!(reads = [a, b,], tags = [],)).unwrap();
        assert_eq!(a.reads().len(), 2);
        assert!(a.tags().is_empty());
    }

    #[test]
    fn unknown_argument_lists_the_legal_ones() {
        let e = action(quote!(read = [count])).unwrap_err().to_string();
        assert!(
            e.contains("`reads`") && e.contains("`writes`") && e.contains("`tags`"),
            "{e}"
        );
    }

    #[test]
    fn duplicate_argument_is_an_error() {
        let e = action(quote!(reads = [a], reads = [b])).unwrap_err();
        assert_eq!(
            messages(e),
            ["`reads` is given more than once; give it once"]
        );
    }

    #[test]
    fn every_error_is_reported() {
        let e = action(quote!(
            reads = count,
            bogus = 1,
            writes = [1, a, 2.0],
            tags = [x],
            tags = []
        ))
        .unwrap_err();
        let m = messages(e);
        assert_eq!(m.len(), 5, "{m:#?}");
        assert!(m[0].contains("`reads` takes a list"), "{m:#?}");
        assert!(m[1].starts_with("expected one of"), "{m:#?}");
        assert!(m[2].starts_with("expected a key"), "{m:#?}");
        assert!(m[3].starts_with("expected a key"), "{m:#?}");
        assert!(m[4].contains("`tags` is given more than once"), "{m:#?}");
    }

    #[test]
    fn empty_key_is_rejected() {
        let e = action(quote!(writes = [""])).unwrap_err().to_string();
        assert!(e.contains("empty"), "{e}");
    }

    #[test]
    fn missing_comma_between_arguments() {
        let e = action(quote!(reads = [a] writes = [b]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("expected `,`"), "{e}");
    }

    #[test]
    fn trace_defaults() {
        let t = trace(quote!()).unwrap();
        assert!(t.capture_inputs() && t.capture_outputs());
        assert!(t.input_filterlist.is_none() && t.span_name.is_none());
    }

    #[test]
    fn trace_all_options() {
        let t = trace(quote!(
            capture_inputs = true,
            capture_outputs = false,
            input_filterlist = ["password", token],
            span_name = "login"
        ))
        .unwrap();
        assert!(t.capture_inputs() && !t.capture_outputs());
        let names: Vec<_> = t.input_filterlist.as_ref().unwrap().names().collect();
        assert_eq!(names, ["password", "token"]);
        assert_eq!(t.span_name.unwrap().value(), "login");
    }

    #[test]
    fn trace_value_kinds() {
        let e = trace(quote!(capture_inputs = "yes"))
            .err()
            .unwrap()
            .to_string();
        assert_eq!(e, "`capture_inputs` takes `true` or `false`");
        let e = trace(quote!(span_name = x)).err().unwrap().to_string();
        assert!(e.contains("string literal"), "{e}");
        let e = trace(quote!(span_name = "")).err().unwrap().to_string();
        assert!(e.contains("empty"), "{e}");
        let e = trace(quote!(capture_outputs = false, capture_outputs = true))
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("more than once"), "{e}");
        let e = trace(quote!(capture = true)).err().unwrap().to_string();
        assert!(
            e.contains("`capture_inputs`") && e.contains("`span_name`"),
            "{e}"
        );
    }
}
