// Accessibility: axe-core's WCAG 2.0 and 2.1 A and AA rules, run in Chromium on the release
// build (`scripts/build` → dist/) in the app's main states: disconnected, an invalid broker URL,
// a refused connection, connected with messages, a message's detail, the topic tree with a
// topic selected, dark mode, and each language; with MQTT_TEST_SCRAM_URL (crates/test-peers'
// `scram-broker`, which scripts/test starts) also an enhanced authentication step awaited and
// the connection it led to. Prints each state's violations (rule, impact, the elements by
// selector, axe's reason) and fails if any state has one.
//
//   MQTT_TEST_WS_URL=ws://127.0.0.1:9001 node tests/a11y.mjs [dist]
//
// scripts/test runs it after the release build, against its test Mosquitto. axe-core comes from
// tools/ (`npm ci --prefix tools`); it is evaluated through the DevTools protocol, which the
// page's Content-Security-Policy does not apply to, so the page needs no exception for it.

import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';

import { ROOT, fail, runTest, step, withApp } from './browser.mjs';

const DIST = path.resolve(process.argv[2] ?? path.join(ROOT, 'dist'));
const BROKER = process.env.MQTT_TEST_WS_URL;
const SCRAM_BROKER = process.env.MQTT_TEST_SCRAM_URL;
const AXE_OPTIONS = {
  runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
  resultTypes: ['violations'],
};

function axeSource() {
  try {
    return fs.readFileSync(createRequire(path.join(ROOT, 'tools', 'package.json')).resolve('axe-core/axe.min.js'), 'utf8');
  } catch {
    fail("axe-core is missing: run 'npm ci --prefix tools'");
  }
}

const count = (n, what) => `${n} ${what}${n === 1 ? '' : 's'}`;

/// A port on this machine that nothing listens on: a broker URL whose connection is refused.
const closedPort = () =>
  new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

async function main() {
  if (!BROKER) fail('MQTT_TEST_WS_URL is not set (e.g. ws://127.0.0.1:9001): the test connects to that broker');
  const axe = axeSource();
  await withApp(DIST, { viewport: { width: 1280, height: 720 } }, ({ page, base }) => run(page, base, axe));
}

