# pgdrill — the two commands of the README:
#   make drill   install what is missing, build, bring up the lab, run the shipped drills against it
#   make test    the whole test suite, unit and lab-backed integration tests (brings the lab up and down)
SHELL := /bin/bash
SWIFT ?= swift
CLUSTER ?= lab/state/cluster.yaml
REPORTS ?= reports
DRILLS ?= drills

.PHONY: all bootstrap build release drill test unit integration lab-up lab-down lab-status clean

all: build

bootstrap:
	@lab/bootstrap.sh

build: bootstrap
	$(SWIFT) build

release: bootstrap
	$(SWIFT) build -c release

drill: release
	lab/lab.sh up
	lab/lab.sh backup
	.build/release/pgdrill run $(DRILLS) --cluster $(CLUSTER) --report-dir $(REPORTS) --yes

unit: build
	$(SWIFT) test --skip IntegrationTests

# Unit tests first (no lab), then the integration tests against the lab, which is brought up for them and
# torn down afterwards whatever they do.
test: bootstrap
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip IntegrationTests
	lab/lab.sh up
	lab/lab.sh backup
	set -o pipefail; status=0; \
	  PGDRILL_CLUSTER=$(CURDIR)/$(CLUSTER) PGDRILL_BIN=$$($(SWIFT) build --show-bin-path)/pgdrill \
	  $(SWIFT) test --filter IntegrationTests 2>&1 | tee .build/integration-test.log || status=$$?; \
	  lab/lab.sh down || true; exit $$status

lab-up:
	lab/lab.sh up
lab-down:
	lab/lab.sh down
lab-status:
	lab/lab.sh status

clean:
	rm -rf .build
