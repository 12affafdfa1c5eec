//! LLM calls as spans that carry the OpenTelemetry GenAI semantic conventions.
//!
//! [`Tracer::llm_call`] opens a span named `"{operation} {model}"` (`"chat gpt-4o-mini"`)
//! with the request's attributes; [`LlmCall::finish`] logs the response's (tokens, cost,
//! finish reasons) and ends it. The attributes are logged under the OpenTelemetry names
//! (`gen_ai.usage.input_tokens`, ...) and under the names Apache Burr's Insights view sums
//! (`gen_ai.usage.prompt_tokens`, `gen_ai.usage.completion_tokens`,
//! `gen_ai.response.model`), so one call shows in an OpenTelemetry backend (with the `otel`
//! feature) and in the tracking UI alike. [`keys`] lists every name.
//!
//! # Examples
//!
//! ```
//! use burr_core::genai::{LlmRequest, LlmResponse};
//!
//! fn answer(tracer: &burr_core::Tracer, question: &str) -> String {
//!     let call = tracer.llm_call(&LlmRequest::chat("openai", "gpt-4o-mini").temperature(0.2));
//!     let reply = format!("You asked: {question}"); // the model's answer
//!     call.finish(
//!         &LlmResponse::new()
//!             .input_tokens(12)
//!             .output_tokens(5)
//!             .cost_usd(0.000_01)
//!             .finish_reason("stop"),
//!     );
//!     reply
//! }
//! assert_eq!(answer(&burr_core::Tracer::noop(), "hi"), "You asked: hi");
//! ```

use serde_json::Value;

use crate::context::{SpanGuard, Tracer};

/// The attribute names an LLM call logs.
pub mod keys {
    /// The operation (`chat`, `text_completion`, `embeddings`, ...).
    pub const OPERATION_NAME: &str = "gen_ai.operation.name";
    /// The provider (`openai`, `anthropic`, `aws.bedrock`, ...).
    pub const PROVIDER_NAME: &str = "gen_ai.provider.name";
    /// The provider under its former semantic-convention name, still read by many backends.
    pub const SYSTEM: &str = "gen_ai.system";
    /// The model asked for.
    pub const REQUEST_MODEL: &str = "gen_ai.request.model";
    /// The sampling temperature asked for.
    pub const REQUEST_TEMPERATURE: &str = "gen_ai.request.temperature";
    /// The most tokens the answer may have.
    pub const REQUEST_MAX_TOKENS: &str = "gen_ai.request.max_tokens";
    /// The model that answered (also what Apache Burr's Insights prices).
    pub const RESPONSE_MODEL: &str = "gen_ai.response.model";
    /// The provider's id of the answer.
    pub const RESPONSE_ID: &str = "gen_ai.response.id";
    /// Why the model stopped, one reason per choice.
    pub const FINISH_REASONS: &str = "gen_ai.response.finish_reasons";
    /// Tokens in the prompt.
    pub const INPUT_TOKENS: &str = "gen_ai.usage.input_tokens";
    /// Tokens in the answer.
    pub const OUTPUT_TOKENS: &str = "gen_ai.usage.output_tokens";
    /// Tokens in the prompt, under the name Apache Burr's Insights sums.
    pub const PROMPT_TOKENS: &str = "gen_ai.usage.prompt_tokens";
    /// Tokens in the answer, under the name Apache Burr's Insights sums.
    pub const COMPLETION_TOKENS: &str = "gen_ai.usage.completion_tokens";
    /// What the call cost, in US dollars.
    pub const COST_USD: &str = "gen_ai.usage.cost";
}

/// What an LLM call asks for: the operation, the provider and the model, and the sampling
/// settings that matter when reading a trace.
///
/// # Examples
///
/// ```
/// use burr_core::genai::LlmRequest;
///
/// let request = LlmRequest::new("embeddings", "openai", "text-embedding-3-small");
/// assert_eq!(request.span_name(), "embeddings text-embedding-3-small");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct LlmRequest {
    operation: String,
    provider: String,
    model: String,
    temperature: Option<f64>,
    max_tokens: Option<u64>,
}

impl LlmRequest {
    /// A request of `operation` (`chat`, `text_completion`, `embeddings`, ...) to `model`
    /// of `provider`.
    ///
    /// # Examples
    ///
    /// ```
    /// let request = burr_core::genai::LlmRequest::new("chat", "anthropic", "claude-sonnet");
    /// assert_eq!(request.span_name(), "chat claude-sonnet");
    /// ```
    pub fn new(
        operation: impl Into<String>,
        provider: impl Into<String>,
        model: impl Into<String>,
    ) -> Self {
        LlmRequest {
            operation: operation.into(),
            provider: provider.into(),
            model: model.into(),
            temperature: None,
            max_tokens: None,
        }
    }

