//! A two-node ejabberd cluster on loopback (Debian's package `ejabberd`, 23.01): MQTT 3.1.1 and
//! 5.0 through its `mod_mqtt`, over TCP and over WebSocket (`mod_mqtt_ws`, at `/mqtt` of an
//! `ejabberd_http` listener), the nodes joined with `ejabberdctl join_cluster`.
//!
//! Everything is its own: a scratch directory per node (configuration, Mnesia database, logs),
//! node names with this process's id, a random Erlang cookie, and an `epmd` of its own on a
//! free port (`ERL_EPMD_PORT`), so it meets neither a system ejabberd nor another cluster, and
//! all of it (epmd included) stops when the `EjabberdCluster` is dropped. Each node runs `erl`
//! directly as the current user: `ejabberdctl` would, as root, run it through `su` as the
//! user `ejabberd`, and a signal to `ejabberdctl` would not reach the node. Administration
//! (`join_cluster`, `list_cluster`) goes through ejabberd's own `ejabberd_ctl` module, exactly
//! as `ejabberdctl` calls it.
//!
//! ejabberd 23.01 needs a user name and a password in CONNECT, even with anonymous logins
//! (ejabberd issue #3985): with `auth_method: anonymous` any pair is accepted, so clients pass
//! `USERNAME`/`PASSWORD`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::brokers::{accepts, free_ports, Process, ScratchDir};

/// What clients of the cluster log in with (any pair is accepted, an absent one is not).
pub const USERNAME: &str = "tester";
pub const PASSWORD: &str = "cluster";
/// The WebSocket path of each node's `mod_mqtt` handler.
pub const WS_PATH: &str = "mqtt";
/// The session expiry a node grants at most (mod_mqtt's `session_expiry`), in seconds.
pub const SESSION_EXPIRY: u32 = 300;

const EPMD: &str = "/usr/bin/epmd";
const ERL: &str = "/usr/bin/erl";
/// How long a `join_cluster` (the joining node restarts its ejabberd) may take.
const JOIN_TIMEOUT: Duration = Duration::from_secs(30);

/// One node: its name, its listeners (on 127.0.0.1) and, while it runs, its process.
pub struct EjabberdNode {
    /// The Erlang node name, `mqtt-<letter>-<pid>-<n>@localhost`.
    pub name: String,
    pub tcp_port: u16,
    pub ws_port: u16,
    dir: ScratchDir,
    process: Option<Process>,
    runs: u32,
}

impl EjabberdNode {
    /// `ws://127.0.0.1:<port>/mqtt`.
    pub fn ws_url(&self) -> String {
        format!("ws://127.0.0.1:{}/{WS_PATH}", self.ws_port)
    }

    pub fn is_running(&self) -> bool {
        self.process.is_some()
    }

    /// ejabberd's own log (all runs).
    pub fn log(&self) -> String {
        fs::read_to_string(self.dir.path().join("ejabberd.log")).unwrap_or_default()
    }

    fn config(&self) -> String {
        format!(
            "hosts:\n  - localhost\n\
             loglevel: info\n\
             log_rotate_count: 0\n\
             auth_method: [anonymous]\n\
             anonymous_protocol: login_anon\n\
             listen:\n\
             \x20 - port: {tcp}\n    ip: \"127.0.0.1\"\n    module: mod_mqtt\n\
             \x20 - port: {ws}\n    ip: \"127.0.0.1\"\n    module: ejabberd_http\n\
             \x20   request_handlers:\n      /{WS_PATH}: mod_mqtt\n\
             modules:\n\
             \x20 mod_mqtt:\n    session_expiry: {SESSION_EXPIRY}\n",
            tcp = self.tcp_port,
            ws = self.ws_port,
        )
    }
}

/// Two ejabberd nodes in one cluster, and their epmd.
pub struct EjabberdCluster {
    /// Node A (the first started, which B joined) and node B.
    pub nodes: [EjabberdNode; 2],
    cookie: String,
    epmd_port: u16,
    erl_libs: PathBuf,
    // Dropped after the nodes (fields drop in order), so they can still unregister.
    _epmd: Process,
    _dir: ScratchDir,
    ctl_calls: AtomicUsize,
}

