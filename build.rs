//! Builds the pages' front-end assets from npm: `npm ci` on `web/package-lock.json`
//! (installed under the target directory, and only again when `web/package.json`
//! or the lockfile change), then copies the files the pages load (the
//! playground's GraphiQL bundle and style sheet, React and ReactDOM; the
//! dashboard's graphql-ws client) into `OUT_DIR`, where `src/http/playground.rs`
//! and `src/http/dashboard.rs` embed them with `include_bytes!`.
//!
//! When npm is missing (or `npm ci` fails) the build still succeeds: it sets no
//! `newsgraph_offline_playground` cfg, passes the reason in
//! `NEWSGRAPH_PLAYGROUND_FALLBACK`, and the server serves a page that loads
//! GraphiQL from a CDN (and says so in its start-up log). `NEWSGRAPH_NPM`
//! names the npm to run (`none` forces the fallback).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The files the pages load: (name in OUT_DIR and in `/assets/`, path under node_modules).
const ASSETS: [(&str, &str); 5] = [
    ("react.production.min.js", "react/umd/react.production.min.js"),
    ("react-dom.production.min.js", "react-dom/umd/react-dom.production.min.js"),
    ("graphiql.min.js", "graphiql/graphiql.min.js"),
    ("graphiql.min.css", "graphiql/graphiql.min.css"),
    ("graphql-ws.min.js", "graphql-ws/umd/graphql-ws.min.js"),
];

const MANIFESTS: [&str; 2] = ["package.json", "package-lock.json"];

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    for manifest in MANIFESTS {
        println!("cargo:rerun-if-changed=web/{manifest}");
    }
    println!("cargo:rerun-if-env-changed=NEWSGRAPH_NPM");
    println!("cargo:rustc-check-cfg=cfg(newsgraph_offline_playground)");

    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let web = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR")).join("web");
    match build_assets(&web, &out) {
        Ok(()) => println!("cargo:rustc-cfg=newsgraph_offline_playground"),
        Err(reason) => {
            let reason = reason.replace(['\n', '\r'], " ");
            println!("cargo:warning=the playground will load GraphiQL from a CDN: {reason}");
            println!("cargo:rustc-env=NEWSGRAPH_PLAYGROUND_FALLBACK={reason}");
        }
    }
}

fn build_assets(web: &Path, out: &Path) -> Result<(), String> {
    let npm = std::env::var("NEWSGRAPH_NPM").unwrap_or_else(|_| "npm".into());
    if npm.is_empty() || npm == "none" {
        return Err("NEWSGRAPH_NPM=none at build time".into());
    }
    match Command::new(&npm).arg("--version").output() {
        Ok(output) if output.status.success() => {}
        Ok(_) => return Err(format!("`{npm} --version` failed at build time")),
        Err(error) => return Err(format!("npm was not found at build time ({npm}: {error})")),
    }

    let cache = cache_dir(out);
    let modules = cache.join("node_modules");
    let current = |name: &str| {
        let (Ok(ours), Ok(installed)) = (fs::read(web.join(name)), fs::read(cache.join(name))) else {
            return false;
        };
        ours == installed
    };
    let installed = MANIFESTS.iter().all(|m| current(m)) && ASSETS.iter().all(|(_, from)| modules.join(from).is_file());
    if !installed {
        fs::create_dir_all(&cache).map_err(|e| format!("creating {}: {e}", cache.display()))?;
        // The manifests last: they mark a finished install.
        for manifest in MANIFESTS {
            let _ = fs::remove_file(cache.join(manifest));
        }
        let staging = cache.join("staging");
        fs::create_dir_all(&staging).map_err(|e| format!("creating {}: {e}", staging.display()))?;
        for manifest in MANIFESTS {
            fs::copy(web.join(manifest), staging.join(manifest)).map_err(|e| format!("copying web/{manifest}: {e}"))?;
        }
        let output = Command::new(&npm)
            .args(["ci", "--ignore-scripts", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"])
            .current_dir(&staging)
            .output()
            .map_err(|e| format!("running `{npm} ci`: {e}"))?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let tail: String =
                stderr.lines().rev().take(5).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join(" | ");
            return Err(format!("`{npm} ci` in web/ failed ({}): {tail}", output.status));
        }
        let _ = fs::remove_dir_all(&modules);
        fs::rename(staging.join("node_modules"), &modules).map_err(|e| format!("moving node_modules: {e}"))?;
        for manifest in MANIFESTS {
            fs::copy(web.join(manifest), cache.join(manifest)).map_err(|e| format!("recording web/{manifest}: {e}"))?;
        }
        let _ = fs::remove_dir_all(&staging);
    }

    let dest = out.join("web");
    fs::create_dir_all(&dest).map_err(|e| format!("creating {}: {e}", dest.display()))?;
    for (name, from) in ASSETS {
        let source = modules.join(from);
        let bytes = fs::read(&source).map_err(|e| format!("reading {}: {e}", source.display()))?;
        fs::write(dest.join(name), without_source_map(bytes)).map_err(|e| format!("writing {name}: {e}"))?;
    }
    Ok(())
}

/// Where `npm ci` installs: `<target>/<profile>/newsgraph-web`, next to the
/// `build/` directory that holds `OUT_DIR`, so that it outlives a rebuild of
/// this crate (cargo locks that directory, so two builds never share it at once).
fn cache_dir(out: &Path) -> PathBuf {
    out.ancestors()
        .find(|dir| dir.file_name().is_some_and(|name| name == "build"))
        .and_then(Path::parent)
        .map(|profile| profile.join("newsgraph-web"))
        .unwrap_or_else(|| out.join("newsgraph-web"))
}

/// Drops the trailing `sourceMappingURL` comment: the maps are not served.
fn without_source_map(mut bytes: Vec<u8>) -> Vec<u8> {
    let tail = bytes.len().saturating_sub(512);
    for marker in [&b"//# sourceMappingURL="[..], b"/*# sourceMappingURL="] {
        if let Some(at) = bytes[tail..].windows(marker.len()).position(|window| window == marker) {
            bytes.truncate(tail + at);
            break;
        }
    }
    bytes
}
