package backup

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"casevault/vault"
	"casevault/vault/testkit"
)

// Fault injection: a Backend that wraps the real folder backend and makes
// the drive fill up, vanish or turn read-only in the middle of a backup. The
// faults are made the way the operating system makes them (a short write
// ending in ENOSPC, a folder that is no longer there), and the error goes
// through the same classification as the real backend's, so the tests see
// what a user with a real stick would see.

// faultBackend decorates a Backend (the real folder backend) with faults:
// hooks before each Save and read, and a drive that fills up. What it does not
// override, such as List, Remove and Lock, goes to the real backend unchanged.
type faultBackend struct {
	Backend
	local *Local // the folder: where a short write leaves its temp file

	mu          sync.Mutex
	saves       []FileInfo // every Save asked for, in order (name, size)
	removeTemps int        // RemoveTemps calls

	// full makes Save number fullAt (0-based, counting from the last
	// reset) write fullAfter(size) bytes of its temp file and then fail
	// with ENOSPC; every later Save fails the same way after 0 bytes.
	// -1: never.
	fullAt    int
	fullAfter func(size int) int
	// killAt makes Save number killAt (0-based, from the last reset) stop
	// as a killed process does: half of its temp file written, nothing
	// cleaned up, errKilled returned; every later Save fails the same way
	// before writing. -1: never.
	killAt int
	// before runs before Save number n; an error it returns is the Save's.
	before func(n int, name string) error
	// beforeRead runs before each Load and ReadAt (op "load", "readat").
	beforeRead func(op, name string)
	// noRoom: the drive is full. Every Save fails with ENOSPC until a pack
	// is removed (which makes room).
	noRoom bool
	// beforeRemove runs before Remove number n (0-based); an error it
	// returns is the Remove's (a kill at that point: nothing after runs).
	beforeRemove func(n int, name string) error
	removes      int
	// room, when >= 0, is the free space of the drive in bytes: a Save
	// larger than it fails with ENOSPC, every Save uses it up and every
	// Remove gives the file's size back. -1: unlimited.
	room int64
}

var _ Backend = (*faultBackend)(nil)

func newFaultBackend(dir string) *faultBackend {
	l := NewLocal(dir)
	return &faultBackend{Backend: l, local: l, fullAt: -1, killAt: -1, room: -1}
}

// reset forgets the saves counted so far and clears the faults.
func (f *faultBackend) reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.saves, f.fullAt, f.fullAfter, f.killAt, f.before, f.beforeRead = nil, -1, nil, -1, nil, nil
	f.removeTemps = 0
	f.noRoom, f.beforeRemove, f.removes, f.room = false, nil, 0, -1
}

// Remove implements Backend.
func (f *faultBackend) Remove(ctx context.Context, name string) error {
	f.mu.Lock()
	n := f.removes
	f.removes++
	hook := f.beforeRemove
	f.mu.Unlock()
	var size int64
	if fi, err := os.Stat(f.local.path(name)); err == nil {
		size = fi.Size()
	}
	if hook != nil {
		if err := hook(n, name); err != nil {
			return err
		}
	}
	if err := f.Backend.Remove(ctx, name); err != nil {
		return err
	}
	f.mu.Lock()
	if f.room >= 0 {
		f.room += size
	}
	if strings.HasPrefix(name, dataDir+"/") {
		f.noRoom = false
	}
	f.mu.Unlock()
	return nil
}

// Load implements Backend.
func (f *faultBackend) Load(ctx context.Context, name string) ([]byte, error) {
	f.mu.Lock()
	hook := f.beforeRead
	f.mu.Unlock()
	if hook != nil {
		hook("load", name)
	}
	return f.Backend.Load(ctx, name)
}

// ReadAt implements Backend.
func (f *faultBackend) ReadAt(ctx context.Context, name string, off int64, n int) ([]byte, error) {
	f.mu.Lock()
	hook := f.beforeRead
	f.mu.Unlock()
	if hook != nil {
		hook("readat", name)
	}
	return f.Backend.ReadAt(ctx, name, off, n)
}

