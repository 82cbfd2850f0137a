//! aml-rollout: a terminal console for safe blue/green rollouts of Azure Machine Learning online
//! endpoints, with a local emulator of the Azure ML management API.

pub mod app;
pub mod azure;
pub mod config;
pub mod console;
pub mod emulator;
pub mod journal;
pub mod logstream;
pub mod operator_file;
pub mod ops;
pub mod rollout;
pub mod tui;
pub mod ui;
pub mod worker;
