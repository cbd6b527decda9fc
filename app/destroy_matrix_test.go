package app

import (
	"errors"
	"fmt"
	"testing"

	"casevault/app/access"
)

// The destruction operations in the permission matrix (matrix_test.go).
// Destroy needs the Destroy verb and, beyond it, the owner's role: a role
// that has the verb but is not the owner gets ErrOwnerOnly, which is
// checked here as that role's expected outcome.
func init() {
	matrixDeniedMore[access.ParalegalRole] = append(matrixDeniedMore[access.ParalegalRole],
		"Session.Destroy", "Session.PlanDestruction", "Session.DestructionRegister", "Session.DestructionCertificate")
	matrixDeniedMore[access.ReadOnlyRole] = append(matrixDeniedMore[access.ReadOnlyRole], "Session.Destroy", "Session.PlanDestruction")
	matrixMore = append(matrixMore, func() []matrixOp {
		closedMatter := func(t *testing.T, s *Session, fx *matrixFix) any {
			id, err := s.AddMatter(ctx, MatterInput{ClientID: fx.client, Title: fmt.Sprintf("Matter to destroy %d", fx.next())})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.CloseMatter(ctx, id); err != nil {
				t.Fatal(err)
			}
			return id
		}
		destroyed := func(t *testing.T, s *Session, fx *matrixFix) any {
			id := closedMatter(t, s, fx).(int64)
			res, err := s.Destroy(ctx, DestroyRequest{MatterIDs: []int64{id}, KeepNames: true, Reason: "the client asked", Confirm: DestroyConfirmWord}, nil)
			if err != nil {
				t.Fatal(err)
			}
			return res.Number
		}
		return []matrixOp{
			{name: "Session.PlanDestruction", verbs: vs(access.Destroy), setup: closedMatter, run: func(t *testing.T, s *Session, fx *matrixFix, id any, _ access.Role) error {
				_, err := s.PlanDestruction(ctx, DestroyRequest{MatterIDs: []int64{id.(int64)}, KeepNames: true, Reason: "the client asked"})
				return err
			}},
			{name: "Session.Destroy", verbs: vs(access.Destroy), setup: closedMatter, run: func(t *testing.T, s *Session, fx *matrixFix, id any, role access.Role) error {
				_, err := s.Destroy(ctx, DestroyRequest{MatterIDs: []int64{id.(int64)}, KeepNames: true, Reason: "the client asked", Confirm: DestroyConfirmWord}, nil)
				if role.AllowsVerb(access.Destroy) && !access.IsOwnerRole(role.Name) {
					if !errors.Is(err, ErrOwnerOnly) {
						t.Errorf("%s: Destroy = %v, want ErrOwnerOnly (only the owner destroys)", role.Name, err)
					}
					return nil
				}
				return err
			}},
			{name: "Session.DestructionRegister", verbs: vs(access.ViewRetention), run: func(t *testing.T, s *Session, fx *matrixFix, _ any, _ access.Role) error {
				_, _, err := s.DestructionRegister(ctx, "", 0, 10)
				return err
			}},
			{name: "Session.DestructionCertificate", verbs: vs(access.ViewRetention), setup: destroyed, run: func(t *testing.T, s *Session, fx *matrixFix, number any, _ access.Role) error {
				_, err := s.DestructionCertificate(ctx, number.(string))
				return err
			}},
		}
	})
}
