//! Helpers shared by the codec test files; each file uses only some of them.
#![allow(dead_code)]

pub mod samples;
pub mod strategies;
