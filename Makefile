# Keelson: `make run` installs, builds and starts keelsond; `make test` installs, builds and runs
# the whole suite through ctest.
BUILD ?= build
JOBS ?= $(shell nproc)
DATA ?= ./.keelson
LISTEN ?= 127.0.0.1:6443

.PHONY: deps build run test bench format clean

deps:
	@./scripts/install-deps.sh

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

run: build
	$(BUILD)/daemon/keelsond --data-dir $(DATA) --listen $(LISTEN)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 600

bench: build
	./bench/run.sh $(BUILD)

format:
	git ls-files '*.cc' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD)
