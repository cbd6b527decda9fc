package vault

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/chacha20poly1305"

	"casevault/vault/testkit"
)

// Test vectors: a complete vault folder made from fixed inputs (documented in
// testdata/vectors/README.md), and the plaintexts it must decrypt to. They pin
// the on-disk format of docs/FORMAT.md: a change to any byte of it fails
// TestVectors. Regenerate (only for a deliberate format change) with
//
//	go test ./vault/ -run '^TestVectors$' -update

var update = flag.Bool("update", false, "rewrite testdata/vectors from the fixed inputs")

const vectorsDir = "testdata/vectors"

// seqBytes returns n bytes counting up from start (wrapping at 0xff).
func seqBytes(start byte, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = start + byte(i)
	}
	return b
}

// The fixed inputs. README.md lists the same values; keep them in step.
var (
	vecPassphrase = []byte("correct horse battery staple")
	vecKDF        = KDFParams{Time: 1, MemoryKiB: 8 * 1024, Threads: 1}
	vecDataKey    = seqBytes(0x00, 32)
	vecVaultID    = [16]byte(seqBytes(0xa0, 16))
	vecCreated    = int64(1700000000) // 2023-11-14T22:13:20Z
	vecPassSalt   = [16]byte(seqBytes(0x20, 16))
	vecPassNonce  = [24]byte(seqBytes(0x30, 24))
	vecRecovery   = seqBytes(0x50, 20) // the recovery key's 160 bits
	vecRecSalt    = [16]byte(seqBytes(0x70, 16))
	vecRecNonce   = [24]byte(seqBytes(0x80, 24))
	vecChunkNonce = seqBytes(0xb0, 24)
	vecManNonce   = seqBytes(0xc8, 24)
	vecRecNonces  = [][]byte{seqBytes(0xe0, 24), seqBytes(0xf8, 24)}
	vecImage      = []byte(strings.Repeat("casevault test vector: the database image, one chunk.\n", 4))
	vecRecords    = [][]byte{[]byte("first redo log record"), []byte("second redo log record")}
	vecMeta       = json.RawMessage(`{"clients":2}`)
	vecSegNonce   = seqBytes(0x10, 24)
	vecMan2Nonce  = seqBytes(0x40, 24)
)

// vectorSegment is the plaintext of a sealed audit segment (seq 1) holding
// the trail's first two entries, encoded here from docs/FORMAT.md 6.2
// independently of store/segments.go (whose test decodes this vector), each
// entry's hash = HMAC(auditKey, prev_hash || canonical entry).
func vectorSegment(auditKey []byte) []byte {
	type entry struct {
		id                             uint64
		at                             int64
		actor, action, records, detail string
	}
	entries := []entry{
		{1, 1700000000000, "owner", "vault.init", "", "created with Argon2id t=1 m=8 MiB p=1"},
		{2, 1700000001500, "owner", "client.view", "client:1", ""},
	}
	seg := []byte("CVASEG01")
	seg = binary.BigEndian.AppendUint64(seg, 1)
	seg = binary.BigEndian.AppendUint32(seg, uint32(len(entries)))
	field := func(b, f []byte) []byte { return append(binary.BigEndian.AppendUint32(b, uint32(len(f))), f...) }
	prev := make([]byte, 32)
	for _, e := range entries {
		canon := binary.BigEndian.AppendUint64(nil, e.id)
		canon = binary.BigEndian.AppendUint64(canon, uint64(e.at))
		for _, f := range []string{e.actor, e.action, e.records, e.detail} {
			canon = field(canon, []byte(f))
		}
		hash := hmacSum(auditKey, prev, canon)
		seg = binary.BigEndian.AppendUint64(seg, e.id)
		seg = binary.BigEndian.AppendUint64(seg, uint64(e.at))
		for _, f := range [][]byte{[]byte(e.actor), []byte(e.action), []byte(e.records), []byte(e.detail), prev, hash} {
			seg = field(seg, f)
		}
		prev = hash
	}
	return seg
}

