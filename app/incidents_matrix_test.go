package app

import (
	"testing"

	"casevault/app/access"
	"casevault/app/incident"
)

// The incident operations in the permission matrix (matrix_test.go).
func init() {
	matrixMore = append(matrixMore, func() []matrixOp {
		ownerIncident := func(t *testing.T, s *Session, fx *matrixFix) any {
			id, err := s.StartIncident(ctx, IncidentInput{Kind: incident.Disclosure, Summary: "setup"})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.SetAffectedClients(ctx, id, []int64{fx.client}); err != nil {
				t.Fatal(err)
			}
			return id
		}
		return []matrixOp{
			{name: "Session.StartIncident", verbs: vs(access.RecordIncident), run: func(t *testing.T, s *Session, fx *matrixFix, _ any, _ access.Role) error {
				_, err := s.StartIncident(ctx, IncidentInput{Kind: incident.LostLaptop})
				return err
			}},
			{name: "Session.Incidents", verbs: vs(access.RecordIncident), setup: ownerIncident, run: func(t *testing.T, s *Session, fx *matrixFix, _ any, _ access.Role) error {
				_, err := s.Incidents(ctx)
				return err
			}},
			{name: "Session.Incident", verbs: vs(access.RecordIncident), setup: ownerIncident, run: func(t *testing.T, s *Session, fx *matrixFix, id any, r access.Role) error {
				in, err := s.Incident(ctx, id.(int64))
				if err == nil && (in.Affected != nil) != (access.Check(r, access.ViewIncidents) == nil) {
					t.Errorf("%s: Incident shows %d affected clients", r.Name, len(in.Affected))
				}
				return err
			}},
			{name: "Session.MarkIncidentStep", verbs: vs(access.RecordIncident), setup: ownerIncident, run: func(t *testing.T, s *Session, fx *matrixFix, id any, _ access.Role) error {
				return s.MarkIncidentStep(ctx, id.(int64), "recall", true, "")
			}},
			{name: "Session.CloseIncident", verbs: vs(access.RecordIncident), setup: ownerIncident, run: func(t *testing.T, s *Session, fx *matrixFix, id any, _ access.Role) error {
				return s.CloseIncident(ctx, id.(int64))
			}},
			{name: "Session.SetAffectedClients", verbs: vs(access.ViewIncidents), setup: ownerIncident, run: func(t *testing.T, s *Session, fx *matrixFix, id any, _ access.Role) error {
				return s.SetAffectedClients(ctx, id.(int64), nil)
			}},
			{name: "Session.IncidentClients", verbs: vs(access.ViewIncidents), setup: ownerIncident, run: func(t *testing.T, s *Session, fx *matrixFix, id any, _ access.Role) error {
				_, err := s.IncidentClients(ctx, id.(int64))
				return err
			}},
			{name: "Session.MarkNotified", verbs: vs(access.ViewIncidents), setup: ownerIncident, run: func(t *testing.T, s *Session, fx *matrixFix, id any, _ access.Role) error {
				return s.MarkNotified(ctx, id.(int64), fx.client, true)
			}},
			{name: "Session.IncidentPack", verbs: vs(access.IncidentLetters), setup: ownerIncident, run: func(t *testing.T, s *Session, fx *matrixFix, id any, _ access.Role) error {
				_, err := s.IncidentPack(ctx, id.(int64))
				return err
			}},
		}
	})
	matrixDeniedMore[access.ParalegalRole] = append(matrixDeniedMore[access.ParalegalRole], "Session.SetAffectedClients", "Session.IncidentClients", "Session.MarkNotified", "Session.IncidentPack")
	matrixDeniedMore[access.ReadOnlyRole] = append(matrixDeniedMore[access.ReadOnlyRole], "Session.IncidentPack")
}
