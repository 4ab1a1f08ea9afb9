//! One check as a lab declares it: an id, exactly one kind, and the fields
//! every kind shares.
//!
//! ```yaml
//! - id: tomcat-latest-pulled
//!   image: { ref: "tomcat:latest", present: true }
//!   remember: true
//!   hint: { en: "Run `docker pull tomcat`.", zh-CN: "运行 `docker pull tomcat`。" }
//! ```
//!
//! The kind is the one key that is not a shared field; which keys are kinds
//! is decided in one place, [`crate::checks::CheckKind`].

use crate::checks::CheckKind;
use crate::lang::Text;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use std::fmt;

/// Fields every check has besides its kind.
const SHARED: &[&str] = &["id", "hint", "remember", "timeout"];

#[derive(Debug, Clone)]
pub struct Check {
    /// Unique within its step.
    pub id: String,
    /// What it checks, and how.
    pub kind: CheckKind,
    /// Shown when this check fails: the fix for the mistake it detects.
    pub hint: Option<Text>,
    /// Once passed, a later run accepts lab's journal as evidence when the
    /// live state has moved on (the learner pulled, then removed on purpose).
    pub remember: bool,
    /// Seconds before the check gives up with an error (default: the run's).
    pub timeout: Option<u64>,
}

impl<'de> Deserialize<'de> for Check {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(CheckVisitor)
    }
}

struct CheckVisitor;

impl<'de> Visitor<'de> for CheckVisitor {
    type Value = Check;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "a check: `id`, one check kind ({}) and optionally {}",
            CheckKind::NAMES.join(", "),
            SHARED[1..].join(", ")
        )
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Check, A::Error> {
        let mut id: Option<String> = None;
        let mut hint = None;
        let mut remember = false;
        let mut remembered = false;
        let mut timeout = None;
        let mut kind: Option<CheckKind> = None;
        while let Some(key) = map.next_key::<String>()? {
            // A shared field twice is an error, as serde's derive says it
            // (the second would silently win).
            let twice = match key.as_str() {
                "id" => id.is_some(),
                "hint" => hint.is_some(),
                "remember" => remembered,
                "timeout" => timeout.is_some(),
                _ => false,
            };
            if twice {
                return Err(de::Error::duplicate_field(
                    SHARED.iter().find(|s| **s == key).copied().unwrap_or("id"),
                ));
            }
            match key.as_str() {
                "id" => id = Some(map.next_value()?),
                "hint" => hint = Some(map.next_value()?),
                "remember" => {
                    remembered = true;
                    remember = map.next_value()?
                }
                "timeout" => timeout = Some(map.next_value()?),
                name => {
                    if let Some(first) = &kind {
                        return Err(de::Error::custom(format!(
                            "a check has exactly one kind, but this one has `{}` and `{name}`: split it into two checks",
                            first.name()
                        )));
                    }
                    kind = Some(CheckKind::from_map(name, &mut map)?);
                }
            }
        }
        let id = id.ok_or_else(|| de::Error::missing_field("id"))?;
        let kind = kind.ok_or_else(|| {
            de::Error::custom(format!(
                "check `{id}` has no kind: add one of {}",
                CheckKind::NAMES.join(", ")
            ))
        })?;
        Ok(Check {
            id,
            kind,
            hint,
            remember,
            timeout,
        })
    }
}

/// The error for a key that is neither a shared field nor a kind.
pub fn unknown_key<E: de::Error>(name: &str) -> E {
    E::custom(format!(
        "unknown check kind or field `{name}`: expected one of {}, {}",
        SHARED.join(", "),
        CheckKind::NAMES.join(", ")
    ))
}
