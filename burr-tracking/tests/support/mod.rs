//! What the tests of burr-tracking share: skipping (or failing) when a service is missing,
//! Python with Apache Burr, Burr's own server, plain HTTP on the loopback, and temporary
//! tracking roots.
//!
//! Each test file declares `mod support;` and uses the parts it needs.
#![allow(dead_code)]

pub(crate) mod burr_server;
pub(crate) mod counter;
pub(crate) mod http;
#[cfg(feature = "object-store")]
pub(crate) mod moto;
#[cfg(feature = "server")]
pub(crate) mod oneshot;
pub(crate) mod python;
pub(crate) mod roots;
#[cfg(feature = "sqlite")]
pub(crate) mod sinks;

use std::fmt::Display;

/// Whether `BURR_REQUIRE_SERVICES=1`: a test whose service or tool is missing then fails
/// instead of skipping (CI sets it).
pub(crate) fn services_required() -> bool {
    std::env::var("BURR_REQUIRE_SERVICES").as_deref() == Ok("1")
}

/// Skips the test `what` because `why`: prints "skipping: ..." and returns `None`, or panics
/// when [`services_required`].
pub(crate) fn skip<T>(what: &str, why: impl Display) -> Option<T> {
    assert!(
        !services_required(),
        "{what} cannot run (BURR_REQUIRE_SERVICES=1): {why}"
    );
    eprintln!("skipping: {what}: {why}");
    None
}

/// Skips a test because `service` (PostgreSQL, Redis) is unreachable (see [`skip`]).
pub(crate) fn service_unreachable<T>(service: &str, err: impl Display) -> Option<T> {
    skip(service, format_args!("unreachable ({err})"))
}
