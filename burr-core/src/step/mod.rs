//! The data an action takes and gives: its declared inputs, the runtime [`Inputs`], its
//! [`ResultMap`] and [`StepOutput`].

mod output;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::Error;
use crate::state::{State, json_type_name};

pub use output::IntoStepOutput;

/// The result map of a step (`{}` for actions that only change state).
pub type ResultMap = Map<String, Value>;

/// What a step produced: its result and the new state.
#[derive(Debug, Clone, PartialEq)]
pub struct StepOutput {
    /// The result (shown in tracking, returned by `step`/`run`).
    pub result: ResultMap,
    /// The new state.
    pub state: State,
}

impl StepOutput {
    /// An output with an empty result.
    ///
    /// # Examples
    ///
    /// ```
    /// let out = burr_core::StepOutput::state(burr_core::State::new());
    /// assert!(out.result.is_empty());
    /// ```
    pub fn state(state: State) -> Self {
        StepOutput {
            result: ResultMap::new(),
            state,
        }
    }
}

/// One declared runtime input of an action.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct InputSpec {
    /// The input's name.
    pub name: String,
    /// Whether it must be given (`false` for `Option<T>` parameters and defaults).
    pub required: bool,
}

impl InputSpec {
    /// A required input.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(burr_core::InputSpec::required("prompt").required);
    /// ```
    pub fn required(name: impl Into<String>) -> Self {
        InputSpec {
            name: name.into(),
            required: true,
        }
    }

    /// An optional input.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!burr_core::InputSpec::optional("temperature").required);
    /// ```
    pub fn optional(name: impl Into<String>) -> Self {
        InputSpec {
            name: name.into(),
            required: false,
        }
    }
}

/// Runtime inputs, by name, as JSON values.
///
/// # Examples
///
/// ```
/// use burr_core::Inputs;
/// let inputs = Inputs::new().with("prompt", "hello").with("temperature", 0.5);
/// assert_eq!(inputs.get::<String>("act", "prompt").unwrap(), "hello");
/// assert_eq!(inputs.get_opt::<f64>("act", "top_p").unwrap(), None);
/// assert!(inputs.get::<u32>("act", "prompt").is_err());
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inputs {
    values: Map<String, Value>,
}

impl Inputs {
    /// No inputs.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(burr_core::Inputs::new().is_empty());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an input.
    ///
    /// # Examples
    ///
    /// ```
    /// let i = burr_core::Inputs::new().with("n", 1);
    /// assert!(i.contains("n"));
    /// ```
    #[must_use]
    pub fn with(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.values.insert(name.into(), value.into());
        self
    }

    /// Adds any serializable input.
    ///
    /// # Examples
    ///
    /// ```
    /// let i = burr_core::Inputs::new().try_with("v", &vec![1, 2]).unwrap();
    /// assert_eq!(i.get::<Vec<u8>>("a", "v").unwrap(), vec![1, 2]);
    /// ```
    pub fn try_with<T: Serialize + ?Sized>(
        mut self,
        name: impl Into<String>,
        value: &T,
    ) -> Result<Self, serde_json::Error> {
        self.values
            .insert(name.into(), serde_json::to_value(value)?);
        Ok(self)
    }

