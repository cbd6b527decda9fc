package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestConflictHistory: checks list newest first, a page at a time, with
// the total; by a part of a name checked and by decision; every decision
// is kept, oldest first, and none can change.
func TestConflictHistory(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, newVault(t), Options{CheckpointBytes: -1})
	t0 := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	var ids []int64
	err := s.Update(ctx, func(tx *Tx) error {
		for i, names := range []string{`["Jane Roe"]`, `["Acme Ltd","100% Widgets"]`, `["jane doe"]`, `not json`, `["Under_score"]`} {
			// Two checks at the same time (2 and 3): newest first by id.
			at := t0.Add(time.Duration(min(i, 2)) * time.Hour)
			id, err := tx.InsertConflictCheck(&ConflictCheck{At: at, Actor: "owner", Names: names, Hits: `[{"query":"x"},{"query":"y"}]`, Context: fmt.Sprintf("client:%d", i)})
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	decide := func(id int64, d, note string, at time.Time) {
		t.Helper()
		err := s.Update(ctx, func(tx *Tx) error {
			return tx.DecideConflictCheck(id, ConflictDecision{At: at, Actor: "ann", Decision: d, Note: note})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	decide(ids[0], "conflict", "first look", t0.Add(time.Minute))
	decide(ids[0], "waived", "consent in the red file", t0.Add(2*time.Minute))
	decide(ids[1], "clear", "", t0.Add(3*time.Minute))
	if err := s.Update(ctx, func(tx *Tx) error {
		return tx.DecideConflictCheck(999, ConflictDecision{At: t0, Decision: "clear"})
	}); !errors.Is(err, ErrNotFound) {
		t.Errorf("deciding a check that is not there: %v", err)
	}

	list := func(f ConflictFilter) ([]int64, int) {
		t.Helper()
		var got []int64
		var n int
		err := s.View(ctx, func(tx *Tx) error {
			cs, total, err := tx.ListConflictChecks(f)
			for _, c := range cs {
				got = append(got, c.ID)
			}
			n = total
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return got, n
	}
	for _, c := range []struct {
		f     ConflictFilter
		want  []int64
		total int
	}{
		{ConflictFilter{}, []int64{ids[4], ids[3], ids[2], ids[1], ids[0]}, 5},
		{ConflictFilter{Limit: 2}, []int64{ids[4], ids[3]}, 5},
		{ConflictFilter{Limit: 2, Offset: 4}, []int64{ids[0]}, 5},
		{ConflictFilter{Query: "JANE"}, []int64{ids[2], ids[0]}, 2},
		{ConflictFilter{Query: "widgets"}, []int64{ids[1]}, 1},
		{ConflictFilter{Query: "%"}, []int64{ids[1]}, 1},    // a literal percent sign
		{ConflictFilter{Query: "n_e"}, nil, 0},              // a literal underscore ("nde" would match)
		{ConflictFilter{Query: "d%r"}, nil, 0},              //
		{ConflictFilter{Query: "er_s"}, []int64{ids[4]}, 1}, // Under_score
		{ConflictFilter{Query: "json"}, nil, 0},             // unreadable names match nothing
		{ConflictFilter{Decision: "undecided"}, []int64{ids[4], ids[3], ids[2]}, 3},
		{ConflictFilter{Decision: "waived"}, []int64{ids[0]}, 1},
		{ConflictFilter{Decision: "clear", Query: "acme"}, []int64{ids[1]}, 1},
		{ConflictFilter{Decision: "conflict"}, nil, 0}, // re-decided: the latest counts
	} {
		got, total := list(c.f)
		if !slices.Equal(got, c.want) || total != c.total {
			t.Errorf("%+v: %v of %d, want %v of %d", c.f, got, total, c.want, c.total)
		}
	}

	err = s.View(ctx, func(tx *Tx) error {
		c, ds, err := tx.GetConflictCheck(ids[0])
		if err != nil {
			return err
		}
		if c.Decision != "waived" || c.DecisionNote != "consent in the red file" || !c.DecidedAt.Equal(t0.Add(2*time.Minute)) ||
			c.HitCount != 2 || c.Context != "client:0" || c.Actor != "owner" || !c.At.Equal(t0) {
			t.Errorf("check %+v", c)
		}
		want := []ConflictDecision{{t0.Add(time.Minute), "ann", "conflict", "first look"}, {t0.Add(2 * time.Minute), "ann", "waived", "consent in the red file"}}
		if !slices.Equal(ds, want) {
			t.Errorf("decisions %+v, want %+v", ds, want)
		}
		c, ds, err = tx.GetConflictCheck(ids[2])
		if err != nil || len(ds) != 0 || c.Decision != "" || !c.DecidedAt.IsZero() {
			t.Errorf("undecided check: %+v %+v %v", c, ds, err)
		}
		if _, _, err := tx.GetConflictCheck(999); !errors.Is(err, ErrNotFound) {
			t.Errorf("GetConflictCheck(999): %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The decisions are kept as made.
	for _, q := range []string{"UPDATE conflict_decisions SET note = 'changed'", "DELETE FROM conflict_decisions"} {
		err := s.UpdateAs(ctx, Everyone, func(tx *Tx) error { _, err := tx.Exec(q); return err })
		if err == nil || !strings.Contains(err.Error(), "kept as made") {
			t.Errorf("%s: %v", q, err)
		}
	}
}

func TestRestrictHits(t *testing.T) {
	h := &hiddenSets{clients: map[int64]bool{7: true}, matters: map[int64]bool{9: true}}
	for _, c := range []struct{ in, want string }{
		{`[]`, `[]`},
		{`[{"query":"a","name":"A","client_id":1}]`, `[{"query":"a","name":"A","client_id":1}]`},
		{`[{"query":"a","name":"Secret","client_id":7,"score":0.5,"match":"exact","why":"Secret"}]`, `[{"query":"a","match":"exact","score":0.5,"hidden":true}]`},
		{`[{"query":"b","name":"Secret","client_id":1,"matter_id":9}, {"query":"c","client_id":1}]`, `[{"query":"b","match":"","score":0,"hidden":true},{"query":"c","client_id":1}]`},
		{`[{"query":"d","hidden":true,"why":"x"}]`, `[{"query":"d","match":"","score":0,"hidden":true}]`},
		{`not json`, `null`},
		{`{"client_id":7}`, `null`},
		{`[1, "Secret"]`, `null`},
		{`null`, `null`},
		{`[{"client_id":"seven"}]`, `null`},
	} {
		if got := restrictHits(c.in, h); got != c.want {
			t.Errorf("restrictHits(%s) = %s, want %s", c.in, got, c.want)
		}
	}
	if got := restrictHits(`not json`, nil); got != `not json` {
		t.Errorf("a viewer who sees everything: %s", got)
	}
}

// FuzzRestrictHits: whatever the stored hits, what a viewer behind a
// wall reads is null or a JSON array, and holds no name of a hidden hit.
func FuzzRestrictHits(f *testing.F) {
	for _, s := range []string{`[]`, `[{"query":"a","name":"Secret","client_id":7}]`, `[{"client_id":1,"name":"x"}]`, `x`, `[{"matter_id":9,"why":"Secret"}]`, `[{"client_id":7,"client_id":1,"name":"Secret"}]`} {
		f.Add(s)
	}
	h := &hiddenSets{clients: map[int64]bool{7: true}, matters: map[int64]bool{9: true}}
	f.Fuzz(func(t *testing.T, in string) {
		out := restrictHits(in, h)
		if out == "null" {
			return
		}
		var hits []map[string]any
		if err := json.Unmarshal([]byte(out), &hits); err != nil {
			t.Fatalf("restrictHits(%q) = %q: %v", in, out, err)
		}
		for _, hit := range hits {
			id, _ := hit["client_id"].(float64)
			mid, _ := hit["matter_id"].(float64)
			if id == 7 || mid == 9 {
				t.Fatalf("restrictHits(%q) = %q keeps a hidden hit", in, out)
			}
		}
	})
}

// TestConflictHistoryBehindWall: a check whose hits name a record the
// viewer cannot see is neither listed nor opened by them, nor counted in
// the total; those who see the records (the attorney sees both) list and
// open it.
func TestConflictHistoryBehindWall(t *testing.T) {
	ctx := context.Background()
	f := newWallFixture(t)
	var plain int64
	err := f.s.Update(ctx, func(tx *Tx) error {
		var err error
		plain, err = tx.InsertConflictCheck(&ConflictCheck{At: time.Now(), Actor: "Pat Paralegal", Names: `["Gina"]`,
			Hits: fmt.Sprintf(`[{"query":"Gina","client_id":%d},{"query":"Gina","hidden":true}]`, f.clientG)})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for v, want := range map[Viewer][]int64{Everyone: {plain, f.check}, {UserID: f.atty}: {plain, f.check}, {UserID: f.para}: {plain}} {
		err := f.s.ViewAs(ctx, v, func(tx *Tx) error {
			cs, total, err := tx.ListConflictChecks(ConflictFilter{})
			if err != nil {
				return err
			}
			var got []int64
			for _, c := range cs {
				got = append(got, c.ID)
			}
			if !slices.Equal(got, want) || total != len(want) {
				t.Errorf("viewer %+v lists %v of %d, want %v", v, got, total, want)
			}
			_, _, err = tx.GetConflictCheck(f.check)
			if (err == nil) != (len(want) == 2) || err != nil && !errors.Is(err, ErrNotFound) {
				t.Errorf("viewer %+v opens the check naming hidden records: %v", v, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestConflictHistoryContextBehindWall: a check made on saving a record
// behind the wall (a new party of the walled matter, the restricted
// client) has no hit there, but its names and context are that record's:
// the paralegal outside the wall neither lists nor opens it, nor counts
// it; a check by hand or on a general matter stays theirs.
func TestConflictHistoryContextBehindWall(t *testing.T) {
	ctx := context.Background()
	f := newWallFixture(t)
	ids := map[string]int64{}
	contexts := map[string]string{
		"hand":          "",
		"general":       fmt.Sprintf("matter:%d", f.matterMG),
		"walled":        fmt.Sprintf("matter:%d", f.matterW),
		"walled party":  fmt.Sprintf("party:%d matter:%d", f.partyW, f.matterW),
		"party alone":   fmt.Sprintf("party:%d", f.partyW),
		"restricted":    fmt.Sprintf("client:%d", f.clientR),
		"general party": fmt.Sprintf("party:%d matter:%d", f.partyW+1000, f.matterMG),
	}
	err := f.s.Update(ctx, func(tx *Tx) error {
		for k, c := range contexts {
			id, err := tx.InsertConflictCheck(&ConflictCheck{At: time.Now(), Actor: "owner", Names: `["` + k + `"]`, Hits: `[]`, Context: c})
			if err != nil {
				return err
			}
			ids[k] = id
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	hiddenFromPara := map[string]bool{"walled": true, "walled party": true, "party alone": true, "restricted": true}
	for _, v := range []Viewer{Everyone, {UserID: f.para}} {
		err := f.s.ViewAs(ctx, v, func(tx *Tx) error {
			cs, total, err := tx.ListConflictChecks(ConflictFilter{Limit: 100})
			if err != nil {
				return err
			}
			listed := map[int64]bool{}
			for _, c := range cs {
				listed[c.ID] = true
			}
			if total != len(cs) {
				t.Errorf("viewer %+v: total %d, %d listed", v, total, len(cs))
			}
			for k, id := range ids {
				hide := v != Everyone && hiddenFromPara[k]
				if listed[id] == hide {
					t.Errorf("viewer %+v: check %q (context %q) listed %v", v, k, contexts[k], listed[id])
				}
				_, _, err := tx.GetConflictCheck(id)
				if hide != errors.Is(err, ErrNotFound) || !hide && err != nil {
					t.Errorf("viewer %+v: opening check %q (context %q): %v", v, k, contexts[k], err)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
