//! Checks that need both the arguments and the function: the shape of an action's
//! signature, repeated keys, state keys used in the body but not declared, and `#[trace]`'s
//! filter list against the parameters. `expand.rs` may assume what these return is valid.

use proc_macro2::{Delimiter, Span, TokenStream, TokenTree};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{FnArg, GenericArgument, Ident, Pat, PathArguments, Type};

use crate::attr::{ActionArgs, Errors, Key, KeyList, TraceArgs};
use crate::item::MaybeItemFn;

/// State methods whose first argument is a key that is read.
const READ_METHODS: &[&str] = &["get", "get_opt", "get_or", "get_value", "contains"];
/// State methods whose first argument is a key that is written; they return a state (or a
/// `Result` of one), so a chain of them stays on the state.
const WRITE_METHODS: &[&str] = &[
    "update",
    "append",
    "extend",
    "increment",
    "try_update",
    "try_append",
];

/// An action function that passed every check.
pub(crate) struct ActionFn<'a> {
    pub(crate) item: &'a MaybeItemFn,
    /// The parameters after the state, in order.
    pub(crate) params: Vec<Param>,
}

/// One parameter after the state.
pub(crate) struct Param {
    /// Its type's span (generated code that uses it points there).
    pub(crate) span: Span,
    pub(crate) kind: ParamKind,
}

/// What the runtime passes for a parameter.
pub(crate) enum ParamKind {
    /// A runtime input named `name`, deserialized as `ty`: required, or optional when the
    /// parameter is an `Option<T>` (then `ty` is `T`).
    Input {
        name: String,
        ty: Box<Type>,
        optional: bool,
    },
    /// The step's tracer, by reference or cloned.
    Tracer { by_ref: bool },
    /// The step's context, by reference or cloned.
    Context { by_ref: bool },
}

/// Checks an `#[action]` function against its arguments; with `None` (the arguments did
/// not parse), checks the signature alone.
pub(crate) fn action<'a>(
    args: Option<&ActionArgs>,
    item: &'a MaybeItemFn,
) -> syn::Result<ActionFn<'a>> {
    let mut errors = Errors::default();
    let sig = &item.sig;
    let fn_name = sig.ident.unraw().to_string();

    if let Some(ty) = args.and_then(|a| a.state.as_ref()) {
        errors.spanned(
            ty,
            "`state = ..` (a typed state) is supported by `#[action]` only; a streaming action \
             takes the map `State`",
        );
    }
    if let Some(args) = args {
        for list in [&args.reads, &args.writes, &args.tags]
            .into_iter()
            .flatten()
        {
            check_duplicates(list, &mut errors);
        }
        check_reserved(args, &mut errors);
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        errors.push(generics_error(
            sig,
            "`#[action]` does not support generic functions: each input is deserialized into \
             the concrete type of its parameter; use concrete types",
        ));
    }
    if let syn::ReturnType::Default = sig.output {
        errors.error(
            sig.paren_token.span.close(),
            "an action returns the new state: add `-> State`, `-> (R, State)` with a \
             serializable result `R`, or a `Result` of either",
        );
    }

    let mut params = Vec::new();
    let mut state_ident = None;
    let mut inputs = sig.inputs.iter();
    match inputs.next() {
        None => errors.error(
            sig.paren_token.span.join(),
            format!(
                "an action takes the state as its first parameter, like `fn {fn_name}(state: State)`"
            ),
        ),
        Some(FnArg::Receiver(r)) => errors.spanned(
            r,
            "`#[action]` cannot be used on methods: an action is a free function whose first \
             parameter is the state",
        ),
        Some(FnArg::Typed(first)) => {
            if is_state(&first.ty) {
                match plain_ident(&first.pat) {
                    Some(ident) => state_ident = Some(ident),
                    None => errors.spanned(
                        &first.pat,
                        "the state parameter must be a plain name, like `state: State`",
                    ),
                }
            } else {
                let later = sig.inputs.iter().skip(1).any(|a| match a {
                    FnArg::Typed(t) => is_state(&t.ty),
                    FnArg::Receiver(_) => false,
                });
                let message = if later {
                    "the state must be the first parameter of an action".to_string()
                } else {
                    format!(
                        "the first parameter of an action is the state, of type `State`, like \
                         `fn {fn_name}(state: State)`"
                    )
                };
                errors.spanned(&first.ty, message);
            }
        }
    }
    for arg in inputs {
        match arg {
            FnArg::Receiver(r) => errors.spanned(r, "`self` must be the first parameter"),
            FnArg::Typed(t) => {
                let Some(ident) = plain_ident(&t.pat) else {
                    errors.spanned(
                        &t.pat,
                        "an action's parameters must be plain names, since each name is the \
                         name of an input; destructure the value inside the body",
                    );
                    continue;
                };
                let name = ident.unraw().to_string();
                match classify(&t.ty, &name) {
                    Ok(kind) => {
                        if let ParamKind::Input { .. } = kind
                            && name.starts_with("__")
                        {
                            errors.error(
                                ident.span(),
                                format!(
                                    "input `{name}` starts with `__`, which is reserved for \
                                     injected values; rename it"
                                ),
                            );
                        }
                        params.push(Param {
                            span: t.ty.span(),
                            kind,
                        });
                    }
                    Err(e) => errors.push(e),
                }
            }
        }
    }

    if let (Some(args), Some(state)) = (args, state_ident) {
        let mut check = KeyCheck {
            state: &state,
            action: &fn_name,
            reads: args.reads(),
            writes: args.writes(),
            errors: &mut errors,
        };
        check.scan(item.body_tokens());
    }
    errors.finish(ActionFn { item, params })
}

