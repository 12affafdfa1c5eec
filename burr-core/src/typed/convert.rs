//! Conversions between typed states and the map state, on the types that hold a state.

use super::TypedState;
use crate::application::{Application, ApplicationBuilder, Outcome, StepResult};
use crate::error::TypedStateError;
use crate::persistence::PersistedState;
use crate::state::State;

impl State {
    /// This state as the typed state `S`: each field read from its key (the runtime keys
    /// and keys `S` does not have are ignored). A field that is missing (and is neither an
    /// `Option` nor has a default) or does not deserialize is a [`TypedStateError`] naming it.
    ///
    /// # Examples
    ///
    /// ```
    /// # use burr_core::typed::{FieldInfo, TypedState, UpdateRule, read_field};
    /// # use burr_core::{State, TypedStateError};
    /// # #[derive(Debug, PartialEq)]
    /// # struct Counter { count: i64 }
    /// # impl TypedState for Counter {
    /// #     const NAME: &'static str = "Counter";
    /// #     const FIELDS: &'static [FieldInfo] = &[FieldInfo::new("count", "count", UpdateRule::Replace)];
    /// #     fn write_fields(&self, state: State) -> State { state.update("count", &self.count) }
    /// #     fn from_state(state: &State) -> Result<Self, TypedStateError> {
    /// #         Ok(Counter { count: read_field(state, Self::NAME, "count", "count")? })
    /// #     }
    /// # }
    /// let s = State::new().update("count", 2).with_sequence_id(4);
    /// assert_eq!(s.to_typed::<Counter>()?, Counter { count: 2 });
    /// let err = State::new().to_typed::<Counter>().unwrap_err();
    /// assert!(matches!(err, TypedStateError::MissingField { .. }));
    /// # Ok::<(), TypedStateError>(())
    /// ```
    pub fn to_typed<S: TypedState>(&self) -> Result<S, TypedStateError> {
        S::from_state(self)
    }

    /// The map form of a typed state: one key per field.
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
    /// let s = State::from_typed(&Counter { count: 7 })?;
    /// assert_eq!(s.to_json(), serde_json::json!({"count": 7}));
    /// # Ok::<(), TypedStateError>(())
    /// ```
    pub fn from_typed<S: TypedState>(value: &S) -> Result<State, TypedStateError> {
        value.to_state()
    }
}

impl ApplicationBuilder {
    /// Sets the initial state from a typed state (merged into any state set before, like
    /// [`with_state`](ApplicationBuilder::with_state)). A field that fails to serialize makes
    /// [`build`](ApplicationBuilder::build) fail, naming it.
    ///
    /// # Examples
    ///
    /// ```
    /// # use burr_core::typed::{FieldInfo, TypedState, UpdateRule, read_field};
    /// # use burr_core::{State, TypedStateError};
    /// # #[derive(Debug, PartialEq)]
    /// # struct Counter { count: i64 }
    /// # impl TypedState for Counter {
    /// #     const NAME: &'static str = "Counter";
    /// #     const FIELDS: &'static [FieldInfo] = &[FieldInfo::new("count", "count", UpdateRule::Replace)];
    /// #     fn write_fields(&self, state: State) -> State { state.update("count", &self.count) }
    /// #     fn from_state(state: &State) -> Result<Self, TypedStateError> {
    /// #         Ok(Counter { count: read_field(state, Self::NAME, "count", "count")? })
    /// #     }
    /// # }
    /// let app = burr_core::ApplicationBuilder::new()
    ///     .with_action("noop", burr_core::FnAction::new(["count"], None::<&str>, |s, _, _| s))
    ///     .with_typed_state(&Counter { count: 1 })
    ///     .with_entrypoint("noop")
    ///     .build()?;
    /// assert_eq!(app.typed_state::<Counter>()?, Counter { count: 1 });
    /// # Ok::<(), burr_core::Error>(())
    /// ```
    #[must_use]
    pub fn with_typed_state<S: TypedState>(self, value: &S) -> Self {
        self.with_state(value.write_fields(State::new()))
    }
}

impl Application {
    /// The current state as the typed state `S` (see [`State::to_typed`]).
    ///
    /// # Examples
    ///
    /// See [`ApplicationBuilder::with_typed_state`].
    ///
    /// ```
    /// # use burr_core::typed::{FieldInfo, TypedState, UpdateRule, read_field};
    /// # use burr_core::{State, TypedStateError};
    /// # #[derive(Debug)]
    /// # struct Counter { count: i64 }
    /// # impl TypedState for Counter {
    /// #     const NAME: &'static str = "Counter";
    /// #     const FIELDS: &'static [FieldInfo] = &[FieldInfo::new("count", "count", UpdateRule::Replace)];
    /// #     fn write_fields(&self, state: State) -> State { state.update("count", &self.count) }
    /// #     fn from_state(state: &State) -> Result<Self, TypedStateError> {
    /// #         Ok(Counter { count: read_field(state, Self::NAME, "count", "count")? })
    /// #     }
    /// # }
    /// let app = burr_core::ApplicationBuilder::new()
    ///     .with_action("noop", burr_core::FnAction::new(["count"], None::<&str>, |s, _, _| s))
    ///     .with_entrypoint("noop")
    ///     .build()?;
    /// assert_eq!(app.typed_state::<Counter>().unwrap_err().field(), "count");
    /// # Ok::<(), burr_core::Error>(())
    /// ```
    pub fn typed_state<S: TypedState>(&self) -> Result<S, TypedStateError> {
        self.state().to_typed()
    }
}

