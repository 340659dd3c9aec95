// The synthetic MQTT source: a WebSocket server that plays just enough broker to answer CONNECT
// (version 3.1.1 or 5, as the CONNECT asks) and SUBSCRIBE, then floods the subscriber with
// pre-encoded QoS 0 PUBLISH packets as fast as the client reads them.
//
// Each connection is configured by its URL's path (a path, not a query, because some clients
// rebuild the URL), so every client under test gets the same bytes:
// ws://127.0.0.1:PORT/flood/COUNT/BATCH/SIZE[/TOPICS]
//   COUNT  PUBLISH packets to send on TOPIC (a multiple of BATCH)
//   BATCH  PUBLISH packets per WebSocket frame
//   SIZE   payload bytes per PUBLISH
//   TOPICS if given, that many distinct topics, TOPIC/0 … TOPIC/(TOPICS-1), taken in turn
//
// The flood starts on the first SUBSCRIBE with a filter under TOPIC (TOPIC itself, or TOPIC/#
// for distinct topics); any other SUBSCRIBE only gets its SUBACK, so that a client can hold
// other subscriptions beside the flood's.
//
// Prints "listening PORT" on stdout once ready. Run in its own process so that its event loop
// does not share a core with the benchmark's driver.

import { WebSocketServer } from 'ws';

/// Bytes the server lets the socket hold before it waits for the client to read.
const SEND_WINDOW_BYTES = 1 << 20;

const PACKET_CONNECT = 1;
const PACKET_SUBSCRIBE = 8;
const PACKET_PINGREQ = 12;
const PACKET_DISCONNECT = 14;

function encodeLength(length) {
  const bytes = [];
  do {
    let byte = length % 128;
    length = Math.floor(length / 128);
    if (length > 0) byte |= 0x80;
    bytes.push(byte);
  } while (length > 0);
  return bytes;
}

/// Returns [remaining length, bytes the length took] or null when more bytes are needed.
function decodeLength(buffer, offset) {
  let value = 0;
  let multiplier = 1;
  for (let i = 0; i < 4; i++) {
    if (offset + i >= buffer.length) return null;
    const byte = buffer[offset + i];
    value += (byte & 0x7f) * multiplier;
    if ((byte & 0x80) === 0) return [value, i + 1];
    multiplier *= 128;
  }
  throw new Error('malformed remaining length');
}

function packet(firstByte, body) {
  return Buffer.concat([Buffer.from([firstByte, ...encodeLength(body.length)]), body]);
}

function publishPacket(version, topic, payloadSize) {
  const topicBytes = Buffer.from(topic, 'utf8');
  const parts = [Buffer.from([topicBytes.length >> 8, topicBytes.length & 0xff]), topicBytes];
  if (version === 5) parts.push(Buffer.from([0])); // no properties
  // Printable payload, so clients that decode text see text.
  parts.push(Buffer.alloc(payloadSize, 'x'));
  return packet(0x30, Buffer.concat(parts));
}

function connack(version) {
  return version === 5 ? packet(0x20, Buffer.from([0, 0, 0])) : packet(0x20, Buffer.from([0, 0]));
}

/// The topic filters of a SUBSCRIBE's body.
function subscribeFilters(version, body) {
  let offset = 2;
  if (version === 5) {
    const [propertiesLength, lengthBytes] = decodeLength(body, offset);
    offset += lengthBytes + propertiesLength;
  }
  const filters = [];
  while (offset < body.length) {
    const filterLength = body.readUInt16BE(offset);
    filters.push(body.toString('utf8', offset + 2, offset + 2 + filterLength));
    offset += 2 + filterLength + 1;
  }
  return filters;
}

/// SUBACK granting QoS 0 to every one of a SUBSCRIBE's `filters`.
function suback(version, body, filters) {
  const packetId = body.subarray(0, 2);
  const header = version === 5 ? [packetId[0], packetId[1], 0] : [packetId[0], packetId[1]];
  return packet(0x90, Buffer.from([...header, ...new Array(filters).fill(0)]));
}

