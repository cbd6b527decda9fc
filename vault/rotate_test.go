package vault

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"casevault/vault/testkit"
)

// Data key rotation: the new state opens with every remaining slot; the
// old data key (a removed user's copy of the header) opens none of it; a
// crash at any step leaves the old state or the new one.

// rotFixture is a users vault (Ann, Bob, Carol) with a checkpoint, a
// sealed object (kind 3) and two acknowledged log records; Bob's header
// slot is removed and his header copy from before kept.
type rotFixture struct {
	v         *Vault
	dir       string
	rk        RecoveryKey
	image     []byte
	recs      [][]byte
	seg       ID
	segPlain  []byte
	bobHeader []byte
}

func newRotFixture(t *testing.T, opts CreateOptions) *rotFixture {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "vault")
	opts.Owner = "Ann"
	v, rk, err := Create(dir, testPass, opts)
	if err != nil {
		t.Fatal(err)
	}
	recoveryOf.Store(dir, rk)
	t.Cleanup(func() { v.Close() })
	if err := v.AddUserSlot("Bob", bobPass, nil, testKDF); err != nil {
		t.Fatal(err)
	}
	if err := v.AddUserSlot("Carol", carolPass, carolFile, testKDF); err != nil {
		t.Fatal(err)
	}
	f := &rotFixture{v: v, dir: dir, rk: rk, image: detRand(7, 3*ChunkSize+500), segPlain: []byte("a sealed audit segment")}
	load(t, v)
	if f.seg, err = v.PutObject(KindAuditSegment, f.segPlain); err != nil {
		t.Fatal(err)
	}
	if err := v.WriteCheckpoint(context.Background(), f.image, []byte(`{"n":1}`), ObjectRef{KindAuditSegment, f.seg}); err != nil {
		t.Fatal(err)
	}
	f.recs = [][]byte{[]byte("acknowledged one"), []byte("acknowledged two")}
	for _, r := range f.recs {
		if err := v.AppendLog(r); err != nil {
			t.Fatal(err)
		}
	}
	f.bobHeader = readFile(t, filepath.Join(dir, HeaderFile))
	if err := v.RemoveUserSlot("Bob"); err != nil {
		t.Fatal(err)
	}
	return f
}

// newImage is the state after the rotation: the old image with the log's
// records folded in, as the engine would serialise it.
func (f *rotFixture) newImage() []byte {
	return append(bytes.Clone(f.image), bytes.Join(f.recs, nil)...)
}

// rotate runs a rotation as the engine does: re-put the segment, commit.
func (f *rotFixture) rotate(t *testing.T) (RecoveryKey, ID, error) {
	t.Helper()
	r, err := f.v.BeginRotation()
	if err != nil {
		return "", ID{}, err
	}
	nid, err := r.Reput(KindAuditSegment, f.seg)
	if err != nil {
		r.Abort()
		return "", ID{}, err
	}
	rk, err := r.Commit(context.Background(), f.newImage(), []byte(`{"n":2}`), ObjectRef{KindAuditSegment, nid})
	return rk, nid, err
}

// state opens dir with cred and returns what it holds: "old" (the old
// checkpoint and both records) or "new" (the new image, no records).
func rotState(t *testing.T, f *rotFixture, dir string, cred Credential, seg ID) string {
	t.Helper()
	v, err := Open(dir, cred)
	if err != nil {
		t.Fatalf("%s: Open as %q: %v", dir, cred.User(), err)
	}
	defer v.Close()
	if _, err := os.Stat(filepath.Join(dir, NextHeaderFile)); err == nil {
		t.Fatalf("%s: header.next left after Open", dir)
	}
	img, cp := load(t, v)
	recs, err := v.ReadLog()
	if err != nil {
		t.Fatalf("%s: ReadLog: %v", dir, err)
	}
	switch {
	case bytes.Equal(img, f.image) && len(recs) == 2 && bytes.Equal(recs[1], f.recs[1]):
		if pt, err := v.GetObject(KindAuditSegment, f.seg); err != nil || !bytes.Equal(pt, f.segPlain) {
			t.Fatalf("%s: old segment: %v", dir, err)
		}
		return "old"
	case bytes.Equal(img, f.newImage()) && len(recs) == 0:
		if len(cp.Objects) != 1 {
			t.Fatalf("%s: objects %v", dir, cp.Objects)
		}
		if pt, err := v.GetObject(KindAuditSegment, cp.Objects[0].ID); err != nil || !bytes.Equal(pt, f.segPlain) {
			t.Fatalf("%s: new segment: %v", dir, err)
		}
		return "new"
	}
	t.Fatalf("%s: neither the old state nor the new one (image %d bytes, %d records)", dir, len(img), len(recs))
	return ""
}

