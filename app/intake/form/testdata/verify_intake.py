#!/usr/bin/env python3
"""Independent reader of casevault's sealed intake submissions (docs/FORMAT.md,
section 14), written from that page and sharing no code with casevault.

    python3 verify_intake.py DIR      (DIR holds identity.txt and sealed-v1.age)

Decrypts the age v1 file with the X25519 identity, checks the header MAC and
every payload chunk, reads the tar, and checks submission.json and the files
against section 14's rules and the vector's known content. Exits non-zero on
any difference. Needs python3-cryptography.
"""
import base64
import hashlib
import hmac
import io
import json
import os
import re
import sys
import tarfile

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives import serialization

CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def bech32_decode(s):
    s = s.lower()
    pos = s.rfind("1")
    hrp, data = s[:pos], [CHARSET.index(c) for c in s[pos + 1:]]

    def polymod(values):
        gen = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
        chk = 1
        for v in values:
            b = chk >> 25
            chk = (chk & 0x1FFFFFF) << 5 ^ v
            for i in range(5):
                chk ^= gen[i] if ((b >> i) & 1) else 0
        return chk

    expand = [ord(x) >> 5 for x in hrp] + [0] + [ord(x) & 31 for x in hrp]
    if polymod(expand + data) != 1:
        raise ValueError("bad bech32 checksum")
    acc, bits, out = 0, 0, []
    for v in data[:-6]:
        acc = (acc << 5) | v
        bits += 5
        while bits >= 8:
            bits -= 8
            out.append((acc >> bits) & 0xFF)
    return hrp, bytes(out)


def hkdf(ikm, salt, info, n=32):
    return HKDF(algorithm=hashes.SHA256(), length=n, salt=salt, info=info).derive(ikm)


def b64(s):
    if "=" in s:
        raise ValueError("padded base64")
    return base64.b64decode(s + "=" * (-len(s) % 4), validate=True)


def age_decrypt(data, identity):
    hrp, secret = bech32_decode(identity)
    assert hrp == "age-secret-key-", hrp
    priv = X25519PrivateKey.from_private_bytes(secret)
    pub = priv.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)

    end = data.index(b"\n---")
    line_end = data.index(b"\n", end + 1)
    header = data[:end + 4]  # up to and including "---"
    mac = b64(data[end + 5:line_end].decode())
    payload = data[line_end + 1:]
    lines = header.decode().split("\n")
    assert lines[0] == "age-encryption.org/v1", lines[0]
    stanzas, i = [], 1
    while i < len(lines) - 1:
        args = lines[i].split(" ")
        assert args[0] == "->"
        body, i = "", i + 1
        while True:
            body += lines[i]
            i += 1
            if len(lines[i - 1]) < 64:
                break
        stanzas.append((args[1:], b64(body)))
    assert len(stanzas) == 1 and stanzas[0][0][0] == "X25519", "expected exactly one X25519 stanza"
    share = b64(stanzas[0][0][1])
    shared = priv.exchange(X25519PublicKey.from_public_bytes(share))
    wrap = hkdf(shared, share + pub, b"age-encryption.org/v1/X25519")
    file_key = ChaCha20Poly1305(wrap).decrypt(b"\0" * 12, stanzas[0][1], None)
    want = hmac.new(hkdf(file_key, b"", b"header"), header, hashlib.sha256).digest()
    assert hmac.compare_digest(mac, want), "header MAC"

    nonce, rest = payload[:16], payload[16:]
    key = ChaCha20Poly1305(hkdf(file_key, nonce, b"payload"))
    out, n, chunk = [], 0, 64 * 1024 + 16
    while True:
        piece, rest = rest[:chunk], rest[chunk:]
        last = len(rest) == 0
        out.append(key.decrypt(n.to_bytes(11, "big") + (b"\x01" if last else b"\x00"), piece, None))
        n += 1
        if last:
            return b"".join(out)


TEXT_BAD = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def check_text(s, multiline, limit):
    bad = TEXT_BAD.search(s) or (not multiline and ("\n" in s or "\t" in s))
    assert not bad and len(s) <= limit, repr(s)


def main(folder):
    identity = [l for l in open(os.path.join(folder, "identity.txt")).read().split("\n")
                if l.startswith("AGE-SECRET-KEY-1")][0]
    data = open(os.path.join(folder, "sealed-v1.age"), "rb").read()
    plain = age_decrypt(data, identity)

    tar = tarfile.open(fileobj=io.BytesIO(plain), mode="r:")
    members = tar.getmembers()
    names = [m.name for m in members]
    assert names[0] == "submission.json", names
    assert all(m.isreg() for m in members), "only regular files"
    sub = json.loads(tar.extractfile(members[0]).read().decode("utf-8"))

    assert set(sub) == {"format", "version", "id", "received_at", "session", "practice_area", "form_version",
                        "notice", "consent", "answers", "files"}, sorted(sub)
    assert sub["format"] == "casevault-intake" and sub["version"] == 1
    assert re.fullmatch("[0-9a-f]{32}", sub["id"]) and re.fullmatch("[0-9a-f]{16}", sub["session"])
    assert sub["consent"] is True and sub["notice"]["version"] >= 1
    check_text(sub["notice"]["text"], True, 20000)
    limits = {"short": 200, "long": 5000, "date": 10, "yesno": 3, "choice": 100, "email": 254, "phone": 40}
    keys = set()
    for a in sub["answers"]:
        assert re.fullmatch("[a-z][a-z0-9_]{0,39}", a["key"]) and a["key"] not in keys
        keys.add(a["key"])
        check_text(a["label"], False, 200)
        if a["kind"] == "names":
            assert set(a) == {"key", "label", "kind", "list"} and len(a["list"]) <= 20
            for n in a["list"]:
                check_text(n, False, 200)
                assert n.strip()
        elif a["kind"] == "dates":
            assert set(a) == {"key", "label", "kind", "dates"} and len(a["dates"]) <= 4
            for d in a["dates"]:
                assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", d["date"])
                check_text(d["what"], False, 200)
        else:
            assert set(a) == {"key", "label", "kind", "text"}
            check_text(a["text"], a["kind"] == "long", limits[a["kind"]])
    assert names[1:] == ["files/%d" % f["n"] for f in sub["files"]], names
    for f, m in zip(sub["files"], members[1:]):
        body = tar.extractfile(m).read()
        assert len(body) == f["size"] == m.size
        assert hashlib.sha256(body).hexdigest() == f["sha256"]

    # The vector's known content (app/intake/form/vector_test.go).
    full = [a for a in sub["answers"] if a["key"] == "full_name"]
    assert full and full[0]["text"] == "Jane Roe", full
    assert sub["id"] == "5f0c3a8e9b1d47e2a6c4f8b0d2e19a37" and sub["received_at"] == "2026-12-02T19:30:00Z"
    assert tar.extractfile(members[1]).read() == b"IDENTITY DOCUMENT (test vector)\n"
    print("intake vector: OK (%d answers, %d file)" % (len(sub["answers"]), len(sub["files"])))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__)))
