//go:build js && wasm

package main

import (
	"errors"
	"fmt"
	"syscall/js"
	"time"

	"prefixtune/core/protocol"
)

// hubCache is the Cache API cache that keeps downloaded model files.
const hubCache = "prefixtune-hub-v1"

// hubFiles fetches a model's files from a hub through the cache.
func (e *engine) hubFiles(j *job, h protocol.Hub) (modelFiles, error) {
	if h.Repo == "" {
		return modelFiles{}, protocol.Errorf(protocol.CodeBadRequest, "the hub repository is empty: give one such as \"gpt2\" or \"owner/name\"")
	}
	caches := global.Get("caches")
	if caches.IsUndefined() {
		return modelFiles{}, protocol.Errorf(protocol.CodeUnsupported, "this browser offers no Cache API to keep downloads in (is the page served over https or from localhost?)")
	}
	cache, err := call(caches, "open", hubCache)
	if err != nil {
		return modelFiles{}, fail(protocol.CodeStorage, err, "opening the download cache")
	}
	mf := modelFiles{name: h.Repo, weightsName: "model.safetensors", cached: true, vocab: js.Undefined(), merges: js.Undefined()}
	for _, f := range []struct {
		name string
		dst  *js.Value
	}{{"config.json", &mf.config}, {"tokenizer.json", &mf.tokenizer}, {"model.safetensors", &mf.weights}} {
		blob, cached, err := e.fetchCached(j, cache, h, f.name)
		if err != nil {
			return modelFiles{}, err
		}
		*f.dst, mf.cached = blob, mf.cached && cached
	}
	return mf, nil
}

// fetchCached returns file of repository h as a Blob: from the cache when
// it is there, else downloaded (with progress) and stored in the cache
// first. The Blob of a cached response is read from the browser's disk on
// demand, so even large weights are not held in memory.
func (e *engine) fetchCached(j *job, cache js.Value, h protocol.Hub, file string) (blob js.Value, cached bool, err error) {
	url := h.URL(file)
	hit, err := call(cache, "match", url)
	if err != nil {
		return js.Value{}, false, fail(protocol.CodeStorage, err, "reading the download cache")
	}
	if hit.IsUndefined() {
		if err := e.download(j, cache, url, h, file); err != nil {
			return js.Value{}, false, err
		}
		if hit, err = call(cache, "match", url); err != nil || hit.IsUndefined() {
			return js.Value{}, false, protocol.Errorf(protocol.CodeStorage, "%s was downloaded but the browser did not keep it in its cache (%v): free some disk space", file, err)
		}
	} else {
		cached = true
	}
	blob, err = call(hit, "blob")
	if err != nil {
		return js.Value{}, false, fail(protocol.CodeStorage, err, "reading "+file+" from the download cache")
	}
	return blob, cached, nil
}

// download fetches url into the cache, posting progress: the response body
// is split in two, one branch stored by the cache, the other counted here.
func (e *engine) download(j *job, cache js.Value, url string, h protocol.Hub, file string) error {
	abort := global.Get("AbortController").New()
	opts := map[string]any{"signal": abort.Get("signal"), "cache": "no-store"}
	resp, err := call(global, "fetch", url, opts)
	if err != nil {
		return protocol.Errorf(protocol.CodeNetwork, "could not download %s (%v): check the connection and the hub address; files downloaded before load without a network", url, err)
	}
	if status := resp.Get("status").Int(); !resp.Get("ok").Bool() {
		switch status {
		case 401, 403:
			return protocol.Errorf(protocol.CodeBadModel, "%s is private or gated (HTTP %d): download its files yourself and load them from disk", h.Repo, status)
		case 404:
			return protocol.Errorf(protocol.CodeBadModel, "the hub has no %s in %s (HTTP 404): check the repository name; Prefixtune needs config.json, tokenizer.json and model.safetensors", file, h.Repo)
		}
		return protocol.Errorf(protocol.CodeNetwork, "downloading %s failed with HTTP %d: try again later", url, status)
	}
	total := int64(0)
	if n := resp.Get("headers").Call("get", "content-length"); n.Type() == js.TypeString {
		fmt.Sscan(n.String(), &total)
	}
	branches := resp.Get("body").Call("tee")
	stored := global.Get("Response").New(branches.Index(0), map[string]any{"headers": resp.Get("headers")})
	put := cache.Call("put", url, stored)
	reader := branches.Index(1).Call("getReader")
	var done int64
	last := time.Time{}
	for {
		if j.isCancelled() {
			abort.Call("abort")
			await(put)
			return errCancelled
		}
		chunk, err := call(reader, "read")
		if err != nil {
			await(put)
			return protocol.Errorf(protocol.CodeNetwork, "the download of %s broke off (%v): try again", url, err)
		}
		if chunk.Get("done").Bool() {
			break
		}
		done += int64(chunk.Get("value").Get("length").Int())
		if time.Since(last) >= progressEvery {
			last = time.Now()
			post(j.id, protocol.Progress{Phase: protocol.PhaseDownload, File: file, Bytes: done, BytesTotal: total})
		}
	}
	post(j.id, protocol.Progress{Phase: protocol.PhaseDownload, File: file, Bytes: done, BytesTotal: max(total, done)})
	if _, err := await(put); err != nil {
		var je *jsError
		if errors.As(err, &je) && je.Name == "QuotaExceededError" {
			return protocol.Errorf(protocol.CodeStorage, "the browser has no room to keep %s: free disk space or clear this site's data", file)
		}
		return fail(protocol.CodeStorage, err, "keeping "+file+" in the download cache")
	}
	return nil
}
