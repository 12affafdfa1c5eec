#![doc = include_str!("../README.md")]

mod attr;
mod expand;
mod item;
mod streaming;
mod typed;
mod validate;

use proc_macro::TokenStream;

/// Turns a function into an action.
///
/// ```text
/// #[action(reads = [key, ...], writes = [key, ...], tags = [tag, ...])]
/// ```
///
/// Keys are identifiers (`count`) or string literals (`"chat history"`); every argument is
/// optional. The function stays as written and directly callable. Beside it the attribute
/// declares a hidden unit struct of the same name (structs with braces live in the type
/// namespace, so the two coexist) that implements [`Action`](../burr/trait.Action.html):
/// `actions![increment]` and `with_action("increment", increment {})` use it.
///
/// # The function
///
/// - **First parameter: the state**, any name, of type `State`. The action sees only the
///   keys in `reads` (plus what it wrote); writing a key not in `writes`, or leaving one of
///   `writes` unwritten, fails the step with an error naming the action and the key.
/// - **Every other parameter is a runtime input** named after the parameter and
///   deserialized from the inputs given to `step`/`run`: `Option<T>` makes it optional, any
///   other type required. A missing input is `Error::MissingInputs`, a value of the wrong
///   type `Error::InvalidInput` naming the input.
/// - **Injected parameters** are not inputs: `&Tracer` (or `Tracer`) receives the step's
///   tracer, `&ActionContext` (or `ActionContext`) the step's context.
/// - **It returns** `State`, or `(R, State)` where `R` is a [`ResultMap`] or any `Serialize`
///   value that serializes to a JSON object (the step's result), or a `Result` of either whose
///   error is any `std::error::Error + Send + Sync` (or an `ActionError`): the step then fails
///   with `Error::ActionFailed`, whose source is that error.
/// - It may be `async`; the application then runs it with `step_async`/`run_async`/`iterate_async`.
///
/// The generated struct also has `bind`, which fixes some inputs ahead of time (Burr's
/// `bind`: `increment::bind([("by", 10)])`), and `action()`, the action as an
/// `Arc<dyn Action>`.
///
/// [`ResultMap`]: ../burr/type.ResultMap.html
///
/// An action is a free function (in a module or a function body, not in an `impl` block,
/// where the struct could not be declared), not generic, with plain parameter names.
///
/// # Checked at compile time
///
/// Besides the arguments and the signature, a state key written as a string literal in a
/// call on the state parameter must be declared: `state.get("cont")` with `cont` not in
/// `reads` (or `writes`), or `state.update("total", ..)` with `total` not in `writes`, is a
/// compile error pointing at the literal. Keys computed at run time are checked when the
/// action runs.
///
/// # Examples
///
/// A counter that counts to 10:
///
/// ```
/// use burr::prelude::*;
///
/// #[action(reads = [count], writes = [count])]
/// fn increment(state: State) -> Result<State, ActionError> {
///     let count: i64 = state.get("count")?;
///     Ok(state.update("count", count + 1))
/// }
///
/// #[action(reads = [count], writes = [])]
/// fn done(state: State) -> State {
///     state
/// }
///
/// let mut app = ApplicationBuilder::new()
///     .with_actions(actions![increment, done])
///     .with_transition("increment", "increment", expr("count < 10")?)
///     .with_transition("increment", "done", default())
///     .with_state(state! { count: 0 })
///     .with_entrypoint("increment")
///     .build()?;
/// let out = app.run(halt_after(["done"]), Inputs::new())?;
/// assert_eq!(out.state.get::<i64>("count")?, 10);
/// # Ok::<(), Error>(())
/// ```
///
/// Inputs, a result, and a bound input:
///
/// ```
/// use burr::prelude::*;
///
/// #[action(reads = [total], writes = [total])]
/// fn add(state: State, amount: i64, note: Option<String>) -> (ResultMap, State) {
///     let total = state.get::<i64>("total").unwrap_or(0) + amount;
///     let mut result = ResultMap::new();
///     result.insert("note".into(), note.unwrap_or_default().into());
///     (result, state.update("total", total))
/// }
///
/// assert_eq!(add {}.inputs().len(), 2);
/// let add_five = add::bind([("amount", 5)]);
/// assert_eq!(add_five.inputs().len(), 1); // only `note` is left
/// ```
///
/// A key that is not declared does not compile:
///
/// ```compile_fail
/// use burr::prelude::*;
///
/// #[action(reads = [count], writes = [count])]
/// fn increment(state: State) -> State {
///     state.update("cuont", 1)
/// }
/// ```
///
/// # Typed actions
///
/// With `state = S`, where `S` derives `TypedState`, `reads` and `writes` name fields of `S`
/// and the function works on typed values, without keys and without `?` per read:
///
/// ```text
/// #[action(state = S, reads = [field, ...], writes = [field, ...], tags = [...])]
/// fn name(s: Reads, inputs...) -> Writes
/// ```
///
/// - **`Reads`** (optional, first) is a struct generated for the action with one field per
///   declared read, of the field's type in `S`, read from the state before the call.
/// - **`Writes`** is a struct with one field per declared write, all required; the action
///   returns it (or `(R, Writes)` with a result `R`, or a `Result` of either), and each
///   field is written by its update rule (`#[burr(append)]`...).
/// - Runtime inputs and the injected `&Tracer`/`&ActionContext` are as above.
/// - The names `Reads` and `Writes` are the action's own inside its signature and body.
///
/// Each declared read is deserialized into its field before every call; a field the action
/// only appends to (or adds to, merges into) need not be read: its rule combines with the
/// stored value without the action seeing it.
///
/// Checked at compile time, each at the token at fault: a field of `reads`/`writes` that `S`
/// does not have (the message lists the fields of `S`); `s.field` for a field not in
/// `reads`, and a `Writes { .. }` field not in `writes` (the messages list the declared
/// ones); a `Writes { .. }` that leaves a declared write out; the type of every read and
/// write. At run time, as for every action: a stored value that does not deserialize into
/// its field fails the step with `Error::TypedState` naming the field, and the engine checks
/// what the action wrote against `writes`.
///
/// ```
/// use burr::prelude::*;
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Serialize, Deserialize, TypedState)]
/// struct Chat {
///     #[burr(append)]
///     history: Vec<String>,
///     prompt: String,
/// }
///
/// #[action(state = Chat, reads = [prompt], writes = [history])]
/// fn echo(chat: Reads, times: Option<usize>) -> Writes {
///     Writes { history: vec![chat.prompt.repeat(times.unwrap_or(1))] }
/// }
///
/// let mut app = ApplicationBuilder::new()
///     .with_actions(actions![echo])
///     .with_typed_state(&Chat { history: vec![], prompt: "ab".into() })
///     .with_entrypoint("echo")
///     .build()?;
/// app.step_with(&inputs! { times: 2 })?;
/// assert_eq!(app.typed_state::<Chat>()?.history, ["abab"]);
/// # Ok::<(), Error>(())
/// ```
///
/// Reading a field the action did not declare does not compile:
///
/// ```compile_fail
/// use burr::prelude::*;
///
/// #[derive(serde::Serialize, serde::Deserialize, TypedState)]
/// struct Chat { prompt: String, history: Vec<String> }
///
/// #[action(state = Chat, reads = [prompt], writes = [])]
/// fn peek(chat: Reads) -> Writes {
///     let _ = chat.history;
///     Writes {}
/// }
/// ```
#[proc_macro_attribute]
pub fn action(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::action(args.into(), item.into()).into()
}

