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
pub mod codec;
mod connection;
pub mod packet;
pub mod reason;
mod session;
pub mod time;
pub mod topic;

pub use bytes::Bytes;
pub use client::*;
pub use codec::{encode, DecodeError, Decoder, EncodeError};
pub use core::time::Duration;
pub use packet::*;
pub use reason::ReasonContext;
pub use time::Instant;
pub use topic::{matches, validate_topic_filter, validate_topic_name, TopicError};
