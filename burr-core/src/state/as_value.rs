//! Reading a stored number or list into any `Deserialize` type without building a JSON value
//! first, with the answers a `serde_json::Value` holding it gives (`Option<T>` is `Some`, a
//! newtype wraps it).

use serde::de::{Deserializer, Visitor};
use serde_json::Error;

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

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct enum
        identifier ignored_any
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
