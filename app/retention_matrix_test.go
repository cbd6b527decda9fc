package app

import (
	"fmt"
	"testing"
	"time"

	"casevault/app/access"
)

// The retention operations in the permission matrix (matrix_test.go).
func init() {
	matrixMore = append(matrixMore, func() []matrixOp {
		closedMatter := func(t *testing.T, s *Session, fx *matrixFix) any {
			id, err := s.AddMatter(ctx, MatterInput{ClientID: fx.client, Title: fmt.Sprintf("Retained matter %d", fx.next())})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.CloseMatter(ctx, id); err != nil {
				t.Fatal(err)
			}
			return id
		}
		ownerHold := func(t *testing.T, s *Session, fx *matrixFix) any {
			id, err := s.PlaceHold(ctx, "matter", fx.matter, fmt.Sprintf("claim %d", fx.next()))
			if err != nil {
				t.Fatal(err)
			}
			return id
		}
		return []matrixOp{
			{name: "Session.RetentionRules", verbs: vs(access.ViewRetention), run: func(t *testing.T, s *Session, fx *matrixFix, _ any, _ access.Role) error {
				_, err := s.RetentionRules(ctx)
				return err
			}},
			{name: "Session.PracticeAreas", verbs: vs(access.ViewRetention), run: func(t *testing.T, s *Session, fx *matrixFix, _ any, _ access.Role) error {
				_, err := s.PracticeAreas(ctx)
				return err
			}},
			{name: "Session.SetRetentionRule", verbs: vs(access.EditRetention), run: func(t *testing.T, s *Session, fx *matrixFix, _ any, _ access.Role) error {
				return s.SetRetentionRule(ctx, RetentionRule{PracticeArea: fmt.Sprintf("Area %d", fx.next()), Years: 3})
			}},
			{name: "Session.DeleteRetentionRule", verbs: vs(access.EditRetention), setup: func(t *testing.T, s *Session, fx *matrixFix) any {
				area := fmt.Sprintf("Area %d", fx.next())
				if err := s.SetRetentionRule(ctx, RetentionRule{PracticeArea: area, Years: 3}); err != nil {
					t.Fatal(err)
				}
				return area
			}, run: func(t *testing.T, s *Session, fx *matrixFix, area any, _ access.Role) error {
				return s.DeleteRetentionRule(ctx, area.(string))
			}},
			{name: "Session.MatterRetention", verbs: vs(access.ViewRetention), run: func(t *testing.T, s *Session, fx *matrixFix, _ any, _ access.Role) error {
				_, err := s.MatterRetention(ctx, fx.matter)
				return err
			}},
			{name: "Session.SetDestroyAfter", verbs: vs(access.EditRetention), setup: closedMatter, run: func(t *testing.T, s *Session, fx *matrixFix, id any, _ access.Role) error {
				return s.SetDestroyAfter(ctx, id.(int64), time.Now().AddDate(20, 0, 0), false, "the client asked")
			}},
			{name: "Session.PlaceHold", verbs: vs(access.PlaceHolds), run: func(t *testing.T, s *Session, fx *matrixFix, _ any, _ access.Role) error {
				_, err := s.PlaceHold(ctx, "client", fx.client, fmt.Sprintf("claim %d", fx.next()))
				return err
			}},
			{name: "Session.ReleaseHold", verbs: vs(access.PlaceHolds), setup: ownerHold, run: func(t *testing.T, s *Session, fx *matrixFix, id any, _ access.Role) error {
				return s.ReleaseHold(ctx, id.(int64), "settled")
			}},
			{name: "Session.Holds", verbs: vs(access.ViewRetention), run: func(t *testing.T, s *Session, fx *matrixFix, _ any, _ access.Role) error {
				_, err := s.Holds(ctx, false)
				return err
			}},
			{name: "Session.HoldsOn", verbs: vs(access.ViewRetention), run: func(t *testing.T, s *Session, fx *matrixFix, _ any, _ access.Role) error {
				_, err := s.HoldsOn(ctx, "matter", fx.matter)
				return err
			}},
			{name: "Session.DueForDestruction", verbs: vs(access.ViewRetention), run: func(t *testing.T, s *Session, fx *matrixFix, _ any, _ access.Role) error {
				_, err := s.DueForDestruction(ctx)
				return err
			}},
		}
	})
	views := []string{"Session.RetentionRules", "Session.PracticeAreas", "Session.MatterRetention", "Session.Holds", "Session.HoldsOn", "Session.DueForDestruction"}
	edits := []string{"Session.SetRetentionRule", "Session.DeleteRetentionRule", "Session.SetDestroyAfter", "Session.PlaceHold", "Session.ReleaseHold"}
	for _, role := range []string{access.ParalegalRole, access.AssistantRole} {
		matrixDeniedMore[role] = append(matrixDeniedMore[role], append(views, edits...)...)
	}
	matrixDeniedMore[access.ReadOnlyRole] = append(matrixDeniedMore[access.ReadOnlyRole], edits...)
	delete(matrixUnusedVerbs, "ViewRetention")
	delete(matrixUnusedVerbs, "EditRetention")
	delete(matrixUnusedVerbs, "PlaceHolds")
}
