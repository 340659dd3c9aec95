//! A blocking native driver for the sans-IO `mqtt_core::Client`, over TCP or WebSocket.
//!
//! It follows the core's driver contract: after every input, drain `poll_transmit` (one whole
//! packet each, one binary frame each on WebSocket), then `poll_transport`, then `poll_event`,
//! and call `handle_timeout` when `poll_timeout` passes. Time is wall-clock milliseconds since
//! the driver was made. Events are handed to the test in order; nothing is dropped.
//! `run_until` takes events in order; `take_event` takes the first that matches and leaves the
//! others queued, so a test can wait for one outcome while messages keep arriving.

use std::collections::VecDeque;
use std::io::{self, ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream, ToSocketAddrs};
use std::time::{Duration, SystemTime};

use mqtt_core::{
    Client, ClientOptions, ConnectionError, Event, Instant, TransportCommand, TransportError,
    TransportId,
};
use tungstenite::client::IntoClientRequest;
use tungstenite::http::HeaderValue;
use tungstenite::{Message, WebSocket};

const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// The longest a single wait for bytes lasts, so callers' deadlines are checked often enough.
const LONGEST_WAIT: Duration = Duration::from_millis(50);

/// Where the driver connects.
#[derive(Clone, Debug)]
pub enum Endpoint {
    Tcp(SocketAddr),
    /// A `ws://` URL; the subprotocol `mqtt` is requested.
    WebSocket(String),
}

impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Endpoint::Tcp(address) => write!(f, "tcp://{address}"),
            Endpoint::WebSocket(url) => f.write_str(url),
        }
    }
}

impl Endpoint {
    pub fn tcp(port: u16) -> Endpoint {
        Endpoint::Tcp(SocketAddr::from(([127, 0, 0, 1], port)))
    }

    pub fn websocket(port: u16, path: &str) -> Endpoint {
        Endpoint::WebSocket(format!("ws://127.0.0.1:{port}/{path}"))
    }
}

enum Link {
    Tcp(TcpStream),
    WebSocket(Box<WebSocket<TcpStream>>),
}

enum Received {
    Bytes(Vec<u8>),
    Nothing,
    Closed(TransportError),
}

impl Link {
    fn open(endpoint: &Endpoint) -> io::Result<Link> {
        match endpoint {
            Endpoint::Tcp(address) => {
                let stream = TcpStream::connect_timeout(address, CONNECT_TIMEOUT)?;
                stream.set_nodelay(true)?;
                Ok(Link::Tcp(stream))
            }
            Endpoint::WebSocket(url) => {
                let mut request = url
                    .as_str()
                    .into_client_request()
                    .map_err(io::Error::other)?;
                request
                    .headers_mut()
                    .insert("Sec-WebSocket-Protocol", HeaderValue::from_static("mqtt"));
                let host = request.uri().host().unwrap_or("127.0.0.1").to_string();
                let port = request.uri().port_u16().unwrap_or(80);
                let address = (host.as_str(), port)
                    .to_socket_addrs()?
                    .next()
                    .ok_or_else(|| io::Error::other(format!("cannot resolve {host}")))?;
                let stream = TcpStream::connect_timeout(&address, CONNECT_TIMEOUT)?;
                stream.set_nodelay(true)?;
                stream.set_read_timeout(Some(CONNECT_TIMEOUT))?;
                let (socket, _) = tungstenite::client(request, stream).map_err(|error| {
                    io::Error::new(ErrorKind::ConnectionRefused, error.to_string())
                })?;
                Ok(Link::WebSocket(Box::new(socket)))
            }
        }
    }

    fn stream(&self) -> &TcpStream {
        match self {
            Link::Tcp(stream) => stream,
            Link::WebSocket(socket) => socket.get_ref(),
        }
    }

    /// Queues one packet; `flush` sends what is queued.
    fn queue(&mut self, packet: Vec<u8>, pending: &mut Vec<u8>) -> io::Result<()> {
        match self {
            Link::Tcp(_) => {
                pending.extend_from_slice(&packet);
                Ok(())
            }
            Link::WebSocket(socket) => socket
                .write(Message::Binary(packet))
                .map_err(io::Error::other),
        }
    }

    fn flush(&mut self, pending: &mut Vec<u8>) -> io::Result<()> {
        match self {
            Link::Tcp(stream) => {
                let result = stream.write_all(pending);
                pending.clear();
                result
            }
            Link::WebSocket(socket) => socket.flush().map_err(io::Error::other),
        }
    }