// creds are every remaining slot's credentials.
func (f *rotFixture) creds(t *testing.T, rk RecoveryKey) []Credential {
	if rk == "" {
		rk = f.rk
	}
	return []Credential{
		Passphrase(testPass).ForUser("Ann"),
		Passphrase(carolPass).ForUser("Carol").WithKeyFile(carolFile),
		mustRecovery(t, rk),
	}
}

// bobOpens reports whether Bob's old header copy opens the manifest in dir.
func (f *rotFixture) bobOpens(t *testing.T, dir string) bool {
	t.Helper()
	k, err := UnlockHeader("bob's copy", f.bobHeader, Passphrase(bobPass).ForUser("Bob"))
	if err != nil {
		t.Fatalf("Bob's header copy: %v", err)
	}
	defer k.Close()
	_, err = k.OpenManifest("manifest", readFile(t, filepath.Join(dir, ManifestFile)))
	return err == nil
}

func TestRotateDataKey(t *testing.T) {
	f := newRotFixture(t, testOpts())
	oldChunks := chunkFiles(t, f.dir)
	if !f.bobOpens(t, f.dir) {
		t.Fatal("before the rotation, Bob's old header copy should open the state (that is what rotation is for)")
	}
	if _, err := UserSlot(f.dir, "Bob"); !errors.Is(err, ErrUnknownUser) {
		t.Fatalf("removed Bob: %v", err)
	}
	auditBefore, _ := f.v.MAC("audit", []byte("x"))
	keyBefore, err := f.v.PurposeKey("audit")
	if err != nil || !bytes.Equal(hmacSum(keyBefore, []byte("x")), auditBefore) {
		t.Fatalf("PurposeKey(audit) is not the key of MAC(audit): %v", err)
	}
	rk, nid, err := f.rotate(t)
	if err != nil || rk != "" {
		t.Fatalf("rotate: %q, %v", rk, err)
	}
	if auditAfter, _ := f.v.MAC("audit", []byte("x")); bytes.Equal(auditAfter, auditBefore) {
		t.Fatal("the audit MAC key did not change with the data key")
	}
	// The old chunks, the old segment, the old log and manifest copy are gone.
	for _, c := range oldChunks {
		if _, err := os.Stat(c); err == nil {
			t.Fatalf("old chunk %s left", c)
		}
	}
	if _, err := os.Stat(f.v.objectPath(KindAuditSegment, f.seg)); err == nil {
		t.Fatal("old segment left")
	}
	logs, _ := os.ReadDir(filepath.Join(f.dir, LogDir))
	copies, _ := os.ReadDir(filepath.Join(f.dir, ManifestsDir))
	if len(logs) != 0 || len(copies) != 1 {
		t.Fatalf("logs %v, manifest copies %v", logs, copies)
	}
	// Writes go on under the new key, and survive a reopen.
	if err := f.v.AppendLog([]byte("after")); err != nil {
		t.Fatal(err)
	}
	f.v.Close()
	for _, cred := range f.creds(t, "") {
		w := mustOpen(t, f.dir, cred)
		img, _ := load(t, w)
		recs, err := w.ReadLog()
		if err != nil || !bytes.Equal(img, f.newImage()) || len(recs) != 1 {
			t.Fatalf("after the rotation, as %q: %d records, %v", cred.User(), len(recs), err)
		}
		if pt, err := w.GetObject(KindAuditSegment, nid); err != nil || !bytes.Equal(pt, f.segPlain) {
			t.Fatalf("segment: %v", err)
		}
		w.Close()
	}
	if f.bobOpens(t, f.dir) {
		t.Fatal("Bob's old header copy opens the rotated state")
	}
}

