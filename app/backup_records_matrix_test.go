package app

import (
	"fmt"
	"testing"

	"casevault/app/access"
	"casevault/store"
)

// The backup records' operations in the permission matrix (matrix_test.go).
func init() {
	matrixDeniedMore[access.ParalegalRole] = append(matrixDeniedMore[access.ParalegalRole],
		"Backups.ForgetDestroyed", "Session.ClientsOnRepository", "Session.KnownRepositories", "Session.SnapshotsHolding")
	matrixDeniedMore[access.ReadOnlyRole] = append(matrixDeniedMore[access.ReadOnlyRole], "Backups.ForgetDestroyed", "Session.KnownRepositories")
	matrixMore = append(matrixMore, func() []matrixOp {
		repoID := func(t *testing.T, s *Session, fx *matrixFix) any {
			repos, err := s.KnownRepositories(ctx)
			if err != nil || len(repos) == 0 {
				t.Fatalf("KnownRepositories: %v %+v", err, repos)
			}
			return repos[0].RepoID
		}
		// A destruction every snapshot of fx.repo was made after (audit
		// id 1): ForgetDestroyed has nothing to remove, and runs.
		destruction := func(t *testing.T, s *Session, fx *matrixFix) any {
			number := fmt.Sprintf("D-2026-%04d", 100+fx.next())
			err := s.st.UpdateAs(ctx, store.Everyone, func(tx *store.Tx) error {
				_, err := tx.Exec("INSERT INTO destructions(number, at, by, audit_id, names_kept) VALUES (?, ?, 'owner', 1, 0)", number, s.now().UnixMilli())
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			b, err := s.OpenBackups(ctx, fx.repo)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(b.Close)
			return [2]any{b, number}
		}
		return []matrixOp{
			{name: "Session.SnapshotsHolding", verbs: vs(access.ViewRetention), run: func(t *testing.T, s *Session, fx *matrixFix, _ any, _ access.Role) error {
				_, err := s.SnapshotsHolding(ctx, "")
				return err
			}},
			{name: "Session.KnownRepositories", verbs: vs(access.ListBackups), run: func(t *testing.T, s *Session, fx *matrixFix, _ any, _ access.Role) error {
				_, err := s.KnownRepositories(ctx)
				return err
			}},
			{name: "Session.ClientsOnRepository", verbs: vs(access.ViewIncidents), setup: repoID, run: func(t *testing.T, s *Session, fx *matrixFix, id any, _ access.Role) error {
				_, err := s.ClientsOnRepository(ctx, id.(string))
				return err
			}},
			{name: "Backups.ForgetDestroyed", verbs: vs(access.ForgetDestroyed), setup: destruction, run: func(t *testing.T, s *Session, fx *matrixFix, arg any, _ access.Role) error {
				a := arg.([2]any)
				_, err := a[0].(*Backups).ForgetDestroyed(ctx, a[1].(string))
				return err
			}},
		}
	})
}
