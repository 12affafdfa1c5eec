//! `#[action(state = S, reads = [..], writes = [..])]`: the checks of a typed action (the
//! code is written by `action_expand.rs`).
//!
//! A typed action takes its reads as one `Reads` value (a struct with one field per declared
//! read, typed as in `S`) and returns a `Writes` value (one field per declared write, all
//! required). The macro checks what it can see in the body: a field of the `Reads` parameter
//! that is not a declared read, a field of a `Writes { .. }` literal that is not a declared
//! write, and a literal that leaves a declared write out. Fields that `S` does not have are
//! found by the compiler, at the key in `reads`/`writes`.

use proc_macro2::{Delimiter, Ident, Span, TokenStream, TokenTree};
use syn::ext::IdentExt;
use syn::{FnArg, Type};

use crate::attr::{ActionArgs, Errors, Key};
use crate::item::MaybeItemFn;
use crate::validate::{
    Param, ParamKind, backticked, check_duplicates, classify, generics_error, is_named, is_state,
    plain_ident,
};

/// A typed action, checked (with what the fallback needs when it was not fine).
pub(crate) struct TypedAction<'a> {
    pub(crate) item: &'a MaybeItemFn,
    pub(crate) state: &'a Type,
    /// The declared reads and writes (names), plus, after an error, the undeclared ones the
    /// body uses (so that the expansion type-checks and the user sees one error).
    pub(crate) reads: Vec<Key>,
    pub(crate) writes: Vec<Key>,
    /// Whether the function takes `Reads` first.
    pub(crate) takes_reads: bool,
    /// The parameters after `Reads`.
    pub(crate) params: Vec<Param>,
    /// Whether every parameter was understood (else the generated action does not call the
    /// function, whose error is already reported).
    pub(crate) callable: bool,
}

/// `#[action(state = ..)]` on `item`: the expansion, with the errors first when there are.
pub(crate) fn action(args: &ActionArgs, item: &MaybeItemFn, source: &str) -> TokenStream {
    if let Some(receiver) = item.sig.receiver() {
        // A method: nothing can be declared where it is.
        let mut out = syn::Error::new_spanned(
            receiver,
            "`#[action]` cannot be used on methods: an action is a free function",
        )
        .to_compile_error();
        out.extend(super::action_expand::method_stub(item));
        return out;
    }
    let mut errors = Errors::default();
    let action = check(args, item, &mut errors);
    let expanded = super::action_expand::expand(args, action, source);
    match errors.finish(()) {
        Ok(()) => expanded,
        Err(e) => {
            let mut out = e.to_compile_error();
            out.extend(expanded);
            out
        }
    }
}

