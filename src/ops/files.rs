//! The operator's files as the workflows read them: through the one capped reader
//! (`operator_file`), with failures as refusals that say nothing was sent.

use std::path::Path;

use crate::operator_file::{self, AZ_ML_YAML, SCORING_REQUEST};

use super::error::{OpsError, OpsResult};

fn refused(path: &Path, error: std::io::Error) -> OpsError {
    OpsError::File(format!(
        "cannot read {}: {error}; nothing was sent",
        path.display()
    ))
}

/// A scoring request body.
pub fn read_request_file(path: &Path) -> OpsResult<Vec<u8>> {
    operator_file::read(path, SCORING_REQUEST).map_err(|e| refused(path, e))
}

/// An az ml YAML spec.
pub(super) fn read_spec_file(path: &Path) -> OpsResult<String> {
    operator_file::read_text(path, AZ_ML_YAML).map_err(|e| refused(path, e))
}