func (f *faultBackend) savesSoFar() []FileInfo {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]FileInfo(nil), f.saves...)
}

// Save implements Backend.
func (f *faultBackend) Save(ctx context.Context, name string, data []byte) error {
	f.mu.Lock()
	n := len(f.saves)
	f.saves = append(f.saves, FileInfo{Name: name, Size: int64(len(data))})
	fullAt, fullAfter, killAt, before, noRoom := f.fullAt, f.fullAfter, f.killAt, f.before, f.noRoom
	f.mu.Unlock()
	if before != nil {
		if err := before(n, name); err != nil {
			return err
		}
	}
	if killAt >= 0 && n >= killAt {
		if n == killAt {
			// What Local.Save leaves when the process dies after its write.
			tmp := filepath.Join(filepath.Dir(f.local.path(name)), fmt.Sprintf(".tmp-%012x", n))
			if err := os.MkdirAll(filepath.Dir(tmp), 0o700); err != nil {
				return err
			}
			if err := os.WriteFile(tmp, data[:len(data)/2], 0o600); err != nil {
				return err
			}
		}
		return errKilled
	}
	if noRoom {
		return f.shortWrite(name, nil)
	}
	f.mu.Lock()
	tooBig := f.room >= 0 && int64(len(data)) > f.room
	if f.room >= 0 && !tooBig {
		f.room -= int64(len(data))
	}
	f.mu.Unlock()
	if tooBig {
		return f.shortWrite(name, nil)
	}
	if fullAt >= 0 && n >= fullAt {
		part := 0
		if n == fullAt && fullAfter != nil {
			part = max(0, min(fullAfter(len(data)), len(data)-1))
		}
		return f.shortWrite(name, data[:part])
	}
	return f.Backend.Save(ctx, name, data)
}

// errKilled is what a Save returns after the simulated kill.
var errKilled = errors.New("killed (simulated)")

// RemoveTemps implements Backend: counts the call, then cleans up for real.
func (f *faultBackend) RemoveTemps(ctx context.Context) {
	f.mu.Lock()
	f.removeTemps++
	f.mu.Unlock()
	f.Backend.RemoveTemps(ctx)
}

// shortWrite does what Local.Save does on a drive that fills up: the temp
// file gets part of the data, the write fails with ENOSPC, the temp file is
// removed and the error is classified.
func (f *faultBackend) shortWrite(name string, part []byte) error {
	dir := filepath.Dir(f.local.path(name))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return f.local.classify(name, err)
	}
	tmp := filepath.Join(dir, ".tmp-fault")
	if err := os.WriteFile(tmp, part, 0o600); err != nil {
		return f.local.classify(name, err)
	}
	os.Remove(tmp)
	return f.local.classify(name, &fs.PathError{Op: "write", Path: tmp, Err: syscall.ENOSPC})
}

// dirBytes reads every file under dir: relative path -> content.
var dirBytes = testkit.TreeBytes

func sameDirBytes(t testing.TB, label string, want, got map[string]string) {
	t.Helper()
	for name, b := range want {
		g, ok := got[name]
		switch {
		case !ok:
			t.Fatalf("%s: %s disappeared", label, name)
		case g != b:
			t.Fatalf("%s: %s changed", label, name)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Fatalf("%s: %s appeared", label, name)
		}
	}
}

// copyDir copies a folder tree (a repository) to a new folder.
var copyDir = testkit.CopyTree

