package store_test

import (
	"context"
	"time"

	"casevault/store"
)

// benchViewers: the owner, and a paralegal behind five ethical walls (five
// matters walled against them) and outside one restricted client's list.
// Called once on the new vault and again after reopening it (then it only
// looks the paralegal up).
func benchViewers(ctx context.Context, st *store.Store) (map[string]benchViewFunc, error) {
	var para int64
	err := st.Update(ctx, func(tx *store.Tx) error {
		if u, err := tx.UserByName("Pat Paralegal"); err == nil {
			para = u.ID
			return nil
		}
		var err error
		if para, err = tx.InsertUser(&store.User{Name: "Pat Paralegal", Role: "Paralegal"}, time.Now()); err != nil {
			return err
		}
		for _, m := range []int64{17, 2001, 4003, 6007, 9001} {
			if err := tx.SetSecurityClass(store.KindMatter, m, store.ClassWalled, []int64{para}); err != nil {
				return err
			}
		}
		return tx.SetSecurityClass(store.KindClient, 5000, store.ClassRestricted, nil)
	})
	if err != nil {
		return nil, err
	}
	wanda, err := benchWallViewer(ctx, st, para)
	if err != nil {
		return nil, err
	}
	return map[string]benchViewFunc{
		"owner": st.View,
		"paralegal": func(ctx context.Context, fn func(tx *store.Tx) error) error {
			return st.ViewAs(ctx, store.Viewer{UserID: para}, fn)
		},
		"wall400": func(ctx context.Context, fn func(tx *store.Tx) error) error {
			return st.ViewAs(ctx, store.Viewer{UserID: wanda}, fn)
		},
	}, nil
}

// benchWallViewer: the classes of the issue-10 bench report's people
// section (app/internal/benchreport/people.go) on the same 10,000 clients:
// every 50th client restricted to an attorney (and Pat, whose view stays
// the "paralegal" row's), every other 20th matter walled off from a second
// paralegal, Wanda: 199 clients and 400 matters she cannot see.
func benchWallViewer(ctx context.Context, st *store.Store, pat int64) (int64, error) {
	var wanda int64
	err := st.Update(ctx, func(tx *store.Tx) error {
		if u, err := tx.UserByName("Wanda Paralegal"); err == nil {
			wanda = u.ID
			return nil
		}
		var err error
		if wanda, err = tx.InsertUser(&store.User{Name: "Wanda Paralegal", Role: "Paralegal"}, time.Now()); err != nil {
			return err
		}
		ida, err := tx.InsertUser(&store.User{Name: "Ida Attorney", Role: "Attorney"}, time.Now())
		if err != nil {
			return err
		}
		for id := int64(1); id <= 10000; id++ {
			switch {
			case id == 5000: // the paralegal row's restricted client
			case id%50 == 0:
				err = tx.SetSecurityClass(store.KindClient, id, store.ClassRestricted, []int64{ida, pat})
			case id%20 == 0: // client i has matter i
				err = tx.SetSecurityClass(store.KindMatter, id, store.ClassWalled, []int64{wanda})
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	return wanda, err
}
