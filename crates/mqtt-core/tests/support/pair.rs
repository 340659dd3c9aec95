//! A client and a scripted server on a virtual clock (in the spirit of quinn-proto's test
//! pair): the test plays the server with `Packet` values that go through the real codec, and
//! moves time explicitly, so every transcript is deterministic and instant.

use std::collections::VecDeque;
use std::time::Duration;

use mqtt_core::codec::{encode, Decoder, MAX_PACKET_SIZE};
use mqtt_core::*;

pub struct Pair {
    pub client: Client,
    pub now: Instant,
    version: ProtocolVersion,
    /// Decodes what the client sends, as the server would.
    server_decoder: Decoder,
    sent: VecDeque<Packet>,
    transport: VecDeque<TransportCommand>,
    /// The transport the client last asked to open, which the test's server speaks on.
    pub current: Option<TransportId>,
    events: VecDeque<Event>,
}

impl Pair {
    pub fn new(options: ClientOptions) -> Pair {
        let version = options.version;
        Pair {
            client: Client::new(options, 1),
            now: Instant::from_millis(0),
            version,
            server_decoder: Decoder::new(version, MAX_PACKET_SIZE),
            sent: VecDeque::new(),
            transport: VecDeque::new(),
            current: None,
            events: VecDeque::new(),
        }
    }

    /// `connect`, transport opened, CONNECT checked and returned.
    pub fn open(&mut self) -> Connect {
        self.client.connect(self.now);
        self.drive();
        self.accept_open();
        self.drive();
        match self.expect_sent() {
            Packet::Connect(connect) => connect,
            other => panic!("expected CONNECT, got {other:?}"),
        }
    }

    /// A client connected to a server that accepted it with these properties.
    pub fn connected(options: ClientOptions, properties: ConnAckProperties) -> Pair {
        let mut pair = Pair::new(options);
        pair.open();
        pair.server_send(Packet::ConnAck(ConnAck {
            session_present: false,
            code: ReasonCode::SUCCESS,
            properties,
        }));
        assert!(matches!(
            pair.client.state(),
            ConnectionState::Connected { .. }
        ));
        pair.events.clear();
        pair
    }

    /// Drain every output of the client, decoding the bytes it sent.
    pub fn drive(&mut self) {
        let mut bytes = Vec::new();
        while let Some(transmit) = self.client.poll_transmit(&mut bytes) {
            assert_eq!(
                transmit.size,
                bytes.len(),
                "poll_transmit appends one packet to an empty buffer"
            );
            assert_eq!(
                Some(transmit.transport),
                self.current,
                "for the newest transport"
            );
            self.server_decoder
                .feed(&bytes)
                .expect("the client sent a decodable packet");
            let packet = self
                .server_decoder
                .next_packet()
                .expect("the client sent a valid packet")
                .expect("poll_transmit returns one whole packet");
            assert_eq!(
                self.server_decoder.buffered_len(),
                0,
                "exactly one packet per transmit"
            );
            self.sent.push_back(packet);
            bytes.clear();
        }
        while let Some(command) = self.client.poll_transport() {
            if let TransportCommand::Open(id) = command {
                assert_ne!(self.current, Some(id), "each transport gets a new id");
                self.current = Some(id);
            }
            self.transport.push_back(command);
        }
        while let Some(event) = self.client.poll_event() {
            self.events.push_back(event);
        }
    }

    pub fn server_send(&mut self, packet: Packet) {
        let bytes = encode(&packet, self.version, None).expect("the test's server packet encodes");
        self.server_send_bytes(&bytes);
    }

    pub fn server_send_bytes(&mut self, bytes: &[u8]) {
        let transport = self.current.expect("a transport is open");
        self.client.handle_bytes(self.now, transport, bytes);
        self.drive();
    }

    /// Move the virtual clock, firing every deadline that falls within the step at its time.
    pub fn advance(&mut self, step: Duration) {
        let target = self.now + step;
        while let Some(deadline) = self.client.poll_timeout() {
            if deadline > target {
                break;
            }
            self.now = self.now.max(deadline);
            self.client.handle_timeout(self.now);
            self.drive();
        }
        self.now = target;
    }

    pub fn expect_sent(&mut self) -> Packet {
        self.sent
            .pop_front()
            .expect("the client should have sent a packet")
    }

    pub fn sent_count(&self) -> usize {
        self.sent.len()
    }

    pub fn expect_nothing_sent(&mut self) {
        assert!(self.sent.is_empty(), "unexpected packets: {:?}", self.sent);
    }

    pub fn take_transport(&mut self) -> Option<TransportCommand> {
        self.transport.pop_front()
    }

