package main

import (
	"fmt"
	"time"
)

// SameModel reports whether the saved run's model is the loaded one.
func (c *SavedRun) SameModel() bool {
	_, same := c.App.SavedRun()
	return same
}

// ID is the saved run's id.
func (c *SavedRun) ID() string {
	r, _ := c.App.SavedRun()
	return r.RunID
}

// Resumable reports whether the saved run has steps left.
func (c *SavedRun) Resumable() bool {
	r, _ := c.App.SavedRun()
	return r.Step < r.Steps
}

// Line describes the saved run.
func (c *SavedRun) Line() string {
	r, _ := c.App.SavedRun()
	when := time.UnixMilli(r.SavedUnix).Format("2 Jan 15:04")
	return fmt.Sprintf("A run saved in this browser on %s: %s on %s, step %d of %d, loss %s.", when, r.Model, r.Data, r.Step, r.Steps, Loss(r.Loss))
}

// LoadFirst says which model the saved run needs.
func (c *SavedRun) LoadFirst() string {
	r, _ := c.App.SavedRun()
	return fmt.Sprintf("It was trained on %s: load that model in the Model step to resume or open it.", r.Model)
}
