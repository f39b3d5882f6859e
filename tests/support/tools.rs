//! Builds the project's Go tools (`tools/<name>`) into the test target
//! directory. Go's build cache makes a rebuild of an unchanged tool take about
//! a second. When Go is missing or the build fails, the test that needs the
//! tool fails with the reason: it never skips.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Builds `tools/<name>` and returns the binary's path.
pub fn build(name: &str) -> PathBuf {
    let tools = Path::new(env!("CARGO_MANIFEST_DIR")).join("tools");
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("tools").join(format!("newsgraph-{name}"));
    let started = Instant::now();
    let status = Command::new("go")
        .args(["build", "-o"])
        .arg(&out)
        .arg(format!("./{name}"))
        .current_dir(&tools)
        .status()
        .unwrap_or_else(|e| panic!("these tests need Go (1.24 or newer) on PATH to build tools/{name}: {e}"));
    assert!(status.success(), "building tools/{name} failed ({status}); see the Go output above");
    if started.elapsed() > Duration::from_secs(10) {
        eprintln!("built tools/{name} in {:.0?}", started.elapsed());
    }
    out
}
