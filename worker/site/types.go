package site

import (
	"path"
	"strings"
)

// A fileType is the Content-Type served for one file extension.
type fileType struct {
	ext      string
	typ      string
	compress bool // worth gzipping (text, JSON, WebAssembly)
	edge     bool // Cloudflare's own table lacks it: public/_headers sets it
}

// types lists every extension the site serves with a known type. Text types
// carry charset=utf-8, as Cloudflare's asset server gives them; the edge test
// checks that Cloudflare serves every one of them with the same type.
var types = []fileType{
	{".html", "text/html; charset=utf-8", true, false},
	{".css", "text/css; charset=utf-8", true, false},
	{".js", "text/javascript; charset=utf-8", true, false},
	{".mjs", "text/javascript; charset=utf-8", true, false},
	{".json", "application/json", true, false},
	{".map", "application/json", true, false},
	{".webmanifest", "application/manifest+json", true, false},
	{".wasm", "application/wasm", true, false},
	{".txt", "text/plain; charset=utf-8", true, false},
	{".csv", "text/csv; charset=utf-8", true, false},
	{".tsv", "text/tab-separated-values; charset=utf-8", true, false},
	{".md", "text/markdown; charset=utf-8", true, false},
	{".svg", "image/svg+xml", true, false},
	{".png", "image/png", false, false},
	{".jpg", "image/jpeg", false, false},
	{".webp", "image/webp", false, false},
	{".woff2", "font/woff2", false, false},
	{".zip", "application/zip", false, false},
	{".bin", "application/octet-stream", false, false},
	{".jsonl", "application/jsonl", true, true},
	{".safetensors", "application/octet-stream", false, true},
}

// unknownType is served for extensions not in types; X-Content-Type-Options
// keeps browsers from guessing anything else.
const unknownType = "application/octet-stream"

// ContentType returns the Content-Type the site serves for a file name.
func ContentType(name string) string {
	if t, ok := lookupType(name); ok {
		return t.typ
	}
	return unknownType
}

// Types returns the Content-Type of every extension with a known type
// (".wasm" -> "application/wasm"), for tests that check other servers of
// the same files (Cloudflare's) against this table.
func Types() map[string]string {
	m := make(map[string]string, len(types))
	for _, t := range types {
		m[t.ext] = t.typ
	}
	return m
}

func lookupType(name string) (fileType, bool) {
	ext := strings.ToLower(path.Ext(name))
	for _, t := range types {
		if t.ext == ext {
			return t, true
		}
	}
	return fileType{}, false
}

// compressible reports whether a response of Content-Type ct is worth
// gzipping: it is one of the compressible types above, whatever the
// parameters. Already-compressed formats (images, fonts, zip) and raw
// weights are not.
func compressible(ct string) bool {
	base := baseType(ct)
	for _, t := range types {
		if t.compress && baseType(t.typ) == base {
			return true
		}
	}
	return false
}

// baseType returns the media type of a Content-Type without parameters.
func baseType(ct string) string {
	base, _, _ := strings.Cut(ct, ";")
	return strings.TrimSpace(strings.ToLower(base))
}
