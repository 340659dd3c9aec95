//! The foundation check for the browser side of the wire, independent of our own codec: a raw
//! WebSocket with subprotocol `mqtt` to the test Mosquitto, CONNECT -> CONNACK, SUBSCRIBE ->
//! SUBACK, PUBLISH -> the same PUBLISH back. Packets are written out byte by byte from the
//! MQTT 3.1.1 specification, so a defect in `mqtt_core` cannot hide itself here.
#![cfg(target_arch = "wasm32")]

use std::{cell::RefCell, collections::VecDeque, rc::Rc, time::Duration};

use gloo_timers::future::sleep;
use js_sys::{ArrayBuffer, Uint8Array};
use wasm_bindgen::{closure::Closure, JsCast};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{BinaryType, MessageEvent, WebSocket};

wasm_bindgen_test_configure!(run_in_browser);

/// Set by scripts/test, which starts the broker; read at compile time since wasm has no env.
const BROKER_URL: Option<&str> = option_env!("MQTT_TEST_WS_URL");
const TOPIC: &[u8] = b"foundation/roundtrip";
const PAYLOAD: &[u8] = b"hello from the browser";

/// Frames received, in order, and whether the socket opened or closed.
#[derive(Default)]
struct Inbox {
    frames: VecDeque<Vec<u8>>,
    open: bool,
    closed: bool,
}

fn connect_packet() -> Vec<u8> {
    let client_id = b"wasm-foundation";
    let mut variable = vec![0x00, 0x04, b'M', b'Q', b'T', b'T', 0x04, 0x02, 0x00, 0x3C];
    variable.extend_from_slice(&(client_id.len() as u16).to_be_bytes());
    variable.extend_from_slice(client_id);
    with_fixed_header(0x10, variable)
}

fn subscribe_packet() -> Vec<u8> {
    let mut body = vec![0x00, 0x01];
    body.extend_from_slice(&(TOPIC.len() as u16).to_be_bytes());
    body.extend_from_slice(TOPIC);
    body.push(0x00);
    with_fixed_header(0x82, body)
}

fn publish_packet() -> Vec<u8> {
    let mut body = (TOPIC.len() as u16).to_be_bytes().to_vec();
    body.extend_from_slice(TOPIC);
    body.extend_from_slice(PAYLOAD);
    with_fixed_header(0x30, body)
}

/// Every packet here is shorter than 128 bytes, so the remaining length is one byte.
fn with_fixed_header(first_byte: u8, body: Vec<u8>) -> Vec<u8> {
    assert!(body.len() < 128);
    let mut packet = vec![first_byte, body.len() as u8];
    packet.extend(body);
    packet
}

async fn next_frame(inbox: &Rc<RefCell<Inbox>>) -> Vec<u8> {
    for _ in 0..500 {
        let (frame, closed) = {
            let mut inbox = inbox.borrow_mut();
            (inbox.frames.pop_front(), inbox.closed)
        };
        if let Some(frame) = frame {
            return frame;
        }
        assert!(!closed, "the broker closed the WebSocket");
        sleep(Duration::from_millis(10)).await;
    }
    panic!("no frame from the broker within 5 s");
}

#[wasm_bindgen_test]
async fn connect_subscribe_and_receive_own_publish() {
    let broker_url = BROKER_URL.expect("MQTT_TEST_WS_URL is not set: run scripts/test");
    let socket = WebSocket::new_with_str(broker_url, "mqtt").expect("WebSocket to the test broker");
    socket.set_binary_type(BinaryType::Arraybuffer);
    let inbox = Rc::new(RefCell::new(Inbox::default()));

    let on_message = {
        let inbox = inbox.clone();
        Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let buffer: ArrayBuffer = event.data().dyn_into().expect("a binary frame");
            inbox
                .borrow_mut()
                .frames
                .push_back(Uint8Array::new(&buffer).to_vec());
        })
    };
    let on_open = {
        let inbox = inbox.clone();
        Closure::<dyn FnMut()>::new(move || inbox.borrow_mut().open = true)
    };
    let on_close = {
        let inbox = inbox.clone();
        Closure::<dyn FnMut()>::new(move || inbox.borrow_mut().closed = true)
    };
    socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));

    for _ in 0..500 {
        if inbox.borrow().open || inbox.borrow().closed {
            break;
        }
        sleep(Duration::from_millis(10)).await;
    }
    assert!(
        inbox.borrow().open,
        "the WebSocket to {broker_url} did not open"
    );
    assert_eq!(
        socket.protocol(),
        "mqtt",
        "the broker must accept subprotocol mqtt"
    );

    socket.send_with_u8_array(&connect_packet()).unwrap();
    assert_eq!(
        next_frame(&inbox).await,
        [0x20, 0x02, 0x00, 0x00],
        "CONNACK accepted"
    );

    socket.send_with_u8_array(&subscribe_packet()).unwrap();
    assert_eq!(
        next_frame(&inbox).await,
        [0x90, 0x03, 0x00, 0x01, 0x00],
        "SUBACK granting QoS 0"
    );

    socket.send_with_u8_array(&publish_packet()).unwrap();
    assert_eq!(
        next_frame(&inbox).await,
        publish_packet(),
        "our own PUBLISH, back from the broker"
    );

    socket.send_with_u8_array(&[0xE0, 0x00]).unwrap();
    socket.close().unwrap();
}
