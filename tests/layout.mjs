// The workspace layout, checked in Chromium on the release build (`scripts/build` → dist/):
// at 1280×720, connected, subscribed, with messages and one selected, the page does not scroll
// and every control the user needs is on screen, the connection form folded into its summary,
// and so with the topic tree and a selected topic;
// at 360×740 nothing overflows sideways, the tab bar stays inside the window, and each control
// can be scrolled to and used. Saves screenshots under target/screenshots/.
//
//   MQTT_TEST_WS_URL=ws://127.0.0.1:9001 node tests/layout.mjs [dist]
//
// scripts/test runs it after the release build, against its test Mosquitto. It drives Debian's
// Chromium with bench/'s playwright-core (`npm ci --prefix bench`), with bench/'s flags.

import fs from 'node:fs';
import path from 'node:path';

import { ROOT, fail, runTest, step, withApp } from './browser.mjs';

const DIST = path.resolve(process.argv[2] ?? path.join(ROOT, 'dist'));
const SHOTS = path.join(ROOT, 'target', 'screenshots');
const BROKER = process.env.MQTT_TEST_WS_URL;

/// Runs in the page: why `element` is not fully visible in the window, or null if it is. It
/// must be inside the viewport, inside every scrolling or clipping box around it, and not
/// covered by anything else at its centre.
function whyNotVisible(element) {
  const box = (r) => `${Math.round(r.left)},${Math.round(r.top)} ${Math.round(r.width)}×${Math.round(r.height)}`;
  const name = (e) =>
    e ? `<${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${e.classList.length ? `.${[...e.classList].join('.')}` : ''}>` : 'nothing';
  const r = element.getBoundingClientRect();
  if (r.width === 0 || r.height === 0) return 'is not shown (it has no size)';
  const [w, h] = [window.innerWidth, window.innerHeight];
  if (r.left < -0.5 || r.top < -0.5 || r.right > w + 0.5 || r.bottom > h + 0.5) {
    return `is off screen: its box ${box(r)} is not inside the ${w}×${h} viewport`;
  }
  for (let around = element.parentElement; around && around !== document.documentElement; around = around.parentElement) {
    const style = getComputedStyle(around);
    if (!/auto|scroll|hidden|clip/.test(style.overflowX + style.overflowY)) continue;
    const c = around.getBoundingClientRect();
    const left = c.left + around.clientLeft;
    const top = c.top + around.clientTop;
    if (r.left < left - 0.5 || r.top < top - 0.5 || r.right > left + around.clientWidth + 0.5 || r.bottom > top + around.clientHeight + 0.5) {
      return `is cut off by ${name(around)}, which scrolls or clips it: its box ${box(r)}, the visible part of ${name(around)} ${box({ left, top, width: around.clientWidth, height: around.clientHeight })}`;
    }
  }
  const hit = document.elementFromPoint((r.left + r.right) / 2, (r.top + r.bottom) / 2);
  if (!hit || !(hit === element || element.contains(hit))) return `is covered by ${name(hit)} at its centre`;
  return null;
}

async function main() {
  if (!BROKER) fail('MQTT_TEST_WS_URL is not set (e.g. ws://127.0.0.1:9001): the test connects to that broker');
  fs.mkdirSync(SHOTS, { recursive: true });
  await withApp(DIST, { viewport: { width: 1280, height: 720 } }, ({ page, base }) => run(page, base));
}