// snapIDs are the ids of a repository's readable snapshots, oldest first.
func snapIDs(t testing.TB, r *Repo) []string {
	t.Helper()
	snaps, bad, err := r.Snapshots(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(bad) > 0 {
		t.Fatalf("damaged snapshots: %v", bad)
	}
	var ids []string
	for _, s := range snaps {
		ids = append(ids, s.ID)
	}
	return ids
}

// verifyClean runs a full verify and fails the test on any problem. It
// returns the report (Unreferenced may be non-empty).
func verifyClean(t testing.TB, label string, r *Repo, wantSnaps []string) *VerifyReport {
	t.Helper()
	rep, err := r.Verify(context.Background(), VerifyOptions{ReadData: true}, nil)
	if err != nil {
		t.Fatalf("%s: verify: %v (%+v)", label, err, rep)
	}
	if len(rep.Problems) > 0 || rep.Snapshots != len(wantSnaps) || len(rep.Healthy) != len(wantSnaps) {
		t.Fatalf("%s: verify report %+v, want %d healthy snapshots", label, rep, len(wantSnaps))
	}
	if got := snapIDs(t, r); strings.Join(got, ",") != strings.Join(wantSnaps, ",") {
		t.Fatalf("%s: snapshots %v, want %v", label, got, wantSnaps)
	}
	return rep
}

// restoreAndCheck restores s into a new folder and checks its content. The
// restored vault is opened with keys (no key derivation).
func restoreAndCheck(t testing.TB, label string, r *Repo, s *Snapshot, keys *vault.Keys, wantImg []byte, wantRecs [][]byte) {
	t.Helper()
	to := filepath.Join(t.TempDir(), "restored")
	if _, err := r.Restore(context.Background(), s, to, nil); err != nil {
		t.Fatalf("%s: restore %s: %v", label, s.Short(), err)
	}
	v, err := vault.OpenWithKeys(to, keys)
	if err != nil {
		t.Fatalf("%s: opening the restored vault: %v", label, err)
	}
	defer v.Close()
	sameState(t, label+": restored "+s.Short(), wantImg, wantRecs, v)
}

func isHeavy() bool { return os.Getenv("CASEVAULT_HEAVY") != "" }

// bigEdit replaces the whole image with chunks new random chunks, so that the
// next backup writes two packs, an index and a snapshot.
func (tv *testVault) bigEdit(chunks int) {
	tv.t.Helper()
	tv.img = make([]byte, chunks*vault.ChunkSize)
	rand.Read(tv.img)
	tv.checkpoint()
	tv.edit(1)
}

// TestBackupTargetFull fills the drive at every save of a backup (the
// first pack, the second, the index, the snapshot) and at several points
// inside each. Each time the backup fails with ErrTargetFull and a clear
// message, the vault is untouched, the repository verifies with the same
// snapshots as before, and a backup with room then succeeds and restores.
func TestBackupTargetFull(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tv := newTestVault(t, 4)
	fv := &fakeVolume{id: "uuid:FULL"}
	r0, base := initRepo(t, tv, fv)
	s0 := runBackup(t, r0, tv)

	tv.bigEdit(PackSize/vault.ChunkSize + 2) // two packs
	wantImg, wantRecs := state(t, tv.v)
	vaultBefore := dirBytes(t, tv.dir)

	// The backup saves two packs, an index and a snapshot (checked at the
	// first point, which fails at the snapshot). The drive fills up at each
	// save, in the middle of it; in heavy runs at more places.
	kinds := []string{"first pack", "second pack", "index", "snapshot"}
	type point struct {
		save  int
		after string
	}
	afters := map[string]func(size int) int{
		"half":      func(n int) int { return n / 2 },
		"0":         func(int) int { return 0 },
		"1":         func(int) int { return 1 },
		"a third":   func(n int) int { return n / 3 },
		"all but 4": func(n int) int { return n - 4 },
		"all but 1": func(n int) int { return n - 1 },
	}
	var points []point
	for _, save := range []int{3, 0, 1, 2} {
		points = append(points, point{save, "half"})
		if isHeavy() {
			for _, a := range []string{"0", "1", "a third", "all but 4", "all but 1"} {
				points = append(points, point{save, a})
			}
		}
	}
	for _, p := range points {
		label := fmt.Sprintf("full at the %s, after %s of its bytes", kinds[p.save], p.after)
		dir := filepath.Join(t.TempDir(), "repo")
		copyDir(t, base, dir)
		fb := newFaultBackend(dir)
		opts := testOpts(fv)
		opts.Backend = fb
		r, err := Open(ctx, dir, tv.v.Keys(), opts)
		if err != nil {
			t.Fatal(err)
		}
		fb.fullAt, fb.fullAfter = p.save, afters[p.after]
		src, release := tv.source()
		res, err := r.Backup(ctx, src, nil)
		release()
		if !errors.Is(err, ErrTargetFull) {
			t.Fatalf("%s: backup returned %v (%+v), want ErrTargetFull", label, err, res)
		}
		if p.save == 3 {
			var got []string
			for _, s := range fb.savesSoFar() {
				got = append(got, strings.SplitN(s.Name, "/", 2)[0])
			}
			if strings.Join(got, " ") != "data data index snapshots" {
				t.Fatalf("the backup saved %v; the test expects two packs, an index and a snapshot", fb.savesSoFar())
			}
		}
		if msg := err.Error(); !strings.Contains(msg, "full") || !strings.Contains(msg, dir) {
			t.Fatalf("%s: unclear message %q", label, msg)
		}
		// Unchanged bytes are an unchanged vault; its content is checked
		// once at the end.
		sameDirBytes(t, label+": vault folder", vaultBefore, dirBytes(t, tv.dir))
		for _, f := range listFiles(t, dir) {
			if strings.Contains(f, ".tmp-") {
				t.Fatalf("%s: temp file %s left behind", label, f)
			}
		}
		fb.reset()
		rep := verifyClean(t, label, r, []string{s0.ID})
		// Packs saved before the drive filled up are unreferenced, unless
		// the index made it (the snapshot failed): then none are.
		wantUnref := min(p.save, 2)
		if p.save == 3 {
			wantUnref = 0
		}
		if len(rep.Unreferenced) != wantUnref {
			t.Fatalf("%s: unreferenced packs %v, want %d", label, rep.Unreferenced, wantUnref)
		}

		// The drive has room again. The restore authenticates every blob
		// the new snapshot needs, so the structure check is enough here.
		// Restores cost the most under -race: one is done after a failed
		// snapshot (the backup with room writes only the snapshot and relies
		// on the packs and the index of the failed one), and in heavy runs
		// after every failure.
		s := runBackup(t, r, tv)
		if rep, err := r.Verify(ctx, VerifyOptions{}, nil); err != nil || rep.Snapshots != 2 || len(rep.Healthy) != 2 {
			t.Fatalf("%s, then a backup with room: verify: %v %+v", label, err, rep)
		}
		if p.save == 3 || isHeavy() {
			restoreAndCheck(t, label, r, s, tv.v.Keys(), wantImg, wantRecs)
		}
	}
	sameState(t, "live vault after the failures", wantImg, wantRecs, tv.v)
	t.Logf("%d failure points", len(points))
}

// TestBackupRemovesTempsOfKilledSaves: a backup killed in the middle of a
// save leaves a temp file (a killed process cleans nothing up). The next
// backup and a prune delete such files through the repository's Backend,
// whatever it is: here the fault decorator, not the bare folder backend.
func TestBackupRemovesTempsOfKilledSaves(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tv := newTestVault(t, 2)
	fv := &fakeVolume{id: "uuid:KILL"}
	r0, dir := initRepo(t, tv, fv)
	snaps := []string{runBackup(t, r0, tv).ID}
	fb := newFaultBackend(dir)
	opts := testOpts(fv)
	opts.Backend = fb
	r, err := Open(ctx, dir, tv.v.Keys(), opts)
	if err != nil {
		t.Fatal(err)
	}
	temps := func() (out []string) {
		for _, f := range listFiles(t, dir) {
			if strings.Contains(f, ".tmp-") {
				out = append(out, f)
			}
		}
		return out
	}
	killedBackup := func(label string) {
		t.Helper()
		tv.edit(1)
		fb.reset()
		fb.killAt = 0 // the first save: the pack
		src, release := tv.source()
		_, err := r.Backup(ctx, src, nil)
		release()
		if !errors.Is(err, errKilled) {
			t.Fatalf("%s: the killed backup returned %v", label, err)
		}
		if len(temps()) != 1 {
			t.Fatalf("%s: the kill left temp files %v, want one", label, temps())
		}
		fb.reset()
	}

	killedBackup("backup")
	snaps = append(snaps, runBackup(t, r, tv).ID)
	if left := temps(); len(left) > 0 || fb.removeTemps == 0 {
		t.Fatalf("after the next backup: temp files %v left, RemoveTemps called %d times", left, fb.removeTemps)
	}

	killedBackup("prune")
	if _, err := r.Prune(ctx); err != nil {
		t.Fatal(err)
	}
	if left := temps(); len(left) > 0 || fb.removeTemps == 0 {
		t.Fatalf("after prune: temp files %v left, RemoveTemps called %d times", left, fb.removeTemps)
	}
	verifyClean(t, "after the kills", r, snaps)
}

// TestBackupTargetVanishes removes the repository folder (the stick is
// pulled out) before each save of a backup and before it starts.
func TestBackupTargetVanishes(t *testing.T) {
	ctx := context.Background()
	tv := newTestVault(t, 4)
	fv := &fakeVolume{id: "uuid:GONE"}
	_, base := initRepo(t, tv, fv)
	tv.bigEdit(6) // one pack: the backup saves a pack, an index and a snapshot
	wantImg, wantRecs := state(t, tv.v)
	vaultBefore := dirBytes(t, tv.dir)

	for k := -1; k < 3; k++ {
		label := fmt.Sprintf("folder removed before save %d", k)
		if k < 0 {
			label = "folder removed before the backup"
		}
		parent := t.TempDir()
		dir := filepath.Join(parent, "repo")
		copyDir(t, base, dir)
		fb := newFaultBackend(dir)
		opts := testOpts(fv)
		opts.Backend = fb
		r, err := Open(ctx, dir, tv.v.Keys(), opts)
		if err != nil {
			t.Fatal(err)
		}
		if k < 0 {
			os.RemoveAll(dir)
		}
		fb.before = func(n int, name string) error {
			if n == k {
				if err := os.RemoveAll(dir); err != nil {
					t.Error(err)
				}
			}
			return nil
		}
		src, release := tv.source()
		res, err := r.Backup(ctx, src, nil)
		release()
		if !errors.Is(err, ErrTargetGone) {
			t.Fatalf("%s: backup returned %v (%+v), want ErrTargetGone", label, err, res)
		}
		if msg := err.Error(); !strings.Contains(msg, "disconnected") || !strings.Contains(msg, dir) {
			t.Fatalf("%s: unclear message %q", label, msg)
		}
		// Nothing was written where the stick used to be (on a real
		// machine: the system disk, under the empty mount point).
		if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("%s: the backup made the folder again: %v %v", label, err, listFiles(t, parent))
		}
		sameDirBytes(t, label+": vault folder", vaultBefore, dirBytes(t, tv.dir))
		sameState(t, label+": live vault", wantImg, wantRecs, tv.v)

		// The other operations of a handle whose drive went away say so too.
		fb.reset()
		if _, err := r.Verify(ctx, VerifyOptions{ReadData: true}, nil); !errors.Is(err, ErrTargetGone) {
			t.Fatalf("%s: verify of a vanished folder: %v", label, err)
		}
		if _, _, err := r.Snapshots(ctx); !errors.Is(err, ErrTargetGone) {
			t.Fatalf("%s: snapshots of a vanished folder: %v", label, err)
		}
		if _, err := r.Prune(ctx); !errors.Is(err, ErrTargetGone) {
			t.Fatalf("%s: prune of a vanished folder: %v", label, err)
		}
		if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("%s: the folder was made again: %v", label, listFiles(t, parent))
		}
	}
}

