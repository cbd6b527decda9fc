package app

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"filippo.io/age"

	"casevault/app/access"
	"casevault/app/human"
	"casevault/app/intake/form"
	"casevault/store"
	"casevault/vault"
)

// importSub is a valid submission of name (a new id each call).
func importSub(name string) *form.Submission {
	return &form.Submission{
		ID:           form.NewID(),
		ReceivedAt:   time.Date(2026, 12, 2, 19, 30, 0, 0, time.UTC),
		Session:      "0011223344556677",
		PracticeArea: "family",
		FormVersion:  0,
		Notice:       form.Notice{Version: 1, Text: "We keep your answers private."},
		Consent:      true,
		Answers: []form.Answer{
			{Key: form.KeyFullName, Label: "Full legal name", Kind: form.Short, Text: name},
			{Key: form.KeyOtherNames, Label: "Other or former names", Kind: form.Names, List: []string{name + " Senior"}},
			{Key: form.KeyAdverseParties, Label: "Other side", Kind: form.Names, List: []string{"Adam Adverse"}},
		},
	}
}

func inboxOf(dir string) string { return filepath.Join(dir, vault.IntakeDir, IntakeInboxDir) }

func unreadableOf(dir string) string { return filepath.Join(dir, vault.IntakeDir, IntakeUnreadableDir) }

// writeSealed seals sub (and files) to recipient as the server does and
// puts it in dir's inbox under name ("" = <id>.age). It returns the path.
func writeSealed(t *testing.T, dir, recipient, name string, sub *form.Submission, files []form.File) string {
	t.Helper()
	var buf bytes.Buffer
	if err := form.Seal(&buf, recipient, sub, files); err != nil {
		t.Fatal(err)
	}
	if name == "" {
		name = sub.ID + ".age"
	}
	return writeInbox(t, dir, name, buf.Bytes())
}

