//! rumqttd, a second MQTT broker for the interop tests, configured in code.
//!
//! Usage: `test-rumqttd <v3.1.1-tcp-port> <v5-tcp-port> <ws-port>`. rumqttd serves one protocol
//! version per listener, and its WebSocket listener speaks only 3.1.1. Listens on 127.0.0.1
//! only, keeps everything in memory, prints one `listening on ...` line, serves until killed.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::process::ExitCode;

use rumqttd::{Broker, Config, ConnectionSettings, RouterConfig, ServerSettings};

fn main() -> ExitCode {
    let ports: Vec<u16> = std::env::args()
        .skip(1)
        .filter_map(|arg| arg.parse().ok())
        .collect();
    let &[v4_port, v5_port, ws_port] = ports.as_slice() else {
        eprintln!("usage: test-rumqttd <v3.1.1-tcp-port> <v5-tcp-port> <ws-port>");
        return ExitCode::from(2);
    };
    let mut broker = Broker::new(config(v4_port, v5_port, ws_port));
    println!(
        "listening on mqtt://127.0.0.1:{v4_port} (3.1.1), mqtt://127.0.0.1:{v5_port} (5.0), \
         ws://127.0.0.1:{ws_port} (3.1.1)"
    );
    // `start` blocks while the listeners run; it returns only when one fails to start.
    match broker.start() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("rumqttd failed: {error}");
            ExitCode::FAILURE
        }
    }
}

fn config(v4_port: u16, v5_port: u16, ws_port: u16) -> Config {
    let listener = |name: &str, port: u16| {
        let settings = ServerSettings {
            name: name.to_string(),
            listen: SocketAddr::from(([127, 0, 0, 1], port)),
            tls: None,
            next_connection_delay_ms: 1,
            connections: ConnectionSettings {
                connection_timeout_ms: 5000,
                max_payload_size: 1024 * 1024,
                max_inflight_count: 100,
                auth: None,
                external_auth: None,
                dynamic_filters: true,
            },
        };
        HashMap::from([(name.to_string(), settings)])
    };
    Config {
        router: RouterConfig {
            max_connections: 1000,
            max_outgoing_packet_count: 200,
            max_segment_size: 10 * 1024 * 1024,
            max_segment_count: 10,
            ..RouterConfig::default()
        },
        v4: Some(listener("v4", v4_port)),
        v5: Some(listener("v5", v5_port)),
        ws: Some(listener("ws", ws_port)),
        ..Config::default()
    }
}