// TestBackupTargetReadOnly makes the repository unwritable in the middle of
// a backup: with permissions (not as root, which ignores them), and with a
// read-only bind mount (as root, when mounts are allowed). Both are real
// errors from the kernel.
func TestBackupTargetReadOnly(t *testing.T) {
	ctx := context.Background()
	tv := newTestVault(t, 4)
	fv := &fakeVolume{id: "uuid:RO"}
	r0, base := initRepo(t, tv, fv)
	s0 := runBackup(t, r0, tv)
	tv.bigEdit(6) // one pack: the backup saves a pack, an index and a snapshot
	wantImg, wantRecs := state(t, tv.v)
	vaultBefore := dirBytes(t, tv.dir)

	type variant struct {
		name string
		// makeRO runs before save n and returns how to undo it.
		makeRO func(t *testing.T, dir string) (undo func())
	}
	variants := []variant{{"chmod 0500", func(t *testing.T, dir string) func() {
		var dirs []string
		filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				dirs = append(dirs, p)
			}
			return nil
		})
		for _, d := range dirs {
			if err := os.Chmod(d, 0o500); err != nil {
				t.Fatal(err)
			}
		}
		return func() {
			for _, d := range dirs {
				os.Chmod(d, 0o700)
			}
		}
	}}, {"read-only bind mount", func(t *testing.T, dir string) func() {
		if err := syscall.Mount(dir, dir, "", syscall.MS_BIND|syscall.MS_REC, ""); err != nil {
			t.Fatalf("bind mount: %v", err)
		}
		if err := syscall.Mount("", dir, "", syscall.MS_REMOUNT|syscall.MS_BIND|syscall.MS_RDONLY, ""); err != nil {
			syscall.Unmount(dir, 0)
			t.Fatalf("remount read-only: %v", err)
		}
		return func() {
			if err := syscall.Unmount(dir, syscall.MNT_DETACH); err != nil {
				t.Errorf("unmount: %v", err)
			}
		}
	}}}
	for _, vr := range variants {
		t.Run(vr.name, func(t *testing.T) {
			switch {
			case vr.name == "chmod 0500" && os.Geteuid() == 0:
				t.Skip("root ignores permissions")
			case vr.name != "chmod 0500" && !canMount(t):
				testkit.SkipUnlessCI(t, "mounts are not allowed here")
			}
			steps := []int{0, 1, 2} // the pack, the index, the snapshot
			for _, k := range steps {
				label := fmt.Sprintf("%s before save %d", vr.name, k)
				dir := filepath.Join(t.TempDir(), "repo")
				copyDir(t, base, dir)
				// The data folders exist before the backup: the lock file
				// is open for writing while it runs, so a mount cannot be
				// made read-only under it: the data folder is.
				for _, sub := range []string{dataDir, indexDir, snapDir} {
					os.MkdirAll(filepath.Join(dir, sub), 0o700)
				}
				fb := newFaultBackend(dir)
				opts := testOpts(fv)
				opts.Backend = fb
				r, err := Open(ctx, dir, tv.v.Keys(), opts)
				if err != nil {
					t.Fatal(err)
				}
				var undo func()
				fb.before = func(n int, name string) error {
					if n == k {
						sub := filepath.Join(dir, strings.SplitN(name, "/", 2)[0])
						undo = vr.makeRO(t, sub)
					}
					return nil
				}
				src, release := tv.source()
				_, err = r.Backup(ctx, src, nil)
				release()
				if undo != nil {
					undo()
				}
				if !errors.Is(err, ErrTargetReadOnly) {
					t.Fatalf("%s: backup returned %v, want ErrTargetReadOnly", label, err)
				}
				if msg := err.Error(); !strings.Contains(msg, "cannot be written") || !strings.Contains(msg, dir) {
					t.Fatalf("%s: unclear message %q", label, msg)
				}
				sameDirBytes(t, label+": vault folder", vaultBefore, dirBytes(t, tv.dir))
				fb.reset()
				verifyClean(t, label, r, []string{s0.ID})
				s := runBackup(t, r, tv)
				if rep, err := r.Verify(ctx, VerifyOptions{}, nil); err != nil || rep.Snapshots != 2 || len(rep.Healthy) != 2 {
					t.Fatalf("%s, then writable again: verify: %v %+v", label, err, rep)
				}
				if k == steps[len(steps)-1] {
					restoreAndCheck(t, label, r, s, tv.v.Keys(), wantImg, wantRecs)
				}
			}
			sameState(t, "live vault", wantImg, wantRecs, tv.v)
		})
	}
}

