// Package metrics owns the numbers that say whether a prefix is any good:
// mean target-token loss and perplexity, exact match, accuracy and macro-F1
// for classification (and the zero-shot choice of a label by likelihood),
// corpus BLEU-4 as sacreBLEU computes it by default, ROUGE-L F1 as Google's
// rouge-score computes it, RMSE and MAE for numeric answers, and bootstrap
// confidence intervals for any of them.
//
// It is pure Go and sees only strings and numbers: the model side supplies
// losses, log-likelihoods and generated text.
//
// # Scales
//
// BLEU and ROUGE-L are on 0..100, as sacreBLEU reports BLEU. Accuracy,
// macro-F1 and exact match are fractions in 0..1, as scikit-learn reports
// them. Loss is in nats per target token.
//
// # Text
//
// Wherever a rule says "white space" it means what Python's str.isspace
// means (the 25 Unicode White_Space characters Go's unicode.IsSpace knows,
// plus the separators U+001C..U+001F), because the reference tools are
// Python programs that split with str.split.
//
//   - ExactMatch trims white space at both ends and compares bytes, or, with
//     FoldCase, compares with Unicode simple case folding (strings.EqualFold:
//     "É" equals "é", but "ß" does not equal "ss").
//   - BLEU tokenises with sacreBLEU's "13a" tokenizer (mteval-v13a.pl) and
//     keeps case. Empty reference strings are dropped, as sacreBLEU does for
//     a varying number of references; a hypothesis needs at least one
//     non-empty reference.
//   - ROUGE-L lowercases as Python's str.lower does and keeps runs of
//     [a-z0-9] as tokens (rouge-score's default tokenizer, no stemming), so
//     non-Latin text has no ROUGE tokens.
//   - Numbers are read from generated text by ParseNumber: the first match of
//     [-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)? that is finite.
//
// # Files
//
//   - loss.go: LossMeter, Perplexity.
//   - match.go: ExactMatch, ExactMatchRate; space.go: Python's white space.
//   - classify.go: Accuracy, MacroF1, PickLabel.
//   - tok13a.go, bleu.go: Tokenize13a, BLEUStats, SentenceBLEU, CorpusBLEU.
//   - rouge.go: RougeTokens, RougeL, RougeLMulti, CorpusRougeL.
//   - regression.go: ParseNumber, Regress.
//   - bootstrap.go: Bootstrap, BootstrapMean, BootstrapBLEU.
//
// Tests compare with numbers from reference libraries, written by the
// scripts in tests/reference/metrics (see its README.md).
package metrics