// A converted version 1 vault keeps its legacy recovery slot until a
// rotation, which cannot reseal it: a new recovery key replaces it.
func TestRotateLegacyRecovery(t *testing.T) {
	v, dir, rk := newVault(t)
	downgradeToV1(t, v, rk)
	v.Close()
	v = mustOpen(t, dir, Passphrase(testPass))
	load(t, v)
	if err := v.WriteCheckpoint(context.Background(), []byte("old image"), nil); err != nil {
		t.Fatal(err)
	}
	r, err := v.BeginRotation()
	if err != nil {
		t.Fatal(err)
	}
	nrk, err := r.Commit(context.Background(), []byte("new image"), nil)
	if err != nil || nrk == "" || nrk == rk {
		t.Fatalf("Commit: %q, %v", nrk, err)
	}
	if v.HeaderVersion() != 2 {
		t.Fatal("not version 2 after the rotation")
	}
	v.Close()
	if err := openErr(t, dir, mustRecovery(t, rk)); !errors.Is(err, ErrWrongCredential) {
		t.Fatalf("the old recovery key: %v", err)
	}
	for _, cred := range []Credential{mustRecovery(t, nrk), Passphrase(testPass), Passphrase(testPass).ForUser("anyone")} {
		w := mustOpen(t, dir, cred)
		if img, _ := load(t, w); string(img) != "new image" {
			t.Fatalf("image %q", img)
		}
		w.Close()
	}
}

// TestRotateCrashAtEveryStep copies the folder at each step of Commit (what
// a crash there leaves on disk) and opens each copy with every remaining
// credential: the old state before the manifest, the new one after, never
// anything else; Bob's old header copy never opens the new state.
// Not parallel: rotationFault is a package hook.
func TestRotateCrashAtEveryStep(t *testing.T) {
	f := newRotFixture(t, testOpts())
	base := t.TempDir()
	var steps []string
	rotationFault = func(step string) error {
		steps = append(steps, step)
		testkit.CopyTree(t, f.dir, filepath.Join(base, step))
		return nil
	}
	defer func() { rotationFault = nil }()
	_, _, err := f.rotate(t)
	if err != nil {
		t.Fatal(err)
	}
	// The last moment: after the cleanup.
	steps = append(steps, "done")
	f.v.Close()
	testkit.CopyTree(t, f.dir, filepath.Join(base, "done"))
	want := map[string]string{"objects": "old", "header.next": "old", "manifest": "old", "rename": "new", "cleanup": "new", "done": "new"}
	if len(steps) != len(want) {
		t.Fatalf("steps %v", steps)
	}
	for _, step := range steps {
		cred := f.creds(t, "")[0]
		// A fresh copy: the first open finishes or undoes.
		cp := filepath.Join(t.TempDir(), "v")
		testkit.CopyTree(t, filepath.Join(base, step), cp)
		if got := rotState(t, f, cp, cred, f.seg); got != want[step] {
			t.Fatalf("crash at %s, opened as %q: %s state, want %s", step, cred.User(), got, want[step])
		}
		if f.bobOpens(t, cp) != (want[step] == "old") {
			t.Fatalf("crash at %s: Bob's old copy opens the %s state: %v", step, want[step], f.bobOpens(t, cp))
		}
		// Reopened, still the same state; a checkpoint sweeps leftovers.
		w := mustOpen(t, cp, cred)
		img, _ := load(t, w)
		recs, _ := w.ReadLog()
		state := append(bytes.Clone(img), bytes.Join(recs, nil)...)
		if err := w.WriteCheckpoint(context.Background(), state, nil); err != nil {
			t.Fatal(err)
		}
		if ids, _ := w.listObjects(KindDBChunk, false); len(ids) != len(w.Current().Chunks) {
			t.Fatalf("crash at %s: %d chunk files for %d chunks after a checkpoint", step, len(ids), len(w.Current().Chunks))
		}
		w.Close()
	}
	// Every credential on every crash copy.
	for _, step := range steps {
		for _, cred := range f.creds(t, "") {
			cp := filepath.Join(t.TempDir(), "v")
			testkit.CopyTree(t, filepath.Join(base, step), cp)
			if got := rotState(t, f, cp, cred, f.seg); got != want[step] {
				t.Fatalf("crash at %s, opened as %q: %s", step, cred.User(), got)
			}
		}
		// Read-only: finds the state, changes nothing.
		cp := filepath.Join(t.TempDir(), "ro")
		testkit.CopyTree(t, filepath.Join(base, step), cp)
		before := hashDir(t, cp)
		w, err := OpenReadOnly(cp, fastCred(t, f.dir))
		if err != nil {
			t.Fatalf("read-only at %s: %v", step, err)
		}
		w.Close()
		if d := diffHashes(before, hashDir(t, cp), func(p string) bool { return p == LockFile }); d != "" {
			t.Fatalf("read-only open at %s changed %s", step, d)
		}
	}
}