/// Derives `TypedState`: the struct becomes an application's state, declared once.
///
/// ```text
/// #[derive(Serialize, Deserialize, TypedState)]
/// struct ChatState {
///     #[burr(append)]                 // what an action writes is appended
///     history: Vec<Message>,
///     #[burr(add)]                    // ... added
///     turns: u32,
///     #[burr(merge)]                  // ... merged, key by key
///     scores: BTreeMap<String, f64>,
///     #[burr(reduce = keep_longest)]  // ... combined by `fn(stored, written) -> new`
///     best: String,
///     response: Option<String>,       // no rule: replaced
/// }
/// ```
///
/// The map form of the struct (what the engine, hooks, trackers and persisters see) is the
/// JSON object serde writes for it: one state key per field, under the field's name, its
/// `#[serde(rename = "..")]` or the struct's `#[serde(rename_all = "..")]`. Reading it back names the field that is missing or does not
/// deserialize (`TypedStateError`); a missing `Option` field is `None`, a missing field with
/// `#[serde(default)]` (or `default = "path"`) gets its default.
///
/// The update rules apply when an action writes the field; the state an application starts
/// with (`with_typed_state`) is taken as it is. A rule that cannot combine two values (an
/// overflowing `add`) fails the step, naming the field.
///
/// Serde attributes that change how a field is stored (`flatten`, `skip`, `with`,
/// `skip_serializing_if`...) are refused with the reason, as are enums, tuple structs and
/// generic structs: each field is one key, read and written on its own.
///
/// # Examples
///
/// ```
/// use burr::prelude::*;
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Debug, PartialEq, Serialize, Deserialize, TypedState)]
/// struct Counter {
///     #[burr(add)]
///     count: i64,
///     #[serde(rename = "last seen")]
///     last: Option<String>,
/// }
///
/// let state = State::from_typed(&Counter { count: 1, last: None })?;
/// assert_eq!(state.to_json(), serde_json::json!({"count": 1, "last seen": null}));
/// assert_eq!(state.to_typed::<Counter>()?, Counter { count: 1, last: None });
///
/// let err = state.update("count", "one").to_typed::<Counter>().unwrap_err();
/// assert_eq!(err.field(), "count");
/// # Ok::<(), burr::TypedStateError>(())
/// ```
///
/// A field stored as something else than its own key does not compile:
///
/// ```compile_fail
/// use burr::prelude::*;
///
/// #[derive(serde::Serialize, serde::Deserialize, TypedState)]
/// struct Chat {
///     #[serde(skip)]
///     cache: Vec<u8>,
/// }
/// ```
#[proc_macro_derive(TypedState, attributes(burr))]
pub fn derive_typed_state(input: TokenStream) -> TokenStream {
    typed::derive(input.into()).into()
}

