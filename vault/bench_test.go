package vault

import "testing"

// BenchmarkAppendLog: one redo log record of 300 bytes (about one client
// edit) encrypted, written with its mark and fdatasync'ed, through the
// operating system's FS.
func BenchmarkAppendLog(b *testing.B) {
	v, _, _ := newVault(b)
	rec := make([]byte, 300)
	if err := v.AppendLog(rec); err != nil { // creates the log file
		b.Fatal(err)
	}
	for b.Loop() {
		if err := v.AppendLog(rec); err != nil {
			b.Fatal(err)
		}
	}
}
