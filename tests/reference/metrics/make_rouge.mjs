// make_rouge.mjs writes rouge_expected.json: ROUGE-L for the text cases in
// inputs.json (written by make_expected.py), the numbers core/metrics'
// RougeL is tested against.
//
// The LCS and the F-measure are js-rouge's (l() with beta 1). Its own
// Penn-Treebank tokenizer and sentence splitter are replaced by what Google's
// rouge-score does by default for "rougeL": one sentence per text, lowercased
// (String.prototype.toLowerCase, the same full Unicode mapping as Python's
// str.lower), runs of [a-z0-9] as tokens, no stemming. A text without tokens
// scores 0, as in rouge-score (js-rouge refuses whitespace-only text, so the
// script does not ask it). With several references the score is the one with
// the highest F (the first on ties), as rouge-score's score_multi picks it.
//
// Run from the repository root after `npm ci --prefix tests/reference/metrics`:
//
//   node tests/reference/metrics/make_rouge.mjs
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, 'package.json'));
const { l: rougeL } = require('js-rouge');
const version = JSON.parse(fs.readFileSync(path.join(here, 'node_modules', 'js-rouge', 'package.json'), 'utf8')).version;

function tokenize(text) {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, ' ').split(/\s+/).filter((t) => /^[a-z0-9]+$/.test(t));
}

function score(hyp, ref) {
  const h = tokenize(hyp);
  const r = tokenize(ref);
  if (h.length === 0 || r.length === 0) {
    return { f: 0, p: 0, r: 0 };
  }
  const opts = { beta: 1, tokenizer: tokenize, segmenter: (t) => [t] };
  const f = rougeL(hyp, ref, opts);
  // Precision and recall are LCS/|hyp| and LCS/|ref|: beta -> infinity gives
  // recall, and precision is recall with the roles swapped.
  const rec = rougeL(hyp, ref, { ...opts, beta: Infinity });
  const prec = rougeL(ref, hyp, { ...opts, beta: Infinity });
  return { f, p: prec, r: rec };
}

const inputs = JSON.parse(fs.readFileSync(path.join(here, 'inputs.json'), 'utf8'));
const cases = inputs.text_cases.map((c) => {
  const sentences = c.hyps.map((hyp, i) => {
    const refs = c.refs[i].filter((r) => r !== '');
    const perRef = refs.map((ref) => score(hyp, ref));
    let best = 0;
    perRef.forEach((s, j) => { if (s.f > perRef[best].f) best = j; });
    return { tokens: tokenize(hyp), per_ref_f: perRef.map((s) => s.f), best: best, ...perRef[best] };
  });
  const mean = sentences.reduce((a, s) => a + s.f, 0) / sentences.length;
  return { name: c.name, mean_f: mean, sentences };
});

const out = { versions: { node: process.version, 'js-rouge': version }, scale: '0..1 as js-rouge returns it', cases };
fs.writeFileSync(path.join(here, 'rouge_expected.json'), JSON.stringify(out, null, 1) + '\n');
