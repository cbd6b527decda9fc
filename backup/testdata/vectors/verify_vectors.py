#!/usr/bin/env python3
"""Independent reader of the casevault backup repository vectors, written from
docs/FORMAT.md section 13 (and sections 2-7 for the vault files inside).

Usage: python3 verify_vectors.py [path/to/backup/testdata/vectors]

Opens repo/ with the passphrase alone, checks every file as FORMAT.md 13.16 says
(config MAC, key files, index files, packs and their trailers, every blob,
snapshots, drill records), compares each plaintext with expected/, and
"restores" every snapshot in memory: the manifest, the redo log and the chunks
must be the source vault's files (source/) byte for byte.

The vault-format primitives (header, slots, XChaCha20-Poly1305 from HChaCha20,
HKDF, Argon2id) come from the vault vectors' reader,
vault/testdata/vectors/verify_vectors.py, which is written from FORMAT.md too
and shares no code with casevault. Exits 0 and prints "ok" when all is well.
"""
import hashlib
import importlib.util
import json
import os
import struct
import sys
from datetime import datetime

from cryptography.exceptions import InvalidTag

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location(
    "vault_vectors", os.path.join(HERE, "..", "..", "..", "vault", "testdata", "vectors", "verify_vectors.py"))
vv = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(vv)

PASSPHRASE = b"correct horse battery staple"
SEGMENT = 64 * 1024
LOG_HEAD = 64  # the first piece: the log's file header (13.9)
HEX = set("0123456789abcdef")


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def xopen(what, key, nonce, sealed, ad):
    """XChaCha20-Poly1305 open; a failed authentication names the file."""
    try:
        return vv.xopen(key, nonce, sealed, ad)
    except InvalidTag:
        fail("%s: does not authenticate" % what)


def is_hex(s, n):
    return isinstance(s, str) and len(s) == n and set(s) <= HEX


def content_name(b):  # 13.1
    return hashlib.sha256(b).digest()[:16].hex()


def go_json(obj):
    """Go's compact json.Marshal of parsed values (13.4)."""
    s = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                    ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        s = s.replace(ch, esc)
    return s.encode()


def parse_time(s):
    # RFC 3339 as Go writes it (13.2): up to 9 fractional digits, "Z" or an offset.
    base, frac = s, ""
    if "." in s:
        base, rest = s.split(".", 1)
        i = 0
        while i < len(rest) and rest[i].isdigit():
            i += 1
        frac, base = rest[:i], base + rest[i:]
    t = datetime.fromisoformat(base.replace("Z", "+00:00"))
    return t.timestamp(), int((frac + "000000000")[:9])


