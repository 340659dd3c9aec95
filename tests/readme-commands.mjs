// README.zh-CN.md stays true with README.md: the shell commands of their code blocks (the set-up
// and test commands) are the same, comments aside, which are in each README's language; every
// command or flag the Chinese README quotes inline (`scripts/…`, `--…`) is quoted in README.md
// too; and each links the other at its top.
//
//   node tests/readme-commands.mjs
//
// scripts/test runs it.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const ENGLISH = 'README.md';
const CHINESE = 'README.zh-CN.md';

/// The commands of each fenced shell block, a list per block, without comments or blank lines
/// (`#` starts a comment at a line's start or after a space, as in the shell).
const shellBlocks = (text) =>
  [...text.matchAll(/^```(?:sh|bash|shell)\n([\s\S]*?)^```$/gm)].map((block) =>
    block[1]
      .split('\n')
      .map((line) => line.replace(/(^|\s)#.*$/, '').trim())
      .filter(Boolean),
  );

/// Inline code spans outside the fenced blocks.
const inlineCode = (text) => [...text.replace(/^```[\s\S]*?^```$/gm, '').matchAll(/`([^`\n]+)`/g)].map((m) => m[1]);

const problems = [];
const english = fs.readFileSync(path.join(ROOT, ENGLISH), 'utf8');
const chinese = fs.readFileSync(path.join(ROOT, CHINESE), 'utf8');

const [englishBlocks, chineseBlocks] = [shellBlocks(english), shellBlocks(chinese)];
const commands = englishBlocks.flat();
for (const needed of ['scripts/serve', 'scripts/test']) {
  if (!commands.includes(needed)) problems.push(`${ENGLISH}'s shell blocks no longer hold ${needed}: this check compares the set-up and test commands`);
}
if (JSON.stringify(englishBlocks) !== JSON.stringify(chineseBlocks)) {
  const show = (blocks) => blocks.map((b) => `[${b.join('; ')}]`).join(' ') || 'none';
  problems.push(`the shell blocks' commands differ: ${ENGLISH} has ${show(englishBlocks)}, ${CHINESE} has ${show(chineseBlocks)}`);
}

const quoted = new Set(inlineCode(english));
for (const span of inlineCode(chinese)) {
  if ((span.includes('scripts/') || span.startsWith('--')) && !quoted.has(span)) {
    problems.push(`${CHINESE} quotes \`${span}\`, which ${ENGLISH} does not`);
  }
}

const linksAtTop = (text, target) => text.split('\n').slice(0, 5).some((line) => line.includes(`](${target})`));
if (!linksAtTop(english, CHINESE)) problems.push(`${ENGLISH} does not link ${CHINESE} in its first lines`);
if (!linksAtTop(chinese, ENGLISH)) problems.push(`${CHINESE} does not link ${ENGLISH} in its first lines`);

if (problems.length) {
  console.error(`readme-commands: FAILED:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`readme-commands: ok (${commands.length} commands in ${englishBlocks.length} shell blocks, the same in both; links both ways)`);
