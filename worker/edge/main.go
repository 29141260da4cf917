//go:build js && wasm

package main

import (
	"fmt"
	"log"
	"net/http"
	"os"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cache"
	"github.com/syumai/workers/cloudflare/fetch"

	"prefixtune/worker/mirror"
	"prefixtune/worker/site"
)

func main() {
	var hub http.Handler
	m, err := mirror.New(mirror.Config{
		Upstream: cloudflare.Getenv("HUB_URL"),
		Client:   fetch.NewClient().HTTPClient(fetch.RedirectModeFollow),
		Cache:    apiCache{cache.New()},
		ErrorLog: log.New(os.Stderr, "mirror: ", 0),
	})
	if err == nil {
		hub = m
	} else {
		msg := fmt.Sprintf("the Worker is misconfigured: %v", err)
		hub = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, msg, http.StatusInternalServerError)
		})
	}
	h, err := site.New(site.Config{Mirror: hub, HubOrigins: site.DefaultHubOrigins})
	if err != nil {
		panic(err) // DefaultHubOrigins are checked by worker/site's tests
	}
	workers.Serve(h)
}
