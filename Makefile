# Prefixtune. `make test` and `make run` install what they need on a fresh
# Debian machine (as root), then build and test or serve.

SHELL   := /bin/bash
GO      ?= go
ADDR    ?= 127.0.0.1:8080
NPM_REF := tests/reference/node_modules/.package-lock.json
NPM_EDGE := tests/edge/node_modules/.package-lock.json
# wrangler runs offline: no metrics, no update check, no Request.cf download.
WRANGLER_ENV := WRANGLER_SEND_METRICS=false CI=1 CLOUDFLARE_CF_FETCH_ENABLED=false WRANGLER_HIDE_BANNER=true

.PHONY: all test vet run bench bench-kernels bench-deps deps build web edge fuzz corpus datasets datasets-check demo-model dataset-results bench-e2e

all: build

# System packages the build and tests need (wabt for the kernels, Chromium
# for the browser tests), installed only when missing.
deps: $(NPM_REF) $(NPM_EDGE)
	@command -v wat2wasm >/dev/null && command -v chromium >/dev/null || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wabt chromium >/dev/null; }

# Reference JavaScript packages (tokenizer parity), pinned by package-lock.json.
$(NPM_REF): tests/reference/package.json tests/reference/package-lock.json
	npm ci --prefix tests/reference --no-audit --no-fund --loglevel=error

# wrangler (the Cloudflare Worker's local runtime), pinned.
$(NPM_EDGE): tests/edge/package.json tests/edge/package-lock.json
	npm ci --prefix tests/edge --no-audit --no-fund --loglevel=error

build: web
	$(GO) build -o bin/prefixtune ./cmd/prefixtune

# The site: the UI (ui.wasm), the engine (engine.wasm), the SIMD kernels and
# their thread pool, and Go's wasm_exec.js, built into public/ (not committed).
WEB := public/ui.wasm public/engine.wasm public/wasm_exec.js public/pool.js public/kernels.wasm public/kernels_relaxed.wasm
web: $(WEB)
public/ui.wasm: $(shell find ui core/protocol -name '*.go')
	GOOS=js GOARCH=wasm $(GO) build -trimpath -o $@ ./ui
public/engine.wasm: $(shell find core wasm -name '*.go')
	GOOS=js GOARCH=wasm $(GO) build -trimpath -o $@ ./wasm/engine
public/wasm_exec.js:
	cp "$$($(GO) env GOROOT)/lib/wasm/wasm_exec.js" $@
public/pool.js: wasm/pool.js
	cp $< $@
public/kernels.wasm public/kernels_relaxed.wasm: public/%: wasm/kernels/%
	cp $< $@

vet:
	$(GO) vet ./...
	GOOS=js GOARCH=wasm $(GO) vet ./wasm/... ./ui/... ./worker/edge/... ./tests/bench/inwasm
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }

test: deps vet
	$(GO) test -count=1 $$($(GO) list ./... | grep -v /tests/reliability)
	@# The reliability tests print what they measured (steps lost, requests seen, policy violations).
	set -o pipefail; $(GO) test -count=1 -v ./tests/reliability | grep -vE '^=== (RUN|PAUSE|CONT)'
	$(MAKE) --no-print-directory fuzz

# Every fuzz target, briefly, beyond its seed corpus and kept crashers
# (which `go test` already runs); a crasher fails the run and is written
# under the package's testdata/fuzz to keep as a regression test. The
# targets are found in the sources (package:FuzzName), so none is forgotten.
FUZZ := $(shell grep -rHo --include='*_test.go' '^func Fuzz[A-Za-z0-9]*' core | sed 's|/[^/]*:func |:|' | sort)
# The budget is a count of executions, not a duration: Go 1.26's fuzz
# coordinator can fail a clean run with "context deadline exceeded" when a
# -fuzztime duration runs out while a worker is busy (golang/go#75804).
FUZZTIME ?= 50000x
fuzz:
	@for t in $(FUZZ); do \
		echo "fuzz $${t%%:*} $${t##*:} for $(FUZZTIME)"; \
		out=$$($(GO) test -run '^$$' -fuzz "^$${t##*:}$$" -fuzztime $(FUZZTIME) ./$${t%%:*} 2>&1) || { echo "$$out" | tail -40; exit 1; }; \
		echo "$$out" | grep -E 'elapsed: [0-9]+s, execs|^ok' | tail -2; \
	done

# Prefix-tuning steps of a GPT-2-small-shaped model (B=4, T=128, P=10):
# headless Chromium on the SIMD kernels, the native command, and PyTorch
# with OpenBLAS as the reference in the same run (skipped, saying so, when
# Debian's python3-torch is missing: `make bench-deps` installs it).
bench: deps
	$(GO) run ./tests/bench
bench-deps:
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch libopenblas0-pthread

# GEMM GFLOP/s of the kernels (plain and relaxed, 1 and all threads) beside
# TensorFlow.js's wasm backend in the same browser session.
NPM_BROWSER := tests/browser/node_modules/.package-lock.json
$(NPM_BROWSER): tests/browser/package.json tests/browser/package-lock.json
	npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error
bench-kernels: deps $(NPM_BROWSER)
	$(GO) run ./tests/browser/kernels/benchkernels

# Serves the app on http://$(ADDR) with the bundled demo model.
run: build
	bin/prefixtune serve --addr $(ADDR) --dir public

