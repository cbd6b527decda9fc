package main

import (
	"errors"
	"fmt"
	"path/filepath"

	"casevault/app"
	"casevault/store"
	"casevault/vault"
)

// ---- unlock per user ----

// unlockRows: two vaults at the test KDF (so that the key derivation, the
// same for every user, does not drown what grows with the slots): one with
// the owner and 1 user, one with the owner and 20 users. The unlock of the
// user added last (the worst place for a scan) at 20 against the one user
// at 1.
func (x *peopleRunner) unlockRows() {
	n := 20
	if x.c.quick {
		n = 5
	}
	dirs := map[int]string{}
	for _, users := range []int{1, 20} {
		dir := filepath.Join(x.tmp, fmt.Sprintf("people-unlock-%d", users))
		if err := makeUsersVault(dir, users); err != nil {
			x.fail(fmt.Sprintf("a vault with %d users", users), err)
			return
		}
		dirs[users] = dir
	}
	unlock := func(dir, name string) func() error {
		return func() error {
			v, err := vault.Open(dir, vault.Passphrase(userPass(name)).ForUser(name))
			if err != nil {
				return err
			}
			return v.Close()
		}
	}
	progress("people: unlock per user, %d alternating pairs", n)
	s20, s1, err := alternate(n, unlock(dirs[20], userName(20)), unlock(dirs[1], userName(1)))
	if err != nil {
		x.fail("unlock", err)
		return
	}
	x.row(spanRow("unlock a user, vault with 1 user", s1, "-", "vault.Open+Close, test KDF "+testKDF.String()))
	x.row(spanRow("unlock a user, vault with 20 users", s20, "-", "the 20th user added (last slot)"))
	so, _, err := alternate(n, unlock(dirs[20], "owner"), func() error { return nil })
	if err == nil {
		x.row(spanRow("unlock the owner, vault with 20 users", so, "-", "the first slot"))
	}
	unknown := func() error {
		_, err := vault.Open(dirs[20], vault.Passphrase([]byte("nobody's passphrase")).ForUser("nobody"))
		if errors.Is(err, vault.ErrUnknownUser) {
			return nil
		}
		return fmt.Errorf("an unknown user: %v", err)
	}
	if su, _, err := alternate(n, unknown, func() error { return nil }); err == nil {
		x.row(spanRow("refuse an unknown user, 20 users", su, "-", "no key derivation at all"))
	} else {
		x.fail("unknown user", err)
	}
	ratio := s20.median() / s1.median()
	st := "PASS"
	if ratio > 1.25 {
		st = "FAIL"
	}
	x.check(check{st, "unlock at 20 users ≈ at 1 user (no slot scan; target ratio ≤ 1.25, a scan would be ≈ 20)",
		ratioNote(s20, s1, "20 users", "1 user")})
}

func userName(i int) string { return fmt.Sprintf("user%02d", i) }

func userPass(name string) []byte { return []byte("bench passphrase of " + name) }

// makeUsersVault creates a vault whose owner is "owner" with users user01..
// userNN, each with its own passphrase, at the test KDF.
func makeUsersVault(dir string, users int) error {
	v, _, err := vault.Create(dir, userPass("owner"), vault.CreateOptions{KDF: testKDF, Owner: "owner"})
	if err != nil {
		return err
	}
	defer v.Close()
	for i := 1; i <= users; i++ {
		if err := v.AddUserSlot(userName(i), userPass(userName(i)), nil, testKDF); err != nil {
			return err
		}
	}
	return nil
}

// ---- key rotation ----

// rotationRows: the data key changed at 10,000 clients (every object sealed
// again, a full checkpoint under the new key, every slot resealed:
// Session.RotateDataKey as the owner), against a plain full checkpoint of
// the same vault (store.Checkpoint), alternately; each in its own open of
// the vault, only the operation timed.
func (x *peopleRunner) rotationRows(dir string) {
	n := 3
	if x.c.quick {
		n = 1
	}
	ctx := x.ctx
	rotate := func() (float64, error) {
		s, _, err := openSession(ctx, dir)
		if err != nil {
			return 0, err
		}
		var rep *app.RotationReport
		sec, err := timeIt(func() error { rep, err = s.RotateDataKey(ctx); return err })
		if cerr := s.Close(ctx); err == nil {
			err = cerr
		}
		if err == nil && rep.Clients != x.res.size {
			err = fmt.Errorf("the rotation reports %d clients", rep.Clients)
		}
		return sec, err
	}
	checkpoint := func() (float64, error) {
		v, err := vault.Open(dir, vault.Passphrase(benchPass))
		if err != nil {
			return 0, err
		}
		defer v.Close()
		st, err := store.Open(ctx, v, store.Options{CheckpointBytes: -1})
		if err != nil {
			return 0, err
		}
		sec, err := timeIt(func() error { return st.Checkpoint(ctx) })
		if cerr := st.Close(ctx); err == nil {
			err = cerr
		}
		return sec, err
	}
	backup := func(i int) (float64, error) {
		s, _, err := openSession(ctx, dir)
		if err != nil {
			return 0, err
		}
		sec, err := timeIt(func() error {
			_, err := s.Backup(ctx, filepath.Join(x.tmp, fmt.Sprintf("people-rotation-backup-%d", i)), app.BackupOptions{})
			return err
		})
		if cerr := s.Close(ctx); err == nil {
			err = cerr
		}
		return sec, err
	}
	progress("people: key rotation against a checkpoint and a first backup, %d alternating runs", n)
	var sr, sc, sb samples
	for i := 0; i < n; i++ {
		r, err := rotate()
		if err != nil {
			x.fail("rotation", err)
			return
		}
		c, err := checkpoint()
		if err != nil {
			x.fail("checkpoint", err)
			return
		}
		b, err := backup(i)
		if err != nil {
			x.fail("backup", err)
			return
		}
		sr, sc, sb = append(sr, r), append(sc, c), append(sb, b)
	}
	x.row(spanRow(fmt.Sprintf("change the vault key, %s clients", fmtCount(x.res.size)), sr, "-", "Session.RotateDataKey: new data key, every chunk and sealed audit segment written again, every slot resealed"))
	x.row(spanRow(fmt.Sprintf("checkpoint, %s clients", fmtCount(x.res.size)), sc, "-", "store.Checkpoint of the same vault: writes only the chunks that changed (none here)"))
	x.row(spanRow(fmt.Sprintf("first backup to a new folder, %s clients", fmtCount(x.res.size)), sb, "-", "Session.Backup: every byte read, sealed and written, as a rotation does"))
	st := "PASS"
	if sr.median() > 60 {
		st = "FAIL"
	}
	x.check(check{st, fmt.Sprintf("key rotation at %s clients takes seconds, not minutes (≤ 60 s)", fmtCount(x.res.size)),
		fmt.Sprintf("%s; %s; %s", fmtDur(sr.median()), ratioNote(sr, sb, "rotation", "first backup"), ratioNote(sr, sc, "rotation", "checkpoint"))})
}
