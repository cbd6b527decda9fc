package app

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"casevault/app/access"
)

// The document operations in the permission matrix (matrix_test.go).
func init() {
	matrixMore = append(matrixMore, func() []matrixOp {
		ownerDoc := func(t *testing.T, s *Session, fx *matrixFix) any {
			d, err := s.AddDocumentReader(ctx, DocTarget{MatterID: fx.matter}, fmt.Sprintf("setup %d.txt", fx.next()), strings.NewReader("quillon deposition notes"), AddDocOptions{})
			if err != nil {
				t.Fatal(err)
			}
			return d.ID
		}
		file := func(t *testing.T, fx *matrixFix) string {
			p := filepath.Join(t.TempDir(), fmt.Sprintf("added %d.txt", fx.next()))
			if err := os.WriteFile(p, []byte("a letter to quillon"), 0o600); err != nil {
				t.Fatal(err)
			}
			return p
		}
		matter := func(fx *matrixFix) DocTarget { return DocTarget{MatterID: fx.matter} }
		return []matrixOp{
			{name: "Session.SetDocumentLimit", verbs: vs(access.SetDocLimit), run: func(t *testing.T, s *Session, fx *matrixFix, _ any, _ access.Role) error {
				return s.SetDocumentLimit(ctx, int64(fx.next())<<30)
			}},
			{name: "Session.AddDocument", verbs: vs(access.AddDocuments), run: func(t *testing.T, s *Session, fx *matrixFix, _ any, _ access.Role) error {
				_, err := s.AddDocument(ctx, matter(fx), file(t, fx), AddDocOptions{})
				return err
			}},
			{name: "Session.AddDocumentReader", verbs: vs(access.AddDocuments), run: func(t *testing.T, s *Session, fx *matrixFix, _ any, _ access.Role) error {
				_, err := s.AddDocumentReader(ctx, DocTarget{ClientID: fx.client}, fmt.Sprintf("read %d.txt", fx.next()), strings.NewReader("x"), AddDocOptions{})
				return err
			}},
			{name: "Session.AddFolder", verbs: vs(access.AddDocuments), run: func(t *testing.T, s *Session, fx *matrixFix, _ any, _ access.Role) error {
				_, err := s.AddFolder(ctx, matter(fx), filepath.Dir(file(t, fx)), AddDocOptions{})
				return err
			}},
			{name: "Session.AddVersion", verbs: vs(access.AddDocuments), setup: ownerDoc, run: func(t *testing.T, s *Session, fx *matrixFix, id any, _ access.Role) error {
				_, err := s.AddVersion(ctx, id.(int64), file(t, fx), "new-version")
				return err
			}},
			{name: "Session.RestoreVersion", verbs: vs(access.AddDocuments), setup: func(t *testing.T, s *Session, fx *matrixFix) any {
				id := ownerDoc(t, s, fx).(int64)
				if _, err := s.AddVersion(ctx, id, file(t, fx), "edited"); err != nil {
					t.Fatal(err)
				}
				return id
			}, run: func(t *testing.T, s *Session, fx *matrixFix, id any, _ access.Role) error {
				_, err := s.RestoreVersion(ctx, id.(int64), 1)
				return err
			}},
			{name: "Session.ListDocuments", verbs: vs(access.ListDocuments), run: func(t *testing.T, s *Session, fx *matrixFix, _ any, _ access.Role) error {
				_, _, err := s.ListDocuments(ctx, matter(fx), DocFilter{})
				return err
			}},
			{name: "Session.GetDocument", verbs: vs(access.ListDocuments), setup: ownerDoc, run: func(t *testing.T, s *Session, fx *matrixFix, id any, _ access.Role) error {
				_, err := s.GetDocument(ctx, id.(int64))
				return err
			}},
			{name: "Session.DocumentVersions", verbs: vs(access.ListDocuments), setup: ownerDoc, run: func(t *testing.T, s *Session, fx *matrixFix, id any, _ access.Role) error {
				_, err := s.DocumentVersions(ctx, id.(int64))
				return err
			}},
			{name: "Session.ReadDocument", verbs: vs(access.ReadDocuments), setup: ownerDoc, run: func(t *testing.T, s *Session, fx *matrixFix, id any, _ access.Role) error {
				_, err := s.ReadDocument(ctx, id.(int64), 0, io.Discard)
				return err
			}},
			{name: "Session.PreviewDocument", verbs: vs(access.ReadDocuments), setup: ownerDoc, run: func(t *testing.T, s *Session, fx *matrixFix, id any, _ access.Role) error {
				_, err := s.PreviewDocument(ctx, id.(int64), 0, 1000)
				return err
			}},
			{name: "Session.DeleteDocument", verbs: vs(access.DeleteDocuments), setup: ownerDoc, run: func(t *testing.T, s *Session, fx *matrixFix, id any, _ access.Role) error {
				return s.DeleteDocument(ctx, id.(int64))
			}},
			{name: "Session.ExportDocuments", verbs: vs(access.ExportDocuments), setup: ownerDoc, run: func(t *testing.T, s *Session, fx *matrixFix, id any, _ access.Role) error {
				_, err := s.ExportDocuments(ctx, ExportSelection{DocumentIDs: []int64{id.(int64)}}, t.TempDir())
				return err
			}},
		}
	})
	edits := []string{"Session.AddDocument", "Session.AddDocumentReader", "Session.AddFolder", "Session.AddVersion", "Session.RestoreVersion", "Session.SetDocumentLimit"}
	matrixDeniedMore[access.ReadOnlyRole] = append(matrixDeniedMore[access.ReadOnlyRole], append(edits, "Session.DeleteDocument", "Session.ExportDocuments")...)
	matrixDeniedMore[access.ParalegalRole] = append(matrixDeniedMore[access.ParalegalRole], "Session.DeleteDocument", "Session.ExportDocuments")
	matrixNoCheck["Session.DocumentLimit"] = "a number every user adding a file needs, no record"
	matrixNoCheck["Session.NameDamagedDocuments"] = "adds to a verify report the documents a damaged chunk holds, only those the user may see (documentsIn checks documents read and walls); reads no record otherwise"
	matrixNoCheck["Backups.InSession"] = "a flag: the backup was opened through a session"
}