class Repo:
    def __init__(self, root):
        self.root = root
        self.rdir = os.path.join(root, "repo")
        self.expected = lambda name: open(os.path.join(root, "expected", name), "rb").read()
        self.values = dict(line.split() for line in self.expected("values.txt").decode().splitlines())

    def read(self, rel):
        return open(os.path.join(self.rdir, rel), "rb").read()

    def listdir(self, rel):
        p = os.path.join(self.rdir, rel)
        return sorted(n for n in os.listdir(p) if not n.startswith(".tmp-")) if os.path.isdir(p) else []

    # --- keys (13.3, 13.5) ---------------------------------------------------
    def open_keys(self):
        names = [n for n in self.listdir("keys") if len(n) == 17]
        if not names:
            fail("no key files")
        for name in reversed(names):  # newest first
            b = self.read("keys/" + name)
            seq, tag = name[:4], name[5:]
            if not seq.isdigit() or name[4] != "-" or tag != hashlib.sha256(b).digest()[:6].hex():
                fail("key file name %s" % name)
            vid, _created, slots, body, mac = vv.parse_header(b)
            for slot in slots:
                if slot["type"] != 1:
                    continue
                _kek, dk = vv.unwrap(vid, slot, PASSPHRASE)
                sub = {n: vv.hkdf(dk, vid, info) for n, info in [
                    ("aead", b"casevault aead v1"), ("objid", b"casevault object id v1"),
                    ("header", b"casevault header mac v1"), ("mac", b"casevault mac root v1")]}
                if vv.hmac256(sub["header"], body) != mac:
                    fail("key file %s: header MAC" % name)
                self.vid, self.k, self.key_file = vid, sub, "keys/" + name
                self.key_files = ["keys/" + n for n in names]
                return
        fail("no key file opens with the passphrase")

    def km(self, purpose):
        return vv.hmac256(self.k["mac"], b"purpose:" + purpose)

    def ks(self, purpose):
        return vv.hmac256(self.k["mac"], b"aead:" + purpose)

    def check_key_values(self):
        if self.k["mac"].hex() != self.values["mac_root"]:
            fail("mac root")
        for name, val in self.values.items():
            fam, _, purpose = name.partition(":")
            if purpose:
                got = (self.km if fam == "purpose" else self.ks)(purpose.replace("_", " ").encode())
                if got.hex() != val:
                    fail("purpose key %s" % name)

    def seal_open(self, purpose, sealed, ad, what):  # SealP (13.3)
        return xopen(what, self.ks(purpose), sealed[:24], sealed[24:], ad)

    def open_file(self, rel, magic, purpose):  # 13.8, 13.9, 13.10
        b = self.read(rel)
        if b[:8] != magic:
            fail("%s: magic" % rel)
        pt = self.seal_open(purpose, b[8:], magic + self.vid, rel)
        if pt != self.expected(rel + ".json"):
            fail("%s: plaintext differs from expected/" % rel)
        return b, json.loads(pt)

    # --- config (13.4) -------------------------------------------------------
    def check_config(self):
        b = self.read("config")
        if b[:8] != b"CVREPO01" or not b.endswith(b"\n"):
            fail("config framing")
        cfg = json.loads(b[8:])
        if list(cfg) != ["format", "repo_id", "vault_id", "created", "volume", "mac"]:
            fail("config fields %s" % list(cfg))
        if json.dumps(cfg, ensure_ascii=False, indent=2).encode() != b[8:-1].replace(b"\\u003c", b"<") \
                .replace(b"\\u003e", b">").replace(b"\\u0026", b"&").replace(b"\\u2028", "\u2028".encode()):
            fail("config is not Go's indented JSON")
        if cfg["format"] != 1 or cfg["vault_id"] != self.vid.hex() or not is_hex(cfg["repo_id"], 32):
            fail("config values")
        mac = cfg.pop("mac")
        c = go_json(cfg)
        if c != self.expected("config-mac-input.json"):
            fail("config MAC input: %r" % c)
        if vv.hmac256(self.km(b"backup config"), c).hex() != mac:
            fail("config MAC")
        self.config = cfg

    # --- index (13.8) --------------------------------------------------------
    def read_index(self):
        self.index, self.index_packs = {}, {}
        for name in self.listdir("index"):
            rel = "index/" + name
            b, idx = self.open_file(rel, b"CVIDX001", b"backup index")
            if content_name(b) != name:
                fail("%s: name is not the content address" % rel)
            for p in idx["packs"]:
                self.index_packs[p["name"]] = p
                for e in p["blobs"]:
                    self.index[(e["t"], e["id"])] = (p["name"], e["off"], e["len"])

    # --- packs and blobs (13.6, 13.7) ----------------------------------------
    def check_packs(self):
        self.blobs = {}
        seen = set()
        for xx in self.listdir("data"):
            for name in self.listdir("data/" + xx):
                rel = "data/%s/%s" % (xx, name)
                b = self.read(rel)
                if name[:2] != xx or content_name(b) != name:
                    fail("%s: name" % rel)
                if len(b) < 12 or b[:8] != b"CVPACK01":
                    fail("%s: framing" % rel)
                tlen, = struct.unpack("<I", b[-4:])
                if tlen > len(b) - 12:
                    fail("%s: trailer length" % rel)
                tstart = len(b) - 4 - tlen
                pt = self.seal_open(b"backup pack trailer", b[tstart:len(b) - 4], b"CVPACK01" + self.vid, rel + " trailer")
                if pt != self.expected(rel + ".trailer.json"):
                    fail("%s: trailer plaintext" % rel)
                off = 8
                for e in json.loads(pt):
                    if e["off"] != off or e["len"] < 0 or e["off"] + e["len"] > tstart:
                        fail("%s: blob layout" % rel)
                    key = (e["t"], e["id"])
                    if self.index.get(key) != (name, e["off"], e["len"]):
                        fail("%s: blob %s not indexed here" % (rel, key))
                    self.blobs[key] = self.open_blob(e["t"], e["id"], b[off:off + e["len"]])
                    off += e["len"]
                if off != tstart:
                    fail("%s: gap before the trailer" % rel)
                if self.index_packs.get(name, {}).get("size") != len(b):
                    fail("%s: size differs from the index" % rel)
                seen.add(name)
        if seen != set(self.index_packs):
            fail("packs on disk %s != indexed %s" % (sorted(seen), sorted(self.index_packs)))

    def open_blob(self, t, idhex, stored):
        idb = bytes.fromhex(idhex)
        if t in (1, 2):  # the vault's object file, verbatim (section 5)
            if stored[:8] != b"CVOBJ001" or stored[8] != t:
                fail("object blob %s: header" % idhex)
            chunk = xopen("object blob " + idhex, self.k["aead"], stored[9:33], stored[33:],
                          b"CVOBJ001" + self.vid + bytes([t]) + idb)
            if vv.hmac256(self.k["objid"], bytes([t]), chunk) != idb:
                fail("object blob %s: id" % idhex)
            return stored
        if t in (3, 4):
            ad = b"CVBLOB01" + self.vid + bytes([t]) + idb
            if len(ad) != 57:
                fail("AD_blob length")
            p = self.seal_open(b"backup blob", stored, ad, "blob %d %s" % (t, idhex))
            if vv.hmac256(self.km(b"backup blob id"), bytes([t]), p) != idb:
                fail("blob %d %s: id" % (t, idhex))
            return p
        fail("blob type %d" % t)

    # --- snapshots and restoring (13.9, 13.15) -------------------------------
    def check_snapshots(self):
        src = lambda rel: open(os.path.join(self.root, "source", rel), "rb").read()
        snaps = []
        for name in self.listdir("snapshots"):
            rel = "snapshots/" + name
            b, s = self.open_file(rel, b"CVSNP001", b"backup snapshot")
            if content_name(b) != name:
                fail("%s: name" % rel)
            fields = ["format", "time", "host", "app_version", "vault_id", "header", "manifest", "checkpoint",
                      "chunks", "image_size", "log_gen", "log_size", "log", "counts", "audit_head",
                      "content_hash", "added_bytes", "added_blobs", "total_bytes"]
            if list(s) != fields:
                fail("%s: fields %s" % (rel, list(s)))
            if s["format"] != 1 or s["vault_id"] != self.vid.hex() or s["header"] not in self.key_files:
                fail("%s: values" % rel)
            if self.read(s["header"]) != src("header"):
                fail("%s: key file is not the source header" % rel)

            man = self.blobs[(3, s["manifest"])]
            if man != src("manifest"):
                fail("%s: manifest blob is not the source manifest" % rel)
            if man[:8] != b"CVMAN001":
                fail("manifest magic")
            cp = json.loads(xopen(rel + " manifest", self.k["aead"], man[8:32], man[32:], b"CVMAN001" + self.vid))
            if (s["checkpoint"], s["chunks"], s["image_size"], s["log_gen"]) != \
                    (cp["seq"], len(cp["chunks"]), cp["image_size"], cp["log_gen"]):
                fail("%s: does not match its manifest" % rel)

            pieces = [self.blobs[(4, i)] for i in s["log"]]
            sizes = [len(p) for p in pieces]
            want = [min(LOG_HEAD, s["log_size"])] if s["log_size"] else []
            while sum(want) < s["log_size"]:
                want.append(min(SEGMENT, s["log_size"] - sum(want)))
            if sizes != want:
                fail("%s: log piece sizes %s, want %s" % (rel, sizes, want))
            log = b"".join(pieces)
            if len(log) != s["log_size"] or log != src("log/%016x.log" % s["log_gen"])[:len(log)]:
                fail("%s: log is not a prefix of the source log" % rel)
            self.check_log_boundary(rel, log, s["log_gen"])

            total = len(self.blobs_stored(3, s["manifest"])) + sum(len(self.blobs_stored(4, i)) for i in set(s["log"]))
            for idhex in dict.fromkeys(cp["chunks"]):
                obj = self.blobs[(1, idhex)]
                if obj != src("objects/db/%s/%s" % (idhex[:2], idhex)):
                    fail("%s: chunk %s is not the source object" % (rel, idhex))
                total += len(obj)
            if total != s["total_bytes"]:
                fail("%s: total_bytes %d, blobs add up to %d" % (rel, s["total_bytes"], total))
            snaps.append((parse_time(s["time"]), name, s))
        snaps.sort(key=lambda x: (x[0], x[1]))
        order = [n for _, n, _ in snaps]
        if order != [self.values["snapshot_1"], self.values["snapshot_2"]]:
            fail("snapshot order %s" % order)
        self.snapshots = {n: s for _, n, s in snaps}

    def blobs_stored(self, t, idhex):
        pack, off, length = self.index[(t, idhex)]
        return self.read("data/%s/%s" % (pack[:2], pack))[off:off + length]

    def check_log_boundary(self, rel, log, gen):  # section 7 (log formats 2 and 1)
        if not log:
            return
        magic = log[:8]
        hlen = {b"CVLOG002": 64, b"CVLOG001": 32}.get(magic)
        prefix = log[:32]
        if hlen is None or prefix != magic + self.vid + struct.pack("<Q", gen) or len(log) < hlen:
            fail("%s: log header" % rel)
        acked = end = None
        if hlen == 64:
            m = log[32:64]
            if vv.hmac256(self.km(b"log mark"), prefix, m[:16])[:16] != m[16:]:
                fail("%s: log mark" % rel)
            acked, end = struct.unpack_from("<QQ", m)
        off, seq, starts = hlen, 0, []
        while off < len(log):
            if off + 8 > len(log):
                fail("%s: log cut inside a record" % rel)
            length, crc = struct.unpack_from("<II", log, off)
            if vv.crc32c(log[off:off + 4]) != crc or off + 8 + length > len(log):
                fail("%s: log cut inside a record" % rel)
            sealed = log[off + 8: off + 8 + length]
            xopen("%s: log record %d" % (rel, seq), self.k["aead"], sealed[:24], sealed[24:],
                  prefix + struct.pack("<Q", seq))
            starts.append(off)
            off += 8 + length
            seq += 1
        starts.append(off)
        if hlen == 64 and (seq < acked or starts[acked] != end):
            fail("%s: log mark does not match its records" % rel)

    # --- drill records (13.10) -----------------------------------------------
    def check_drills(self):
        for name in self.listdir("drills"):
            _b, d = self.open_file("drills/" + name, b"CVDRL001", b"backup drill")
            if d["snapshot"] not in self.snapshots or not isinstance(d["ok"], bool):
                fail("drills/%s: values" % name)


def main(root):
    r = Repo(root)
    r.open_keys()
    r.check_key_values()
    r.check_config()
    r.read_index()
    r.check_packs()
    r.check_snapshots()
    r.check_drills()
    print("ok")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else HERE)
