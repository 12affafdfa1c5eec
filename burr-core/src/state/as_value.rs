//! Reading a stored number or list into any `Deserialize` type without building a JSON value
//! first, with the answers a `serde_json::Value` holding it gives (`Option<T>` is `Some`, a
//! newtype wraps it).

use serde::de::{Deserializer, Visitor};
use serde_json::Error;

/// Methods that take only a visitor, handed to the inner deserializer (which may read its
/// data straight into the type asked, as `&Number` does for integers).
macro_rules! forward_to_inner {
    ($($method:ident)*) => {
        $(
            #[inline]
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
                self.0.$method(visitor)
            }
        )*
    };
}

/// A deserializer of stored data (a `&Number`, the items of a list) that reads as the JSON
/// value of that data would.
pub(super) struct AsValue<D>(pub(super) D);

impl<'de, D: Deserializer<'de, Error = Error>> Deserializer<'de> for AsValue<D> {
    type Error = Error;

    #[inline]
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.0.deserialize_any(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    forward_to_inner! {
        deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
        deserialize_i128 deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64
        deserialize_u128 deserialize_f32 deserialize_f64 deserialize_char deserialize_str
        deserialize_string deserialize_bytes deserialize_byte_buf deserialize_unit
        deserialize_seq deserialize_map deserialize_identifier deserialize_ignored_any
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.0.deserialize_unit_struct(name, visitor)
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, Error> {
        self.0.deserialize_tuple(len, visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.0.deserialize_tuple_struct(name, len, visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.0.deserialize_struct(name, fields, visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.0.deserialize_enum(name, variants, visitor)
    }
}

#[cfg(test)]
mod tests {
    use crate::State;

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Count(u64);

    /// A number reads as a `Value` holding it would: options, newtypes, widening, and the
    /// same errors.
    #[test]
    fn reads_as_a_json_value_would() {
        let s = State::new()
            .update("n", 3)
            .update("f", 2.5)
            .update("neg", -1);
        assert_eq!(s.get::<Option<i64>>("n").unwrap(), Some(3));
        assert_eq!(s.get::<Count>("n").unwrap(), Count(3));
        assert_eq!(s.get::<Option<Count>>("n").unwrap(), Some(Count(3)));
        assert_eq!(s.get::<f64>("n").unwrap(), 3.0);
        assert_eq!(s.get::<u8>("n").unwrap(), 3);
        assert_eq!(s.get::<f64>("f").unwrap(), 2.5);
        assert_eq!(
            s.get::<serde_json::Value>("neg").unwrap(),
            serde_json::json!(-1)
        );
        let l = State::new().append("l", 1).append("l", 2);
        assert_eq!(s.get::<Option<i64>>("n").unwrap(), Some(3));
        assert_eq!(l.get::<Option<Vec<i64>>>("l").unwrap(), Some(vec![1, 2]));
        assert_eq!(
            l.get::<Vec<Option<i64>>>("l").unwrap(),
            vec![Some(1), Some(2)]
        );
        for (key, wrong) in [("neg", "u64"), ("f", "i64"), ("n", "String")] {
            let err = match wrong {
                "u64" => s.get::<u64>(key).unwrap_err(),
                "i64" => s.get::<i64>(key).unwrap_err(),
                _ => s.get::<String>(key).unwrap_err(),
            };
            let by_value = match wrong {
                "u64" => serde_json::from_value::<u64>(s.get_value(key).unwrap()).unwrap_err(),
                "i64" => serde_json::from_value::<i64>(s.get_value(key).unwrap()).unwrap_err(),
                _ => serde_json::from_value::<String>(s.get_value(key).unwrap()).unwrap_err(),
            };
            assert!(
                err.to_string().contains(&by_value.to_string()),
                "{err} vs {by_value}"
            );
        }
    }
}
