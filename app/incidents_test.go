package app

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"casevault/app/access"
	"casevault/app/human"
	"casevault/app/incident"
	"casevault/store"
)

// clockSession is a test session whose clock the test moves.
func clockSession(t *testing.T) (*Session, *time.Time) {
	t.Helper()
	s, _, _ := testSession(t)
	now := time.Date(2026, 12, 3, 9, 30, 0, 0, time.Local)
	s.now = func() time.Time { return now }
	return s, &now
}

// Each change is one audit entry naming the incident, with no client
// data in its detail.
func checkIncidentAudit(t *testing.T, s *Session, before int, action string, id int64, names ...string) {
	t.Helper()
	if n := auditCount(t, s); n != before+1 {
		t.Errorf("%s: %d audit entries, want one", action, n-before)
	}
	e := lastAudit(t, s)
	if e.Action != action || !strings.HasPrefix(e.Records, fmt.Sprintf("incident:%d", id)) {
		t.Errorf("%s: last audit entry %s [%s] %q", action, e.Action, e.Records, e.Detail)
	}
	for _, n := range names {
		if strings.Contains(strings.ToLower(e.Detail), strings.ToLower(n)) {
			t.Errorf("%s: the audit detail %q names a client", action, e.Detail)
		}
	}
}

func TestIncidentFlow(t *testing.T) {
	s, now := clockSession(t)
	hostile := []string{"Ann <b>Lee</b><script>alert(1)</script>", "Bo \x1b[31mChan", "Cy Diaz"}
	var ids []int64
	for _, n := range hostile {
		// Straight into the store: AddClient refuses control codes, but a
		// vault from before it did may hold them.
		var id int64
		err := s.st.Update(ctx, func(tx *store.Tx) error {
			var err error
			id, err = tx.InsertClient(&store.Client{Name: n}, *now)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	names := []string{"Ann", "Chan", "Diaz"}

	// Bad input: a plain error each, nothing recorded.
	before := auditCount(t, s)
	for _, tc := range []struct {
		in   IncidentInput
		says string
	}{
		{IncidentInput{Kind: "flood"}, `Unknown kind of incident "flood": choose one of lost-laptop`},
		{IncidentInput{Kind: incident.LostLaptop, HappenedAt: now.AddDate(0, 0, 2)}, "is in the future"},
		{IncidentInput{Kind: incident.LostLaptop, RepoID: "abc"}, "Only a lost backup drive names a backup drive"},
		{IncidentInput{Kind: incident.Other, Summary: strings.Repeat("x", MaxIncidentSummary+1)}, "The summary is too long (4001 characters; at most 4000 characters)"},
		{IncidentInput{Kind: incident.Other, Summary: "bad \xff"}, "not valid text"},
	} {
		_, err := s.StartIncident(ctx, tc.in)
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("StartIncident(%+v) = %v; want %q", tc.in.Kind, err, tc.says)
		}
	}
	if list, err := s.Incidents(ctx); err != nil || len(list) != 0 || auditCount(t, s) != before+1 {
		t.Errorf("after bad input: %d incidents (%v), %d audit entries", len(list), err, auditCount(t, s)-before)
	}

	happened := now.Add(-20 * time.Hour)
	before = auditCount(t, s)
	id, err := s.StartIncident(ctx, IncidentInput{Kind: incident.LostLaptop, HappenedAt: happened, Summary: "  Left on the 8:10 train  "})
	if err != nil {
		t.Fatal(err)
	}
	checkIncidentAudit(t, s, before, "incident.start", id)

	// Tick a step with a note at the session's time; untick; tick again.
	*now = now.Add(10 * time.Minute)
	t1 := *now
	before = auditCount(t, s)
	if err := s.MarkIncidentStep(ctx, id, "police", true, "report 2026-4471"); err != nil {
		t.Fatal(err)
	}
	checkIncidentAudit(t, s, before, "incident.step", id)
	if d := lastAudit(t, s).Detail; !strings.Contains(d, "step police done, with a note") || strings.Contains(d, "4471") {
		t.Errorf("step detail %q", d)
	}
	*now = now.Add(time.Minute)
	if err := s.MarkIncidentStep(ctx, id, "LAST-SEEN", true, ""); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkIncidentStep(ctx, id, "last_seen", false, ""); err != nil {
		t.Fatal(err)
	}
	if d := lastAudit(t, s).Detail; !strings.Contains(d, "step last_seen not done after all") {
		t.Errorf("untick detail %q", d)
	}
	before = auditCount(t, s)
	for _, bad := range []struct {
		id   int64
		key  string
		note string
		says string
	}{
		{id, "pray", "", `Unknown step "pray" for "laptop lost or stolen": the steps are last-seen, police`},
		{99, "police", "", "incident 99: not found"},
		{id, "police", strings.Repeat("n", MaxIncidentNote+1), "The note is too long"},
	} {
		if err := s.MarkIncidentStep(ctx, bad.id, bad.key, true, bad.note); err == nil || !strings.Contains(err.Error(), bad.says) {
			t.Errorf("MarkIncidentStep(%d, %q) = %v; want %q", bad.id, bad.key, err, bad.says)
		}
	}
	if n := auditCount(t, s); n != before {
		t.Errorf("refused steps wrote %d audit entries", n-before)
	}

	// Affected clients: an unknown one refuses the whole list.
	before = auditCount(t, s)
	if err := s.SetAffectedClients(ctx, id, []int64{ids[0], 999}); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "There is no client 999") {
		t.Errorf("an unknown client: %v", err)
	}
	if err := s.SetAffectedClients(ctx, id, []int64{ids[0], ids[1], ids[0], ids[2]}); err != nil {
		t.Fatal(err)
	}
	checkIncidentAudit(t, s, before, "incident.clients", id, names...)
	if e := lastAudit(t, s); e.Records != fmt.Sprintf("incident:%d client:%d client:%d client:%d", id, ids[0], ids[1], ids[2]) || !strings.Contains(e.Detail, "3 clients chosen") {
		t.Errorf("clients entry: [%s] %q", e.Records, e.Detail)
	}
	*now = now.Add(time.Hour)
	told := *now
	before = auditCount(t, s)
	if err := s.MarkNotified(ctx, id, ids[1], true); err != nil {
		t.Fatal(err)
	}
	checkIncidentAudit(t, s, before, "incident.notified", id, names...)
	if err := s.MarkNotified(ctx, id, 999, true); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "Client 999 is not among the clients") {
		t.Errorf("notified an unaffected client: %v", err)
	}
	// Cy Diaz is deleted: the incident still lists the id, without a name.
	if err := s.DeleteClient(ctx, ids[2]); err != nil {
		t.Fatal(err)
	}

	in, err := s.Incident(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if in.Kind != incident.LostLaptop || in.Label != "Laptop lost or stolen" || in.Summary != "Left on the 8:10 train" || !in.HappenedAt.Equal(happened) || in.OpenedBy != s.Actor() || in.Closed() {
		t.Errorf("incident: %+v", in)
	}
	if len(in.Steps) != len(incident.Checklist(incident.LostLaptop)) || in.Done() != 1 {
		t.Errorf("%d steps, %d done", len(in.Steps), in.Done())
	}
	for _, st := range in.Steps {
		switch st.Key {
		case "police":
			if !st.DoneAt.Equal(t1) || st.DoneBy != s.Actor() || st.Note != "report 2026-4471" {
				t.Errorf("police: %+v", st)
			}
		case "last_seen":
			if !st.DoneAt.IsZero() || st.DoneBy != "" {
				t.Errorf("unticked last_seen: %+v", st)
			}
		}
	}
	want := []AffectedClient{
		{ClientID: ids[0], Name: hostile[0], Label: fmt.Sprintf("Client %d (%s)", ids[0], hostile[0])},
		{ClientID: ids[1], Name: hostile[1], Label: fmt.Sprintf("Client %d (%s)", ids[1], hostile[1]), NotifiedAt: told, NotifiedBy: s.Actor()},
		{ClientID: ids[2], Label: fmt.Sprintf("Client %d (deleted)", ids[2]), Gone: true},
	}
	if fmt.Sprint(in.Affected) != fmt.Sprint(want) {
		t.Errorf("affected:\n got %+v\nwant %+v", in.Affected, want)
	}

	// Setting the list again keeps the deleted one and when Bo was told.
	if err := s.SetAffectedClients(ctx, id, []int64{ids[1]}); err != nil {
		t.Fatal(err)
	}
	if in, _ := s.Incident(ctx, id); len(in.Affected) != 2 || in.Affected[0].ClientID != ids[1] || !in.Affected[0].NotifiedAt.Equal(told) || !in.Affected[1].Gone {
		t.Errorf("after setting again: %+v", in.Affected)
	}
	if err := s.SetAffectedClients(ctx, id, []int64{ids[0], ids[1]}); err != nil {
		t.Fatal(err)
	}

	// The pack: the record, a letter per client, escaped.
	var buf bytes.Buffer
	before = auditCount(t, s)
	p, err := s.IncidentPack(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if e := lastAudit(t, s); auditCount(t, s) != before+1 || e.Action != "report.export" || e.Records != fmt.Sprintf("incident:%d client:%d client:%d", id, ids[1], ids[2]) && e.Records != fmt.Sprintf("incident:%d client:%d client:%d", id, ids[0], ids[1]) {
		t.Errorf("pack audit: %d entries, last %s [%s] %q", auditCount(t, s)-before, e.Action, e.Records, e.Detail)
	}
	if err := p.WriteHTML(&buf); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	if len(p.Letters) != 3 || len(p.Access) != 0 || !strings.Contains(page, "Only one person uses this vault") {
		t.Errorf("%d letters, %d access reports, notes %q", len(p.Letters), len(p.Access), p.Notes)
	}
	for _, w := range []string{
		"Incident 1: Laptop lost or stolen",
		fmt.Sprintf("For client %d (Ann &lt;b&gt;Lee&lt;/b&gt;&lt;script&gt;alert(1)&lt;/script&gt;)", ids[0]),
		"Dear Ann &lt;b&gt;Lee&lt;/b&gt;&lt;script&gt;alert(1)&lt;/script&gt;,",
		`Dear Bo \x1b[31mChan,`,
		fmt.Sprintf("For client %d</p>", ids[2]), // deleted: no name
		`Dear <mark class="fill">[FILL IN: the client&#39;s name]</mark>,`,
		"On " + human.Date(happened) + ", a laptop I use for my practice was lost or stolen.",
		human.Stamp(t1) + " by " + s.Actor(),
		"report 2026-4471",
		human.Date(told) + " by " + s.Actor(),
		"Left on the 8:10 train",
		"ABA Formal Opinion 483",
	} {
		if !strings.Contains(page, w) {
			t.Errorf("the pack does not say %q", w)
		}
	}
	for _, bad := range []string{"<b>Lee", "<script>", "\x1b"} {
		if strings.Contains(page, bad) {
			t.Errorf("the pack holds %q unescaped", bad)
		}
	}
	if n := strings.Count(page, `<div class="letter">`); n != 3 {
		t.Errorf("%d letters on the page", n)
	}

	before = auditCount(t, s)
	if err := s.CloseIncident(ctx, id); err != nil {
		t.Fatal(err)
	}
	checkIncidentAudit(t, s, before, "incident.close", id)
	if d := lastAudit(t, s).Detail; !strings.Contains(d, "1 of 14 steps done") {
		t.Errorf("close detail %q", d)
	}
	if err := s.CloseIncident(ctx, id); !errors.Is(err, ErrIncidentClosed) || !strings.Contains(err.Error(), "was closed already, on "+human.Date(*now)) {
		t.Errorf("closed twice: %v", err)
	}
	if list, err := s.Incidents(ctx); err != nil || len(list) != 1 || !list[0].Closed() || list[0].Affected != nil || list[0].ClosedBy != s.Actor() {
		t.Errorf("list: %+v, %v", list, err)
	}
}

// People and permissions: a paralegal records an incident and ticks its
// steps but does not see the affected clients (they come from the audit
// trail) or print the pack; the pack has an access report per client when
// more than one person uses the vault.
func TestIncidentPermissions(t *testing.T) {
	s, _ := clockSession(t)
	owner := s.currentUser()
	c, err := s.AddClient(ctx, ClientInput{Name: ptr("Dana Holt")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddUser(ctx, "pat", access.ParalegalRole, AddUserOptions{KDF: &testKDF}); err != nil {
		t.Fatal(err)
	}
	id, err := s.StartIncident(ctx, IncidentInput{Kind: incident.Disclosure})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetAffectedClients(ctx, id, []int64{c}); err != nil {
		t.Fatal(err)
	}
	actAs(s, "pat", builtin(t, access.ParalegalRole))
	if _, err := s.StartIncident(ctx, IncidentInput{Kind: incident.Ransomware}); err != nil {
		t.Errorf("a paralegal cannot record an incident: %v", err)
	}
	if err := s.MarkIncidentStep(ctx, id, "what_sent", true, ""); err != nil {
		t.Errorf("a paralegal cannot tick a step: %v", err)
	}
	if in, err := s.Incident(ctx, id); err != nil || in.Affected != nil {
		t.Errorf("a paralegal sees the incident's clients: %+v, %v", in, err)
	}
	for name, err := range map[string]error{
		"SetAffectedClients": s.SetAffectedClients(ctx, id, []int64{c}),
		"MarkNotified":       s.MarkNotified(ctx, id, c, true),
		"IncidentPack":       func() error { _, err := s.IncidentPack(ctx, id); return err }(),
	} {
		if !errors.Is(err, ErrDenied) {
			t.Errorf("a paralegal: %s = %v", name, err)
		}
	}
	setUser(s, owner)
	p, err := s.IncidentPack(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Access) != 1 || p.Access[0].ClientID != c || len(p.Letters) != 1 {
		t.Fatalf("pack with two people: %d access reports, %d letters, notes %q", len(p.Access), len(p.Letters), p.Notes)
	}
	var buf bytes.Buffer
	if err := p.WriteHTML(&buf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "Access report: Dana Holt") || !strings.Contains(buf.String(), "Chose the clients an incident affects") {
		t.Errorf("the pack's access report does not show the incident entries")
	}
	// A read-only role may not record anything at all? It may: recording
	// an incident needs only to read clients.
	actAs(s, "reader", builtin(t, access.ReadOnlyRole))
	if _, err := s.Incidents(ctx); err != nil {
		t.Errorf("read-only: %v", err)
	}
}

// A client destroyed after it was marked affected stays on the incident
// by the id it had, named by the register row (and the kept name only
// when names were kept); no copy of its name is in the incident tables.
func TestIncidentDestroyedClient(t *testing.T) {
	for _, keep := range []bool{true, false} {
		s, now := clockSession(t)
		name := "Quenby Marlowe"
		c, err := s.AddClient(ctx, ClientInput{Name: ptr(name)})
		if err != nil {
			t.Fatal(err)
		}
		m, err := s.AddMatter(ctx, MatterInput{ClientID: c, Title: "Marlowe estate"})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.CloseMatter(ctx, m); err != nil {
			t.Fatal(err)
		}
		id, err := s.StartIncident(ctx, IncidentInput{Kind: incident.BreakIn})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetAffectedClients(ctx, id, []int64{c}); err != nil {
			t.Fatal(err)
		}
		if err := s.MarkNotified(ctx, id, c, true); err != nil {
			t.Fatal(err)
		}
		var number string
		err = s.st.Update(ctx, func(tx *store.Tx) error {
			out, err := tx.Destroy(store.DestroySpec{MatterIDs: []int64{m}, ClientIDs: []int64{c}, KeepNames: keep, Reason: "test", At: *now, By: "tester"})
			if err == nil {
				number = out.Number
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		in, err := s.Incident(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if len(in.Affected) != 1 {
			t.Fatalf("keep %v: affected %+v", keep, in.Affected)
		}
		a := in.Affected[0]
		if a.ClientID != c || !a.Gone || !strings.HasPrefix(a.Register, number+"/") || a.NotifiedAt.IsZero() ||
			strings.Contains(a.Label, name) != keep || !strings.Contains(a.Label, "file destroyed, "+a.Register) {
			t.Errorf("keep %v: destroyed client %+v", keep, a)
		}
		var n int
		if err := s.st.View(ctx, func(tx *store.Tx) error {
			return tx.QueryRow(`SELECT count(*) FROM incident_clients WHERE label LIKE '%Marlowe%' OR register LIKE '%Marlowe%'`).Scan(&n)
		}); err != nil || n != 0 {
			t.Errorf("keep %v: %d incident rows hold the name (%v)", keep, n, err)
		}
		p, err := s.IncidentPack(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Letters) != 1 || strings.Contains(p.Letters[0].Text(), name) != keep {
			t.Errorf("keep %v: the letter:\n%s", keep, p.Letters[0].Text())
		}
	}
}

// A lost backup drive: the affected clients are exactly those the vault's
// backup records put on it (ClientsOnRepository), found by the drive's
// folder or id; a client added after the last backup is not on it.
func TestIncidentLostDrive(t *testing.T) {
	s, now := clockSession(t)
	*now = time.Now().Add(-time.Hour) // the backup's snapshot has the real time: the clients come before it
	var ids []int64
	for _, n := range []string{"Ann Lee", "Bo Chan", "Cy Diaz"} {
		id, err := s.AddClient(ctx, ClientInput{Name: ptr(n)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	repo := filepath.Join(t.TempDir(), "usb", "casevault-backup")
	if _, err := s.Backup(ctx, repo, BackupOptions{}); err != nil {
		t.Fatal(err)
	}
	*now = time.Now().Add(time.Hour)
	late, err := s.AddClient(ctx, ClientInput{Name: ptr("Dee Late")}) // first: a deleted highest id is given again
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteClient(ctx, ids[2]); err != nil { // on the drive, deleted since
		t.Fatal(err)
	}
	repos, err := s.KnownRepositories(ctx)
	if err != nil || len(repos) != 1 {
		t.Fatalf("known drives: %+v, %v", repos, err)
	}
	exposed, err := s.ClientsOnRepository(ctx, repos[0].RepoID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.StartIncident(ctx, IncidentInput{Kind: incident.LostBackup, RepoID: filepath.Join(t.TempDir(), "elsewhere")}); err == nil {
		t.Error("an unknown drive was accepted")
	}
	id, err := s.StartIncident(ctx, IncidentInput{Kind: incident.LostBackup, RepoID: repo})
	if err != nil {
		t.Fatal(err)
	}
	e := lastAudit(t, s)
	if e.Action != "incident.start" || !strings.Contains(e.Detail, repos[0].RepoID) || !strings.Contains(e.Detail, fmt.Sprintf("%d clients on it", len(exposed))) {
		t.Errorf("start entry: %s %q", e.Action, e.Detail)
	}
	in, err := s.Incident(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if in.RepoID != repos[0].RepoID || in.Repository == nil || in.Repository.Target != repos[0].Target || len(in.Repository.Slots) == 0 {
		t.Errorf("the drive: %q %+v", in.RepoID, in.Repository)
	}
	got := map[int64]bool{}
	for _, a := range in.Affected {
		got[a.ClientID] = true
	}
	want := map[int64]bool{}
	for _, x := range exposed {
		want[x.ClientID] = true
	}
	if fmt.Sprint(got) != fmt.Sprint(want) || len(got) != 3 || got[late] || !got[ids[2]] {
		t.Errorf("affected %v, on the drive %v (late client %d)", got, want, late)
	}
	var p bytes.Buffer
	pack, err := s.IncidentPack(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if err := pack.WriteHTML(&p); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(p.String(), "The lost backup drive: "+repos[0].Target) || !strings.Contains(p.String(), "kept encrypted") {
		t.Errorf("the pack does not describe the drive")
	}
}
