// The driver's worker (src/driver/worker.rs owns it and documents the messages: `ToWorker`,
// `FromWorker`). A batch of frames goes to the page only once it has handled the last one.
const TIMER = 0, OPEN = 1, SEND = 2, CLOSE = 3, READY = 4, QUIT = 5, PROBE = 6;
const TICK = 0, OPENED = 1, BYTES = 2, TEXT = 3, CLOSED = 4, FAILED = 5, PROBED = 6;
// A probe that nothing answers (a port that swallows packets) counts as unanswered after this.
const PROBE_TIMEOUT_MS = 10000;
const timers = {};
let socket = null, id = 0, frames = [], size = 0, ready = true;

// What piled up while the page was busy goes over in batches of about this size (a larger frame
// goes alone) and of at most this many frames, except before a close, when everything must
// reach the page ahead of the close: each batch is copied whole into wasm memory, which never
// shrinks, and decoded in one task, which must leave the page time to paint.
const BATCH_BYTES = 256 * 1024, BATCH_FRAMES = 512;

function deliver(limit = BATCH_BYTES, most = BATCH_FRAMES) {
  if (size === 0) return;
  let count = 0, length = 0;
  while (count < Math.min(frames.length, most) &&
         (count === 0 || length + frames[count].byteLength <= limit)) {
    length += frames[count].byteLength;
    count += 1;
  }
  const batch = new Uint8Array(length);
  let at = 0;
  for (const frame of frames.splice(0, count)) {
    batch.set(new Uint8Array(frame), at);
    at += frame.byteLength;
  }
  size -= length;
  ready = false;
  postMessage([BYTES, id, batch.buffer], [batch.buffer]);
}

function detach() {
  if (socket) {
    socket.onopen = socket.onmessage = socket.onclose = null;
    socket.close();
    socket = null;
  }
  frames = [];
  size = 0;
}

function open(url) {
  try {
    socket = new WebSocket(url, 'mqtt');
  } catch (error) {
    postMessage([FAILED, id, String(error.message)]);
    return;
  }
  socket.binaryType = 'arraybuffer';
  socket.onopen = () => postMessage([OPENED, id]);
  socket.onmessage = (event) => {
    if (typeof event.data === 'string') {
      // What came before it is the page's; nothing after it may reach the core.
      deliver(Infinity, Infinity);
      detach();
      postMessage([TEXT, id]);
      return;
    }
    frames.push(event.data);
    size += event.data.byteLength;
    if (ready) deliver();
  };
  socket.onclose = (event) => {
    deliver(Infinity, Infinity);
    socket = null;
    postMessage([CLOSED, id, event.code, event.reason]);
  };
}

onmessage = ({ data }) => {
  switch (data[0]) {
    case TIMER: {
      const [, channel, delay] = data;
      clearTimeout(timers[channel]);
      if (delay >= 0) timers[channel] = setTimeout(() => postMessage([TICK, channel]), delay);
      break;
    }
    case OPEN:
      detach();
      id = data[1];
      ready = true;
      open(data[2]);
      break;
    case SEND:
      // The page's packets of one turn in one frame (MQTT-6.0.0-2: a frame may hold several).
      if (data[1] === id && socket?.readyState === WebSocket.OPEN) socket.send(data[2]);
      if (data[3]) {
        ready = true;
        deliver();
      }
      break;
    case CLOSE:
      if (data[1] === id) detach();
      break;
    case READY:
      ready = true;
      deliver();
      break;
    case QUIT:
      detach();
      close();
      break;
    case PROBE: {
      // Any answer, even an error page, is an opaque response; no TLS connection that the
      // browser accepts (or nothing listening) rejects. Nothing of the answer is read.
      const [, socket, url] = data;
      // (A no-cors fetch must follow redirects: any other redirect mode rejects it outright.)
      fetch(url, { mode: 'no-cors', credentials: 'omit', cache: 'no-store',
                   signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) })
        .then(() => true, () => false)
        .then((answered) => postMessage([PROBED, socket, answered]));
      break;
    }
  }
};