// TestRotateFaults: a step that fails before the commit point changes
// nothing and the vault keeps working under the old key; a failure after it
// (the rename, a folder fsync) refuses further writes, and the next open
// finishes the switch.
func TestRotateFaults(t *testing.T) {
	defer func() { rotationFault = nil }()
	for _, step := range []string{"objects", "header.next", "manifest", "rename"} {
		t.Run(step, func(t *testing.T) {
			f := newRotFixture(t, testOpts())
			rotationFault = func(s string) error {
				if s == step {
					return fmt.Errorf("injected failure at %s", s)
				}
				return nil
			}
			_, _, err := f.rotate(t)
			rotationFault = nil
			if err == nil {
				t.Fatal("no error")
			}
			if _, err := os.Stat(filepath.Join(f.dir, NextHeaderFile)); (err == nil) != (step == "rename") {
				t.Fatalf("header.next present: %v", err == nil)
			}
			if step != "rename" {
				if f.v.Failed() {
					t.Fatal("failed before the commit point")
				}
				if err := f.v.AppendLog([]byte("third")); err != nil {
					t.Fatal(err)
				}
				f.recs = append(f.recs, []byte("third"))
				f.v.Close()
				w := mustOpen(t, f.dir, Passphrase(carolPass).ForUser("Carol").WithKeyFile(carolFile))
				img, _ := load(t, w)
				recs, err := w.ReadLog()
				if err != nil || !bytes.Equal(img, f.image) || len(recs) != 3 {
					t.Fatalf("after a failed rotation: %d records, %v", len(recs), err)
				}
				w.Close()
				if !f.bobOpens(t, f.dir) {
					t.Fatal("the old key no longer opens the old state")
				}
				return
			}
			if !f.v.Failed() || f.v.AppendLog([]byte("x")) == nil {
				t.Fatal("writes accepted after a failure past the commit point")
			}
			f.v.Close()
			for _, cred := range f.creds(t, "") {
				if got := rotState(t, f, f.dir, cred, f.seg); got != "new" {
					t.Fatalf("as %q: %s", cred.User(), got)
				}
			}
			if f.bobOpens(t, f.dir) {
				t.Fatal("Bob's old copy opens the new state")
			}
		})
	}
	// A folder fsync that fails right after the manifest's rename (the
	// disk's word, through the fault-injecting FS).
	t.Run("fsync", func(t *testing.T) {
		ff := newFaultFS()
		f := newRotFixture(t, faultyOpts(ff))
		armed := false
		rotationFault = func(s string) error {
			armed = s == "manifest"
			return nil
		}
		ff.set(func(dir string) error {
			if armed && dir == f.dir {
				return errors.New("injected fsync failure")
			}
			return nil
		}, nil)
		_, _, err := f.rotate(t)
		rotationFault = nil
		ff.set(nil, nil)
		if err == nil || !f.v.Failed() {
			t.Fatalf("Commit: %v, failed %v", err, f.v.Failed())
		}
		f.v.Close()
		for _, cred := range f.creds(t, "") {
			if got := rotState(t, f, f.dir, cred, f.seg); got != "new" {
				t.Fatalf("as %q: %s", cred.User(), got)
			}
		}
	})
}

// A backup in progress (a pin) holds the rotation off.
func TestRotateRefusedWhilePinned(t *testing.T) {
	t.Parallel()
	f := newRotFixture(t, testOpts())
	_, release := f.v.Pin()
	if _, err := f.v.BeginRotation(); !errors.Is(err, ErrRotationBusy) {
		t.Fatalf("BeginRotation while pinned: %v", err)
	}
	release()
	r, err := f.v.BeginRotation()
	if err != nil {
		t.Fatal(err)
	}
	// A pin taken after BeginRotation holds off the commit too.
	_, release = f.v.Pin()
	if _, err := r.Commit(context.Background(), f.newImage(), nil); !errors.Is(err, ErrRotationBusy) {
		t.Fatalf("Commit while pinned: %v", err)
	}
	release()
	r.Abort()
	if _, err := r.Commit(context.Background(), f.newImage(), nil); err == nil {
		t.Fatal("a rotation committed twice")
	}
}
