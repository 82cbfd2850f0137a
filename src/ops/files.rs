//! Reading an operator's file (a YAML spec, a scoring request): a regular file only, and only
//! up to a size, so that `-f /dev/zero` ends in a clear error instead of eating memory.

use std::io::Read;
use std::path::Path;

use super::error::{OpsError, OpsResult};

/// The largest scoring request sent (the scoring answer has the same cap).
pub const MAX_REQUEST_FILE_BYTES: u64 = 1024 * 1024;
/// The largest az ml YAML spec read; real ones are a few kilobytes.
pub(super) const MAX_SPEC_FILE_BYTES: u64 = 1024 * 1024;

/// Reads `path` whole, refusing devices, FIFOs, directories and anything over `cap` bytes.
pub fn read_operator_file(path: &Path, cap: u64) -> OpsResult<Vec<u8>> {
    let shown = path.display();
    let refuse = |why: String| OpsError::File(format!("cannot read {shown}: {why}"));
    let meta = std::fs::metadata(path).map_err(|e| refuse(e.to_string()))?;
    if !meta.is_file() {
        return Err(refuse(
            "not a regular file (devices, pipes and directories are refused)".to_string(),
        ));
    }
    if meta.len() > cap {
        return Err(refuse(format!(
            "{} bytes is over the limit of {cap} bytes",
            meta.len()
        )));
    }
    let file = std::fs::File::open(path).map_err(|e| refuse(e.to_string()))?;
    let mut bytes = Vec::new();
    // The file may grow between the check and the read.
    file.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| refuse(e.to_string()))?;
    if bytes.len() as u64 > cap {
        return Err(refuse(format!("over the limit of {cap} bytes")));
    }
    Ok(bytes)
}

/// Reads a text file (UTF-8) under the spec cap.
pub(super) fn read_spec_file(path: &Path) -> OpsResult<String> {
    let bytes = read_operator_file(path, MAX_SPEC_FILE_BYTES)?;
    String::from_utf8(bytes)
        .map_err(|_| OpsError::File(format!("cannot read {}: not UTF-8 text", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_directories_and_oversized_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let small = dir.path().join("r.json");
        std::fs::write(&small, b"{}").unwrap();
        assert_eq!(read_operator_file(&small, 10).unwrap(), b"{}");
        let big = dir.path().join("big.json");
        std::fs::write(&big, vec![b' '; 11]).unwrap();
        let message = read_operator_file(&big, 10).unwrap_err().to_string();
        assert!(message.contains("over the limit of 10 bytes"), "{message}");
        let message = read_operator_file(dir.path(), 10).unwrap_err().to_string();
        assert!(message.contains("not a regular file"), "{message}");
        #[cfg(unix)]
        {
            let message = read_operator_file(Path::new("/dev/zero"), 10)
                .unwrap_err()
                .to_string();
            assert!(message.contains("not a regular file"), "{message}");
        }
    }
}
