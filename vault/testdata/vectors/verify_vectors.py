#!/usr/bin/env python3
"""Independent reader of the casevault test vectors, written from docs/FORMAT.md.

Usage: python3 verify_vectors.py [path/to/testdata/vectors]

Needs the `cryptography` package (HKDF, ChaCha20-Poly1305; Debian: python3-cryptography)
and Argon2id, from `cryptography` 44 or later or else from `argon2-cffi` (Debian:
python3-argon2, whose older `cryptography` has no Argon2id).
XChaCha20-Poly1305 is built here from HChaCha20 + ChaCha20-Poly1305 (IETF).
Exits 0 and prints "ok" when every file decrypts to the expected plaintext.
"""
import hashlib
import hmac
import json
import os
import struct
import sys

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

try:
    from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

    def argon2id(secret, salt, t, m, p):
        return Argon2id(salt=salt, length=32, iterations=t, lanes=p, memory_cost=m).derive(secret)
except ImportError:  # cryptography < 44 (Debian 12): argon2-cffi
    from argon2.low_level import Type, hash_secret_raw

    def argon2id(secret, salt, t, m, p):
        return hash_secret_raw(secret, salt, time_cost=t, memory_cost=m, parallelism=p,
                               hash_len=32, type=Type.ID)

PASSPHRASE = b"correct horse battery staple"
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


# --- primitives -------------------------------------------------------------

def rotl(v, c):
    return ((v << c) & 0xFFFFFFFF) | (v >> (32 - c))


def hchacha20(key, nonce16):
    s = [0x61707865, 0x3320646E, 0x79622D32, 0x6B206574]
    s += list(struct.unpack("<8I", key)) + list(struct.unpack("<4I", nonce16))

    def qr(a, b, c, d):
        s[a] = (s[a] + s[b]) & 0xFFFFFFFF; s[d] = rotl(s[d] ^ s[a], 16)
        s[c] = (s[c] + s[d]) & 0xFFFFFFFF; s[b] = rotl(s[b] ^ s[c], 12)
        s[a] = (s[a] + s[b]) & 0xFFFFFFFF; s[d] = rotl(s[d] ^ s[a], 8)
        s[c] = (s[c] + s[d]) & 0xFFFFFFFF; s[b] = rotl(s[b] ^ s[c], 7)

    for _ in range(10):
        qr(0, 4, 8, 12); qr(1, 5, 9, 13); qr(2, 6, 10, 14); qr(3, 7, 11, 15)
        qr(0, 5, 10, 15); qr(1, 6, 11, 12); qr(2, 7, 8, 13); qr(3, 4, 9, 14)
    return struct.pack("<8I", *(s[0:4] + s[12:16]))


def xopen(key, nonce24, sealed, ad):
    sub = hchacha20(key, nonce24[:16])
    return ChaCha20Poly1305(sub).decrypt(b"\0\0\0\0" + nonce24[16:], sealed, ad)


def hkdf(ikm, salt, info):
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(ikm)


def hmac256(key, *parts):
    return hmac.new(key, b"".join(parts), hashlib.sha256).digest()


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


# --- recovery key (FORMAT.md section 3) -------------------------------------

def parse_recovery(text):
    clean = []
    for ch in text.upper():
        if ch in "- \t\r\n":
            continue
        ch = {"I": "1", "L": "1", "O": "0"}.get(ch, ch)
        if ch not in CROCKFORD:
            fail("bad recovery key character %r" % ch)
        clean.append(ch)
    if len(clean) != 36:
        fail("recovery key length %d" % len(clean))
    bits = 0
    for ch in clean[:32]:
        bits = (bits << 5) | CROCKFORD.index(ch)
    raw = bits.to_bytes(20, "big")
    s = hashlib.sha256(b"casevault recovery key v1" + raw).digest()
    c = s[0] << 12 | s[1] << 4 | s[2] >> 4
    want = "".join(CROCKFORD[(c >> sh) & 31] for sh in (15, 10, 5, 0))
    if want != "".join(clean[32:]):
        fail("recovery key checksum")
    return raw