/// A `#[trace]` function that passed every check.
pub(crate) struct TraceFn<'a> {
    pub(crate) item: &'a MaybeItemFn,
    /// The parameters whose values are logged (by name), in order.
    pub(crate) captured: Vec<Ident>,
}

/// Checks a `#[trace]` function against its arguments.
pub(crate) fn trace<'a>(args: &TraceArgs, item: &'a MaybeItemFn) -> syn::Result<TraceFn<'a>> {
    let mut errors = Errors::default();
    let sig = &item.sig;
    if let Some(c) = &sig.constness {
        errors.error(
            c.span,
            "`#[trace]` cannot be used on a `const fn`: recording a span is not `const`; \
             remove `const` or the attribute",
        );
    }
    let params: Vec<Ident> = sig
        .inputs
        .iter()
        .filter_map(|a| match a {
            FnArg::Typed(t) => Some(&*t.pat),
            FnArg::Receiver(_) => None,
        })
        .flat_map(bindings)
        .collect();
    let mut captured = params.clone();
    if let Some(list) = &args.input_filterlist {
        check_duplicates(list, &mut errors);
        if !args.capture_inputs() {
            errors.error(
                list.arg_span,
                "`input_filterlist` has no effect with `capture_inputs = false`; remove one of the two",
            );
        }
        let names: Vec<String> = params.iter().map(|p| p.unraw().to_string()).collect();
        for key in &list.keys {
            if !names.contains(&key.name) {
                let known = if names.is_empty() {
                    format!("`{}` has no parameters", sig.ident.unraw())
                } else {
                    format!(
                        "parameters are {}",
                        backticked(names.iter().map(String::as_str))
                    )
                };
                errors.error(
                    key.span,
                    format!(
                        "`input_filterlist` names `{}`, which is not a parameter of `{}`; {known}",
                        key.name,
                        sig.ident.unraw()
                    ),
                );
            }
        }
        captured.retain(|p| !list.names().any(|n| p.unraw() == n));
    }
    if !args.capture_inputs() {
        captured.clear();
    }
    errors.finish(TraceFn { item, captured })
}

/// The identifiers a parameter pattern binds (`a` for `a: T`, `a` and `b` for
/// `(a, b): (T, U)`), in order.
pub(crate) fn bindings(pat: &Pat) -> Vec<Ident> {
    let mut out = Vec::new();
    collect_bindings(pat, &mut out);
    out
}

