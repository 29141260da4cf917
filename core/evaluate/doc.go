// Package evaluate scores a model, with or without a prefix, on held-out
// examples: the mean target-token loss and perplexity; for generation
// tasks BLEU, ROUGE-L and exact match of greedy outputs against every
// reference of a prompt; for classification the accuracy and macro-F1 of
// the label with the highest likelihood (zero-shot capable); for numeric
// targets RMSE and MAE. Every figure comes with a bootstrap confidence
// interval over examples (or prompts), and Markdown and JSON reports put
// several runs (base zero-shot, base few-shot, prefixed) side by side.
//
// Examples sharing a prompt are one prompt with several references, as in
// the E2E data set; loss counts every example.
package evaluate
