package apptest

import (
	"strconv"
	"time"
)

// Steps of the flow the tests share.

// LoadDemo loads the bundled demo model; the page moves on to Data.
func (p *Page) LoadDemo() {
	p.T.Helper()
	p.Click("#model-load")
	p.LoadedModel()
}

// LoadedModel waits until the model loads: the page shows the Data step.
func (p *Page) LoadedModel() {
	p.T.Helper()
	Wait[bool](p, "the model", `document.getElementById('nav-data').getAttribute('aria-current') === 'step'`, time.Minute)
}

// Samples waits until the sample datasets are fetched.
func (p *Page) Samples() {
	p.T.Helper()
	Wait[bool](p, "the sample datasets", `!document.getElementById('sample-wordnet-definitions')?.disabled`, 30*time.Second)
}

// Sample loads a sample dataset as it comes.
func (p *Page) Sample(name string) {
	p.T.Helper()
	p.Click("#sample-" + name)
	Wait[bool](p, "the data", `!!document.getElementById('data-stats') && !document.querySelector('.busy')`, time.Minute)
}

// Tune sets the quick preset and the given options (field id -> value).
func (p *Page) Tune(fields map[string]string) {
	p.T.Helper()
	p.Click("#nav-tune")
	p.Click("#preset-quick")
	for id, v := range fields {
		p.Set(id, v)
	}
	Wait[bool](p, "the estimate", `document.getElementById('tune-estimate')?.textContent.includes('steps in') && !document.querySelector('.busy')`, time.Minute)
}

// Progress is the line above the Train step's progress bar.
const Progress = `(document.querySelector('label[for=train-progress]')?.textContent ?? '')`

// Step is the latest step done that the Train step shows.
func (p *Page) Step() int {
	p.T.Helper()
	return Eval[int](p, `+document.getElementById('train-progress')?.dataset.step || 0`)
}

// CompareCell is the value of measure (a row's data-measure) in column col
// (1-based, the models in order) of the Compare step's table.
func (p *Page) CompareCell(measure string, col int) float64 {
	v, err := strconv.ParseFloat(Eval[string](p, `document.querySelector('#compare-table tr[data-measure=`+measure+`] td:nth-of-type(`+strconv.Itoa(col)+`)').dataset.value`), 64)
	if err != nil {
		p.Fail("the %s in the comparison table: %v", measure, err)
	}
	return v
}