fn collect_bindings(pat: &Pat, out: &mut Vec<Ident>) {
    match pat {
        Pat::Ident(p) => {
            out.push(p.ident.clone());
            if let Some((_, sub)) = &p.subpat {
                collect_bindings(sub, out);
            }
        }
        Pat::Tuple(p) => p.elems.iter().for_each(|e| collect_bindings(e, out)),
        Pat::TupleStruct(p) => p.elems.iter().for_each(|e| collect_bindings(e, out)),
        Pat::Slice(p) => p.elems.iter().for_each(|e| collect_bindings(e, out)),
        Pat::Struct(p) => p.fields.iter().for_each(|f| collect_bindings(&f.pat, out)),
        Pat::Reference(p) => collect_bindings(&p.pat, out),
        Pat::Paren(p) => collect_bindings(&p.pat, out),
        Pat::Type(p) => collect_bindings(&p.pat, out),
        Pat::Or(p) => {
            if let Some(first) = p.cases.first() {
                collect_bindings(first, out);
            }
        }
        _ => {}
    }
}

/// The identifier of a plain `name` / `mut name` pattern.
pub(crate) fn plain_ident(pat: &Pat) -> Option<Ident> {
    match pat {
        Pat::Ident(p) if p.subpat.is_none() && p.by_ref.is_none() => Some(p.ident.clone()),
        _ => None,
    }
}

pub(crate) fn generics_error(sig: &syn::Signature, message: &str) -> syn::Error {
    if sig.generics.params.is_empty() {
        match &sig.generics.where_clause {
            Some(w) => syn::Error::new_spanned(w, message),
            None => syn::Error::new(sig.ident.span(), message),
        }
    } else {
        syn::Error::new_spanned(&sig.generics, message)
    }
}

/// The last segment of a path type without a qualified self, e.g. `State` in `burr::State`.
fn last_segment(ty: &Type) -> Option<&syn::PathSegment> {
    match ty {
        Type::Path(p) if p.qself.is_none() => p.path.segments.last(),
        Type::Paren(p) => last_segment(&p.elem),
        Type::Group(g) => last_segment(&g.elem),
        _ => None,
    }
}

pub(crate) fn is_named(ty: &Type, name: &str) -> bool {
    last_segment(ty).is_some_and(|s| s.ident == name && s.arguments.is_none())
}

pub(crate) fn is_state(ty: &Type) -> bool {
    is_named(ty, "State")
}

/// What the runtime passes for a parameter of type `ty`, or why it cannot pass anything.
pub(crate) fn classify(ty: &Type, name: &str) -> syn::Result<ParamKind> {
    let not_input = |what: &str, fix: &str| {
        Err(syn::Error::new_spanned(
            ty,
            format!("parameter `{name}` cannot be an input: {what}; {fix}"),
        ))
    };
    match ty {
        Type::Paren(p) => classify(&p.elem, name),
        Type::Group(g) => classify(&g.elem, name),
        Type::Reference(r) if r.mutability.is_none() && is_named(&r.elem, "Tracer") => {
            Ok(ParamKind::Tracer { by_ref: true })
        }
        Type::Reference(r) if r.mutability.is_none() && is_named(&r.elem, "ActionContext") => {
            Ok(ParamKind::Context { by_ref: true })
        }
        Type::Reference(r) => {
            let fix = if is_named(&r.elem, "str") {
                "take a `String`"
            } else if matches!(&*r.elem, Type::Slice(_)) {
                "take a `Vec<T>`"
            } else {
                "take the value itself"
            };
            not_input(
                "inputs are deserialized into owned values, so they cannot be references (only \
                 `&Tracer` and `&ActionContext` are passed by reference)",
                fix,
            )
        }
        Type::ImplTrait(_) => not_input(
            "`impl Trait` is a generic type, and inputs need a concrete type",
            "name a concrete type that implements `Deserialize`",
        ),
        Type::BareFn(_) => not_input(
            "a function pointer cannot be deserialized",
            "take data that implements `Deserialize`",
        ),
        Type::TraitObject(_) => not_input(
            "a trait object cannot be deserialized",
            "name a concrete type that implements `Deserialize`",
        ),
        Type::Ptr(_) => not_input(
            "a raw pointer cannot be deserialized",
            "take the value itself",
        ),
        Type::Slice(_) => not_input("a slice has no fixed size", "take a `Vec<T>`"),
        Type::Never(_) | Type::Infer(_) => not_input(
            "it has no concrete type",
            "name a type that implements `Deserialize`",
        ),
        _ if is_named(ty, "Tracer") => Ok(ParamKind::Tracer { by_ref: false }),
        _ if is_named(ty, "ActionContext") => Ok(ParamKind::Context { by_ref: false }),
        _ => Ok(match option_inner(ty) {
            Some(inner) => ParamKind::Input {
                name: name.to_string(),
                ty: Box::new(inner.clone()),
                optional: true,
            },
            None => ParamKind::Input {
                name: name.to_string(),
                ty: Box::new(ty.clone()),
                optional: false,
            },
        }),
    }
}

