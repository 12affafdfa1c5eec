//! [`GraphOptions`]: what a picture of a graph shows, whatever its format.

/// What [`Graph::to_dot_with`](crate::Graph::to_dot_with),
/// [`Graph::to_mermaid_with`](crate::Graph::to_mermaid_with) and
/// [`Graph::to_svg_with`](crate::Graph::to_svg_with) draw besides the actions and transitions:
/// the options of Apache Burr's `visualize`.
///
/// # Examples
///
/// ```
/// let o = burr_core::GraphOptions::new().conditions(true).inputs(false);
/// assert!(o.include_conditions && !o.include_inputs && !o.include_state);
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct GraphOptions {
    /// Label conditional edges with their condition.
    pub include_conditions: bool,
    /// Label actions with their reads and writes: `name(r1, r2): w1`.
    pub include_state: bool,
    /// Draw each action's runtime inputs as nodes pointing at it (on by default).
    pub include_inputs: bool,
}

/// The former name of [`GraphOptions`].
pub type DotOptions = GraphOptions;

impl Default for GraphOptions {
    fn default() -> Self {
        GraphOptions {
            include_conditions: false,
            include_state: false,
            include_inputs: true,
        }
    }
}

impl GraphOptions {
    /// Default options: no condition labels, no state, inputs drawn.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(burr_core::GraphOptions::new().include_inputs);
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets [`GraphOptions::include_conditions`].
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(burr_core::GraphOptions::new().conditions(true).include_conditions);
    /// ```
    #[must_use]
    pub fn conditions(mut self, on: bool) -> Self {
        self.include_conditions = on;
        self
    }

    /// Sets [`GraphOptions::include_state`].
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(burr_core::GraphOptions::new().state(true).include_state);
    /// ```
    #[must_use]
    pub fn state(mut self, on: bool) -> Self {
        self.include_state = on;
        self
    }

    /// Sets [`GraphOptions::include_inputs`].
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!burr_core::GraphOptions::new().inputs(false).include_inputs);
    /// ```
    #[must_use]
    pub fn inputs(mut self, on: bool) -> Self {
        self.include_inputs = on;
        self
    }
}