# --- header (section 4) -----------------------------------------------------

def parse_header(b):
    if b[:8] != b"CVAULT01":
        fail("header magic")
    if hashlib.sha256(b[:-32]).digest() != b[-32:]:
        fail("header checksum")
    version, = struct.unpack_from("<H", b, 8)
    vid = b[10:26]
    created, = struct.unpack_from("<q", b, 26)
    n = b[34]
    if version != 1 or not 1 <= n <= 16 or len(b) != 99 + 99 * n:
        fail("header structure")
    slots = []
    for i in range(n):
        p = b[35 + 99 * i: 35 + 99 * (i + 1)]
        t, kdf = p[0], p[1]
        tm, mem = struct.unpack_from("<II", p, 2)
        slots.append(dict(type=t, kdf=kdf, t=tm, m=mem, p=p[10], salt=p[11:27],
                          nonce=p[27:51], wrapped=p[51:99], adfields=p[:27]))
    mac = b[35 + 99 * n: 67 + 99 * n]
    return vid, created, slots, b[:35 + 99 * n], mac


def unwrap(vid, slot, secret):
    if slot["kdf"] == 1:
        kek = argon2id(secret, slot["salt"], slot["t"], slot["m"], slot["p"])
    else:
        kek = hkdf(secret, vid, b"casevault recovery slot v1" + slot["salt"])
    ad = b"casevault slot v1" + vid + slot["adfields"]
    return kek, xopen(kek, slot["nonce"], slot["wrapped"], ad)