    fn receive(&mut self, wait: Duration) -> Received {
        let wait = wait.max(Duration::from_millis(1));
        if let Err(error) = self.stream().set_read_timeout(Some(wait)) {
            return Received::Closed(other(error));
        }
        match self {
            Link::Tcp(stream) => {
                let mut buffer = vec![0; 64 * 1024];
                match stream.read(&mut buffer) {
                    Ok(0) => Received::Closed(TransportError::Other(
                        "the server closed the connection".into(),
                    )),
                    Ok(len) => {
                        buffer.truncate(len);
                        Received::Bytes(buffer)
                    }
                    Err(error) if is_timeout(&error) => Received::Nothing,
                    Err(error) => Received::Closed(other(error)),
                }
            }
            Link::WebSocket(socket) => match socket.read() {
                Ok(Message::Binary(bytes)) => Received::Bytes(bytes),
                // MQTT over WebSocket is binary frames only (MQTT-6.0.0-1).
                Ok(Message::Text(_)) => Received::Closed(TransportError::TextFrame),
                Ok(Message::Close(frame)) => Received::Closed(match frame {
                    Some(frame) => TransportError::Closed {
                        code: frame.code.into(),
                        reason: frame.reason.into_owned(),
                    },
                    None => TransportError::Other("the server closed the WebSocket".into()),
                }),
                Ok(_) => Received::Nothing,
                Err(tungstenite::Error::Io(error)) if is_timeout(&error) => Received::Nothing,
                Err(error) => Received::Closed(other(error)),
            },
        }
    }

    /// Closes without any goodbye: no DISCONNECT, no WebSocket close frame.
    fn drop_abruptly(self) {
        let _ = self.stream().shutdown(Shutdown::Both);
    }
}

/// A failure in the platform's words.
fn other(error: impl ToString) -> TransportError {
    TransportError::Other(error.to_string())
}

fn is_timeout(error: &io::Error) -> bool {
    matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)
}

/// Why the connection ended, if this event is its end (a reconnect scheduled or not).
pub fn connection_lost(event: &Event) -> Option<&ConnectionError> {
    match event {
        Event::StateChanged(state) => state.ended_because(),
        _ => None,
    }
}

/// A packet the client sent, and when it was handed to the transport.
pub struct SentPacket {
    pub at: SystemTime,
    pub bytes: Vec<u8>,
}

/// One `Client` and its transport.
pub struct Driver {
    pub client: Client,
    endpoint: Endpoint,
    /// The open transport, under the id the client gave it.
    link: Option<(TransportId, Link)>,
    pending: Vec<u8>,
    started: std::time::Instant,
    events: VecDeque<Event>,
    /// Every packet the client handed to the transport, when recording.
    sent: Option<Vec<SentPacket>>,
    /// Every event so far, in order, when recording.
    history: Option<Vec<Event>>,
}

impl Driver {
    pub fn new(options: ClientOptions, endpoint: Endpoint) -> Driver {
        Driver {
            client: Client::new(options, 7),
            endpoint,
            link: None,
            pending: Vec::new(),
            started: std::time::Instant::now(),
            events: VecDeque::new(),
            sent: None,
            history: None,
        }
    }

    /// Keeps a copy of every packet the client sends, for `sent`.
    pub fn record_sent(mut self) -> Driver {
        self.sent = Some(Vec::new());
        self
    }

    pub fn sent(&self) -> &[SentPacket] {
        self.sent.as_deref().unwrap_or_default()
    }

    /// Keeps a copy of every event the client reports, for `events`.
    pub fn record_events(mut self) -> Driver {
        self.history = Some(Vec::new());
        self
    }

    /// Every event so far, taken or not, in order (with `record_events`).
    pub fn events(&self) -> &[Event] {
        self.history.as_deref().unwrap_or_default()
    }

    pub fn now(&self) -> Instant {
        Instant::from_millis(self.started.elapsed().as_millis() as u64)
    }

    pub fn set_endpoint(&mut self, endpoint: Endpoint) {
        self.endpoint = endpoint;
    }

    /// `Client::connect`, then the transport opens (the CONNACK comes later, in `run_until`).
    pub fn connect(&mut self) {
        let now = self.now();
        self.client.connect(now);
        self.flush();
    }

    pub fn disconnect(&mut self) {
        let now = self.now();
        self.client.disconnect(now);
        self.flush();
    }

    /// Runs a client command, then the outputs it caused.
    pub fn command<T>(&mut self, command: impl FnOnce(&mut Client, Instant) -> T) -> T {
        let now = self.now();
        let result = command(&mut self.client, now);
        self.flush();
        result
    }

    /// Kills the transport without a goodbye, as a crash or a pulled cable would, and tells the
    /// client its connection closed.
    pub fn drop_link_abruptly(&mut self) {
        if let Some((id, link)) = self.link.take() {
            link.drop_abruptly();
            let now = self.now();
            self.client
                .handle_transport_closed(now, id, TransportError::ClosedByUser);
            self.flush();
        }
    }

    /// Cuts the connection under the client, as a network failure would, without telling it:
    /// the client hears of it on its next read.
    pub fn cut_connection(&mut self) {
        if let Some((_, link)) = &self.link {
            let _ = link.stream().shutdown(Shutdown::Both);
        }
    }

