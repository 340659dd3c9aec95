// The engines Playwright cannot drive (Debian's Firefox ESR and WebKitGTK), and Chromium the same
// way, through each one's W3C WebDriver: its driver started on a free port (WebKitWebDriver with
// an Xvfb display of its own: MiniBrowser has no headless mode), and a minimal client for the
// commands the engine test (tests/engines.mjs) and the benchmark's engines case use.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

import { BENCH_DIR } from './config.mjs';

/// How long a command, a script or a page load may take.
const WAIT_MS = 30_000;
export const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';

/// Each engine: its driver, and the capabilities of a session.
export const ENGINES = {
  chromium: {
    driver: '/usr/bin/chromedriver',
    // webdriver.json's Chromium, as the browser tests start it (as root: no sandbox).
    capabilities: () => JSON.parse(fs.readFileSync(path.join(path.dirname(BENCH_DIR), 'webdriver.json'), 'utf8')),
  },
  firefox: {
    driver: 'geckodriver',
    capabilities: () => ({ 'moz:firefoxOptions': { binary: '/usr/bin/firefox-esr', args: ['-headless'] } }),
  },
  webkit: {
    driver: 'WebKitWebDriver',
    needsDisplay: true,
    capabilities: () => ({}),
  },
};

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/// Polls `check` every 100 ms until it gives something true, which it returns; throws after
/// `timeoutMs`.
export async function until(what, check, timeoutMs = WAIT_MS) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(100);
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/// Children started here, stopped however the process ends.
const children = [];
process.on('exit', () => children.forEach((child) => child.kill()));

function start(command, args, env = {}) {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  child.on('error', (error) => (output += `could not start ${command}: ${error.message}`));
  children.push(child);
  return { child, output: () => output };
}

/// An X display of its own (Xvfb picks a free number and writes it to fd 3).
async function startDisplay() {
  const display = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  children.push(display);
  let number = '';
  display.stdio[3].on('data', (chunk) => (number += chunk));
  await until('Xvfb to choose a display', () => number.includes('\n'), 10_000);
  return { display: `:${number.trim()}`, child: display };
}

/// Starts `name`'s driver; its URL, and `stop()`, which ends it (and its display).
export async function startDriver(name) {
  const engine = ENGINES[name];
  if (!engine) throw new Error(`no engine ${name}: pick from ${Object.keys(ENGINES).join(', ')}`);
  const port = await freePort();
  const display = engine.needsDisplay ? await startDisplay() : null;
  const driver = start(engine.driver, [`--port=${port}`], display ? { DISPLAY: display.display } : {});
  const url = `http://127.0.0.1:${port}/`;
  await until(`${engine.driver} to listen (its output: ${driver.output()})`, () =>
    fetch(new URL('/status', url)).then((r) => r.ok, () => false),
  );
  return {
    url,
    stop: () => {
      driver.child.kill();
      display?.child.kill();
    },
  };
}

/// An XPath string literal.
export const quote = (text) => (text.includes("'") ? `"${text}"` : `'${text}'`);

/// A W3C WebDriver session.
export class Session {
  constructor(url, id) {
    this.url = url;
    this.id = id;
  }

  /// `extra`: more capabilities (a page load strategy, say).
  static async open(driverUrl, name, extra = {}, { scriptMs = WAIT_MS } = {}) {
    const capabilities = { ...ENGINES[name].capabilities(), ...extra };
    const answer = await request(driverUrl, 'POST', '/session', { capabilities: { alwaysMatch: capabilities } });
    const session = new Session(driverUrl, answer.sessionId);
    await session.command('POST', '/timeouts', { script: scriptMs, pageLoad: WAIT_MS });
    // A desktop window (MiniBrowser opens small), so every control is in view to be clicked.
    await session.command('POST', '/window/rect', { width: 1280, height: 900 });
    return session;
  }

  command(method, route, body) {
    return request(this.url, method, `/session/${this.id}${route}`, body);
  }

  navigate(url) {
    return this.command('POST', '/url', { url });
  }

  /// Runs `script` (a function's source) in the page with `args`; its return value.
  run(script, ...args) {
    return this.command('POST', '/execute/sync', { script: `return (${script}).apply(null, arguments)`, args });
  }

  /// Runs `script` (an async function's source) in the page with `args`; what it resolves to.
  runAsync(script, ...args) {
    const body = `const done = arguments[arguments.length - 1];
      (${script}).apply(null, Array.prototype.slice.call(arguments, 0, -1))
        .then(done, (error) => done({ error: String(error && error.message || error) }));`;
    return this.command('POST', '/execute/async', { script: body, args });
  }

  async find(xpath) {
    const found = await this.command('POST', '/elements', { using: 'xpath', value: xpath });
    return found.length ? found[0][ELEMENT] : null;
  }

  async element(what, xpath) {
    return until(what, () => this.find(xpath));
  }

  /// Types `text` into the labelled control of a section, replacing what it held.
  async type(section, label, text) {
    const input = await this.element(
      `the field ${label} in ${section}`,
      `//section[@aria-label=${quote(section)}]//*[@id=//section[@aria-label=${quote(section)}]//label[normalize-space()=${quote(label)}]/@for]`,
    );
    await this.command('POST', `/element/${input}/clear`, {});
    await this.command('POST', `/element/${input}/value`, { text });
  }

  async click(section, text) {
    const button = await this.element(
      `the button ${text} in ${section}`,
      `//section[@aria-label=${quote(section)}]//button[normalize-space()=${quote(text)} and not(@disabled)]`,
    );
    await this.command('POST', `/element/${button}/click`, {});
  }

  close() {
    return request(this.url, 'DELETE', `/session/${this.id}`).catch(() => {});
  }
}

async function request(base, method, route, body) {
  const response = await fetch(new URL(route, base), {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = await response.json();
  if (!response.ok) throw new Error(`WebDriver ${method} ${route}: ${answer.value?.error}: ${answer.value?.message}`);
  return answer.value;
}
