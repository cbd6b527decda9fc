package app

import (
	"strings"
	"testing"
	"time"
)

func testCertificate(namesKept bool) *Certificate {
	at := time.Date(2033, 12, 3, 14, 5, 0, 0, time.Local)
	opened, closed, after := at.AddDate(-9, 0, 0), at.AddDate(-7, 0, -2), at.AddDate(0, 0, -2)
	c := &Certificate{Number: "D-2033-0001", At: at, By: "Jane Roe, Esq.", Vault: "/home/jane/vault", NamesKept: namesKept,
		Reason: "client asked <script>alert(1)</script>", AuditEntry: 4711, Made: at.Add(time.Hour), MadeBy: "Jane Roe, Esq.",
		Entries: []RegisterEntry{
			{Ref: "D-2033-0001/1", Kind: "matter", RecordID: 7, MatterNumber: "2026-0004", PracticeArea: "Family law", Rule: "Family law: 7 years after closing",
				OpenedAt: &opened, ClosedAt: &closed, DestroyAfter: &after,
				Items: map[string]int64{"notes": 3, "parties": 2, "documents": 2, "versions": 3, "bytes": 1536000, "intake": 1}},
			{Ref: "D-2033-0001/2", Kind: "client", RecordID: 12, Rule: "by hand before the date: client asked", Items: map[string]int64{"aliases": 1}},
		},
		Holding: []HeldSnapshot{{Target: "/media/usb/backup", Volume: "BACKUP1", Short: "3f9a2c1d", At: at.AddDate(0, -1, 0)}},
	}
	if namesKept {
		c.Entries[1].KeptNames = []string{"Ann Lee", "Annie Lee"}
	}
	return c
}

func TestCertificatePages(t *testing.T) {
	for _, kept := range []bool{false, true} {
		c := testCertificate(kept)
		var h, txt strings.Builder
		if err := c.WriteHTML(&h); err != nil {
			t.Fatal(err)
		}
		if err := c.WriteText(&txt); err != nil {
			t.Fatal(err)
		}
		for name, page := range map[string]string{"html": h.String(), "text": txt.String()} {
			for _, want := range []string{"D-2033-0001", "Jane Roe, Esq.", "2033-12-03 14:05", "4711", "D-2033-0001/1", "Matter 2026-0004 (matter 7)",
				"Client file (client 12)", "Family law: 7 years after closing", "by hand before the date: client asked", "3 notes, 2 parties, 2 documents in 3 versions (1.5 MB), 1 intake answer",
				"1 alias", "2026-12-01", "/media/usb/backup", "3f9a2c1d", "casevault backup forget-destroyed D-2033-0001 --repo FOLDER", "Destroyed by hand before the date"} {
				if !strings.Contains(page, want) {
					t.Errorf("names kept %v, %s: no %q in\n%s", kept, name, want, page)
				}
			}
			if strings.Contains(page, "Ann Lee") != kept {
				t.Errorf("names kept %v, %s: the kept name is shown: %v", kept, name, !kept)
			}
		}
		page := h.String()
		if strings.Contains(page, "<script") || !strings.Contains(page, "&lt;script&gt;") || !strings.Contains(page, "default-src 'none'") ||
			strings.Contains(page, "http://") || strings.Contains(page, "https://") {
			t.Errorf("the page is not self-contained and escaped:\n%s", page)
		}
	}
	c := testCertificate(false)
	c.Holding = nil
	var txt strings.Builder
	c.WriteText(&txt)
	if !strings.Contains(txt.String(), "No backup the vault knows of still held") {
		t.Errorf("no holding backups:\n%s", txt.String())
	}
}

func TestItemWords(t *testing.T) {
	if got := ItemWords(map[string]int64{}); got != "the record itself" {
		t.Errorf("ItemWords of nothing: %q", got)
	}
	if got := ItemWords(map[string]int64{"notes": 1, "documents": 1, "versions": 1, "bytes": 10}); got != "1 note, 1 document (10 bytes)" {
		t.Errorf("ItemWords: %q", got)
	}
}
