//! API tests: the whole local system (embedded store, local keyring, simulators, demo data)
//! driven through its router with `oneshot`, as a browser would.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod helpers;
mod logs;
mod persons;
mod questionnaires;
mod resident;
mod schedule;
mod staff;
