package app

// The opened documents' copies in the permission matrix (matrix_test.go).
func init() {
	matrixNoCheck["Session.CopyNotices"] = "what locking said about this session's own copies; no record is read"
}
