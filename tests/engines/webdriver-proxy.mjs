// A WebDriver server in front of another that adds capabilities to every new session, for a
// client that sends none of its own: wasm-bindgen-test-runner asks WebKitWebDriver for a
// session with empty capabilities, and WebKitGTK trusts a server certificate only when the
// session's `webkitgtk:browserOptions` lists it. Everything else passes through unchanged.
//
//   node tests/engines/webdriver-proxy.mjs PORT DRIVER_URL CAPABILITIES_JSON
//
// CAPABILITIES_JSON is an object merged into the request's `capabilities.alwaysMatch`.
// Prints `listening PORT` once it accepts connections.

import http from 'node:http';

const [port, driverUrl, capabilitiesJson] = process.argv.slice(2);
if (!port || !driverUrl || !capabilitiesJson) {
  console.error('usage: node tests/engines/webdriver-proxy.mjs PORT DRIVER_URL CAPABILITIES_JSON');
  process.exit(2);
}
const added = JSON.parse(capabilitiesJson);
const driver = new URL(driverUrl);

/// The new-session request with `added` in its W3C capabilities.
function withCapabilities(body) {
  const request = body.length ? JSON.parse(body) : {};
  const capabilities = request.capabilities ?? {};
  capabilities.alwaysMatch = { ...(capabilities.alwaysMatch ?? {}), ...added };
  request.capabilities = capabilities;
  return JSON.stringify(request);
}

const server = http.createServer((incoming, answer) => {
  const chunks = [];
  incoming.on('data', (chunk) => chunks.push(chunk));
  incoming.on('end', () => {
    let body = Buffer.concat(chunks).toString('utf8');
    if (incoming.method === 'POST' && incoming.url.replace(/\/$/, '') === '/session') {
      try {
        body = withCapabilities(body);
      } catch (error) {
        answer.writeHead(400, { 'content-type': 'application/json' });
        answer.end(JSON.stringify({ value: { error: 'invalid argument', message: `not JSON: ${error.message}` } }));
        return;
      }
    }
    const headers = { ...incoming.headers, host: driver.host, 'content-length': Buffer.byteLength(body) };
    const forwarded = http.request(
      { host: driver.hostname, port: driver.port, path: incoming.url, method: incoming.method, headers },
      (response) => {
        answer.writeHead(response.statusCode, response.headers);
        response.pipe(answer);
      },
    );
    forwarded.on('error', (error) => {
      answer.writeHead(502, { 'content-type': 'application/json' });
      answer.end(JSON.stringify({ value: { error: 'unknown error', message: `the driver at ${driverUrl}: ${error.message}` } }));
    });
    forwarded.end(body);
  });
});
server.listen(Number(port), '127.0.0.1', () => console.log(`listening ${port}`));
