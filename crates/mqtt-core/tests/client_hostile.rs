//! Seeded random sessions: garbage bytes, and valid packets in any order from a server that
//! does whatever it likes, mixed with user commands, time and transport loss. The client must
//! never panic, must only ever send decodable packets (the pair checks every one), and must
//! keep its state consistent.

mod support;

use std::time::Duration;

use mqtt_core::*;
use support::pair::*;

/// xorshift64: a deterministic source of choices, so a failing seed can be replayed.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }

    fn id(&mut self) -> u16 {
        self.below(6) as u16 + 1
    }

    fn qos(&mut self) -> QoS {
        [QoS::AtMostOnce, QoS::AtLeastOnce, QoS::ExactlyOnce][self.below(3) as usize]
    }

    /// A reason code both PUBACK and PUBREC may carry.
    fn reason(&mut self) -> ReasonCode {
        ReasonCode([0x00, 0x10, 0x80, 0x87, 0x97][self.below(5) as usize])
    }
}

fn random_server_packet(dice: &mut Dice, version: ProtocolVersion) -> Packet {
    let v5 = version == ProtocolVersion::V5;
    let ack_reason = |dice: &mut Dice| {
        if v5 {
            dice.reason()
        } else {
            ReasonCode::SUCCESS
        }
    };
    match dice.below(11) {
        0 => Packet::ConnAck(ConnAck {
            session_present: dice.below(2) == 0,
            code: if dice.below(4) == 0 {
                ReasonCode(0x87)
            } else {
                ReasonCode::SUCCESS
            },
            properties: ConnAckProperties {
                receive_maximum: v5.then(|| dice.below(3) as u16 + 1),
                maximum_qos: if v5 && dice.below(2) == 0 {
                    Some(QoS::AtLeastOnce)
                } else {
                    None
                },
                topic_alias_maximum: None,
                ..ConnAckProperties::default()
            },
        }),
        1 | 2 => {
            let delivery = match dice.qos() {
                QoS::AtMostOnce => Delivery::AtMostOnce,
                QoS::AtLeastOnce => qos1(dice.id()),
                QoS::ExactlyOnce => qos2(dice.id()),
            };
            let mut properties = PublishProperties::default();
            let mut topic = String::from("t/x");
            if v5 && dice.below(3) == 0 {
                properties.topic_alias = Some(dice.below(4) as u16 + 1);
                if dice.below(2) == 0 {
                    topic.clear();
                }
            }
            Packet::Publish(Publish {
                dup: dice.below(4) == 0,
                delivery,
                retain: false,
                topic,
                payload: Bytes::from_static(b"payload"),
                properties,
            })
        }
        3 => Packet::PubAck(ack(dice.id(), ack_reason(dice))),
        4 => Packet::PubRec(ack(dice.id(), ack_reason(dice))),
        5 => Packet::PubRel(ack(dice.id(), ReasonCode::SUCCESS)),
        6 => Packet::PubComp(ack(dice.id(), ReasonCode::SUCCESS)),
        7 => Packet::SubAck(SubAck {
            packet_id: packet_id(dice.id()),
            reason_codes: vec![ReasonCode(dice.below(3) as u8)],
            properties: AckProperties::default(),
        }),
        8 => Packet::UnsubAck(UnsubAck {
            packet_id: packet_id(dice.id()),
            reason_codes: if v5 {
                vec![ReasonCode::SUCCESS]
            } else {
                vec![]
            },
            properties: AckProperties::default(),
        }),
        9 => Packet::PingResp,
        _ if v5 => Packet::Disconnect(Disconnect {
            reason: ReasonCode::SERVER_BUSY,
            properties: DisconnectProperties::default(),
        }),
        _ => Packet::PingResp,
    }
}

/// What a well-behaved server would answer to a packet the client sent, if anything.
fn plausible_answer(sent: &Packet, version: ProtocolVersion) -> Option<Packet> {
    let success = ReasonCode::SUCCESS;
    match sent {
        Packet::Publish(publish) => match publish.delivery {
            Delivery::AtMostOnce => None,
            Delivery::AtLeastOnce(id) => Some(Packet::PubAck(ack(id.get(), success))),
            Delivery::ExactlyOnce(id) => Some(Packet::PubRec(ack(id.get(), success))),
        },
        Packet::PubRel(release) => Some(Packet::PubComp(ack(release.packet_id.get(), success))),
        Packet::Subscribe(subscribe) => Some(Packet::SubAck(SubAck {
            packet_id: subscribe.packet_id,
            reason_codes: subscribe
                .filters
                .iter()
                .map(|filter| ReasonCode(filter.options.qos as u8))
                .collect(),
            properties: AckProperties::default(),
        })),
        Packet::Unsubscribe(unsubscribe) => Some(Packet::UnsubAck(UnsubAck {
            packet_id: unsubscribe.packet_id,
            reason_codes: match version {
                ProtocolVersion::V5 => vec![success; unsubscribe.filters.len()],
                ProtocolVersion::V311 => vec![],
            },
            properties: AckProperties::default(),
        })),
        Packet::PingReq => Some(Packet::PingResp),
        _ => None,
    }
}

