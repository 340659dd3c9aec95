//! Usage: `hostile-broker <port>` (0 picks a free one). Serves the scripted misbehaviours of
//! `test_peers::hostile` at `ws://127.0.0.1:<port>/<case>` until killed.

use std::net::TcpListener;
use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(port) = std::env::args()
        .nth(1)
        .and_then(|arg| arg.parse::<u16>().ok())
    else {
        eprintln!("usage: hostile-broker <port>");
        eprintln!("cases (ws://127.0.0.1:<port>/<case>):");
        for case in test_peers::hostile::CASES {
            eprintln!("  {:36} {}", case.name, case.summary);
        }
        return ExitCode::from(2);
    };
    let listener = match TcpListener::bind(("127.0.0.1", port)) {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("hostile-broker: cannot listen on 127.0.0.1:{port}: {error}");
            return ExitCode::FAILURE;
        }
    };
    let port = listener.local_addr().map_or(port, |address| address.port());
    println!("listening on ws://127.0.0.1:{port}");
    match test_peers::hostile::serve(listener) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("hostile-broker: {error}");
            ExitCode::FAILURE
        }
    }
}
