// The raw pages' MQTT: only as much 3.1.1 as the flood needs (CONNECT, SUBSCRIBE, PUBACK for
// QoS 1), walking the fixed headers of what arrives and counting PUBLISH packets without
// decoding them. Shared by the main-thread page (raw.js) and the worker one (raw-worker-thread.js).
import { randomClientId } from './client-id.js';

const encoder = new TextEncoder();

function utf8Field(text) {
  const bytes = encoder.encode(text);
  return [bytes.length >> 8, bytes.length & 0xff, ...bytes];
}

function withLength(firstByte, body) {
  const length = [];
  let rest = body.length;
  do {
    let byte = rest % 128;
    rest = Math.floor(rest / 128);
    if (rest > 0) byte |= 0x80;
    length.push(byte);
  } while (rest > 0);
  return new Uint8Array([firstByte, ...length, ...body]);
}

function connectPacket(clientId) {
  // "MQTT", level 4, clean session, keep alive 60 s.
  return withLength(0x10, [...utf8Field('MQTT'), 4, 0x02, 0, 60, ...utf8Field(clientId)]);
}

function subscribePacket(filter, qos) {
  return withLength(0x82, [0, 1, ...utf8Field(filter), qos]);
}

/// Opens the socket, connects, subscribes on CONNACK, and reports through the callbacks:
/// `onConnack()`, `onSubscribed()`, `onPublishes(n)` per WebSocket message, `onError(error)`.
/// Returns the socket.
export function rawClient({ url, topic, qos, prefix, onConnack, onSubscribed, onPublishes, onError }) {
  const socket = new WebSocket(url, 'mqtt');
  socket.binaryType = 'arraybuffer';
  let leftover = null;
  const puback = new Uint8Array([0x40, 2, 0, 0]);
  socket.onopen = () => socket.send(connectPacket(randomClientId(prefix)));
  socket.onerror = () => onError(new Error(`WebSocket error on ${url}`));
  socket.onmessage = (event) => {
    let bytes = new Uint8Array(event.data);
    if (leftover) {
      const joined = new Uint8Array(leftover.length + bytes.length);
      joined.set(leftover);
      joined.set(bytes, leftover.length);
      bytes = joined;
      leftover = null;
    }
    let offset = 0;
    let publishes = 0;
    while (offset + 2 <= bytes.length) {
      let remaining = 0;
      let multiplier = 1;
      let cursor = offset + 1;
      let byte;
      do {
        if (cursor >= bytes.length) break;
        byte = bytes[cursor++];
        remaining += (byte & 0x7f) * multiplier;
        multiplier *= 128;
      } while (byte & 0x80);
      if (byte & 0x80 || cursor + remaining > bytes.length) break;
      const type = bytes[offset] >> 4;
      if (type === 3) {
        publishes++;
        if (bytes[offset] & 0x06) {
          // QoS 1: the packet id follows the topic.
          const topicLength = (bytes[cursor] << 8) | bytes[cursor + 1];
          puback[2] = bytes[cursor + 2 + topicLength];
          puback[3] = bytes[cursor + 3 + topicLength];
          socket.send(puback);
        }
      } else if (type === 2) {
        onConnack();
        socket.send(subscribePacket(topic, qos));
      } else if (type === 9) {
        onSubscribed();
      }
      offset = cursor + remaining;
    }
    if (offset < bytes.length) leftover = bytes.slice(offset);
    if (publishes) onPublishes(publishes);
  };
  return socket;
}
