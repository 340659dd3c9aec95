//! Mosquitto for the scripts and the browser tests, through the one launcher
//! (`test_peers::brokers::Mosquitto`).
//!
//! Usage: `test-mosquitto [--tcp-port N] [--ws-port N] [--wss-port N --tls-dir DIR]
//! [--config FILE] [--set LINE]... [--control-port N]`, or `test-mosquitto --version`.
//!
//! - `--tcp-port`, `--ws-port`: the listeners on 127.0.0.1 (free ports if not given).
//! - `--wss-port N --tls-dir DIR`: also a TLS WebSocket listener on port N with DIR's
//!   `server.pem` and `server.key` (as `scripts/test-ca` makes them; readable by the user
//!   `mosquitto`, see `WssListener`).
//! - `--config FILE`: settings added to the launcher's (listeners are the launcher's to write);
//!   `--set LINE`: one more line, after the file's.
//! - `--control-port N`: also answers `GET /restart` there (CORS open, for a test page): the
//!   broker is SIGKILLed, as a crash would, and started again on the same ports after a pause;
//!   the answer, `restarted <count>`, comes once it is back.
//! - `--version`: prints the first line of `mosquitto -h` and exits.
//!
//! Prints one line once the broker accepts connections,
//! `ready mqtt://127.0.0.1:<tcp> ws://127.0.0.1:<ws> [wss://127.0.0.1:<wss>] log <file>`, then runs until SIGTERM,
//! SIGINT or SIGHUP, when it stops the broker and removes its files.

use std::process::ExitCode;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::Duration;

use test_peers::brokers::{free_ports, Mosquitto, WssListener};
use test_peers::control::{self, Reply};

/// Between the kill and the new start, so that clients see the broker gone.
const RESTART_PAUSE: Duration = Duration::from_millis(1500);

const USAGE: &str = "usage: test-mosquitto [--tcp-port N] [--ws-port N] \
                     [--wss-port N --tls-dir DIR] [--config FILE] [--set LINE]... \
                     [--control-port N] | --version";

struct Options {
    tcp_port: Option<u16>,
    ws_port: Option<u16>,
    wss: Option<WssListener>,
    settings: String,
    control_port: Option<u16>,
}

fn main() -> ExitCode {
    let options = match parse(std::env::args().skip(1)) {
        Ok(Some(options)) => options,
        Ok(None) => {
            println!("{}", Mosquitto::version());
            return ExitCode::SUCCESS;
        }
        Err(error) => {
            eprintln!("test-mosquitto: {error}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    control::stop_on_signals();
    let control = match options
        .control_port
        .map(|port| control::listen("test-mosquitto", port))
    {
        Some(Err(error)) => {
            eprintln!("{error}");
            return ExitCode::FAILURE;
        }
        Some(Ok(listener)) => Some(listener),
        None => None,
    };
    let [free_tcp, free_ws] = free_ports();
    let ports = [
        options.tcp_port.unwrap_or(free_tcp),
        options.ws_port.unwrap_or(free_ws),
    ];
    let broker = Mosquitto::start_with_wss(ports, &options.settings, options.wss);
    let wss = broker.wss.as_ref().map_or(String::new(), |wss| {
        format!(" wss://127.0.0.1:{}", wss.port)
    });
    println!(
        "ready mqtt://127.0.0.1:{} ws://127.0.0.1:{}{wss} log {}",
        broker.tcp_port,
        broker.ws_port,
        broker.log_file(1).display()
    );
    let broker = Arc::new(Mutex::new(Some(broker)));
    if let Some(listener) = control {
        let broker = Arc::clone(&broker);
        thread::spawn(move || serve_restarts(listener, &broker));
    }
    while !control::stop_requested() {
        thread::sleep(Duration::from_millis(50));
    }
    // Killed, and its directory removed, once a restart under way is over.
    drop(broker.lock().unwrap_or_else(PoisonError::into_inner).take());
    ExitCode::SUCCESS
}

/// `Ok(None)`: `--version`.
fn parse(mut args: impl Iterator<Item = String>) -> Result<Option<Options>, String> {
    let mut options = Options {
        tcp_port: None,
        ws_port: None,
        wss: None,
        settings: String::new(),
        control_port: None,
    };
    let mut wss_port = None;
    let mut tls_dir = None;
    while let Some(arg) = args.next() {
        if arg == "--version" {
            return Ok(None);
        }
        let value = args.next().ok_or(format!("{arg} needs a value"))?;
        let port = || {
            value
                .parse::<u16>()
                .map_err(|_| format!("{arg}: not a port: {value}"))
        };
        match arg.as_str() {
            "--tcp-port" => options.tcp_port = Some(port()?),
            "--ws-port" => options.ws_port = Some(port()?),
            "--control-port" => options.control_port = Some(port()?),
            "--wss-port" => wss_port = Some(port()?),
            "--tls-dir" => tls_dir = Some(std::path::PathBuf::from(&value)),
            "--config" => {
                let text = std::fs::read_to_string(&value)
                    .map_err(|error| format!("cannot read {value}: {error}"))?;
                options.settings.push_str(&text);
                options.settings.push('\n');
            }
            "--set" => {
                options.settings.push_str(&value);
                options.settings.push('\n');
            }
            _ => return Err(format!("unknown argument {arg}")),
        }
    }
    options.wss = match (wss_port, tls_dir) {
        (Some(port), Some(tls_dir)) => {
            for file in ["server.pem", "server.key"] {
                let path = tls_dir.join(file);
                if !path.is_file() {
                    return Err(format!("--tls-dir: no {}", path.display()));
                }
            }
            Some(WssListener { port, tls_dir })
        }
        (None, None) => None,
        _ => return Err("--wss-port and --tls-dir go together".into()),
    };
    Ok(Some(options))
}

fn serve_restarts(listener: std::net::TcpListener, broker: &Mutex<Option<Mosquitto>>) {
    let mut restarts = 0;
    control::serve(listener, |request| {
        if request.method != "GET" || request.path != "/restart" {
            return Reply::new(404, "only GET /restart\n");
        }
        let mut broker = broker.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(broker) = broker.as_mut() else {
            return Reply::new(503, "stopping\n");
        };
        broker.kill();
        thread::sleep(RESTART_PAUSE);
        broker.restart();
        restarts += 1;
        Reply::new(200, format!("restarted {restarts}\n"))
    });
}
