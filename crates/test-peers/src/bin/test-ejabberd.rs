//! A two-node ejabberd cluster for the scripts and the tests (`test_peers::cluster`).
//!
//! Usage: `test-ejabberd [--control-port N]`.
//!
//! Prints one line once both nodes serve MQTT and form one cluster,
//! `ready a ws://127.0.0.1:<port>/mqtt b ws://127.0.0.1:<port>/mqtt in <ms> ms`, then runs until
//! SIGTERM, SIGINT or SIGHUP, when it stops both nodes and their epmd and removes their files.
//!
//! `--control-port N`: also answers there (CORS open, for a test page), one request at a time:
//! - `GET /kill/a` (or `/kill/b`): SIGKILLs that node, as a crash would; answers `killed a`.
//! - `GET /start/a` (or `/start/b`): starts a killed node again with its database and answers
//!   `started a` once the other node counts it in the cluster again.

use std::process::ExitCode;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use test_peers::cluster::EjabberdCluster;
use test_peers::control::{self, Reply};

const USAGE: &str = "usage: test-ejabberd [--control-port N]";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let control_port = match (args.next().as_deref(), args.next(), args.next()) {
        (None, ..) => None,
        (Some("--control-port"), Some(port), None) => match port.parse::<u16>() {
            Ok(port) => Some(port),
            Err(_) => {
                eprintln!("test-ejabberd: not a port: {port}\n{USAGE}");
                return ExitCode::from(2);
            }
        },
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    control::stop_on_signals();
    let control = match control_port.map(|port| control::listen("test-ejabberd", port)) {
        Some(Err(error)) => {
            eprintln!("{error}");
            return ExitCode::FAILURE;
        }
        Some(Ok(listener)) => Some(listener),
        None => None,
    };
    let started = Instant::now();
    let cluster = EjabberdCluster::start();
    println!(
        "ready a {} b {} in {} ms",
        cluster.nodes[0].ws_url(),
        cluster.nodes[1].ws_url(),
        started.elapsed().as_millis()
    );
    let cluster = Arc::new(Mutex::new(Some(cluster)));
    if let Some(listener) = control {
        let cluster = Arc::clone(&cluster);
        thread::spawn(move || serve(listener, &cluster));
    }
    while !control::stop_requested() {
        thread::sleep(Duration::from_millis(50));
    }
    // Both nodes and epmd killed, their directories removed, once a request under way is over.
    drop(
        cluster
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take(),
    );
    ExitCode::SUCCESS
}

fn serve(listener: std::net::TcpListener, cluster: &Mutex<Option<EjabberdCluster>>) {
    control::serve(listener, |request| {
        let node = match request.path.rsplit_once('/') {
            Some((_, "a")) => 0,
            Some((_, "b")) => 1,
            _ => return Reply::new(404, "GET /kill/a, /kill/b, /start/a or /start/b\n"),
        };
        let letter = ["a", "b"][node];
        let mut cluster = cluster.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(cluster) = cluster.as_mut() else {
            return Reply::new(503, "stopping\n");
        };
        match (request.method.as_str(), request.path.as_str()) {
            ("GET", path) if path.starts_with("/kill/") => {
                cluster.kill(node);
                Reply::new(200, format!("killed {letter}\n"))
            }
            ("GET", path) if path.starts_with("/start/") => {
                if cluster.nodes[node].is_running() {
                    return Reply::new(409, format!("{letter} is running\n"));
                }
                cluster.restart(node);
                Reply::new(200, format!("started {letter}\n"))
            }
            _ => Reply::new(404, "GET /kill/a, /kill/b, /start/a or /start/b\n"),
        }
    });
}
