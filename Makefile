# Jiangxing build: `make run` starts the demo, `make test` runs every test.
# Sources are discovered by wildcard, so adding a file needs no edit here.

CC      ?= cc
SANITIZE ?=
PKGS    := libevent libevent_pthreads jansson sqlite3 libsodium gdlib libqrencode libmosquitto \
           libjpeg libcrypto
RUN_PKGS := build-essential pkg-config libevent-dev libjansson-dev libsqlite3-dev \
            libsodium-dev sqlite3 libgd-dev libqrencode-dev libmosquitto-dev libjpeg-dev mosquitto \
            mosquitto-clients libssl-dev
TEST_PKGS := $(RUN_PKGS) libcmocka-dev nodejs npm chromium fonts-noto-cjk poppler-utils

ifeq ($(SANITIZE),)
BUILD   := build
SANFLAGS :=
else
BUILD   := build-san
SANFLAGS := -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
endif

CFLAGS  := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
           -Wno-unused-parameter -D_GNU_SOURCE -Isrc $(SANFLAGS) \
           $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS  := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm
LDFLAGS := $(SANFLAGS)

LIB_SRC   := $(filter-out src/main.c,$(wildcard src/*/*.c))
LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC  := $(wildcard tests/unit/test_*.c)
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
BIN       := $(BUILD)/jiangxing

.PHONY: all deps run-deps run test unit api e2e clean
all: $(BIN)

run-deps:
	@scripts/deps.sh $(RUN_PKGS)

deps:
	@scripts/deps.sh $(TEST_PKGS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libjx.a: $(LIB_OBJ)
	ar rcs $@ $^

$(BIN): $(BUILD)/src/main.o $(BUILD)/libjx.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libjx.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(BUILD)/libjx.a $(LDLIBS) -lcmocka

run: run-deps
	$(MAKE) $(BIN)
	scripts/broker.sh start
	$(BIN) demo --db jiangxing.db --if-missing
	$(BIN) serve --db jiangxing.db --listen 127.0.0.1:8080 \
		--mqtt 127.0.0.1:18830 --mqtt-secret run/broker/admin.secret

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $$t; done

api: $(BIN)
	JIANGXING_BIN=$(abspath $(BIN)) node --test tests/api/*.test.mjs

node_modules/.stamp: package.json package-lock.json
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
	@touch $@

e2e: $(BIN) node_modules/.stamp
	JIANGXING_BIN=$(abspath $(BIN)) npx playwright test --config tests/e2e/playwright.config.mjs

test: deps
	$(MAKE) unit api e2e

clean:
	rm -rf build build-san

-include $(LIB_OBJ:.o=.d) $(BUILD)/src/main.d

# libFuzzer harnesses (fuzz/README.md); fuzz/ is also a directory, hence .PHONY.
.PHONY: fuzz
fuzz:
	fuzz/run.sh all $(or $(SECONDS),60)