    /// A `chat` request.
    ///
    /// # Examples
    ///
    /// ```
    /// let request = burr_core::genai::LlmRequest::chat("openai", "gpt-4o-mini");
    /// assert_eq!(request.span_name(), "chat gpt-4o-mini");
    /// ```
    pub fn chat(provider: impl Into<String>, model: impl Into<String>) -> Self {
        LlmRequest::new("chat", provider, model)
    }

    /// The sampling temperature asked for.
    ///
    /// # Examples
    ///
    /// ```
    /// let request = burr_core::genai::LlmRequest::chat("openai", "gpt-4o").temperature(0.0);
    /// # let _ = request;
    /// ```
    pub fn temperature(mut self, temperature: f64) -> Self {
        self.temperature = Some(temperature);
        self
    }

    /// The most tokens the answer may have.
    ///
    /// # Examples
    ///
    /// ```
    /// let request = burr_core::genai::LlmRequest::chat("openai", "gpt-4o").max_tokens(256);
    /// # let _ = request;
    /// ```
    pub fn max_tokens(mut self, max_tokens: u64) -> Self {
        self.max_tokens = Some(max_tokens);
        self
    }

    /// The span's name, as the conventions have it: `"{operation} {model}"`.
    ///
    /// # Examples
    ///
    /// ```
    /// let request = burr_core::genai::LlmRequest::chat("openai", "gpt-4o");
    /// assert_eq!(request.span_name(), "chat gpt-4o");
    /// ```
    pub fn span_name(&self) -> String {
        format!("{} {}", self.operation, self.model)
    }

    /// The attributes the request logs.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::genai::{keys, LlmRequest};
    ///
    /// let attributes = LlmRequest::chat("openai", "gpt-4o").attributes();
    /// assert!(attributes.contains(&(keys::REQUEST_MODEL, "gpt-4o".into())));
    /// ```
    pub fn attributes(&self) -> Vec<(&'static str, Value)> {
        let mut out = vec![
            (keys::OPERATION_NAME, Value::from(self.operation.as_str())),
            (keys::PROVIDER_NAME, Value::from(self.provider.as_str())),
            (keys::SYSTEM, Value::from(self.provider.as_str())),
            (keys::REQUEST_MODEL, Value::from(self.model.as_str())),
        ];
        if let Some(t) = self.temperature {
            out.push((keys::REQUEST_TEMPERATURE, Value::from(t)));
        }
        if let Some(m) = self.max_tokens {
            out.push((keys::REQUEST_MAX_TOKENS, Value::from(m)));
        }
        out
    }
}

/// What an LLM call answered: the model, token counts, cost and finish reasons (each
/// optional: log what the provider reports).
///
/// # Examples
///
/// ```
/// use burr_core::genai::{keys, LlmResponse};
///
/// let response = LlmResponse::new().input_tokens(10).output_tokens(3);
/// let attributes = response.attributes("gpt-4o");
/// assert!(attributes.contains(&(keys::PROMPT_TOKENS, 10.into())));
/// assert!(attributes.contains(&(keys::RESPONSE_MODEL, "gpt-4o".into())));
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LlmResponse {
    model: Option<String>,
    id: Option<String>,
    input_tokens: Option<u64>,
    output_tokens: Option<u64>,
    cost_usd: Option<f64>,
    finish_reasons: Vec<String>,
}

impl LlmResponse {
    /// A response with nothing reported yet.
    ///
    /// # Examples
    ///
    /// ```
    /// let response = burr_core::genai::LlmResponse::new();
    /// assert_eq!(response.attributes("m").len(), 1); // just the model
    /// ```
    pub fn new() -> Self {
        LlmResponse::default()
    }

    /// The model that answered, when the provider names it (else the request's is logged).
    ///
    /// # Examples
    ///
    /// ```
    /// let response = burr_core::genai::LlmResponse::new().model("gpt-4o-2024-08-06");
    /// # let _ = response;
    /// ```
    pub fn model(mut self, model: impl Into<String>) -> Self {
        self.model = Some(model.into());
        self
    }

    /// The provider's id of the answer.
    ///
    /// # Examples
    ///
    /// ```
    /// let response = burr_core::genai::LlmResponse::new().id("chatcmpl-123");
    /// # let _ = response;
    /// ```
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// Tokens in the prompt.
    ///
    /// # Examples
    ///
    /// ```
    /// let response = burr_core::genai::LlmResponse::new().input_tokens(120);
    /// # let _ = response;
    /// ```
    pub fn input_tokens(mut self, tokens: u64) -> Self {
        self.input_tokens = Some(tokens);
        self
    }

    /// Tokens in the answer.
    ///
    /// # Examples
    ///
    /// ```
    /// let response = burr_core::genai::LlmResponse::new().output_tokens(40);
    /// # let _ = response;
    /// ```
    pub fn output_tokens(mut self, tokens: u64) -> Self {
        self.output_tokens = Some(tokens);
        self
    }