fn check<'a>(args: &'a ActionArgs, item: &'a MaybeItemFn, errors: &mut Errors) -> TypedAction<'a> {
    let Some(state) = args.state.as_ref() else {
        unreachable!("a typed action has a state type");
    };
    let sig = &item.sig;
    let fn_name = sig.ident.unraw().to_string();
    for list in [&args.reads, &args.writes, &args.tags]
        .into_iter()
        .flatten()
    {
        check_duplicates(list, errors);
    }
    for key in args.reads().iter().chain(args.writes()) {
        if key.literal {
            errors.error(
                key.span,
                format!(
                    "a typed action names fields of its state struct: write `{}` without quotes",
                    key.name
                ),
            );
        }
    }
    let before = errors.count();
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        errors.push(generics_error(
            sig,
            "`#[action]` does not support generic functions: use concrete types",
        ));
    }
    if let syn::ReturnType::Default = sig.output {
        errors.error(
            sig.paren_token.span.close(),
            "a typed action returns what it writes: add `-> Writes` (or `-> (R, Writes)` with a \
             serializable result `R`, or a `Result` of either)",
        );
    }
    let mut takes_reads = false;
    let mut view = None;
    let mut params = Vec::new();
    for (i, arg) in sig.inputs.iter().enumerate() {
        let t = match arg {
            FnArg::Receiver(r) => {
                errors.spanned(
                    r,
                    "`#[action]` cannot be used on methods: an action is a free function",
                );
                continue;
            }
            FnArg::Typed(t) => t,
        };
        if is_named(&t.ty, "Reads") {
            if i > 0 {
                errors.spanned(
                    &t.ty,
                    "`Reads` must be the first parameter of a typed action",
                );
                continue;
            }
            takes_reads = true;
            match plain_ident(&t.pat) {
                Some(ident) => view = Some(ident),
                None => errors.spanned(
                    &t.pat,
                    "the `Reads` parameter must be a plain name, like `chat: Reads`",
                ),
            }
            continue;
        }
        if is_state(&t.ty) {
            errors.spanned(
                &t.ty,
                format!(
                    "a typed action takes its reads as `Reads`, not the map `State`: \
                     `fn {fn_name}(s: Reads, ..)`, then `s.field`"
                ),
            );
            continue;
        }
        let Some(ident) = plain_ident(&t.pat) else {
            errors.spanned(
                &t.pat,
                "an action's parameters must be plain names, since each name is the name of an \
                 input; destructure the value inside the body",
            );
            continue;
        };
        let name = ident.unraw().to_string();
        match classify(&t.ty, &name) {
            Ok(kind) => {
                if matches!(kind, ParamKind::Input { .. }) && name.starts_with("__") {
                    errors.error(
                        ident.span(),
                        format!(
                            "input `{name}` starts with `__`, which is reserved for injected \
                             values; rename it"
                        ),
                    );
                }
                params.push(Param {
                    span: syn::spanned::Spanned::span(&t.ty),
                    kind,
                });
            }
            Err(e) => errors.push(e),
        }
    }
    let callable = errors.count() == before;
    let mut scan = BodyScan {
        action: &fn_name,
        view: view.as_ref(),
        reads: args.reads().to_vec(),
        writes: args.writes().to_vec(),
        declared_reads: args.reads().len(),
        declared_writes: args.writes().len(),
        missing: Vec::new(),
        errors,
    };
    scan.scan(item.body_tokens());
    let BodyScan {
        reads,
        mut writes,
        missing,
        ..
    } = scan;
    writes.retain(|w| !missing.contains(&w.name));
    TypedAction {
        item,
        state,
        reads,
        writes,
        takes_reads,
        params,
        callable,
    }
}

/// Finds, in the body, fields of the `Reads` parameter and of `Writes { .. }` literals that
/// are not declared, and literals that leave a declared write out.
struct BodyScan<'a, 'e> {
    action: &'a str,
    view: Option<&'a Ident>,
    /// Declared reads, then the undeclared ones found.
    reads: Vec<Key>,
    writes: Vec<Key>,
    declared_reads: usize,
    declared_writes: usize,
    /// Declared writes some literal left out.
    missing: Vec<String>,
    errors: &'e mut Errors,
}

