// make_expected.mjs writes the Hugging Face reference outputs that
// core/tokenizer is tested against:
//
//   gpt2_expected.json         ids, decoded text and pre-tokens for corpus.json
//                              plus seeded random strings, on the real GPT-2
//                              vocabulary, for several tokenizer.json variants
//   pretokenizer_classes.json  how HF's pre-tokenizer classifies every code
//                              point (letter, number, whitespace, other)
//
// The reference is `tokenizers` (Hugging Face's Rust library, the one
// transformers uses, through its Node binding). Every GPT-2 case is also
// encoded with @huggingface/tokenizers (tokenizers.js) and gpt-3-encoder; they
// must agree except where JavaScript's \s differs from Rust's (U+0085 is
// whitespace in Rust and Python, U+FEFF is whitespace in JavaScript only).
// Those cases keep the JavaScript ids in "js_ids".
//
// Run from the repository root after `npm ci --prefix tests/reference`:
//
//   node tests/reference/tokenizer/make_expected.mjs
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import rust from 'tokenizers';
import { Tokenizer as JSTokenizer } from '@huggingface/tokenizers';
import {
  added, gpt2Vocabulary, here, pushItems, randomStrings, sameIds, variant, versions, withVocab, writeExpected,
} from './reference.mjs';

const require = createRequire(path.join(here, '..', 'package.json'));
const gpt3 = require('gpt-3-encoder');
const { vocab, merges } = gpt2Vocabulary();

// The tokenizer.json that Hugging Face publishes for gpt2, minus vocab and merges.
const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
const gpt2Skeleton = {
  version: '1.0',
  truncation: null,
  padding: null,
  added_tokens: [
    { id: 50256, content: '<|endoftext|>', single_word: false, lstrip: false, rstrip: false, normalized: true, special: true },
  ],
  normalizer: null,
  pre_tokenizer: byteLevel,
  post_processor: { ...byteLevel, add_prefix_space: true, trim_offsets: false },
  decoder: { ...byteLevel, add_prefix_space: true },
  model: {
    type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: '', end_of_word_suffix: '',
    fuse_unk: false, byte_fallback: false, ignore_merges: false,
  },
};

const variants = [
  variant(gpt2Skeleton, 'gpt2', () => {}),
  variant(gpt2Skeleton, 'added_tokens', (s) => {
    s.added_tokens = [
      added(50256, '<|endoftext|>'),
      added(50257, '<|im_start|>'),
      added(50258, '<|im_end|>', { rstrip: true }),
      added(50259, '<mask>', { lstrip: true }),
      added(50260, '<|im', { special: false, normalized: true }),
      added(vocab.word, 'word', { special: false, single_word: true }),
      added(50261, ' spaced out', { special: false }),
      // HF ignores the id written in the file and gives the next free one.
      added(99999, '<wrong-id>'),
    ];
  }),
  variant(gpt2Skeleton, 'add_prefix_space', (s) => { s.pre_tokenizer.add_prefix_space = true; }),
  variant(gpt2Skeleton, 'no_regex', (s) => { s.pre_tokenizer.use_regex = false; }),
  variant(gpt2Skeleton, 'ignore_merges', (s) => { s.model.ignore_merges = true; }),
];

const variantCases = {
  added_tokens: [
    '<|im_start|>user\nhello<|im_end|>\n<|im_start|>assistant\n',
    '<|im_end|>   next <|im_end|>\n\tnext',
    'see the <mask> here, see the   <mask>, see\u00a0\u00a0<mask>',
    '<mask><mask>  <mask>',
    '<|im_x <|im <|im_start <|im_end|',
    'word words sword word_ word. (word) wordy 1word word1 é word',
    'a spaced outside spaced out',
    '<wrong-id> <|endoftext|>',
    '<|im_start|><|im_end|><mask>',
    '  <mask>  <|im_end|>  ',
    '',
  ],
  add_prefix_space: ['', 'Hello', ' Hello', 'Hello<|endoftext|>World', '<|endoftext|>', '\nHi', '<|endoftext|> x'],
  no_regex: ['Hello world', '  a  b  ', 'x<|endoftext|>y z', ''],
};

const fragments = [
  'a', 'b', 'Z', 'the', 'é', '中', 'ё', '1', '9', '٣', 'Ⅻ', ' ', '  ', '\t', '\n', '\r\n', '\u00a0', '\u3000',
  "'", "'s", "'S", "'ll", "'re", '!', '.', '-', '_', '$', '😀', '👍🏽', '\u200d', '\u0301', '<|endoftext|>', '<|', '|>',
];

