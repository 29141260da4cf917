package evaluate

import (
	"fmt"
	"slices"
	"strings"

	"prefixtune/core/data"
	"prefixtune/core/metrics"
	"prefixtune/core/model"
)

// Tokenizer is what evaluation needs of a tokenizer.
type Tokenizer interface {
	Encode(string) []int
	Decode([]int) string
	EOS() int
	BOS() int // -1: none (see data.BOS)
}

// DefaultBatchSize is the batch size of Options.BatchSize 0.
const DefaultBatchSize = 8

// Options choose the metrics and how they are computed.
type Options struct {
	BatchSize int            // examples per forward pass; 0: DefaultBatchSize
	SeqLen    int            // tokens per example, cut at the end
	Generate  bool           // greedy generation metrics: BLEU, ROUGE-L, exact match
	MaxNew    int            // tokens generated at most per prompt
	Labels    []string       // classification: the candidate completions
	Numeric   bool           // the completions are numbers: RMSE and MAE of generations
	Shots     []data.Example // few-shot examples written before every prompt
	Bootstrap metrics.BootstrapConfig
	Samples   int // generated samples to keep in the report
	// Progress, if not nil, is called after every batch and every
	// generated prompt with the work done and all the work of the run;
	// an error it returns stops the run and is returned.
	Progress func(done, total int) error
}

// Sample is one prompt with its references and the model's output.
type Sample struct {
	Prompt     string   `json:"prompt"`
	References []string `json:"references"`
	Output     string   `json:"output"`
}

// Report is the evaluation of one model (and prefix) on one data set.
type Report struct {
	Name       string              `json:"name"`
	Examples   int                 `json:"examples"`
	Prompts    int                 `json:"prompts"`
	Tokens     int                 `json:"target_tokens"`
	Loss       metrics.Interval    `json:"loss"`
	Perplexity float64             `json:"perplexity"`
	BLEU       *metrics.Interval   `json:"bleu,omitempty"`
	RougeL     *metrics.Interval   `json:"rouge_l,omitempty"`
	ExactMatch *metrics.Interval   `json:"exact_match,omitempty"`
	Accuracy   *metrics.Interval   `json:"accuracy,omitempty"`
	MacroF1    *metrics.Interval   `json:"macro_f1,omitempty"`
	Regression *metrics.Regression `json:"regression,omitempty"`
	Samples    []Sample            `json:"samples,omitempty"`
}

// Run evaluates m after the prefix pre on exs.
func Run(name string, m *model.Model, pre model.Prefix, tok Tokenizer, exs []data.Example, o Options) (Report, error) {
	if len(exs) == 0 {
		return Report{}, fmt.Errorf("no examples to evaluate")
	}
	if o.BatchSize < 1 {
		o.BatchSize = DefaultBatchSize
	}
	if o.Bootstrap.Resamples == 0 {
		o.Bootstrap = metrics.DefaultBootstrap
	}
	e := &evaluator{m: m, pre: pre, tok: tok, o: o, shots: shotText(o.Shots)}
	d := m.Dev
	mark := d.Mark()
	defer d.Release(mark)
	order, _ := prompts(exs)
	e.total = Work(len(exs), len(order), o)
	r := Report{Name: name, Examples: len(exs), Prompts: len(order)}
	if err := e.loss(&r, exs); err != nil {
		return Report{}, err
	}
	if len(o.Labels) > 0 {
		if err := e.classify(&r, exs); err != nil {
			return Report{}, err
		}
	}
	if o.Generate || o.Numeric {
		if err := e.generate(&r, exs); err != nil {
			return Report{}, err
		}
	}
	return r, nil
}

// shotText renders few-shot examples as one block written before a prompt.
func shotText(shots []data.Example) string {
	var b strings.Builder
	for _, s := range shots {
		b.WriteString(s.Prompt + s.Completion + "\n\n")
	}
	return b.String()
}

type evaluator struct {
	m     *model.Model
	pre   model.Prefix
	tok   Tokenizer
	o     Options
	shots string

	done, total int // units of work (batches, prompts), for Options.Progress
}

// Work is the number of units of work (batches and generated prompts) that
// Run reports to Options.Progress for n examples with the given number of
// distinct prompts.
func Work(n, prompts int, o Options) int {
	B := o.BatchSize
	if B < 1 {
		B = DefaultBatchSize
	}
	w := (n + B - 1) / B
	if len(o.Labels) > 0 {
		w += (n*len(o.Labels) + B - 1) / B
	}
	if o.Generate || o.Numeric {
		w += prompts
	}
	return w
}

