//! aml-rollout: a terminal console for safe blue/green rollouts of Azure Machine Learning online
//! endpoints, with a local emulator of the Azure ML management API.

pub mod azure;
pub mod config;
pub mod emulator;
pub mod logstream;
pub mod rollout;
