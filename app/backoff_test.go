package app

import (
	"context"
	"errors"
	"testing"
	"time"

	"casevault/vault"
)

// TestBackoffWaitCancels: the real sleeper ends when the context does
// (Ctrl-C on the command line), and Done counts only wrong credentials.
func TestBackoffWaitCancels(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	b := Backoff{Now: func() time.Time { return now }}
	b.Done(dir, errors.New("the disk is busy"))
	if f := LoadUnlockFailures(dir); f.Count != 0 {
		t.Fatalf("a non-credential error counted: %+v", f)
	}
	for i := 0; i < FreeUnlockAttempts+2; i++ {
		b.Done(dir, vault.ErrWrongCredential)
	}
	if f := LoadUnlockFailures(dir); f.Count != FreeUnlockAttempts+2 {
		t.Fatalf("count %d after %d wrong credentials", f.Count, FreeUnlockAttempts+2)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	if err := b.Wait(ctx, dir); !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait with a cancelled context: %v", err)
	}
	if time.Since(start) > time.Second {
		t.Fatal("Wait slept although the context was cancelled")
	}
	b.Done(dir, nil)
	if err := b.Wait(context.Background(), dir); err != nil || LoadUnlockFailures(dir).Count != 0 {
		t.Fatalf("after a success: %v %+v", err, LoadUnlockFailures(dir))
	}
}