    /// Drives the client until an event that `wanted` matches is queued, or `timeout` passes,
    /// and takes that event out of the queue; the events before it stay queued for later.
    pub fn take_event(
        &mut self,
        timeout: Duration,
        mut wanted: impl FnMut(&Event) -> bool,
    ) -> Result<Event, String> {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            if let Some(index) = self.events.iter().position(&mut wanted) {
                return Ok(self.events.remove(index).expect("a queued event"));
            }
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                return Err(format!(
                    "nothing expected within {timeout:?}; state {:?}; queued events {:?}",
                    self.client.state(),
                    self.events
                ));
            }
            self.step(left);
        }
    }

    /// Drives the client until `check` returns `Some` for an event, or `timeout` passes.
    /// `check` sees every event, in order.
    pub fn run_until<T>(
        &mut self,
        timeout: Duration,
        mut check: impl FnMut(&Event) -> Option<T>,
    ) -> Result<T, String> {
        let deadline = std::time::Instant::now() + timeout;
        let mut recent = VecDeque::new();
        loop {
            while let Some(event) = self.events.pop_front() {
                if let Some(found) = check(&event) {
                    return Ok(found);
                }
                recent.push_back(event);
                if recent.len() > 5 {
                    recent.pop_front();
                }
            }
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                return Err(format!(
                    "nothing expected within {timeout:?}; state {:?}; last events {recent:?}",
                    self.client.state()
                ));
            }
            self.step(left);
        }
    }

    /// Drives the client for `duration`, handing every event to `observe`.
    pub fn run_for(&mut self, duration: Duration, mut observe: impl FnMut(&Event)) {
        let _ = self.run_until(duration, |event| {
            observe(event);
            None::<()>
        });
    }

    /// One wait for bytes (at most `limit`), then the timer if due, then the outputs.
    fn step(&mut self, limit: Duration) {
        let mut wait = limit.min(LONGEST_WAIT);
        let now = self.now();
        if let Some(due) = self.client.poll_timeout() {
            wait = wait.min(Duration::from_millis(
                due.as_millis().saturating_sub(now.as_millis()),
            ));
        }
        match self
            .link
            .as_mut()
            .map(|(id, link)| (*id, link.receive(wait)))
        {
            Some((id, Received::Bytes(bytes))) => {
                let now = self.now();
                self.client.handle_bytes(now, id, &bytes);
            }
            Some((id, Received::Closed(error))) => {
                self.link = None;
                let now = self.now();
                self.client.handle_transport_closed(now, id, error);
            }
            Some((_, Received::Nothing)) => {}
            None => std::thread::sleep(wait),
        }
        let now = self.now();
        if self.client.poll_timeout().is_some_and(|due| due <= now) {
            self.client.handle_timeout(now);
        }
        self.flush();
    }

    /// Drains the client's outputs: packets, transport commands, events; repeats while a
    /// transport change causes more.
    fn flush(&mut self) {
        loop {
            let mut packet = Vec::new();
            while let Some(transmit) = self.client.poll_transmit(&mut packet) {
                let packet = std::mem::take(&mut packet);
                if let Some(sent) = &mut self.sent {
                    sent.push(SentPacket {
                        at: SystemTime::now(),
                        bytes: packet.clone(),
                    });
                }
                let queued = match &mut self.link {
                    Some((id, link)) if *id == transmit.transport => {
                        link.queue(packet, &mut self.pending)
                    }
                    _ => Ok(()),
                };
                if let Err(error) = queued {
                    self.link_failed(error);
                }
            }
            let flushed = match &mut self.link {
                Some((_, link)) => link.flush(&mut self.pending),
                None => Ok(()),
            };
            if let Err(error) = flushed {
                self.link_failed(error);
            }
            let mut opened = false;
            while let Some(command) = self.client.poll_transport() {
                match command {
                    TransportCommand::Open(id) => opened |= self.open(id),
                    TransportCommand::Close(id) => {
                        self.pending.clear();
                        if let Some((_, link)) = self.link.take_if(|(open, _)| *open == id) {
                            link.drop_abruptly();
                        }
                    }
                }
            }
            while let Some(event) = self.client.poll_event() {
                if let Some(history) = &mut self.history {
                    history.push(event.clone());
                }
                self.events.push_back(event);
            }
            if !opened {
                return;
            }
        }
    }

    /// Opens the transport and tells the client how it went; true if it opened.
    fn open(&mut self, id: TransportId) -> bool {
        let now = self.now();
        match Link::open(&self.endpoint) {
            Ok(link) => {
                self.link = Some((id, link));
                self.client.handle_transport_open(now, id);
                true
            }
            Err(error) => {
                let error = TransportError::CannotOpen {
                    url: self.endpoint.to_string(),
                    detail: error.to_string(),
                };
                self.client.handle_transport_closed(now, id, error);
                false
            }
        }
    }

    fn link_failed(&mut self, error: io::Error) {
        self.pending.clear();
        if let Some((id, _)) = self.link.take() {
            let now = self.now();
            self.client.handle_transport_closed(now, id, other(error));
        }
    }
}
