package app

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"casevault/app/intake/form"
	"casevault/vault"
)

// The whole review, from sealed files: two submissions sealed to the
// vault's intake key while it is locked, imported by the next unlock, in
// the queue with their hits; one accepted (its client, matter and parties
// found), one declined (still a prospect for the next check).
func TestIntakeReviewFromSealedFiles(t *testing.T) {
	s, dir, _ := testSession(t)
	if _, err := s.AddClient(ctx, ClientInput{Name: ptr("Walter Harrowgate")}); err != nil {
		t.Fatal(err)
	}
	recipient, err := s.IntakeRecipient(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}

	inbox := filepath.Join(dir, vault.IntakeDir, IntakeInboxDir)
	if err := os.MkdirAll(inbox, 0o700); err != nil {
		t.Fatal(err)
	}
	photo := []byte("a photo of a passport")
	sum := sha256.Sum256(photo)
	seal := func(sub *form.Submission, files []form.File) {
		t.Helper()
		var b bytes.Buffer
		if err := form.Seal(&b, recipient, sub, files); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(inbox, sub.ID+".age"), b.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	jane := intakeSubFull("Jane Roe", now.Add(-2*time.Hour), "Walter Harrowgate")
	meta := form.FileMeta{N: 1, Question: form.KeyIDDocument, Name: "passport.jpg", MediaType: "image/jpeg", Size: int64(len(photo)), SHA256: hex.EncodeToString(sum[:])}
	jane.Files = []form.FileMeta{meta}
	seal(jane, []form.File{{Meta: meta, Data: photo}})
	seal(intakeSub("Declan Mbeki", now.Add(-time.Hour)), nil)

	s = openTest(t, dir)
	list, total, err := s.ListIntake(ctx, IntakeFilter{})
	if err != nil || total != 2 || list[0].FullName != "Declan Mbeki" || list[1].FullName != "Jane Roe" || list[1].Hits < 1 || list[1].Files != 1 {
		t.Fatalf("the queue after the unlock: %+v (%d) %v", list, total, err)
	}
	if n, err := s.IntakeNewCount(ctx); err != nil || n != 2 {
		t.Errorf("badge: %d %v", n, err)
	}
	janeID, declanID := list[1].ID, list[0].ID

	d, err := s.GetIntake(ctx, janeID)
	if err != nil || d.Submission.ID != jane.ID || len(d.FileList) != 1 {
		t.Fatalf("Jane's submission: %+v %v", d, err)
	}
	if _, data, err := s.IntakeFileData(ctx, janeID, d.FileList[0].ID); err != nil || !bytes.Equal(data, photo) {
		t.Errorf("her photo: %q %v", data, err)
	}
	res, err := s.CheckIntakeConflicts(ctx, janeID)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, h := range res.Hits {
		found = found || h.Name == "Walter Harrowgate" && h.Role == "client"
	}
	if !found {
		t.Errorf("the check missed the client on the other side: %+v", res.Hits)
	}
	a, err := s.IntakeDraft(ctx, janeID)
	if err != nil {
		t.Fatal(err)
	}
	a.Decision, a.DecisionNote = "waived", "Both clients consented in writing"
	clientID, matterID, err := s.AcceptIntake(ctx, janeID, *a)
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.GetMatter(ctx, matterID)
	if err != nil || m.ClientID != clientID || len(m.Parties) != 3 || !strings.HasPrefix(m.Title, "Jane Roe — ") {
		t.Errorf("the matter: %+v %v", m, err)
	}

	if err := s.DeclineIntake(ctx, declanID, "Outside our practice areas"); err != nil {
		t.Fatal(err)
	}
	later, err := s.CheckConflicts(ctx, []string{"Declan Mbeki"})
	if err != nil || len(later.Hits) != 1 || later.Hits[0].IntakeID != declanID || later.Hits[0].IntakeStatus != IntakeDeclined {
		t.Errorf("the declined prospect in a later check: %+v %v", later, err)
	}
	if n, err := s.IntakeNewCount(ctx); err != nil || n != 0 {
		t.Errorf("badge after both: %d %v", n, err)
	}
}
