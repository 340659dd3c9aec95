//! Test support shared by the integration tests.
#![allow(dead_code)] // each test crate uses a different part of it

pub mod pair;
