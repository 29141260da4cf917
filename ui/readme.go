package main

import (
	"fmt"
	"strings"

	"prefixtune/core/protocol"
)

// readme is the README.md of an adapter zip: what the prefix is, how it
// was trained, and how to load it with PEFT and with prefixtune.
func (a *App) readme(base string) string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	o := a.Opts
	p("# A prefix-tuning adapter made with Prefixtune\n\n")
	p("This folder is a Hugging Face PEFT adapter (`peft_type` PREFIX_TUNING): for every layer of the base model, ")
	p("%d virtual tokens of keys and values that every real token attends to. The base model's weights are unchanged.\n\n", o.PrefixLen)
	p("- `%s`: the PEFT configuration\n- `%s`: the prefix, one float32 tensor `prompt_embeddings`\n\n", adapterConfig, adapterWeights)

	p("## How it was trained\n\n")
	if m := a.Model.Loaded; m != nil {
		p("- Base model: %s (`base_model_name_or_path`: %s), GPT-2 with %d layers, %d heads, %d dimensions, %d positions, %s parameters\n",
			m.Name, base, m.Layers, m.Heads, m.Embd, m.Positions, Count(m.Params))
	}
	if ad := a.Adapter.Imported; ad != nil && a.Run.Step == 0 {
		p("- Loaded from an existing adapter (%d virtual tokens), not trained in this session\n", ad.VirtualTokens)
	}
	if d := a.Data.Loaded; d != nil && a.Run.Step > 0 {
		p("- Data: %s (%s examples)", d.Name, Count(d.Examples))
		if a.Data.Sample != "" {
			p(", the sample dataset %s", a.Data.Sample)
		}
		_, held := a.HeldOut()
		p("; validation on %s\n", held)
		p("- Prefix: %d virtual tokens, initialised %s", o.PrefixLen, initAbout(o))
		if o.Projection > 0 {
			p(", reparameterised through an MLP of %d (dropped at export)", o.Projection)
		}
		p("\n- Optimiser: AdamW, learning rate %g, %s schedule, %d warm-up steps, weight decay %g, gradient clipping %g\n",
			o.LR, o.Schedule, o.Warmup, o.WeightDecay, o.Clip)
		p("- Batch size %d, sequence length %d tokens, seed %d, %d of %d steps\n", o.BatchSize, o.SeqLen, o.Seed, a.Run.Step, a.Run.Steps)
		if l, ok := a.Run.LastGood(); ok {
			p("- Final training loss %.4f", l.Loss)
			if v := a.Run.ValLoss(); v != nil {
				p(", validation loss %.4f", *v)
			}
			p("\n")
		}
		if r := a.Run.Recovered(); len(r) > 0 {
			p("- Steps undone because they were not finite, each halving the learning rate: %v\n", r)
		}
	}
	if t := a.Data.Template; t != "" {
		p("- Prompt template: `%s`\n", t)
	}
	if r := a.Compare.Result; r != nil {
		p("- On %s:\n", a.Compare.Held)
		for _, rep := range r.Reports {
			p("  - %s: loss %.4f (perplexity %.2f)", rep.Name, rep.Loss.Point, rep.Perplexity)
			for _, m := range []struct {
				name string
				v    *protocol.Interval
			}{{"BLEU", rep.BLEU}, {"ROUGE-L", rep.RougeL}, {"exact match", rep.ExactMatch}, {"accuracy", rep.Accuracy}, {"macro-F1", rep.MacroF1}} {
				if m.v != nil {
					p(", %s %.3f", m.name, m.v.Point)
				}
			}
			p("\n")
		}
	}

	p("\n## Load it with PEFT\n\n```python\nfrom transformers import AutoModelForCausalLM, AutoTokenizer\nfrom peft import PeftModel\n\n")
	p("base = AutoModelForCausalLM.from_pretrained(%q)\ntokenizer = AutoTokenizer.from_pretrained(%q)\n", base, base)
	p("model = PeftModel.from_pretrained(base, \"path/to/this/folder\")\n\n")
	p("inputs = tokenizer(\"your prompt\", return_tensors=\"pt\")\nout = model.generate(**inputs, max_new_tokens=40)\n")
	p("print(tokenizer.decode(out[0][inputs[\"input_ids\"].shape[1]:]))\n```\n\n")
	p("The base model must be the one the prefix was trained on: a prefix is keys and values for that model's layers.\n\n")
	p("## Or with prefixtune\n\n```sh\n")
	tpl := ""
	if t := a.Data.Template; t != "" {
		tpl = fmt.Sprintf(" --template %q", t)
	}
	p("prefixtune generate --model BASE_DIR --adapter .%s --prompt \"your prompt\"\n", tpl)
	p("prefixtune eval --model BASE_DIR --adapter .%s --data held_out.jsonl --baselines --shots 3 --train train.jsonl\n", tpl)
	p("prefixtune train --model BASE_DIR --data more.jsonl --init adapter:. --out continued/\n```\n\n")
	p("BASE_DIR holds the base model's config.json, model.safetensors and tokenizer.json. ")
	p("PEFT cannot resume training a prompt-learning adapter; `--init adapter:` (or loading this zip in Prefixtune's Download step) can.\n")
	return b.String()
}

func initAbout(o protocol.TrainOptions) string {
	switch o.Init {
	case protocol.InitText:
		return fmt.Sprintf("from the model's keys and values over the text %q", o.InitText)
	case protocol.InitAdapter:
		return "from a loaded adapter"
	}
	return "at random"
}