# The Cloudflare Worker locally, offline, on http://127.0.0.1:8787.
edge: deps
	cd worker && $(WRANGLER_ENV) ../tests/edge/node_modules/.bin/wrangler dev --ip 127.0.0.1 --port 8787

# The demo corpus (build/corpus/, not committed) and the sample datasets
# (public/datasets/, committed), from Debian packages.
corpus:
	$(GO) run ./cmd/mkdata corpus
datasets:
	$(GO) run ./cmd/mkdata datasets
# Regenerates the datasets from the packages and compares them byte for byte.
datasets-check:
	$(GO) run ./cmd/mkdata fetch
	$(GO) test -count=1 -run TestDatasetsReproduce ./cmd/mkdata -args -build $(CURDIR)/build

# The bundled demo model, trained from scratch on the corpus by the
# project's own code (about 40 minutes on two busy cores). It resumes from
# build/demo/pretrain.ckpt when interrupted; `rm -r build/demo` starts over.
DEMO_ARGS := --layers 4 --heads 4 --embd 256 --ctx 192 --seq-len 192 --batch-size 8 \
	--steps 450 --warmup 50 --lr 2e-3 --weight-decay 0.1 --eval-every 50 --checkpoint-every 25 --dtype F16
demo-model: build
	$(GO) run ./cmd/mkdata corpus
	mkdir -p build/demo
	bin/prefixtune bpe --corpus build/corpus/corpus.txt --vocab 4096 --out build/demo/tokenizer.json
	bin/prefixtune pretrain --corpus build/corpus/corpus.txt --tokenizer build/demo/tokenizer.json \
		--out public/models/demo --checkpoint build/demo/pretrain.ckpt $(DEMO_ARGS) >> build/demo/training_log.jsonl
	cp build/demo/training_log.jsonl public/models/demo/training_log.jsonl
	bin/prefixtune card --model public/models/demo --log public/models/demo/training_log.jsonl \
		--sources public/datasets/SOURCES.md --notice public/datasets/wordnet-definitions/README.md \
		--command "make demo-model  # prefixtune pretrain $(DEMO_ARGS)" --check $(DS)/devil-definitions/validation.jsonl

# Each sample dataset: the demo model zero-shot and 3-shot versus a prefix
# tuned on the training split, scored on the test split; the report goes
# into the dataset's README.
DS := public/datasets
RESULTS := build/results
TUNE := --prefix-len 10 --batch-size 8 --lr 3e-3 --seed 1
dataset-results: build
	mkdir -p $(RESULTS)
	$(call result,wordnet-definitions,--epochs 3 --init "text:word: lantern definition: a light",--generate --max-new-tokens 48)
	$(call result,devil-definitions,--epochs 10 --init "text:word: lantern definition: a light",--generate --max-new-tokens 48)
	$(call result,fortune-categories,--epochs 5 --init "text:Quote: Category: science",--labels auto)
define result
	bin/prefixtune train --model public/models/demo --data $(DS)/$(1)/train.jsonl --val $(DS)/$(1)/validation.jsonl \
		$(TUNE) $(2) --out $(RESULTS)/$(1)/adapter
	bin/prefixtune eval --model public/models/demo --data $(DS)/$(1)/test.jsonl --adapter $(RESULTS)/$(1)/adapter \
		--baselines --shots 3 --train $(DS)/$(1)/train.jsonl $(3) --report $(RESULTS)/$(1)/report.md
	$(GO) run ./cmd/mkdata results $(1) $(RESULTS)/$(1)/report.md \
		'prefixtune train --model public/models/demo --data $(DS)/$(1)/train.jsonl --val $(DS)/$(1)/validation.jsonl $(TUNE) $(2) --out adapter'$$'\n''prefixtune eval --model public/models/demo --data $(DS)/$(1)/test.jsonl --adapter adapter --baselines --shots 3 --train $(DS)/$(1)/train.jsonl $(3)'
endef

# The E2E benchmark (not part of make test; about 20 minutes on two cores):
# a prefix tuned on the demo model from the E2E development set, split by
# meaning representation, scored on the test set with its multiple
# references beside the base model zero-shot. Report: build/e2e/report.md.
E2E ?= ../shared/data/e2e
E2E_OUT := build/e2e
E2E_FMT := --prompt-column mr --completion-column ref --template "{prompt}\n" --seq-len 160
bench-e2e:
	$(GO) build -o bin/prefixtune ./cmd/prefixtune
	mkdir -p $(E2E_OUT)
	bin/prefixtune split --data $(E2E)/devset.csv --prompt-column mr --completion-column ref --by-prompt --val-frac 0.1 --seed 1 \
		--train-out $(E2E_OUT)/train.jsonl --val-out $(E2E_OUT)/val.jsonl
	bin/prefixtune train --model public/models/demo --data $(E2E_OUT)/train.jsonl --val $(E2E_OUT)/val.jsonl --clean \
		--template "{prompt}\n" --seq-len 160 --prefix-len 20 --init "text:Aromi is a coffee shop in the city centre near the river." \
		--lr 0.3 --warmup 20 --steps 200 --batch-size 8 --val-every 100 --restore-best --seed 1 --out $(E2E_OUT)/adapter
	bin/prefixtune eval --model public/models/demo --data $(E2E)/testset_w_refs.csv $(E2E_FMT) --train $(E2E)/devset.csv \
		--adapter $(E2E_OUT)/adapter --baselines --generate --max-new-tokens 64 --report $(E2E_OUT)/report.md
