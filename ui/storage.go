package main

import (
	"fmt"
	"strings"
)

// Everything the site keeps in the browser is the Cache API's model
// downloads (the engine's hub cache) and the origin-private file system's
// saved runs (checkpoints, history and the data they were trained on).
// PrivacyPanel says so, and clears both on request.

// Cleared is what Host.ClearStorage removed.
type Cleared struct {
	Caches []CacheCleared // Cache API caches
	// The origin-private file system: saved runs, and the files and bytes
	// of everything it held.
	Runs, Files int
	Bytes       int64
}

// CacheCleared is one deleted Cache API cache.
type CacheCleared struct {
	Name  string
	Files int
	Bytes int64
}

// StorageState is the privacy panel.
type StorageState struct {
	Confirming bool   // the person asked to clear; waiting for yes or no
	Cleared    string // what the last clearing removed
	Err        string
}

// AskClear asks the person to confirm that everything stored goes.
func (a *App) AskClear() { a.Storage = StorageState{Confirming: true} }

// KeepStorage takes the question back.
func (a *App) KeepStorage() { a.Storage.Confirming = false }

// ClearStorage deletes the model downloads and the saved runs, when the
// engine is idle (it may be writing a checkpoint otherwise).
func (a *App) ClearStorage() {
	if !a.Idle() {
		return
	}
	a.Storage = StorageState{}
	a.local("Clearing what this site stores")
	go func() {
		c, err := a.host.ClearStorage()
		a.env.Lock()
		defer a.env.UnlockRender()
		a.local("")
		if err != nil {
			a.Storage.Err = "Not everything could be cleared: " + err.Error()
		} else {
			a.Storage.Cleared = clearedLine(c)
			a.Run.Runs = nil
		}
		a.listRuns()
	}()
}

// clearedLine says what was cleared.
func clearedLine(c Cleared) string {
	var parts []string
	if c.Runs > 0 || c.Files > 0 {
		what := Count(c.Runs) + " saved " + plural(c.Runs, "run")
		if c.Runs == 0 {
			what = "leftover files"
		}
		parts = append(parts, fmt.Sprintf("%s (%s %s, %s) from the origin-private file system", what, Count(c.Files), plural(c.Files, "file"), Bytes(c.Bytes)))
	}
	if len(c.Caches) > 0 {
		files, bytes := 0, int64(0)
		for _, k := range c.Caches {
			files, bytes = files+k.Files, bytes+k.Bytes
		}
		parts = append(parts, fmt.Sprintf("the model cache (%s downloaded %s, %s) from the Cache API", Count(files), plural(files, "file"), Bytes(bytes)))
	}
	if len(parts) == 0 {
		return "Nothing was stored: there was nothing to clear."
	}
	return "Cleared " + strings.Join(parts, " and ") + "."
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
