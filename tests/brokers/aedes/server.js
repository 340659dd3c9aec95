// aedes, a third MQTT broker for the interop tests: MQTT 3.1.1 over TCP and over WebSocket
// (subprotocol "mqtt"), on loopback only, in memory, until killed.
// Usage: node server.js <tcp-port> <ws-port>
import http from 'node:http'
import net from 'node:net'
import { Aedes } from 'aedes'
import { WebSocketServer, createWebSocketStream } from 'ws'

const [tcpPort, wsPort] = process.argv.slice(2).map(Number)
if (!Number.isInteger(tcpPort) || !Number.isInteger(wsPort)) {
  console.error('usage: node server.js <tcp-port> <ws-port>')
  process.exit(2)
}

const broker = await Aedes.createBroker()
broker.on('clientError', (client, error) => console.error(`client ${client.id}: ${error.message}`))

const tcpServer = net.createServer(broker.handle)
const httpServer = http.createServer()
const webSockets = new WebSocketServer({
  server: httpServer,
  handleProtocols: (offered) => (offered.has('mqtt') ? 'mqtt' : false)
})
webSockets.on('connection', (socket, request) => broker.handle(createWebSocketStream(socket), request))

const listen = (server, port) => new Promise((resolve, reject) => {
  server.once('error', reject)
  server.listen(port, '127.0.0.1', resolve)
})
await listen(tcpServer, tcpPort)
await listen(httpServer, wsPort)
console.log(`listening on mqtt://127.0.0.1:${tcpPort} and ws://127.0.0.1:${wsPort}`)

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0))
