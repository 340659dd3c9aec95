//! Usage: `restart-stream <control-port>`. The native side of the browser round of the
//! broker-restart stream (`test_peers::restart_stream`; the root package's
//! `tests/app_restart.rs` is the other side). It answers HTTP on the control port, with CORS
//! open so that the test page may ask:
//!
//! - `GET /begin`: starts a fresh Mosquitto with persistence and the native peer (client id
//!   `stream-peer`, subscribed to `restarts/to-peer`); answers the broker's WebSocket URL once
//!   the peer is subscribed. The app then connects, subscribes to `restarts/to-app` and asks:
//! - `GET /go`: the peer starts publishing to `restarts/to-app`, and the broker is SIGKILLed and
//!   restarted after a third and after two thirds of the app's messages reached the peer.
//! - `POST /check` with the app's record as its body: waits for the peer to finish, checks
//!   both directions, and answers the figures, with status 200 if nothing is wrong and 500 with
//!   the problems otherwise.
//! - `GET /quit`: ends a round in progress (its broker is killed) and exits.

use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use test_peers::brokers::Mosquitto;
use test_peers::control::{self, Reply};
use test_peers::driver::Endpoint;
use test_peers::restart_stream::{
    check, kill_during_stream, run_peer, Kill, Progress, Record, PERSISTENCE, PER_QOS, RESTARTS,
};

/// One round: the broker (handed to the killing thread once the stream goes) and the peer.
struct Round {
    broker: Option<Mosquitto>,
    killer: Option<JoinHandle<(Mosquitto, Vec<Kill>)>>,
    go: mpsc::Sender<()>,
    peer: JoinHandle<Record>,
    peer_done: Arc<AtomicBool>,
    /// Tells the killing thread to stop early.
    abandoned: Arc<AtomicBool>,
    progress: Arc<Progress>,
    started: Instant,
}

fn main() -> ExitCode {
    let Some(port) = std::env::args()
        .nth(1)
        .and_then(|arg| arg.parse::<u16>().ok())
    else {
        eprintln!("usage: restart-stream <control-port>");
        return ExitCode::from(2);
    };
    let listener = match control::listen("restart-stream", port) {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::FAILURE;
        }
    };
    let mut round = None;
    control::serve(listener, |request| {
        if request.method == "GET" && request.path == "/quit" {
            abandon(round.take());
            return Reply {
                last: true,
                ..Reply::new(200, "bye")
            };
        }
        let (status, body) = answer(&request.method, &request.path, &request.body, &mut round);
        Reply::new(status, body)
    });
    ExitCode::SUCCESS
}

/// Ends a round that will not be checked: its broker is killed, once the killing thread
/// (which may hold it) has stopped. Its peer gives up by itself.
fn abandon(round: Option<Round>) {
    if let Some(mut round) = round {
        round.abandoned.store(true, Ordering::Relaxed);
        if let Some(killer) = round.killer.take() {
            let _ = killer.join();
        }
    }
}

fn answer(method: &str, path: &str, body: &str, round: &mut Option<Round>) -> (u16, String) {
    match (method, path) {
        ("GET", "/begin") => {
            // A round left over from a failed test ends here.
            abandon(round.take());
            match begin() {
                Ok(new) => {
                    let url = format!(
                        "ws://127.0.0.1:{}",
                        new.broker.as_ref().map_or(0, |broker| broker.ws_port)
                    );
                    *round = Some(new);
                    (200, url)
                }
                Err(error) => (500, error),
            }
        }
        ("GET", "/go") => match round.as_mut() {
            Some(round) if round.killer.is_none() => {
                go(round);
                (200, "going".into())
            }
            _ => (409, "GET /begin first, and /go once".into()),
        },
        ("POST", "/check") => match round.take() {
            Some(round) if round.killer.is_some() => finish(round, body),
            _ => (409, "GET /begin and /go first".into()),
        },
        _ => (404, "GET /begin, GET /go, POST /check, GET /quit".into()),
    }
}

fn begin() -> Result<Round, String> {
    let broker = Mosquitto::start(PERSISTENCE);
    let endpoint = Endpoint::tcp(broker.tcp_port);
    let progress = Arc::new(Progress::default());
    let peer_done = Arc::new(AtomicBool::new(false));
    let abandoned = Arc::new(AtomicBool::new(false));
    let (subscribed_tx, subscribed_rx) = mpsc::channel();
    let (go, go_rx) = mpsc::channel();
    let peer = {
        let progress = Arc::clone(&progress);
        let peer_done = Arc::clone(&peer_done);
        thread::spawn(move || {
            let record = run_peer(
                "stream-peer",
                endpoint,
                "restarts/to-app",
                "restarts/to-peer",
                &progress,
                |acknowledged| {
                    let _ = subscribed_tx.send(acknowledged);
                    // Without a go (the round was abandoned) the peer does not publish.
                    acknowledged && go_rx.recv().is_ok()
                },
            );
            peer_done.store(true, Ordering::Relaxed);
            record
        })
    };
    match subscribed_rx.recv_timeout(Duration::from_secs(30)) {
        Ok(true) => Ok(Round {
            broker: Some(broker),
            killer: None,
            go,
            peer,
            peer_done,
            abandoned,
            progress,
            started: Instant::now(),
        }),
        _ => Err(format!(
            "the native peer could not subscribe; Mosquitto's log:\n{}",
            std::fs::read_to_string(broker.log_file(1)).unwrap_or_default()
        )),
    }
}

fn go(round: &mut Round) {
    let _ = round.go.send(());
    round.started = Instant::now();
    let mut broker = round
        .broker
        .take()
        .expect("the broker of a round that did not go");
    let progress = Arc::clone(&round.progress);
    let peer_done = Arc::clone(&round.peer_done);
    let abandoned = Arc::clone(&round.abandoned);
    // Kills are paced by the app's messages reaching the peer, so the app reconnected after the
    // first kill before the second.
    round.killer = Some(thread::spawn(move || {
        let kills = kill_during_stream(&mut broker, &progress, 2 * PER_QOS, || {
            !peer_done.load(Ordering::Relaxed) && !abandoned.load(Ordering::Relaxed)
        });
        (broker, kills)
    }));
}

fn finish(round: Round, app_lines: &str) -> (u16, String) {
    let app = match Record::parse(app_lines) {
        Ok(app) => app,
        Err(error) => return (400, error),
    };
    let (broker, kills) = round
        .killer
        .expect("a round that went")
        .join()
        .expect("the killing thread panicked");
    let peer = round.peer.join().expect("the peer thread panicked");
    let mut report = vec![format!(
        "{} messages, {} broker kills, {:.1} s",
        4 * PER_QOS,
        kills.len(),
        round.started.elapsed().as_secs_f64()
    )];
    report.extend(kills.iter().map(|kill| kill.when.clone()));
    let mut problems = Vec::new();
    if kills.len() < RESTARTS {
        problems.push(format!(
            "only {} of {RESTARTS} restarts happened",
            kills.len()
        ));
    }
    for (name, receiver, sender) in [("app", &app, &peer), ("stream-peer", &peer, &app)] {
        let (figures, found) = check(name, receiver, sender, &kills);
        report.push(figures);
        problems.extend(found);
    }
    if problems.is_empty() {
        return (200, report.join("\n"));
    }
    report.push("problems:".into());
    report.extend(problems);
    for run in 1..=1 + kills.len() as u32 {
        let log = std::fs::read_to_string(broker.log_file(run));
        report.push(format!("Mosquitto's log, run {run}:"));
        report.push(log.unwrap_or_default());
    }
    (500, report.join("\n"))
}