    /// Sets an input in place.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut i = burr_core::Inputs::new();
    /// i.insert("n", 2);
    /// assert_eq!(i.len(), 1);
    /// ```
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<Value>) {
        self.values.insert(name.into(), value.into());
    }

    /// Whether an input named `name` was given.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!burr_core::Inputs::new().contains("x"));
    /// ```
    pub fn contains(&self, name: &str) -> bool {
        self.values.contains_key(name)
    }

    /// Number of inputs.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(burr_core::Inputs::new().with("a", 1).len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether there are no inputs.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(burr_core::Inputs::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The raw JSON value of an input.
    ///
    /// # Examples
    ///
    /// ```
    /// let i = burr_core::Inputs::new().with("a", 1);
    /// assert_eq!(i.value("a"), Some(&serde_json::json!(1)));
    /// ```
    pub fn value(&self, name: &str) -> Option<&Value> {
        self.values.get(name)
    }

    /// The inputs as a JSON map.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(burr_core::Inputs::new().as_map().is_empty());
    /// ```
    pub fn as_map(&self) -> &Map<String, Value> {
        &self.values
    }

    /// Input names, in insertion order.
    ///
    /// # Examples
    ///
    /// ```
    /// let i = burr_core::Inputs::new().with("b", 1).with("a", 2);
    /// assert_eq!(i.names().collect::<Vec<_>>(), vec!["b", "a"]);
    /// ```
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.values.keys().map(String::as_str)
    }

    /// Reads the required input `name` of `action` as a `T`: a missing input is
    /// [`Error::MissingInputs`], a wrong type [`Error::InvalidInput`].
    ///
    /// # Examples
    ///
    /// ```
    /// let i = burr_core::Inputs::new().with("n", "x");
    /// assert!(i.get::<i32>("act", "n").unwrap_err().to_string().contains("`n`"));
    /// ```
    pub fn get<T: DeserializeOwned>(&self, action: &str, name: &str) -> Result<T, Error> {
        match self.get_opt(action, name)? {
            Some(v) => Ok(v),
            None => Err(Error::MissingInputs {
                action: action.to_string(),
                missing: vec![name.to_string()],
                given: self.names().map(str::to_string).collect(),
            }),
        }
    }

    /// Reads the optional input `name` of `action`: `None` when absent (or `null`).
    ///
    /// # Examples
    ///
    /// ```
    /// let i = burr_core::Inputs::new();
    /// assert_eq!(i.get_opt::<i32>("act", "n").unwrap(), None);
    /// ```
    pub fn get_opt<T: DeserializeOwned>(
        &self,
        action: &str,
        name: &str,
    ) -> Result<Option<T>, Error> {
        match self.values.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => T::deserialize(v)
                .map(Some)
                .map_err(|e| Error::InvalidInput {
                    action: action.to_string(),
                    input: name.to_string(),
                    expected: std::any::type_name::<T>().to_string(),
                    message: format!("got a {}: {e}", json_type_name(v)),
                }),
        }
    }

    /// Keeps only the inputs named in `specs` (undeclared inputs are dropped, as Burr does).
    pub(crate) fn filtered(&self, specs: &[InputSpec]) -> Inputs {
        if specs.is_empty() {
            return Inputs::new();
        }
        let mut values = Map::new();
        for spec in specs {
            if let Some(v) = self.values.get(&spec.name) {
                values.insert(spec.name.clone(), v.clone());
            }
        }
        Inputs { values }
    }
}

impl From<Map<String, Value>> for Inputs {
    fn from(values: Map<String, Value>) -> Self {
        Inputs { values }
    }
}

impl<K: Into<String>, V: Into<Value>> FromIterator<(K, V)> for Inputs {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Inputs {
            values: iter
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }
}

impl<K: Into<String>, V: Into<Value>, const N: usize> From<[(K, V); N]> for Inputs {
    fn from(pairs: [(K, V); N]) -> Self {
        pairs.into_iter().collect()
    }
}

/// Builds [`Inputs`] from `name: value` pairs. A value is any expression whose type converts
/// into a JSON value (`-1`, `f(x)`, `"text"`, `vec![1, 2]`); a value written in braces or
/// brackets is a JSON literal, as in `serde_json::json!` (`{"x": 1}`, `["a", {"b": 2}]`). For
/// other `Serialize` types use [`Inputs::try_with`].
///
/// # Examples
///
/// ```
/// let t = 0.2;
/// let i = burr_core::inputs! { prompt: "hi", temperature: t * 2.0, offset: -1, point: {"x": 1} };
/// assert_eq!(i.len(), 4);
/// assert_eq!(i.get::<i64>("act", "offset").unwrap(), -1);
/// ```
#[macro_export]
macro_rules! inputs {
    ($($pairs:tt)*) => {
        $crate::__with_pairs!(with; $crate::Inputs::new(); $($pairs)*)
    };
}

impl From<()> for Inputs {
    fn from(_: ()) -> Self {
        Inputs::new()
    }
}

impl From<&Inputs> for Inputs {
    fn from(i: &Inputs) -> Self {
        i.clone()
    }
}

#[cfg(all(test, target_pointer_width = "64"))]
mod tests {
    /// A step's output moves through the engine several times a step: it must stay within
    /// what moves without a call to `memcpy` (128 bytes on x86-64).
    #[test]
    fn a_step_output_moves_inline() {
        assert!(std::mem::size_of::<super::StepOutput>() <= 128);
    }
}