/// Records a span each time the function is called inside an action (Burr's `@trace`).
///
/// ```text
/// #[trace(capture_inputs = true, capture_outputs = true, input_filterlist = [param, ...], span_name = "name")]
/// ```
///
/// Inside a running action (of an application with a tracker or hooks) a call opens a span
/// named `span_name` (default: the function's name), nested under the span current at the
/// call, and logs as attributes:
///
/// - each argument by parameter name, except `self` and those in `input_filterlist`, unless
///   `capture_inputs = false`. A value is logged as JSON when its type implements
///   `Serialize`, else as its `Debug` text, else as a placeholder naming its type;
/// - `__burr_function`, the function's path (`module_path!()` and its name), and
///   `__burr_function_hash`, the sha256 of its source text, computed when compiling;
/// - `return`, the returned value, unless `capture_outputs = false`.
///
/// The span ends when the call returns. For an `async fn` the span follows the future: it is
/// current only while the future is polled, so traced futures run concurrently in one action
/// (`tokio::join!`) each get their own span.
///
/// The body of a traced `async fn` runs as an `async` block: an early `return` that needs an
/// unsizing coercion (to a `Box<dyn Trait>`) must say so with `as`.
///
/// Outside an action the function just runs: the cost is one thread-local read per call.
/// A future handed to `tokio::spawn` runs outside the action, so calls inside it record
/// nothing. Works on free functions and methods (`&self`), sync and async; not on `const fn`.
///
/// # Examples
///
/// ```
/// use burr::prelude::*;
///
/// #[trace(input_filterlist = ["api_key"])]
/// fn call_model(prompt: &str, api_key: &str) -> String {
///     let _ = api_key;
///     format!("echo: {prompt}")
/// }
///
/// #[action(reads = [prompt], writes = [reply])]
/// fn respond(state: State) -> Result<State, ActionError> {
///     let prompt: String = state.get("prompt")?;
///     Ok(state.update("reply", call_model(&prompt, "secret")))
/// }
///
/// // Outside an action, a traced function is an ordinary function.
/// assert_eq!(call_model("hi", "k"), "echo: hi");
///
/// let mut app = ApplicationBuilder::new()
///     .with_actions(actions![respond])
///     .with_state(state! { prompt: "hello" })
///     .with_entrypoint("respond")
///     .build()?;
/// app.step()?;
/// assert_eq!(app.state().get::<String>("reply")?, "echo: hello");
/// # Ok::<(), Error>(())
/// ```
///
/// On an `async fn` and a method:
///
/// ```
/// use burr::trace;
///
/// struct Retriever;
///
/// impl Retriever {
///     #[trace(span_name = "retrieve", capture_outputs = false)]
///     async fn fetch(&self, query: String) -> Vec<String> {
///         vec![query]
///     }
/// }
/// # let _ = Retriever.fetch(String::new());
/// ```
#[proc_macro_attribute]
pub fn trace(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::trace(args.into(), item.into()).into()
}

