//go:build js && wasm

// Command edge is the Cloudflare Worker of Prefixtune, built with
// github.com/syumai/workers for GOOS=js GOARCH=wasm.
//
// Cloudflare serves the static files of public/ itself (with the headers of
// public/_headers) and runs this Worker for every other request: the model
// mirror under /hub/ and the errors (404, 405, 413) of the site handler, so
// every response carries the same security headers as the local server's.
//
// Layout:
//   - main.go: wiring: site.New with the mirror, no static files, no gzip
//     (the Workers runtime compresses).
//   - cache.go: mirror.Cache on the Cloudflare Cache API (caches.default).
//
// Configuration: the variable HUB_URL (wrangler vars or `--var
// HUB_URL:URL`) sets the mirror's upstream; empty for mirror.DefaultUpstream.
// The CSP always allows site.DefaultHubOrigins, as public/_headers does.
//
// Build and run it with worker/wrangler.jsonc (`make edge`). Never call
// workers.Serve natively: outside wasm it listens on all interfaces.
package main
