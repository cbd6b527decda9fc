package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"casevault/vault"
)

// canary is written into every field of the records the paralegal must not
// see; it must come out of no read the paralegal makes, and out of the
// owner's.
const canary = "Zanzibarcanary"

// wallFixture is a vault with:
//   - client G (general) with matter MG (general, a party, a note);
//   - client G with matter W (walled: the paralegal is behind the wall),
//     whose title, practice area, parties and note hold the canary;
//   - client R (restricted to the attorney), every field, alias, its
//     matter MR (general: hidden through its client) with parties and a
//     note holding the canary;
//   - a document on MG, on W and on MR (the canary in W's name and
//     text), and one on client R (the canary in its name);
//   - audit entries naming each of them (sealed into segments and live),
//     with the canary in the details of those naming hidden records.
type wallFixture struct {
	s                        *Store
	owner, para, atty        int64
	clientG, clientR         int64
	matterMG, matterW, matMR int64
	noteMG, noteW, noteMR    int64
	partyW                   int64 // a party of the walled matter
	// documents of MG, W (canary in name and text), R itself (canary)
	// and MR (schema 6)
	docMG, docW, docR, docMR int64
	check                    int64 // a conflict check naming the walled matter, the restricted client and a general matter
}

func newWallFixture(t *testing.T) *wallFixture {
	t.Helper()
	ctx := context.Background()
	f := &wallFixture{s: openStore(t, newVault(t), Options{CheckpointBytes: -1, AuditSegment: 4, Roles: testRoles})}
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	c := canary
	docVersion := func(content string) (*DocumentVersion, []vault.Chunk) {
		id, err := f.s.Vault().PutObject(vault.KindDocument, []byte(content))
		if err != nil {
			t.Fatal(err)
		}
		return &DocumentVersion{Size: int64(len(content)), MediaType: "text/plain", AddedAt: now, AddedBy: "owner", How: HowAdded},
			[]vault.Chunk{{ID: id, Size: uint32(len(content))}}
	}
	err := f.s.Update(ctx, func(tx *Tx) error {
		o, err := tx.OwnerUser()
		if err != nil {
			return err
		}
		f.owner = o.ID
		if f.para, err = tx.InsertUser(&User{Name: "Pat Paralegal", Role: "Paralegal"}, now); err != nil {
			return err
		}
		if f.atty, err = tx.InsertUser(&User{Name: "Ann Attorney", Role: "Paralegal"}, now); err != nil {
			return err
		}
		if f.clientG, err = tx.InsertClient(&Client{Name: "Gina General", Aliases: []string{"Gigi"}, Notes: "likes tea"}, now); err != nil {
			return err
		}
		if f.clientR, err = tx.InsertClient(&Client{Name: "Rex " + c, Aliases: []string{"alias " + c}, Email: c + "@example.test",
			Phone: c, DOB: "1970-01-01", Address: c + " street", Notes: "notes " + c}, now); err != nil {
			return err
		}
		if f.matterMG, err = tx.InsertMatter(&Matter{ClientID: f.clientG, Title: "Gina lease", PracticeArea: "housing",
			Parties: []Party{{Role: RoleAdverse, Name: "Lenny Landlord"}}}, now); err != nil {
			return err
		}
		if f.matterW, err = tx.InsertMatter(&Matter{ClientID: f.clientG, Title: "Gina " + c + " merger", PracticeArea: c,
			Parties: []Party{{Role: RoleAdverse, Name: "Adam " + c, Aliases: []string{"Addy " + c}, Organisation: c + " Org"}, {Role: RoleRelated, Name: "Rita " + c},
				{Role: RoleOpposingCounsel, Name: "Otto " + c}}}, now); err != nil {
			return err
		}
		if f.matMR, err = tx.InsertMatter(&Matter{ClientID: f.clientR, Title: "Rex " + c + " estate", PracticeArea: "probate",
			Parties: []Party{{Role: RoleRelated, Name: "Heir " + c}}}, now); err != nil {
			return err
		}
		if f.noteMG, err = tx.InsertNote(&Note{MatterID: f.matterMG, Text: "called the landlord", Author: "owner"}, now); err != nil {
			return err
		}
		if f.noteW, err = tx.InsertNote(&Note{MatterID: f.matterW, Text: "merger " + c + " terms", Author: "owner"}, now); err != nil {
			return err
		}
		if f.noteMR, err = tx.InsertNote(&Note{MatterID: f.matMR, Text: "will of " + c, Author: "owner"}, now); err != nil {
			return err
		}
		if err := tx.QueryRow("SELECT id FROM parties WHERE matter_id = ? ORDER BY id LIMIT 1", f.matterW).Scan(&f.partyW); err != nil {
			return err
		}
		for _, d := range []struct {
			id             *int64
			client, matter int64
			name, text     string
		}{
			{&f.docMG, 0, f.matterMG, "lease.pdf", "the lease terms"},
			{&f.docW, 0, f.matterW, "merger " + c + ".pdf", "merger terms " + c},
			{&f.docR, f.clientR, 0, "passport " + c + ".jpg", ""},
			{&f.docMR, 0, f.matMR, "will.docx", "the will"},
		} {
			v, chunks := docVersion(d.name)
			if *d.id, err = tx.AddDocument(&Document{ClientID: d.client, MatterID: d.matter, Name: d.name, CreatedAt: now, CreatedBy: "owner"},
				v, chunks, d.text); err != nil {
				return err
			}
		}
		if err := tx.SetSecurityClass(KindMatter, f.matterW, ClassWalled, []int64{f.para}); err != nil {
			return err
		}
		if err := tx.SetSecurityClass(KindClient, f.clientR, ClassRestricted, []int64{f.atty}); err != nil {
			return err
		}
		// A conflict check whose hits name the walled matter, the
		// restricted client and a general matter, decided twice.
		hits := fmt.Sprintf(`[{"query":"Adam","name":"Adam %[1]s","role":"adverse","client_id":%[2]d,"client_name":"Gina General","matter_id":%[3]d,"matter_title":"Gina %[1]s merger"},
			{"query":"Rex","name":"Rex %[1]s","role":"client","client_id":%[4]d,"client_name":"Rex %[1]s"},
			{"query":"Lenny","name":"Lenny Landlord","role":"adverse","client_id":%[2]d,"client_name":"Gina General","matter_id":%[5]d,"matter_title":"Gina lease"}]`,
			c, f.clientG, f.matterW, f.clientR, f.matterMG)
		if f.check, err = tx.InsertConflictCheck(&ConflictCheck{At: now, Actor: "owner", Names: `["Adam","Rex","Lenny"]`, Hits: hits}); err != nil {
			return err
		}
		for _, d := range []string{"conflict", "waived"} {
			if err := tx.DecideConflictCheck(f.check, ConflictDecision{At: now, Actor: "owner", Decision: d, Note: "consent filed"}); err != nil {
				return err
			}
		}
		// The audit trail: every record, twice, as several actors; enough
		// entries that a checkpoint seals some (segments of 4).
		recs := []struct{ records, detail string }{
			{fmt.Sprintf("client:%d", f.clientG), "viewed"},
			{fmt.Sprintf("client:%d", f.clientR), "viewed " + c},
			{fmt.Sprintf("matter:%d client:%d", f.matterMG, f.clientG), "viewed"},
			{fmt.Sprintf("matter:%d client:%d", f.matterW, f.clientG), "viewed " + c},
			{fmt.Sprintf("matter:%d", f.matterW), "closed " + c},
			{fmt.Sprintf("matter:%d client:%d", f.matMR, f.clientR), "viewed " + c},
			{fmt.Sprintf("note:%d matter:%d", f.noteMG, f.matterMG), "added"},
			{fmt.Sprintf("note:%d", f.noteW), "added " + c},
			{fmt.Sprintf("note:%d", f.noteMR), "added " + c},
			{"", "unlock"},
		}
		var prev []byte = make([]byte, 32)
		id := int64(0)
		for round, actor := range []string{"owner", "Pat Paralegal", "ann attorney"} {
			for _, r := range recs {
				id++
				h := []byte(fmt.Sprintf("%032d", id))
				if err := tx.InsertAudit(&AuditEntry{ID: id, At: now.Add(time.Duration(id) * time.Minute), Actor: actor,
					Action: fmt.Sprintf("act%d", round), Records: r.records, Detail: r.detail, PrevHash: prev, Hash: h}); err != nil {
					return err
				}
				prev = h
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.s.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	err = f.s.ViewAs(ctx, Everyone, func(tx *Tx) error {
		segs, err := tx.AuditSegments()
		if err == nil && len(segs) == 0 {
			t.Fatal("no audit segment sealed: the test would not read sealed entries")
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// readEverything runs every read method of Tx and returns what each gave,
// as text (fmt %+v), by method and arguments.
func (f *wallFixture) readEverything(t *testing.T, tx *Tx) map[string]string {
	t.Helper()
	out := map[string]string{}
	put := func(what string, v any, err error) {
		if errors.Is(err, ErrNotFound) {
			v = "not found"
		} else if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		out[what] = fmt.Sprintf("%+v", deref(v))
	}
	clients := []int64{f.clientG, f.clientR, 999}
	matters := []int64{f.matterMG, f.matterW, f.matMR, 999}
	for _, id := range clients {
		c, err := tx.GetClient(id)
		put(fmt.Sprintf("GetClient(%d)", id), c, err)
		ms, err := tx.ListMatters(id, "")
		put(fmt.Sprintf("ListMatters(%d)", id), ms, err)
		cl, us, err := tx.Access(KindClient, id)
		put(fmt.Sprintf("Access(client %d)", id), []any{cl, us}, err)
	}
	for _, id := range matters {
		m, err := tx.GetMatter(id)
		put(fmt.Sprintf("GetMatter(%d)", id), m, err)
		ns, err := tx.ListNotes(id)
		put(fmt.Sprintf("ListNotes(%d)", id), ns, err)
		cl, us, err := tx.Access(KindMatter, id)
		put(fmt.Sprintf("Access(matter %d)", id), []any{cl, us}, err)
	}
	for id := range int64(7) {
		p, err := tx.GetParty(id)
		put(fmt.Sprintf("GetParty(%d)", id), p, err)
	}
	for _, id := range []int64{f.docMG, f.docW, f.docR, f.docMR, 999} {
		d, err := tx.Document(id)
		put(fmt.Sprintf("Document(%d)", id), d, err)
		vs, err := tx.DocumentVersions(id)
		put(fmt.Sprintf("DocumentVersions(%d)", id), vs, err)
		v, err := tx.DocumentVersion(id, 0)
		put(fmt.Sprintf("DocumentVersion(%d)", id), v, err)
		cs, err := tx.VersionChunks(id, 1)
		put(fmt.Sprintf("VersionChunks(%d)", id), cs, err)
		text, err := tx.VersionText(id, 1)
		put(fmt.Sprintf("VersionText(%d)", id), text, err)
	}
	for _, df := range []DocumentFilter{{}, {ClientID: f.clientG, WithMatters: true}, {ClientID: f.clientR}, {ClientID: f.clientR, WithMatters: true},
		{MatterID: f.matterW}, {MatterID: f.matMR}, {NameLike: canary[:6]}, {Limit: 1, Offset: 1}} {
		ds, n, err := tx.Documents(df)
		put(fmt.Sprintf("Documents(%+v)", df), []any{ds, n}, err)
	}
	doc, err := tx.DocumentByName(0, f.matterW, "", "merger "+canary+".pdf")
	put("DocumentByName(W)", doc, err)
	doc, err = tx.DocumentByName(f.clientR, 0, "", "passport "+canary+".jpg")
	put("DocumentByName(R)", doc, err)
	for _, id := range matters {
		n, err := tx.MatterNumber(id)
		put(fmt.Sprintf("MatterNumber(%d)", id), n, err)
	}
	// Retention (schema 7).
	rr, err := tx.RetentionRules()
	put("RetentionRules", rr, err)
	rf, err := tx.RuleFor(canary)
	put("RuleFor", rf, err)
	for _, id := range matters {
		rc, err := tx.RetentionChanges(id)
		put(fmt.Sprintf("RetentionChanges(%d)", id), rc, err)
		ho, err := tx.HoldsOn(KindMatter, id)
		put(fmt.Sprintf("HoldsOn(matter %d)", id), ho, err)
	}
	for _, id := range clients {
		ho, err := tx.HoldsOn(KindClient, id)
		put(fmt.Sprintf("HoldsOn(client %d)", id), ho, err)
	}
	for _, active := range []bool{false, true} {
		hs, err := tx.Holds(active)
		put(fmt.Sprintf("Holds(%v)", active), hs, err)
	}
	due, dn, err := tx.DueMatters(time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC), 0, 0)
	put("DueMatters", []any{due, dn}, err)
	reg, rn, err := tx.DestructionRegister("", 0, 0)
	put("DestructionRegister", []any{reg, rn}, err)
	dss, err := tx.Destructions()
	put("Destructions", dss, err)
	num, err := tx.NextMatterNumber(time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC))
	put("NextMatterNumber", num, err)
	for _, o := range []ClientOrder{ByName, ByUpdated} {
		l, err := tx.ListClients(o)
		put(fmt.Sprintf("ListClients(%d)", o), l, err)
		l, err = tx.ListClientSummaries(o)
		put(fmt.Sprintf("ListClientSummaries(%d)", o), l, err)
	}
	for _, st := range []string{"", "open", "closed"} {
		ms, err := tx.ListMatters(0, st)
		put("ListMatters(0, "+st+")", ms, err)
	}
	for _, q := range []string{canary, strings.ToLower(canary[:5]), "Rex", "Gina", "merger", "Heir", "alias", "street", "example", "terms", "will", "probate"} {
		h, err := tx.Search(q, 0)
		put("Search("+q+")", h, err)
	}
	c, err := tx.Counts()
	put("Counts", c, err)
	for _, af := range []AuditFilter{{}, {Limit: 5}, {Limit: 100}, {ClientID: f.clientG}, {ClientID: f.clientR}, {MatterID: f.matterW},
		{MatterID: f.matMR}, {Record: fmt.Sprintf("matter:%d", f.matterW)}, {Actor: "OWNER"}, {Actor: "pat paralegal"},
		{From: time.Date(2026, 12, 2, 9, 10, 0, 0, time.UTC), To: time.Date(2026, 12, 2, 9, 25, 0, 0, time.UTC)}} {
		es, err := tx.ListAudit(af)
		put(fmt.Sprintf("ListAudit(%+v)", af), es, err)
		es, err = tx.ListAuditLive(af)
		put(fmt.Sprintf("ListAuditLive(%+v)", af), es, err)
	}
	segs, err := tx.AuditSegments()
	put("AuditSegments", segs, err)
	for _, sg := range segs {
		es, err := tx.ReadAuditSegment(sg)
		if errors.Is(err, ErrNotEveryone) {
			err = nil
		}
		put(fmt.Sprintf("ReadAuditSegment(%d)", sg.Seq), es, err)
	}
	var details []AuditEntry
	err = tx.EachAuditDetail(func(e *AuditEntry) error { details = append(details, *e); return nil })
	if errors.Is(err, ErrNotEveryone) {
		err = nil
	}
	put("EachAuditDetail", details, err)
	v2From, err := tx.AuditV2From()
	put("AuditV2From", v2From, err)
	id, h, err := tx.AuditHead()
	put("AuditHead", []any{id, h}, err)
	head, _, err := tx.RecordedAuditHead()
	put("RecordedAuditHead", head, err)
	us, err := tx.ListUsers()
	put("ListUsers", us, err)
	for _, u := range us {
		pu, err := tx.GetUser(u.ID)
		put(fmt.Sprintf("GetUser(%d)", u.ID), pu, err)
		pu, err = tx.UserByName(u.Name)
		put("UserByName("+u.Name+")", pu, err)
		ph, err := tx.PassHistory(u.ID, 0)
		put(fmt.Sprintf("PassHistory(%d)", u.ID), ph, err)
	}
	ou, err := tx.OwnerUser()
	put("OwnerUser", ou, err)
	r, err := tx.GetRole("Paralegal")
	put("GetRole", r, err)
	sv, err := tx.Setting("x")
	put("Setting", sv, err)
	for _, id := range clients {
		ck, err := tx.ConflictChecksNaming(id)
		put(fmt.Sprintf("ConflictChecksNaming(%d)", id), ck, err)
	}
	for _, cf := range []ConflictFilter{{}, {Query: "adam"}, {Decision: "waived"}, {Decision: "undecided"}} {
		cs, n, err := tx.ListConflictChecks(cf)
		put(fmt.Sprintf("ListConflictChecks(%+v)", cf), []any{cs, n}, err)
	}
	for _, id := range []int64{f.check, 999} {
		ck, ds, err := tx.GetConflictCheck(id)
		var c ConflictCheck
		if ck != nil {
			c = *ck
		}
		put(fmt.Sprintf("GetConflictCheck(%d)", id), []any{c, ds}, err)
	}
	cn, err := tx.ConflictNames()
	var shown []Name
	for _, n := range cn {
		if !n.Hidden {
			shown = append(shown, n)
		}
	}
	put("ConflictNames (shown)", shown, err)
	// Intake (schema 5): the intake permission, not walls, governs it
	// (app); the fixture has none, so these show what an empty vault has.
	iks, err := tx.IntakeKeys()
	put("IntakeKeys", iks, err)
	ik, err := tx.CurrentIntakeKey()
	put("CurrentIntakeKey", ik, err)
	itls, err := tx.LatestIntakeTLS()
	put("LatestIntakeTLS", itls, err)
	ifm, err := tx.LatestIntakeForm()
	put("LatestIntakeForm", ifm, err)
	ifm, err = tx.GetIntakeForm(1)
	put("GetIntakeForm(1)", ifm, err)
	isubs, itotal, err := tx.ListIntakeSubmissions(IntakeListFilter{})
	put("ListIntakeSubmissions", []any{isubs, itotal}, err)
	icount, err := tx.CountIntake("")
	put("CountIntake", icount, err)
	isub, err := tx.GetIntakeSubmission(1)
	put("GetIntakeSubmission(1)", isub, err)
	ifiles, err := tx.IntakeFiles(1)
	put("IntakeFiles(1)", ifiles, err)
	ifile, err := tx.IntakeFile(1, 1)
	put("IntakeFile(1, 1)", ifile, err)
	iex, err := tx.IntakeSealedExists("x")
	put("IntakeSealedExists", iex, err)
	inc, err := tx.GetIncident(1)
	put("GetIncident(1)", inc, err)
	incs, err := tx.ListIncidents()
	put("ListIncidents", incs, err)
	isteps, err := tx.IncidentSteps(1)
	put("IncidentSteps(1)", isteps, err)
	icl, err := tx.IncidentClients(1)
	put("IncidentClients(1)", icl, err)
	iall, iopen, err := tx.IncidentCounts()
	put("IncidentCounts", []int{iall, iopen}, err)
	brs, err := tx.BackupRecords("")
	put("BackupRecords", brs, err)
	spans, err := tx.DestructionSpans("")
	put("DestructionSpans", spans, err)
	dcs, err := tx.DestroyedClients()
	put("DestroyedClients", dcs, err)
	out[readMethodsKey] = "read"
	rs, err := tx.ListRoles()
	put("ListRoles", rs, err)
	set, err := tx.Settings()
	put("Settings", set, err)
	d, err := tx.ContentDigest()
	put("ContentDigest", d, err)
	p, err := tx.IntegrityCheck()
	put("IntegrityCheck", p, err)
	return out
}

// readMethodsKey marks the map readEverything returns as complete.
const readMethodsKey = "(every read method)"

// txReads and txWrites name every exported method of Tx (beyond the
// engine's Exec, Query, QueryRow, ...); readEverything calls every read.
// A new method must be put in one of them: TestTxMethodsClassified.
var (
	txReads = []string{"Access", "AuditHead", "AuditSegments", "ConflictChecksNaming", "ConflictNames", "ContentDigest", "Counts",
		"GetClient", "GetConflictCheck", "GetIntakeForm", "GetIntakeSubmission", "GetMatter", "GetParty", "GetRole", "GetUser",
		"IntakeFile", "IntakeFiles", "IntakeKeys", "IntakeSealedExists", "CurrentIntakeKey", "CountIntake", "LatestIntakeForm",
		"LatestIntakeTLS", "ListIntakeSubmissions", "IntegrityCheck", "ListAudit", "ListAuditLive", "ListClientSummaries",
		"ListClients", "ListConflictChecks", "ListMatters", "ListNotes", "ListRoles", "ListUsers", "MatterNumber", "NextMatterNumber", "OwnerUser", "PassHistory", "ReadAuditSegment",
		"RecordedAuditHead", "Search", "Setting", "Settings", "UserByName", "AuditV2From", "EachAuditDetail",
		"Document", "DocumentVersions", "DocumentVersion", "VersionChunks", "VersionText", "Documents", "DocumentByName",
		"RetentionRules", "RuleFor", "RetentionChanges", "Holds", "HoldsOn", "DueMatters", "DestructionRegister", "Destructions",
		"GetIncident", "ListIncidents", "IncidentSteps", "IncidentClients", "IncidentCounts",
		"BackupRecords", "DestructionSpans", "DestroyedClients"}
	txWrites = []string{"AddMatterClient", "AddPassHistory", "DecideConflictCheck", "DeleteClient", "DeleteParty", "DeleteRole",
		"DeleteSetting", "InsertAudit", "InsertClient", "InsertConflictCheck", "InsertIntakeForm", "InsertIntakeKey",
		"InsertIntakeSubmission", "InsertIntakeTLS", "InsertMatter", "InsertNote", "InsertParty",
		"InsertRole", "InsertUser", "RemoveMatterClient", "SetDisplayName", "SetMatterStatus", "SetSecurityClass", "SetSetting", "TrimPassHistory",
		"UpdateClient", "UpdateMatter", "UpdateParty", "UpdateRole", "UpdateUser",
		"SetIntakeVerification", "SetIntakeCheck", "DecideIntake", "WipeIntake",
		"AddDocument", "AddDocumentVersion", "DeleteDocument", "DocPolynomial", "RedactAuditEntries", "MarkAuditReseal",
		"SetRetentionRule", "DeleteRetentionRule", "SetDestroyAfter", "PlaceHold", "ReleaseHold",
		"Destroy", "SetDestructionAudit", "PurgeDeleted",
		"InsertIncident", "CloseIncident", "SetIncidentStep", "SetIncidentClients", "SetIncidentNotified",
		"SaveCheckup", "AddBackupRecord", "MarkBackupsForgotten"}
	// not reads of records (IntakeHidden: whether the viewer sees a
	// submission's client; DocumentObjects: the checkpoint's list of
	// document objects, content-keyed ids only)
	// BackupDrives, CheckupCount, LastCheckup, LastAuditAction: the
	// security check's reads of backup records, saved checks and the time
	// of an audit action, which name no client, matter or document)
	txOther = []string{"As", "Viewer", "IntakeHidden", "DocumentObjects", "BackupDrives", "CheckupCount", "LastCheckup", "LastAuditAction"}
)

// TestTxMethodsClassified: every exported method of Tx is a read (which
// TestWallCanary runs as a user behind a wall), a write, or named in
// txOther, so a new query cannot skip the wall test unnoticed.
func TestTxMethodsClassified(t *testing.T) {
	engineMethods := map[string]bool{}
	et := reflect.TypeOf((*Tx)(nil)).Elem().Field(0).Type // *engine.Tx
	for i := range et.NumMethod() {
		engineMethods[et.Method(i).Name] = true
	}
	known := map[string]bool{}
	for _, l := range [][]string{txReads, txWrites, txOther} {
		for _, m := range l {
			known[m] = true
		}
	}
	tt := reflect.TypeOf((*Tx)(nil))
	for i := range tt.NumMethod() {
		m := tt.Method(i).Name
		if !engineMethods[m] && !known[m] {
			t.Errorf("Tx.%s is neither in txReads (and readEverything) nor in txWrites", m)
		}
		delete(known, m)
	}
	for m := range known {
		t.Errorf("%s is listed but Tx has no such method", m)
	}
	// readEverything calls each read.
	src, err := os.ReadFile("access_test.go")
	if err != nil {
		t.Fatal(err)
	}
	body := string(src)
	start := strings.Index(body, "func (f *wallFixture) readEverything(")
	body = body[start:]
	body = body[:strings.Index(body, "\n}\n")]
	for _, m := range txReads {
		if !strings.Contains(body, "tx."+m+"(") {
			t.Errorf("readEverything does not call tx.%s", m)
		}
	}
}

// deref prints the values behind pointers (fmt prints a []*T as addresses).
func deref(v any) any {
	switch x := v.(type) {
	case []*Client:
		return derefAll(x)
	case []*Matter:
		return derefAll(x)
	case []*Note:
		return derefAll(x)
	case []*AuditEntry:
		return derefAll(x)
	case []*AuditSegment:
		return derefAll(x)
	case []*User:
		return derefAll(x)
	case []*Role:
		return derefAll(x)
	}
	return v
}

func derefAll[T any](xs []*T) []T {
	out := make([]T, len(xs))
	for i, x := range xs {
		out[i] = *x
	}
	return out
}

// TestWallCanary: every read a paralegal behind a wall (and outside a
// restricted client's list) can make leaves the canary out, while the
// owner's reads and the attorney's reads of what they may see have it;
// ConflictNames alone names the hidden records, Hidden and bare.
func TestWallCanary(t *testing.T) {
	ctx := context.Background()
	f := newWallFixture(t)
	views := map[string]map[string]string{}
	for name, v := range map[string]Viewer{"owner": Everyone, "paralegal": {UserID: f.para}, "attorney": {UserID: f.atty}} {
		err := f.s.ViewAs(ctx, v, func(tx *Tx) error { views[name] = f.readEverything(t, tx); return nil })
		if err != nil {
			t.Fatal(err)
		}
	}
	var ownerHas int
	for what, got := range views["owner"] {
		if strings.Contains(got, canary) {
			ownerHas++
		}
		if p := views["paralegal"][what]; strings.Contains(p, canary) {
			t.Errorf("the paralegal's %s shows the canary: %s", what, p)
		}
	}
	// The owner's reads must see it where it is (else this test proves nothing).
	for _, what := range []string{
		fmt.Sprintf("GetClient(%d)", f.clientR), fmt.Sprintf("GetMatter(%d)", f.matterW), fmt.Sprintf("GetMatter(%d)", f.matMR),
		fmt.Sprintf("ListNotes(%d)", f.matterW), fmt.Sprintf("ListNotes(%d)", f.matMR), "ListClients(0)", "ListClientSummaries(1)",
		"ListMatters(0, )", "Search(" + canary + ")", "Search(alias)", "Search(terms)", "Search(will)",
		fmt.Sprintf("GetConflictCheck(%d)", f.check), fmt.Sprintf("ListConflictChecks(%+v)", ConflictFilter{}),
		fmt.Sprintf("Document(%d)", f.docW), fmt.Sprintf("Document(%d)", f.docR), fmt.Sprintf("VersionText(%d)", f.docW),
		fmt.Sprintf("Documents(%+v)", DocumentFilter{}), "DocumentByName(W)", "Search(terms)",
		"ListAudit({From:0001-01-01 00:00:00 +0000 UTC To:0001-01-01 00:00:00 +0000 UTC Action: Record: Actor: ClientID:0 MatterID:0 Limit:0})",
	} {
		if !strings.Contains(views["owner"][what], canary) {
			t.Errorf("the owner's %s lacks the canary: %s", what, views["owner"][what])
		}
	}
	if ownerHas < 20 {
		t.Errorf("only %d of the owner's reads show the canary", ownerHas)
	}
	// The attorney sees the restricted client but stands outside no wall
	// either: everything but nothing hidden.
	if a := views["attorney"][fmt.Sprintf("GetClient(%d)", f.clientR)]; !strings.Contains(a, canary) {
		t.Errorf("the attorney on the list does not see the restricted client: %s", a)
	}
	if a := views["attorney"][fmt.Sprintf("GetMatter(%d)", f.matterW)]; !strings.Contains(a, canary) {
		t.Errorf("the attorney (not behind the wall) does not see the walled matter: %s", a)
	}
	// Hidden ids are "not found", exactly like a missing one.
	for _, what := range []string{fmt.Sprintf("GetClient(%d)", f.clientR), fmt.Sprintf("GetMatter(%d)", f.matterW),
		fmt.Sprintf("GetMatter(%d)", f.matMR), fmt.Sprintf("Access(client %d)", f.clientR), fmt.Sprintf("Access(matter %d)", f.matterW),
		fmt.Sprintf("GetParty(%d)", f.partyW), fmt.Sprintf("MatterNumber(%d)", f.matterW),
		fmt.Sprintf("Document(%d)", f.docW), fmt.Sprintf("Document(%d)", f.docR), fmt.Sprintf("Document(%d)", f.docMR),
		fmt.Sprintf("DocumentVersions(%d)", f.docW), fmt.Sprintf("VersionChunks(%d)", f.docR), fmt.Sprintf("VersionText(%d)", f.docMR),
		"DocumentByName(W)", "DocumentByName(R)"} {
		if got := views["paralegal"][what]; got != "not found" {
			t.Errorf("the paralegal's %s = %s, want not found", what, got)
		}
	}
	if got, want := views["paralegal"][fmt.Sprintf("ListNotes(%d)", f.matterW)], views["paralegal"]["ListNotes(999)"]; got != want {
		t.Errorf("notes of a walled matter %s differ from a missing matter's %s", got, want)
	}
	if got := views["paralegal"]["Counts"]; !strings.HasPrefix(got, "{Clients:1 Matters:1 Parties:1 Notes:1 ") || !strings.Contains(got, " Documents:1 ") {
		t.Errorf("the paralegal's counts = %s", got)
	}
	if got := views["owner"]["Counts"]; !strings.HasPrefix(got, "{Clients:2 Matters:3 Parties:5 Notes:3 ") || !strings.Contains(got, " Documents:4 ") {
		t.Errorf("the owner's counts = %s", got)
	}

	// ConflictNames: every name, the hidden ones bare.
	err := f.s.ViewAs(ctx, Viewer{UserID: f.para}, func(tx *Tx) error {
		names, err := tx.ConflictNames()
		if err != nil {
			return err
		}
		var hidden, shown []string
		for _, n := range names {
			if n.Hidden {
				hidden = append(hidden, n.Role+"="+n.Name)
				if n != (Name{Name: n.Name, Role: n.Role, Hidden: true}) {
					t.Errorf("a hidden name carries details: %+v", n)
				}
			} else {
				shown = append(shown, n.Role+"="+n.Name)
				if strings.Contains(fmt.Sprintf("%+v", n), canary) {
					t.Errorf("a shown name holds the canary: %+v", n)
				}
			}
		}
		slices.Sort(hidden)
		want := []string{"adverse=Adam " + canary, "adverse=Addy " + canary, "alias=alias " + canary, "client=Rex " + canary, "opposing_counsel=Otto " + canary,
			"related=Heir " + canary, "related=Rita " + canary}
		if !slices.Equal(hidden, want) {
			t.Errorf("hidden names = %q, want %q", hidden, want)
		}
		if len(shown) != 3 {
			t.Errorf("shown names = %q", shown)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = f.s.ViewAs(ctx, Everyone, func(tx *Tx) error {
		names, err := tx.ConflictNames()
		for _, n := range names {
			if n.Hidden {
				t.Errorf("the owner gets a hidden name: %+v", n)
			}
		}
		if len(names) != 10 {
			t.Errorf("the owner gets %d names, want 10", len(names))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestWallWrites: a viewer cannot change, delete, add to or re-class what
// it cannot see; each is ErrNotFound and changes nothing.
func TestWallWrites(t *testing.T) {
	ctx := context.Background()
	f := newWallFixture(t)
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	var before []string
	f.s.ViewAs(ctx, Everyone, func(tx *Tx) error { before = f.readAll(t, tx); return nil })
	para := Viewer{UserID: f.para}
	for what, fn := range map[string]func(tx *Tx) error{
		"UpdateClient": func(tx *Tx) error { return tx.UpdateClient(&Client{ID: f.clientR, Name: "x"}, now) },
		"DeleteClient": func(tx *Tx) error { return tx.DeleteClient(f.clientR) },
		"InsertMatter": func(tx *Tx) error {
			_, err := tx.InsertMatter(&Matter{ClientID: f.clientR, Title: "x"}, now)
			return err
		},
		"SetMatterStatus": func(tx *Tx) error { return tx.SetMatterStatus(f.matterW, "closed", now) },
		"UpdateMatter": func(tx *Tx) error {
			return tx.UpdateMatter(&Matter{ID: f.matterW, Title: "x", Status: "open", OpenedAt: now}, now)
		},
		"InsertParty": func(tx *Tx) error {
			_, err := tx.InsertParty(f.matterW, &Party{Role: RoleWitness, Name: "x"}, now)
			return err
		},
		"UpdateParty":        func(tx *Tx) error { return tx.UpdateParty(&Party{ID: f.partyW, Role: RoleWitness, Name: "x"}, now) },
		"DeleteParty":        func(tx *Tx) error { _, err := tx.DeleteParty(f.partyW, now); return err },
		"AddMatterClient":    func(tx *Tx) error { return tx.AddMatterClient(f.matterW, f.clientG, now) },
		"AddMatterClient R":  func(tx *Tx) error { return tx.AddMatterClient(f.matterMG, f.clientR, now) },
		"RemoveMatterClient": func(tx *Tx) error { return tx.RemoveMatterClient(f.matterW, f.clientG, now) },
		"InsertNote": func(tx *Tx) error {
			_, err := tx.InsertNote(&Note{MatterID: f.matterW, Text: "x", Author: "p"}, now)
			return err
		},
		"InsertNote MR": func(tx *Tx) error {
			_, err := tx.InsertNote(&Note{MatterID: f.matMR, Text: "x", Author: "p"}, now)
			return err
		},
		"SetSecurityClass matter": func(tx *Tx) error {
			return tx.SetSecurityClass(KindMatter, f.matterW, ClassGeneral, nil)
		},
		"SetSecurityClass client": func(tx *Tx) error {
			return tx.SetSecurityClass(KindClient, f.clientR, ClassGeneral, nil)
		},
	} {
		err := f.s.UpdateAs(ctx, para, fn)
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("%s of a hidden record = %v, want ErrNotFound", what, err)
		}
	}
	var after []string
	f.s.ViewAs(ctx, Everyone, func(tx *Tx) error { after = f.readAll(t, tx); return nil })
	requireSameDump(t, "after refused writes", before, after)

	// What the paralegal sees, it may change.
	err := f.s.UpdateAs(ctx, para, func(tx *Tx) error {
		if _, err := tx.InsertNote(&Note{MatterID: f.matterMG, Text: "ok", Author: "p"}, now); err != nil {
			return err
		}
		return tx.SetMatterStatus(f.matterMG, "closed", now)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func (f *wallFixture) readAll(t *testing.T, tx *Tx) []string {
	var out []string
	for _, tbl := range []string{"clients", "client_aliases", "matters", "matter_clients", "parties", "party_aliases", "notes", "access_list"} {
		rows, err := tx.Query("SELECT * FROM " + tbl + " ORDER BY rowid")
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprintf("%s %v", tbl, vals))
		}
		rows.Close()
	}
	return out
}

// TestClassRules: restricted and walled on clients and matters, the access
// list, the owner, a class the store does not know, the cached fast path
// within one transaction, and the audit filters.
func TestClassRules(t *testing.T) {
	ctx := context.Background()
	f := newWallFixture(t)
	para, atty := Viewer{UserID: f.para}, Viewer{UserID: f.atty}
	visible := func(v Viewer, kind string, id int64) bool {
		t.Helper()
		var ok bool
		err := f.s.ViewAs(ctx, v, func(tx *Tx) error {
			var err error
			if kind == KindClient {
				ok, err = tx.clientVisible(id)
			} else {
				ok, err = tx.matterVisible(id)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	cases := []struct {
		kind  string
		id    int64
		class string
		users []int64
		para  bool // the paralegal sees it
		atty  bool
	}{
		{KindMatter, f.matterMG, ClassRestricted, []int64{f.para}, true, false},
		{KindMatter, f.matterMG, ClassWalled, []int64{f.para}, false, true},
		{KindMatter, f.matterMG, ClassWalled, nil, true, true},
		{KindMatter, f.matterMG, ClassRestricted, nil, false, false},
		{KindMatter, f.matterMG, ClassGeneral, []int64{f.para}, true, true},
		{KindClient, f.clientG, ClassWalled, []int64{f.atty}, true, false},
	}
	for i, c := range cases {
		err := f.s.UpdateAs(ctx, Everyone, func(tx *Tx) error { return tx.SetSecurityClass(c.kind, c.id, c.class, c.users) })
		if err != nil {
			t.Fatal(err)
		}
		if got := visible(para, c.kind, c.id); got != c.para {
			t.Errorf("case %d: the paralegal sees %s %d: %v, want %v", i, c.kind, c.id, got, c.para)
		}
		if got := visible(atty, c.kind, c.id); got != c.atty {
			t.Errorf("case %d: the attorney sees %s %d: %v, want %v", i, c.kind, c.id, got, c.atty)
		}
		if !visible(Everyone, c.kind, c.id) {
			t.Errorf("case %d: the owner does not see %s %d", i, c.kind, c.id)
		}
	}
	// Client G is walled against the attorney: its matters are hidden from
	// the attorney whatever their class.
	if visible(atty, KindMatter, f.matterMG) {
		t.Error("a matter of a client walled against the attorney is visible to the attorney")
	}

	// Bad input.
	err := f.s.UpdateAs(ctx, Everyone, func(tx *Tx) error {
		if err := tx.SetSecurityClass(KindMatter, f.matterMG, "secret", nil); !errors.Is(err, ErrBadClass) {
			t.Errorf("class secret = %v", err)
		}
		if err := tx.SetSecurityClass("note", f.noteMG, ClassWalled, nil); !errors.Is(err, ErrBadClass) {
			t.Errorf("kind note = %v", err)
		}
		if err := tx.SetSecurityClass(KindMatter, f.matterMG, ClassWalled, []int64{77}); !errors.Is(err, ErrNotFound) {
			t.Errorf("unknown user = %v", err)
		}
		if err := tx.SetSecurityClass(KindMatter, 999, ClassWalled, nil); !errors.Is(err, ErrNotFound) {
			t.Errorf("unknown matter = %v", err)
		}
		if _, err := tx.InsertClient(&Client{Name: "x", SecurityClass: "secret"}, time.Now()); !errors.Is(err, ErrBadClass) {
			t.Errorf("InsertClient with class secret = %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// A class written by something else than this store (fail closed: as restricted).
	err = f.s.UpdateAs(ctx, Everyone, func(tx *Tx) error {
		_, err := tx.Exec("UPDATE matters SET security_class = 'sealed' WHERE id = ?", f.matterMG)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if visible(para, KindMatter, f.matterMG) {
		t.Error("a matter of an unknown class is visible to a user")
	}

	// The fast path is re-read after a change in the same transaction.
	err = f.s.UpdateAs(ctx, Everyone, func(tx *Tx) error {
		for _, q := range []string{"UPDATE clients SET security_class = 'general'", "UPDATE matters SET security_class = 'general'", "DELETE FROM access_list"} {
			if _, err := tx.Exec(q); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = f.s.UpdateAs(ctx, para, func(tx *Tx) error {
		if on, err := tx.filtering(); err != nil || on {
			t.Errorf("filtering with every record general = %v, %v", on, err)
		}
		if _, err := tx.GetMatter(f.matterW); err != nil {
			t.Errorf("the walled matter, now general: %v", err)
		}
		// The paralegal may (app decides whether) wall a matter it sees:
		// from then on, in the same transaction, it is hidden.
		if err := tx.SetSecurityClass(KindMatter, f.matterW, ClassWalled, []int64{f.para}); err != nil {
			return err
		}
		if _, err := tx.GetMatter(f.matterW); !errors.Is(err, ErrNotFound) {
			t.Errorf("a matter walled in this transaction: %v", err)
		}
		if _, err := tx.InsertClient(&Client{Name: "Hidden at birth", SecurityClass: ClassRestricted}, time.Now()); err != nil {
			return err
		}
		l, err := tx.ListClients(ByName)
		if err != nil {
			return err
		}
		for _, c := range l {
			if c.Name == "Hidden at birth" {
				t.Error("a client inserted restricted is listed for a user not on its list")
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestAuditFilters: Actor, ClientID (with its matters and their notes),
// MatterID, From/To and Limit, over sealed and live entries, for the owner.
func TestAuditFilters(t *testing.T) {
	ctx := context.Background()
	f := newWallFixture(t)
	ids := func(v Viewer, af AuditFilter) []int64 {
		t.Helper()
		var out []int64
		err := f.s.ViewAs(ctx, v, func(tx *Tx) error {
			es, err := tx.ListAudit(af)
			for _, e := range es {
				out = append(out, e.ID)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	// Entries per round of 10: 1 client G, 2 client R, 3 MG, 4 W+G, 5 W, 6 MR+R, 7 note MG, 8 note W, 9 note MR, 10 none.
	rounds := func(per ...int64) []int64 {
		var out []int64
		for r := int64(0); r < 3; r++ {
			for _, p := range per {
				out = append(out, r*10+p)
			}
		}
		return out
	}
	para := Viewer{UserID: f.para}
	for _, c := range []struct {
		v    Viewer
		f    AuditFilter
		want []int64
	}{
		{Everyone, AuditFilter{ClientID: f.clientG}, rounds(1, 3, 4, 5, 7, 8)},
		{Everyone, AuditFilter{ClientID: f.clientR}, rounds(2, 6, 9)},
		{Everyone, AuditFilter{MatterID: f.matterW}, rounds(4, 5, 8)},
		{Everyone, AuditFilter{MatterID: f.matterW, ClientID: f.clientR}, nil},
		{Everyone, AuditFilter{MatterID: f.matterW, ClientID: f.clientG}, rounds(4, 5, 8)},
		{Everyone, AuditFilter{Actor: "PAT paralegal"}, []int64{11, 12, 13, 14, 15, 16, 17, 18, 19, 20}},
		{Everyone, AuditFilter{Actor: "pat"}, nil},
		{Everyone, AuditFilter{ClientID: f.clientG, Limit: 4}, []int64{1, 3, 4, 5}},
		{Everyone, AuditFilter{From: time.Date(2026, 12, 2, 9, 10, 0, 0, time.UTC), To: time.Date(2026, 12, 2, 9, 13, 0, 0, time.UTC)}, []int64{10, 11, 12}},
		{para, AuditFilter{}, rounds(1, 3, 7, 10)},
		{para, AuditFilter{ClientID: f.clientG}, rounds(1, 3, 7)},
		{para, AuditFilter{ClientID: f.clientR}, nil},
		{para, AuditFilter{MatterID: f.matterW}, nil},
		{para, AuditFilter{Limit: 5}, []int64{1, 3, 7, 10, 11}},
		{para, AuditFilter{Actor: "ann attorney", Limit: 2}, []int64{21, 23}},
	} {
		if got := ids(c.v, c.f); !slices.Equal(got, c.want) {
			t.Errorf("viewer %+v, %+v: %v, want %v", c.v, c.f, got, c.want)
		}
	}
}

// TestConflictChecksNaming: the checks whose hits name a client, not those
// naming another, nor malformed hits; none for a viewer who cannot see it.
func TestConflictChecksNaming(t *testing.T) {
	ctx := context.Background()
	f := newWallFixture(t)
	now := time.Date(2026, 12, 2, 11, 0, 0, 0, time.UTC)
	want := []int64{f.check} // the fixture's check names client R
	err := f.s.UpdateAs(ctx, Everyone, func(tx *Tx) error {
		for i, hits := range []string{
			fmt.Sprintf(`[{"name":"Rex","client_id":%d},{"name":"Gina","client_id":%d}]`, f.clientR, f.clientG),
			fmt.Sprintf(`[{"name":"Gina","client_id":%d}]`, f.clientG),
			`[]`, `not json`, `{"client_id":2}`, `[2, "x", null]`,
			fmt.Sprintf(`[{"name":"Heir","client_id":%d,"matter_id":%d},{"name":"Rex","client_id":%d}]`, f.clientR, f.matMR, f.clientR),
		} {
			id, err := tx.InsertConflictCheck(&ConflictCheck{At: now, Actor: "owner", Names: `["x"]`, Hits: hits})
			if err != nil {
				return err
			}
			if i == 0 || i == 6 {
				want = append(want, id)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for v, w := range map[Viewer][]int64{Everyone: want, {UserID: f.atty}: want, {UserID: f.para}: nil} {
		err := f.s.ViewAs(ctx, v, func(tx *Tx) error {
			got, err := tx.ConflictChecksNaming(f.clientR)
			if !slices.Equal(got, w) {
				t.Errorf("viewer %+v: checks naming client R = %v, want %v", v, got, w)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestVisibilityAgrees: with random classes and access lists, what each
// viewer's lists, gets, search and counts show agree with one another,
// and with the rule computed here in Go.
func TestVisibilityAgrees(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, newVault(t), Options{CheckpointBytes: -1})
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	type rec struct {
		class string
		users []int64
	}
	clients, matters := map[int64]rec{}, map[int64]rec{}
	matterClient := map[int64]int64{}
	var users []int64
	classes := []string{ClassGeneral, ClassGeneral, ClassRestricted, ClassWalled}
	err := s.Update(ctx, func(tx *Tx) error {
		for i := range 4 {
			id, err := tx.InsertUser(&User{Name: fmt.Sprintf("u%d", i), Role: "r"}, now)
			if err != nil {
				return err
			}
			users = append(users, id)
		}
		pick := func(i int) rec {
			r := rec{class: classes[(i*7+i/3)%4]}
			for j, u := range users {
				if (i+j)%3 == 0 {
					r.users = append(r.users, u)
				}
			}
			return r
		}
		for i := range 30 {
			cid, err := tx.InsertClient(&Client{Name: fmt.Sprintf("common client %d", i), Aliases: []string{"common alias"}}, now)
			if err != nil {
				return err
			}
			clients[cid] = pick(i)
			if err := tx.SetSecurityClass(KindClient, cid, clients[cid].class, clients[cid].users); err != nil {
				return err
			}
			for k := range 2 {
				mid, err := tx.InsertMatter(&Matter{ClientID: cid, Title: "common matter", Parties: []Party{{Role: RoleAdverse, Name: "p"}}}, now)
				if err != nil {
					return err
				}
				matterClient[mid] = cid
				matters[mid] = pick(i + k + 1)
				if err := tx.SetSecurityClass(KindMatter, mid, matters[mid].class, matters[mid].users); err != nil {
					return err
				}
				if _, err := tx.InsertNote(&Note{MatterID: mid, Text: "common note", Author: "o"}, now); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sees := func(r rec, uid int64) bool {
		listed := slices.Contains(r.users, uid)
		switch r.class {
		case ClassGeneral:
			return true
		case ClassWalled:
			return !listed
		}
		return listed
	}
	for _, uid := range users {
		v := Viewer{UserID: uid}
		wantC, wantM := map[int64]bool{}, map[int64]bool{}
		for id, r := range clients {
			if sees(r, uid) {
				wantC[id] = true
			}
		}
		for id, r := range matters {
			if sees(r, uid) && wantC[matterClient[id]] {
				wantM[id] = true
			}
		}
		err := s.ViewAs(ctx, v, func(tx *Tx) error {
			cs, err := tx.ListClients(ByName)
			if err != nil {
				return err
			}
			ms, err := tx.ListMatters(0, "")
			if err != nil {
				return err
			}
			gotC, gotM := map[int64]bool{}, map[int64]bool{}
			for _, c := range cs {
				gotC[c.ID] = true
			}
			for _, m := range ms {
				gotM[m.ID] = true
			}
			if fmt.Sprint(gotC) != fmt.Sprint(wantC) || fmt.Sprint(gotM) != fmt.Sprint(wantM) {
				t.Errorf("user %d: clients %v matters %v, want %v %v", uid, gotC, gotM, wantC, wantM)
			}
			for id := range clients {
				if _, err := tx.GetClient(id); (err == nil) != wantC[id] {
					t.Errorf("user %d: GetClient(%d) = %v, visible %v", uid, id, err, wantC[id])
				}
			}
			for id := range matters {
				if _, err := tx.GetMatter(id); (err == nil) != wantM[id] {
					t.Errorf("user %d: GetMatter(%d) = %v, visible %v", uid, id, err, wantM[id])
				}
			}
			c, err := tx.Counts()
			if err != nil {
				return err
			}
			if c.Clients != len(wantC) || c.Matters != len(wantM) || c.Parties != len(wantM) || c.Notes != len(wantM) {
				t.Errorf("user %d: counts %+v, want %d clients, %d matters, parties, notes", uid, c, len(wantC), len(wantM))
			}
			hits, err := tx.Search("common", 1000)
			if err != nil {
				return err
			}
			kinds := map[string]int{}
			for _, h := range hits {
				kinds[h.Kind]++
				if (h.Kind == "client" || h.Kind == "alias") && !wantC[h.ClientID] || (h.Kind == "matter" || h.Kind == "note") && !wantM[h.MatterID] {
					t.Errorf("user %d: hidden hit %+v", uid, h)
				}
			}
			if kinds["client"] != len(wantC) || kinds["alias"] != len(wantC) || kinds["matter"] != len(wantM) || kinds["note"] != len(wantM) {
				t.Errorf("user %d: hits %v, want %d clients/aliases, %d matters/notes", uid, kinds, len(wantC), len(wantM))
			}
			if len(wantC) == len(clients) || len(wantM) == len(matters) || len(wantM) == 0 {
				t.Errorf("user %d sees %d of %d clients, %d of %d matters: the classes test nothing", uid, len(wantC), len(clients), len(wantM), len(matters))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
