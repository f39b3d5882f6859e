//! The machine line printed beside every speed or memory figure: `nproc`, the
//! CPU model and the load average (benches and measuring examples).

/// `nproc`, the CPU model and the load average.
pub fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name").and_then(|rest| rest.split_once(':')).map(|(_, m)| m.trim()))
        .unwrap_or("unknown CPU")
        .to_owned();
    format!("nproc {cores}, {model}, load average {}", load())
}

/// The 1, 5 and 15 minute load averages.
pub fn load() -> String {
    let raw = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    raw.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
}