// vectorSlot is makeSlot with a fixed salt and nonce.
func vectorSlot(t SlotType, secret []byte, salt [16]byte, nonce [24]byte) (slot, []byte) {
	s := slot{Type: t, Salt: salt, Nonce: nonce}
	if t == SlotPassphrase {
		s.KDF, s.Params = kdfArgon2id, vecKDF
	} else {
		s.KDF = kdfHKDFSHA256
	}
	k := kek(vecVaultID, &s, secret)
	a, err := chacha20poly1305.NewX(k)
	if err != nil {
		panic(err)
	}
	copy(s.Wrapped[:], a.Seal(nil, s.Nonce[:], vecDataKey, slotAD(vecVaultID, &s)))
	return s, k
}

// buildVectors makes every vector file from the fixed inputs. Paths are
// relative to testdata/vectors.
func buildVectors(t testing.TB) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	aeadKey := derive(vecDataKey, vecVaultID, infoAEAD)
	objKey := derive(vecDataKey, vecVaultID, infoObjID)
	hdrKey := derive(vecDataKey, vecVaultID, infoHeader)
	macRoot := derive(vecDataKey, vecVaultID, infoMAC)
	a, err := chacha20poly1305.NewX(aeadKey)
	if err != nil {
		t.Fatal(err)
	}

	// header
	ps, passKEK := vectorSlot(SlotPassphrase, vecPassphrase, vecPassSalt, vecPassNonce)
	rs, recKEK := vectorSlot(SlotRecovery, vecRecovery, vecRecSalt, vecRecNonce)
	h := &header{VaultID: vecVaultID, Created: vecCreated, Slots: []slot{ps, rs}}
	h.MAC = h.computeMAC(hdrKey)
	files["vault/"+HeaderFile] = h.marshal()

	// one database chunk object
	var id ID
	copy(id[:], hmacSum(objKey, []byte{byte(KindDBChunk)}, vecImage))
	obj := append([]byte(objectMagic), byte(KindDBChunk))
	obj = append(obj, a.Seal(bytes.Clone(vecChunkNonce), vecChunkNonce, vecImage, objectAD(vecVaultID, KindDBChunk, id))...)
	s := id.String()
	files["vault/"+ObjectsDir+"/db/"+s[:2]+"/"+s] = obj

	// manifest
	cp := &Checkpoint{
		Format: manifestFormat, Seq: 1, LogGen: 1,
		Created:   time.Unix(vecCreated, 0).UTC(),
		ImageSize: int64(len(vecImage)), ChunkSize: ChunkSize,
		Chunks: []ID{id}, Meta: vecMeta,
	}
	manJSON, err := json.Marshal(cp)
	if err != nil {
		t.Fatal(err)
	}
	files["vault/"+ManifestFile] = append([]byte(manifestMagic), a.Seal(bytes.Clone(vecManNonce), vecManNonce, manJSON, manifestAD(vecVaultID))...)

	// redo log of generation 1 (format 2) with two records: its mark says
	// record 0 was acknowledged before record 1 was appended
	markKey := hmacSum(macRoot, []byte("purpose:"+markPurpose))
	lg := logPrefix(2, vecVaultID, cp.LogGen)
	lg = append(lg, make([]byte, logMarkLen)...)
	var lastStart int64
	for i, rec := range vecRecords {
		lastStart = int64(len(lg))
		sealed := a.Seal(bytes.Clone(vecRecNonces[i]), vecRecNonces[i], rec, recordAD(2, vecVaultID, cp.LogGen, uint64(i)))
		lg = binary.LittleEndian.AppendUint32(lg, uint32(len(sealed)))
		lg = binary.LittleEndian.AppendUint32(lg, crc32.Checksum(lg[len(lg)-4:], crcTable))
		lg = append(lg, sealed...)
	}
	copy(lg[logPrefixLen:], logMark(markKey, lg[:logPrefixLen], uint64(len(vecRecords)-1), lastStart))
	files["vault/"+LogDir+"/"+logName(cp.LogGen)] = lg
	// the same records in a format-1 log (older casevault), which readers
	// must still accept
	lg1 := logPrefix(1, vecVaultID, cp.LogGen)
	for i, rec := range vecRecords {
		sealed := a.Seal(bytes.Clone(vecRecNonces[i]), vecRecNonces[i], rec, recordAD(1, vecVaultID, cp.LogGen, uint64(i)))
		lg1 = binary.LittleEndian.AppendUint32(lg1, uint32(len(sealed)))
		lg1 = binary.LittleEndian.AppendUint32(lg1, crc32.Checksum(lg1[len(lg1)-4:], crcTable))
		lg1 = append(lg1, sealed...)
	}
	files["expected/log-format-1.log"] = lg1

	// a sealed audit segment (object kind 3, docs/FORMAT.md 6.2) of two
	// entries chained under the audit key, and a format 2 manifest listing
	// it beside the chunk: not part of the vault folder (whose manifest is
	// format 1), for readers of format 2
	auditKey := hmacSum(macRoot, []byte("purpose:audit"))
	seg := vectorSegment(auditKey)
	var segID ID
	copy(segID[:], hmacSum(objKey, []byte{byte(KindAuditSegment)}, seg))
	segObj := append([]byte(objectMagic), byte(KindAuditSegment))
	segObj = append(segObj, a.Seal(bytes.Clone(vecSegNonce), vecSegNonce, seg, objectAD(vecVaultID, KindAuditSegment, segID))...)
	files["expected/audit-segment.bin"] = seg
	files["expected/audit-segment.object"] = segObj
	cp2 := *cp
	cp2.Format, cp2.Objects = manifestFormatObjects, []ObjectRef{{Kind: KindAuditSegment, ID: segID}}
	man2JSON, err := json.Marshal(&cp2)
	if err != nil {
		t.Fatal(err)
	}
	files["expected/manifest-format-2.json"] = man2JSON
	files["expected/manifest-format-2"] = append([]byte(manifestMagic), a.Seal(bytes.Clone(vecMan2Nonce), vecMan2Nonce, man2JSON, manifestAD(vecVaultID))...)

	// expected plaintexts and intermediate values
	files["expected/image.bin"] = vecImage
	files["expected/manifest.json"] = manJSON
	for i, rec := range vecRecords {
		files[fmt.Sprintf("expected/record-%d.bin", i)] = rec
	}
	files["expected/recovery-key.txt"] = []byte(formatRecovery(vecRecovery) + "\n")
	auditMAC := hmacSum(hmacSum(macRoot, []byte("purpose:audit")), []byte("example"))
	var kv strings.Builder
	for _, e := range []struct {
		name string
		val  []byte
	}{
		{"data_key", vecDataKey},
		{"vault_id", vecVaultID[:]},
		{"passphrase_kek", passKEK},
		{"recovery_kek", recKEK},
		{"aead_key", aeadKey},
		{"object_id_key", objKey},
		{"header_mac_key", hdrKey},
		{"mac_root", macRoot},
		{"log_mark_key", markKey},
		{"chunk_id", id[:]},
		{"header_mac", h.MAC[:]},
		{"mac_audit_example", auditMAC},
		{"audit_segment_id", segID[:]},
	} {
		fmt.Fprintf(&kv, "%s %s\n", e.name, hex.EncodeToString(e.val))
	}
	files["expected/values.txt"] = []byte(kv.String())
	return files
}

