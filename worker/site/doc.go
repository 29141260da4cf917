// Package site is the one HTTP handler behind every Prefixtune origin: the
// local server (`prefixtune serve`) and the Cloudflare Worker (worker/edge).
//
// It owns:
//   - headers.go: the security headers every response carries (cross-origin
//     isolation, Content-Security-Policy, nosniff, no referrer). Headers is the
//     single source of truth; HeadersFile renders the same headers as the
//     public/_headers file Cloudflare applies to static assets.
//   - types.go: the Content-Type of every file extension the site serves, and
//     which types are worth compressing.
//   - static.go: GET/HEAD of files from an fs.FS (public/ locally) with clean
//     paths, no dotfiles, ETag/Last-Modified revalidation and `no-cache`.
//   - compress.go: gzip for compressible responses when the client accepts it.
//   - handler.go: New, which puts these together: method and body checks
//     first (the site never accepts data), then the mirror under /hub/, then
//     static files.
//
// Caching policy: file names are not content-hashed, so static responses say
// `Cache-Control: no-cache` with a weak ETag (SHA-256 of the content) and
// Last-Modified; browsers revalidate and get 304 when nothing changed.
//
// The package imports nothing from prefixtune/core and never syscall/js, so
// it builds natively and for GOOS=js.
package site
