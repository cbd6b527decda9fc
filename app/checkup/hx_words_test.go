package checkup

import (
	"strings"
	"testing"
)

// TestProbeHowInBrackets: an unanswered probe that found nothing said
// "No LUKS encryption was found under the vault's disk (vda): This laptop
// does not tell the program whether ..." (a capital after a colon, the
// plain sentence last). The plain sentence comes first, what the probe
// looked at after it, in brackets.
func TestProbeHowInBrackets(t *testing.T) {
	f := good()
	f.DiskProbe = Probe{How: "No LUKS encryption was found under the vault's disk (vda)"}
	it := item(t, f, KeyDiskCrypt)
	want := "This laptop does not tell the program whether the disk is encrypted (no LUKS encryption was found under the vault's disk, vda)."
	if it.Status != Ask || it.Found != want {
		t.Errorf("%s %q\nwant %q", it.Status, it.Found, want)
	}
	if strings.Contains(it.Found, ": This") {
		t.Errorf("capital after a colon: %q", it.Found)
	}
}
