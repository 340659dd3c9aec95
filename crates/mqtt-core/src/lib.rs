//! The sans-IO MQTT 3.1.1 / 5.0 client core.
//!
//! Bytes received, user commands and the current time go in through `handle_*` calls and
//! commands; bytes to send, transport commands, events and the next deadline come out through
//! `poll_*` calls. No clock, no randomness, no I/O, no callbacks: the browser driver and the
//! native tests are its callers. See ARCHITECTURE.md.
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

mod backoff;
pub mod client;
mod connection;
pub mod packet;
mod session;
pub mod time;

pub use bytes::Bytes;
pub use client::*;
pub use core::time::Duration;
pub use packet::*;
pub use time::Instant;
