package evaluate

import (
	"strconv"
	"strings"

	"prefixtune/core/data"
	"prefixtune/core/metrics"
	"prefixtune/core/model"
)

// prompts groups examples by prompt, in order of first appearance: the
// completions of a prompt are its references.
func prompts(exs []data.Example) (order []string, refs map[string][]string) {
	refs = map[string][]string{}
	for _, ex := range exs {
		if _, ok := refs[ex.Prompt]; !ok {
			order = append(order, ex.Prompt)
		}
		refs[ex.Prompt] = append(refs[ex.Prompt], strings.TrimSpace(ex.Completion))
	}
	return order, refs
}

// generate decodes greedily after every prompt and scores the outputs.
func (e *evaluator) generate(r *Report, exs []data.Example) error {
	order, refs := prompts(exs)
	outs := make([]string, len(order))
	allRefs := make([][]string, len(order))
	room := e.m.Config.NPositions - e.pre.P - e.o.MaxNew
	for i, p := range order {
		prompt := data.Encode(encoder{e.tok}, e.shots+p)
		if len(prompt) > room { // keep the end of a long prompt, after BOS
			bos := 0
			if e.tok.BOS() >= 0 {
				bos = 1
			}
			prompt = append(prompt[:bos], prompt[len(prompt)-room+bos:]...)
		}
		gen, err := e.m.Generate(e.pre, prompt, e.o.MaxNew, int32(e.tok.EOS()), model.Sampling{}, nil)
		if err != nil {
			return err
		}
		if n := len(gen); n > 0 && gen[n-1] == int32(e.tok.EOS()) {
			gen = gen[:n-1]
		}
		out := make([]int, len(gen))
		for j, id := range gen {
			out[j] = int(id)
		}
		outs[i], allRefs[i] = strings.TrimSpace(e.tok.Decode(out)), refs[p]
		if i < e.o.Samples {
			r.Samples = append(r.Samples, Sample{Prompt: p, References: refs[p], Output: outs[i]})
		}
		if err := e.tick(); err != nil {
			return err
		}
	}
	if e.o.Numeric {
		gold := make([]float64, len(order))
		for i, rs := range allRefs {
			v, err := strconv.ParseFloat(rs[0], 64)
			if err != nil {
				return err
			}
			gold[i] = v
		}
		reg, err := metrics.Regress(outs, gold)
		if err != nil {
			return err
		}
		r.Regression = &reg
	}
	if !e.o.Generate {
		return nil
	}
	_, stats, err := metrics.CorpusBLEU(outs, allRefs)
	if err != nil {
		return err
	}
	bleu, err := metrics.BootstrapBLEU(stats, e.o.Bootstrap)
	if err != nil {
		return err
	}
	_, per, err := metrics.CorpusRougeL(outs, allRefs)
	if err != nil {
		return err
	}
	rouge, match := make([]float64, len(per)), make([]float64, len(per))
	for i, p := range per {
		rouge[i] = p.F
		for _, ref := range allRefs[i] {
			if metrics.ExactMatch(outs[i], ref, metrics.MatchOptions{}) {
				match[i] = 1
			}
		}
	}
	rl, err := metrics.BootstrapMean(rouge, e.o.Bootstrap)
	if err != nil {
		return err
	}
	em, err := metrics.BootstrapMean(match, e.o.Bootstrap)
	if err != nil {
		return err
	}
	r.BLEU, r.RougeL, r.ExactMatch = &bleu, &rl, &em
	return nil
}
