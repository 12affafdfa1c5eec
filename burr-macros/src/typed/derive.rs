//! `#[derive(TypedState)]`: parsing and checking the struct (the code is written by
//! `derive_expand.rs`).
//!
//! The map form of a typed state holds one key per field, so serde attributes that change
//! what a field is stored as (`flatten`, `skip`, `with`, ...) are refused here with the
//! reason; `rename`, `rename_all` and `default` are honoured.

use proc_macro2::{Span, TokenStream};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, Ident, LitStr, Type};

use crate::attr::Errors;

/// A struct that passed the checks.
pub(crate) struct StateStruct {
    pub(crate) ident: Ident,
    pub(crate) fields: Vec<StateField>,
}

/// One field.
pub(crate) struct StateField {
    pub(crate) ident: Ident,
    /// The field's name (raw identifiers unraw'd).
    pub(crate) name: String,
    /// The state key (its serde name).
    pub(crate) key: String,
    pub(crate) ty: Type,
    pub(crate) rule: Rule,
    pub(crate) default: Option<FieldDefault>,
}

/// How a written value combines with the stored one.
pub(crate) enum Rule {
    Replace,
    Append,
    Add,
    Merge,
    Reduce(syn::Path),
}

impl Rule {
    pub(crate) fn variant(&self) -> &'static str {
        match self {
            Rule::Replace => "Replace",
            Rule::Append => "Append",
            Rule::Add => "Add",
            Rule::Merge => "Merge",
            Rule::Reduce(_) => "Reduce",
        }
    }
}

/// `#[serde(default)]` or `#[serde(default = "path")]`.
pub(crate) enum FieldDefault {
    Trait,
    Path(syn::ExprPath),
}

/// The serde attributes of a field that change its stored form, refused with this reason.
const UNSUPPORTED_FIELD: &[(&str, &str)] = &[
    ("flatten", "a flattened field has no key of its own"),
    ("skip", "a skipped field has no key"),
    (
        "skip_serializing",
        "a field skipped one way would not round-trip",
    ),
    (
        "skip_deserializing",
        "a field skipped one way would not round-trip",
    ),
    (
        "skip_serializing_if",
        "a field left out of the map would be missing when read back",
    ),
    (
        "with",
        "each field is converted on its own, with its own `Serialize`",
    ),
    (
        "serialize_with",
        "each field is converted on its own, with its own `Serialize`",
    ),
    (
        "deserialize_with",
        "each field is converted on its own, with its own `Deserialize`",
    ),
    ("getter", "each field is read directly"),
];

/// The serde container attributes a typed state cannot honour.
const UNSUPPORTED_CONTAINER: &[(&str, &str)] = &[
    (
        "rename_all",
        "rename the fields one by one with `#[serde(rename = \"..\")]`",
    ),
    (
        "rename_all_fields",
        "rename the fields one by one with `#[serde(rename = \"..\")]`",
    ),
    ("transparent", "a typed state stores one key per field"),
    ("default", "give each field its own `#[serde(default)]`"),
    ("from", "a typed state is read field by field"),
    ("try_from", "a typed state is read field by field"),
    ("into", "a typed state is written field by field"),
    ("remote", "a typed state is its own type"),
];

