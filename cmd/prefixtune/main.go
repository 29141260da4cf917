// Command prefixtune tunes, evaluates and samples prefixes of GPT-2 models
// natively, with the same core as the browser app.
//
//	prefixtune train    --model DIR --data FILE --prefix-len P --out DIR [options]
//	prefixtune eval     --model DIR --data FILE [--adapter DIR] [--json]
//	prefixtune generate --model DIR [--adapter DIR] --prompt TEXT [options]
//	prefixtune clean    --data FILE [--model DIR --max-tokens N] [--near 0.9] --out FILE.jsonl
//	prefixtune split    --data FILE [--by-prompt] [--val-frac 0.1] --train-out FILE.jsonl --val-out FILE.jsonl
//	prefixtune tokenize --tokenizer PATH < lines
//	prefixtune bpe      --corpus FILES --vocab N --out tokenizer.json
//	prefixtune pretrain --corpus FILES --tokenizer tokenizer.json --out DIR [options]
//	prefixtune serve    [--addr 127.0.0.1:8080] [--dir public] [--hub URL]
//
// Run a subcommand with -h for its flags.
package main

import (
	"fmt"
	"io"
	"os"
)

func main() {
	if err := run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "prefixtune:", err)
		os.Exit(1)
	}
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	cmds := map[string]func([]string, io.Reader, io.Writer, io.Writer) error{
		"train": cmdTrain, "eval": cmdEval, "generate": cmdGenerate, "tokenize": cmdTokenize, "pretrain": cmdPretrain, "bpe": cmdBPE, "card": cmdCard, "serve": serve,
		"clean": cmdClean, "split": cmdSplit,
	}
	if len(args) == 0 || cmds[args[0]] == nil {
		return fmt.Errorf("usage: prefixtune train|eval|generate|clean|split|tokenize|bpe|pretrain|serve [flags]; run a subcommand with -h for its flags")
	}
	return cmds[args[0]](args[1:], stdin, stdout, stderr)
}