// tick counts one unit of work done and reports it.
func (e *evaluator) tick() error {
	e.done++
	if e.o.Progress == nil {
		return nil
	}
	return e.o.Progress(e.done, e.total)
}

// encoder adapts Tokenizer to data.Encoder.
type encoder struct{ Tokenizer }

// rowLosses runs seqs through the model in batches and returns, per
// sequence, the sum of its target losses and its number of targets.
func (e *evaluator) rowLosses(seqs []data.Sequence) (sums []float64, ns []int, err error) {
	// The arena fits the largest batch: T positions, packing to N rows
	// with H targets at the most.
	B := e.o.BatchSize
	shape := model.Shape{B: B, T: 1, P: e.pre.P, N: 1, H: 1}
	for i := 0; i < len(seqs); i += B {
		N, H := 0, 0
		for _, s := range seqs[i:min(i+B, len(seqs))] {
			shape.T, N, H = max(shape.T, len(s.Tokens)), N+len(s.Tokens), H+s.NumTargets()
		}
		shape.N, shape.H = max(shape.N, N), max(shape.H, H)
	}
	a := model.NewActs(e.m.Dev, e.m.Config, shape)
	sums, ns = make([]float64, len(seqs)), make([]int, len(seqs))
	for i := 0; i < len(seqs); i += B {
		b := data.MakeBatch(seqs[i:min(i+B, len(seqs))], int32(e.tok.EOS()))
		mb := model.Batch{B: b.B, T: b.T, Tokens: b.Tokens, Targets: b.Targets, Valid: b.Valid}
		if _, _, err := e.m.Forward(a, e.pre, mb); err != nil {
			return nil, nil, err
		}
		// The losses are those of the targets, in order.
		j := 0
		for r := 0; r < b.B; r++ {
			for t := 0; t < b.T; t++ {
				if b.Targets[r*b.T+t] >= 0 {
					sums[i+r] += float64(a.HostLosses[j])
					j, ns[i+r] = j+1, ns[i+r]+1
				}
			}
		}
		if err := e.tick(); err != nil {
			return nil, nil, err
		}
	}
	return sums, ns, nil
}

// tokenize encodes examples with the few-shot block before each prompt.
// When the whole does not fit the sequence length, the block loses its
// beginning, so every example keeps all the targets it has zero-shot.
func (e *evaluator) tokenize(exs []data.Example) []data.Sequence {
	var shots []int32
	for _, id := range e.tok.Encode(e.shots) {
		shots = append(shots, int32(id))
	}
	seqs := make([]data.Sequence, len(exs))
	for i, ex := range exs {
		s := data.Tokenize(ex, encoder{e.tok}, e.o.SeqLen)
		keep := len(shots)
		if e.o.SeqLen > 0 {
			keep = max(0, min(keep, e.o.SeqLen-len(s.Tokens)))
		}
		block := shots[len(shots)-keep:]
		bos := 0 // the block goes after BOS
		if e.tok.BOS() >= 0 {
			bos = 1
		}
		seqs[i] = data.Sequence{
			Tokens:  slices.Concat(s.Tokens[:bos], block, s.Tokens[bos:]),
			Targets: slices.Concat(s.Targets[:bos], slices.Repeat([]int32{-1}, len(block)), s.Targets[bos:]),
		}
	}
	return seqs
}

func (e *evaluator) loss(r *Report, exs []data.Example) error {
	sums, ns, err := e.rowLosses(e.tokenize(exs))
	if err != nil {
		return err
	}
	stat := func(idx []int) float64 {
		var s float64
		n := 0
		for _, i := range idx {
			s, n = s+sums[i], n+ns[i]
		}
		return s / float64(max(n, 1))
	}
	for _, n := range ns {
		r.Tokens += n
	}
	if r.Tokens == 0 {
		return fmt.Errorf("no target tokens: every completion was cut off; raise the sequence length")
	}
	if r.Loss, err = metrics.Bootstrap(stat, len(exs), e.o.Bootstrap); err != nil {
		return err
	}
	r.Perplexity = metrics.Perplexity(r.Loss.Point)
	return nil
}