/// Parses and checks the derive's input.
pub(crate) fn parse(input: &DeriveInput) -> syn::Result<StateStruct> {
    let mut errors = Errors::default();
    let fields = match &input.data {
        Data::Struct(s) => match &s.fields {
            Fields::Named(named) => Some(named),
            Fields::Unnamed(_) | Fields::Unit => {
                errors.error(
                    input.ident.span(),
                    "`TypedState` needs a struct with named fields: each field is one state key",
                );
                None
            }
        },
        Data::Enum(e) => {
            errors.error(
                e.enum_token.span,
                "`TypedState` can only be derived for a struct with named fields, not an enum",
            );
            None
        }
        Data::Union(u) => {
            errors.error(
                u.union_token.span,
                "`TypedState` can only be derived for a struct with named fields, not a union",
            );
            None
        }
    };
    if !input.generics.params.is_empty() {
        errors.spanned(
            &input.generics,
            "`TypedState` does not support generic structs: an action names the state's fields \
             with their concrete types; use concrete types",
        );
    }
    let mut rename_all = None;
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("serde")) {
        check_container_serde(attr, &mut rename_all, &mut errors);
    }
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("burr")) {
        errors.spanned(
            attr,
            "`#[burr(..)]` goes on the fields of a typed state (`append`, `add`, `merge`, `reduce = f`)",
        );
    }
    let mut out = Vec::new();
    for field in fields.into_iter().flat_map(|f| &f.named) {
        let Some(ident) = field.ident.clone() else {
            continue;
        };
        let name = ident.unraw().to_string();
        let mut parsed = StateField {
            key: rename_all.map_or_else(|| name.clone(), |rule: RenameRule| rule.apply(&name)),
            name,
            ident,
            ty: field.ty.clone(),
            rule: Rule::Replace,
            default: None,
        };
        let mut rule_span: Option<Span> = None;
        for attr in &field.attrs {
            if attr.path().is_ident("burr") {
                parse_burr(attr, &mut parsed, &mut rule_span, &mut errors);
            } else if attr.path().is_ident("serde") {
                parse_field_serde(attr, &mut parsed, &mut errors);
            }
        }
        if parsed.key.starts_with("__") {
            errors.error(
                parsed.ident.span(),
                format!(
                    "field `{}` is stored under `{}`, which starts with `__`: keys starting with \
                     `__` belong to the runtime; rename it",
                    parsed.name, parsed.key
                ),
            );
        }
        if let Some(other) = out.iter().find(|f: &&StateField| f.key == parsed.key) {
            errors.error(
                parsed.ident.span(),
                format!(
                    "fields `{}` and `{}` are both stored under `{}`; give them different names",
                    other.name, parsed.name, parsed.key
                ),
            );
        }
        out.push(parsed);
    }
    errors.finish(StateStruct {
        ident: input.ident.clone(),
        fields: out,
    })
}

fn parse_burr(
    attr: &syn::Attribute,
    field: &mut StateField,
    rule_span: &mut Option<Span>,
    errors: &mut Errors,
) {
    let result = attr.parse_nested_meta(|meta| {
        let span = meta.path.span();
        let rule = if meta.path.is_ident("append") {
            Rule::Append
        } else if meta.path.is_ident("add") {
            Rule::Add
        } else if meta.path.is_ident("merge") {
            Rule::Merge
        } else if meta.path.is_ident("reduce") {
            let value = meta.value().map_err(|_| {
                meta.error("`reduce` takes the function that combines two values, like `reduce = keep_max`")
            })?;
            Rule::Reduce(value.parse::<syn::Path>()?)
        } else {
            return Err(meta.error(
                "unknown update rule; expected one of: `append`, `add`, `merge`, `reduce = path::to::fn`",
            ));
        };
        if rule_span.is_some() {
            errors.error(
                span,
                format!(
                    "field `{}` has more than one update rule; give it one",
                    field.name
                ),
            );
        } else {
            *rule_span = Some(span);
            field.rule = rule;
        }
        Ok(())
    });
    if let Err(e) = result {
        errors.push(e);
    }
}

fn parse_field_serde(attr: &syn::Attribute, field: &mut StateField, errors: &mut Errors) {
    let result = attr.parse_nested_meta(|meta| {
        if meta.path.is_ident("rename") {
            if meta.input.peek(syn::token::Paren) {
                return Err(meta.error(
                    "a typed state field is stored under one key: use `rename = \"..\"`, not \
                     separate serialize and deserialize names",
                ));
            }
            let lit: LitStr = meta.value()?.parse()?;
            field.key = lit.value();
        } else if meta.path.is_ident("default") {
            field.default = Some(if meta.input.peek(syn::Token![=]) {
                let lit: LitStr = meta.value()?.parse()?;
                FieldDefault::Path(lit.parse()?)
            } else {
                FieldDefault::Trait
            });
        } else if let Some((name, why)) = UNSUPPORTED_FIELD
            .iter()
            .find(|(name, _)| meta.path.is_ident(name))
        {
            errors.error(
                meta.path.span(),
                format!("`#[serde({name})]` is not supported on a typed state field: {why}"),
            );
            skip_value(&meta)?;
        } else {
            // `alias`, `borrow`, `bound`...: no effect on the stored form.
            skip_value(&meta)?;
        }
        Ok(())
    });
    if let Err(e) = result {
        errors.push(e);
    }
}