/// `T` for `Option<T>`.
fn option_inner(ty: &Type) -> Option<&Type> {
    let seg = last_segment(ty)?;
    if seg.ident != "Option" {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &seg.arguments else {
        return None;
    };
    match args.args.iter().collect::<Vec<_>>().as_slice() {
        [GenericArgument::Type(t)] => Some(t),
        _ => None,
    }
}

/// Reports declared keys that belong to the runtime (they start with `__`): an action never
/// writes one, and reads only `__SEQUENCE_ID` and `__PRIOR_STEP`.
pub(crate) fn check_reserved(args: &ActionArgs, errors: &mut Errors) {
    for key in args.writes().iter().filter(|k| k.name.starts_with("__")) {
        errors.error(
            key.span,
            format!(
                "`{}` starts with `__`: keys starting with `__` belong to the runtime, and an \
                 action cannot write them",
                key.name
            ),
        );
    }
    let shared = ["__SEQUENCE_ID", "__PRIOR_STEP"];
    for key in args
        .reads()
        .iter()
        .filter(|k| k.name.starts_with("__") && !shared.contains(&k.name.as_str()))
    {
        errors.error(
            key.span,
            format!(
                "`{}` starts with `__`: keys starting with `__` belong to the runtime; an \
                 action may read `__SEQUENCE_ID` and `__PRIOR_STEP` only",
                key.name
            ),
        );
    }
}

/// Reports a key given twice in one list, at the second occurrence.
pub(crate) fn check_duplicates(list: &KeyList, errors: &mut Errors) {
    let arg = &list.arg;
    for (i, key) in list.keys.iter().enumerate() {
        if list.keys[..i].iter().any(|k| k.name == key.name) {
            errors.error(
                key.span,
                format!("`{}` appears more than once in `{arg}`", key.name),
            );
        }
    }
}

pub(crate) fn backticked<'a>(names: impl Iterator<Item = &'a str>) -> String {
    names
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Finds `state.get("key")`-like calls on the state parameter whose literal key is not
/// declared, and reports each at the literal.
struct KeyCheck<'a> {
    state: &'a Ident,
    action: &'a str,
    reads: &'a [Key],
    writes: &'a [Key],
    errors: &'a mut Errors,
}