func writeInbox(t *testing.T, dir, name string, b []byte) string {
	t.Helper()
	if err := os.MkdirAll(inboxOf(dir), 0o700); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(inboxOf(dir), name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// folderNames lists a folder's entries ("" when it is missing).
func folderNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

// intakeRows reads every stored submission (payload included) with its files.
func intakeRows(t *testing.T, s *Session) ([]store.IntakeSubmission, map[int64][]store.IntakeFile) {
	t.Helper()
	var subs []store.IntakeSubmission
	files := map[int64][]store.IntakeFile{}
	err := s.st.View(ctx, func(tx *store.Tx) error {
		list, _, err := tx.ListIntakeSubmissions(store.IntakeListFilter{Limit: 10000})
		if err != nil {
			return err
		}
		for _, l := range list {
			full, err := tx.GetIntakeSubmission(l.ID)
			if err != nil {
				return err
			}
			subs = append(subs, *full)
			fl, err := tx.IntakeFiles(l.ID)
			if err != nil {
				return err
			}
			for _, f := range fl {
				withData, err := tx.IntakeFile(l.ID, f.ID)
				if err != nil {
					return err
				}
				files[l.ID] = append(files[l.ID], *withData)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return subs, files
}

// TestImportIntakeNothing: with no intake folder, or an empty inbox,
// importing does nothing: no folder made, no audit entry.
func TestImportIntakeNothing(t *testing.T) {
	s, dir, _ := testSession(t)
	before := auditCount(t, s)
	res, err := s.ImportIntake(ctx)
	if err != nil || *res != (IntakeImport{}) {
		t.Fatalf("no intake folder: %+v, %v", res, err)
	}
	if _, err := os.Stat(filepath.Join(dir, vault.IntakeDir)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("importing made the intake folder: %v", err)
	}
	if err := os.MkdirAll(inboxOf(dir), 0o700); err != nil {
		t.Fatal(err)
	}
	res, err = s.ImportIntake(ctx)
	if err != nil || *res != (IntakeImport{}) {
		t.Fatalf("an empty inbox: %+v, %v", res, err)
	}
	if n := auditCount(t, s); n != before {
		t.Errorf("importing nothing wrote %d audit entries", n-before)
	}
}

// TestImportIntake: every kind of file in the inbox. Submissions for this
// vault (one with files, one sealed to an older key of the vault) go into
// the queue with their answers, files and names, in one audited
// transaction, and leave the inbox; files not for this vault, not
// submissions, too large (not read), misnamed or not plain files are moved
// to unreadable/ and kept; a stale half-written file is removed, a fresh
// one and a file that is not the server's are left. Importing again does
// nothing; a second unreadable file of the same name never replaces the first.
func TestImportIntake(t *testing.T) {
	s, dir, _ := testSession(t)
	old, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	err = s.st.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.InsertIntakeKey(&store.IntakeKey{Recipient: old.Recipient().String(), Identity: old.String(),
			CreatedAt: time.Now().Add(-48 * time.Hour), RetiredAt: time.Now().Add(-24 * time.Hour)})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := s.IntakeRecipient(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rec == old.Recipient().String() {
		t.Fatal("the retired key seals new submissions")
	}
	other, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	upload := []form.File{{Meta: form.FileMeta{Question: form.KeyIDDocument, Name: "passport.jpg", MediaType: "image/jpeg"}, Data: []byte("\xff\xd8 a photo")}}
	jane := importSub("Jane Roe")
	writeSealed(t, dir, rec, "", jane, upload)
	olderKey := importSub("Olga Older")
	writeSealed(t, dir, old.Recipient().String(), "", olderKey, nil)
	foreign := writeSealed(t, dir, other.Recipient().String(), "", importSub("Foreign Person"), nil)
	garbage := writeInbox(t, dir, strings.Repeat("ab", 16)+".age", []byte("not a sealed file at all"))
	misnamed := writeSealed(t, dir, rec, strings.Repeat("cd", 16)+".age", importSub("Misnamed Person"), nil)
	badName := writeSealed(t, dir, rec, "hello.age", importSub("Hello Person"), nil)
	evilName := writeInbox(t, dir, "evil\x1b]0;owned\x07\u202egpj.age", []byte("junk"))
	huge := writeInbox(t, dir, strings.Repeat("ef", 16)+".age", nil)
	if err := os.Truncate(huge, form.DefaultLimits.MaxSealedBytes+1); err != nil { // sparse: never read
		t.Fatal(err)
	}
	link := filepath.Join(inboxOf(dir), strings.Repeat("12", 16)+".age")
	if err := os.Symlink(filepath.Join(inboxOf(dir), jane.ID+".age"), link); err != nil {
		t.Fatal(err)
	}
	fresh := writeInbox(t, dir, ".tmp-fresh", []byte("being written"))
	stale := writeInbox(t, dir, ".tmp-stale", []byte("never finished"))
	if err := os.Chtimes(stale, time.Now().Add(-2*time.Hour), time.Now().Add(-2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	notes := writeInbox(t, dir, "notes.txt", []byte("someone else's"))

	before := auditCount(t, s)
	res, err := s.ImportIntake(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := IntakeImport{Imported: 2, Unreadable: 7, UnreadableDir: unreadableOf(dir), StaleRemoved: 1}
	if *res != want {
		t.Errorf("import = %+v, want %+v", *res, want)
	}
	if got, want := folderNames(t, inboxOf(dir)), []string{".tmp-fresh", "notes.txt"}; !slices.Equal(got, want) {
		t.Errorf("inbox after = %v, want %v", got, want)
	}
	moved := folderNames(t, unreadableOf(dir))
	for _, p := range []string{foreign, garbage, misnamed, badName, huge, link, evilName} {
		if !slices.Contains(moved, filepath.Base(p)) {
			t.Errorf("%s was not moved to unreadable/ (%v)", filepath.Base(p), moved)
		}
	}
	if fi, err := os.Lstat(filepath.Join(unreadableOf(dir), filepath.Base(link))); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("the link was not moved as a link: %v, %v", fi, err)
	}
	if fi, err := os.Stat(unreadableOf(dir)); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("unreadable/ = %v, %v; want a private folder", fi, err)
	}
	for _, p := range []string{fresh, notes} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s was touched: %v", filepath.Base(p), err)
		}
	}

	subs, files := intakeRows(t, s)
	if len(subs) != 2 {
		t.Fatalf("%d submissions in the vault, want 2", len(subs))
	}
	byName := map[string]store.IntakeSubmission{}
	for _, r := range subs {
		byName[r.FullName] = r
	}
	j := byName["Jane Roe"]
	if j.SealedID != jane.ID || j.Status != store.IntakeNew || j.PracticeArea != "family" || !j.ReceivedAt.Equal(jane.ReceivedAt) || j.ImportedAt.IsZero() {
		t.Errorf("Jane's row = %+v", j)
	}
	wantNames := []store.IntakeName{{Name: "Jane Roe", Role: "client"}, {Name: "Jane Roe Senior", Role: "alias"}, {Name: "Adam Adverse", Role: "adverse"}}
	if !slices.Equal(j.ConflictNames, wantNames) {
		t.Errorf("Jane's names = %+v, want %+v", j.ConflictNames, wantNames)
	}
	var payload form.Submission
	if err := json.Unmarshal([]byte(j.Payload), &payload); err != nil || payload.ID != jane.ID || payload.FullName() != "Jane Roe" || len(payload.Files) != 1 {
		t.Errorf("Jane's payload = %+v, %v", payload, err)
	}
	if f := files[j.ID]; len(f) != 1 || string(f[0].Content) != "\xff\xd8 a photo" || f[0].Name != "passport.jpg" || f[0].N != 1 || f[0].Size != 10 || len(f[0].SHA256) != 64 {
		t.Errorf("Jane's files = %+v", f)
	}
	if _, ok := byName["Olga Older"]; !ok {
		t.Error("a submission sealed to the vault's older key was not imported")
	}

	// The audit: one entry for the batch naming both, one for the files moved aside.
	entries := auditSince(t, s, before)
	var batch, aside *store.AuditEntry
	for _, e := range entries {
		if e.Action == "intake.import" && e.Records != "" {
			batch = e
		} else if e.Action == "intake.import" {
			aside = e
		}
	}
	if batch == nil || len(strings.Fields(batch.Records)) != 2 || !strings.Contains(batch.Detail, "2 submissions") {
		t.Errorf("the import's audit entry = %+v", batch)
	}
	if aside == nil || !strings.Contains(aside.Detail, "7 files") || !strings.Contains(aside.Detail, "and 2 more") ||
		strings.ContainsAny(aside.Detail, "\x1b\x07\u202e") ||
		!strings.Contains(aside.Detail, "half-written") || strings.Contains(aside.Detail, "Foreign Person") {
		t.Errorf("the audit entry of the files moved aside = %+v", aside)
	}

	// Again: nothing to do. The same unreadable name again is kept beside the first.
	n := auditCount(t, s)
	res, err = s.ImportIntake(ctx)
	if err != nil || *res != (IntakeImport{}) || auditCount(t, s) != n {
		t.Errorf("second import = %+v, %v (%d audit entries)", res, err, auditCount(t, s)-n)
	}
	writeInbox(t, dir, filepath.Base(garbage), []byte("other garbage"))
	if res, err = s.ImportIntake(ctx); err != nil || res.Unreadable != 1 {
		t.Fatalf("a second garbage file = %+v, %v", res, err)
	}
	if b, err := os.ReadFile(filepath.Join(unreadableOf(dir), filepath.Base(garbage))); err != nil || string(b) != "not a sealed file at all" {
		t.Errorf("the first unreadable file was replaced: %q, %v", b, err)
	}
	if got := folderNames(t, unreadableOf(dir)); len(got) != 8 {
		t.Errorf("unreadable/ = %v, want 8 files", got)
	}

	// The conflict index has the prospect now.
	cr, err := s.CheckConflicts(ctx, []string{"Jane Roe"})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, h := range cr.Hits {
		found = found || h.Role == "prospect" && h.Name == "Jane Roe" && !h.Hidden
	}
	if !found {
		t.Errorf("the prospect is not found by a conflict check: %+v", cr.Hits)
	}
}

// auditSince returns the audit entries after the first n.
func auditSince(t *testing.T, s *Session, n int) []*store.AuditEntry {
	t.Helper()
	var all []*store.AuditEntry
	err := s.st.View(ctx, func(tx *store.Tx) error {
		var err error
		all, err = tx.ListAudit(store.AuditFilter{})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if n > len(all) {
		return nil
	}
	return all[n:]
}

// failIntakeFiles makes the importer's removals and moves fail with err
// until the test ends.
func failIntakeFiles(t *testing.T, err error) {
	t.Helper()
	rm, mv := intakeRemove, intakeRename
	intakeRemove = func(string) error { return err }
	intakeRename = func(string, string) error { return err }
	t.Cleanup(func() { intakeRemove, intakeRename = rm, mv })
}

// TestImportIntakeKilledAfterCommit: a kill between the commit and the
// removal of the file leaves the file; the next unlock finds it already in
// the vault (a duplicate), removes it and adds nothing.
func TestImportIntakeKilledAfterCommit(t *testing.T) {
	s, dir, _ := testSession(t)
	rec, err := s.IntakeRecipient(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sub := importSub("Kim Killed")
	path := writeSealed(t, dir, rec, "", sub, nil)
	sealed, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	restore := intakeRemove
	intakeRemove = func(string) error { return errors.New("killed") }
	res, err := s.ImportIntake(ctx)
	intakeRemove = restore
	if err == nil || res.Imported != 1 {
		t.Fatalf("import with the removal failing = %+v, %v", res, err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the file is gone: %v", err)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	s = openTest(t, dir) // imports
	if len(s.Notices()) != 0 {
		t.Errorf("notices = %q", s.Notices())
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the duplicate was not removed at unlock: %v", err)
	}
	if subs, _ := intakeRows(t, s); len(subs) != 1 {
		t.Errorf("%d submissions after the re-import, want 1", len(subs))
	}
	// The same file again (a copy put back): a duplicate, removed, not recorded.
	writeInbox(t, dir, filepath.Base(path), sealed)
	n := auditCount(t, s)
	res, err = s.ImportIntake(ctx)
	if err != nil || *res != (IntakeImport{Duplicates: 1}) {
		t.Errorf("re-import = %+v, %v; want one duplicate", res, err)
	}
	if auditCount(t, s) != n {
		t.Error("a duplicate alone wrote an audit entry")
	}
	if subs, _ := intakeRows(t, s); len(subs) != 1 {
		t.Errorf("%d submissions after the duplicate, want 1", len(subs))
	}
}

// TestImportIntakeReadOnlyInbox: an inbox the program may not change (as
// a read-only folder refuses; root is refused nothing, so the failure is
// made): the unlock works and says so, what could be read is in the
// vault, nothing is lost, and the next import with the folder writable
// finishes the work.
func TestImportIntakeReadOnlyInbox(t *testing.T) {
	s, dir, _ := testSession(t)
	rec, err := s.IntakeRecipient(ctx)
	if err != nil {
		t.Fatal(err)
	}
	good := writeSealed(t, dir, rec, "", importSub("Rita Readonly"), nil)
	bad := writeInbox(t, dir, strings.Repeat("0", 32)+".age", []byte("junk"))
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() != 0 {
		if err := os.Chmod(inboxOf(dir), 0o500); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(inboxOf(dir), 0o700) })
	} else {
		failIntakeFiles(t, &fs.PathError{Op: "unlinkat", Path: good, Err: syscall.EACCES})
	}
	s = openTest(t, dir)
	notices := strings.Join(s.Notices(), "\n")
	if !strings.Contains(notices, "could not finish bringing in") || !strings.Contains(notices, inboxOf(dir)) {
		t.Errorf("notices = %q", notices)
	}
	if subs, _ := intakeRows(t, s); len(subs) != 1 {
		t.Errorf("%d submissions, want 1", len(subs))
	}
	for _, p := range []string{good, bad} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s is gone: %v", filepath.Base(p), err)
		}
	}
	// Writable again.
	os.Chmod(inboxOf(dir), 0o700)
	intakeRemove, intakeRename = os.Remove, os.Rename
	res, err := s.ImportIntake(ctx)
	if err != nil || *res != (IntakeImport{Duplicates: 1, Unreadable: 1, UnreadableDir: unreadableOf(dir)}) {
		t.Errorf("import once writable = %+v, %v", res, err)
	}
	if got := folderNames(t, inboxOf(dir)); len(got) != 0 {
		t.Errorf("inbox = %v, want empty", got)
	}
}

// TestImportIntakeNoticeUnreadable: an unreadable file is told at unlock,
// with where it is kept, in the right number.
func TestImportIntakeNoticeUnreadable(t *testing.T) {
	dir, _ := newTestVault(t)
	writeInbox(t, dir, strings.Repeat("a", 32)+".age", []byte("junk"))
	s := openTest(t, dir)
	want := "1 file in the intake folder could not be read: it was not made for this vault, damaged, or too large. It is kept in " + unreadableOf(dir)
	if n := s.Notices(); len(n) != 1 || !strings.HasPrefix(n[0], want) {
		t.Errorf("notices = %q, want one starting %q", n, want)
	}
	if got := IntakeImportNotice(dir, &IntakeImport{Unreadable: 2, UnreadableDir: "X"}, nil); !strings.HasPrefix(got,
		"2 files in the intake folder could not be read: they were not made for this vault, damaged, or too large. They are kept in X; nothing in them") {
		t.Errorf("the notice of 2 = %q", got)
	}
	if got := IntakeImportNotice(dir, &IntakeImport{Imported: 3, Duplicates: 1}, nil); got != "" {
		t.Errorf("an import with nothing to tell = %q, want none", got)
	}
}

// hostileSealed seals a hand-made submission.json (as anyone who knows
// the public key could) to recipient.
func hostileSealed(t *testing.T, recipient string, edit func(m map[string]any)) (id string, sealed []byte) {
	t.Helper()
	sub := importSub("Harmless Name")
	sub.Format, sub.Version = form.FormatName, form.FormatVersion
	sub.Files = []form.FileMeta{}
	b, err := json.Marshal(sub)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	if b, err = json.Marshal(m); err != nil {
		t.Fatal(err)
	}
	var plain bytes.Buffer
	tw := tar.NewWriter(&plain)
	if err := tw.WriteHeader(&tar.Header{Name: "submission.json", Typeflag: tar.TypeReg, Size: int64(len(b)), Mode: 0o600}); err != nil {
		t.Fatal(err)
	}
	if _, err := tw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := age.ParseX25519Recipient(recipient)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	w, err := age.Encrypt(&out, r)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(plain.Bytes()); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return sub.ID, out.Bytes()
}

// TestImportIntakeForged: files sealed to the vault's own key by someone
// else, with hostile content (escape codes, 10,000 names, direction
// overrides, a lie about a file): none gets into the vault, each is kept
// aside, and the audit trail names none of their content. The control
// (the same hand-made file without the hostile part) is imported, so the
// refusals are the content's.
func TestImportIntakeForged(t *testing.T) {
	s, dir, _ := testSession(t)
	rec, err := s.IntakeRecipient(ctx)
	if err != nil {
		t.Fatal(err)
	}
	setName := func(v string) func(m map[string]any) {
		return func(m map[string]any) { m["answers"].([]any)[0].(map[string]any)["text"] = v }
	}
	many := make([]any, 10000)
	for i := range many {
		many[i] = fmt.Sprintf("Name %d", i)
	}
	cases := map[string]func(m map[string]any){
		"escape": setName("Evil \x1b[2J\x1b]0;pwned\x07 Person"),
		"bidi":   setName("Innocent \u202egpj.exe"),
		"names":  func(m map[string]any) { m["answers"].([]any)[1].(map[string]any)["list"] = many },
		"file-lie": func(m map[string]any) {
			m["files"] = []any{map[string]any{"n": 1, "question": "id_document", "name": "a.jpg", "media_type": "image/jpeg", "size": 3, "sha256": strings.Repeat("0", 64)}}
		},
		"nul":     setName("Nul\x00Person"),
		"huge":    setName(strings.Repeat("A", 900<<10)),
		"control": func(m map[string]any) {},
	}
	for _, edit := range cases {
		id, sealed := hostileSealed(t, rec, edit)
		writeInbox(t, dir, id+".age", sealed)
	}
	before := auditCount(t, s)
	res, err := s.ImportIntake(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Imported != 1 || res.Unreadable != len(cases)-1 {
		t.Errorf("import = %+v, want the control imported and %d kept aside", res, len(cases)-1)
	}
	subs, _ := intakeRows(t, s)
	if len(subs) != 1 || subs[0].FullName != "Harmless Name" {
		t.Errorf("in the vault: %+v", subs)
	}
	for _, e := range auditSince(t, s, before) {
		for _, bad := range []string{"\x1b", "\u202e", "Name 9999", "Evil", "Innocent"} {
			if strings.Contains(e.Detail, bad) || strings.Contains(e.Records, bad) {
				t.Errorf("the audit entry %+v holds %q", e, bad)
			}
		}
	}
}

// TestImportIntakeReadOnlyUser: a user whose role may not even read the
// intake queue imports at unlock (it reveals nothing): what clients sent
// leaves the disk. Their conflict checks still count a prospect's names,
// hidden as a restricted match; a user with intake read sees whose.
func TestImportIntakeReadOnlyUser(t *testing.T) {
	owner, dir, _ := testSession(t)
	rec, err := owner.IntakeRecipient(ctx)
	if err != nil {
		t.Fatal(err)
	}
	r := builtin(t, access.OwnerRole)
	r.Name, r.Builtin = "No intake", false
	r.Perms = r.Perms.Clone()
	r.Perms[access.Intake] = access.Deny
	if err := owner.SaveRole(ctx, r); err != nil {
		t.Fatal(err)
	}
	pass := addUser(t, owner, dir, "nia", "No intake") // closes the owner's session
	path := writeSealed(t, dir, rec, "", importSub("Paula Prospect"), nil)
	s, err := openUser(t, dir, "nia", pass, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a user without intake read left the submission on disk: %v", err)
	}
	if subs, _ := intakeRows(t, s); len(subs) != 1 {
		t.Errorf("%d submissions, want 1", len(subs))
	}
	if _, err := s.IntakeForm(ctx); !errors.Is(err, ErrDenied) {
		t.Errorf("IntakeForm without intake read: %v", err)
	}
	cr, err := s.CheckConflicts(ctx, []string{"Paula Prospect"})
	if err != nil {
		t.Fatal(err)
	}
	if len(cr.Hits) == 0 {
		t.Fatal("the prospect does not count for a user without intake read")
	}
	for _, h := range cr.Hits {
		if !h.Hidden || h.Name != "" || h.ClientName != "" {
			t.Errorf("hit for a user without intake read = %+v, want hidden", h)
		}
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	owner = openTest(t, dir)
	cr, err = owner.CheckConflicts(ctx, []string{"Paula Prospect"})
	if err != nil {
		t.Fatal(err)
	}
	seen := false
	for _, h := range cr.Hits {
		seen = seen || !h.Hidden && h.Role == "prospect" && h.ClientName == "Paula Prospect" && h.Name == "Paula Prospect"
	}
	if !seen {
		t.Errorf("the owner's hits = %+v, want the prospect by name", cr.Hits)
	}
}

// TestImportIntakeSalvage: a vault opened read-only imports nothing.
func TestImportIntakeSalvage(t *testing.T) {
	s, dir, _ := testSession(t)
	rec, err := s.IntakeRecipient(ctx)
	if err != nil {
		t.Fatal(err)
	}
	path := writeSealed(t, dir, rec, "", importSub("Sal Vage"), nil)
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	ro, err := OpenReadOnly(ctx, dir, vault.Passphrase([]byte(testPass)), Options{Actor: "tester"})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close(ctx)
	if res, err := ro.ImportIntake(ctx); err != nil || *res != (IntakeImport{}) {
		t.Errorf("read-only import = %+v, %v", res, err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("a read-only session touched the inbox: %v", err)
	}
}

// TestImportIntakeHostileNames: whoever can write to the inbox chooses
// its file names; the audit trail and the unlock's notice show them with
// escape codes and direction overrides written visibly, never raw, and a
// flood of failures is counted, not listed.
func TestImportIntakeHostileNames(t *testing.T) {
	s, dir, _ := testSession(t)
	evil := "evil\x1b]0;owned\x07\u202egpj.age"
	writeInbox(t, dir, evil, []byte("junk"))
	stale := writeInbox(t, dir, ".tmp-\x1b[2J", []byte("x"))
	old := time.Now().Add(-2 * time.Hour)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	restore := intakeRemove
	intakeRemove = func(p string) error { return &fs.PathError{Op: "unlinkat", Path: p, Err: syscall.EROFS} }
	defer func() { intakeRemove = restore }()
	before := auditCount(t, s)
	res, err := s.ImportIntake(ctx)
	if err == nil || !errors.Is(err, syscall.EROFS) || res.Unreadable != 1 {
		t.Fatalf("import = %+v, %v", res, err)
	}
	notice := IntakeImportNotice(dir, res, err)
	var texts []string
	for _, e := range auditSince(t, s, before) {
		texts = append(texts, e.Detail)
	}
	texts = append(texts, notice, err.Error())
	for _, text := range texts {
		if strings.ContainsAny(text, "\x1b\x07\u202e") {
			t.Errorf("raw control characters in %q", text)
		}
	}
	if !strings.Contains(strings.Join(texts, "\n"), `evil\x1b]0;owned\x07\u202egpj.age`) {
		t.Errorf("the file's name is not shown escaped: %q", texts)
	}

	// Many failures: five named, the rest counted.
	var errs []error
	for i := range 8 {
		errs = append(errs, fileErr("removing", fmt.Sprintf("f%d", i), syscall.EROFS))
	}
	if e := joinFew(errs); !errors.Is(e, syscall.EROFS) || !strings.Contains(e.Error(), "(and 3 more)") || strings.Contains(e.Error(), "f5") {
		t.Errorf("joinFew = %v", e)
	}
	if got := firstFew([]string{"a", "b", "c", "d", "e", "f"}, "; "); got != "a; b; c; d; e; and 1 more" {
		t.Errorf("firstFew = %q", got)
	}
}

// TestOpenSealedTooLarge: a file over the sealed limit is refused by its
// size, before anything reads it (form.Open would say "larger than the
// limits allow" only after reading up to the limit).
func TestOpenSealedTooLarge(t *testing.T) {
	dir := t.TempDir()
	name := strings.Repeat("ab", 16) + ".age"
	p := filepath.Join(dir, name)
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if err := os.Truncate(p, form.DefaultLimits.MaxSealedBytes+1); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 1 {
		t.Fatal(entries, err)
	}
	sf, why, err := openSealed(p, entries[0], []string{"AGE-SECRET-KEY-1NOTUSED"}, form.DefaultLimits)
	want := human.Size(form.DefaultLimits.MaxSealedBytes+1) + ", more than " + human.Size(form.DefaultLimits.MaxSealedBytes)
	if sf != nil || err != nil || why == nil || why.Error() != want {
		t.Errorf("openSealed of a file too large = %v, %v, %v; want the size refusal %q", sf, why, err, want)
	}
}

// TestImportIntakeConcurrent: imports asked for at once (the window asks
// on each arrival) bring every submission in once, and leave the inbox
// empty.
func TestImportIntakeConcurrent(t *testing.T) {
	s, dir, _ := testSession(t)
	rec, err := s.IntakeRecipient(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		writeSealed(t, dir, rec, "", importSub(fmt.Sprintf("Concurrent Person %d", i)), nil)
	}
	before := auditCount(t, s)
	results := make(chan *IntakeImport, 3)
	errs := make(chan error, 3)
	for range 3 {
		go func() {
			res, err := s.ImportIntake(ctx)
			results <- res
			errs <- err
		}()
	}
	total := 0
	for range 3 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
		total += (<-results).Imported
	}
	if total != 20 {
		t.Errorf("imported %d in all, want 20", total)
	}
	if subs, _ := intakeRows(t, s); len(subs) != 20 {
		t.Errorf("%d submissions, want 20", len(subs))
	}
	if got := folderNames(t, inboxOf(dir)); len(got) != 0 {
		t.Errorf("inbox = %v", got)
	}
	ids := 0
	for _, e := range auditSince(t, s, before) {
		if e.Action != "intake.import" || e.Records == "" {
			t.Errorf("audit entry %+v: an import that brought nothing in was recorded", e)
		}
		ids += len(strings.Fields(e.Records))
	}
	if ids != 20 {
		t.Errorf("the audit trail names %d submissions imported, want 20", ids)
	}
}