fn check_container_serde(
    attr: &syn::Attribute,
    rename_all: &mut Option<RenameRule>,
    errors: &mut Errors,
) {
    let result = attr.parse_nested_meta(|meta| {
        if meta.path.is_ident("rename_all") {
            if meta.input.peek(syn::token::Paren) {
                errors.error(
                    meta.path.span(),
                    "a typed state field is stored under one key: use `rename_all = \"..\"`, \
                     not separate serialize and deserialize rules",
                );
                return skip_value(&meta);
            }
            let lit: LitStr = meta.value()?.parse()?;
            // An unknown rule is serde's to report.
            *rename_all = RenameRule::parse(&lit.value());
            return Ok(());
        }
        if let Some((name, fix)) = UNSUPPORTED_CONTAINER
            .iter()
            .find(|(name, _)| meta.path.is_ident(name))
        {
            errors.error(
                meta.path.span(),
                format!("`#[serde({name})]` is not supported on a typed state: {fix}"),
            );
        }
        skip_value(&meta)
    });
    if let Err(e) = result {
        errors.push(e);
    }
}

/// A serde `rename_all` rule, applied to `snake_case` field names as serde applies it.
#[derive(Clone, Copy)]
pub(crate) enum RenameRule {
    Lower,
    Upper,
    Pascal,
    Camel,
    Snake,
    ScreamingSnake,
    Kebab,
    ScreamingKebab,
}

impl RenameRule {
    fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "lowercase" => RenameRule::Lower,
            "UPPERCASE" => RenameRule::Upper,
            "PascalCase" => RenameRule::Pascal,
            "camelCase" => RenameRule::Camel,
            "snake_case" => RenameRule::Snake,
            "SCREAMING_SNAKE_CASE" => RenameRule::ScreamingSnake,
            "kebab-case" => RenameRule::Kebab,
            "SCREAMING-KEBAB-CASE" => RenameRule::ScreamingKebab,
            _ => return None,
        })
    }

    fn apply(self, field: &str) -> String {
        match self {
            RenameRule::Lower | RenameRule::Snake => field.to_string(),
            RenameRule::Upper | RenameRule::ScreamingSnake => field.to_ascii_uppercase(),
            RenameRule::Kebab => field.replace('_', "-"),
            RenameRule::ScreamingKebab => field.to_ascii_uppercase().replace('_', "-"),
            RenameRule::Pascal => {
                let mut out = String::with_capacity(field.len());
                let mut capitalize = true;
                for c in field.chars() {
                    if c == '_' {
                        capitalize = true;
                    } else if capitalize {
                        out.push(c.to_ascii_uppercase());
                        capitalize = false;
                    } else {
                        out.push(c);
                    }
                }
                out
            }
            // As serde does: the PascalCase form with its first character lower-cased
            // (`_id` is `id`, `URL` is `uRL`).
            RenameRule::Camel => {
                let pascal = RenameRule::Pascal.apply(field);
                let mut chars = pascal.chars();
                match chars.next() {
                    Some(first) => first.to_ascii_lowercase().to_string() + chars.as_str(),
                    None => pascal,
                }
            }
        }
    }
}

/// Skips the value of a nested meta item (`= ..` or `(..)`), whatever it is.
fn skip_value(meta: &syn::meta::ParseNestedMeta<'_>) -> syn::Result<()> {
    if meta.input.peek(syn::Token![=]) {
        meta.value()?.parse::<syn::Expr>()?;
    } else if meta.input.peek(syn::token::Paren) {
        let _ = meta.input.parse::<proc_macro2::Group>()?;
    }
    Ok(())
}

