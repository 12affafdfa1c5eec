//! Code generation for `#[derive(TypedState)]`: the `TypedState` impl and one `Field<N>`
//! impl per field.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use super::derive::{FieldDefault, Rule, StateStruct};
use super::names::typed_path;

pub(crate) fn expand(s: &StateStruct) -> TokenStream {
    let core = quote!(::burr::__private::burr_core);
    let typed = typed_path(Span::call_site());
    let ident = &s.ident;
    let name = ident.to_string();
    let infos = s.fields.iter().map(|f| {
        let (n, k) = (&f.name, &f.key);
        let rule = format_ident!("{}", f.rule.variant());
        quote!(#typed::FieldInfo::new(#n, #k, #typed::UpdateRule::#rule))
    });
    let writes = s.fields.iter().map(|f| {
        let (field, key) = (&f.ident, &f.key);
        quote!(let __burr_state = __burr_state.update(#key, &self.#field);)
    });
    let reads = s.fields.iter().enumerate().map(|(i, f)| {
        let i = proc_macro2::Literal::usize_unsuffixed(i);
        let field = &f.ident;
        quote!(#field: <Self as #typed::Field<#i>>::read(__burr_state)?)
    });
    let fields_list = s
        .fields
        .iter()
        .map(|f| format!("`{}`", f.name))
        .collect::<Vec<_>>()
        .join(", ");
    let unknown = if s.fields.is_empty() {
        format!("not a field of `{name}`, which has no fields")
    } else {
        format!("not a field of `{name}`; its fields are {fields_list}")
    };
    let field_impls = s.fields.iter().enumerate().map(|(i, f)| {
        let i = proc_macro2::Literal::usize_unsuffixed(i);
        let ty = &f.ty;
        let ty_span = ty.span();
        let (fname, key) = (&f.name, &f.key);
        let rule = format_ident!("{}", f.rule.variant());
        let write = match &f.rule {
            Rule::Replace => quote!(#typed::replace::<Self, _>(__burr_state, #fname, #key, &__burr_value)),
            Rule::Append => quote!(#typed::append::<Self, _>(__burr_state, #fname, #key, &__burr_value)),
            Rule::Add => quote!(#typed::add::<Self, _>(__burr_state, #fname, #key, &__burr_value)),
            Rule::Merge => quote!(#typed::merge::<Self, _>(__burr_state, #fname, #key, &__burr_value)),
            Rule::Reduce(path) => quote_spanned! {path.span()=>
                #typed::reduce::<Self, #ty>(__burr_state, #fname, #key, __burr_value, #path)
            },
        };
        let read = f.default.as_ref().map(|d| {
            let default = match d {
                FieldDefault::Trait => quote!(<#ty as ::core::default::Default>::default),
                FieldDefault::Path(p) => quote!(#p),
            };
            quote! {
                fn read(__burr_state: &#core::State) -> ::core::result::Result<#ty, #core::TypedStateError> {
                    #typed::read_field_or(
                        __burr_state,
                        <Self as #core::TypedState>::NAME,
                        #fname,
                        #key,
                        #default,
                    )
                }
            }
        });
        let ty_decl = quote_spanned!(ty_span=> type Type = #ty;);
        quote! {
            impl #typed::Field<#i> for #ident {
                #ty_decl
                const FIELD: &'static str = #fname;
                const KEY: &'static str = #key;
                const RULE: #typed::UpdateRule = #typed::UpdateRule::#rule;
                #read
                fn write(
                    __burr_state: &#core::State,
                    __burr_value: #ty,
                ) -> ::core::result::Result<#core::State, #core::TypedStateError> {
                    #write
                }
            }
        }
    });
    quote! {
        const _: () = {
            impl #core::TypedState for #ident {
                const NAME: &'static str = #name;
                const FIELDS: &'static [#typed::FieldInfo] = &[#(#infos),*];
                const UNKNOWN_FIELD: &'static str = #unknown;
                fn write_fields(&self, __burr_state: #core::State) -> #core::State {
                    #(#writes)*
                    __burr_state
                }
                fn from_state(
                    __burr_state: &#core::State,
                ) -> ::core::result::Result<Self, #core::TypedStateError> {
                    ::core::result::Result::Ok(#ident { #(#reads),* })
                }
            }
            #(#field_impls)*
        };
    }
}
