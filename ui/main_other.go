//go:build !(js && wasm)

package main

import (
	"fmt"
	"os"
)

// main explains that the page runs in a browser; natively the package is
// built only for its tests.
func main() {
	fmt.Fprintln(os.Stderr, "ui is the web page: build it with GOOS=js GOARCH=wasm go build -o public/ui.wasm ./ui")
	os.Exit(2)
}