/// `#[derive(TypedState)]` on `input`.
pub(crate) fn derive(input: TokenStream) -> TokenStream {
    let out = match syn::parse2::<DeriveInput>(input) {
        Err(e) => e.to_compile_error(),
        Ok(input) => match parse(&input) {
            Ok(parsed) => super::derive_expand::expand(&parsed),
            Err(e) => e.to_compile_error(),
        },
    };
    crate::expand::debug_print("derive(TypedState)", &out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn parse_str(tokens: TokenStream) -> syn::Result<StateStruct> {
        parse(&syn::parse2(tokens).unwrap())
    }

    fn messages(e: syn::Error) -> Vec<String> {
        e.into_iter().map(|e| e.to_string()).collect()
    }

    fn error(tokens: TokenStream) -> syn::Error {
        match parse_str(tokens) {
            Ok(_) => panic!("expected an error"),
            Err(e) => e,
        }
    }

    #[test]
    fn rules_renames_and_defaults() {
        let s = parse_str(quote! {
            struct Chat {
                #[burr(append)]
                history: Vec<String>,
                #[serde(rename = "n", default)]
                #[burr(add)]
                count: u32,
                #[burr(reduce = keep::max)]
                best: i64,
                r#type: String,
            }
        });
        let Ok(s) = s else {
            panic!("expected a typed state")
        };
        let f = &s.fields;
        assert_eq!(f.len(), 4);
        assert!(matches!(f[0].rule, Rule::Append));
        assert_eq!((f[1].key.as_str(), f[1].name.as_str()), ("n", "count"));
        assert!(matches!(f[1].default, Some(FieldDefault::Trait)));
        assert!(matches!(&f[2].rule, Rule::Reduce(p) if p.segments.len() == 2));
        assert_eq!(f[3].key, "type");
    }

    #[test]
    fn rename_all_renames_like_serde() {
        let s = parse_str(quote! {
            #[serde(rename_all = "camelCase")]
            struct Chat {
                chat_history: Vec<String>,
                #[serde(rename = "Prompt")]
                user_prompt: String,
                n: u8,
            }
        });
        let Ok(s) = s else {
            panic!("expected a typed state")
        };
        let keys: Vec<_> = s.fields.iter().map(|f| f.key.as_str()).collect();
        assert_eq!(keys, ["chatHistory", "Prompt", "n"]);
        let apply = |rule: &str| RenameRule::parse(rule).unwrap().apply("chat_history_id");
        assert_eq!(apply("PascalCase"), "ChatHistoryId");
        assert_eq!(apply("SCREAMING_SNAKE_CASE"), "CHAT_HISTORY_ID");
        assert_eq!(apply("kebab-case"), "chat-history-id");
        assert_eq!(apply("SCREAMING-KEBAB-CASE"), "CHAT-HISTORY-ID");
        assert_eq!(apply("lowercase"), "chat_history_id");
    }

    #[test]
    fn every_error_is_reported() {
        let e = error(quote! {
            #[serde(rename_all_fields = "camelCase")]
            struct S {
                #[burr(append, add)]
                a: Vec<u8>,
                #[burr(sum)]
                b: u8,
                #[serde(flatten)]
                c: Other,
                #[serde(rename = "a")]
                d: u8,
            }
        });
        let m = messages(e);
        assert_eq!(m.len(), 5, "{m:#?}");
        assert!(m[0].contains("rename_all_fields"), "{m:#?}");
        assert!(m[1].contains("more than one update rule"), "{m:#?}");
        assert!(m[2].contains("expected one of: `append`"), "{m:#?}");
        assert!(m[3].contains("flatten"), "{m:#?}");
        assert!(m[4].contains("both stored under `a`"), "{m:#?}");
    }

    #[test]
    fn only_structs_with_named_fields() {
        let e = error(quote!(
            struct T(u8);
        ));
        assert!(e.to_string().contains("named fields"), "{e}");
        let e = error(quote!(
            enum E {
                A,
            }
        ));
        assert!(e.to_string().contains("not an enum"), "{e}");
        let e = error(quote!(
            struct G<T> {
                t: T,
            }
        ));
        assert!(e.to_string().contains("generic"), "{e}");
    }
}
