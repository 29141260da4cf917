// Package edge tests the Cloudflare Worker (worker/edge, worker/wrangler.jsonc)
// under `wrangler dev`, fully offline: wrangler is pinned in package.json and
// package-lock.json here and installed with `npm ci --prefix tests/edge`.
//
// The test starts wrangler from worker/ on a free loopback port with
// metrics, the Request.cf download and the update check off, points the
// mirror at a loopback hub, and stops wrangler's whole process group when it
// ends. It takes about half a minute (the Worker's Go build included) and is
// skipped with -short.
package edge
