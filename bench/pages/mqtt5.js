// mqtt5-wasm (crates.io 2.1.9, an MQTT 5 client in Rust/wasm), counting its message callbacks.
import init, { ConnectOptions, MqttClient, SubscribeOptions } from '../mqtt5/mqtt5_wasm_page.js';
import { messageCounter, randomClientId, subscribed } from './common.js';

export async function runBench({ url, topic, expected, qos }) {
  await init();
  const counter = messageCounter(expected);
  const client = new MqttClient(randomClientId('mqtt5wasm'));
  client.enableAutoReconnect(false);
  const options = new ConnectOptions();
  options.keepAlive = 60;
  options.cleanStart = true;
  await client.connectWithOptions(url, options);
  const connackAt = performance.now();
  const subscription = new SubscribeOptions();
  subscription.qos = qos;
  await client.subscribeWithOptions(topic, () => counter.add(1), subscription);
  subscribed();
  const result = await counter.done;
  await client.disconnect();
  return { ...result, connackAt };
}
