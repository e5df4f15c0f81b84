# The two commands of the README: `make run` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: setup system bytecode run test lint bench

setup: system $(STAMP) bytecode

system:
	@scripts/system-packages.sh

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[test]"
	# PP-OCR (the rapidocr engine): without its declared opencv-python, so that the one cv2 is the
	# opencv-python-headless camelot uses; its other dependencies are pinned in pyproject.toml
	$(BIN)/python -m pip install --quiet --no-deps -c constraints.txt rapidocr-onnxruntime
	@touch $(STAMP)

# The package's compiled bytecode, as pip writes it for an installed package: an editable install leaves
# it to the first run, which cannot write it where PYTHONDONTWRITEBYTECODE is set (every command would
# compile the pipeline's modules again). Up-to-date files are skipped.
bytecode: $(STAMP)
	@$(BIN)/python -m compileall -q pipeline schemas

run: setup
	$(BIN)/vetreport run raw --out output

test: setup lint
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check pipeline schemas benchmarks tests

bench: setup
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/serve.py
	$(BIN)/python benchmarks/ocr.py
