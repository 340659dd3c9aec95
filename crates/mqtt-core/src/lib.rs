//! The sans-IO MQTT 3.1.1 / 5.0 client core.
//!
//! Bytes received, user commands and the current time go in through `handle_*` calls and
//! commands; bytes to send, transport commands, events and the next deadline come out through
//! `poll_*` calls. No clock, no entropy source, no I/O, no callbacks: the browser driver and
//! the native tests are its callers. See ARCHITECTURE.md.
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

mod backoff;
mod client;
pub mod codec;
mod connection;
pub mod error;
pub mod event;
pub mod options;
pub mod packet;
pub mod reason;
pub mod scram;
mod session;
pub mod time;
mod timer;
pub mod topic;

pub use bytes::Bytes;
pub use client::Client;
pub use codec::{encode, DecodeError, Decoder, EncodeError};
pub use core::time::Duration;
pub use error::*;
pub use event::*;
pub use options::*;
pub use packet::*;
pub use reason::ReasonContext;
pub use time::Instant;
pub use topic::{matches, validate_topic_filter, validate_topic_name, FilterSet, TopicError};
