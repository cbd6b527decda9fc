package app

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"casevault/app/access"
	"casevault/store"
	"casevault/vault"
	"casevault/vault/testkit"
)

func confirmed(req DestroyRequest) DestroyRequest {
	req.Confirm = "destroy" // any case
	return req
}

func TestDestroyRefusals(t *testing.T) {
	s, clk, _ := retentionSession(t)
	ann := mustClient(t, s, "Ann Lee")
	m1 := mustMatter(t, s, MatterInput{ClientID: ann, Title: "Lee v. Smith"}, true)
	m2 := mustMatter(t, s, MatterInput{ClientID: ann, Title: "Lee estate"}, false)
	owner := s.currentUser()
	before := snap(t, s)
	entries := before.audit

	// Not the owner: an attorney's role has the verb, not the owner's say.
	actAs(s, "attorney", builtinRole(t, access.AttorneyRole))
	if _, err := s.Destroy(ctx, confirmed(DestroyRequest{MatterIDs: []int64{m1}, KeepNames: true}), nil); !errors.Is(err, ErrOwnerOnly) ||
		err.Error() != "only the vault's owner can destroy client files" {
		t.Errorf("an attorney destroys: %v", err)
	}
	if e := lastAudit(t, s); e.Action != "denied" || e.Records != ref("matter", m1) {
		t.Errorf("the attorney's refusal is not recorded: %+v", e)
	}
	actAs(s, "reader", builtinRole(t, access.ReadOnlyRole))
	if _, err := s.Destroy(ctx, confirmed(DestroyRequest{MatterIDs: []int64{m1}}), nil); !errors.Is(err, ErrDenied) {
		t.Errorf("a read-only user destroys: %v", err)
	}
	setUser(s, owner)
	entries += 2

	for _, c := range []struct {
		name string
		req  DestroyRequest
		want error
		msg  string
	}{
		{"no confirmation", DestroyRequest{MatterIDs: []int64{m1}, Confirm: "yes"}, ErrConfirm, "type DESTROY to confirm it"},
		{"nothing chosen", confirmed(DestroyRequest{}), ErrInvalid, "Choose the matters"},
		{"open", confirmed(DestroyRequest{MatterIDs: []int64{m2}}), ErrNotClosed, "Matter 2026-0002 (Lee estate) is open: close it first"},
		{"not due", confirmed(DestroyRequest{MatterIDs: []int64{m1}}), ErrNotDue, "Matter 2026-0001 (Lee v. Smith): not due until 2033-03-02: say why"},
		{"client kept", confirmed(DestroyRequest{MatterIDs: []int64{m1}, ClientIDs: []int64{ann}, Reason: "asked"}), ErrClientKept,
			"Client 1 (Ann Lee) has 1 other matter not being destroyed (2026-0002)"},
	} {
		_, err := s.Destroy(ctx, c.req, nil)
		if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: %v, want %v saying %q", c.name, err, c.want, c.msg)
		}
	}
	clk.add(7, 0, 1)
	hid, err := s.PlaceHold(ctx, "matter", m1, "pending appeal")
	if err != nil {
		t.Fatal(err)
	}
	entries++
	_, err = s.Destroy(ctx, confirmed(DestroyRequest{MatterIDs: []int64{m1}, KeepNames: true}), nil)
	if want := "Matter 2026-0001 (Lee v. Smith) is on legal hold since 2033-03-03 (placed by tester: pending appeal). Release the hold first if it no longer applies"; !errors.Is(err, ErrOnHold) || err.Error() != want {
		t.Errorf("held: %v, want %q", err, want)
	}
	plan, err := s.PlanDestruction(ctx, DestroyRequest{MatterIDs: []int64{m1}})
	if err != nil || plan.Matters != 1 || len(plan.Problems) != 1 || len(plan.NotDue) != 0 {
		t.Errorf("plan of a held matter: %+v %v", plan, err)
	}
	entries++ // the plan is a read
	after := snap(t, s)
	if after.audit != entries {
		t.Errorf("%d audit entries after the refusals, want %d", after.audit, entries)
	}
	after.audit, after.counts.Audit = before.audit, before.counts.Audit
	if !reflect.DeepEqual(before, after) {
		t.Errorf("a refused destruction changed the vault:\n%+v\n%+v", before, after)
	}
	if err := s.ReleaseHold(ctx, hid, "appeal dismissed"); err != nil {
		t.Fatal(err)
	}
	res, err := s.Destroy(ctx, confirmed(DestroyRequest{MatterIDs: []int64{m1}, KeepNames: true}), nil)
	if err != nil || res.Number != "D-2033-0001" || len(res.Register) != 1 || res.Register[0].Kind != "matter" {
		t.Fatalf("destroy after the release: %+v %v", res, err)
	}
	if _, err := s.GetMatter(ctx, m1); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the destroyed matter is still there: %v", err)
	}
	e := lastAudit(t, s)
	if e.Action != "destroy" || !strings.HasPrefix(e.Records, "destruction:") || strings.Contains(e.Detail, "Lee") ||
		!strings.Contains(e.Detail, "D-2033-0001, 1 matter") || !strings.Contains(e.Detail, "names kept for conflict checks") {
		t.Errorf("the destruction's entry: %+v", e)
	}
}