fn check_invariants(pair: &Pair) {
    match pair.client.state() {
        ConnectionState::Connected { .. } => assert!(pair.client.server_properties().is_some()),
        ConnectionState::Reconnecting { at, .. } => {
            assert_eq!(pair.client.poll_timeout(), Some(*at));
            assert!(pair.client.server_properties().is_none());
        }
        _ => {}
    }
}

#[derive(Default, Debug)]
struct Coverage {
    connected: u32,
    messages: u32,
    published: u32,
    subscribed: u32,
    lost: u32,
}

fn run(seed: u64, version: ProtocolVersion, coverage: &mut Coverage) {
    let mut dice = Dice(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut options = ClientOptions::new(version, "hostile");
    options.keep_alive = 5;
    options.clean_start = dice.below(2) == 0;
    options.topic_alias_maximum = Some(2);
    options.receive_maximum = Some(3);
    options.offline_queue_limit = 4;
    let mut pair = Pair::new(options);
    pair.client.connect(pair.now);
    pair.drive();
    // Packets the client sent that the server has not answered yet.
    let mut unanswered: Vec<Packet> = Vec::new();
    for _ in 0..200 {
        match dice.below(40) {
            0 => {
                let len = dice.below(12) as usize;
                let bytes: Vec<u8> = (0..len).map(|_| dice.next() as u8).collect();
                pair.server_send_bytes(&bytes);
            }
            1..=4 => {
                let packet = random_server_packet(&mut dice, version);
                pair.server_send(packet);
            }
            5..=16 if !unanswered.is_empty() => {
                let sent = unanswered.remove(dice.below(unanswered.len() as u64) as usize);
                if let Some(answer) = plausible_answer(&sent, version) {
                    pair.server_send(answer);
                }
            }
            17..=22 => {
                let delivery = match dice.qos() {
                    QoS::AtMostOnce => Delivery::AtMostOnce,
                    QoS::AtLeastOnce => qos1(dice.id()),
                    QoS::ExactlyOnce => qos2(dice.id()),
                };
                pair.server_send(server_publish("in/x", b"m", delivery));
            }
            23..=28 => {
                let _ = pair
                    .client
                    .publish(pair.now, message("out", b"m", dice.qos()));
                pair.drive();
            }
            29..=30 => {
                let filters = vec![filter("in/#", dice.qos())];
                let _ = pair
                    .client
                    .subscribe(pair.now, filters, SubscribeProperties::default());
                if dice.below(2) == 0 {
                    let _ = pair.client.unsubscribe(pair.now, vec!["in/#".into()]);
                }
                pair.drive();
            }
            31..=34 => pair.advance(Duration::from_millis(dice.below(4_000))),
            35 => pair.transport_closed("random loss"),
            36 => {
                pair.client.connect(pair.now);
                pair.drive();
            }
            37 if dice.below(4) == 0 => {
                pair.client.disconnect(pair.now);
                pair.drive();
            }
            _ => {}
        }
        // The transport opens when asked, and the server usually accepts.
        while let Some(command) = pair.take_transport() {
            if let TransportCommand::Open(id) = command {
                unanswered.clear();
                pair.client.handle_transport_open(pair.now, id);
                pair.drive();
                if dice.below(10) != 0 {
                    pair.server_send(Packet::ConnAck(ConnAck {
                        session_present: !pair.client.options().clean_start && dice.below(2) == 0,
                        code: ReasonCode::SUCCESS,
                        properties: ConnAckProperties {
                            receive_maximum: (version == ProtocolVersion::V5)
                                .then(|| dice.below(3) as u16 + 1),
                            ..ConnAckProperties::default()
                        },
                    }));
                }
            }
        }
        check_invariants(&pair);
        for event in pair.take_events() {
            match event {
                Event::Connected(_) => coverage.connected += 1,
                Event::Message(_) => coverage.messages += 1,
                Event::Published { result: Ok(()), .. } => coverage.published += 1,
                Event::Subscribed { .. } => coverage.subscribed += 1,
                Event::StateChanged(
                    ConnectionState::Reconnecting { .. }
                    | ConnectionState::Disconnected { reason: Some(_) },
                ) => coverage.lost += 1,
                _ => {}
            }
        }
        // Every packet was decoded (and so checked) by the pair on its way out.
        while pair.sent_count() > 0 {
            unanswered.push(pair.expect_sent());
        }
    }
}

#[test]
fn random_sessions_never_panic_and_only_send_valid_packets() {
    let mut coverage = Coverage::default();
    for seed in 0..300 {
        for version in [ProtocolVersion::V311, ProtocolVersion::V5] {
            run(seed, version, &mut coverage);
        }
    }
    // The sessions got somewhere: connected, exchanged messages, completed publishes.
    assert!(coverage.connected > 1_000, "{coverage:?}");
    assert!(coverage.messages > 1_000, "{coverage:?}");
    assert!(coverage.published > 1_000, "{coverage:?}");
    assert!(coverage.subscribed > 100, "{coverage:?}");
}
