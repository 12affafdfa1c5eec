//! [`Condition::typed`]: a transition condition over the typed state.

use super::TypedState;
use crate::graph::Condition;

impl Condition {
    /// A condition computed by a closure over the typed state `S`. The state is converted
    /// with [`State::to_typed`](crate::State::to_typed) each time the condition is evaluated
    /// (every field is deserialized: keep large fields out of states whose transitions are
    /// hot, or use [`expr`](crate::expr()), which reads the map form in place); a state that
    /// does not convert fails the step with the [`TypedStateError`](crate::TypedStateError)
    /// naming the field.
    ///
    /// [`expr`](crate::expr()) and [`when`](crate::when) keep working on the map form of a
    /// typed application, beside it.
    ///
    /// # Examples
    ///
    /// ```
    /// # use burr_core::typed::{FieldInfo, TypedState, UpdateRule, read_field};
    /// # use burr_core::{State, TypedStateError};
    /// # struct Counter { count: i64 }
    /// # impl TypedState for Counter {
    /// #     const NAME: &'static str = "Counter";
    /// #     const FIELDS: &'static [FieldInfo] = &[FieldInfo::new("count", "count", UpdateRule::Replace)];
    /// #     fn write_fields(&self, state: State) -> State { state.update("count", &self.count) }
    /// #     fn from_state(state: &State) -> Result<Self, TypedStateError> {
    /// #         Ok(Counter { count: read_field(state, Self::NAME, "count", "count")? })
    /// #     }
    /// # }
    /// use burr_core::Condition;
    /// let small = Condition::typed("count < 3", |c: &Counter| c.count < 3);
    /// assert_eq!(small.name(), "count < 3");
    /// assert!(small.evaluate(&State::new().update("count", 2)).unwrap());
    /// assert!(small.evaluate(&State::new().update("count", "x")).is_err());
    /// let err = small.evaluate(&State::new()).unwrap_err();
    /// assert!(err.to_string().contains("field `count` of `Counter` is missing"));
    /// ```
    pub fn typed<S: TypedState>(
        name: &str,
        f: impl Fn(&S) -> bool + Send + Sync + 'static,
    ) -> Condition {
        // No keys are declared: a missing field is the conversion's error, which names it
        // (and a missing `Option` field is `None`, as in `to_typed`).
        Condition::lambda(name, Vec::<String>::new(), move |state| {
            Ok(f(&state.to_typed::<S>()?))
        })
    }
}
