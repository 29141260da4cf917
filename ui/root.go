package main

import (
	"fmt"
	"strconv"
)

// EngineLine says what the engine runs on, or that it is starting.
func (c *Root) EngineLine() string {
	e := c.App.Engine
	switch {
	case e.Err != "":
		return "Engine unavailable"
	case !e.Ready && e.Stopped != "":
		return "Restarting the engine…"
	case !e.Ready:
		return "Starting the engine…"
	}
	simd := "SIMD"
	if e.Caps.Relaxed {
		simd = "relaxed SIMD"
	}
	threads := "1 thread (the page is not cross-origin isolated)"
	if e.Caps.Isolated {
		threads = fmt.Sprintf("%d threads", max(1, e.Caps.Threads))
	}
	return fmt.Sprintf("Engine ready: %s, %s, %s", e.Device, simd, threads)
}

// NavClass styles a step's button: current, done, locked.
func (c *Root) NavClass(s Step) string {
	cls := "step"
	if c.App.Step == s {
		cls += " current"
	}
	if c.App.Done(s) {
		cls += " done"
	}
	if ok, _ := c.App.Reachable(s); !ok {
		cls += " locked"
	}
	return cls
}

// Current is aria-current for the shown step.
func (c *Root) Current(s Step) any {
	if c.App.Step == s {
		return "step"
	}
	return nil
}

// Unreachable is aria-disabled for a step that cannot be shown yet.
func (c *Root) Unreachable(s Step) any {
	if ok, _ := c.App.Reachable(s); !ok {
		return "true"
	}
	return nil
}

// Why says what to do before step s can be shown.
func (c *Root) Why(s Step) any {
	if ok, why := c.App.Reachable(s); !ok {
		return why
	}
	return nil
}

// Num is a step's number, or a tick once done.
func (c *Root) Num(s Step) string {
	if c.App.Done(s) && c.App.Step != s {
		return "✓"
	}
	return strconv.Itoa(int(s) + 1)
}

// ModelLine summarises the loaded model.
func (c *Root) ModelLine() string {
	m := c.App.Model.Loaded
	if m == nil {
		return "none yet"
	}
	return fmt.Sprintf("%s · %s parameters", c.App.ModelName(), Count(m.Params))
}

// DataLine summarises the loaded data.
func (c *Root) DataLine() string {
	d := c.App.Data.Loaded
	if d == nil {
		return "none yet"
	}
	if d.Examples == 0 { // restored with a saved run, which keeps its data
		return d.Name + ", restored with the saved run"
	}
	s := fmt.Sprintf("%s · %s examples", d.Name, Count(d.Examples))
	if v := c.App.Data.ValLoaded; v != nil {
		s += fmt.Sprintf(" + %s for validation", Count(v.Examples))
	}
	if t := c.App.Data.TestLoaded; t != nil {
		s += fmt.Sprintf(" + %s for testing", Count(t.Examples))
	}
	return s
}

// PrefixLine summarises the current prefix.
func (c *Root) PrefixLine() string {
	r := c.App.Run
	switch {
	case r.Step > 0:
		s := fmt.Sprintf("%d virtual tokens · step %d of %d", c.App.Opts.PrefixLen, r.Step, r.Steps)
		if l, ok := r.LastGood(); ok {
			s += " · loss " + Loss(l.Loss)
		}
		return s
	case c.App.Adapter.Imported != nil:
		return fmt.Sprintf("%d virtual tokens, loaded from a file", c.App.Adapter.Imported.VirtualTokens)
	}
	return "not trained yet"
}

// Cancellable reports whether the running request can be cancelled from
// the status bar (training has its own controls).
func (c *Root) Cancellable() bool {
	return c.App.Busy != "" && !c.App.BusyLocal && c.App.Run.Status != StatusRunning
}