var canMountOnce struct {
	sync.Once
	ok  bool
	why string
}

// canMount reports whether this process may mount file systems (root in a
// namespace that allows it).
func canMount(t testing.TB) bool {
	canMountOnce.Do(func() {
		if os.Geteuid() != 0 {
			canMountOnce.why = "not root"
			return
		}
		dir, err := os.MkdirTemp("", "casevault-mount-probe")
		if err != nil {
			canMountOnce.why = err.Error()
			return
		}
		defer os.Remove(dir)
		if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=64k"); err != nil {
			canMountOnce.why = err.Error()
			return
		}
		syscall.Unmount(dir, 0)
		canMountOnce.ok = true
	})
	if !canMountOnce.ok {
		t.Logf("cannot mount: %s", canMountOnce.why)
	}
	return canMountOnce.ok
}

// mountTmpfs mounts a tmpfs of size bytes on a new folder and returns it.
func mountTmpfs(t testing.TB, size int) string { return testkit.MountTmpfs(t, size) }

// TestBackupTmpfsFull backs up to a real 1 MiB file system (as root only):
// the kernel's own ENOSPC. Then the file system grows and the backup works.
func TestBackupTmpfsFull(t *testing.T) {
	if !canMount(t) {
		testkit.SkipUnlessCI(t, "needs to mount a tmpfs (root)")
	}
	ctx := context.Background()
	tv := newTestVault(t, 4)
	fv := &fakeVolume{id: "uuid:TMPFS"}
	mnt := mountTmpfs(t, 1<<20)
	dir := filepath.Join(mnt, "casevault-backup")
	c, release, err := tv.v.Capture()
	if err != nil {
		t.Fatal(err)
	}
	release()
	r, err := Init(ctx, dir, tv.v.Keys(), c.Header, testOpts(fv))
	if err != nil {
		t.Fatal(err)
	}
	s0 := runBackup(t, r, tv)
	tv.bigEdit(24) // 1.5 MiB: more than the drive holds
	wantImg, wantRecs := state(t, tv.v)
	vaultBefore := dirBytes(t, tv.dir)
	src, release := tv.source()
	_, err = r.Backup(ctx, src, nil)
	release()
	if !errors.Is(err, ErrTargetFull) || !strings.Contains(err.Error(), "no space left on device") {
		t.Fatalf("backup to a full tmpfs: %v", err)
	}
	t.Logf("message: %v", err)
	sameDirBytes(t, "vault folder", vaultBefore, dirBytes(t, tv.dir))
	sameState(t, "live vault", wantImg, wantRecs, tv.v)
	verifyClean(t, "after ENOSPC", r, []string{s0.ID})
	for _, f := range listFiles(t, dir) {
		if strings.Contains(f, ".tmp-") {
			t.Fatalf("temp file %s left behind", f)
		}
	}
	// More room.
	if err := syscall.Mount("", mnt, "", syscall.MS_REMOUNT, "size=8m"); err != nil {
		t.Fatalf("growing the tmpfs: %v", err)
	}
	s := runBackup(t, r, tv)
	verifyClean(t, "with room", r, []string{s0.ID, s.ID})
	restoreAndCheck(t, "tmpfs", r, s, tv.v.Keys(), wantImg, wantRecs)
}

