# Anunix: the two commands a newcomer runs are `make demo` and `make test`.
# Both start with `make setup`, which installs missing Debian packages.

.PHONY: all setup anx demo test unit gen-test boot-test fuzz bench clean help model

all: anx

help:
	@echo "make demo    install what is missing, build the default image and boot it"
	@echo "make test    install what is missing and run every test suite"
	@echo "make         build the generator gen/anx"
	@echo "make bench   run the benchmarks in tests/bench"
	@echo "make clean   remove build/ and the generator's objects"

setup:
	@scripts/setup.sh

anx:
	@$(MAKE) --no-print-directory -C gen

demo: setup anx
	@scripts/demo.sh

test: setup anx
	@tests/run.sh

unit: anx
	@tests/run.sh tests/unit/run.sh

gen-test: anx
	@tests/run.sh tests/gen/run.sh

boot-test: anx
	@tests/run.sh tests/boot/run.sh

bench: anx
	@scripts/setup.sh --bench
	@tests/bench/run.sh

# the bundled model: examples/model/{model.bin,tokenizer.bin}, bit for bit from the seed (docs/training.md)
model: setup
	@$(MAKE) --no-print-directory -C tools/train
	build/host/anx-train --out examples/model --seed 1 --vocab 1024 --dim 128 --hidden 384 --layers 4 --heads 4 --kv-heads 4 --seq-len 128 --batch 16 --steps 1000 --warmup 100 --lr 2e-3 --min-lr 2e-4 --wd 0.1 --clip 1 --shards 2 --threads 2

clean:
	rm -rf build
	@$(MAKE) --no-print-directory -C gen clean
