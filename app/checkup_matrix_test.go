package app

import (
	"testing"

	"casevault/app/access"
)

// The security check's operations in the permission matrix (matrix_test.go).
func init() {
	matrixMore = append(matrixMore, func() []matrixOp {
		return []matrixOp{
			{name: "Session.Checkup", verbs: vs(access.RunCheckup), run: func(t *testing.T, s *Session, _ *matrixFix, _ any, _ access.Role) error {
				_, err := s.Checkup(ctx)
				return err
			}},
			{name: "Session.LastCheckup", verbs: vs(access.RunCheckup), run: func(t *testing.T, s *Session, _ *matrixFix, _ any, _ access.Role) error {
				_, err := s.LastCheckup(ctx)
				return err
			}},
			{name: "Session.FixCheckup", verbs: vs(access.RunCheckup), run: func(t *testing.T, s *Session, _ *matrixFix, _ any, _ access.Role) error {
				return s.FixCheckup(ctx, "auto-lock")
			}},
			{name: "Session.FixCheckup/verify-audit", verbs: vs(access.VerifyAudit), run: func(t *testing.T, s *Session, _ *matrixFix, _ any, _ access.Role) error {
				return s.FixCheckup(ctx, "verify-audit")
			}},
			{name: "Session.AnswerCheckup", verbs: vs(access.RunCheckup), run: func(t *testing.T, s *Session, _ *matrixFix, _ any, _ access.Role) error {
				return s.AnswerCheckup(ctx, "screen-lock", true)
			}},
		}
	})
	matrixDeniedMore[access.ParalegalRole] = append(matrixDeniedMore[access.ParalegalRole],
		"Session.Checkup", "Session.LastCheckup", "Session.FixCheckup", "Session.FixCheckup/verify-audit", "Session.AnswerCheckup")
	matrixDeniedMore[access.ReadOnlyRole] = append(matrixDeniedMore[access.ReadOnlyRole],
		"Session.Checkup", "Session.LastCheckup", "Session.FixCheckup", "Session.AnswerCheckup")
	matrixNoCheck["Session.CheckupDue"] = "the yearly reminder: \"\" for a user who cannot run the check (no record is read but the date of the last check)"
	matrixNoCheck["Session.StrengthenUnlock"] = "the user's own slot, as ChangeOwnPassphrase (with settings measured on this laptop)"
}
