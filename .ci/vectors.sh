#!/usr/bin/env bash
# Runs the independent readers of the test vectors (written from docs/FORMAT.md,
# sharing no code with casevault) against the vectors in the tree. Used by
# `make test`. Needs Python 3 with `cryptography` (HKDF, ChaCha20-Poly1305) and
# Argon2id, from `cryptography` 44+ or `argon2-cffi`: Debian's python3,
# python3-cryptography and python3-argon2, which .ci/install-deps.sh installs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Both must exist: a reader that went missing fails here instead of dropping out.
readers=(vault/testdata/vectors/verify_vectors.py vault/testdata/vectors-v2/verify_v2.py backup/testdata/vectors/verify_vectors.py
	app/intake/form/testdata/verify_intake.py)

probe='import cryptography.hazmat.primitives.ciphers.aead, cryptography.hazmat.primitives.kdf.hkdf
try:
    import cryptography.hazmat.primitives.kdf.argon2
except ImportError:
    import argon2.low_level'

# The first python3 on PATH may be another installation (pyenv, a venv) without
# these packages; Debian's own is the one install-deps.sh provides for.
python=
for candidate in python3 /usr/bin/python3; do
	if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c "$probe" 2>/dev/null; then
		python=$candidate
		break
	fi
done
if [[ -z $python ]]; then
	echo "vectors: no python3 with the cryptography and argon2 packages; run 'make deps'" \
		"(Debian: apt-get install python3 python3-cryptography python3-argon2)" >&2
	exit 1
fi

for reader in "${readers[@]}"; do
	dir=$(dirname "$reader")
	echo "== independent reader $reader ($python)"
	"$python" "$reader" "$dir"
done
