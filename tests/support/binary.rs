//! The `newsgraph` binary as a child process serving a data directory, for tests
//! that SIGKILL a server and start it again on the same files.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// `newsgraph serve` on a free port, without seeding, with `api_keys` as its
/// `NEWSGRAPH_API_KEYS`.
pub struct ServerProcess {
    child: Child,
    /// `http://<address>`.
    pub base: String,
}

impl ServerProcess {
    pub fn start(data_dir: &std::path::Path, api_keys: &str) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_newsgraph"))
            .arg("serve")
            .arg("--data-dir")
            .arg(data_dir)
            .args(["--no-seed", "--bind", "127.0.0.1:0", "--workers", "2"])
            .env("NEWSGRAPH_API_KEYS", api_keys)
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("starting newsgraph");
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        // Read the address, then keep draining so that logging never blocks.
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(rest) = line.split("serving on http://").nth(1) {
                    let address = rest.split_whitespace().next().unwrap_or("").to_owned();
                    let _ = tx.send(address);
                }
            }
        });
        let address = rx.recv_timeout(Duration::from_secs(60)).expect("newsgraph did not say where it listens");
        Self { child, base: format!("http://{address}") }
    }

    /// SIGKILL, and reap it.
    pub fn kill(&mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().unwrap();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Polls `until` every 10 ms for at most a minute; panics naming `what` after that.
pub async fn wait_for(what: &str, mut until: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !until() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