def main(root):
    vdir = os.path.join(root, "vault")
    exp = lambda name: open(os.path.join(root, "expected", name), "rb").read()
    values = dict(line.split() for line in exp("values.txt").decode().splitlines())

    hdr = open(os.path.join(vdir, "header"), "rb").read()
    vid, created, slots, body, mac = parse_header(hdr)
    if created != 1700000000 or [s["type"] for s in slots] != [1, 2]:
        fail("header fields")

    kek_p, dk = unwrap(vid, slots[0], PASSPHRASE)
    raw = parse_recovery(exp("recovery-key.txt").decode())
    kek_r, dk2 = unwrap(vid, slots[1], raw)
    if dk != dk2:
        fail("slots wrap different data keys")
    if kek_p.hex() != values["passphrase_kek"] or kek_r.hex() != values["recovery_kek"]:
        fail("KEKs")

    k = {name: hkdf(dk, vid, info) for name, info in [
        ("aead", b"casevault aead v1"), ("objid", b"casevault object id v1"),
        ("header", b"casevault header mac v1"), ("mac", b"casevault mac root v1")]}
    if hmac256(k["header"], body) != mac:
        fail("header MAC")
    audit = hmac256(hmac256(k["mac"], b"purpose:audit"), b"example")
    if audit.hex() != values["mac_audit_example"]:
        fail("MAC purpose")

    # manifest (section 6)
    m = open(os.path.join(vdir, "manifest"), "rb").read()
    if m[:8] != b"CVMAN001":
        fail("manifest magic")
    pt = xopen(k["aead"], m[8:32], m[32:], b"CVMAN001" + vid)
    if pt != exp("manifest.json"):
        fail("manifest plaintext")
    cp = json.loads(pt)
    n = -(-cp["image_size"] // cp["chunk_size"])
    if cp["format"] != 1 or len(cp["chunks"]) != n:
        fail("manifest content")

    # objects (section 5)
    image = b""
    for idhex in cp["chunks"]:
        idb = bytes.fromhex(idhex)
        o = open(os.path.join(vdir, "objects", "db", idhex[:2], idhex), "rb").read()
        if o[:8] != b"CVOBJ001" or o[8] != 1:
            fail("object header")
        chunk = xopen(k["aead"], o[9:33], o[33:], b"CVOBJ001" + vid + bytes([1]) + idb)
        if hmac256(k["objid"], bytes([1]), chunk) != idb:
            fail("object id")
        image += chunk
    if len(image) != cp["image_size"] or image != exp("image.bin"):
        fail("image")

    # redo log (section 7): format 2 in the vault, format 1 beside it
    gen = cp["log_gen"]
    mark_key = hmac256(k["mac"], b"purpose:log mark")
    if mark_key.hex() != values["log_mark_key"]:
        fail("log mark key")

    def read_log(lg):
        magic = lg[:8]
        if magic == b"CVLOG002":
            hlen = 64
        elif magic == b"CVLOG001":
            hlen = 32
        else:
            fail("log magic")
        prefix = lg[:32]
        if prefix != magic + vid + struct.pack("<Q", gen):
            fail("log header")
        acked = end = None
        if hlen == 64:
            m = lg[32:64]
            if hmac256(mark_key, prefix, m[:16])[:16] != m[16:]:
                fail("log mark MAC")
            acked, end = struct.unpack_from("<QQ", m)
        off, seq, recs, starts = hlen, 0, [], []
        while off < len(lg):
            length, crc = struct.unpack_from("<II", lg, off)
            if crc32c(lg[off:off + 4]) != crc:
                fail("record CRC")
            sealed = lg[off + 8: off + 8 + length]
            ad = prefix + struct.pack("<Q", seq)
            starts.append(off)
            recs.append(xopen(k["aead"], sealed[:24], sealed[24:], ad))
            off += 8 + length
            seq += 1
        if hlen == 64:
            starts.append(off)
            if len(recs) < acked or starts[acked] != end:
                fail("log mark does not match the records")
        return recs

    want = [exp("record-0.bin"), exp("record-1.bin")]
    if read_log(open(os.path.join(vdir, "log", "%016x.log" % gen), "rb").read()) != want:
        fail("log records")
    if read_log(exp("log-format-1.log")) != want:
        fail("format-1 log records")

    # manifest format 2 (section 6) listing a sealed audit segment (6.2)
    m2 = exp("manifest-format-2")
    if m2[:8] != b"CVMAN001":
        fail("format 2 manifest magic")
    pt = xopen(k["aead"], m2[8:32], m2[32:], b"CVMAN001" + vid)
    if pt != exp("manifest-format-2.json"):
        fail("format 2 manifest plaintext")
    cp2 = json.loads(pt)
    objs = cp2.get("objects", [])
    if cp2["format"] != 2 or cp2["chunks"] != cp["chunks"] or len(objs) != 1 or objs[0]["kind"] != 3:
        fail("format 2 manifest content")
    sid = bytes.fromhex(objs[0]["id"])
    if sid.hex() != values["audit_segment_id"]:
        fail("audit segment id")
    o = exp("audit-segment.object")
    if o[:8] != b"CVOBJ001" or o[8] != 3:
        fail("segment object header")
    seg = xopen(k["aead"], o[9:33], o[33:], b"CVOBJ001" + vid + bytes([3]) + sid)
    if hmac256(k["objid"], bytes([3]), seg) != sid or seg != exp("audit-segment.bin"):
        fail("segment object")
    # the segment: big-endian, every field length-prefixed; the chain's MACs
    if seg[:8] != b"CVASEG01":
        fail("segment magic")
    seq, count = struct.unpack_from(">QI", seg, 8)
    off, prev, ids = 20, bytes(32), []
    k_audit = hmac256(k["mac"], b"purpose:audit")
    for _ in range(count):
        eid, at = struct.unpack_from(">Qq", seg, off)
        off += 16
        fields = []
        for _ in range(6):
            (n,) = struct.unpack_from(">I", seg, off)
            fields.append(seg[off + 4: off + 4 + n])
            off += 4 + n
        actor, action, records, detail, prev_hash, h = fields
        if prev_hash != prev:
            fail("segment chain link")
        canon = struct.pack(">Qq", eid, at) + b"".join(struct.pack(">I", len(f)) + f for f in (actor, action, records, detail))
        if hmac256(k_audit, prev_hash, canon) != h:
            fail("segment entry MAC")
        prev = h
        ids.append(eid)
    if seq != 1 or ids != [1, 2] or off != len(seg):
        fail("segment content")
    print("ok")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__)))
