#!/usr/bin/env python3
"""Independent reader of the casevault header version 2 vector, written from
docs/FORMAT.md sections 2 and 4.1 (and RFC 9180 for HPKE, built here from HKDF,
X25519 and ChaCha20-Poly1305: no HPKE library).

Usage: python3 verify_v2.py [path/to/testdata/vectors-v2]

Reuses the XChaCha20-Poly1305, HKDF and Argon2id helpers of the version 1 reader
(../vectors/verify_vectors.py), which is itself independent of casevault.
Opens the header with the owner's passphrase, the user Carol's passphrase and key
file, and the recovery key; each must give the data key of the version 1 vectors,
and the header MAC must check. Prints "ok".
"""
import hashlib
import hmac
import os
import struct
import sys
import unicodedata

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ in the vectors folder
sys.path.insert(0, os.path.join(HERE, "..", "vectors"))
import verify_vectors as v1  # noqa: E402

DATA_KEY = bytes(range(32))
RECOVERY_RAW = bytes((0x50 + i) & 0xFF for i in range(20))
USERS = {"Ann": b"correct horse battery staple", "Carol": b"carol's vector passphrase"}


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


# --- HPKE base mode, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20Poly1305 --

def extract(salt, ikm):
    return hmac.new(salt if salt else b"\0" * 32, ikm, hashlib.sha256).digest()


def expand(prk, info, length):
    return HKDFExpand(algorithm=hashes.SHA256(), length=length, info=info).derive(prk)


def labeled_extract(suite, salt, label, ikm):
    return extract(salt, b"HPKE-v1" + suite + label + ikm)


def labeled_expand(suite, prk, label, info, length):
    return expand(prk, struct.pack(">H", length) + b"HPKE-v1" + suite + label + info, length)


def hpke_open(sk_bytes, info, sealed):
    enc, ct = sealed[:32], sealed[32:]
    sk = X25519PrivateKey.from_private_bytes(sk_bytes)
    pk_r = sk.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    dh = sk.exchange(X25519PublicKey.from_public_bytes(enc))
    kem_suite = b"KEM" + struct.pack(">H", 0x0020)
    eae_prk = labeled_extract(kem_suite, b"", b"eae_prk", dh)
    shared = labeled_expand(kem_suite, eae_prk, b"shared_secret", enc + pk_r, 32)
    suite = b"HPKE" + struct.pack(">HHH", 0x0020, 0x0001, 0x0003)
    psk_id_hash = labeled_extract(suite, b"", b"psk_id_hash", b"")
    info_hash = labeled_extract(suite, b"", b"info_hash", info)
    context = b"\x00" + psk_id_hash + info_hash
    secret = labeled_extract(suite, shared, b"secret", b"")
    key = labeled_expand(suite, secret, b"key", context, 32)
    nonce = labeled_expand(suite, secret, b"base_nonce", context, 12)
    return ChaCha20Poly1305(key).decrypt(nonce, ct, b"")


# --- header version 2 ----------------------------------------------------------

def parse(b):
    if b[:8] != b"CVAULT01":
        fail("magic")
    if hashlib.sha256(b[:-32]).digest() != b[-32:]:
        fail("checksum")
    version, = struct.unpack("<H", b[8:10])
    if version != 2:
        fail("version %d" % version)
    vid, n = b[10:26], b[34]
    off, slots = 35, []
    for _ in range(n):
        size = 228 if b[off] in (3, 4) else 99
        slots.append(b[off:off + size])
        off += size
    if off != len(b) - 64:
        fail("slot sizes do not add up")
    return vid, slots, b[:off], b[off:off + 32]


def open_slot(vid, s, kek):
    binding = b"casevault slot v2" + vid + s[0:44] + s[116:148]
    identity = v1.xopen(kek, s[44:68], s[68:116], binding)
    pub = X25519PrivateKey.from_private_bytes(identity).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    if pub != s[116:148]:
        fail("identity does not match the public key")
    return hpke_open(identity, binding, s[148:228])


def tag(vid, name):
    folded = unicodedata.normalize("NFC", unicodedata.normalize("NFC", name).lower())
    return v1.hmac256(vid, b"casevault user v1", folded.encode())[:16]


def main(root):
    b = open(os.path.join(root, "header"), "rb").read()
    key_file = open(os.path.join(root, "key-file"), "rb").read()
    vid, slots, body, mac = parse(b)
    by_tag = {s[27:43]: s for s in slots if s[0] == 3}
    owners = [s for s in slots if s[0] == 3 and s[43] & 2]
    if len(owners) != 1:
        fail("%d owner slots" % len(owners))
    for name, passphrase in USERS.items():
        s = by_tag.get(tag(vid, name.upper()))
        if s is None:
            fail("no slot for " + name)
        t, m = struct.unpack("<II", s[2:10])
        a = v1.argon2id(passphrase, s[11:27], t, m, s[10])
        kek = a
        if s[43] & 1:
            kek = v1.hkdf(a + hashlib.sha256(key_file).digest(), vid, b"casevault key file slot v1" + s[11:27])
        if open_slot(vid, s, kek) != DATA_KEY:
            fail(name + ": wrong data key")
    rec = [s for s in slots if s[0] == 4]
    if len(rec) != 1:
        fail("no version 2 recovery slot")
    kek = v1.hkdf(RECOVERY_RAW, vid, b"casevault recovery slot v1" + rec[0][11:27])
    if open_slot(vid, rec[0], kek) != DATA_KEY:
        fail("recovery: wrong data key")
    k_header = v1.hkdf(DATA_KEY, vid, b"casevault header mac v1")
    if v1.hmac256(k_header, body) != mac:
        fail("header MAC")
    print("ok")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else HERE)
