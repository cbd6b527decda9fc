package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"casevault/vault"
)

// BenchmarkDestroy: one Destroy of 1,000 closed due matters (each with a
// 1 KB note, two parties and, one in ten, a document) in a vault of
// 10,000 clients, then PurgeDeleted; the checkpoint after it and the
// image's size before and after are reported beside ns/op:
//
//	go test ./store -run '^$' -bench Destroy -benchtime 1x
func BenchmarkDestroy(b *testing.B) {
	const clients, due = 10000, 1000
	ctx := context.Background()
	var before, after int64
	var ckpt time.Duration
	for b.Loop() {
		b.StopTimer()
		s, ids := destroyBenchStore(b, clients, due)
		if err := s.Checkpoint(ctx); err != nil {
			b.Fatal(err)
		}
		before = imageSize(b, s)
		b.StartTimer()
		err := s.Update(ctx, func(tx *Tx) error {
			if _, err := tx.Destroy(DestroySpec{MatterIDs: ids, At: retNow, By: "owner"}); err != nil {
				return err
			}
			return tx.PurgeDeleted()
		})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		start := time.Now()
		if err := s.Checkpoint(ctx); err != nil {
			b.Fatal(err)
		}
		ckpt = time.Since(start)
		after = imageSize(b, s)
		b.StartTimer()
	}
	b.ReportMetric(float64(before), "image-bytes-before")
	b.ReportMetric(float64(after), "image-bytes-after")
	b.ReportMetric(float64(ckpt.Milliseconds()), "checkpoint-ms")
}

func imageSize(b *testing.B, s *Store) int64 {
	image, _, err := s.Vault().LoadCheckpoint(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	return int64(len(image))
}

// destroyBenchStore builds, with direct inserts in one transaction, a
// vault of n clients each with one matter, of which the first due are
// closed and due for destruction; it returns their ids.
func destroyBenchStore(b *testing.B, n, due int) (*Store, []int64) {
	s := openStore(b, newVault(b), Options{CheckpointBytes: -1, Roles: testRoles})
	r := rand.New(rand.NewPCG(1, 2))
	word := func() string {
		const letters = "abcdefghijklmnopqrstuvwxyz"
		w := make([]byte, 4+r.IntN(6))
		for i := range w {
			w[i] = letters[r.IntN(len(letters))]
		}
		return string(w)
	}
	text := func(size int) string {
		t := word()
		for len(t) < size {
			t += " " + word()
		}
		return t
	}
	var chunks []vault.Chunk
	for i := range 20 {
		content := fmt.Sprintf("document chunk %d %s", i, text(2000))
		id, err := s.Vault().PutObject(vault.KindDocument, []byte(content))
		if err != nil {
			b.Fatal(err)
		}
		chunks = append(chunks, vault.Chunk{ID: id, Size: uint32(len(content))})
	}
	old, closed := ms(retNow.AddDate(-9, 0, 0)), ms(retNow.AddDate(-8, 0, 0))
	var ids []int64
	err := s.Update(context.Background(), func(tx *Tx) error {
		for i := 1; i <= n; i++ {
			if _, err := tx.Exec(`INSERT INTO clients(id, name, email, notes, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
				i, word()+" "+word(), word()+"@example.test", text(200), old, old); err != nil {
				return err
			}
			status, closedAt, after, rule := "open", any(nil), any(nil), ""
			if i <= due {
				status, closedAt, after, rule = "closed", closed, ms(retNow.AddDate(-1, 0, 0)), "rule:"
			}
			if _, err := tx.Exec(`INSERT INTO matters(id, client_id, number, title, practice_area, status, opened_at, closed_at,
				created_at, updated_at, destroy_after, destroy_rule) VALUES (?, ?, ?, ?, 'Family law', ?, ?, ?, ?, ?, ?, ?)`,
				i, i, fmt.Sprintf("2017-%05d", i), word()+" v. "+word(), status, old, closedAt, old, old, after, rule); err != nil {
				return err
			}
			if _, err := tx.Exec("INSERT INTO matter_clients(matter_id, client_id) VALUES (?, ?)", i, i); err != nil {
				return err
			}
			if i > due {
				continue
			}
			ids = append(ids, int64(i))
			if _, err := tx.Exec("INSERT INTO notes(matter_id, text, author, created_at) VALUES (?, ?, 'owner', ?)", i, text(1024), old); err != nil {
				return err
			}
			for _, role := range []string{RoleAdverse, RoleRelated} {
				if _, err := tx.Exec("INSERT INTO parties(matter_id, role, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
					i, role, word()+" "+word(), old, old); err != nil {
					return err
				}
			}
			if i%10 == 0 {
				c := chunks[i%len(chunks)]
				v := &DocumentVersion{Size: int64(c.Size), MediaType: "text/plain", AddedAt: retNow, AddedBy: "owner", How: HowAdded}
				if _, err := tx.AddDocument(&Document{MatterID: int64(i), Name: word() + ".txt", CreatedAt: retNow, CreatedBy: "owner"},
					v, []vault.Chunk{c}, text(500)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return s, ids
}
