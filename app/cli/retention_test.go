package cli

import (
	"context"
	"strings"
	"testing"
	"time"

	"casevault/store"
)

// pastDue moves every closed matter's destroy-after date to a day in the
// past, straight in the store (the clock of a command cannot be moved).
func pastDue(t *testing.T, v *tv, day string) {
	t.Helper()
	d, err := time.ParseInLocation("2006-01-02", day, time.Local)
	if err != nil {
		t.Fatal(err)
	}
	withStore(t, v.dir, testPass, func(st *store.Store) error {
		return st.Update(context.Background(), func(tx *store.Tx) error {
			_, err := tx.Exec("UPDATE matters SET destroy_after = ? WHERE status = 'closed' AND destroy_after IS NOT NULL", d.UnixMilli())
			return err
		})
	})
}

func wantFail(t *testing.T, v *tv, code int, words string, args ...string) {
	t.Helper()
	out, errs, got := v.do(args...)
	if got != code || !strings.Contains(errs, words) {
		t.Errorf("%v: exit %d, want %d with %q\nstdout: %s\nstderr: %s", args, got, code, words, out, errs)
	}
}

func TestRetentionRulesCommand(t *testing.T) {
	v := newTV(t)
	out := v.ok("retention", "rules")
	if !strings.Contains(out, "(default)") || !strings.Contains(out, "7 years after closing") {
		t.Errorf("rules of a new vault:\n%s", out)
	}
	if out := v.ok("retention", "rules", "--set", "Family law", "--years", "10", "--months", "6", "--note", "bar rule 1.15"); !strings.Contains(out, "The Family law rule: 10 years and 6 months after closing.") {
		t.Errorf("set: %s", out)
	}
	v.ok("retention", "rules", "--set", "Wills", "--never")
	v.ok("retention", "rules", "--set", "default", "--years", "6")
	js := okJSON[struct {
		Rules []ruleJSON `json:"rules"`
	}](v, "retention", "rules")
	if len(js.Rules) != 3 || js.Rules[0].Years != 6 || js.Rules[1].PracticeArea != "Family law" || js.Rules[1].Note != "bar rule 1.15" || !js.Rules[2].Never {
		t.Errorf("rules JSON: %+v", js.Rules)
	}
	if out := v.ok("retention", "rules", "--delete", "wills"); !strings.Contains(out, "The wills rule is deleted") {
		t.Errorf("delete: %s", out)
	}
	before := v.audit()
	wantFail(t, v, ExitUsage, "--set needs how long", "retention", "rules", "--set", "Tax")
	wantFail(t, v, ExitUsage, "not both", "retention", "rules", "--set", "Tax", "--years", "1", "--delete", "Tax")
	wantFail(t, v, ExitUsage, "go with --set AREA", "retention", "rules", "--years", "3")
	wantFail(t, v, ExitUsage, "leave out --years", "retention", "rules", "--set", "Tax", "--never", "--years", "3")
	wantFail(t, v, ExitError, "from 0 to 100 years, not 200. Nothing was changed.", "retention", "rules", "--set", "Tax", "--years", "200")
	wantFail(t, v, ExitError, "The default rule cannot be deleted", "retention", "rules", "--delete", "default")
	wantFail(t, v, ExitError, `no rule for the practice area "Tax"`, "retention", "rules", "--delete", "Tax")
	if n := v.audit(); n != before+3 { // the three that opened the vault recorded their unlock
		t.Errorf("refused rule commands: %d audit entries, want 3 unlocks", n-before)
	}
}