function jsWhitespaceDiffers(text) {
  return text.includes('\u0085') || text.includes('\ufeff');
}

async function encodeAll(tok, texts, gpt2) {
  const cases = [];
  const js = gpt2 ? new JSTokenizer(withVocab(gpt2Skeleton, vocab, merges), {}) : null;
  const pre = rust.byteLevelPreTokenizer(false);
  for (const text of texts) {
    const enc = await tok.encode(text, null, { addSpecialTokens: false });
    const ids = enc.getIds();
    const c = { text, ids, decoded: await tok.decode(ids, false) };
    if (gpt2) {
      c.pretokens = pre.preTokenizeString(text).map((p) => p[0]);
      const jsIds = js.encode(text, { add_special_tokens: false }).ids;
      const oldIds = text.includes('<|endoftext|>') ? null : gpt3.encode(text);
      const agree = sameIds(jsIds, ids) && (oldIds === null || sameIds(oldIds, ids));
      if (!agree) {
        if (!jsWhitespaceDiffers(text)) {
          throw new Error(`JavaScript references disagree with tokenizers on ${JSON.stringify(text)}`);
        }
        c.js_ids = jsIds;
      }
      if (ids.length > 0 && js.decode(ids, { clean_up_tokenization_spaces: false }) !== c.decoded) {
        throw new Error(`tokenizers.js decodes ${JSON.stringify(text)} differently`);
      }
    }
    cases.push(c);
  }
  return cases;
}

const probeTokens = ['<|endoftext|>', 'Ġthe', 'Hello', 'word', '<|im_start|>', '<mask>', '<wrong-id>', 'not-a-token'];

const corpus = JSON.parse(fs.readFileSync(path.join(here, 'corpus.json'), 'utf8'));
const random = randomStrings(400, 20240607, fragments);
const out = [];
for (const v of variants) {
  const tok = rust.Tokenizer.fromString(JSON.stringify(withVocab(v.skeleton, vocab, merges)));
  const texts = variantCases[v.name] ?? [...corpus, ...random];
  const tokenIds = {};
  for (const t of probeTokens) tokenIds[t] = tok.tokenToId(t);
  out.push({
    name: v.name,
    tokenizer_json: v.skeleton,
    vocab_size: tok.getVocabSize(true),
    token_ids: tokenIds,
    cases: await encodeAll(tok, texts, v.name === 'gpt2'),
  });
  console.error(`${v.name}: ${texts.length} cases`);
}

const generator = 'tests/reference/tokenizer/make_expected.mjs';
const references = versions(['tokenizers', '@huggingface/tokenizers', 'gpt-3-encoder']);

// classOf asks the Rust pre-tokenizer which of the regex classes \p{L}, \p{N},
// \s or "other" a code point falls in: it joins a letter, digit, punctuation
// mark or tab in front of it into one pre-token only if it is of that class.
function classOf(pre, ch) {
  if (pre.preTokenizeString('a' + ch).length === 1) return 'L';
  if (pre.preTokenizeString('1' + ch).length === 1) return 'N';
  if (pre.preTokenizeString('\t' + ch).length === 1) return 'S';
  if (pre.preTokenizeString('!' + ch).length === 1) return 'O';
  throw new Error(`code point U+${ch.codePointAt(0).toString(16)} fits no class`);
}

function writeClasses() {
  const pre = rust.byteLevelPreTokenizer(false);
  const ranges = [];
  for (let c = 0; c < 0x110000; c++) {
    if (c >= 0xd800 && c < 0xe000) continue;
    const k = classOf(pre, String.fromCodePoint(c));
    if (k === 'O') continue;
    const last = ranges[ranges.length - 1];
    if (last && last[2] === k && last[1] === c - 1) last[1] = c;
    else ranges.push([c, c, k]);
  }
  const lines = ['{'];
  lines.push(`  "generator": ${JSON.stringify(generator)},`);
  lines.push(`  "references": ${JSON.stringify(references)},`);
  lines.push('  "note": "inclusive code point ranges of \\\\p{L} (L), \\\\p{N} (N) and \\\\s (S); every other code point outside the surrogates is O",');
  lines.push('  "ranges": [');
  pushItems(lines, '    ', ranges);
  lines.push('  ]', '}', '');
  fs.writeFileSync(path.join(here, 'pretokenizer_classes.json'), lines.join('\n'));
  console.error(`classes: ${ranges.length} ranges`);
}

writeExpected(path.join(here, 'gpt2_expected.json'), { generator, references }, out,
  ['name', 'tokenizer_json', 'vocab_size', 'token_ids']);
writeClasses();
