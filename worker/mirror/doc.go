// Package mirror is a read-through caching mirror of public model files
// from the Hugging Face hub, served on the site's own origin so the page can
// load a model without talking to a third party, and so a model loaded once
// is served again without the hub.
//
// Route (GET only; it has no route that accepts data):
//
//	/hub/{owner}/{repo}/resolve/{revision}/{file}
//
// mirrors {Upstream}/{owner}/{repo}/resolve/{revision}/{file}, for the file
// names in Files only. Names are checked (letters, digits, '.', '_', '-';
// no "..") and nothing from the client is forwarded upstream: no query, no
// headers, no body. Revisions with a "/" (refs/pr/1) are not supported.
//
// Layout:
//   - mirror.go: Config, New and the handler: validation, cache lookup,
//     upstream fetch streamed to the client and into the cache at once
//     (never buffered whole), revalidation rules.
//   - cache.go: the Cache interface (Get an entry; Put returns a Writer that
//     is committed only when the whole body arrived) and Memory, a bounded
//     in-memory cache.
//   - disk.go: Disk, a cache in a folder, for the local server.
//
// The Cloudflare Cache API implementation lives in worker/edge (it needs
// syscall/js). A file at a commit revision (40 hex digits) never changes and
// is served from the cache forever; a file at a branch or tag is served from
// the cache for Config.BranchTTL, then fetched again, and the stale copy is
// served when the hub cannot be reached.
package mirror