// canaryVault is a client whose every kind of data holds canary, and
// whose names (name, alias, an adverse party, an intake answer, a conflict
// check) start with name: notes, a matter (title, a note), a document of
// the matter and one of the client (names and contents). The matter is closed; the clock is past its date.
func canaryVault(t *testing.T, name, canary string) (*Session, string, int64, int64) {
	t.Helper()
	s, clk, dir := retentionSession(t)
	id, a := acceptable(t, s, name+" Brandt", name+" Holdings")
	a.MatterTitle = canary + " divorce"
	client, matter, err := s.AcceptIntake(ctx, id, a)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.EditClient(ctx, client, ClientInput{Aliases: &[]string{name + " Alias"}, Notes: ptr("met " + canary + " at court")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddNote(ctx, matter, "the "+canary+" file, called about the house"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddDocumentReader(ctx, DocTarget{MatterID: matter}, canary+" letter.txt", strings.NewReader("Dear "+canary+", about the house."), AddDocOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddDocumentReader(ctx, DocTarget{ClientID: client}, "id "+canary+".txt", strings.NewReader("passport of "+canary), AddDocOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CheckConflicts(ctx, []string{name + " Brandt"}); err != nil {
		t.Fatal(err)
	}
	// Another client, kept, whose data must stay.
	other := mustClient(t, s, "Kept Client")
	if _, err := s.AddMatter(ctx, MatterInput{ClientID: other, Title: "Kept matter", Adverse: []string{"Kept Adverse"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.CloseMatter(ctx, matter); err != nil {
		t.Fatal(err)
	}
	clk.add(7, 0, 1)
	return s, dir, client, matter
}

// vaultLeaks scans every file of the vault folder for canary: their raw
// bytes, and what the vault's keys decrypt (the database image of the
// last checkpoint, the redo log's records, the audit segments).
func vaultLeaks(t *testing.T, dir string, canary string) []string {
	t.Helper()
	var found []string
	for path, b := range folderBytes(t, dir) {
		for _, l := range testkit.FindLeaks([]byte(b), canary) {
			found = append(found, path+": "+l)
		}
	}
	v, err := vault.Open(dir, vault.Passphrase([]byte(testPass)))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	image, _, err := v.LoadCheckpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(image) == 0 {
		t.Fatal("no database image")
	}
	for _, l := range testkit.FindLeaks(image, canary) {
		found = append(found, "database image: "+l)
	}
	if i := bytes.Index(image, []byte(canary)); i >= 0 {
		found = append(found, fmt.Sprintf("database image around it: %q", image[max(0, i-80):min(len(image), i+80)]))
	}
	recs, err := v.ReadLog()
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range recs {
		for _, l := range testkit.FindLeaks(r, canary) {
			found = append(found, fmt.Sprintf("redo log record %d: %s", i, l))
		}
	}
	segs, _ := filepath.Glob(filepath.Join(dir, vault.ObjectsDir, "audit", "*", "*"))
	for _, p := range segs {
		var id vault.ID
		if _, err := fmt.Sscanf(filepath.Base(p), "%x", &id); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		b, err := v.GetObject(vault.KindAuditSegment, id)
		if err != nil {
			t.Fatalf("audit segment %s: %v", p, err)
		}
		for _, l := range testkit.FindLeaks(b, canary) {
			found = append(found, "audit segment "+filepath.Base(p)+": "+l)
		}
	}
	return found
}

// TestDestroyCanary: after a destruction with the names, nothing of the
// client is left in any file of the vault folder, decrypted or not; the
// audit trail verifies, and its entries about the client stay without
// their details.
func TestDestroyCanary(t *testing.T) {
	const canary = "Zyxquorvex"
	s, dir, client, matter := canaryVault(t, canary, canary)
	if err := s.st.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	// The scan sees the canary before (in a copy: the session holds the vault).
	cp := filepath.Join(scratchDir(t), "copy")
	if err := os.CopyFS(cp, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(cp, vault.LockFile))
	if found := vaultLeaks(t, cp, canary); len(found) == 0 {
		t.Fatal("the canary is nowhere before the destruction: the scan cannot see it")
	}
	about := func() int {
		es, err := s.AuditList(ctx, store.AuditFilter{})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range es {
			if strings.Contains(" "+e.Records+" ", " "+ref("client", client)+" ") || strings.Contains(" "+e.Records+" ", " "+ref("matter", matter)+" ") {
				n++
			}
		}
		return n
	}
	aboutBefore := about()
	if aboutBefore < 5 {
		t.Fatalf("only %d audit entries about the client", aboutBefore)
	}
	due, err := s.DueForDestruction(ctx)
	if err != nil || len(due) != 1 || due[0].ClientID != client || !due[0].WholeClient || due[0].ClientDocuments != 1 || due[0].ClientIntake != 1 {
		t.Fatalf("due: %+v %v", due, err)
	}
	var phases []string
	res, err := s.Destroy(ctx, DestroyRequest{MatterIDs: []int64{matter}, ClientIDs: []int64{client}, Confirm: DestroyConfirmWord}, func(p BackupProgress) {
		phases = append(phases, p.Phase)
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Register) != 2 || res.Redacted < aboutBefore || len(phases) == 0 {
		t.Errorf("result: %+v (%d entries were about the client), phases %q", res, aboutBefore, phases)
	}
	for _, r := range res.Register {
		if r.NamesKept || len(r.KeptNames) > 0 || strings.Contains(fmt.Sprint(r), canary) {
			t.Errorf("register row %+v", r)
		}
	}
	rep, err := s.AuditVerify(ctx)
	if err != nil || !rep.OK {
		t.Fatalf("audit verify after the destruction: %+v %v", rep, err)
	}
	if n := about(); n < aboutBefore {
		t.Errorf("%d audit entries about the client after, %d before: they must stay", n, aboutBefore)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if found := vaultLeaks(t, dir, canary); len(found) > 0 {
		t.Errorf("the canary is left in the vault folder:\n%s", strings.Join(found, "\n"))
	}
	s = openTest(t, dir)
	if rep, err := s.AuditVerify(ctx); err != nil || !rep.OK {
		t.Errorf("audit verify after reopening: %+v %v", rep, err)
	}
	if c, err := s.ListClients(ctx, store.ByName); err != nil || len(c) != 1 || c[0].Name != "Kept Client" {
		t.Errorf("the other client: %+v %v", c, err)
	}
	// (After the scan: a check keeps the names it was asked about.)
	hits, err := s.CheckConflicts(ctx, []string{canary + " Brandt"})
	if err != nil || len(hits.Hits) != 0 {
		t.Errorf("a conflict check finds the destroyed client: %+v %v", hits, err)
	}
}

// TestDestroyKeepNames: with the names kept, a conflict check still finds
// the client as a former client, and nothing else of them is left.
func TestDestroyKeepNames(t *testing.T) {
	const canary = "Qwelmarst" // in the titles, notes and documents, not in the names
	s, dir, client, matter := canaryVault(t, "Ottoline", canary)
	res, err := s.Destroy(ctx, DestroyRequest{MatterIDs: []int64{matter}, ClientIDs: []int64{client}, KeepNames: true, Confirm: DestroyConfirmWord}, nil)
	if err != nil {
		t.Fatal(err)
	}
	kept := false
	for _, r := range res.Register {
		kept = kept || r.NamesKept && strings.Contains(strings.Join(r.KeptNames, "|"), "Ottoline Brandt")
	}
	if !kept {
		t.Errorf("the register keeps no name: %+v", res.Register)
	}
	hits, err := s.CheckConflicts(ctx, []string{"Ottoline Brandt"})
	if err != nil || len(hits.Hits) == 0 {
		t.Fatalf("the kept name is not found: %+v %v", hits, err)
	}
	if !strings.Contains(hits.Hits[0].Role, "former") {
		t.Errorf("the kept name is not a former client: %+v", hits.Hits[0])
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if found := vaultLeaks(t, dir, canary); len(found) > 0 {
		t.Errorf("with the names kept, the rest is left in the vault folder:\n%s", strings.Join(found, "\n"))
	}
	if found := vaultLeaks(t, dir, "Ottoline Brandt"); len(found) == 0 {
		t.Errorf("the kept name is not in the vault")
	}
}

// TestDestroyDiskFull: on a full disk the destruction is refused with
// nothing destroyed.
func TestDestroyDiskFull(t *testing.T) {
	disk := testkit.MountTmpfs(t, 4<<20)
	src, _ := newTestVault(t)
	dir := filepath.Join(disk, "vault")
	if err := os.CopyFS(dir, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	s := openTest(t, dir)
	c := mustClient(t, s, "Full Disk")
	m := mustMatter(t, s, MatterInput{ClientID: c, Title: "Full matter"}, true)
	fill := filepath.Join(disk, "filler")
	os.Mkdir(fill, 0o700)
	for i := 0; ; i++ {
		if err := os.WriteFile(filepath.Join(fill, fmt.Sprint(i)), make([]byte, 4096), 0o600); err != nil {
			break
		}
	}
	for i := 0; !s.DiskFull(); i++ {
		if _, err := s.Status(ctx); err != nil {
			t.Fatal(err)
		}
		if i == 1000 {
			t.Fatal("the disk never filled")
		}
	}
	if _, err := s.Destroy(ctx, DestroyRequest{MatterIDs: []int64{m}, KeepNames: true, Reason: "asked", Confirm: DestroyConfirmWord}, nil); !errors.Is(err, ErrDiskFull) {
		t.Fatalf("destroy on a full disk: %v", err)
	}
	os.RemoveAll(fill)
	if _, err := s.GetMatter(ctx, m); err != nil {
		t.Errorf("the matter after a refused destruction: %v", err)
	}
	if regs, _, err := s.DestructionRegister(ctx, "", 0, 10); err != nil || len(regs) != 0 {
		t.Errorf("the register after a refused destruction: %+v %v", regs, err)
	}
	if _, err := s.Destroy(ctx, DestroyRequest{MatterIDs: []int64{m}, KeepNames: true, Reason: "asked", Confirm: DestroyConfirmWord}, nil); err != nil {
		t.Errorf("destroy after freeing space: %v", err)
	}
}

func TestDestructionRegisterAndCertificate(t *testing.T) {
	s, clk, _ := retentionSession(t)
	a := mustClient(t, s, "Reg One")
	var ms []int64
	for i := 0; i < 3; i++ {
		ms = append(ms, mustMatter(t, s, MatterInput{ClientID: a, Title: fmt.Sprintf("Reg matter %d", i), PracticeArea: "Tax"}, true))
	}
	clk.add(7, 0, 1)
	r1, err := s.Destroy(ctx, DestroyRequest{MatterIDs: ms[:2], KeepNames: false, Confirm: DestroyConfirmWord}, nil)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := s.Destroy(ctx, DestroyRequest{MatterIDs: ms[2:], ClientIDs: []int64{a}, KeepNames: true, Confirm: DestroyConfirmWord}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r1.Number != "D-2033-0001" || r2.Number != "D-2033-0002" {
		t.Errorf("numbers %s, %s", r1.Number, r2.Number)
	}
	rows, total, err := s.DestructionRegister(ctx, "", 0, 2)
	if err != nil || total != 4 || len(rows) != 2 || rows[0].Number != "D-2033-0002" {
		t.Errorf("register page: %d of %d, %+v %v", len(rows), total, rows, err)
	}
	if rows, total, _ := s.DestructionRegister(ctx, "", 2, 2); total != 4 || len(rows) != 2 || rows[1].Number != "D-2033-0001" {
		t.Errorf("register page 2: %+v", rows)
	}
	if rows, total, _ := s.DestructionRegister(ctx, "D-2033-0001", 0, 10); total != 2 || len(rows) != 2 {
		t.Errorf("one destruction: %d %+v", total, rows)
	}
	c, err := s.DestructionCertificate(ctx, " d-2033-0002 ")
	if err != nil {
		t.Fatal(err)
	}
	if c.Number != "D-2033-0002" || !c.NamesKept || len(c.Entries) != 2 || c.AuditEntry == 0 || c.By != "tester" {
		t.Errorf("certificate: %+v", c)
	}
	if e := lastAudit(t, s); e.Action != "certificate.view" {
		t.Errorf("certificate entry: %+v", e)
	}
	var page strings.Builder
	if err := c.WriteHTML(&page); err != nil || !strings.Contains(page.String(), "Reg One") {
		t.Errorf("names kept: the page does not name the client (%v)", err)
	}
	c1, _ := s.DestructionCertificate(ctx, "D-2033-0001")
	page.Reset()
	c1.WriteHTML(&page)
	if strings.Contains(page.String(), "Reg One") || strings.Contains(page.String(), "Reg matter") {
		t.Errorf("names destroyed: the page names the client")
	}
	if _, err := s.DestructionCertificate(ctx, "D-1999-0001"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("no such destruction: %v", err)
	}
}
