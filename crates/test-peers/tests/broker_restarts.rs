//! Nothing lost across broker crashes, native round: two core `Client`s with kept sessions each
//! publish 10,000 QoS 1 and 10,000 QoS 2 messages to the other through Mosquitto (persistence
//! on), while Mosquitto is SIGKILLed and restarted on the same ports twice. The stream, its
//! checks and the allowance for Mosquitto's snapshot gap are `test_peers::restart_stream`'s;
//! the browser round (the app's driver against a native peer) is the root package's
//! `tests/app_restart.rs`.

use std::sync::{Arc, Barrier};
use std::thread;
use std::time::Instant;

use test_peers::brokers::Mosquitto;
use test_peers::driver::Endpoint;
use test_peers::restart_stream::{
    check, kill_during_stream, run_peer, Progress, Record, PERSISTENCE, PER_QOS, RESTARTS,
};

#[test]
fn forty_thousand_messages_survive_two_broker_kills() {
    let mut broker = Mosquitto::start(PERSISTENCE);
    let progress = Arc::new(Progress::default());
    let subscribed = Arc::new(Barrier::new(3));
    let started = Instant::now();
    let peers: Vec<_> = [
        ("peer-a", "restarts/to-b", "restarts/to-a"),
        ("peer-b", "restarts/to-a", "restarts/to-b"),
    ]
    .into_iter()
    .map(|(name, outbox, inbox)| {
        let endpoint = Endpoint::tcp(broker.tcp_port);
        let progress = Arc::clone(&progress);
        let subscribed = Arc::clone(&subscribed);
        thread::spawn(move || {
            run_peer(name, endpoint, outbox, inbox, &progress, |_| {
                subscribed.wait();
                true
            })
        })
    })
    .collect();
    subscribed.wait();

    // Both peers' receipts count: a kill after a third and after two thirds of all messages.
    let kills = kill_during_stream(&mut broker, &progress, 4 * PER_QOS, || {
        !peers.iter().all(|peer| peer.is_finished())
    });
    for kill in &kills {
        println!("{}", kill.when);
    }
    let records: Vec<Record> = peers
        .into_iter()
        .map(|peer| peer.join().expect("a peer thread panicked"))
        .collect();
    println!(
        "{} messages, {} broker kills, {:.1} s",
        4 * PER_QOS,
        kills.len(),
        started.elapsed().as_secs_f64()
    );

    let mut problems = Vec::new();
    if kills.len() < RESTARTS {
        problems.push(format!(
            "only {} of {RESTARTS} restarts happened",
            kills.len()
        ));
    }
    for (name, receiver, sender) in [
        ("peer-a", &records[0], &records[1]),
        ("peer-b", &records[1], &records[0]),
    ] {
        let (figures, found) = check(name, receiver, sender, &kills);
        println!("{figures}");
        problems.extend(found);
    }
    assert!(problems.is_empty(), "problems:\n{}", problems.join("\n"));
}
