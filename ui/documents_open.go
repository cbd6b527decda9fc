package ui

import "casevault/app"

// canOpenDocuments: opening a document in its usual program comes with
// app.Session.OpenDocument (PLAN13 part D, landing separately); until then
// the Open buttons are not shown.
const canOpenDocuments = false

// openDocument opens version n of d (0: the current one) in its usual
// program; see canOpenDocuments.
func (u *UI) openDocument(d app.DocumentInfo, n int) {}
