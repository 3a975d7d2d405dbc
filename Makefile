# strata: the two commands a fresh machine needs are `make demo` and `make test`.
BUILD ?= build
JOBS ?= 2
BUILD_TYPE ?= RelWithDebInfo

.PHONY: all setup build test demo bench clean

all: build

setup:
	@./scripts/setup

$(BUILD)/build.ninja: CMakeLists.txt
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

build: setup $(BUILD)/build.ninja
	ninja -C $(BUILD) -j$(JOBS)

# Every test binary starts its own throwaway PostgreSQL cluster (as the postgres user when run
# as root) and uses real SQLite files; nothing is mocked.
test: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

demo: build
	./examples/demo.sh $(BUILD)/strata

bench: build
	./bench/run_all.sh

clean:
	rm -rf $(BUILD)