const TOPIC = 'bench/flood';

function parseConfig(url) {
  const match = /^\/flood\/(\d+)\/(\d+)\/(\d+)(?:\/(\d+))?$/.exec(new URL(url, 'ws://localhost').pathname);
  if (!match) throw new Error(`expected /flood/COUNT/BATCH/SIZE[/TOPICS], got ${url}`);
  const [count, batch, size] = match.slice(1, 4).map(Number);
  const topics = match[4] === undefined ? 0 : Number(match[4]);
  if (!(count > 0 && batch > 0 && count % batch === 0)) {
    throw new Error(`COUNT (${count}) must be a positive multiple of BATCH (${batch})`);
  }
  if (match[4] !== undefined && !(topics > 0)) throw new Error('TOPICS must be positive');
  return { count, batch, size, topics };
}

/// The frames of a flood, made as they are sent: with one topic every frame is the same.
function frameMaker(version, { batch, size, topics }) {
  if (!topics) {
    const frame = Buffer.concat(new Array(batch).fill(publishPacket(version, TOPIC, size)));
    return () => frame;
  }
  const packets = Array.from({ length: topics }, (_, i) => publishPacket(version, `${TOPIC}/${i}`, size));
  let next = 0;
  return () => Buffer.concat(Array.from({ length: batch }, () => packets[next++ % topics]));
}

function flood(socket, makeFrame, frames) {
  let sent = 0;
  let unwritten = 0;
  function pump() {
    while (sent < frames && unwritten < SEND_WINDOW_BYTES && socket.readyState === socket.OPEN) {
      const frame = makeFrame();
      sent++;
      unwritten += frame.length;
      socket.send(frame, { binary: true }, () => {
        unwritten -= frame.length;
        pump();
      });
    }
  }
  pump();
}

const underTopic = (filter) => filter === TOPIC || filter.startsWith(`${TOPIC}/`);

function serve(socket, request) {
  const config = parseConfig(request.url);
  let version = 4;
  let flooding = false;
  let pending = Buffer.alloc(0);
  socket.on('message', (data) => {
    pending = Buffer.concat([pending, data]);
    for (;;) {
      if (pending.length < 2) return;
      const length = decodeLength(pending, 1);
      if (!length) return;
      const [remaining, lengthBytes] = length;
      const start = 1 + lengthBytes;
      if (pending.length < start + remaining) return;
      const type = pending[0] >> 4;
      const body = pending.subarray(start, start + remaining);
      pending = pending.subarray(start + remaining);
      if (type === PACKET_CONNECT) {
        // Protocol name (2 + 4 bytes), then the protocol level.
        version = body[6] === 5 ? 5 : 4;
        socket.send(connack(version));
      } else if (type === PACKET_SUBSCRIBE) {
        const filters = subscribeFilters(version, body);
        socket.send(suback(version, body, filters.length));
        if (!flooding && filters.some(underTopic)) {
          flooding = true;
          flood(socket, frameMaker(version, config), config.count / config.batch);
        }
      } else if (type === PACKET_PINGREQ) {
        socket.send(Buffer.from([0xd0, 0]));
      } else if (type === PACKET_DISCONNECT) {
        socket.close();
      }
    }
  });
  socket.on('error', () => socket.terminate());
}

const server = new WebSocketServer({
  host: '127.0.0.1',
  port: Number(process.env.PORT ?? 0),
  perMessageDeflate: false,
  handleProtocols: (protocols) => (protocols.has('mqtt') ? 'mqtt' : false),
});
server.on('connection', (socket, request) => {
  try {
    serve(socket, request);
  } catch (error) {
    console.error(`source: ${error.message}`);
    socket.close(1008, error.message.slice(0, 100));
  }
});
server.on('listening', () => console.log(`listening ${server.address().port}`));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));
