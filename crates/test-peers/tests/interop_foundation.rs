//! The ground the other interop tests stand on: the test broker works, checked with raw bytes
//! and no core at all. (Moved here from the core's own tests, which need no broker.)

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use test_peers::brokers::Mosquitto;

fn read_exact(stream: &mut TcpStream, len: usize) -> Vec<u8> {
    let mut buffer = vec![0; len];
    stream
        .read_exact(&mut buffer)
        .expect("read from the broker");
    buffer
}

/// One MQTT packet with a remaining length under 128 (one length byte).
fn read_small_packet(stream: &mut TcpStream) -> Vec<u8> {
    let mut packet = read_exact(stream, 2);
    let remaining = usize::from(packet[1]);
    assert!(remaining < 128, "unexpectedly large packet {packet:?}");
    packet.extend(read_exact(stream, remaining));
    packet
}

#[test]
fn raw_connect_subscribe_publish_receives_own_message() {
    let broker = Mosquitto::start("");
    let mut stream =
        TcpStream::connect(("127.0.0.1", broker.tcp_port)).expect("connect to mosquitto");
    stream
        .set_read_timeout(Some(Duration::from_secs(3)))
        .unwrap();

    // CONNECT, 3.1.1, clean session, keep alive 60, client id "raw".
    let connect = [
        0x10, 15, 0, 4, b'M', b'Q', b'T', b'T', 4, 0x02, 0, 60, 0, 3, b'r', b'a', b'w',
    ];
    stream.write_all(&connect).unwrap();
    assert_eq!(
        read_small_packet(&mut stream),
        [0x20, 2, 0, 0],
        "CONNACK accepted"
    );

    // SUBSCRIBE id 1 to "raw/t" at QoS 0.
    let subscribe = [0x82, 10, 0, 1, 0, 5, b'r', b'a', b'w', b'/', b't', 0];
    stream.write_all(&subscribe).unwrap();
    assert_eq!(
        read_small_packet(&mut stream),
        [0x90, 3, 0, 1, 0],
        "SUBACK granting QoS 0"
    );

    // PUBLISH QoS 0 to the same topic, payload "hi": it comes back unchanged.
    let publish = [0x30, 9, 0, 5, b'r', b'a', b'w', b'/', b't', b'h', b'i'];
    stream.write_all(&publish).unwrap();
    assert_eq!(read_small_packet(&mut stream), publish);
}
