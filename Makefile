# Prefixtune. `make test` and `make run` install what they need on a fresh
# Debian machine (as root), then build and test or serve.

GO      ?= go
ADDR    ?= 127.0.0.1:8080
NPM_REF := tests/reference/node_modules/.package-lock.json

.PHONY: all test vet run bench deps build

all: build

# System packages the build and tests need, installed only when missing.
deps: $(NPM_REF)
	@command -v wat2wasm >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wabt >/dev/null; }

# Reference JavaScript packages (tokenizer parity), pinned by package-lock.json.
$(NPM_REF): tests/reference/package.json tests/reference/package-lock.json
	npm ci --prefix tests/reference --no-audit --no-fund --loglevel=error

build:
	$(GO) build -o bin/prefixtune ./cmd/prefixtune

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }

test: deps vet
	$(GO) test -count=1 ./...

bench: build
	$(GO) test -run '^$$' -bench . -benchtime 3x ./core/tensor ./core/train

run: build
	@echo "bin/prefixtune is built (see README for its commands)."
	@echo "The web app lands with the UI work; until then the native command is the way to use Prefixtune."