impl EjabberdCluster {
    /// Starts epmd, node A and node B on free ports, and joins B to A; panics, with the
    /// nodes' output, if that fails.
    pub fn start() -> EjabberdCluster {
        let erl_libs = erl_libs();
        let dir = ScratchDir::new("ejabberd-epmd");
        let [epmd_port, a_tcp, a_ws, b_tcp, b_ws] = free_ports();
        let mut epmd = Command::new(EPMD);
        epmd.args(["-port", &epmd_port.to_string()])
            .env("ERL_EPMD_ADDRESS", "127.0.0.1");
        die_with_parent(&mut epmd);
        let epmd = Process::start("epmd", epmd, &[epmd_port], dir.path().join("epmd.log"));
        static CLUSTERS: AtomicUsize = AtomicUsize::new(0);
        let serial = CLUSTERS.fetch_add(1, Ordering::Relaxed);
        let node = |letter: &str, tcp_port, ws_port| EjabberdNode {
            name: format!("mqtt-{letter}-{}-{serial}@localhost", std::process::id()),
            tcp_port,
            ws_port,
            dir: ScratchDir::new(&format!("ejabberd-{letter}")),
            process: None,
            runs: 0,
        };
        let mut cluster = EjabberdCluster {
            nodes: [node("a", a_tcp, a_ws), node("b", b_tcp, b_ws)],
            cookie: random_cookie(),
            epmd_port,
            erl_libs,
            _epmd: epmd,
            _dir: dir,
            ctl_calls: AtomicUsize::new(0),
        };
        cluster.launch(0);
        cluster.launch(1);
        let a = cluster.nodes[0].name.clone();
        if let Err(why) = cluster.ctl(1, &["join_cluster", &a]) {
            panic!(
                "node B did not join node A: {why}\n--- node B's log ---\n{}",
                cluster.nodes[1].log()
            );
        }
        // join_cluster restarts ejabberd on B: wait until it serves again and both nodes see
        // each other.
        let deadline = Instant::now() + JOIN_TIMEOUT;
        loop {
            let members = cluster.members(0);
            if members.len() == 2
                && cluster.ctl(1, &["status"]).is_ok()
                && [cluster.nodes[1].tcp_port, cluster.nodes[1].ws_port]
                    .into_iter()
                    .all(accepts)
            {
                return cluster;
            }
            if Instant::now() > deadline {
                panic!(
                    "the cluster did not form within {JOIN_TIMEOUT:?} (node A lists {members:?})\n\
                     --- node B's log ---\n{}",
                    cluster.nodes[1].log()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The nodes the running node `index` counts in its cluster (`ejabberdctl list_cluster`).
    pub fn members(&self, index: usize) -> Vec<String> {
        self.ctl(index, &["list_cluster"])
            .map(|listed| listed.lines().map(str::to_owned).collect())
            .unwrap_or_default()
    }

    /// SIGKILL to node `index`, as a crash or an out-of-memory kill would: no goodbye to its
    /// clients or to the other node. Returns once the other node (if it runs) has counted it
    /// out of the cluster: in the few milliseconds before, ejabberd 23.01 still routes a
    /// publish to the dead node as well, and the publisher's session crashes on the failed
    /// call (`mod_mqtt_mnesia:mqtree_multi_match`, a badmatch), closing its connection.
    pub fn kill(&mut self, index: usize) {
        let Some(mut process) = self.nodes[index].process.take() else {
            return;
        };
        process.kill();
        let other = 1 - index;
        if !self.nodes[other].is_running() {
            return;
        }
        let deadline = Instant::now() + JOIN_TIMEOUT;
        while self.members(other).contains(&self.nodes[index].name) {
            assert!(
                Instant::now() < deadline,
                "node {} still counts the killed node {} in the cluster",
                self.nodes[other].name,
                self.nodes[index].name
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Starts node `index` again (after `kill`) with its database, so it is back in the
    /// cluster, and waits until the other node counts it again.
    pub fn restart(&mut self, index: usize) {
        self.kill(index);
        self.launch(index);
        let deadline = Instant::now() + JOIN_TIMEOUT;
        while self.members(1 - index).len() != 2 {
            assert!(
                Instant::now() < deadline,
                "node {} did not rejoin the cluster; its log:\n{}",
                self.nodes[index].name,
                self.nodes[index].log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn launch(&mut self, index: usize) {
        let node = &self.nodes[index];
        let dir = node.dir.path();
        fs::write(dir.join("ejabberd.yml"), node.config()).expect("write ejabberd.yml");
        let mut command = self.erl(&node.name, dir);
        command
            .env("EJABBERD_CONFIG_PATH", dir.join("ejabberd.yml"))
            .env("EJABBERD_LOG_PATH", dir.join("ejabberd.log"))
            .args(["-noinput", "-mnesia", "dir"])
            .arg(format!("\"{}\"", dir.join("database").display()))
            .args(["-s", "ejabberd"]);
        let output = dir.join(format!("erl-{}.log", node.runs + 1));
        let process = Process::start(
            &format!("ejabberd node {}", node.name),
            command,
            &[node.tcp_port, node.ws_port],
            output,
        );
        let node = &mut self.nodes[index];
        node.runs += 1;
        node.process = Some(process);
    }

    /// `erl` as `ejabberdctl` starts it: ejabberd's libraries, our epmd and cookie, the
    /// distribution on loopback only, no crash dump.
    fn erl(&self, name: &str, home: &Path) -> Command {
        let mut command = Command::new(ERL);
        command
            .current_dir(home)
            .env("HOME", home)
            .env("ERL_LIBS", &self.erl_libs)
            .env("ERL_EPMD_PORT", self.epmd_port.to_string())
            .env("ERL_CRASH_DUMP_BYTES", "0")
            .args([
                "-sname",
                name,
                "-setcookie",
                &self.cookie,
                "-start_epmd",
                "false",
            ])
            .args(["-kernel", "inet_dist_use_interface", "{127,0,0,1}"]);
        die_with_parent(&mut command);
        command
    }

    /// An `ejabberdctl` command on node `index`: its output, or why it failed.
    pub fn ctl(&self, index: usize, arguments: &[&str]) -> Result<String, String> {
        let call = self.ctl_calls.fetch_add(1, Ordering::Relaxed);
        let name = format!("ctl-{}-{call}@localhost", std::process::id());
        let mut command = self.erl(&name, self._dir.path());
        command
            .args(["-hidden", "-noinput", "-s", "ejabberd_ctl", "-extra"])
            .arg(&self.nodes[index].name)
            .args(arguments)
            .stdin(Stdio::null());
        let output = command
            .output()
            .map_err(|error| format!("cannot run {ERL}: {error}"))?;
        let text = String::from_utf8_lossy(&output.stdout).trim().to_owned();
        if output.status.success() {
            Ok(text)
        } else {
            Err(format!(
                "ejabberdctl {} exited with {}: {text} {}",
                arguments.join(" "),
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            ))
        }
    }

    /// `ejabberd 23.01-1` (from the running node A, or B if A is down).
    pub fn version(&self) -> String {
        let index = if self.nodes[0].is_running() { 0 } else { 1 };
        let status = self.ctl(index, &["status"]).unwrap_or_default();
        // "The node … is started with status: started\nejabberd 23.01-1 is running in that node"
        status
            .lines()
            .find_map(|line| line.strip_suffix(" is running in that node"))
            .unwrap_or("ejabberd")
            .to_owned()
    }
}

impl Drop for EjabberdCluster {
    /// On a failure, the end of each node's log (its `Process` shows only erl's own output).
    fn drop(&mut self) {
        if std::thread::panicking() {
            for node in &self.nodes {
                let log = node.log();
                let lines: Vec<&str> = log.lines().collect();
                let tail = lines[lines.len().saturating_sub(40)..].join("\n");
                eprintln!("--- the end of {}'s ejabberd.log ---\n{tail}", node.name);
            }
        }
    }
}

/// Where Debian's ejabberd has its Erlang applications (`/usr/lib/<triplet>`, as `ejabberdctl`
/// sets ERL_LIBS): the directory holding `ejabberd-<version>/`.
fn erl_libs() -> PathBuf {
    let found = fs::read_dir("/usr/lib").ok().and_then(|entries| {
        entries.flatten().map(|entry| entry.path()).find(|dir| {
            fs::read_dir(dir).is_ok_and(|mut inside| {
                inside.any(|entry| {
                    entry.is_ok_and(|entry| {
                        let name = entry.file_name();
                        let name = name.to_string_lossy();
                        name.starts_with("ejabberd-") && entry.path().join("ebin").is_dir()
                    })
                })
            })
        })
    });
    found.unwrap_or_else(|| {
        panic!("ejabberd is not installed (no /usr/lib/*/ejabberd-*/ebin): apt-get install ejabberd (scripts/test does)")
    })
}

/// SIGKILL to the child when the thread that started it ends, the launcher killed with it (a
/// node or epmd would otherwise outlive a `test-ejabberd` that was itself SIGKILLed).
fn die_with_parent(command: &mut Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: prctl is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        command.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) == 0 {
                Ok(())
            } else {
                Err(std::io::Error::last_os_error())
            }
        });
    }
}

/// 32 hexadecimal digits from the kernel's random source.
fn random_cookie() -> String {
    let bytes = fs::read("/proc/sys/kernel/random/uuid").expect("read a random uuid");
    String::from_utf8_lossy(&bytes).trim().replace('-', "")
}