/// Turns a function into a streaming action: it pushes intermediate items (tokens, partial
/// results) through an emitter and returns its final state, like an `#[action]` function.
///
/// ```text
/// #[streaming_action(reads = [key, ...], writes = [key, ...], tags = [tag, ...])]
/// ```
///
/// The arguments, the state parameter, inputs, injected `&Tracer`/`&ActionContext`, the
/// return types and the reads/writes checks are those of `#[action]`. One more parameter,
/// anywhere after the state, is the emitter (from `burr::stream`):
///
/// - a sync function takes `emit: &Emitter` and calls `emit.item(json!({..}))?`;
/// - an `async fn` takes `emit: AsyncEmitter` (or `&AsyncEmitter`) and calls
///   `emit.item(json!({..})).await?`.
///
/// Each item is a JSON object. `Application::stream_result` (or `stream_result_async`) hands the
/// items to the caller as they are emitted; the state advances when the function returns.
/// The function runs lazily: a sync one on its own thread, one item ahead of the consumer at
/// most; an async one only while the consumer polls. When the consumer drops the stream,
/// `emit.item` returns an error, and `?` ends the function. Run with `step`/`run`, the items
/// are dropped and only the final state counts.
///
/// # Examples
///
/// ```
/// use burr::prelude::*;
/// use burr::stream::Emitter;
/// use serde_json::json;
///
/// #[streaming_action(reads = [prompt], writes = [reply])]
/// fn reply(state: State, emit: &Emitter) -> Result<State, ActionError> {
///     let prompt: String = state.get("prompt")?;
///     let mut reply = String::new();
///     for word in prompt.split(' ') {
///         emit.item(json!({ "token": word }))?;
///         reply.push_str(word);
///     }
///     Ok(state.update("reply", reply))
/// }
///
/// let mut app = ApplicationBuilder::new()
///     .with_actions(actions![reply])
///     .with_state(state! { prompt: "hello there" })
///     .with_entrypoint("reply")
///     .build()?;
/// let (_, mut stream) = app.stream_result(halt_after(["reply"]), ())?;
/// let tokens: Vec<String> = stream.by_ref().map(|i| i["token"].as_str().unwrap().to_string()).collect();
/// assert_eq!(tokens, ["hello", "there"]);
/// let (_, state) = stream.finish()?;
/// assert_eq!(state.get::<String>("reply")?, "hellothere");
/// # Ok::<(), Error>(())
/// ```
#[proc_macro_attribute]
pub fn streaming_action(args: TokenStream, item: TokenStream) -> TokenStream {
    streaming::streaming_action(args.into(), item.into()).into()
}
