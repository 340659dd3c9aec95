//! Brokers and peers as child processes on free loopback ports, killed (SIGKILL) and reaped on
//! drop, so a failing test leaves nothing running.

use std::fs;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime};

/// How long a broker may take to open its ports: an ejabberd node's Erlang VM took over 10 s on
/// this 2-core machine under load (seconds without it).
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// Debian's Mosquitto (package `mosquitto`): the one place its path is written.
pub const MOSQUITTO: &str = "/usr/sbin/mosquitto";

/// A child process that is killed when dropped. Its output goes to `log`.
pub struct Process {
    name: String,
    child: Option<Child>,
    log: PathBuf,
}

impl Process {
    /// Starts `command` and waits until every port in `ports` accepts connections.
    pub fn start(name: &str, mut command: Command, ports: &[u16], log: PathBuf) -> Process {
        let log_file = fs::File::create(&log).expect("create a log file");
        let stderr = log_file.try_clone().expect("share the log file");
        let child = command
            .stdin(Stdio::null())
            .stdout(log_file)
            .stderr(stderr)
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {name}: {error}"));
        let mut process = Process {
            name: name.to_string(),
            child: Some(child),
            log,
        };
        process.wait_for_ports(ports);
        process
    }

    fn wait_for_ports(&mut self, ports: &[u16]) {
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Some(Ok(Some(status))) = self.child.as_mut().map(Child::try_wait) {
                self.child = None;
                panic!(
                    "{} exited with {status}; its output:\n{}",
                    self.name,
                    self.log()
                );
            }
            if ports.iter().all(|port| accepts(*port)) {
                return;
            }
            if Instant::now() > deadline {
                self.kill();
                panic!(
                    "{} did not open ports {ports:?} within {START_TIMEOUT:?}; its output:\n{}",
                    self.name,
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// SIGKILL, no goodbye: what a crash or an out-of-memory kill looks like.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub fn log(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill();
        if std::thread::panicking() {
            eprintln!("--- {} output ---\n{}", self.name, self.log());
        }
    }
}

/// Whether something accepts TCP connections on 127.0.0.1:`port` now. A connection from the
/// port to itself is not one: the ports tests pick are in the ephemeral range, where Linux may
/// give a connect the very port it asks for, and TCP then connects the socket to itself (seen
/// here after ~8,000 tries at a closed port; the likely cause of a run in which aedes was
/// found started but every connection to it was refused).
pub fn accepts(port: u16) -> bool {
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    TcpStream::connect_timeout(&address, Duration::from_millis(100))
        .is_ok_and(|stream| stream.local_addr().ok() != Some(address))
}

/// Distinct ports that were free a moment ago (all held while the OS picks them).
pub fn free_ports<const N: usize>() -> [u16; N] {
    let listeners: Vec<TcpListener> = (0..N)
        .map(|_| TcpListener::bind("127.0.0.1:0").expect("find a free port"))
        .collect();
    std::array::from_fn(|index| listeners[index].local_addr().expect("a bound port").port())
}

/// A directory of its own under the system temporary directory, removed on drop.
pub struct ScratchDir(PathBuf);

impl ScratchDir {
    pub fn new(purpose: &str) -> ScratchDir {
        ScratchDir::new_in(&std::env::temp_dir(), purpose)
    }

    /// In memory (/dev/shm) where there is one: files written there survive a killed process
    /// as files on disk do, and fsync costs nothing, which a process crash test can use.
    pub fn in_memory(purpose: &str) -> ScratchDir {
        let shm = Path::new("/dev/shm");
        if shm.is_dir() {
            ScratchDir::new_in(shm, purpose)
        } else {
            ScratchDir::new(purpose)
        }
    }

    fn new_in(base: &Path, purpose: &str) -> ScratchDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let path = base.join(format!(
            "test-peers-{purpose}-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = fs::remove_dir_all(&path);
        fs::create_dir_all(&path).expect("create a scratch directory");
        ScratchDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// A TLS WebSocket listener: its port and the directory holding its certificate chain
/// (`server.pem`) and key (`server.key`), as `scripts/test-ca` writes them. Mosquitto reads
/// them after dropping privileges (to its user `mosquitto` unless configured to stay root), so
/// the files and every directory above them must be readable and traversable by that user.
#[derive(Clone, Debug)]
pub struct WssListener {
    pub port: u16,
    pub tls_dir: PathBuf,
}

/// Mosquitto with a TCP and a WebSocket listener (and a TLS WebSocket listener if asked),
/// restartable on the same ports and files.
pub struct Mosquitto {
    pub tcp_port: u16,
    pub ws_port: u16,
    pub wss: Option<WssListener>,
    process: Option<Process>,
    /// How many times it was started; each run has its own log file.
    runs: u32,
    dir: ScratchDir,
}

impl Mosquitto {
    /// On free ports. `extra` is appended to the configuration (persistence, queue limits, ...);
    /// `{dir}` in it stands for the broker's own directory.
    pub fn start(extra: &str) -> Mosquitto {
        Mosquitto::start_on(free_ports(), extra)
    }

    /// On the given ports, TCP and WebSocket (Mosquitto will not start with only a WebSocket
    /// listener), both on 127.0.0.1; otherwise as `start`.
    pub fn start_on(ports: [u16; 2], extra: &str) -> Mosquitto {
        Mosquitto::start_with_wss(ports, extra, None)
    }

    /// As `start_on`, plus a TLS WebSocket listener (like the plain one, on every interface).
    pub fn start_with_wss(
        [tcp_port, ws_port]: [u16; 2],
        extra: &str,
        wss: Option<WssListener>,
    ) -> Mosquitto {
        let dir = ScratchDir::in_memory("mosquitto");
        let extra = extra.replace("{dir}", &dir.path().display().to_string());
        let config = format!(
            "per_listener_settings false\n\
             allow_anonymous true\n\
             user root\n\
             log_dest stdout\n\
             log_type error\n\
             log_type warning\n\
             log_type notice\n\
             {extra}\n\
             listener {tcp_port} 127.0.0.1\n\
             listener {ws_port} 127.0.0.1\n\
             protocol websockets\n"
        );
        let config = match &wss {
            Some(wss) => format!(
                "{config}listener {} 127.0.0.1\n\
                 protocol websockets\n\
                 certfile {}\n\
                 keyfile {}\n",
                wss.port,
                wss.tls_dir.join("server.pem").display(),
                wss.tls_dir.join("server.key").display()
            ),
            None => config,
        };
        fs::write(dir.path().join("mosquitto.conf"), config).expect("write mosquitto.conf");
        let mut broker = Mosquitto {
            tcp_port,
            ws_port,
            wss,
            process: None,
            runs: 0,
            dir,
        };
        broker.launch();
        broker
    }

    /// The first line of `mosquitto -h`, e.g. "mosquitto version 2.0.11".
    pub fn version() -> String {
        let output = Command::new(MOSQUITTO)
            .arg("-h")
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|error| panic!("cannot run {MOSQUITTO}: {error}"));
        // It prints its help to stdout and exits with status 3.
        let text = String::from_utf8_lossy(&output.stdout);
        text.lines().next().unwrap_or_default().to_string()
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// SIGKILL, as a crash would.
    pub fn kill(&mut self) {
        if let Some(mut process) = self.process.take() {
            process.kill();
        }
    }

    /// Starts again (after `kill`) on the same ports with the same persistence directory.
    pub fn restart(&mut self) {
        self.kill();
        self.launch();
    }

    /// When Mosquitto began writing its newest complete persistence snapshot, if there is one:
    /// it writes `mosquitto.db.new` and renames it, so the file's creation time is the moment
    /// the snapshot's state was taken (its modification time where creation times are missing).
    pub fn snapshot_taken(&self) -> Option<SystemTime> {
        let metadata = fs::metadata(self.dir.path().join("mosquitto.db")).ok()?;
        metadata.created().or_else(|_| metadata.modified()).ok()
    }

    /// The output of run `run` (1 for the first start, 2 after the first restart, ...).
    pub fn log_file(&self, run: u32) -> PathBuf {
        self.dir.path().join(format!("mosquitto-{run}.log"))
    }

    /// The output of the current run, so far.
    pub fn log(&self) -> String {
        fs::read_to_string(self.log_file(self.runs)).unwrap_or_default()
    }

    fn launch(&mut self) {
        let mut command = Command::new(MOSQUITTO);
        command
            .arg("-c")
            .arg(self.dir.path().join("mosquitto.conf"));
        self.runs += 1;
        let mut ports = vec![self.tcp_port, self.ws_port];
        ports.extend(self.wss.as_ref().map(|wss| wss.port));
        self.process = Some(Process::start(
            "mosquitto",
            command,
            &ports,
            self.log_file(self.runs),
        ));
    }
}

/// rumqttd (the `test-rumqttd` binary of this crate).
pub struct Rumqttd {
    pub v311_port: u16,
    pub v5_port: u16,
    pub ws_port: u16,
    _process: Process,
    _dir: ScratchDir,
}

impl Rumqttd {
    /// `binary`: `env!("CARGO_BIN_EXE_test-rumqttd")` in a test.
    pub fn start(binary: &str) -> Rumqttd {
        let dir = ScratchDir::new("rumqttd");
        let [v311_port, v5_port, ws_port] = free_ports();
        let mut command = Command::new(binary);
        command.args([v311_port, v5_port, ws_port].map(|port| port.to_string()));
        let process = Process::start(
            "rumqttd",
            command,
            &[v311_port, v5_port, ws_port],
            dir.path().join("rumqttd.log"),
        );
        Rumqttd {
            v311_port,
            v5_port,
            ws_port,
            _process: process,
            _dir: dir,
        }
    }
}

/// aedes under Node.js (`tests/brokers/aedes/server.js`; its packages installed by
/// `npm ci --prefix tests/brokers/aedes`, which scripts/test does).
pub struct Aedes {
    pub tcp_port: u16,
    pub ws_port: u16,
    _process: Process,
    _dir: ScratchDir,
}

impl Aedes {
    pub fn start() -> Aedes {
        let server = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/brokers/aedes");
        assert!(
            server.join("node_modules/aedes").is_dir(),
            "aedes is not installed: run 'npm ci --prefix tests/brokers/aedes' (scripts/test does)"
        );
        let dir = ScratchDir::new("aedes");
        let [tcp_port, ws_port] = free_ports();
        let mut command = Command::new("node");
        command
            .current_dir(&server)
            .arg("server.js")
            .args([tcp_port, ws_port].map(|port| port.to_string()));
        let process = Process::start(
            "aedes",
            command,
            &[tcp_port, ws_port],
            dir.path().join("aedes.log"),
        );
        Aedes {
            tcp_port,
            ws_port,
            _process: process,
            _dir: dir,
        }
    }
}

/// The hostile broker (the `hostile-broker` binary of this crate).
pub struct HostileBroker {
    pub port: u16,
    _process: Process,
    _dir: ScratchDir,
}

impl HostileBroker {
    /// `binary`: `env!("CARGO_BIN_EXE_hostile-broker")` in a test.
    pub fn start(binary: &str) -> HostileBroker {
        let dir = ScratchDir::new("hostile");
        let [port] = free_ports();
        let mut command = Command::new(binary);
        command.arg(port.to_string());
        let process = Process::start(
            "hostile-broker",
            command,
            &[port],
            dir.path().join("hostile.log"),
        );
        HostileBroker {
            port,
            _process: process,
            _dir: dir,
        }
    }
}