// TestBackupTmpfsUnplugged detaches a real mount in the middle of a backup
// (as root only): the folder of the repository is gone, and the empty
// mount point is on the system disk. The backup must not write there.
func TestBackupTmpfsUnplugged(t *testing.T) {
	if !canMount(t) {
		testkit.SkipUnlessCI(t, "needs to mount a tmpfs (root)")
	}
	ctx := context.Background()
	tv := newTestVault(t, 4)
	fv := &fakeVolume{id: "uuid:TMPFS"}
	for k := 0; k < 3; k++ {
		mnt := mountTmpfs(t, 32<<20)
		dir := filepath.Join(mnt, "casevault-backup")
		c, release, err := tv.v.Capture()
		if err != nil {
			t.Fatal(err)
		}
		release()
		fb := newFaultBackend(dir)
		opts := testOpts(fv)
		opts.Backend = fb
		r, err := Init(ctx, dir, tv.v.Keys(), c.Header, opts)
		if err != nil {
			t.Fatal(err)
		}
		if k == 0 {
			tv.bigEdit(6) // one pack: the backup saves a pack, an index and a snapshot
		}
		fb.reset()
		fb.before = func(n int, name string) error {
			if n == k {
				if err := syscall.Unmount(mnt, syscall.MNT_DETACH); err != nil {
					t.Errorf("unmount: %v", err)
				}
			}
			return nil
		}
		src, release := tv.source()
		_, err = r.Backup(ctx, src, nil)
		release()
		if !errors.Is(err, ErrTargetGone) {
			t.Fatalf("unplugged before save %d: %v", k, err)
		}
		if left := listFiles(t, mnt); len(left) > 0 {
			t.Fatalf("unplugged before save %d: the backup wrote to the mount point: %v", k, left)
		}
	}
}

