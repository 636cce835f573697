//! The long-running service: serves the built site, `/healthz` and
//! `/metrics`.

pub mod http;
pub mod metrics;
pub mod site;
