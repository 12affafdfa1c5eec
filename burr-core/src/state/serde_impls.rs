//! Serde: a state serializes as its JSON object and deserializes from one.

use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{PRIOR_STEP_KEY, SEQUENCE_ID_KEY, State};

impl Serialize for State {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.len()))?;
        for (k, f) in self.ordered() {
            map.serialize_entry(&**k, f)?;
        }
        if let Some(seq) = self.sequence_id.filter(|_| self.visible(SEQUENCE_ID_KEY)) {
            map.serialize_entry(SEQUENCE_ID_KEY, &seq)?;
        }
        if let Some(p) = self
            .prior_step
            .as_ref()
            .filter(|_| self.visible(PRIOR_STEP_KEY))
        {
            map.serialize_entry(PRIOR_STEP_KEY, p.as_str())?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for State {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let map = Map::<String, Value>::deserialize(d)?;
        Ok(State::from_map(map))
    }
}
