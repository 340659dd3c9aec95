//! The HTTP control ports of the test tools (`restart-stream`, `test-mosquitto`): one request per
//! connection, one at a time, answered in plain text with CORS open so that a test page may ask.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};

/// The largest request body: `restart-stream`'s `/check` gets the app's record, about 1 MB.
const MAX_BODY: usize = 16 * 1024 * 1024;

/// A request as the handler sees it.
pub struct Request {
    pub method: String,
    pub path: String,
    pub body: String,
}

/// What the handler answers.
pub struct Reply {
    pub status: u16,
    pub body: String,
    /// Stop serving once this reply is written.
    pub last: bool,
}

impl Reply {
    pub fn new(status: u16, body: impl Into<String>) -> Reply {
        Reply {
            status,
            body: body.into(),
            last: false,
        }
    }
}

/// Binds 127.0.0.1:`port`, with the error in words.
pub fn listen(name: &str, port: u16) -> Result<TcpListener, String> {
    TcpListener::bind(("127.0.0.1", port))
        .map_err(|error| format!("{name}: cannot listen on 127.0.0.1:{port}: {error}"))
}

/// Answers requests on `listener` with `answer` until a reply is the last; a request that
/// cannot be read gets status 400.
pub fn serve(listener: TcpListener, mut answer: impl FnMut(Request) -> Reply) {
    for stream in listener.incoming() {
        let Ok(mut stream) = stream else { continue };
        let reply = match read_request(&mut stream) {
            Ok(request) => answer(request),
            Err(error) => Reply::new(400, error),
        };
        let _ = write!(
            stream,
            "HTTP/1.1 {} {}\r\nAccess-Control-Allow-Origin: *\r\n\
             Content-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n{}",
            reply.status,
            if reply.status == 200 { "OK" } else { "Error" },
            reply.body.len(),
            reply.body
        );
        if reply.last {
            return;
        }
    }
}

fn read_request(stream: &mut TcpStream) -> Result<Request, String> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).map_err(|e| e.to_string())?;
    let mut words = line.split_whitespace();
    let method = words.next().unwrap_or_default().to_string();
    let path = words.next().unwrap_or_default().to_string();
    let mut length = 0;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).map_err(|e| e.to_string())?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().map_err(|_| "bad Content-Length")?;
            }
        }
    }
    if length > MAX_BODY {
        return Err(format!("a body of {length} bytes is too large"));
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).map_err(|e| e.to_string())?;
    let body = String::from_utf8(body).map_err(|_| "the body is not UTF-8")?;
    Ok(Request { method, path, body })
}

/// Set by SIGTERM, SIGINT or SIGHUP once `stop_on_signals` ran: a launcher's main loop ends and
/// its brokers stop as they are dropped (a signal's default action would orphan them).
static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn request_stop(_signal: libc::c_int) {
    STOP.store(true, Ordering::Relaxed);
}

pub fn stop_on_signals() {
    for signal in [libc::SIGTERM, libc::SIGINT, libc::SIGHUP] {
        let handler = request_stop as extern "C" fn(libc::c_int);
        // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
        unsafe {
            libc::signal(signal, handler as libc::sighandler_t);
        }
    }
}

pub fn stop_requested() -> bool {
    STOP.load(Ordering::Relaxed)
}
