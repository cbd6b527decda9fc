package testkit

import (
	"strings"
	"testing"
)

// recorder stands in for a *testing.T to see whether SkipUnlessCI skips or fails.
type recorder struct {
	testing.TB
	skipped, failed bool
	msg             string
}

func (r *recorder) Helper()                      {}
func (r *recorder) Skip(args ...any)             { r.skipped = true; panicStop() }
func (r *recorder) Fatalf(f string, args ...any) { r.failed = true; r.msg = f; panicStop() }
func panicStop()                                 { panic(stop{}) }

type stop struct{}

func run(r *recorder) {
	defer func() {
		if v := recover(); v != nil {
			if _, ok := v.(stop); !ok {
				panic(v)
			}
		}
	}()
	SkipUnlessCI(r, "go is not on PATH")
}

func TestSkipUnlessCI(t *testing.T) {
	t.Setenv("CI", "")
	r := &recorder{}
	run(r)
	if !r.skipped || r.failed {
		t.Errorf("outside CI: skipped=%v failed=%v, want a skip", r.skipped, r.failed)
	}
	t.Setenv("CI", "true")
	r = &recorder{}
	run(r)
	if r.skipped || !r.failed || !strings.Contains(r.msg, "CI") {
		t.Errorf("under CI: skipped=%v failed=%v msg=%q, want a failure", r.skipped, r.failed, r.msg)
	}
}
