// check_trained.mjs runs Hugging Face's tokenizers on a tokenizer.json that
// core/tokenizer's TrainBPE wrote, for core/tokenizer/trainbpe_test.go:
//
//   node tests/reference/tokenizer/check_trained.mjs job.json out.json
//
// job.json holds {"tokenizer": path, "texts": [...], "train": path or null}.
// out.json gets, for every text, the ids and decoded text from `tokenizers`
// (Hugging Face's Rust library through its Node binding) and from
// @huggingface/tokenizers (tokenizers.js, what a web page uses), and, when
// "train" names a file, the merges Hugging Face's BpeTrainer learns from it
// with the GPT-2 byte-level pre-tokenizer (its default trainer: vocabulary
// 30,000, no special tokens, the alphabet of the file, one text a line).
// Results go to a file because the trainer prints progress on stdout.
//
// Needs `npm ci --prefix tests/reference` (make deps).
import fs from 'node:fs';
import path from 'node:path';
import rust from 'tokenizers';
import { Tokenizer as JSTokenizer } from '@huggingface/tokenizers';
import { versions } from './reference.mjs';

const [jobFile, outFile] = process.argv.slice(2);
if (!jobFile || !outFile) {
  throw new Error('usage: node check_trained.mjs job.json out.json');
}
const job = JSON.parse(fs.readFileSync(jobFile, 'utf8'));
const json = fs.readFileSync(job.tokenizer, 'utf8');

const rustTok = rust.Tokenizer.fromString(json);
const jsTok = new JSTokenizer(JSON.parse(json), {});
const out = { references: versions(['tokenizers', '@huggingface/tokenizers']), vocab_size: rustTok.getVocabSize(true), rust: [], js: [] };
for (const text of job.texts) {
  const enc = await rustTok.encode(text, null, { addSpecialTokens: false });
  const ids = enc.getIds();
  out.rust.push({ ids, decoded: await rustTok.decode(ids, false) });
  const jsIds = jsTok.encode(text, { add_special_tokens: false }).ids;
  // tokenizers.js refuses to decode no ids.
  const decoded = jsIds.length > 0 ? jsTok.decode(jsIds, { clean_up_tokenization_spaces: false }) : '';
  out.js.push({ ids: jsIds, decoded });
}

if (job.train) {
  const trainer = new rust.Tokenizer(rust.BPE.empty());
  trainer.setPreTokenizer(rust.byteLevelPreTokenizer(false, true));
  trainer.train([job.train]);
  const saved = path.join(path.dirname(outFile), 'hf_trained.json');
  trainer.save(saved, false);
  const model = JSON.parse(fs.readFileSync(saved, 'utf8')).model;
  out.hf_merges = model.merges;
  out.hf_vocab_size = Object.keys(model.vocab).length;
}

fs.writeFileSync(outFile, JSON.stringify(out));
