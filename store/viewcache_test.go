package store

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

// cacheFixture: 40 clients "common client N", each with one matter
// "common matter" and a note "common note"; matters 5, 10, ... walled off
// from user para, clients 8, 16, ... restricted to user other.
func cacheFixture(t *testing.T) (s *Store, para, other int64, now time.Time) {
	t.Helper()
	ctx := context.Background()
	s = openStore(t, newVault(t), Options{CheckpointBytes: -1})
	now = time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	err := s.Update(ctx, func(tx *Tx) error {
		var err error
		if para, err = tx.InsertUser(&User{Name: "para", Role: "r"}, now); err != nil {
			return err
		}
		if other, err = tx.InsertUser(&User{Name: "other", Role: "r"}, now); err != nil {
			return err
		}
		for i := int64(1); i <= 40; i++ {
			cid, err := tx.InsertClient(&Client{Name: fmt.Sprintf("common client %d", i)}, now)
			if err != nil {
				return err
			}
			mid, err := tx.InsertMatter(&Matter{ClientID: cid, Title: "common matter"}, now)
			if err != nil {
				return err
			}
			if _, err := tx.InsertNote(&Note{MatterID: mid, Text: "common note", Author: "o"}, now); err != nil {
				return err
			}
			if cid%8 == 0 {
				err = tx.SetSecurityClass(KindClient, cid, ClassRestricted, []int64{other})
			} else if mid%5 == 0 {
				err = tx.SetSecurityClass(KindMatter, mid, ClassWalled, []int64{para})
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return s, para, other, now
}

func viewCounts(t *testing.T, s *Store, v Viewer) Counts {
	t.Helper()
	var c Counts
	err := s.ViewAs(context.Background(), v, func(tx *Tx) error {
		var err error
		c, err = tx.Counts()
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestViewCacheFollowsWrites: a read transaction reuses the hidden sets the
// one before it computed, and every kind of write (a class set, a record
// added where the viewer cannot see it, a class lifted) shows in the next
// read at once.
func TestViewCacheFollowsWrites(t *testing.T) {
	ctx := context.Background()
	s, para, _, now := cacheFixture(t)
	pv := Viewer{UserID: para}
	// 40 clients, 5 restricted (8, 16, ..., 40); matters 5, 10, ..., 35
	// walled (7): the paralegal sees 35 clients, 40-5-7 = 28 matters.
	want := Counts{Clients: 35, Matters: 28, Notes: 28}
	got := viewCounts(t, s, pv)
	got.Audit = 0
	if got != want {
		t.Fatalf("paralegal counts %+v, want %+v", got, want)
	}
	var first, second *hiddenSets
	for _, p := range []**hiddenSets{&first, &second} {
		err := s.ViewAs(ctx, pv, func(tx *Tx) error {
			var err error
			*p, err = tx.hidden()
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if first == nil || first != second {
		t.Fatalf("a second read transaction computed the hidden sets again (%p, %p)", first, second)
	}

	// The owner walls matter 1 off from the paralegal.
	err := s.Update(ctx, func(tx *Tx) error { return tx.SetSecurityClass(KindMatter, 1, ClassWalled, []int64{para}) })
	if err != nil {
		t.Fatal(err)
	}
	want.Matters, want.Notes = 27, 27
	if got := viewCounts(t, s, pv); got.Clients != want.Clients || got.Matters != want.Matters || got.Notes != want.Notes {
		t.Fatalf("after a wall: %+v, want %+v", got, want)
	}
	// A note added to a walled matter by the owner is not the paralegal's.
	err = s.Update(ctx, func(tx *Tx) error {
		_, err := tx.InsertNote(&Note{MatterID: 5, Text: "common secret", Author: "o"}, now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := viewCounts(t, s, pv); got.Notes != want.Notes {
		t.Fatalf("after a note in a walled matter: %d notes, want %d", got.Notes, want.Notes)
	}
	err = s.ViewAs(ctx, pv, func(tx *Tx) error {
		hits, err := tx.Search("secret", 10)
		if err == nil && len(hits) > 0 {
			t.Errorf("the paralegal finds %+v", hits)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// The wall lifted: the matter and its note come back.
	err = s.Update(ctx, func(tx *Tx) error { return tx.SetSecurityClass(KindMatter, 1, ClassGeneral, nil) })
	if err != nil {
		t.Fatal(err)
	}
	if got := viewCounts(t, s, pv); got.Matters != 28 || got.Notes != 28 {
		t.Fatalf("after the wall is lifted: %+v", got)
	}
}

// TestViewCacheWriteThroughAs: inside one write transaction, a write made
// through another viewer's Tx (tx.As) is not hidden by what the first one
// cached, whichever way round.
func TestViewCacheWriteThroughAs(t *testing.T) {
	ctx := context.Background()
	s, para, _, now := cacheFixture(t)
	pv := Viewer{UserID: para}
	before := viewCounts(t, s, pv)
	// The paralegal's transaction: it caches, then the vault's own work
	// adds a note to a walled matter.
	err := s.UpdateAs(ctx, pv, func(tx *Tx) error {
		c1, err := tx.Counts()
		if err != nil {
			return err
		}
		if _, err := tx.As(Everyone).InsertNote(&Note{MatterID: 5, Text: "x", Author: "o"}, now); err != nil {
			return err
		}
		c2, err := tx.Counts()
		if err != nil {
			return err
		}
		if c2.Notes != c1.Notes {
			t.Errorf("the paralegal's notes %d → %d after a note in a walled matter", c1.Notes, c2.Notes)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The owner's transaction reads as the paralegal, then writes as itself.
	err = s.Update(ctx, func(tx *Tx) error {
		p := tx.As(pv)
		c1, err := p.Counts()
		if err != nil {
			return err
		}
		if _, err := tx.InsertNote(&Note{MatterID: 5, Text: "y", Author: "o"}, now); err != nil {
			return err
		}
		c2, err := p.Counts()
		if err != nil {
			return err
		}
		if c2.Notes != c1.Notes {
			t.Errorf("the paralegal's notes %d → %d after the owner's note in a walled matter", c1.Notes, c2.Notes)
		}
		// A class set through the paralegal's view of the owner's
		// transaction: the owner's Tx forgets too.
		if err := tx.SetSecurityClass(KindMatter, 2, ClassWalled, []int64{para}); err != nil {
			return err
		}
		c3, err := p.Counts()
		if err != nil {
			return err
		}
		if c3.Matters != c1.Matters-1 {
			t.Errorf("the paralegal's matters %d → %d after a wall, want one less", c1.Matters, c3.Matters)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	after := viewCounts(t, s, pv)
	if after.Notes != before.Notes-1 || after.Matters != before.Matters-1 { // matter 2's note went with it
		t.Fatalf("paralegal counts %+v → %+v", before, after)
	}
}

// TestSearchFilteredOrder: the paralegal's search is everyone's search with
// the hidden hits taken out, in the same order, with the same ranks and
// snippets, however small the limit (the fixture's hits all rank alike).
func TestSearchFilteredOrder(t *testing.T) {
	ctx := context.Background()
	s, para, _, _ := cacheFixture(t)
	pv := Viewer{UserID: para}
	for _, q := range []string{"common", "matter", "client 1", "note"} {
		var all []SearchHit
		visible := map[string]bool{}
		err := s.ViewAs(ctx, Everyone, func(tx *Tx) error {
			var err error
			all, err = tx.Search(q, 1000)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		err = s.ViewAs(ctx, pv, func(tx *Tx) error {
			for _, h := range all {
				var err error
				if h.MatterID != 0 {
					_, err = tx.GetMatter(h.MatterID)
				} else {
					_, err = tx.GetClient(h.ClientID)
				}
				visible[fmt.Sprint(h)] = err == nil
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var want []SearchHit
		for _, h := range all {
			if visible[fmt.Sprint(h)] {
				want = append(want, h)
			}
		}
		if len(want) == len(all) || len(want) == 0 {
			t.Fatalf("%q: %d of %d hits visible: the test tests nothing", q, len(want), len(all))
		}
		for _, limit := range []int{1, 3, 7, 20, 1000} {
			var got []SearchHit
			err := s.ViewAs(ctx, pv, func(tx *Tx) error {
				var err error
				got, err = tx.Search(q, limit)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			w := want[:min(limit, len(want))]
			if fmt.Sprint(got) != fmt.Sprint(w) {
				t.Errorf("%q limit %d:\n got %v\nwant %v", q, limit, got, w)
			}
		}
	}
}

// TestViewCacheConcurrent (for -race): readers as the paralegal while the
// owner walls and unwalls a matter; in every read transaction, whether the
// paralegal sees the matter agrees with its class read in the same
// transaction.
func TestViewCacheConcurrent(t *testing.T) {
	ctx := context.Background()
	s, para, _, _ := cacheFixture(t)
	pv := Viewer{UserID: para}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	errs := make(chan error, 8)
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				err := s.ViewAs(ctx, pv, func(tx *Tx) error {
					class, _, err := tx.As(Everyone).Access(KindMatter, 1)
					if err != nil {
						return err
					}
					_, gerr := tx.GetMatter(1)
					hits, err := tx.Search("common matter", 100)
					if err != nil {
						return err
					}
					found := false
					for _, h := range hits {
						found = found || h.Kind == "matter" && h.MatterID == 1
					}
					if (class == ClassGeneral) != (gerr == nil) || found != (gerr == nil) {
						return fmt.Errorf("class %s, GetMatter %v, found by search %v", class, gerr, found)
					}
					return nil
				})
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for i := range 40 {
		class, users := ClassWalled, []int64{para}
		if i%2 == 1 {
			class, users = ClassGeneral, nil
		}
		if err := s.Update(ctx, func(tx *Tx) error { return tx.SetSecurityClass(KindMatter, 1, class, users) }); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
