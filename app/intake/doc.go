// Package intake is the client intake web server: a small HTTP server on
// 127.0.0.1 (and, when the lawyer opts in, HTTPS on the office network) that
// shows the intake form of package form and seals each submission to the
// vault's intake public key, into DIR/intake/inbox, where the vault imports it
// at the next unlock.
//
// The server is write-only by construction: it is given a public key (an age
// recipient), a copy of the form and the vault's folder, and never imports
// the app, the store or the vault (layers_test.go), so it holds no key that
// could read anything back: not earlier submissions, not the client list.
// docs/THREAT-MODEL.md, "Client intake", says what that protects and what
// it does not.
package intake
