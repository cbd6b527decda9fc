package app

import (
	"testing"

	"casevault/app/access"
)

// The document operations in the permission matrix (matrix_test.go).
func init() {
	matrixMore = append(matrixMore, func() []matrixOp {
		return []matrixOp{
			{name: "Session.SetDocumentLimit", verbs: vs(access.SetDocLimit), run: func(t *testing.T, s *Session, fx *matrixFix, _ any, _ access.Role) error {
				return s.SetDocumentLimit(ctx, int64(fx.next())<<30)
			}},
		}
	})
	matrixDeniedMore[access.ReadOnlyRole] = append(matrixDeniedMore[access.ReadOnlyRole], "Session.SetDocumentLimit")
	matrixNoCheck["Session.DocumentLimit"] = "a number every user adding a file needs, no record"
	for _, v := range []string{"ListDocuments", "ReadDocuments", "AddDocuments", "DeleteDocuments", "ExportDocuments"} {
		matrixUnusedVerbs[v] = "the document operations land next (issue 13)"
	}
}
