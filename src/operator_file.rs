//! Reading a file the operator names (a request, an az ml YAML file, a config file): regular
//! files only, and no more than a limit per kind of file, so that `-f /dev/zero`, a FIFO or a
//! runaway file ends in a clear error instead of a hang or an out-of-memory abort.
//!
//! Errors are `io::Error`s, so callers keep their own "cannot read PATH: …" wording and their
//! handling of a missing file; the message says which rule was broken and the limit.

use std::fs::{File, Metadata};
use std::io::{self, Read};
use std::path::Path;

/// The most a kind of file may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileLimit {
    /// What the file is, for the error: "an az ml YAML file".
    pub what: &'static str,
    pub max_bytes: u64,
}

const MIB: u64 = 1024 * 1024;

/// `endpoint.yml`, `blue-deployment.yml`: a few hundred bytes in practice.
pub const AZ_ML_YAML: FileLimit = FileLimit {
    what: "an az ml YAML file",
    max_bytes: MIB,
};

/// A scoring request body: well above what an online endpoint accepts.
pub const SCORING_REQUEST: FileLimit = FileLimit {
    what: "a scoring request",
    max_bytes: 16 * MIB,
};

/// aml-rollout's own config file.
pub const CONFIG_FILE: FileLimit = FileLimit {
    what: "a config file",
    max_bytes: MIB,
};

/// The az CLI's files (`config`, `azureProfile.json`): they grow with the subscriptions.
pub const AZ_CLI_FILE: FileLimit = FileLimit {
    what: "an az CLI file",
    max_bytes: 16 * MIB,
};

/// The whole file, if it is a regular file within `limit`.
pub fn read(path: &Path, limit: FileLimit) -> io::Result<Vec<u8>> {
    // Checked before opening: opening a FIFO for reading waits for a writer.
    ensure_regular(&std::fs::metadata(path)?)?;
    let file = File::open(path)?;
    // Checked again on what was opened, in case the path changed in between.
    let metadata = file.metadata()?;
    ensure_regular(&metadata)?;
    if metadata.len() > limit.max_bytes {
        return Err(too_large(limit));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(metadata.len()).unwrap_or(0));
    // One byte past the limit tells a file that grew (or lied about its size) from one that
    // fits exactly.
    file.take(limit.max_bytes + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit.max_bytes {
        return Err(too_large(limit));
    }
    Ok(bytes)
}

/// Like [`read`], as UTF-8 text (`InvalidData` if it is not).
pub fn read_text(path: &Path, limit: FileLimit) -> io::Result<String> {
    String::from_utf8(read(path, limit)?).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("not valid UTF-8 ({} must be text)", limit.what),
        )
    })
}

fn ensure_regular(metadata: &Metadata) -> io::Result<()> {
    let file_type = metadata.file_type();
    let kind = if file_type.is_file() {
        return Ok(());
    } else if file_type.is_dir() {
        "a directory"
    } else {
        special_kind(file_type)
    };
    Err(io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("it is {kind}; aml-rollout reads only regular files"),
    ))
}

#[cfg(unix)]
fn special_kind(file_type: std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if file_type.is_fifo() {
        "a FIFO"
    } else if file_type.is_char_device() || file_type.is_block_device() {
        "a device"
    } else if file_type.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    }
}

#[cfg(not(unix))]
fn special_kind(_: std::fs::FileType) -> &'static str {
    "not a regular file"
}

fn too_large(limit: FileLimit) -> io::Error {
    io::Error::new(
        io::ErrorKind::FileTooLarge,
        format!(
            "larger than {} MiB, the limit for {}",
            limit.max_bytes / MIB,
            limit.what
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const TINY: FileLimit = FileLimit {
        what: "a test file",
        max_bytes: 8,
    };

    #[test]
    fn regular_files_within_the_limit_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"12345678").unwrap();
        assert_eq!(read(&path, TINY).unwrap(), b"12345678");
        assert_eq!(read_text(&path, TINY).unwrap(), "12345678");
    }

    #[test]
    fn a_file_over_the_limit_is_refused_and_names_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, vec![b'x'; 2 * MIB as usize]).unwrap();
        let e = read(&path, AZ_ML_YAML).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::FileTooLarge);
        assert_eq!(
            e.to_string(),
            "larger than 1 MiB, the limit for an az ml YAML file"
        );
    }

    #[cfg(unix)]
    #[test]
    fn devices_directories_and_fifos_are_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        for (path, kind) in [
            (Path::new("/dev/zero"), "a device"),
            (dir.path(), "a directory"),
            (fifo.as_path(), "a FIFO"),
        ] {
            let e = read(path, TINY).unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::InvalidInput, "{path:?}");
            assert!(e.to_string().contains(kind), "{path:?}: {e}");
        }
    }

    #[test]
    fn missing_files_keep_their_error_kind() {
        let e = read(Path::new("/nonexistent/aml-rollout"), TINY).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::NotFound);
    }

    #[test]
    fn text_must_be_utf8() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"\xff\xfe").unwrap();
        assert_eq!(
            read_text(&path, TINY).unwrap_err().kind(),
            io::ErrorKind::InvalidData
        );
    }
}
