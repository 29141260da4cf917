// Command genheaders writes public/_headers from worker/site, so the static
// assets Cloudflare serves carry the same headers as the Go handler's
// responses. Run it from the repository root after changing worker/site:
//
//	go run ./worker/cmd/genheaders [-o public/_headers]
//
// The file's CSP allows site.DefaultHubOrigins, as the Worker does.
package main

import (
	"flag"
	"fmt"
	"os"

	"prefixtune/worker/site"
)

func main() {
	out := flag.String("o", "public/_headers", "file to write")
	flag.Parse()
	if err := os.WriteFile(*out, []byte(site.HeadersFile(site.DefaultHubOrigins)), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "genheaders:", err)
		os.Exit(1)
	}
}