impl KeyCheck<'_> {
    fn scan(&mut self, tokens: TokenStream) {
        let tokens: Vec<TokenTree> = tokens.into_iter().collect();
        let mut i = 0;
        while i < tokens.len() {
            match &tokens[i] {
                TokenTree::Group(g) => {
                    self.scan(g.stream());
                    i += 1;
                }
                TokenTree::Ident(id) if id == self.state && !is_field_access(&tokens, i) => {
                    i = self.chain(&tokens, i + 1);
                }
                _ => i += 1,
            }
        }
    }

    /// Follows `.method(args)` calls from `tokens[i]`, checking literal keys; returns the
    /// index of the first token it did not consume.
    fn chain(&mut self, tokens: &[TokenTree], mut i: usize) -> usize {
        loop {
            let Some(TokenTree::Punct(dot)) = tokens.get(i) else {
                return i;
            };
            let Some(TokenTree::Ident(method)) = tokens.get(i + 1) else {
                return i;
            };
            if dot.as_char() != '.' {
                return i;
            }
            let method = method.to_string();
            let is_read = READ_METHODS.contains(&method.as_str());
            let is_write = WRITE_METHODS.contains(&method.as_str());
            if !is_read && !is_write {
                return i;
            }
            let mut j = skip_turbofish(tokens, i + 2);
            let Some(TokenTree::Group(args)) = tokens.get(j) else {
                return i;
            };
            if args.delimiter() != Delimiter::Parenthesis {
                return i;
            }
            if let Some((key, span)) = literal_key(args.stream()) {
                self.check(&method, is_read, &key, span);
            }
            self.scan(args.stream());
            j += 1;
            if is_read {
                return j;
            }
            if let Some(TokenTree::Punct(q)) = tokens.get(j)
                && q.as_char() == '?'
            {
                j += 1;
            }
            i = j;
        }
    }

    fn check(&mut self, method: &str, is_read: bool, key: &str, span: Span) {
        let declared = |keys: &[Key]| keys.iter().any(|k| k.name == key);
        let action = self.action;
        if is_read {
            // A key the action writes is visible to it once written.
            if declared(self.reads) || declared(self.writes) {
                return;
            }
            let known = if self.reads.is_empty() {
                format!("`{action}` declares no reads")
            } else {
                format!(
                    "declared reads are {}",
                    backticked(self.reads.iter().map(|k| k.name.as_str()))
                )
            };
            self.errors.error(
                span,
                format!(
                    "`{action}` reads state key `{key}` (in `.{method}(...)`), which is not \
                     declared in `reads`; {known}"
                ),
            );
        } else if !declared(self.writes) {
            let known = if self.writes.is_empty() {
                format!("`{action}` declares no writes")
            } else {
                format!(
                    "declared writes are {}",
                    backticked(self.writes.iter().map(|k| k.name.as_str()))
                )
            };
            self.errors.error(
                span,
                format!(
                    "`{action}` writes state key `{key}` (in `.{method}(...)`), which is not \
                     declared in `writes`; {known}"
                ),
            );
        }
    }
}

/// Whether `tokens[i]` is a field or method name (`x.state`) or a path segment
/// (`a::state`), rather than the variable.
fn is_field_access(tokens: &[TokenTree], i: usize) -> bool {
    i > 0
        && matches!(&tokens[i - 1], TokenTree::Punct(p) if p.as_char() == '.' || p.as_char() == ':')
}

/// Skips `::<...>` at `tokens[i]`.
fn skip_turbofish(tokens: &[TokenTree], i: usize) -> usize {
    let is =
        |k: usize, c: char| matches!(tokens.get(k), Some(TokenTree::Punct(p)) if p.as_char() == c);
    if !(is(i, ':') && is(i + 1, ':') && is(i + 2, '<')) {
        return i;
    }
    let mut depth = 0usize;
    let mut k = i + 2;
    while let Some(t) = tokens.get(k) {
        if let TokenTree::Punct(p) = t {
            match p.as_char() {
                '<' => depth += 1,
                '>' if k > 0 && is(k - 1, '-') => {}
                '>' => {
                    depth -= 1;
                    if depth == 0 {
                        return k + 1;
                    }
                }
                _ => {}
            }
        }
        k += 1;
    }
    k
}

/// The string literal that is a call's whole first argument, with its span.
fn literal_key(args: TokenStream) -> Option<(String, Span)> {
    let mut iter = args.into_iter();
    let TokenTree::Literal(lit) = iter.next()? else {
        return None;
    };
    match iter.next() {
        None => {}
        Some(TokenTree::Punct(p)) if p.as_char() == ',' => {}
        Some(_) => return None,
    }
    match syn::Lit::new(lit.clone()) {
        syn::Lit::Str(s) => Some((s.value(), lit.span())),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
