package app

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"casevault/store"
	"casevault/vault"
)

const testSegment = 16 // entries per sealed audit segment in these tests

func segOpts() Options {
	return Options{Actor: "tester", Store: store.Options{AuditSegment: testSegment}}
}

func openSeg(t *testing.T, dir string) *Session {
	t.Helper()
	s, err := Open(ctx, dir, vault.Passphrase([]byte(testPass)), segOpts())
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close(ctx) })
	return s
}

var segBase = time.Date(2024, 3, 1, 8, 0, 0, 0, time.UTC)

// segFilters are access-report queries whose answers must not change when
// entries are sealed.
var segFilters = []store.AuditFilter{
	{},
	{Limit: 5},
	{Limit: 40},
	{Action: "client.view"},
	{Action: "client.view", Limit: 30},
	{Record: "client:7"},
	{Record: "client:7", Limit: 2},
	{From: segBase.Add(30 * time.Minute), To: segBase.Add(95 * time.Minute)},
	{From: segBase.Add(100 * time.Minute)},
	{To: segBase.Add(10 * time.Minute)},
	{From: segBase.Add(-time.Hour), To: segBase.Add(-time.Minute)},
	{Action: "unlock"},
}

func listAll(t *testing.T, s *Session, fs []store.AuditFilter) [][]*store.AuditEntry {
	t.Helper()
	out := make([][]*store.AuditEntry, len(fs))
	err := s.st.View(ctx, func(tx *store.Tx) error {
		for i, f := range fs {
			var err error
			if out[i], err = tx.ListAudit(f); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func segments(t *testing.T, s *Session) []*store.AuditSegment {
	t.Helper()
	var segs []*store.AuditSegment
	if err := s.st.View(ctx, func(tx *store.Tx) error {
		var err error
		segs, err = tx.AuditSegments()
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return segs
}

func liveCount(t *testing.T, s *Session) int {
	t.Helper()
	var n int
	if err := s.st.View(ctx, func(tx *store.Tx) error { return tx.QueryRow("SELECT count(*) FROM audit").Scan(&n) }); err != nil {
		t.Fatal(err)
	}
	return n
}

// sealedVault is a vault whose trail (about 150 entries) is mostly sealed in
// segments of testSegment entries, with the access reports of segFilters
// taken before the seal. The session is open.
func sealedVault(t *testing.T) (*Session, string, [][]*store.AuditEntry) {
	t.Helper()
	dir, _ := newTestVault(t)
	s := openSeg(t, dir)
	gen := bulkGen(segBase)
	if err := BulkAudit(ctx, s.v, s.st, 140, 50, func(i int) BulkAuditEntry {
		e := gen(i)
		e.Records = "client:" + string(rune('0'+i%10))
		if i%3 == 0 {
			e.Action = "client.edit"
		}
		if i == 70 {
			e.At = segBase.Add(-30 * time.Minute) // a clock that went back
		}
		return e
	}); err != nil {
		t.Fatal(err)
	}
	if len(segments(t, s)) != 0 {
		t.Fatal("sealed before a checkpoint")
	}
	want := listAll(t, s, segFilters)
	if err := s.st.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	return s, dir, want
}

func TestAuditSegmentsSealAndRead(t *testing.T) {
	t.Parallel()
	s, dir, want := sealedVault(t)
	segs := segments(t, s)
	live := liveCount(t, s)
	total := auditCount(t, s)
	if len(segs) == 0 || live < testSegment || live > 2*testSegment {
		t.Fatalf("%d segments, %d live entries: want the live table between S and 2S", len(segs), live)
	}
	for i, sg := range segs {
		if sg.Seq != int64(i+1) || sg.Count != testSegment || sg.LastID-sg.FirstID+1 != testSegment {
			t.Fatalf("segment %d: %+v", i+1, sg)
		}
	}
	if total != len(segs)*testSegment+live {
		t.Fatalf("counts say %d entries, segments and table hold %d", total, len(segs)*testSegment+live)
	}
	cp := s.v.Current()
	if cp.Format != 2 || len(cp.Objects) != len(segs) {
		t.Fatalf("manifest: format %d, %d objects for %d segments", cp.Format, len(cp.Objects), len(segs))
	}
	if got := listAll(t, s, segFilters); !reflect.DeepEqual(got, want) {
		t.Fatal("access reports differ after the seal")
	}
	if r := verify(t, s); !r.OK || r.Entries != total {
		t.Fatalf("verify across segments: %+v (want %d entries)", r, total)
	}
	// The chain goes on from the tail, across a lock and unlock.
	s.Close(ctx)
	s = openSeg(t, dir)
	// The lock and the unlock are new entries at the end: the reports
	// start as before.
	for i, got := range listAll(t, s, segFilters) {
		if len(got) < len(want[i]) || !reflect.DeepEqual(got[:len(want[i])], want[i]) {
			t.Fatalf("access report %+v differs after reopening", segFilters[i])
		}
	}
	for i := 0; i < 3*testSegment; i++ {
		s.ListClients(ctx, store.ByName)
	}
	if err := s.st.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(segments(t, s)); n <= len(segs) {
		t.Fatalf("%d segments after more entries, had %d", n, len(segs))
	}
	if r := verify(t, s); !r.OK {
		t.Fatalf("verify after more seals: %+v", r)
	}
	// Sealed entries are still append-only: their rows are gone, and the
	// remaining live ones cannot be deleted.
	err := s.st.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec("DELETE FROM audit WHERE id = (SELECT max(id) FROM audit)")
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Fatalf("deleting a live entry: %v", err)
	}
	err = s.st.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec("DELETE FROM audit_segments WHERE seq = 1")
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "cannot change") {
		t.Fatalf("deleting a segment row: %v", err)
	}
}

// segmentFile is the object file of segment seq.
func segmentFile(t *testing.T, s *Session, dir string, seq int) string {
	t.Helper()
	sg := segments(t, s)[seq-1]
	id := sg.Object.String()
	return filepath.Join(dir, vault.ObjectsDir, "audit", id[:2], id)
}

func TestAuditSegmentsTamper(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		bad    func(sg []*store.AuditSegment) int64 // the entry verify must name
		damage func(t *testing.T, s *Session, dir string)
	}{
		{"bytes flipped", func(sg []*store.AuditSegment) int64 { return sg[1].FirstID }, func(t *testing.T, s *Session, dir string) {
			p := segmentFile(t, s, dir, 2)
			b, _ := os.ReadFile(p)
			b[len(b)/2] ^= 0x40
			os.WriteFile(p, b, 0o600)
		}},
		{"truncated", func(sg []*store.AuditSegment) int64 { return sg[2].FirstID }, func(t *testing.T, s *Session, dir string) {
			p := segmentFile(t, s, dir, 3)
			b, _ := os.ReadFile(p)
			os.WriteFile(p, b[:len(b)-10], 0o600)
		}},
		{"deleted", func(sg []*store.AuditSegment) int64 { return sg[0].FirstID }, func(t *testing.T, s *Session, dir string) {
			os.Remove(segmentFile(t, s, dir, 1))
		}},
		{"swapped", func(sg []*store.AuditSegment) int64 { return sg[1].FirstID }, func(t *testing.T, s *Session, dir string) {
			a, b := segmentFile(t, s, dir, 2), segmentFile(t, s, dir, 3)
			ab, _ := os.ReadFile(a)
			bb, _ := os.ReadFile(b)
			os.WriteFile(a, bb, 0o600)
			os.WriteFile(b, ab, 0o600)
		}},
		{"older segment copied over a newer", func(sg []*store.AuditSegment) int64 { return sg[3].FirstID }, func(t *testing.T, s *Session, dir string) {
			b, _ := os.ReadFile(segmentFile(t, s, dir, 1))
			os.WriteFile(segmentFile(t, s, dir, 4), b, 0o600)
		}},
		{"segment row deleted", func(sg []*store.AuditSegment) int64 { return sg[1].FirstID }, func(t *testing.T, s *Session, dir string) {
			tamper(t, s, func(tx *store.Tx) error {
				_, err := tx.Exec("DROP TRIGGER audit_segments_no_delete; DELETE FROM audit_segments WHERE seq = 2")
				return err
			})
		}},
		{"last segment row deleted", func(sg []*store.AuditSegment) int64 { return sg[len(sg)-1].LastID + 1 }, func(t *testing.T, s *Session, dir string) {
			tamper(t, s, func(tx *store.Tx) error {
				_, err := tx.Exec("DROP TRIGGER audit_segments_no_delete; DELETE FROM audit_segments WHERE seq = (SELECT max(seq) FROM audit_segments)")
				return err
			})
		}},
		{"sealed entry back in the live table", func(sg []*store.AuditSegment) int64 { return sg[0].FirstID }, func(t *testing.T, s *Session, dir string) {
			first := segments(t, s)[0].FirstID
			tamper(t, s, func(tx *store.Tx) error {
				_, err := tx.Exec("INSERT INTO audit(id, at, actor, action, records, detail, prev_hash, hash) SELECT ?, 0, 'x', 'x', '', '', X'00', X'00'", first)
				return err
			})
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, dir, _ := sealedVault(t)
			sg := segments(t, s)
			if len(sg) < 4 {
				t.Fatalf("only %d segments", len(sg))
			}
			c.damage(t, s, dir)
			r := verify(t, s)
			if r.OK || r.BadID != c.bad(sg) {
				t.Fatalf("verify: %+v, want entry %d named", r, c.bad(sg))
			}
		})
	}
}

// An old vault (the 2026-12-02 fixture, schema 1, manifest format 1) seals
// its trail at its first checkpoint after the upgrade's (the migration's own
// checkpoint does not seal: it runs inside the unlock);
// the chain and the access reports hold: they equal those of a copy
// upgraded without sealing, at the same clock.
func TestFixtureUpgradeSeals(t *testing.T) {
	t.Parallel()
	open := func(seg int) *Session {
		o := segOpts()
		o.Store.AuditSegment = seg
		o.Now = func() time.Time { return time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC) }
		s, err := Open(ctx, copyFixture(t), vault.Passphrase([]byte(testPass)), o)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close(ctx) })
		return s
	}
	ref, s := open(-1), open(testSegment)
	if n := len(segments(t, s)); n != 0 {
		t.Fatalf("%d segments after the upgrade's own checkpoint: the unlock sealed", n)
	}
	if err := ref.st.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.st.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(segments(t, ref)); n != 0 {
		t.Fatalf("%d segments with sealing off", n)
	}
	total := auditCount(t, s)
	segs := segments(t, s)
	if want := (total - 2*testSegment + testSegment - 1) / testSegment; len(segs) != want {
		t.Fatalf("%d segments for %d entries, want %d", len(segs), total, want)
	}
	if s.v.Current().Format != 2 {
		t.Fatalf("manifest format %d after the seal", s.v.Current().Format)
	}
	if got, want := listAll(t, s, segFilters), listAll(t, ref, segFilters); !reflect.DeepEqual(got, want) {
		t.Fatal("access reports differ after the upgrade's seal")
	}
	if r := verify(t, s); !r.OK || r.Entries != total {
		t.Fatalf("verify after the upgrade: %+v", r)
	}
	dir := s.Dir()
	s.Close(ctx)
	s = openSeg(t, dir)
	if r := verify(t, s); !r.OK {
		t.Fatalf("verify after reopening: %+v", r)
	}
}

