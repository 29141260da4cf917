package main

// vugugen writes the components' Go code (gofmt tidies its alignment), and
// vugujs the renderer script that public/ui.js needs.
//go:generate go tool vugugen -s -skip-go-mod
//go:generate gofmt -w 0_components_gen.go
//go:generate go run ./internal/vugujs ../public/vugu.js
