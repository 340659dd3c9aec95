//! Usage: `scram-broker <port>` (0 picks a free one). Serves `test_peers::scram_peer`, the
//! server side of SCRAM-SHA-256/512 in MQTT 5 AUTH, at `ws://127.0.0.1:<port>` until killed.

use std::net::TcpListener;
use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(port) = std::env::args()
        .nth(1)
        .and_then(|arg| arg.parse::<u16>().ok())
    else {
        eprintln!("usage: scram-broker <port>");
        return ExitCode::from(2);
    };
    let listener = match TcpListener::bind(("127.0.0.1", port)) {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("scram-broker: cannot listen on 127.0.0.1:{port}: {error}");
            return ExitCode::FAILURE;
        }
    };
    let port = listener.local_addr().map_or(port, |address| address.port());
    println!("listening on ws://127.0.0.1:{port}");
    match test_peers::scram_peer::serve(listener) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("scram-broker: {error}");
            ExitCode::FAILURE
        }
    }
}
