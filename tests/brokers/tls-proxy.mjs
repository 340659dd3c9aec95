// A TLS-terminating proxy in front of a broker's plain WebSocket listener, as cloud brokers and
// nginx set-ups are: HTTPS on 127.0.0.1, a WebSocket upgrade at PATH handed byte for byte to
// 127.0.0.1:UPSTREAM_PORT, every other request answered 404 (an upgrade elsewhere too). The
// browser tests' "wrong path" case (tests/app_wss.rs): a server that answers HTTPS, but not as
// MQTT over WebSocket at the path asked for. Node's own modules only.
// Usage: node tls-proxy.mjs <port> <tls-dir with server.pem and server.key> <upstream-port> <path>
import fs from 'node:fs'
import https from 'node:https'
import net from 'node:net'
import path from 'node:path'

const [port, tlsDir, upstreamPort, wsPath] = process.argv.slice(2)
if (!Number(port) || !tlsDir || !Number(upstreamPort) || !wsPath?.startsWith('/')) {
  console.error('usage: node tls-proxy.mjs <port> <tls-dir> <upstream-port> <path>')
  process.exit(2)
}

const server = https.createServer({
  cert: fs.readFileSync(path.join(tlsDir, 'server.pem')),
  key: fs.readFileSync(path.join(tlsDir, 'server.key'))
}, (request, response) => {
  // Cross-Origin-Resource-Policy: the browser tests' page is cross-origin isolated (the test
  // runner serves it with COEP require-corp), where a no-cors answer without it is blocked and
  // reads as no answer; the app's own page is not isolated, and sees any answer.
  response.writeHead(404, { 'content-type': 'text/plain', 'cross-origin-resource-policy': 'cross-origin' })
  response.end(`MQTT over WebSocket is at ${wsPath}\n`)
})

server.on('upgrade', (request, socket, head) => {
  if (new URL(request.url, 'https://proxy').pathname !== wsPath) {
    socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n')
    return
  }
  const upstream = net.connect(Number(upstreamPort), '127.0.0.1', () => {
    const lines = [`${request.method} ${request.url} HTTP/1.1`]
    for (let i = 0; i < request.rawHeaders.length; i += 2) {
      lines.push(`${request.rawHeaders[i]}: ${request.rawHeaders[i + 1]}`)
    }
    upstream.write(lines.join('\r\n') + '\r\n\r\n')
    upstream.write(head)
    socket.pipe(upstream).pipe(socket)
  })
  const end = () => {
    socket.destroy()
    upstream.destroy()
  }
  upstream.on('error', end)
  socket.on('error', end)
  upstream.on('close', end)
  socket.on('close', end)
})

server.listen(Number(port), '127.0.0.1', () => {
  console.log(`listening on https://127.0.0.1:${port}, MQTT over WebSocket at ${wsPath}`)
})
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0))
