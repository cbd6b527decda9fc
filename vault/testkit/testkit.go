// Package testkit holds helpers shared by the tests of several casevault
// packages. It is imported only from _test.go files, never by the program. It sits
// under vault/ (the bottom layer, importable by every package) because the
// top-level layout is fixed; it imports only the standard library.
package testkit

import (
	"os"
	"testing"
)

// InCI reports whether the tests run under continuous integration
// (.ci/run sets CI=true, as most CI systems do).
func InCI() bool { return os.Getenv("CI") == "true" }

// SkipUnlessCI skips the test because something it needs is missing from
// this machine (a tool, a permission), except under CI, where the test fails
// instead: CI must run every test, so a test cannot drop out of it without
// anyone noticing.
func SkipUnlessCI(t testing.TB, why string) {
	t.Helper()
	if InCI() {
		t.Fatalf("%s; under CI (CI=true) this test must run, not be skipped", why)
	}
	t.Skip(why)
}