    /// What the call cost, in US dollars.
    ///
    /// # Examples
    ///
    /// ```
    /// let response = burr_core::genai::LlmResponse::new().cost_usd(0.0004);
    /// # let _ = response;
    /// ```
    pub fn cost_usd(mut self, cost: f64) -> Self {
        self.cost_usd = Some(cost);
        self
    }

    /// Why the model stopped (`stop`, `length`, `tool_calls`, ...); once per choice.
    ///
    /// # Examples
    ///
    /// ```
    /// let response = burr_core::genai::LlmResponse::new().finish_reason("stop");
    /// # let _ = response;
    /// ```
    pub fn finish_reason(mut self, reason: impl Into<String>) -> Self {
        self.finish_reasons.push(reason.into());
        self
    }

    /// The attributes the response logs; `request_model` stands in for the model when the
    /// response names none.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::genai::{keys, LlmResponse};
    ///
    /// let attributes = LlmResponse::new().output_tokens(7).attributes("gpt-4o");
    /// assert!(attributes.contains(&(keys::OUTPUT_TOKENS, 7.into())));
    /// assert!(attributes.contains(&(keys::COMPLETION_TOKENS, 7.into())));
    /// ```
    pub fn attributes(&self, request_model: &str) -> Vec<(&'static str, Value)> {
        let model = self.model.as_deref().unwrap_or(request_model);
        let mut out = vec![(keys::RESPONSE_MODEL, Value::from(model))];
        if let Some(id) = &self.id {
            out.push((keys::RESPONSE_ID, Value::from(id.as_str())));
        }
        if let Some(n) = self.input_tokens {
            out.push((keys::INPUT_TOKENS, Value::from(n)));
            out.push((keys::PROMPT_TOKENS, Value::from(n)));
        }
        if let Some(n) = self.output_tokens {
            out.push((keys::OUTPUT_TOKENS, Value::from(n)));
            out.push((keys::COMPLETION_TOKENS, Value::from(n)));
        }
        if let Some(cost) = self.cost_usd {
            out.push((keys::COST_USD, Value::from(cost)));
        }
        if !self.finish_reasons.is_empty() {
            out.push((
                keys::FINISH_REASONS,
                Value::from(self.finish_reasons.clone()),
            ));
        }
        out
    }
}

/// An LLM call in progress: a span opened by [`Tracer::llm_call`], ended by
/// [`LlmCall::finish`] (or when dropped, for a call that failed).
///
/// # Examples
///
/// ```
/// use burr_core::genai::{LlmRequest, LlmResponse};
///
/// let call = burr_core::Tracer::noop().llm_call(&LlmRequest::chat("openai", "gpt-4o"));
/// call.span().log_attribute("prompt", "hello");
/// call.finish(&LlmResponse::new().output_tokens(1));
/// ```
#[derive(Debug)]
#[must_use = "the call's span ends when it is dropped"]
pub struct LlmCall {
    span: SpanGuard,
    model: String,
}

impl LlmCall {
    /// The call's span, to log more attributes on (the prompt, say).
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::genai::LlmRequest;
    ///
    /// let call = burr_core::Tracer::noop().llm_call(&LlmRequest::chat("openai", "gpt-4o"));
    /// assert!(call.span().id().is_none()); // a no-op tracer records nothing
    /// ```
    pub fn span(&self) -> &SpanGuard {
        &self.span
    }

    /// Logs what the call answered and ends its span.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::genai::{LlmRequest, LlmResponse};
    ///
    /// let call = burr_core::Tracer::noop().llm_call(&LlmRequest::chat("openai", "gpt-4o"));
    /// call.finish(&LlmResponse::new().input_tokens(3).output_tokens(2));
    /// ```
    pub fn finish(self, response: &LlmResponse) {
        self.span.log_attributes(response.attributes(&self.model));
    }

    /// Logs why the call failed (as `error.type`, which OpenTelemetry export turns into an
    /// error status) and ends its span.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::genai::LlmRequest;
    ///
    /// let call = burr_core::Tracer::noop().llm_call(&LlmRequest::chat("openai", "gpt-4o"));
    /// call.fail("rate_limited");
    /// ```
    pub fn fail(self, error_type: &str) {
        self.span.log_attribute("error.type", error_type);
    }
}

impl Tracer {
    /// Opens the span of an LLM call, named and described as the GenAI semantic conventions
    /// say (see [`crate::genai`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::genai::{LlmRequest, LlmResponse};
    ///
    /// let call = burr_core::Tracer::noop().llm_call(&LlmRequest::chat("openai", "gpt-4o"));
    /// call.finish(&LlmResponse::new().finish_reason("stop"));
    /// ```
    pub fn llm_call(&self, request: &LlmRequest) -> LlmCall {
        let span = self.span(&request.span_name());
        span.log_attributes(request.attributes());
        LlmCall {
            span,
            model: request.model.clone(),
        }
    }
}
