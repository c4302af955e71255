# pgdrill — the two commands of the README:
#   make drill   install what is missing, build, bring up the lab, run the shipped drills against it
#   make test    the whole test suite, unit and lab-backed integration tests (brings the lab up and down)
SHELL := /bin/bash
SWIFT ?= swift
CLUSTER ?= lab/state/cluster.yaml
REPORTS ?= reports
DRILLS ?= drills

.PHONY: all bootstrap build build-tests release drill lint test test-repmgr test-dr test-ssh-port test-debian test-async unit integration lab-up lab-down lab-status clean fuzz

all: build

bootstrap:
	@lab/bootstrap.sh

build: bootstrap
	$(SWIFT) build

build-tests: bootstrap
	$(SWIFT) build --build-tests

release: bootstrap
	$(SWIFT) build -c release

drill: release
	lab/lab.sh up
	lab/lab.sh backup
	.build/release/pgdrill run $(DRILLS) --cluster $(CLUSTER) --report-dir $(REPORTS) --yes

unit: build
	$(SWIFT) test --skip IntegrationTests

# Every shell script in the repository (a bash or sh shebang, or a sourced library marked
# `# shellcheck shell=bash`) through shellcheck, with the settings in .shellcheckrc. bootstrap installs it.
SHELL_SCRIPTS = $(shell git ls-files | xargs awk 'FNR == 1 && /^\#!.*[\/ ](ba)?sh( |$$)/ { print FILENAME } /^\# shellcheck shell=/ { print FILENAME; nextfile }' | sort -u)
lint: bootstrap
	shellcheck $(SHELL_SCRIPTS)

# One lab flavour and integration tests against it, the lab torn down whatever the tests do and their exit
# status kept: $(1) the options of lab.sh up, $(2) the test filter, $(3) the log's name
# (.build/integration-$(3).log), $(4) a command to run once the lab is up (none when empty).
define lab-suite
lab/lab.sh down || true
lab/lab.sh up $(1)$(if $(4), && $(4))
set -o pipefail; status=0; \
  PGDRILL_CLUSTER=$(CURDIR)/$(CLUSTER) PGDRILL_BIN=$$($(SWIFT) build --show-bin-path)/pgdrill \
  $(SWIFT) test --skip-build --filter $(2) 2>&1 | tee .build/integration-$(3).log || status=$$?; \
  lab/lab.sh down || true; exit $$status
endef

# Shell lint and unit tests first (no lab), then the integration tests against the default lab (with a
# fresh full backup, which the restore drills need), then each other flavour's suite.
test: lint build-tests
	$(SWIFT) test --skip-build --skip IntegrationTests
	$(call lab-suite,,IntegrationTests,test,lab/lab.sh backup)
	$(MAKE) --no-print-directory test-repmgr
	$(MAKE) --no-print-directory test-dr
	$(MAKE) --no-print-directory test-ssh-port
	$(MAKE) --no-print-directory test-debian
	$(MAKE) --no-print-directory test-async

# The repmgr flavour of the lab and the drills against it (the Patroni lab cannot serve both).
test-repmgr: build-tests
	$(call lab-suite,--manager repmgr,IntegrationTests.LabIntegration.RepmgrIntegrationTests,repmgr)

# The lab with a second region (a Patroni standby cluster) and the region-failover drill against it.
test-dr: build-tests
	$(call lab-suite,--dr-region,IntegrationTests.LabIntegration.RegionFailoverIntegrationTests,dr)

# Every node's sshd on port 2222 (clusters that move ssh off 22): the partition and packet-loss drills must
# keep the runner's own port open, roll back and leave `check` clean.
test-ssh-port: build-tests
	$(call lab-suite,--ssh-port 2222,IntegrationTests.LabIntegration.SSHPortIntegrationTests,ssh-port)

# Debian 12's packaged Patroni (3.0.2, which calls a streaming replica `running`): check, node-down and
# switchover with nothing lost, and the partition drill with writes past the heal counted exactly.
test-debian: build-tests
	$(call lab-suite,--patroni debian,IntegrationTests.LabIntegration.DebianPatroniIntegrationTests,debian)

# Asynchronous replication: check healthy without a sync standby, require_sync refused, and the node-down and
# partition drills' lost writes equal to an independent count.
test-async: build-tests
	$(call lab-suite,--replication async,IntegrationTests.LabIntegration.AsyncReplicationIntegrationTests,async)

# libFuzzer over the drill and cluster loaders (Fuzz/FuzzLoaders.swift), for FUZZ_TIME seconds, seeded with
# the shipped drills and the malformed-input corpus. Crashes and slow inputs (> 2 s) land in .build-fuzz/crashes/;
# a slow input is saved and fuzzing goes on (on a loaded machine one can be starvation: re-run it alone with
# `.build-fuzz/release/pgdrill-fuzz FILE`), a crash stops the run.
FUZZ_TIME ?= 900
FUZZ := .build-fuzz
fuzz:
	nice -n 10 $(SWIFT) build -c release --scratch-path $(FUZZ) --target PGDrillModel -Xswiftc -sanitize=fuzzer -Xcc -fsanitize=fuzzer-no-link
	swiftc -O -sanitize=fuzzer -parse-as-library Fuzz/FuzzLoaders.swift -module-name PGDrillFuzz -I $(FUZZ)/release/Modules \
	  -Xcc -fmodule-map-file=$(FUZZ)/checkouts/Yams/Sources/CYaml/include/module.modulemap \
	  $(FUZZ)/release/PGDrillModel.build/*.o $(FUZZ)/release/Yams.build/*.o $$(find $(FUZZ)/release/CYaml.build -name '*.o') \
	  -o $(FUZZ)/release/pgdrill-fuzz
	mkdir -p $(FUZZ)/seeds $(FUZZ)/work $(FUZZ)/crashes
	cp drills/*.yaml $(FUZZ)/seeds/
	for f in Tests/PGDrillModelTests/Corpus/drills/*.yaml Tests/PGDrillModelTests/Corpus/clusters/*.yaml; do \
	  cp "$$f" "$(FUZZ)/seeds/$$(basename $$(dirname $$f))-$$(basename $$f)"; done
	rm -f $(FUZZ)/seeds/*huge*
	nice -n 10 $(FUZZ)/release/pgdrill-fuzz -fork=1 -ignore_timeouts=1 -max_total_time=$(FUZZ_TIME) -timeout=2 \
	  -rss_limit_mb=2048 -max_len=16384 -artifact_prefix=$(FUZZ)/crashes/ $(FUZZ)/work $(FUZZ)/seeds

lab-up:
	lab/lab.sh up
lab-down:
	lab/lab.sh down
lab-status:
	lab/lab.sh status

clean:
	rm -rf .build