impl Outcome {
    /// The final state as the typed state `S` (see [`State::to_typed`]).
    ///
    /// # Examples
    ///
    /// ```
    /// # use burr_core::typed::{FieldInfo, TypedState, UpdateRule, read_field};
    /// # use burr_core::{State, TypedStateError};
    /// # #[derive(Debug, PartialEq)]
    /// # struct Counter { count: i64 }
    /// # impl TypedState for Counter {
    /// #     const NAME: &'static str = "Counter";
    /// #     const FIELDS: &'static [FieldInfo] = &[FieldInfo::new("count", "count", UpdateRule::Replace)];
    /// #     fn write_fields(&self, state: State) -> State { state.update("count", &self.count) }
    /// #     fn from_state(state: &State) -> Result<Self, TypedStateError> {
    /// #         Ok(Counter { count: read_field(state, Self::NAME, "count", "count")? })
    /// #     }
    /// # }
    /// use burr_core::{ApplicationBuilder, FnAction, halt_after};
    /// let inc = FnAction::new(["count"], ["count"], |s, _, _| s.increment("count", 1));
    /// let mut app = ApplicationBuilder::new()
    ///     .with_action("inc", inc)
    ///     .with_typed_state(&Counter { count: 1 })
    ///     .with_entrypoint("inc")
    ///     .build()?;
    /// let out = app.run(halt_after(["inc"]), ())?;
    /// assert_eq!(out.typed_state::<Counter>()?, Counter { count: 2 });
    /// # Ok::<(), burr_core::Error>(())
    /// ```
    pub fn typed_state<S: TypedState>(&self) -> Result<S, TypedStateError> {
        self.state.to_typed()
    }
}

impl StepResult {
    /// The state after the step as the typed state `S` (see [`State::to_typed`]).
    ///
    /// # Examples
    ///
    /// ```
    /// # use burr_core::typed::{FieldInfo, TypedState, UpdateRule, read_field};
    /// # use burr_core::{State, TypedStateError};
    /// # #[derive(Debug, PartialEq)]
    /// # struct Counter { count: i64 }
    /// # impl TypedState for Counter {
    /// #     const NAME: &'static str = "Counter";
    /// #     const FIELDS: &'static [FieldInfo] = &[FieldInfo::new("count", "count", UpdateRule::Replace)];
    /// #     fn write_fields(&self, state: State) -> State { state.update("count", &self.count) }
    /// #     fn from_state(state: &State) -> Result<Self, TypedStateError> {
    /// #         Ok(Counter { count: read_field(state, Self::NAME, "count", "count")? })
    /// #     }
    /// # }
    /// use burr_core::{ApplicationBuilder, FnAction};
    /// let inc = FnAction::new(["count"], ["count"], |s, _, _| s.increment("count", 1));
    /// let mut app = ApplicationBuilder::new()
    ///     .with_action("inc", inc)
    ///     .with_typed_state(&Counter { count: 0 })
    ///     .with_entrypoint("inc")
    ///     .build()?;
    /// let step = app.step()?.unwrap();
    /// assert_eq!(step.typed_state::<Counter>()?, Counter { count: 1 });
    /// # Ok::<(), burr_core::Error>(())
    /// ```
    pub fn typed_state<S: TypedState>(&self) -> Result<S, TypedStateError> {
        self.state.to_typed()
    }
}

impl PersistedState {
    /// The saved state as the typed state `S` (see [`State::to_typed`]): what a persister's
    /// `load` gave back, typed.
    ///
    /// # Examples
    ///
    /// ```
    /// # use burr_core::typed::{FieldInfo, TypedState, UpdateRule, read_field};
    /// # use burr_core::{State, TypedStateError};
    /// # #[derive(Debug, PartialEq)]
    /// # struct Counter { count: i64 }
    /// # impl TypedState for Counter {
    /// #     const NAME: &'static str = "Counter";
    /// #     const FIELDS: &'static [FieldInfo] = &[FieldInfo::new("count", "count", UpdateRule::Replace)];
    /// #     fn write_fields(&self, state: State) -> State { state.update("count", &self.count) }
    /// #     fn from_state(state: &State) -> Result<Self, TypedStateError> {
    /// #         Ok(Counter { count: read_field(state, Self::NAME, "count", "count")? })
    /// #     }
    /// # }
    /// use burr_core::{InMemoryPersister, SaveRequest, StateLoader, StateSaver, Status};
    /// let p = InMemoryPersister::new();
    /// let state = State::from_typed(&Counter { count: 5 })?;
    /// p.save(SaveRequest { partition_key: None, app_id: "a", sequence_id: 0, position: "inc",
    ///     state: &state, status: Status::Completed })?;
    /// let row = p.load(None, "a", None)?.unwrap();
    /// assert_eq!(row.typed_state::<Counter>()?, Counter { count: 5 });
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn typed_state<S: TypedState>(&self) -> Result<S, TypedStateError> {
        self.state.to_typed()
    }
}
