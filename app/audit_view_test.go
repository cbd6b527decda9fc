package app

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"casevault/app/access"
	"casevault/store"
)

// TestAuditViewWords: the trail in a lawyer's words. The owner reads
// "Viewed client NAME" and the matter's title; an attorney outside a
// restricted client reads "a restricted client", never its name; a deleted
// client is "a deleted client"; the codes stay in Action and Records.
func TestAuditViewWords(t *testing.T) {
	w := newWallVault(t)
	o := w.owner
	one := w.addUser(t, "olga", access.AttorneyRole)
	if err := o.SetSecurityClass(ctx, "client", w.restricted, ClassRestricted, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := o.GetClient(ctx, w.restricted); err != nil {
		t.Fatal(err)
	}
	if _, err := o.GetClient(ctx, w.general); err != nil {
		t.Fatal(err)
	}
	gone, err := o.AddClient(ctx, ClientInput{Name: ptr("Gone Redman")})
	if err != nil {
		t.Fatal(err)
	}
	if err := o.DeleteClient(ctx, gone); err != nil {
		t.Fatal(err)
	}
	lines, err := o.AuditView(ctx, store.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	find := func(lines []AuditLine, action, records string) *AuditLine {
		t.Helper()
		for i := range lines {
			if lines[i].Action == action && lines[i].Records == records {
				return &lines[i]
			}
		}
		t.Fatalf("no %s %s among %d lines", action, records, len(lines))
		return nil
	}
	if l := find(lines, "client.view", ref("client", w.restricted)); l.What != "Viewed client "+canary+" Estate" ||
		l.About != "Client "+canary+" Estate" || l.Kind != "read" {
		t.Errorf("the owner's view line: %+v", l)
	}
	if l := find(lines, "client.view", ref("client", w.general)); l.What != "Viewed client Garnet Holloway" {
		t.Errorf("view line: %+v", l)
	}
	if l := find(lines, "client.delete", ref("client", gone)); l.What != "Deleted a client" || l.About != "A deleted client" {
		t.Errorf("deleted client line: %+v", l)
	}
	if l := find(lines, "matter.add", ref("matter", w.walledPlain)+" "+ref("client", w.general)); l.About != "Matter Holloway lease renewal, client Garnet Holloway" {
		t.Errorf("matter line: %+v", l)
	}
	if err := o.Close(ctx); err != nil {
		t.Fatal(err)
	}
	w.firstUnlock(t, "olga", access.AttorneyRole, one)
	w.as(t, "olga", func(s *Session) {
		lines, err := s.AuditView(ctx, store.AuditFilter{})
		if err != nil {
			t.Fatal(err)
		}
		// The trail leaves out entries naming a record olga cannot see
		// (store.ListAudit); one that still names it reads "a restricted client".
		for _, l := range lines {
			if strings.Contains(l.Records, ref("client", w.restricted)) {
				t.Errorf("olga's trail holds an entry of the restricted client: %+v", l)
			}
		}
		var l AuditLine
		if err := s.st.View(ctx, func(tx *store.Tx) error {
			var err error
			l, err = newAuditNames(tx).line(&store.AuditEntry{Action: "client.view", Records: ref("client", w.restricted)})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if l.What != "Viewed a restricted client" || l.About != "A restricted client" {
			t.Errorf("olga's line of the restricted client: %+v", l)
		}
		for _, l := range lines {
			if strings.Contains(l.What+l.About, canary+" Estate") {
				t.Errorf("olga reads the restricted name: %+v", l)
			}
			if strings.ContainsAny(l.What+l.About, "\x1b\n") {
				t.Errorf("a control character in %+v", l)
			}
		}
		if l := find(lines, "user.add", "user:2"); l.About != "User olga" {
			t.Errorf("user line: %+v", l)
		}
	})
}

// TestAuditViewRefused: a role that may not read the trail gets the
// refusal, not lines.
func TestAuditViewRefused(t *testing.T) {
	w := newWallVault(t)
	one := w.addUser(t, "pat", access.ParalegalRole)
	if err := w.owner.Close(ctx); err != nil {
		t.Fatal(err)
	}
	w.firstUnlock(t, "pat", access.ParalegalRole, one)
	w.as(t, "pat", func(s *Session) {
		if lines, err := s.AuditView(ctx, store.AuditFilter{}); err == nil || len(lines) != 0 {
			t.Fatalf("a paralegal reads %d lines, err %v", len(lines), err)
		}
	})
}

// TestDrillWordsCoverEveryCheck: every check the drill makes (each
// check("NAME", …) in backup.go) has plain words.
func TestDrillWordsCoverEveryCheck(t *testing.T) {
	src, err := os.ReadFile("backup.go")
	if err != nil {
		t.Fatal(err)
	}
	names := regexp.MustCompile(`check\("([^"]+)"`).FindAllStringSubmatch(string(src), -1)
	if len(names) < 9 {
		t.Fatalf("found %d drill checks in backup.go", len(names))
	}
	for _, m := range names {
		w, ok := drillWords[m[1]]
		if !ok || w.title == "" || w.ok == "" || w.fail == "" {
			t.Errorf("drill check %q has no plain words", m[1])
		}
		for _, s := range []string{w.title, w.ok, w.fail} {
			for _, tech := range []string{"hash", "integrity_check", "redo log", "chain head", "PRAGMA", "checkpoint"} {
				if strings.Contains(strings.ToLower(s), strings.ToLower(tech)) {
					t.Errorf("drill words %q say %q", s, tech)
				}
			}
		}
	}
}

// TestAuditDetailWords: a conflict check's recorded names and hits read as
// words; anything else, or a detail not in that form, stays as recorded.
func TestAuditDetailWords(t *testing.T) {
	for _, c := range []struct{ action, in, want string }{
		{"conflict.check", `names ["Baizazei Nafupo","Acme [Ltd]"], 2 hits`, "Names checked: Baizazei Nafupo, Acme [Ltd]. 2 possible conflicts."},
		{"conflict.check", `names ["Jo"], 1 hit`, "Names checked: Jo. 1 possible conflict."},
		{"conflict.check", `names ["Jo"], 0 hits`, "Names checked: Jo. No possible conflict."},
		{"conflict.check", `names ["Jo\u001b[31m"], 0 hits`, "Names checked: Jo [31m. No possible conflict."},
		{"conflict.check", `names [broken, 2 hits`, `names [broken, 2 hits`},
		{"client.edit", `names ["x"], 2 hits`, `names ["x"], 2 hits`},
	} {
		if got := detailWords(c.action, c.in); got != c.want {
			t.Errorf("detailWords(%s, %q) = %q, want %q", c.action, c.in, got, c.want)
		}
	}
}
