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
	return map[string]benchViewFunc{
		"owner": st.View,
		"paralegal": func(ctx context.Context, fn func(tx *store.Tx) error) error {
			return st.ViewAs(ctx, store.Viewer{UserID: para}, fn)
		},
	}, nil
}
