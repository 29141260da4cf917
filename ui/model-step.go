package main

import (
	"fmt"

	"prefixtune/core/protocol"

	"github.com/vugu/vugu"
)

// Source switches where the model comes from.
func (c *ModelStep) Source(s string) {
	m := &c.App.Model
	m.Source, m.Err = s, ""
}

// DropClass styles the drop zone, highlighted while files are dragged
// over it.
func (c *ModelStep) DropClass() string {
	if c.dragging {
		return "dropzone over"
	}
	return "dropzone"
}

// Drag follows files dragged over the drop zone; the drop is only allowed
// if dragover's default is prevented.
func (c *ModelStep) Drag(e vugu.DOMEvent, over bool) {
	e.PreventDefault()
	c.dragging = over
}

// Drop takes the dropped files.
func (c *ModelStep) Drop(e vugu.DOMEvent) {
	e.PreventDefault()
	c.dragging = false
	c.App.PickModelFiles(c.App.host.EventFiles(e))
}

// NameLine says the name the adapter will give as its base model.
func (c *ModelStep) NameLine() string {
	return "Adapters made here name it " + c.App.DefaultBaseModel() + " as their base model (you can change that in Download)."
}

// Picked takes the files of the file input.
func (c *ModelStep) Picked(e vugu.DOMEvent) {
	if files := c.App.host.EventFiles(e); len(files) > 0 {
		c.App.PickModelFiles(files)
	}
}

// CheckLine says what config.json describes.
func (c *ModelStep) CheckLine() string {
	k := c.App.Model.Check
	return fmt.Sprintf("%s with %d layers, %s, %d dimensions, %d positions and a vocabulary of %s: %s parameters, %s weights, %s in memory.",
		Family(k.Family), k.Layers, heads(k.Heads, k.KVHeads), k.Embd, k.Positions, Count(k.Vocab), Count(k.Params),
		WeightsLine(k.Weights), Bytes(k.WeightBytes))
}

// CanLoad enables the load button.
func (c *ModelStep) CanLoad() bool {
	ok, _ := c.App.CanLoadModel()
	return ok
}

// WhyNot says why the load button is disabled.
func (c *ModelStep) WhyNot() string {
	_, why := c.App.CanLoadModel()
	return why
}

// LoadLabel names the load button's action.
func (c *ModelStep) LoadLabel() string {
	switch c.App.Model.Source {
	case SourceHub:
		return "Download and load"
	case SourceFiles:
		return "Load these files"
	}
	return "Load the demo model"
}

// ProgressLabel says what is being read.
func (c *ModelStep) ProgressLabel() string {
	p := c.App.Model.Progress
	verb := "Reading"
	if p.Phase == protocol.PhaseDownload {
		verb = "Downloading"
	}
	s := verb + " " + p.File
	if p.BytesTotal > 0 {
		return fmt.Sprintf("%s: %s of %s", s, Bytes(p.Bytes), Bytes(p.BytesTotal))
	}
	return fmt.Sprintf("%s: %s", s, Bytes(p.Bytes))
}

// ProgressMax is the progress bar's end, or nil (an indeterminate bar)
// when the size is unknown.
func (c *ModelStep) ProgressMax() any {
	if t := c.App.Model.Progress.BytesTotal; t > 0 {
		return t
	}
	return nil
}

// Architecture describes the loaded model.
func (c *ModelStep) Architecture() string {
	m := c.App.Model.Loaded
	return fmt.Sprintf("%s: %d layers × %s, %d dimensions, %d positions, vocabulary of %s tokens",
		Family(m.Family), m.Layers, heads(m.Heads, m.KVHeads), m.Embd, m.Positions, Count(m.Vocab))
}

// heads counts attention heads, and the key/value heads when queries
// share them (grouped-query attention).
func heads(n, kv int) string {
	if kv == 0 || kv == n {
		return fmt.Sprintf("%d heads", n)
	}
	return fmt.Sprintf("%d heads (%d key/value heads)", n, kv)
}

// FileLine gives the weights file's size and where it came from.
func (c *ModelStep) FileLine() string {
	m := c.App.Model.Loaded
	s := Bytes(m.Bytes)
	if m.Cached {
		s += ", from the browser's cache"
	}
	return s
}