impl BodyScan<'_, '_> {
    fn scan(&mut self, tokens: TokenStream) {
        let tokens: Vec<TokenTree> = tokens.into_iter().collect();
        for (i, token) in tokens.iter().enumerate() {
            match token {
                TokenTree::Group(g) => self.scan(g.stream()),
                TokenTree::Ident(id) if is_path_start(&tokens, i) => {
                    if self.view.is_some_and(|v| id == v) {
                        self.field_access(&tokens, i);
                    } else if let Some(TokenTree::Group(g)) = tokens.get(i + 1)
                        && g.delimiter() == Delimiter::Brace
                    {
                        if id == "Writes" && !after_arrow(&tokens, i) {
                            self.writes_literal(id.span(), g.stream());
                        } else if id == "Reads" {
                            for field in struct_fields(g.stream()).0 {
                                self.check_read(&field);
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// `view.field` (not `view.method(..)`).
    fn field_access(&mut self, tokens: &[TokenTree], i: usize) {
        let (Some(TokenTree::Punct(dot)), Some(TokenTree::Ident(field))) =
            (tokens.get(i + 1), tokens.get(i + 2))
        else {
            return;
        };
        if dot.as_char() != '.' {
            return;
        }
        if let Some(TokenTree::Group(g)) = tokens.get(i + 3)
            && g.delimiter() == Delimiter::Parenthesis
        {
            return;
        }
        self.check_read(field);
    }

    /// Reports a read of `field` that is not declared.
    fn check_read(&mut self, field: &Ident) {
        let name = field.unraw().to_string();
        if self.reads.iter().any(|k| k.name == name) {
            return;
        }
        let declared = &self.reads[..self.declared_reads];
        let known = if declared.is_empty() {
            format!("`{}` declares no reads", self.action)
        } else {
            format!(
                "declared reads are {}",
                backticked(declared.iter().map(|k| k.name.as_str()))
            )
        };
        self.errors.error(
            field.span(),
            format!(
                "`{}` reads field `{name}`, which is not declared in `reads`; {known}",
                self.action
            ),
        );
        self.reads.push(Key {
            name,
            span: field.span(),
            literal: false,
        });
    }

    /// The fields set by `Writes { .. }`.
    fn writes_literal(&mut self, at: Span, body: TokenStream) {
        let (set, has_base) = struct_fields(body);
        for field in &set {
            let name = field.unraw().to_string();
            if self.writes.iter().any(|k| k.name == name) {
                continue;
            }
            let declared = &self.writes[..self.declared_writes];
            let known = if declared.is_empty() {
                format!("`{}` declares no writes", self.action)
            } else {
                format!(
                    "declared writes are {}",
                    backticked(declared.iter().map(|k| k.name.as_str()))
                )
            };
            self.errors.error(
                field.span(),
                format!(
                    "`{}` writes field `{name}`, which is not declared in `writes`; {known}",
                    self.action
                ),
            );
            self.writes.push(Key {
                name,
                span: field.span(),
                literal: false,
            });
        }
        if has_base {
            return;
        }
        let left_out: Vec<&str> = self.writes[..self.declared_writes]
            .iter()
            .map(|k| k.name.as_str())
            .filter(|w| !set.iter().any(|f| f.unraw() == w))
            .collect();
        if !left_out.is_empty() {
            let s = if left_out.len() == 1 { "" } else { "s" };
            self.errors.error(
                at,
                format!(
                    "`Writes` leaves out declared write{s} {}: `{}` must write every field in its \
                     `writes`",
                    backticked(left_out.iter().copied()),
                    self.action
                ),
            );
            for w in left_out {
                if !self.missing.iter().any(|m| m == w) {
                    self.missing.push(w.to_string());
                }
            }
        }
    }
}

/// The fields named in the braces of a struct literal or pattern, and whether it has a
/// `..` (a base, or the rest of a pattern). Parsed as Rust (so generics and expressions in
/// the values do not mislead it); tokens that are neither are read field by field.
fn struct_fields(body: TokenStream) -> (Vec<Ident>, bool) {
    let named = |member: &syn::Member| match member {
        syn::Member::Named(ident) => Some(ident.clone()),
        syn::Member::Unnamed(_) => None,
    };
    if let Ok(expr) = syn::parse2::<syn::ExprStruct>(quote::quote!(S { #body })) {
        let fields = expr
            .fields
            .iter()
            .filter_map(|f| named(&f.member))
            .collect();
        return (fields, expr.dot2_token.is_some());
    }
    if let Ok(syn::Pat::Struct(pat)) =
        syn::parse::Parser::parse2(syn::Pat::parse_single, quote::quote!(S { #body }))
    {
        let fields = pat.fields.iter().filter_map(|f| named(&f.member)).collect();
        return (fields, pat.rest.is_some());
    }
    struct_fields_by_tokens(body)
}

/// [`struct_fields`] for braces that do not parse: the identifiers that start each part
/// between commas.
fn struct_fields_by_tokens(body: TokenStream) -> (Vec<Ident>, bool) {
    let mut fields = Vec::new();
    let mut has_rest = false;
    let mut start = true;
    let tokens: Vec<TokenTree> = body.into_iter().collect();
    for (i, t) in tokens.iter().enumerate() {
        match t {
            TokenTree::Punct(p) if p.as_char() == ',' => start = true,
            TokenTree::Punct(p) if start && p.as_char() == '.' => {
                has_rest |=
                    matches!(tokens.get(i + 1), Some(TokenTree::Punct(q)) if q.as_char() == '.');
                start = false;
            }
            // `ref x` / `mut x` in a pattern.
            TokenTree::Ident(kw) if start && (kw == "ref" || kw == "mut") => {}
            TokenTree::Ident(field) if start => {
                fields.push(field.clone());
                start = false;
            }
            _ => start = false,
        }
    }
    (fields, has_rest)
}

/// Whether `tokens[i]` follows `->`: a return type (`|| -> Writes { .. }`), not a literal.
fn after_arrow(tokens: &[TokenTree], i: usize) -> bool {
    i >= 2
        && matches!(&tokens[i - 1], TokenTree::Punct(p) if p.as_char() == '>')
        && matches!(&tokens[i - 2], TokenTree::Punct(p) if p.as_char() == '-')
}

/// Whether `tokens[i]` starts a path or an expression (not `x.name` or `a::name`).
fn is_path_start(tokens: &[TokenTree], i: usize) -> bool {
    i == 0
        || !matches!(&tokens[i - 1], TokenTree::Punct(p) if p.as_char() == '.' || p.as_char() == ':')
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn errors_of(args: TokenStream, item: TokenStream) -> Vec<String> {
        let args: ActionArgs = syn::parse2(args).unwrap();
        let item: MaybeItemFn = syn::parse2(item).unwrap();
        let mut errors = Errors::default();
        let _ = check(&args, &item, &mut errors);
        match errors.finish(()) {
            Ok(()) => Vec::new(),
            Err(e) => e.into_iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn a_well_formed_action_has_no_error() {
        let e = errors_of(
            quote!(state = Chat, reads = [prompt, history], writes = [response]),
            quote! {
                fn respond(chat: Reads, ctx: &ActionContext, n: Option<u8>) -> Writes {
                    let _ = (chat.prompt.len(), chat.history.clone(), ctx, n);
                    Writes { response: String::new() }
                }
            },
        );
        assert!(e.is_empty(), "{e:#?}");
    }

    #[test]
    fn undeclared_fields_and_missing_writes_are_reported() {
        let e = errors_of(
            quote!(state = Chat, reads = [prompt], writes = [response, history]),
            quote! {
                fn respond(chat: Reads) -> Writes {
                    let _ = chat.turns;
                    Writes { response: chat.prompt, mode: 1 }
                }
            },
        );
        assert_eq!(e.len(), 3, "{e:#?}");
        assert!(
            e[0].contains("reads field `turns`") && e[0].contains("`prompt`"),
            "{e:#?}"
        );
        assert!(e[1].contains("writes field `mode`"), "{e:#?}");
        assert!(
            e[2].contains("leaves out declared write `history`"),
            "{e:#?}"
        );
    }

    #[test]
    fn a_base_covers_the_fields_left_out() {
        let e = errors_of(
            quote!(state = Chat, reads = [], writes = [a, b]),
            quote! {
                fn f(base: Option<u8>) -> Writes {
                    let _ = base;
                    Writes { a: 1, ..todo() }
                }
            },
        );
        assert!(e.is_empty(), "{e:#?}");
    }

    #[test]
    fn signature_mistakes_are_reported() {
        let e = errors_of(
            quote!(state = Chat, reads = ["prompt"], writes = []),
            quote! {
                fn f(n: u8, chat: Reads, s: State) {}
            },
        );
        assert_eq!(e.len(), 4, "{e:#?}");
        assert!(e[0].contains("without quotes"), "{e:#?}");
        assert!(e[1].contains("returns what it writes"), "{e:#?}");
        assert!(e[2].contains("must be the first parameter"), "{e:#?}");
        assert!(e[3].contains("not the map `State`"), "{e:#?}");
    }
}