    /// The next transport command, which must open the newest transport.
    pub fn expect_open(&mut self) -> TransportId {
        match self.take_transport() {
            Some(TransportCommand::Open(id)) if self.current == Some(id) => id,
            other => panic!("expected Open of the newest transport, got {other:?}"),
        }
    }

    /// `expect_open`, and the transport opens.
    pub fn accept_open(&mut self) {
        let id = self.expect_open();
        self.client.handle_transport_open(self.now, id);
    }

    /// The next transport command, which must close the current transport.
    pub fn expect_close(&mut self) {
        let current = self.current.expect("a transport was opened");
        assert_eq!(
            self.take_transport(),
            Some(TransportCommand::Close(current))
        );
    }

    pub fn take_events(&mut self) -> Vec<Event> {
        self.events.drain(..).collect()
    }

    /// The next packet sent, which must be a PUBLISH.
    pub fn expect_publish(&mut self) -> Publish {
        match self.expect_sent() {
            Packet::Publish(publish) => publish,
            other => panic!("expected PUBLISH, got {other:?}"),
        }
    }

    /// The outcomes of publishes reported since the last look (other events are dropped).
    pub fn take_published(&mut self) -> Vec<(PublishId, Result<(), PublishError>)> {
        self.take_events()
            .into_iter()
            .filter_map(|event| match event {
                Event::Published { id, result } => Some((id, result)),
                _ => None,
            })
            .collect()
    }

    /// Why the connection ended, from the events since the last look (then dropped): the
    /// reason of the last state that ended one.
    pub fn take_lost_reason(&mut self) -> ConnectionError {
        self.take_events()
            .into_iter()
            .filter_map(|event| match event {
                Event::StateChanged(state) => state.ended_because().cloned(),
                _ => None,
            })
            .last()
            .expect("the connection ended with a reason")
    }

    /// Lose the transport, wait for the reconnect, and answer its CONNECT with a CONNACK
    /// carrying these properties; returns the CONNECT.
    pub fn reconnect(&mut self, session_present: bool, properties: ConnAckProperties) -> Connect {
        self.transport_closed("network down");
        assert!(matches!(
            self.client.state(),
            ConnectionState::Reconnecting { .. }
        ));
        let at = self
            .client
            .poll_timeout()
            .expect("a reconnect is scheduled");
        self.advance(at.saturating_duration_since(self.now));
        self.accept_open();
        self.drive();
        let Packet::Connect(connect) = self.expect_sent() else {
            panic!("expected CONNECT")
        };
        self.server_send(Packet::ConnAck(ConnAck {
            session_present,
            code: ReasonCode::SUCCESS,
            properties,
        }));
        connect
    }

    /// Simulate the server vanishing: the current transport reports closed.
    pub fn transport_closed(&mut self, reason: &str) {
        let transport = self.current.expect("a transport was opened");
        self.client
            .handle_transport_closed(self.now, transport, transport_error(reason));
        self.drive();
    }
}

pub fn qos1(id: u16) -> Delivery {
    Delivery::AtLeastOnce(packet_id(id))
}

pub fn qos2(id: u16) -> Delivery {
    Delivery::ExactlyOnce(packet_id(id))
}

pub fn packet_id(id: u16) -> PacketId {
    PacketId::new(id).expect("a non-zero packet id")
}

pub fn ack(id: u16, reason: ReasonCode) -> Ack {
    Ack {
        packet_id: packet_id(id),
        reason,
        properties: AckProperties::default(),
    }
}

pub fn message(topic: &str, payload: &'static [u8], qos: QoS) -> OutgoingMessage {
    OutgoingMessage {
        topic: topic.into(),
        payload: Bytes::from_static(payload),
        qos,
        retain: false,
        properties: PublishProperties::default(),
    }
}

pub fn server_publish(topic: &str, payload: &'static [u8], delivery: Delivery) -> Packet {
    Packet::Publish(Publish {
        dup: false,
        delivery,
        retain: false,
        topic: topic.into(),
        payload: Bytes::from_static(payload),
        properties: PublishProperties::default(),
    })
}

pub fn filter(filter: &str, qos: QoS) -> SubscribeFilter {
    SubscribeFilter {
        filter: filter.into(),
        options: SubscriptionOptions {
            qos,
            no_local: false,
            retain_as_published: false,
            retain_handling: RetainHandling::SendAtSubscribe,
        },
    }
}

/// A transport failure in the platform's words, as a native driver reports it.
pub fn transport_error(words: &str) -> TransportError {
    TransportError::Other(words.into())
}