async function run(page, base) {
  const problems = [];
  page.on('pageerror', (error) => problems.push(`the page threw: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  const noPageProblems = () => {
    if (problems.length) fail(problems.join('\n'));
  };

  // Regions by their accessible names, as the browser tests find them (tests/support/mod.rs).
  const region = (name) => page.getByRole('region', { name, exact: true });
  const connection = region('Connection');
  const subscriptions = region('Subscriptions');
  const messages = region('Messages');
  const publish = region('Publish');
  const detail = region('Message details');
  const controls = {
    'Topic filter (Subscriptions)': subscriptions.getByLabel('Topic filter', { exact: true }),
    'Subscribe button': subscriptions.getByRole('button', { name: 'Subscribe', exact: true }),
    'Topic (Publish)': publish.getByLabel('Topic', { exact: true }),
    'Payload (Publish)': publish.getByLabel('Payload', { exact: true }),
    'Publish button': publish.getByRole('button', { name: 'Publish', exact: true }),
    'Search (Messages)': messages.getByLabel('Search', { exact: true }),
    'message list': messages.locator('.message-scroll'),
    "selected message's detail": detail,
  };
  const topicDetail = region('Topic details');
  const tree = messages.getByRole('tree', { name: 'Topics' });
  const topicControls = {
    'the topic tree': tree,
    'Find topics (Messages)': messages.getByLabel('Find topics', { exact: true }),
    "the selected topic's detail": topicDetail.locator('h3'),
    "the selected topic's payload": topicDetail.locator('.payload-view'),
  };
  const treeRow = (name) =>
    tree.getByRole('treeitem').filter({ has: page.locator('.level').getByText(name, { exact: true }) });
  /// Switches to the topic tree, expands each level of `levels` and selects the last.
  const openTopic = async (levels) => {
    await messages.getByRole('tab', { name: 'Topic tree', exact: true }).click();
    for (const [depth, name] of levels.entries()) {
      const row = treeRow(name);
      await row.waitFor();
      if (depth + 1 < levels.length) {
        if ((await row.getAttribute('aria-expanded')) === 'false') await row.locator('.toggle').click();
      } else {
        await row.click();
      }
    }
  };
  const visibility = async (what, locator) => {
    if ((await locator.count()) !== 1) return `${what}: expected one, found ${await locator.count()}`;
    const why = await locator.evaluate(whyNotVisible);
    return why && `${what} ${why}`;
  };
  const expectVisible = async (size, what, locator) => {
    const why = await visibility(what, locator);
    if (why) fail(`at ${size}: ${why}`);
  };
  const documentSize = () =>
    page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      scrollHeight: document.documentElement.scrollHeight,
      innerWidth: window.innerWidth,
      innerHeight: window.innerHeight,
    }));
  const rows = messages.locator('[role="listitem"]');
  const shot = async (name, options = {}) => {
    const file = path.join(SHOTS, `${name}.png`);
    await page.screenshot({ path: file, ...options });
    console.log(`screenshot: ${path.relative(process.cwd(), file)}`);
  };

  step('loading the app');
  await page.goto(base);
  const topic = `layout/${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
  const clientId = `layout-test-${Math.floor(Math.random() * 1e9)}`;

  // 1280×720: connect, subscribe, publish a few, select one.
  const wide = '1280×720';
  step(`connecting at ${wide}`);
  await connection.getByLabel('Broker URL', { exact: true }).fill(BROKER);
  await connection.getByLabel('Client ID', { exact: true }).fill(clientId);
  await connection.getByRole('button', { name: 'Connect', exact: true }).click();
  await page.locator('[data-status="connected"]').waitFor().catch(async () => {
    fail(`did not connect to ${BROKER}: the status says ${JSON.stringify(await page.locator('[data-status]').first().textContent())}`);
  });
  step(`subscribing at ${wide}`);
  await controls['Topic filter (Subscriptions)'].fill(`${topic}/#`);
  await controls['Subscribe button'].click();
  await subscriptions.locator('.sub-status', { hasText: /^QoS \d$/ }).waitFor();
  step(`publishing at ${wide}`);
  for (let n = 1; n <= 5; n++) {
    await controls['Topic (Publish)'].fill(`${topic}/sensor${n}`);
    await controls['Payload (Publish)'].fill(`{"reading": ${n}, "unit": "layout"}`);
    await controls['Publish button'].click();
    await rows.filter({ hasText: `"reading": ${n}` }).waitFor();
  }
  step(`selecting a message at ${wide}`);
  await rows.filter({ hasText: '"reading": 3' }).click();
  await detail.waitFor();
  await page.evaluate(() => document.fonts.ready);
  noPageProblems();
  await shot('layout-1280x720');

  step(`checking what is on screen at ${wide}`);
  const atWide = await documentSize();
  if (atWide.scrollHeight > atWide.innerHeight + 1) {
    fail(`at ${wide}: the page scrolls: the document is ${atWide.scrollHeight} px tall in a ${atWide.innerHeight} px window (only panes may scroll)`);
  }
  if (atWide.scrollWidth > atWide.innerWidth + 1) {
    fail(`at ${wide}: the page scrolls sideways: the document is ${atWide.scrollWidth} px wide in a ${atWide.innerWidth} px window`);
  }
  for (const [what, locator] of Object.entries(controls)) await expectVisible(wide, what, locator);
  if (!(await detail.textContent()).includes('"reading": 3')) fail(`at ${wide}: the detail does not show the selected message`);

  // The connection form is folded into its summary, which says where to and as whom.
  const summary = connection.locator('.connection-summary');
  await expectVisible(wide, 'the connection summary', summary);
  const summaryText = await summary.textContent();
  for (const part of [BROKER, clientId, 'MQTT 5.0']) {
    if (!summaryText.includes(part)) fail(`at ${wide}: the connection summary ${JSON.stringify(summaryText)} does not show ${part}`);
  }
  for (const label of ['Broker URL', 'MQTT version', 'Client ID']) {
    if (await connection.getByLabel(label, { exact: true }).isVisible()) {
      fail(`at ${wide}: the connection form is not folded: "${label}" is shown while connected`);
    }
  }
  for (const name of ['Disconnect', 'Edit']) {
    await expectVisible(wide, `the summary's ${name} button`, connection.getByRole('button', { name, exact: true }));
  }
  await expectVisible(wide, 'the connection log', connection.locator('.log > summary'));
  step(`unfolding and folding the connection form at ${wide}`);
  // Edit unfolds the form (the named fields are back), Fold folds it again.
  await connection.getByRole('button', { name: 'Edit', exact: true }).click();
  await expectVisible(wide, 'Broker URL, unfolded by Edit', connection.getByLabel('Broker URL', { exact: true }));
  await connection.getByRole('button', { name: 'Fold', exact: true }).click();
  if (await connection.getByLabel('Broker URL', { exact: true }).isVisible()) fail(`at ${wide}: Fold did not fold the form`);

  step(`hiding, showing and resizing panes at ${wide}`);
  // Panes collapse and come back; the side column resizes from the keyboard.
  const paneToggle = (name) => page.getByRole('group', { name: 'Panes' }).getByRole('button', { name, exact: true });
  const inspector = page.getByRole('complementary', { name: 'Inspector' });
  const listWidth = () => controls['message list'].evaluate((e) => e.getBoundingClientRect().width);
  const before = await listWidth();
  await paneToggle('Inspector').click();
  if (await inspector.isVisible()) fail(`at ${wide}: the Inspector button did not hide the inspector`);
  if (!((await listWidth()) > before + 100)) fail(`at ${wide}: with the inspector hidden, the message list did not widen`);
  await paneToggle('Inspector').click();
  await expectVisible(wide, "selected message's detail, the inspector shown again", detail);
  await paneToggle('Side panel').click();
  if (await subscriptions.isVisible()) fail(`at ${wide}: the Side panel button did not hide the side column`);
  await paneToggle('Side panel').click();
  await expectVisible(wide, 'Topic filter, the side column shown again', controls['Topic filter (Subscriptions)']);
  // Alt+S focuses the topic filter, showing the side column if it was hidden.
  await paneToggle('Side panel').click();
  await page.keyboard.press('Alt+KeyS');
  await expectVisible(wide, 'Topic filter, shown by Alt+S', controls['Topic filter (Subscriptions)']);
  if (!(await controls['Topic filter (Subscriptions)'].evaluate((e) => e === document.activeElement))) {
    fail(`at ${wide}: Alt+S with the side column hidden did not focus the Topic filter`);
  }
  // Nothing selected: the inspector says what it is for.
  await detail.getByRole('button', { name: 'Close details' }).click();
  await expectVisible(wide, "the inspector's hint", inspector.getByText('Nothing selected', { exact: false }));
  await rows.filter({ hasText: '"reading": 3' }).click();
  await expectVisible(wide, "selected message's detail, selected again", detail);
  const side = page.locator('.connection-view:not([hidden]) .pane.side');
  const sideBefore = await side.evaluate((e) => e.offsetWidth);
  const handle = page.getByRole('separator', { name: 'Resize the side panel' });
  await handle.focus();
  for (let i = 0; i < 3; i++) await handle.press('ArrowRight');
  const sideAfter = await side.evaluate((e) => e.offsetWidth);
  if (sideAfter < sideBefore + 40) fail(`at ${wide}: three ArrowRight presses on the side handle moved it ${sideAfter - sideBefore} px (expected 48)`);
  for (let i = 0; i < 3; i++) await handle.press('ArrowLeft');
  const stillWide = await documentSize();
  if (stillWide.scrollHeight > stillWide.innerHeight + 1) fail(`at ${wide}: after hiding and resizing panes the page scrolls`);

  step(`exploring the topic tree at ${wide}`);
  // The topic tree in the center, the selected topic in the inspector, still without page scroll.
  const [firstLevel, secondLevel] = topic.split('/');
  await openTopic([firstLevel, secondLevel, 'sensor2']);
  await topicDetail.filter({ hasText: `${topic}/sensor2` }).waitFor();
  for (const [what, locator] of Object.entries(topicControls)) await expectVisible(wide, what, locator);
  const withTree = await documentSize();
  if (withTree.scrollHeight > withTree.innerHeight + 1) fail(`at ${wide}: with the topic tree open the page scrolls`);
  await shot('layout-1280x720-topics');
  await messages.getByRole('tab', { name: 'Message list', exact: true }).click();
  await rows.filter({ hasText: '"reading": 3' }).click();
  await detail.waitFor();

  step(`switching to the dark theme at ${wide}`);
  // The dark theme uses its own colours for the same layout.
  await page.evaluate(() => document.activeElement?.blur());
  await page.emulateMedia({ colorScheme: 'dark' });
  const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  if (background !== 'rgb(18, 21, 27)') fail(`at ${wide}, dark: the page background is ${background}, not the dark theme's`);
  await shot('layout-1280x720-dark');
  await page.emulateMedia({ colorScheme: 'light' });

  step(`switching to Chinese at ${wide}`);
  // Chinese breaks between any two characters: a label or button narrower than its words
  // would stack them a few per line where English fits on one.
  const wrappedNow = () =>
    page.evaluate(() =>
      [...document.querySelectorAll('button, .toolbar label, h2, .status-text')]
        .map((element) => {
          if (element.offsetParent === null || element.textContent.trim() === '') return null;
          const range = document.createRange();
          range.selectNodeContents(element);
          const lines = new Set([...range.getClientRects()].map((rect) => Math.round(rect.top)));
          return lines.size > 1 ? element.textContent.trim() : null;
        }));
  const wrappedInEnglish = await wrappedNow();
  await page.locator('header select.language').selectOption('zh-CN');
  await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
  const wrapped = (await wrappedNow()).filter((text, at) => text !== null && wrappedInEnglish[at] === null);
  if (wrapped.length > 0) fail(`at ${wide}, zh-CN: these wrap onto more lines than in English: ${JSON.stringify(wrapped)}`);
  const inChinese = await documentSize();
  if (inChinese.scrollHeight > inChinese.innerHeight + 1) fail(`at ${wide}, zh-CN: the page scrolls`);
  await shot('layout-1280x720-zh-CN');
  await page.locator('header select.language').selectOption('en');
  await page.waitForFunction(() => document.documentElement.lang === 'en');

  // 360×740: panes stack and the page scrolls, but nothing overflows sideways.
  const narrow = '360×740';
  step(`resizing to ${narrow}`);
  await page.setViewportSize({ width: 360, height: 740 });
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  await page.evaluate(() => window.scrollTo(0, 0));
  noPageProblems();
  await shot('layout-360x740');
  await shot('layout-360x740-full', { fullPage: true });
  const sideways = async (when) => {
    const size = await documentSize();
    if (size.scrollWidth > size.innerWidth) {
      const wider = await page.evaluate(() =>
        [...document.querySelectorAll('body *')]
          .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5 && e.getClientRects().length)
          .slice(0, 5)
          .map((e) => `<${e.tagName.toLowerCase()} class="${e.className}">`)
          .join(', '),
      );
      fail(`at ${narrow}${when}: the page scrolls sideways: the document is ${size.scrollWidth} px wide in a ${size.innerWidth} px window; too wide: ${wider}`);
    }
  };
  await sideways('');
  // The tab bar stays in the window, with one tab and with several (it scrolls inside itself).
  const tabBar = page.getByRole('navigation', { name: 'Connections' });
  const tabBarInside = async (when) => {
    const bar = await tabBar.boundingBox();
    if (!bar || bar.x < 0 || bar.x + bar.width > 360.5) {
      fail(`at ${narrow}${when}: the tab bar overflows the window: its box is ${JSON.stringify(bar)}`);
    }
    await expectVisible(`${narrow}${when}`, 'the New connection button', tabBar.getByRole('button', { name: 'New connection' }));
  };
  await tabBarInside('');
  step(`opening and closing tabs at ${narrow}`);
  const tabs = tabBar.getByRole('tab');
  for (let i = 0; i < 3; i++) await tabBar.getByRole('button', { name: 'New connection' }).click();
  await tabs.nth(3).waitFor();
  await tabBarInside(' with four tabs');
  await expectVisible(`${narrow} with four tabs`, 'the active (newest) tab', tabBar.getByRole('tab', { selected: true }));
  await sideways(' with four tabs');
  await shot('layout-360x740-tabs');
  while ((await tabs.count()) > 1) {
    await page.getByRole('button', { name: /^Close connection/ }).last().click();
  }
  await tabs.first().click();
  await page.locator('.connection-view:not([hidden]) [data-status="connected"]').waitFor();

  step(`reaching and using each control at ${narrow}`);
  // Each control can be scrolled to (not hidden under anything) and used.
  for (const [what, locator] of Object.entries(controls)) {
    await locator.evaluate((e) => e.scrollIntoView({ block: 'center', inline: 'nearest' }));
    const why = await visibility(what, locator);
    if (why) fail(`at ${narrow}: scrolled to, the ${why}`);
  }
  await controls['Topic (Publish)'].scrollIntoViewIfNeeded();
  await controls['Topic (Publish)'].fill(`${topic}/phone`);
  await controls['Payload (Publish)'].fill('published at 360 px');
  await controls['Publish button'].click();
  const arrived = rows.filter({ hasText: 'published at 360 px' });
  await arrived.waitFor().catch(() => fail(`at ${narrow}: the message published from the form did not arrive in the list`));
  await controls['Search (Messages)'].fill('360 px');
  await page.waitForFunction(() => document.querySelectorAll('.connection-view:not([hidden]) [role="listitem"]').length === 1);
  await arrived.click();
  await detail.filter({ hasText: 'published at 360 px' }).waitFor();
  await expectVisible(narrow, "the new message's detail, brought into view on selection", detail.locator('h3'));
  await controls['Topic filter (Subscriptions)'].fill(`${topic}-phone/#`);
  await controls['Subscribe button'].click();
  await subscriptions.locator('.subscription', { hasText: `${topic}-phone/#` }).locator('.sub-status', { hasText: /^QoS \d$/ }).waitFor();
  await sideways(' after using every control');
  await shot('layout-360x740-selected');
  step(`exploring the topic tree at ${narrow}`);
  await openTopic([firstLevel, secondLevel, 'phone']);
  await topicDetail.filter({ hasText: `${topic}/phone` }).waitFor();
  for (const [what, locator] of Object.entries(topicControls)) {
    await locator.evaluate((e) => e.scrollIntoView({ block: 'center', inline: 'nearest' }));
    const why = await visibility(what, locator);
    if (why) fail(`at ${narrow}: scrolled to, the ${why}`);
  }
  await sideways(' with the topic tree');
  await topicDetail.locator('h3').evaluate((e) => e.scrollIntoView({ block: 'start' }));
  await shot('layout-360x740-topics');
  noPageProblems();
  step('disconnecting');
  // Leave the broker politely.
  await page.getByRole('button', { name: 'Disconnect', exact: true }).click();
  await page.locator('[data-status="disconnected"]').waitFor();
  console.log(`layout: ok at ${wide} (no page scroll, ${Object.keys(controls).length} controls and the topic tree with its selected topic on screen, form folded, panes collapse and resize) and at ${narrow} (no sideways overflow, tab bar inside, every control and the topic tree reached and used)`);
}

/// The whole test; a hung page fails it instead of the run.
runTest('layout', 180_000, main);
