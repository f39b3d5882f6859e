//! Builds the project's FerretDB starter (`tools/ferretdb`, Go) and runs it on a
//! loopback port with a throw-away data directory.
//!
//! The process holds a pipe to its stdin; when the test process exits, the
//! pipe closes and FerretDB stops, so nothing is left running. When Go is
//! missing or the build fails, the tests that need FerretDB fail with the
//! reason: they never skip.

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The built starter, once per test process.
pub fn binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| super::tools::build("ferretdb"))
}

/// A running FerretDB process.
pub struct FerretDb {
    child: Mutex<Option<(Child, ChildStdin)>>,
    address: Mutex<String>,
    data_dir: PathBuf,
    remove_on_exit: bool,
}

impl FerretDb {
    /// Starts FerretDB on `listen` (use `127.0.0.1:0` for a free port) with its data in `data_dir`.
    /// With `remove_on_exit`, the data directory is deleted when the process ends.
    pub fn start(listen: &str, data_dir: &Path, remove_on_exit: bool) -> Self {
        let server = Self {
            child: Mutex::new(None),
            address: Mutex::new(String::new()),
            data_dir: data_dir.to_path_buf(),
            remove_on_exit,
        };
        server.spawn(listen);
        server
    }

    fn spawn(&self, listen: &str) {
        let mut child = Command::new(binary())
            .arg("-listen")
            .arg(listen)
            .arg("-data")
            .arg(&self.data_dir)
            .args(["-log-level", "error"])
            .args(self.remove_on_exit.then_some("-remove-data-on-exit"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start FerretDB: {e}"));
        let stdin = child.stdin.take().expect("FerretDB stdin");
        let stdout = child.stdout.take().expect("FerretDB stdout");
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).expect("reading FerretDB's start-up line");
        let address = line
            .trim()
            .strip_prefix("ferretdb listening on ")
            .unwrap_or_else(|| panic!("FerretDB did not start: {line:?}"))
            .to_owned();
        wait_for_port(&address);
        *self.address.lock().unwrap() = address;
        *self.child.lock().unwrap() = Some((child, stdin));
    }

    /// The `host:port` it listens on.
    pub fn address(&self) -> String {
        self.address.lock().unwrap().clone()
    }

    /// A MongoDB URI for it; short timeouts so that a stopped server is noticed quickly.
    pub fn uri(&self) -> String {
        format!("mongodb://{}/?directConnection=true", self.address())
    }

    /// Kills the process (SIGKILL) and waits for it.
    pub fn kill(&self) {
        if let Some((mut child, _stdin)) = self.child.lock().unwrap().take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same address and data.
    pub fn restart(&self) {
        self.kill();
        let address = self.address();
        self.spawn(&address);
    }

    /// Sends a signal to the process (`STOP` to stall it, `CONT` to resume it).
    pub fn signal(&self, signal: &str) {
        let guard = self.child.lock().unwrap();
        let (child, _) = guard.as_ref().expect("FerretDB is not running");
        let status =
            Command::new("kill").arg(format!("-{signal}")).arg(child.id().to_string()).status().expect("running kill");
        assert!(status.success());
    }
}

impl Drop for FerretDb {
    fn drop(&mut self) {
        self.kill();
    }
}

/// One FerretDB for the whole test process, on a free port, data in a temp dir.
pub fn shared() -> &'static FerretDb {
    static SHARED: OnceLock<FerretDb> = OnceLock::new();
    SHARED.get_or_init(|| {
        let dir =
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("ferretdb-data").join(format!("shared-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        FerretDb::start("127.0.0.1:0", &dir, true)
    })
}

fn wait_for_port(address: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(address).is_err() {
        assert!(Instant::now() < deadline, "FerretDB did not open {address} within 30 s");
        std::thread::sleep(Duration::from_millis(50));
    }
}