async function run(page, base, axe) {
  /// Each state's name and its violations, in the order checked.
  const results = [];
  const check = async (state) => {
    step(`running axe-core: ${state}`);
    if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(axe);
    const violations = await page.evaluate(async (options) => {
      const { violations } = await window.axe.run(document, options);
      return violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.map((n) => ({
          target: n.target.join(' '),
          why: [...n.any, ...n.all, ...n.none].map((c) => c.message).find(Boolean) ?? '',
        })),
      }));
    }, AXE_OPTIONS);
    results.push({ state, violations });
    const elements = violations.reduce((sum, v) => sum + v.nodes.length, 0);
    console.log(`a11y: ${state}: ${count(violations.length, 'violation')}${violations.length ? ` (${count(elements, 'element')})` : ''}`);
    for (const v of violations) {
      console.log(`  ${v.id} (${v.impact}): ${v.help}`);
      for (const node of v.nodes) console.log(`    ${node.target}${node.why ? `: ${node.why}` : ''}`);
    }
  };

  // Found by role and accessible name, as the browser tests and tests/layout.mjs find them.
  const region = (name) => page.getByRole('region', { name, exact: true });
  const connection = region('Connection');
  const subscriptions = region('Subscriptions');
  const messages = region('Messages');
  const publish = region('Publish');
  const button = (within, name) => within.getByRole('button', { name, exact: true });
  const brokerUrl = connection.getByLabel('Broker URL', { exact: true });
  const status = (key) => page.locator(`.connection-view:not([hidden]) [data-status="${key}"]`);
  const rows = messages.locator('[role="listitem"]');
  const tree = messages.getByRole('tree', { name: 'Topics' });
  const header = page.getByRole('banner');
  const theme = header.getByRole('button', { name: /^Theme: / });
  const language = header.getByRole('combobox');

  step('loading the app');
  await page.goto(base);
  await button(connection, 'Connect').waitFor();
  await check('disconnected');

  step('typing an invalid broker URL');
  await brokerUrl.fill('http://127.0.0.1:9001');
  await connection.locator('[role="alert"]').waitFor();
  if ((await brokerUrl.getAttribute('aria-invalid')) !== 'true') fail('the invalid broker URL is not marked aria-invalid');
  await check('an invalid broker URL');

  step('connecting to a port nothing listens on');
  await brokerUrl.fill(`ws://127.0.0.1:${await closedPort()}`);
  await button(connection, 'Connect').click();
  await status('reconnecting').waitFor();
  await check('a refused connection (reconnecting)');
  await button(connection, 'Disconnect').click();
  await status('disconnected').waitFor();

  step('connecting, subscribing and publishing');
  const topic = `a11y/${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
  await brokerUrl.fill(BROKER);
  await connection.getByLabel('Client ID', { exact: true }).fill(`a11y-test-${Math.floor(Math.random() * 1e9)}`);
  await button(connection, 'Connect').click();
  await status('connected').waitFor().catch(() => fail(`did not connect to ${BROKER}`));
  await subscriptions.getByLabel('Topic filter', { exact: true }).fill(`${topic}/#`);
  await button(subscriptions, 'Subscribe').click();
  await subscriptions.locator('.sub-status', { hasText: /^QoS \d$/ }).waitFor();
  for (let n = 1; n <= 3; n++) {
    await publish.getByLabel('Topic', { exact: true }).fill(`${topic}/sensor${n}`);
    await publish.getByLabel('Payload', { exact: true }).fill(`{"reading": ${n}, "unit": "a11y"}`);
    await button(publish, 'Publish').click();
    await rows.filter({ hasText: `"reading": ${n}` }).waitFor();
  }
  await check('connected with messages');

  const selectMessage = async () => {
    await messages.getByRole('tab', { name: 'Message list', exact: true }).click();
    await rows.filter({ hasText: '"reading": 2' }).click();
    await region('Message details').waitFor();
  };
  step("opening a message's detail");
  await selectMessage();
  await check("a message's detail");

  const [first, second] = topic.split('/');
  const selectTopic = async () => {
    await messages.getByRole('tab', { name: 'Topic tree', exact: true }).click();
    const levels = [first, second, 'sensor2'];
    for (const [depth, name] of levels.entries()) {
      const row = tree.getByRole('treeitem').filter({ has: page.locator('.level').getByText(name, { exact: true }) });
      await row.waitFor();
      if (depth + 1 < levels.length) {
        if ((await row.getAttribute('aria-expanded')) === 'false') await row.locator('.toggle').click();
      } else {
        await row.click();
      }
    }
    await region('Topic details').filter({ hasText: `${topic}/sensor2` }).waitFor();
  };
  step('opening the topic tree and selecting a topic');
  await selectTopic();
  await check('the topic tree with a topic selected');

  /// Runs `body` in the dark theme, chosen with the header's Theme button, then back to the system's (light).
  const inDarkMode = async (body) => {
    step('switching to the dark theme');
    await theme.click();
    const background = await page.evaluate(() => [document.documentElement.dataset.theme, getComputedStyle(document.body).backgroundColor]);
    if (background.join(' ') !== 'dark rgb(18, 21, 27)') fail(`the Theme button did not switch to the dark theme: data-theme and background are ${background.join(', ')}`);
    await body();
    await theme.click();
    if ((await page.evaluate(() => document.documentElement.dataset.theme)) === 'dark') fail('the Theme button did not switch back from the dark theme');
  };
  /// Runs axe-core on the page as it is, in Chinese, then switches back to English.
  const inChinese = async (state) => {
    step(`switching to Chinese for ${state}`);
    await language.selectOption('zh-CN');
    await page.waitForFunction(() => document.documentElement.lang === 'zh-CN').catch(() => fail('choosing zh-CN in the language menu did not set <html lang="zh-CN">'));
    await check(`zh-CN: ${state}`);
    await language.selectOption('en');
    await page.waitForFunction(() => document.documentElement.lang === 'en').catch(() => fail('choosing en in the language menu did not set <html lang="en">'));
  };

  await inDarkMode(async () => {
    await check('dark: the topic tree with a topic selected');
    await selectMessage();
    await check("dark: a message's detail");
  });
  await inChinese("a message's detail");
  await selectTopic();
  await inChinese('the topic tree with a topic selected');

  step('disconnecting');
  await button(connection, 'Disconnect').click();
  await status('disconnected').waitFor();
  await inDarkMode(() => check('dark: disconnected'));
  await inChinese('disconnected');

  if (SCRAM_BROKER) {
    step('connecting with a method answered step by step');
    await brokerUrl.fill(SCRAM_BROKER);
    await connection.getByLabel('Authentication', { exact: true }).selectOption('generic');
    await connection.getByLabel('Authentication method', { exact: true }).fill('TEST-CHALLENGE');
    await connection.getByLabel('Initial data', { exact: true }).fill('hello');
    await button(connection, 'Connect').click();
    const exchange = page.getByRole('group', { name: 'Authentication exchange' });
    await exchange.getByText('Step 1 from the server').waitFor();
    await check('an authentication step awaited');
    await inChinese('an authentication step awaited');
    await exchange.getByLabel('Next data', { exact: true }).fill('pencil');
    await button(exchange, 'Send step').click();
    await status('connected').waitFor().catch(() => fail(`did not connect to ${SCRAM_BROKER}`));
    await exchange.getByText("The server's final data").waitFor();
    await check('connected with enhanced authentication');
    await button(connection, 'Disconnect').click();
    await status('disconnected').waitFor();
  } else {
    console.log('a11y: MQTT_TEST_SCRAM_URL is not set: the enhanced authentication states are not checked');
  }

  const failing = results.filter((r) => r.violations.length);
  console.log(`a11y: ${results.length} states checked, ${failing.length} with violations`);
  if (failing.length) {
    fail(`axe-core found WCAG 2.1 A/AA violations in ${failing.map((r) => `${r.state} (${r.violations.map((v) => v.id).join(', ')})`).join('; ')}`);
  }
}

runTest('a11y', 180_000, main);
