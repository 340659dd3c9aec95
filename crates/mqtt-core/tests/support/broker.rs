//! A real Mosquitto for interop tests: its own config and directory, free loopback ports (one
//! TCP listener, one WebSocket listener), killed on drop, and restartable on the same ports.

use std::fs;
use std::io::Read;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const MOSQUITTO: &str = "/usr/sbin/mosquitto";
const START_TIMEOUT: Duration = Duration::from_secs(5);

pub struct Broker {
    dir: PathBuf,
    pub tcp_port: u16,
    pub ws_port: u16,
    child: Option<Child>,
}

impl Broker {
    /// A fresh broker with persistence on (saved on every change, so a kill -9 loses nothing).
    pub fn start() -> Broker {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "mqtt-core-broker-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("create the broker directory");
        let [tcp_port, ws_port] = free_ports();
        let config = format!(
            "per_listener_settings false\n\
             allow_anonymous true\n\
             user root\n\
             persistence true\n\
             persistence_location {dir}/\n\
             autosave_interval 1\n\
             autosave_on_changes true\n\
             log_dest file {dir}/mosquitto.log\n\
             log_type all\n\
             listener {tcp_port} 127.0.0.1\n\
             listener {ws_port} 127.0.0.1\n\
             protocol websockets\n",
            dir = dir.display()
        );
        fs::write(dir.join("mosquitto.conf"), config).expect("write the broker config");
        let mut broker = Broker {
            dir,
            tcp_port,
            ws_port,
            child: None,
        };
        broker.launch();
        broker
    }

    pub fn tcp_addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.tcp_port))
    }

    /// SIGKILL: no goodbye to clients, no final save.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Kill -9 and start again on the same ports with the same persistence directory.
    pub fn restart(&mut self) {
        self.kill();
        self.launch();
    }

    pub fn log(&self) -> String {
        fs::read_to_string(self.dir.join("mosquitto.log")).unwrap_or_default()
    }

    fn launch(&mut self) {
        let mut child = Command::new(MOSQUITTO)
            .arg("-c")
            .arg(self.dir.join("mosquitto.conf"))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start mosquitto");
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                let mut stderr = String::new();
                if let Some(mut pipe) = child.stderr.take() {
                    let _ = pipe.read_to_string(&mut stderr);
                }
                panic!(
                    "mosquitto exited with {status}\nstderr:\n{stderr}\nlog:\n{}",
                    self.log()
                );
            }
            let both_ready = [self.tcp_port, self.ws_port].iter().all(|port| {
                TcpStream::connect_timeout(
                    &SocketAddr::from(([127, 0, 0, 1], *port)),
                    Duration::from_millis(100),
                )
                .is_ok()
            });
            if both_ready {
                break;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!(
                    "mosquitto did not accept connections within {START_TIMEOUT:?}\nlog:\n{}",
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        self.child = Some(child);
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        self.kill();
        if std::thread::panicking() {
            eprintln!("mosquitto log:\n{}", self.log());
        }
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// Two distinct ports that were free a moment ago: both are held while the OS picks them.
fn free_ports() -> [u16; 2] {
    let bind = || TcpListener::bind("127.0.0.1:0").expect("find a free port");
    let (first, second) = (bind(), bind());
    let port = |listener: &TcpListener| listener.local_addr().expect("a bound port").port();
    [port(&first), port(&second)]
}