// TestReadTargetVanishes pulls the stick while verify and restore read the
// repository: they must say the drive went away, not that the backup is
// damaged (which would send the user hunting for damage that is not there).
func TestReadTargetVanishes(t *testing.T) {
	ctx := context.Background()
	tv := newTestVault(t, 4)
	fv := &fakeVolume{id: "uuid:GONE"}
	r0, base := initRepo(t, tv, fv)
	runBackup(t, r0, tv)
	tv.edit(1)
	runBackup(t, r0, tv)
	for _, op := range []string{"verify", "restore"} {
		for _, at := range []string{"load " + indexDir, "load " + snapDir, "load " + keysDir, "readat " + dataDir, "load " + dataDir} {
			label := fmt.Sprintf("%s, folder removed before the first %s", op, at)
			dir := filepath.Join(t.TempDir(), "repo")
			copyDir(t, base, dir)
			fb := newFaultBackend(dir)
			opts := testOpts(fv)
			opts.Backend = fb
			r, err := Open(ctx, dir, tv.v.Keys(), opts)
			if err != nil {
				t.Fatal(err)
			}
			s, err := r.FindSnapshot(ctx, "latest")
			if err != nil {
				t.Fatal(err)
			}
			var once sync.Once
			fired := false
			fb.beforeRead = func(op, name string) {
				if strings.HasPrefix(op+" "+name, at+"/") {
					once.Do(func() { os.RemoveAll(dir); fired = true })
				}
			}
			switch op {
			case "verify":
				rep, err := r.Verify(ctx, VerifyOptions{ReadData: true}, nil)
				if !errors.Is(err, ErrTargetGone) || errors.Is(err, ErrDamaged) {
					t.Fatalf("%s: %v (%+v)", label, err, rep)
				}
			case "restore":
				_, err := r.Restore(ctx, s, filepath.Join(t.TempDir(), "restored"), nil)
				if !fired && err == nil {
					continue // a restore does not read the snapshot files
				}
				if !errors.Is(err, ErrTargetGone) || errors.Is(err, ErrDamaged) {
					t.Fatalf("%s: %v", label, err)
				}
			}
		}
	}
}