func readVectorTree(t *testing.T) map[string][]byte {
	t.Helper()
	out, err := testkit.ReadTree(vectorsDir, "vault", "expected")
	if err != nil {
		t.Fatalf("reading %s: %v (run: go test ./vault/ -run '^TestVectors$' -update)", vectorsDir, err)
	}
	return out
}

func TestVectors(t *testing.T) {
	built := buildVectors(t)
	if again := buildVectors(t); fmt.Sprint(again) != fmt.Sprint(built) {
		t.Fatal("the vectors are not deterministic")
	}
	if *update {
		testkit.WriteTree(t, vectorsDir, built, "vault", "expected")
		t.Logf("wrote %d files to %s", len(built), vectorsDir)
	}

	// The committed files are exactly what the fixed inputs give.
	committed := readVectorTree(t)
	var names []string
	for rel := range built {
		names = append(names, rel)
	}
	sort.Strings(names)
	for _, rel := range names {
		got, ok := committed[rel]
		switch {
		case !ok:
			t.Errorf("%s is missing from %s", rel, vectorsDir)
		case !bytes.Equal(got, built[rel]):
			t.Errorf("%s differs from what the fixed inputs give: the on-disk format changed (if on purpose, update docs/FORMAT.md and run with -update)", rel)
		}
	}
	for rel := range committed {
		if _, ok := built[rel]; !ok {
			t.Errorf("%s/%s is not a vector file", vectorsDir, rel)
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	expected := func(name string) []byte { return committed["expected/"+name] }
	values := map[string][]byte{}
	for _, line := range strings.Split(strings.TrimSpace(string(expected("values.txt"))), "\n") {
		k, v, _ := strings.Cut(line, " ")
		b, err := hex.DecodeString(v)
		if err != nil {
			t.Fatalf("values.txt: %s: %v", k, err)
		}
		values[k] = b
	}

	// A format 2 manifest and the segment object it lists read back.
	{
		a, err := chacha20poly1305.NewX(values["aead_key"])
		if err != nil {
			t.Fatal(err)
		}
		cp2, err := decodeManifest(a, [16]byte(values["vault_id"]), "manifest-format-2", expected("manifest-format-2"))
		if err != nil {
			t.Fatal(err)
		}
		if cp2.Format != 2 || len(cp2.Objects) != 1 || cp2.Objects[0].Kind != KindAuditSegment || !bytes.Equal(cp2.Objects[0].ID[:], values["audit_segment_id"]) {
			t.Fatalf("format 2 manifest: %+v", cp2)
		}
		pt, err := openObject(a, [16]byte(values["vault_id"]), KindAuditSegment, cp2.Objects[0].ID, expected("audit-segment.object"))
		if err != nil || !bytes.Equal(pt, expected("audit-segment.bin")) {
			t.Fatalf("segment object: %v", err)
		}
	}

	// Through the public API, on a copy of the vector vault.
	dir := filepath.Join(t.TempDir(), "vault")
	for rel, b := range committed {
		if rest, ok := strings.CutPrefix(rel, "vault/"); ok {
			p := filepath.Join(dir, filepath.FromSlash(rest))
			os.MkdirAll(filepath.Dir(p), 0o700)
			writeFile(t, p, b)
		}
	}
	recText := strings.TrimSpace(string(expected("recovery-key.txt")))
	for _, cred := range []Credential{Passphrase(vecPassphrase), mustRecovery(t, RecoveryKey(recText))} {
		v, err := Open(dir, cred)
		if err != nil {
			t.Fatalf("Open(%v) of the vector vault: %v", cred.Type(), err)
		}
		info := v.Info()
		if info.VaultID != [16]byte(values["vault_id"]) || info.Created.Unix() != vecCreated || info.KDF != vecKDF {
			t.Fatalf("Info = %+v", info)
		}
		img, cp, err := v.LoadCheckpoint(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(img, expected("image.bin")) {
			t.Fatalf("image = %q", img)
		}
		if j, _ := json.Marshal(cp); !bytes.Equal(j, expected("manifest.json")) {
			t.Fatalf("manifest = %s", j)
		}
		recs, err := v.ReadLog()
		if err != nil || len(recs) != 2 || !bytes.Equal(recs[0], expected("record-0.bin")) || !bytes.Equal(recs[1], expected("record-1.bin")) {
			t.Fatalf("log = %q, %v", recs, err)
		}
		if m, err := v.MAC("audit", []byte("example")); err != nil || !bytes.Equal(m, values["mac_audit_example"]) {
			t.Fatalf("MAC = %x, %v", m, err)
		}
		v.Close()
	}
	if _, err := Open(dir, Passphrase([]byte("Correct horse battery staple"))); err == nil {
		t.Fatal("the vector vault opens with a wrong passphrase")
	}

	// Through each parser on its own.
	h, err := parseHeader("header", committed["vault/header"])
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Slots) != 2 || h.Slots[0].Salt != vecPassSalt || h.Slots[0].Nonce != vecPassNonce ||
		h.Slots[1].Salt != vecRecSalt || h.Slots[1].Nonce != vecRecNonce || !bytes.Equal(h.MAC[:], values["header_mac"]) {
		t.Fatalf("parsed header: %+v", h)
	}
	if k := kek(h.VaultID, &h.Slots[0], vecPassphrase); !bytes.Equal(k, values["passphrase_kek"]) {
		t.Fatalf("passphrase KEK = %x", k)
	}
	raw, _ := ParseRecoveryKey(recText)
	if k := kek(h.VaultID, &h.Slots[1], raw); !bytes.Equal(k, values["recovery_kek"]) {
		t.Fatalf("recovery KEK = %x", k)
	}
	for _, d := range []struct{ info, name string }{{infoAEAD, "aead_key"}, {infoObjID, "object_id_key"}, {infoHeader, "header_mac_key"}, {infoMAC, "mac_root"}} {
		if k := derive(values["data_key"], h.VaultID, d.info); !bytes.Equal(k, values[d.name]) {
			t.Fatalf("%s = %x", d.name, k)
		}
	}
	a, _ := chacha20poly1305.NewX(values["aead_key"])
	cp, err := decodeManifest(a, h.VaultID, "manifest", committed["vault/manifest"])
	if err != nil {
		t.Fatal(err)
	}
	if pt, err := open(a, committed["vault/manifest"][8:], manifestAD(h.VaultID)); err != nil || !bytes.Equal(pt, expected("manifest.json")) {
		t.Fatalf("manifest plaintext = %s, %v", pt, err)
	}
	if len(cp.Chunks) != 1 || !bytes.Equal(cp.Chunks[0][:], values["chunk_id"]) {
		t.Fatalf("manifest chunks = %v", cp.Chunks)
	}
	id := cp.Chunks[0]
	pt, err := openObject(a, h.VaultID, KindDBChunk, id, committed["vault/objects/db/"+id.String()[:2]+"/"+id.String()])
	if err != nil || !bytes.Equal(pt, expected("image.bin")) {
		t.Fatalf("object = %q, %v", pt, err)
	}
	if want := hmacSum(values["object_id_key"], []byte{byte(KindDBChunk)}, pt); !bytes.Equal(want, id[:]) {
		t.Fatal("chunk id is not HMAC(object id key, kind || plaintext)")
	}
	logBytes := committed["vault/log/"+logName(1)]
	sc, err := parseLog(a, values["log_mark_key"], h.VaultID, 1, "log", logBytes)
	if err != nil || sc.good != int64(len(logBytes)) || len(sc.recs) != 2 || sc.format != 2 || sc.acked != 1 ||
		!bytes.Equal(sc.recs[0], expected("record-0.bin")) || !bytes.Equal(sc.recs[1], expected("record-1.bin")) {
		t.Fatalf("log = %+v, %v", sc, err)
	}
	v1 := expected("log-format-1.log")
	sc, err = parseLog(a, values["log_mark_key"], h.VaultID, 1, "log", v1)
	if err != nil || sc.good != int64(len(v1)) || len(sc.recs) != 2 || sc.format != 1 ||
		!bytes.Equal(sc.recs[0], expected("record-0.bin")) || !bytes.Equal(sc.recs[1], expected("record-1.bin")) {
		t.Fatalf("format-1 log = %+v, %v", sc, err)
	}
}
