# Jiangxing build: `make run` starts the demo, `make test` runs every test.
# Sources are discovered by wildcard, so adding a file needs no edit here.

CC      ?= cc
SANITIZE ?=
PKGS    := libevent libevent_pthreads jansson sqlite3 libsodium
DEB_PKGS := build-essential pkg-config libevent-dev libjansson-dev libsqlite3-dev \
            libsodium-dev libcmocka-dev sqlite3 nodejs

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

.PHONY: all deps run test unit api clean
all: $(BIN)

deps:
	@scripts/deps.sh $(DEB_PKGS)

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

run: deps
	$(MAKE) $(BIN)
	$(BIN) demo --db jiangxing.db --if-missing
	$(BIN) serve --db jiangxing.db --listen 127.0.0.1:8080

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $$t; done

api: $(BIN)
	JIANGXING_BIN=$(abspath $(BIN)) node --test tests/api/*.test.mjs

test: deps
	$(MAKE) unit api

clean:
	rm -rf build build-san

-include $(LIB_OBJ:.o=.d) $(BUILD)/src/main.d
