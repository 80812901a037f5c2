# Integrationsplan — the two promises: `make run` and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c

MODULES := platform proto services/measures services/education services/labour services/gateway deploy/local deploy/checks
# Code generators and buf are pinned in tools/go.mod and run with `go tool`.
TOOL := GOWORK=off go tool -modfile=$(CURDIR)/tools/go.mod
BENCHTIME ?= 3s

.PHONY: run test bench lint generate check-generated tidy

run: ## Start NATS, every service and the gateway locally with example data.
	go build -o bin/integrationsplan-local ./deploy/local
	exec bin/integrationsplan-local

test: ## Run every module's tests with the race detector, each module on its own.
	@for m in $(MODULES); do echo "== $$m"; (cd $$m && GOWORK=off go test -race -count=1 ./...); done

bench: ## Benchmarks; figures are ratios to a baseline measured in the same run.
	cd services/measures && GOWORK=off go test -run '^$$' -bench . -benchtime $(BENCHTIME) ./...
	cd services/gateway && GOWORK=off go test -run '^$$' -bench . -benchtime $(BENCHTIME) ./...
	cd services/education && GOWORK=off go test -run '^$$' -bench BenchmarkMatch -benchtime 200x ./domain/

lint: check-generated ## buf lint and breaking check, gofmt, go vet.
	cd proto && $(TOOL) buf lint
	@if git cat-file -e HEAD:proto/buf.yaml 2>/dev/null; then \
		cd proto && $(TOOL) buf breaking --against '$(CURDIR)/.git#ref=HEAD,subdir=proto'; \
	else echo "buf breaking: no proto on HEAD yet, skipped"; fi
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	@for m in $(MODULES); do (cd $$m && GOWORK=off go vet ./...); done

generate: ## Regenerate Go code from proto/.
	cd proto && $(TOOL) buf generate

GENERATED := proto services/gateway/gen

check-generated: generate ## Fail if the committed generated code is stale.
	@git diff --exit-code -- $(GENERATED) || { echo "generated code is stale: run make generate and commit"; exit 1; }
	@test -z "$$(git status --porcelain --untracked-files=all -- $(GENERATED))" || { git status --short -- $(GENERATED); echo "generated files not committed"; exit 1; }

tidy: ## go mod tidy in every module.
	@for m in $(MODULES); do (cd $$m && GOWORK=off go mod tidy); done