func TestRetentionHoldsAndDue(t *testing.T) {
	v := newTV(t)
	ann := v.id("client", "add", "--name", "Ann Lee")
	bob := v.id("client", "add", "--name", "Bob Kahn")
	m1 := v.id("matter", "add", "--client", ann, "--title", "Lee v. Smith")
	m2 := v.id("matter", "add", "--client", bob, "--title", "Kahn lease")
	open := v.id("matter", "add", "--client", bob, "--title", "Kahn open")
	v.ok("note", "add", "--matter", m1, "--text", "called")
	v.ok("matter", "close", m1)
	v.ok("matter", "close", m2)

	out := v.ok("retention", "show", m1)
	if !strings.Contains(out, "The default rule: 7 years after closing") || !strings.Contains(out, "Due") || !strings.Contains(out, "not yet") {
		t.Errorf("show:\n%s", out)
	}
	if out := v.ok("retention", "due"); !strings.Contains(out, "Nothing is due for destruction today.") {
		t.Errorf("due before the date:\n%s", out)
	}
	pastDue(t, v, "2026-01-05")
	out = v.ok("retention", "due")
	if !strings.Contains(out, "Lee v. Smith") || !strings.Contains(out, "1 note") || !strings.Contains(out, "Kahn lease") ||
		!strings.Contains(out, "--client "+ann) || strings.Contains(out, "--client "+bob) || !strings.Contains(out, "2026-01-05") {
		t.Errorf("due:\n%s", out)
	}
	due := okJSON[struct {
		Total   int       `json:"total"`
		Clients []dueJSON `json:"clients"`
	}](v, "retention", "due", "--limit", "1")
	if due.Total != 2 || len(due.Clients) != 1 || len(due.Clients[0].Matters) != 1 {
		t.Errorf("due page 1 of 1: %+v", due)
	}
	if out := v.ok("retention", "due", "--limit", "1"); !strings.Contains(out, "1 more matter not shown: see them with --page 2.") {
		t.Errorf("due paging:\n%s", out)
	}
	if out := v.ok("retention", "due", "--page", "5"); !strings.Contains(out, "There are only 2 matters due: page 5 is empty.") {
		t.Errorf("an empty page:\n%s", out)
	}

	// Holds.
	wantFail(t, v, ExitUsage, "one of them", "retention", "hold", "--reason", "x")
	wantFail(t, v, ExitUsage, "one of them", "retention", "hold", "--client", ann, "--matter", m1, "--reason", "x")
	wantFail(t, v, ExitUsage, "say why it is held", "retention", "hold", "--client", ann)
	wantFail(t, v, ExitError, "not found", "retention", "hold", "--matter", "999", "--reason", "appeal")
	out = v.ok("retention", "hold", "--client", ann, "--reason", "pending appeal")
	if !strings.HasPrefix(out, "Legal hold 1 placed on Client "+ann+" (Ann Lee)") {
		t.Errorf("hold: %s", out)
	}
	if out := v.ok("retention", "show", m1); !strings.Contains(out, "1 legal hold blocks it") || !strings.Contains(out, "(placed by owner: pending appeal)") {
		t.Errorf("show a held matter:\n%s", out)
	}
	if out := v.ok("retention", "due"); strings.Contains(out, "Lee v. Smith") {
		t.Errorf("a held matter is due:\n%s", out)
	}
	if out := v.ok("retention", "holds"); !strings.Contains(out, "Ann Lee") || !strings.Contains(out, "pending appeal") {
		t.Errorf("holds:\n%s", out)
	}
	wantFail(t, v, ExitUsage, "say why the hold is released", "retention", "release", "1")
	wantFail(t, v, ExitError, "there is no legal hold 9 you may see", "retention", "release", "9", "--reason", "x")
	wantFail(t, v, ExitUsage, "give exactly one legal hold id", "retention", "release", "--reason", "x")
	v.ok("retention", "release", "1", "--reason", "appeal dismissed")
	wantFail(t, v, ExitError, "was released already", "retention", "release", "1", "--reason", "again")
	if out := v.ok("retention", "holds"); !strings.Contains(out, "No legal hold is in force.") {
		t.Errorf("holds after the release:\n%s", out)
	}
	hs := okJSON[struct {
		Holds []holdJSON `json:"holds"`
	}](v, "retention", "holds", "--all")
	if len(hs.Holds) != 1 || hs.Holds[0].ReleaseReason != "appeal dismissed" || hs.Holds[0].Kind != "client" {
		t.Errorf("all holds: %+v", hs)
	}

	// Dates by hand.
	wantFail(t, v, ExitUsage, "one of them", "retention", "set", m1, "--reason", "x")
	wantFail(t, v, ExitUsage, "say why the date changes", "retention", "set", m1, "--date", "2040-01-01")
	wantFail(t, v, ExitUsage, "2040-1-1 is not a date", "retention", "set", m1, "--date", "2040-1-1", "--reason", "x")
	wantFail(t, v, ExitError, "is open", "retention", "set", open, "--date", "2040-01-01", "--reason", "x")
	if out := v.ok("retention", "set", m1, "--date", "2040-01-01", "--reason", "client may sue"); !strings.Contains(out, "may be destroyed after 2040-01-01") {
		t.Errorf("set: %s", out)
	}
	if out := v.ok("retention", "show", m1); !strings.Contains(out, "client may sue") || !strings.Contains(out, "2040-01-01") {
		t.Errorf("show after set:\n%s", out)
	}
	if out := v.ok("retention", "set", m2, "--keep", "--reason", "historic"); !strings.Contains(out, "kept for ever") {
		t.Errorf("keep: %s", out)
	}
	if out := v.ok("retention", "due"); !strings.Contains(out, "Nothing is due") {
		t.Errorf("due after the changes:\n%s", out)
	}
}
