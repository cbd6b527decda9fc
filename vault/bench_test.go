package vault

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkAppendLog: one redo log record of 300 bytes (about one client
// edit) encrypted, written with its mark and fdatasync'ed, through the
// operating system's FS.
func BenchmarkAppendLog(b *testing.B) {
	v, _, _ := newVault(b)
	rec := make([]byte, 300)
	if err := v.AppendLog(rec); err != nil { // creates the log file
		b.Fatal(err)
	}
	for b.Loop() {
		if err := v.AppendLog(rec); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUnlockUser: Open by a user's name and passphrase, with 1 and 20
// user slots (test KDF: 8 MiB, t=1), so that what grows with the number of
// users shows: the slot is found by tag, one Argon2id per unlock.
func BenchmarkUnlockUser(b *testing.B) {
	for _, users := range []int{1, 20} {
		b.Run(fmt.Sprintf("users=%d", users), func(b *testing.B) {
			v, dir, _ := newVault(b)
			for i := range users - 1 {
				if err := v.AddUserSlot(userName(i), userPass(i), nil, testKDF); err != nil {
					b.Fatal(err)
				}
			}
			cred := Passphrase(testPass)
			if users > 1 {
				cred = Passphrase(userPass(users - 2)).ForUser(userName(users - 2)) // the last slot
			}
			v.Close()
			for b.Loop() {
				w, err := Open(dir, cred)
				if err != nil {
					b.Fatal(err)
				}
				w.Close()
			}
		})
	}
}

// BenchmarkRotateDataKey: a data key rotation of a 58 MiB image (the
// database of about 10,000 clients) with one re-put object: every chunk
// written under the new key, header.next, manifest, rename, the old chunks
// swept. On the operating system's file system of the test's temp folder.
func BenchmarkRotateDataKey(b *testing.B) {
	v, _, _ := newVault(b)
	load(b, v)
	image := detRand(58, 58<<20)
	seg, err := v.PutObject(KindAuditSegment, []byte("segment"))
	if err != nil {
		b.Fatal(err)
	}
	if err := v.WriteCheckpoint(context.Background(), image, nil, ObjectRef{KindAuditSegment, seg}); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(image)))
	for b.Loop() {
		r, err := v.BeginRotation()
		if err != nil {
			b.Fatal(err)
		}
		if seg, err = r.Reput(KindAuditSegment, seg); err != nil {
			b.Fatal(err)
		}
		if _, err := r.Commit(context.Background(), image, nil, ObjectRef{KindAuditSegment, seg}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFindUserSlot: what an unlock does besides its one key
// derivation and unwrap: parse and check the header, then find the user's
// slot by tag, with 1, 20 and 64 slots.
func BenchmarkFindUserSlot(b *testing.B) {
	for _, users := range []int{0, 18, 62} {
		hb := sampleHeaderV2(users, false)
		name := ""
		if users > 0 {
			name = userName(users - 1)
		}
		cred := Passphrase(testPass).ForUser(name).WithKeyFile([]byte("k")) // every third slot needs one
		b.Run(fmt.Sprintf("slots=%d", users+2), func(b *testing.B) {
			for b.Loop() {
				h, err := parseHeader("header", hb)
				if err != nil {
					b.Fatal(err)
				}
				c, err := h.candidates(cred)
				if err != nil || len(c) != 1 {
					b.Fatal(c, err)
				}
			}
		})
	}
}
