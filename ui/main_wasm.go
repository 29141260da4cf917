//go:build js && wasm

package main

import (
	"fmt"
	"os"

	"github.com/vugu/vugu"
	"github.com/vugu/vugu/domrender"
)

// main mounts the page on #app, connects to the engine through
// public/ui.js and renders after every event.
func main() {
	renderer, err := domrender.New("#app")
	if err != nil {
		fmt.Fprintln(os.Stderr, "ui: starting the renderer:", err)
		os.Exit(1)
	}
	defer renderer.Release()
	env := renderer.EventEnv()
	buildEnv, err := vugu.NewBuildEnv(env)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ui:", err)
		os.Exit(1)
	}
	host, err := newJSHost()
	if err != nil {
		fmt.Fprintln(os.Stderr, "ui:", err)
		os.Exit(1)
	}
	app := NewApp(host, env)
	host.connect(app)
	app.PrefetchSamples()
	root := &Root{App: app}
	for ok := true; ok; ok = renderer.EventWait() {
		if err := renderer.Render(buildEnv.RunBuild(root)); err != nil {
			fmt.Fprintln(os.Stderr, "ui: rendering:", err)
			os.Exit(1)
		}
	}
}
