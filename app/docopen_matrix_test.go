package app

import (
	"fmt"
	"strings"
	"testing"

	"casevault/app/access"
)

// Opening documents in their program in the permission matrix
// (matrix_test.go).
func init() {
	matrixMore = append(matrixMore, func() []matrixOp {
		return []matrixOp{
			{name: "Session.OpenDocument", verbs: vs(access.ReadDocuments), setup: func(t *testing.T, s *Session, fx *matrixFix) any {
				d, err := s.AddDocumentReader(ctx, DocTarget{MatterID: fx.matter}, fmt.Sprintf("opened %d.txt", fx.next()), strings.NewReader("quillon letter"), AddDocOptions{})
				if err != nil {
					t.Fatal(err)
				}
				return d.ID
			}, run: func(t *testing.T, s *Session, fx *matrixFix, id any, _ access.Role) error {
				c, err := s.OpenDocument(ctx, id.(int64), OpenOptions{Open: func(string) error { return nil }})
				if err == nil {
					_, err = s.CloseCopy(ctx, c.Path)
				}
				return err
			}},
		}
	})
	matrixNoCheck["Session.CopyNotices"] = "what locking said about this session's own copies; no record is read"
	matrixNoCheck["Session.OpenCopies"] = "this session's own copies, which OpenDocument allowed; no record is read"
	matrixNoCheck["Session.CheckCopies"] = "looks at this session's own copies; a change is saved through AddVersion, which checks"
	matrixNoCheck["Session.CloseCopy"] = "closes one of this session's own copies; a change is saved through AddVersion, which checks"
}
