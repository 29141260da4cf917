package main

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"prefixtune/core/protocol"

	"github.com/vugu/vugu"
	"github.com/vugu/vugu/staticrender"
)

// render returns the page's HTML for the app's state.
func render(t *testing.T, a *App) string {
	t.Helper()
	env, err := vugu.NewBuildEnv()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := staticrender.New(&buf).Render(env.RunBuild(&Root{App: a})); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// inline matches what the page's Content-Security-Policy would block:
// style attributes and elements, scripts, inline event handlers.
var inline = regexp.MustCompile(`(?i)\sstyle=|<style|<script|\son[a-z]+=|javascript:`)

// TestEveryStepRenders renders each step in a state where its main
// controls show, and checks their stable ids and that nothing inline is
// there for the Content-Security-Policy to block.
func TestEveryStepRenders(t *testing.T) {
	h := newHarness(t)
	loadDemo(h)
	loadSample(h)
	v := 2.5
	h.do(func(a *App) {
		a.Run = RunState{RunID: "r", Status: protocol.StatusDone, Step: 2, Steps: 2,
			Log: []protocol.StepLog{{Step: 1, Loss: 3}, {Step: 2, Loss: 2, ValLoss: &v}}}
		ci := func(v float64) *protocol.Interval {
			return &protocol.Interval{Point: v, Lo: v, Hi: v, Level: 0.95, Resamples: 10}
		}
		s := []protocol.Sample{{Prompt: "p", References: []string{"r"}, Output: "o"}}
		a.Compare.Result = &protocol.Evaluated{PrefixParams: 640, TrainedParams: 640, ModelParams: 123200, Reports: []protocol.Report{
			{Name: "base, zero-shot", Kind: protocol.ReportZeroShot, Loss: *ci(3), Perplexity: 20, Accuracy: ci(0.5), Samples: s},
			{Name: "prefix", Kind: protocol.ReportPrefix, Loss: *ci(2), Perplexity: 7.4, Accuracy: ci(0.75), Samples: s}}}
	})
	ids := map[Step][]string{
		StepModel:    {"model-source", "model-load", "model-info", "loss-chart"},
		StepData:     {"data-file", "data-val-file", "sample-wordnet-definitions", "data-preview", "data-template", "data-formatted", "data-load", "data-stats"},
		StepTune:     {"preset-quick", "preset-generation-mlp", "preset-classification", "tune-prefix-len", "tune-lr", "tune-threads", "tune-estimate"},
		StepTrain:    {"train-button", "pause-button", "cancel-button", "train-progress", "loss-chart"},
		StepCompare:  {"compare-button", "compare-shots", "compare-max-new", "compare-table", "compare-samples", "compare-params"},
		StepTry:      {"try-prompt", "try-button", "try-base", "try-prefixed"},
		StepDownload: {"download-button", "adapter-file"},
	}
	for _, s := range Steps {
		h.do(func(a *App) { a.Step = s })
		html := render(t, h.app)
		for _, id := range ids[s] {
			if id == "loss-chart" && s == StepModel {
				if strings.Contains(html, `id="loss-chart"`) {
					t.Errorf("the loss chart shows on the Model step")
				}
				continue
			}
			if !strings.Contains(html, `id="`+id+`"`) {
				t.Errorf("step %s has no element with id %q", s.Title(), id)
			}
		}
		if m := inline.FindString(html); m != "" {
			t.Errorf("step %s has %q, which the Content-Security-Policy blocks", s.Title(), m)
		}
		if !strings.Contains(html, `aria-current="step"`) || strings.Count(html, `aria-current=`) != 1 {
			t.Errorf("step %s: the navigation does not mark exactly one current step", s.Title())
		}
	}
	h.do(func(a *App) {
		a.Run = RunState{Runs: []protocol.RunInfo{{RunID: "old", Step: 3, Steps: 9, ModelID: a.Model.Loaded.Fingerprint}}}
	})
	if html := render(t, h.app); !strings.Contains(html, `id="train-resume"`) || !strings.Contains(html, `id="resume-saved"`) {
		t.Errorf("a run saved in the browser is not offered")
	}
	h.do(func(a *App) { a.Step, a.Model.Source = StepModel, SourceFiles })
	if html := render(t, h.app); !strings.Contains(html, `id="model-files"`) || !strings.Contains(html, `type="file"`) {
		t.Errorf("the Model step offers no file picker for local files")
	}
}

// TestLabels checks that every form control has a label.
func TestLabels(t *testing.T) {
	h := newHarness(t)
	loadDemo(h)
	loadSample(h)
	control := regexp.MustCompile(`<(input|select|textarea)\b[^>]*\bid="([^"]+)"`)
	for _, s := range Steps {
		h.do(func(a *App) { a.Step = s })
		html := render(t, h.app)
		for _, m := range control.FindAllStringSubmatch(html, -1) {
			if !strings.Contains(html, `for="`+m[2]+`"`) && !strings.Contains(m[0], `type="radio"`) {
				t.Errorf("step %s: the %s #%s has no label", s.Title(), m[1], m[2])
			}
		}
	}
}
