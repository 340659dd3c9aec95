//! A native driver for interop tests: runs a `Client` over a std `TcpStream` with the real
//! clock, following the driver contract (transmit, transport, events, then the timer).

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::time::Duration;

use mqtt_core::{
    Client, ClientOptions, Event, Instant, TransportCommand, TransportError, TransportId,
};

pub struct Driver {
    pub client: Client,
    address: SocketAddr,
    /// The open transport, under the id the client gave it.
    stream: Option<(TransportId, TcpStream)>,
    started: std::time::Instant,
    /// Every event so far, in order.
    pub events: Vec<Event>,
    /// Events not yet taken by `wait_for`, in order.
    unclaimed: Vec<Event>,
}

impl Driver {
    pub fn new(options: ClientOptions, address: SocketAddr) -> Driver {
        Driver {
            client: Client::new(options, 0x5EED),
            address,
            stream: None,
            started: std::time::Instant::now(),
            events: Vec::new(),
            unclaimed: Vec::new(),
        }
    }

    /// A client already connected (CONNACK accepted).
    pub fn connected(options: ClientOptions, address: SocketAddr) -> Driver {
        let mut driver = Driver::new(options, address);
        driver.connect();
        driver.wait_for("CONNACK", |event| matches!(event, Event::Connected(_)));
        driver
    }

    pub fn now(&self) -> Instant {
        Instant::from_millis(self.started.elapsed().as_millis() as u64)
    }

    pub fn connect(&mut self) {
        self.client.connect(self.now());
        self.flush();
    }

    /// Carry out everything the client asked for.
    pub fn flush(&mut self) {
        loop {
            let mut bytes = Vec::new();
            while let Some(transmit) = self.client.poll_transmit(&mut bytes) {
                let packet = bytes.len() - transmit.size..;
                if let Some((id, stream)) = &mut self.stream {
                    if *id == transmit.transport && stream.write_all(&bytes[packet]).is_err() {
                        let id = *id;
                        self.stream = None;
                        self.client
                            .handle_transport_closed(self.now(), id, other("write failed"));
                    }
                }
            }
            let Some(command) = self.client.poll_transport() else {
                break;
            };
            match command {
                TransportCommand::Open(id) => match TcpStream::connect(self.address) {
                    Ok(stream) => {
                        stream.set_nodelay(true).unwrap();
                        stream.set_nonblocking(true).unwrap();
                        self.stream = Some((id, stream));
                        self.client.handle_transport_open(self.now(), id);
                    }
                    Err(error) => self.client.handle_transport_closed(
                        self.now(),
                        id,
                        other(&error.to_string()),
                    ),
                },
                TransportCommand::Close(id) => {
                    if let Some((_, stream)) = self.stream.take_if(|(open, _)| *open == id) {
                        let _ = stream.shutdown(Shutdown::Both);
                    }
                }
            }
        }
        while let Some(event) = self.client.poll_event() {
            self.events.push(event.clone());
            self.unclaimed.push(event);
        }
    }

    /// One round: read what arrived, fire the timer if due, carry out the results. Returns
    /// whether anything arrived.
    fn step(&mut self) -> bool {
        let mut buffer = [0u8; 16 * 1024];
        let mut arrived = false;
        while let Some((id, stream)) = &mut self.stream {
            let id = *id;
            match stream.read(&mut buffer) {
                Ok(0) => {
                    self.stream = None;
                    self.client.handle_transport_closed(
                        self.now(),
                        id,
                        other("closed by the broker"),
                    );
                    break;
                }
                Ok(len) => {
                    arrived = true;
                    self.client.handle_bytes(self.now(), id, &buffer[..len]);
                    self.flush();
                }
                Err(error) if error.kind() == ErrorKind::WouldBlock => break,
                Err(error) => {
                    self.stream = None;
                    self.client
                        .handle_transport_closed(self.now(), id, other(&error.to_string()));
                    break;
                }
            }
        }
        if self
            .client
            .poll_timeout()
            .is_some_and(|deadline| deadline <= self.now())
        {
            self.client.handle_timeout(self.now());
        }
        self.flush();
        arrived
    }

    /// Run until an event not claimed before matches, and claim it; panics with the events so
    /// far if none comes within the deadline.
    pub fn wait_for(&mut self, what: &str, mut wanted: impl FnMut(&Event) -> bool) -> Event {
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        loop {
            if let Some(index) = self.unclaimed.iter().position(&mut wanted) {
                return self.unclaimed.remove(index);
            }
            assert!(
                std::time::Instant::now() < deadline,
                "timed out waiting for {what}; events: {:#?}",
                self.events
            );
            if !self.step() {
                std::thread::sleep(Duration::from_millis(1));
            }
        }
    }

    /// Let the client run for a while (to let others catch up) without waiting for anything.
    pub fn run_for(&mut self, duration: Duration) {
        let until = std::time::Instant::now() + duration;
        while std::time::Instant::now() < until {
            if !self.step() {
                std::thread::sleep(Duration::from_millis(1));
            }
        }
    }

    /// Cut the TCP connection under the client, as a network failure would; the client hears
    /// of it on its next read.
    pub fn cut_connection(&mut self) {
        if let Some((_, stream)) = &self.stream {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }
}

fn other(words: &str) -> TransportError {
    TransportError::Other(words.into())
}