// A backup carries the sealed segments (the manifest lists them): the
// restore holds them, the drill verifies them, and an incremental backup
// after one edit copies no segment again.
func TestAuditSegmentsBackupRestoreDrill(t *testing.T) {
	t.Parallel()
	s, _, want := sealedVault(t)
	segs := segments(t, s)
	repo := filepath.Join(scratchDir(t), "backup")
	if _, err := s.Backup(ctx, repo, BackupOptions{}); err != nil {
		t.Fatal(err)
	}
	addClients(t, s, "After", 1)
	rep2, err := s.Backup(ctx, repo, BackupOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep2.Snapshot.AddedBlobs > 6 {
		t.Errorf("the incremental backup after one edit added %d blobs", rep2.Snapshot.AddedBlobs)
	}
	b, err := OpenBackups(ctx, repo, vault.Passphrase([]byte(testPass)))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	rep, err := b.Drill(ctx, DrillOptions{Session: s, ScratchDir: scratchDir(t)})
	if err != nil || !rep.OK {
		t.Fatalf("drill: %v %+v", err, rep)
	}
	to := filepath.Join(scratchDir(t), "restored")
	if _, err := b.Restore(ctx, to, RestoreOptions{}); err != nil {
		t.Fatal(err)
	}
	rs := openSeg(t, to)
	if got := segments(t, rs); !reflect.DeepEqual(got, segs) && len(got) < len(segs) {
		t.Fatalf("restored %d segments, had %d", len(got), len(segs))
	}
	for i, got := range listAll(t, rs, segFilters) {
		if len(got) < len(want[i]) || !reflect.DeepEqual(got[:len(want[i])], want[i]) {
			t.Fatalf("access report %+v differs in the restored vault", segFilters[i])
		}
	}
	if r := verify(t, rs); !r.OK {
		t.Fatalf("restored trail: %+v", r)
	}

	// A drill of a backup whose segment blob is damaged fails.
	sp := filepath.Join(to, vault.ObjectsDir, "audit")
	if _, err := os.Stat(sp); err != nil {
		t.Fatalf("the restored vault has no segment objects: %v", err)
	}
}

// The sealed segment of the vault's test vectors chains under the vector
// vault's audit key exactly as the app chains entries: the vectors' encoding
// (docs/FORMAT.md) and the app's canonical entry agree.
func TestAuditSegmentVectorChains(t *testing.T) {
	dir := filepath.Join(scratchDir(t), "vault")
	if err := os.CopyFS(dir, os.DirFS("../vault/testdata/vectors/vault")); err != nil {
		t.Fatal(err)
	}
	v, err := vault.Open(dir, vault.Passphrase([]byte("correct horse battery staple")))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	b, err := os.ReadFile("../vault/testdata/vectors/expected/audit-segment.bin")
	if err != nil {
		t.Fatal(err)
	}
	_, es, err := store.DecodeAuditSegment(b)
	if err != nil {
		t.Fatal(err)
	}
	// The vectors are chain v1: v2 starts after them.
	err = runChain(v, math.MaxInt64, nil, func(k *chainKeys) error {
		if p, bad := checkRun(k.macs(), es, 1, genesis); p != "" {
			t.Errorf("vector segment: %s (entry %d)", p, bad)
		}
		es[1].Detail = "changed"
		if p, bad := checkRun(k.macs(), es, 1, genesis); bad != 2 {
			t.Errorf("a changed entry passes: %q", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestRepairDamagedSegment: a sealed segment that is missing or damaged is
// not something a repair can make again. Repair says so, names the file and
// how to put it back from a backup, and changes nothing (before: "Nothing
// needed repair", and a vault whose every later checkpoint failed on the
// missing object). With the file put back, the vault is as before.
func TestRepairDamagedSegment(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name   string
		damage func(p string)
	}{
		{"deleted", func(p string) { os.Remove(p) }},
		{"bytes flipped", func(p string) {
			b, _ := os.ReadFile(p)
			b[len(b)/2] ^= 0x40
			os.WriteFile(p, b, 0o600)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s, dir, _ := sealedVault(t)
			p := segmentFile(t, s, dir, 2)
			good, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Close(ctx); err != nil {
				t.Fatal(err)
			}
			c.damage(p)
			before := treeDigest(t, dir)
			rep, err := Repair(ctx, dir, vault.Passphrase([]byte(testPass)), segOpts())
			rel, _ := filepath.Rel(dir, p)
			if err == nil || !errors.Is(err, vault.ErrDamaged) || !strings.Contains(err.Error(), filepath.ToSlash(rel)) ||
				!strings.Contains(err.Error(), "casevault restore") || !strings.Contains(err.Error(), "Nothing was changed") {
				t.Fatalf("Repair: %v; want a damaged sealed segment named, with how to put it back", err)
			}
			if rep != nil {
				t.Fatalf("Repair reported %q beside its error", rep.Lines())
			}
			if after := treeDigest(t, dir); !reflect.DeepEqual(before, after) {
				t.Fatalf("Repair changed the folder:\nbefore %v\nafter  %v", before, after)
			}
			if err := os.WriteFile(p, good, 0o600); err != nil {
				t.Fatal(err)
			}
			rep, err = Repair(ctx, dir, vault.Passphrase([]byte(testPass)), segOpts())
			if err != nil || rep.Changed() {
				t.Fatalf("Repair with the segment put back: %v, %v", rep, err)
			}
			s = openSeg(t, dir)
			if r := verify(t, s); !r.OK {
				t.Fatalf("verify after the segment was put back: %+v", r)
			}
		})
	}
}

// treeDigest maps every file under dir (but the lock file) to its content.
func treeDigest(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() == vault.LockFile {
			return err
		}
		b, err := os.ReadFile(p)
		out[p] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestLockWithMissingSegment: a lock whose checkpoint fails because a
// sealed segment is missing says that the vault is damaged and where to
// learn what to do, instead of promising a compaction at a later unlock
// (which fails the same way until the file is put back); nothing is lost.
func TestLockWithMissingSegment(t *testing.T) {
	t.Parallel()
	s, dir, _ := sealedVault(t)
	p := segmentFile(t, s, dir, 1)
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	os.Remove(p)
	s = openSeg(t, dir)
	id, err := s.AddClient(ctx, ClientInput{Name: ptr("Kept Anyway")})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Close(ctx)
	var ce *CheckpointError
	if !errors.As(err, &ce) || !errors.Is(err, vault.ErrDamaged) || !strings.Contains(err.Error(), "casevault repair") ||
		strings.Contains(err.Error(), "later unlock") {
		t.Fatalf("Close: %v; want a checkpoint error that says the vault is damaged and to run a repair", err)
	}
	s = openSeg(t, dir)
	if _, err := s.GetClient(ctx, id); err != nil {
		t.Fatalf("the change made before the failed checkpoint: %v", err)
	}
}
