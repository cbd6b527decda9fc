package conflict
import "testing"
func TestDbg(t *testing.T) {
	ix := NewIndex(sampleEntries)
	for _, q := range []string{"Rob Lee", "Tim Wu", "Bob Leee"} {
		for _, h := range ix.Check(q) { t.Logf("%q -> %q %v %.3f %s", q, h.Entry.Name, h.Kind, h.Score, h.Why) }
	}
}
