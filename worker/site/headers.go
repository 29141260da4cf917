package site

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// DefaultHubOrigins are the origins the page may fetch public model files
// from: the Hugging Face hub and the hosts its resolve/ URLs redirect to (LFS
// and Xet storage on cdn-lfs*.huggingface.co, cdn-lfs*.hf.co,
// cas-bridge.xethub.hf.co and *.cdn.hf.co). The browser checks every
// redirect hop against connect-src, so the CDN hosts must be listed too.
var DefaultHubOrigins = []string{"https://huggingface.co", "https://*.huggingface.co", "https://*.hf.co"}

// CSP returns the Content-Security-Policy of every response: the page may
// load code, styles, images and workers only from its own origin, and
// connect only to itself and to hubOrigins. 'wasm-unsafe-eval' lets it
// compile WebAssembly; blob: workers and images are local objects.
func CSP(hubOrigins []string) string {
	connect := append([]string{"'self'"}, hubOrigins...)
	return strings.Join([]string{
		"default-src 'self'",
		"script-src 'self' 'wasm-unsafe-eval'",
		"worker-src 'self' blob:",
		"connect-src " + strings.Join(connect, " "),
		"img-src 'self' data: blob:",
		"style-src 'self'",
		"font-src 'self'",
		"object-src 'none'",
		"base-uri 'none'",
		"form-action 'none'",
		"frame-ancestors 'none'",
	}, "; ")
}

// Headers returns the security headers every response of the site carries,
// static or not, success or error. It is the single source of truth for
// public/_headers (see HeadersFile).
func Headers(hubOrigins []string) http.Header {
	h := http.Header{}
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Embedder-Policy", "require-corp")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	h.Set("Content-Security-Policy", CSP(hubOrigins))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	return h
}

// CheckOrigins returns an error naming the first entry of origins that is
// not a bare http(s) origin (scheme and host, optionally a port or a leading
// "*." wildcard label), so nothing else can be smuggled into the policy.
func CheckOrigins(origins []string) error {
	for _, o := range origins {
		u, err := url.Parse(strings.Replace(o, "://*.", "://wildcard.", 1))
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" ||
			u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil ||
			strings.ContainsAny(o, " ;,'\"\t\r\n") {
			return fmt.Errorf("hub origin %q is not an origin like https://example.org (scheme and host, no path)", o)
		}
	}
	return nil
}

// HeadersFile returns the text of public/_headers: Cloudflare serves static
// assets without running the Worker, so it must add the same security
// headers, the same cache policy, and the Content-Types its own table lacks.
func HeadersFile(hubOrigins []string) string {
	var b strings.Builder
	b.WriteString("# Generated from worker/site by `go run ./worker/cmd/genheaders`; do not edit.\n")
	b.WriteString("# Cloudflare adds these to static assets; the Go handler sets the same headers.\n")
	b.WriteString("/*\n")
	h := Headers(hubOrigins)
	for _, k := range headerOrder {
		fmt.Fprintf(&b, "  %s: %s\n", k, h.Get(k))
	}
	fmt.Fprintf(&b, "  Cache-Control: %s\n", staticCacheControl)
	for _, t := range types {
		if t.edge {
			fmt.Fprintf(&b, "/*%s\n  Content-Type: %s\n", t.ext, t.typ)
		}
	}
	return b.String()
}

// headerOrder fixes the order of Headers in HeadersFile.
var headerOrder = []string{
	"Cross-Origin-Opener-Policy",
	"Cross-Origin-Embedder-Policy",
	"Cross-Origin-Resource-Policy",
	"Content-Security-Policy",
	"X-Content-Type-Options",
	"Referrer-Policy",
}
