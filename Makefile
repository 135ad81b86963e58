# Shorthands for dev.py, which does the real work with only the Python standard library.
PYTHON ?= python3
.PHONY: app lab test bench parity
app:    ; $(PYTHON) dev.py app
lab:    ; $(PYTHON) dev.py lab
test:   ; $(PYTHON) dev.py test
bench:  ; $(PYTHON) dev.py bench
parity: ; $(PYTHON) dev.py parity
