package ui

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"casevault/app"
	"casevault/app/intake/form"
)

// TestIntakeQueueFrame: the Submissions tab is built once per unlock (h7's
// frame may ask for it on every show), says how to start intake while
// nothing came, and is nothing while the vault is locked.
func TestIntakeQueueFrame(t *testing.T) {
	h := newHarness(t, true)
	if o := h.u.intakeQueue(); o == nil || h.u.main != nil {
		t.Fatalf("locked: %v, main %v", o, h.u.main)
	}
	h.u.refreshIntake() // locked: nothing to do, no panic
	h.unlocked()
	first := h.u.intakeQueue()
	h.u.wait()
	if again := h.u.intakeQueue(); again != first {
		t.Error("intakeQueue built a second tab")
	}
	h.u.refreshIntake()
	h.u.wait()
	q := h.u.main.intake
	if q == nil || !q.empty.Visible() || !strings.Contains(q.empty.Text, "Start intake") {
		t.Fatalf("empty state = %q (visible %v)", q.empty.Text, q.empty.Visible())
	}
	h.u.intake.other = true // a server started from the command line runs
	h.u.refreshIntake()
	h.u.wait()
	if !strings.Contains(q.empty.Text, "Intake is running") || strings.Contains(q.empty.Text, "Start intake") {
		t.Errorf("empty state while intake runs = %q", q.empty.Text)
	}
	h.u.intake.other = false
	h.u.lockNow("")
	h.u.wait()
	if h.u.main != nil {
		t.Fatal("still unlocked")
	}
}

// newSub is a submission of name with the answers given after the name.
func newSub(at time.Time, name string, more ...form.Answer) *form.Submission {
	return &form.Submission{ID: form.NewID(), Session: form.NewSessionID(), ReceivedAt: at, PracticeArea: "family",
		FormVersion: 1, Notice: form.Notice{Version: 1, Text: "We keep your answers private."}, Consent: true,
		Answers: append([]form.Answer{{Key: "full_name", Label: "Full legal name", Kind: form.Short, Text: name}}, more...)}
}

// seedIntake seals subs (with files, by index) to the vault's intake key
// in its inbox, one a minute on the harness clock, and imports them as the
// owner; it returns the ids the queue gives them, newest first. When
// client is not "", that client is added first with a matter whose adverse
// party is adverse (for conflict hits).
func seedIntake(t *testing.T, h *harness, client, adverse string, files map[int][]form.File, subs ...*form.Submission) []int64 {
	t.Helper()
	ctx := context.Background()
	s, err := app.Open(ctx, h.dir, app.Passphrase([]byte(testPass)), app.Options{Now: h.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	if client != "" {
		id, err := s.AddClient(ctx, app.ClientInput{Name: ptr(client)})
		if err == nil {
			_, err = s.AddMatter(ctx, app.MatterInput{ClientID: id, Title: "Lease dispute", Adverse: []string{adverse}})
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	rcpt, err := s.IntakeRecipient(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i, sub := range subs {
		h.clock.Add(time.Minute)
		sub.ReceivedAt = h.clock.Now()
		sealInto(t, h.dir, rcpt, sub, files[i])
	}
	imp, err := s.ImportIntake(ctx)
	if err != nil || imp.Imported != len(subs) {
		t.Fatalf("import: %+v %v", imp, err)
	}
	list, _, err := s.ListIntake(ctx, app.IntakeFilter{Status: "all"})
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, x := range list {
		ids = append(ids, x.ID)
	}
	return ids
}

// showIntakeTab shows the Submissions tab in the window.
func (h *harness) showIntakeTab() {
	h.t.Helper()
	h.u.main.show(navIntake)
	h.u.wait()
}

// sealInto seals sub (with files) to rcpt in the inbox beside the vault
// in dir, as the intake server does.
func sealInto(t *testing.T, dir, rcpt string, sub *form.Submission, files []form.File) {
	t.Helper()
	inbox := filepath.Join(dir, "intake", "inbox")
	if err := os.MkdirAll(inbox, 0o700); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := form.Seal(&b, rcpt, sub, files); err != nil {
		t.Fatalf("sealing %q: %v", sub.FullName(), err)
	}
	if err := os.WriteFile(filepath.Join(inbox, sub.ID+".age"), b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestIntakeRefreshImports: what the server seals while the vault is open
// comes into the list on "Look for new submissions" (and when h7's banner
// calls refreshIntake); a file that cannot be read is said above the list,
// with where it is kept.
func TestIntakeRefreshImports(t *testing.T) {
	h := newHarness(t, true)
	h.unlocked()
	h.showIntakeTab()
	q := h.u.main.intake
	if q.total != 0 || q.notice.Visible() {
		t.Fatalf("a new vault: %d, notice %q", q.total, q.notice.Text)
	}
	rcpt, err := h.u.sess.IntakeRecipient(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	sealInto(t, h.dir, rcpt, newSub(h.clock.Now(), "Late Arrival"), nil)
	if err := os.WriteFile(filepath.Join(h.dir, "intake", "inbox", form.NewID()+".age"), []byte("not sealed"), 0o600); err != nil {
		t.Fatal(err)
	}
	test.Tap(button(t, h.u.w.Canvas(), "Look for new submissions"))
	h.u.wait()
	if q.total != 1 || q.items[0].FullName != "Late Arrival" {
		t.Fatalf("after looking: %d %+v", q.total, q.items)
	}
	if !q.notice.Visible() || !strings.Contains(q.notice.Text, "1 file") || !strings.Contains(q.notice.Text, "unreadable") {
		t.Errorf("notice = %q (visible %v)", q.notice.Text, q.notice.Visible())
	}
	h.u.refreshIntake() // nothing new: the notice goes
	h.u.wait()
	if q.total != 1 || q.notice.Visible() {
		t.Errorf("again: %d, notice %q", q.total, q.notice.Text)
	}
}

// openSubmission shows the Submissions tab and opens submission id in it.
func (h *harness) openSubmission(id int64) *intakeReview {
	h.t.Helper()
	h.showIntakeTab()
	q := h.u.main.intake
	q.open(id)
	h.u.wait()
	if q.review == nil || q.review.d == nil {
		h.t.Fatalf("submission %d not open; texts %q", id, texts(h.u.w.Canvas()))
	}
	return q.review
}

// TestIntakeQueueList: newest first, each row with its name, area, files
// and conflict hits ("possible conflict" in the theme's danger colour),
// read a page at a time; the status and name filters; a name that matches
// nothing says so.
func TestIntakeQueueList(t *testing.T) {
	defer func(p int) { intakePage = p }(intakePage)
	intakePage = 2 // three submissions: two pages, the second read as the list shows its row
	h := newHarness(t, true)
	png1 := form.File{Meta: form.FileMeta{Question: "id_document", Name: "passport.png", MediaType: "image/png"}, Data: tinyPNG(t, 4, 3)}
	seedIntake(t, h, "Anna Keller", "Brightwater Holdings", map[int][]form.File{1: {png1}},
		newSub(h.clock.Now(), "Carla Dune"),
		newSub(h.clock.Now(), "Brightwater Holdings"),
		newSub(h.clock.Now(), "Zed Quorn"))
	h.unlocked()
	h.showIntakeTab()
	q := h.u.main.intake
	if q.total != 3 || len(q.items) != 3 || q.items[0].FullName != "Zed Quorn" || q.items[2].FullName != "Carla Dune" {
		t.Fatalf("list: %d, %+v", q.total, q.items)
	}
	if q.empty.Visible() || !strings.Contains(q.count.Text, "3 new submissions, newest first") {
		t.Errorf("count %q, empty visible %v", q.count.Text, q.empty.Visible())
	}
	hit := intakeLines(q.items[1], q.areaLabel(q.items[1].PracticeArea))
	if got := marked(hit[0]) + " / " + marked(hit[1]); !strings.Contains(got, "«Brightwater Holdings»") ||
		!strings.Contains(got, "Family") || !strings.Contains(got, "1 file") || !strings.Contains(got, "possible conflict") {
		t.Errorf("row with a hit = %q", got)
	}
	if hit[1][0].imp != widget.DangerImportance || !hit[1][0].strong {
		t.Errorf("possible conflict not in the danger colour: %+v", hit[1][0])
	}
	if got := marked(intakeLines(q.items[0], "")[1]); !strings.Contains(got, "No conflict found") {
		t.Errorf("row without a hit = %q", got)
	}

	test.Type(q.find, "quorn")
	h.u.wait()
	if q.total != 1 || q.items[0].FullName != "Zed Quorn" || !strings.Contains(q.count.Text, "“quorn”") {
		t.Fatalf("name filter: %d %+v %q", q.total, q.items, q.count.Text)
	}
	q.find.SetText("nobody [at] all")
	h.u.wait()
	if q.total != 0 || !q.empty.Visible() || !strings.Contains(q.empty.Text, "No submission with “nobody [at] all”") {
		t.Fatalf("no match: %d, %q", q.total, q.empty.Text)
	}
	q.find.SetText("")
	h.u.wait()
	q.statusSel.SetSelected("Declined")
	h.u.wait()
	if q.total != 0 || !q.empty.Visible() || q.empty.Text != "None." {
		t.Fatalf("declined: %d, %q", q.total, q.empty.Text)
	}
	q.statusSel.SetSelected("All")
	h.u.wait()
	if q.total != 3 {
		t.Fatalf("all: %d", q.total)
	}
}

// TestIntakeLines: the list row's words for each state of the check and
// each status, with the right plurals.
func TestIntakeLines(t *testing.T) {
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		s    app.IntakeSummary
		want []string
		not  []string
	}{
		{app.IntakeSummary{FullName: "A", Status: "new", Hits: 2, Files: 2, ReceivedAt: at}, []string{"«2 possible conflicts»", "2 files"}, []string{"New"}},
		{app.IntakeSummary{FullName: "A", Status: "new", Hits: -1}, []string{"Conflicts not checked yet"}, []string{"file"}},
		{app.IntakeSummary{FullName: "A", Status: "declined", Hits: 0}, []string{"No conflict found", "Declined"}, nil},
		{app.IntakeSummary{FullName: "A", Status: "accepted", Hits: -1}, []string{"Accepted as a client"}, []string{"conflict", "checked"}},
		{app.IntakeSummary{FullName: "", Status: "spam"}, []string{"(no name given)", "Deleted as spam"}, []string{"conflict"}},
		{app.IntakeSummary{FullName: "B", Status: "new", Hits: 1, Restricted: true}, []string{"«B»", "«1 possible conflict» (restricted: ask the owner)"}, nil},
	} {
		l := intakeLines(c.s, "")
		got := marked(l[0]) + " / " + marked(l[1])
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("%+v: %q lacks %q", c.s, got, w)
			}
		}
		for _, w := range c.not {
			if strings.Contains(got, w) {
				t.Errorf("%+v: %q has %q", c.s, got, w)
			}
		}
	}
}

// TestAnswerText: answers shown literally: escape codes and direction
// controls as visible escapes, brackets as they are, lists a line each,
// yes/no in words, a very long answer cut with a pointer to the summary.
func TestAnswerText(t *testing.T) {
	for _, c := range []struct {
		a    form.Answer
		want string
	}{
		{form.Answer{Kind: form.Short, Text: "Evil\x1b[31m [red]"}, `Evil\x1b[31m [red]`},
		{form.Answer{Kind: form.Short, Text: "a\u202eb"}, `a\u202eb`},
		{form.Answer{Kind: form.Long, Text: "line one\r\nline two\x07"}, "line one\nline two\\x07"},
		{form.Answer{Kind: form.YesNo, Text: "yes"}, "Yes"},
		{form.Answer{Kind: form.YesNo, Text: "no"}, "No"},
		{form.Answer{Kind: form.Names, List: []string{"Jane Smith", "J.\nS."}}, "Jane Smith\nJ. S."},
		{form.Answer{Kind: form.Dates, Dates: []form.KeyDate{{What: "Accident", Date: "2026-03-04"}, {Date: "2026-05-01"}}}, "Accident: 2026-03-04\n2026-05-01"},
		{form.Answer{Kind: "future", Text: "kept", List: []string{"too"}}, "kept\ntoo"},
	} {
		if got := answerText(c.a); got != c.want {
			t.Errorf("answerText(%+v) = %q, want %q", c.a, got, c.want)
		}
	}
	long := answerText(form.Answer{Kind: form.Long, Text: strings.Repeat("x", maxAnswerShown+10)})
	if !strings.Contains(long, "printable summary has the whole answer") || len([]rune(long)) > maxAnswerShown+100 {
		t.Errorf("a long answer is not cut: %d characters", len([]rune(long)))
	}
	if rt := answerView(form.Answer{Label: "Phone \x1b[2J", Kind: form.Short}); !strings.Contains(rt.String(), `Phone \x1b[2J`) ||
		!strings.Contains(rt.String(), "Not answered") || rt.Segments[1].(*widget.TextSegment).Style.ColorName != importanceColor(widget.LowImportance) {
		t.Errorf("an empty answer shows %q", rt.String())
	}
}

// tinyPNG is a w×h picture.
func tinyPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	img.Set(0, 0, color.NRGBA{R: 200, A: 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestDecodePreview: a picture whose header claims a huge size is refused
// before it is decoded; a damaged one says so.
func TestDecodePreview(t *testing.T) {
	if img, err := decodePreview(tinyPNG(t, 4, 3)); err != nil || img.Bounds().Dx() != 4 {
		t.Fatalf("a good picture: %v", err)
	}
	huge := tinyPNG(t, 1, 1)
	// The IHDR chunk's width and height (bytes 16-23), and its CRC
	// (bytes 29-32, over the type and the data) made right again.
	copy(huge[16:24], []byte{0, 0, 0xff, 0xff, 0, 0, 0xff, 0xff})
	binary.BigEndian.PutUint32(huge[29:33], crc32.ChecksumIEEE(huge[12:29]))
	if _, err := decodePreview(huge); err != errHugePicture {
		t.Errorf("a 65535×65535 picture: %v, want errHugePicture", err)
	}
	if _, err := decodePreview([]byte("\x89PNG\r\n\x1a\nnot really")); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("a damaged picture: %v", err)
	}
}

// TestIntakeReviewAccept: opening a submission shows its answers by label
// and runs the conflict check on every name at once (its hits beside the
// answers); Accept is a dialog filled in from the answers where every
// field can be changed (a party removed, one added, the title changed);
// without a decision, or waived without a note, nothing is saved; Clear
// saves the client, the matter and its parties, and the list and the
// review show it accepted.
func TestIntakeReviewAccept(t *testing.T) {
	h := newHarness(t, true)
	ids := seedIntake(t, h, "Anna Keller", "Brightwater Holdings", nil,
		newSub(h.clock.Now(), "Jane Roe",
			form.Answer{Key: "other_names", Label: "Other or former names", Kind: form.Names, List: []string{"Jane Smith"}},
			form.Answer{Key: "email", Label: "E-mail address", Kind: form.Email, Text: "jane@example.com"},
			form.Answer{Key: "description", Label: "What would you like help with?", Kind: form.Long, Text: "My landlord [Brightwater]\nkeeps the deposit."},
			form.Answer{Key: "adverse_parties", Label: "Who is on the other side?", Kind: form.Names, List: []string{"Brightwater Holdings", "Mallory Vane"}},
			form.Answer{Key: "opposing_counsel", Label: "Their lawyer", Kind: form.Names, List: []string{"Olga Counsel"}}))
	h.unlocked()
	r := h.openSubmission(ids[0])
	cv := h.u.w.Canvas()
	if r.result == nil || len(r.hits.hits) == 0 || r.hits.hits[0].Name != "Brightwater Holdings" {
		t.Fatalf("the check did not run on opening, or missed the adverse party: %+v; %q", r.result, r.checkSum.Text)
	}
	for _, want := range []string{"Jane Roe", "What would you like help with?", "My landlord [Brightwater]\nkeeps the deposit.",
		"Jane Smith", "“Mallory Vane” (adverse party)", "“Jane Smith” (their other or former name)", "possible conflict",
		"Received ", "agreed to the privacy notice (version 1)", "No files were sent."} {
		if !contains(cv, want) {
			t.Errorf("review lacks %q; texts %q", want, texts(cv))
		}
	}
	if r.acceptB.Disabled() || !r.acceptB.Visible() {
		t.Fatal("Accept not offered once the check is in")
	}

	test.Tap(r.acceptB)
	h.u.wait()
	af := r.accept
	if af == nil {
		t.Fatalf("no Accept dialog; texts %q", texts(cv))
	}
	if af.fields["name"].Text != "Jane Roe" || af.fields["email"].Text != "jane@example.com" || !strings.Contains(af.fields["alias"].Text, "Jane Smith") {
		t.Errorf("client not filled in: name %q email %q aliases %q", af.fields["name"].Text, af.fields["email"].Text, af.fields["alias"].Text)
	}
	var names []string
	for _, p := range af.parties {
		names = append(names, p.name.Text+"="+p.role.Selected)
	}
	if got := strings.Join(names, ","); !strings.Contains(got, "Mallory Vane=Adverse party") || !strings.Contains(got, "Olga Counsel=Opposing counsel") {
		t.Errorf("parties not filled in: %s", got)
	}
	if af.decision.Selected != "" {
		t.Errorf("a check with hits comes with decision %q chosen", af.decision.Selected)
	}
	// Edit: the title, one party removed (Brightwater), one added.
	af.fields["title"].SetText("Deposit claim")
	for _, p := range append([]*partyRow(nil), af.parties...) {
		if p.name.Text == "Brightwater Holdings" {
			af.removeParty(p)
		}
	}
	test.Tap(button(t, cv, "Add party"))
	added := af.parties[len(af.parties)-1]
	test.Type(added.name, "Walter Witness")
	added.role.SetSelected(app.PartyRoleLabel(app.PartyRoles[len(app.PartyRoles)-1]))

	// No decision: refused beside the decision; waived without a note too.
	test.Tap(af.fd.saveB)
	h.u.wait()
	if !af.noteErr.Visible() || r.accept == nil {
		t.Fatalf("saved without a decision; texts %q", texts(cv))
	}
	af.decision.SetSelected("Waived")
	test.Tap(af.fd.saveB)
	h.u.wait()
	if af.noteErr.Text != WaiverNeedsNote || r.accept == nil {
		t.Fatalf("waived without a note: %q", af.noteErr.Text)
	}
	af.decision.SetSelected("Clear")
	test.Tap(af.fd.saveB)
	h.u.wait()
	if r.accept != nil {
		t.Fatalf("not accepted: %q %q", af.fd.formErr.Text, texts(cv))
	}
	d := r.d
	if d.Status != "accepted" || d.ClientID == 0 || d.MatterID == 0 {
		t.Fatalf("after accept: %+v", d.IntakeSummary)
	}
	m, err := h.u.sess.GetMatter(context.Background(), d.MatterID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range m.Parties {
		got = append(got, p.Name+"="+p.Role)
	}
	if m.Title != "Deposit claim" || strings.Join(got, ",") != "Mallory Vane=adverse,Olga Counsel=opposing_counsel,Walter Witness=witness" {
		t.Errorf("matter %q, parties %v", m.Title, got)
	}
	c, err := h.u.sess.GetClient(context.Background(), d.ClientID)
	if err != nil || c.Name != "Jane Roe" {
		t.Fatalf("client %+v %v", c, err)
	}
	if !contains(cv, "Accepted on") || r.acceptB.Visible() {
		t.Errorf("the review does not show it accepted; texts %q", texts(cv))
	}
	q := h.u.main.intake
	if q.total != 0 {
		t.Errorf("the New list still holds %d", q.total)
	}
	test.Tap(button(t, cv, "Open the matter"))
	h.u.wait()
	if h.u.main.matters == nil || h.u.main.matters.cur == nil || h.u.main.matters.cur.ID != d.MatterID {
		t.Error("Open the matter did not open it")
	}
}

// TestIntakeDecline: a reason is required (refused beside it, nothing
// changed); once declined, the person stays in later conflict checks as a
// declined prospective client: the hit says so and opens the submission.
func TestIntakeDecline(t *testing.T) {
	h := newHarness(t, true)
	ids := seedIntake(t, h, "", "", nil, newSub(h.clock.Now(), "Petra Prospect"))
	h.unlocked()
	r := h.openSubmission(ids[0])
	cv := h.u.w.Canvas()
	test.Tap(r.declineB)
	df := r.decline
	if df == nil {
		t.Fatal("no Decline dialog")
	}
	test.Type(df.reason, "   ")
	test.Tap(df.fd.saveB)
	h.u.wait()
	if !df.err.Visible() || r.d.Status != "new" {
		t.Fatalf("declined without a reason: %q", df.err.Text)
	}
	df.reason.SetText("Outside my practice areas")
	test.Tap(df.fd.saveB)
	h.u.wait()
	if r.decline != nil || r.d.Status != "declined" || !contains(cv, "Reason: Outside my practice areas") || r.declineB.Visible() {
		t.Fatalf("not declined: %+v; texts %q", r.d.IntakeSummary, texts(cv))
	}
	h.u.main.show(navConflicts)
	cs := h.u.main.conflicts
	test.Type(cs.names, "Petra Prospect")
	test.Tap(cs.checkB)
	h.u.wait()
	if len(cs.hits.hits) == 0 || cs.hits.hits[0].Role != "prospect" || cs.hits.hits[0].IntakeID != ids[0] {
		t.Fatalf("the declined prospect is not in the check: %+v", cs.hits.hits)
	}
	if !contains(cv, "Prospective client") || !contains(cv, "declined") {
		t.Errorf("the hit does not say a declined prospective client; texts %q", texts(cv))
	}
	// Clicking the hit opens the submission it came from.
	cs.hits.list.Select(0)
	h.u.wait()
	if q := h.u.main.intake; q == nil || q.review == nil || q.review.id != ids[0] || h.u.main.showing != navIntake {
		t.Fatalf("the hit did not open submission %d", ids[0])
	}
}

// TestIntakeSpam: Delete as spam asks first; Cancel keeps the submission;
// confirming removes it from the New list.
func TestIntakeSpam(t *testing.T) {
	h := newHarness(t, true)
	ids := seedIntake(t, h, "", "", nil, newSub(h.clock.Now(), "Buy Cheap Watches"))
	h.unlocked()
	r := h.openSubmission(ids[0])
	cv := h.u.w.Canvas()
	test.Tap(r.spamB)
	if !contains(cv, "deleted for good") {
		t.Fatal("no question before deleting as spam")
	}
	test.Tap(button(t, cv, "Cancel"))
	h.u.wait()
	if r.d.Status != "new" {
		t.Fatal("Cancel deleted it")
	}
	test.Tap(r.spamB)
	test.Tap(button(t, cv, "Delete as spam"))
	h.u.wait()
	q := h.u.main.intake
	if q.review != nil || q.total != 0 {
		t.Fatalf("after spam: review %v, %d new", q.review, q.total)
	}
	q.statusSel.SetSelected("Deleted as spam")
	h.u.wait()
	if q.total != 1 || q.items[0].Status != "spam" {
		t.Fatalf("spam list: %+v", q.items)
	}
}

// TestIntakeVerify: the identity verification is saved with the document,
// who checked it and the day; a date that is not one is refused beside it.
func TestIntakeVerify(t *testing.T) {
	h := newHarness(t, true)
	ids := seedIntake(t, h, "", "", nil, newSub(h.clock.Now(), "Vera Verified"))
	h.unlocked()
	r := h.openSubmission(ids[0])
	v := r.verify
	if v.by.Text == "" {
		t.Error("Checked by is not filled in with who is signed in")
	}
	test.Type(v.doc, "Passport")
	test.Type(v.on, "31/12/2026")
	test.Tap(v.saveB)
	h.u.wait()
	if !v.errs["verified-on"].Visible() || r.d.Verification.DocType != "" {
		t.Fatalf("a bad date was saved: %q", v.errs["verified-on"].Text)
	}
	v.on.SetText("2026-03-01")
	test.Tap(v.saveB)
	h.u.wait()
	if r.d.Verification.DocType != "Passport" || r.d.Verification.On != "2026-03-01" || !contains(h.u.w.Canvas(), "Recorded ") {
		t.Fatalf("verification %+v", r.d.Verification)
	}
	// The review laid out again keeps the check made on opening.
	if r.result == nil || r.acceptB.Disabled() || !strings.Contains(r.checkSum.Text, "No possible conflict") {
		t.Errorf("after the verification: result %v, Accept disabled %v, %q", r.result, r.acceptB.Disabled(), r.checkSum.Text)
	}
	// The check is in Conflict checks, and leads back to the submission.
	h.u.main.show(navHistory)
	h.u.wait()
	hs := h.u.main.history
	hs.list.Select(0)
	h.u.wait()
	test.Tap(button(t, h.u.w.Canvas(), "Open the intake submission"))
	h.u.wait()
	if q := h.u.main.intake; q.review == nil || q.review.id != ids[0] || h.u.main.showing != navIntake {
		t.Fatalf("Open the intake submission did not open %d", ids[0])
	}
}

// TestIntakeFilesAndPrint: a picture opens in the window (what it is from
// its bytes); a PDF opens in the browser from a private file named
// upload.pdf; something else says it cannot be shown; Print summary opens
// the summary's page.
func TestIntakeFilesAndPrint(t *testing.T) {
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	var opened []string
	h := newHarness(t, true, func(o *Options) {
		o.openBrowser = func(p string) error { opened = append(opened, p); return nil }
	})
	files := []form.File{
		{Meta: form.FileMeta{Question: "id_document", Name: "id.png", MediaType: "image/png"}, Data: tinyPNG(t, 8, 6)},
		{Meta: form.FileMeta{Question: "other_files", Name: "letter.pdf", MediaType: "application/pdf"}, Data: []byte("%PDF-1.4\n%%EOF\n")},
		{Meta: form.FileMeta{Question: "other_files", Name: "fake.png", MediaType: "image/png"}, Data: []byte("<html>not a picture</html>")},
	}
	ids := seedIntake(t, h, "", "", map[int][]form.File{0: files}, newSub(h.clock.Now(), "Fiona Files"))
	h.unlocked()
	r := h.openSubmission(ids[0])
	cv := h.u.w.Canvas()
	if len(r.d.FileList) != 3 || !contains(cv, "id.png · ") || !contains(cv, "identity document") {
		t.Fatalf("files: %+v; texts %q", r.d.FileList, texts(cv))
	}
	r.openFile(r.d.FileList[0])
	h.u.wait()
	if top := cv.Overlays().Top(); top == nil || !contains(cv, "id.png") || findImage(top) == nil {
		t.Fatalf("the picture is not shown; texts %q", texts(cv))
	}
	h.u.closeTopDialog()
	r.openFile(r.d.FileList[1])
	h.u.wait()
	if len(opened) != 1 || filepath.Base(opened[0]) != "upload.pdf" {
		t.Fatalf("the PDF opened as %v", opened)
	}
	r.openFile(r.d.FileList[2])
	h.u.wait()
	if !contains(cv, "not a picture or a PDF") {
		t.Errorf("a false picture; texts %q", texts(cv))
	}
	h.u.closeTopDialog()
	test.Tap(r.printB)
	h.u.wait()
	if len(opened) != 2 || !strings.HasSuffix(opened[1], ".html") {
		t.Fatalf("print opened %v", opened)
	}
	h.u.lockNow("")
	h.u.wait()
	for _, p := range opened {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s is still there after lock: %v", p, err)
		}
	}
}

// TestIntakeRoles: a paralegal (intake edit, conflict checks read) sees
// the check run and may decline or delete as spam, but not accept, and is
// told why; read-only sees the submission and changes nothing.
func TestIntakeRoles(t *testing.T) {
	for _, c := range []struct {
		role                  string
		accept, decline, edit bool
		why                   string
	}{
		{"Paralegal", false, true, true, "cannot accept intake submissions"},
		{"Read-only", false, false, false, "cannot handle intake submissions"},
	} {
		t.Run(c.role, func(t *testing.T) {
			h := newHarness(t, true)
			ids := seedIntake(t, h, "Anna Keller", "Brightwater Holdings", nil, newSub(h.clock.Now(), "Brightwater Holdings"))
			h.unlockRole("Pat Jones", c.role)
			r := h.openSubmission(ids[0])
			if r.result == nil || len(r.hits.hits) == 0 {
				t.Fatalf("no check for %s: %q", c.role, r.checkSum.Text)
			}
			if r.acceptB.Visible() != c.accept || r.declineB.Visible() != c.decline || r.spamB.Visible() != c.decline {
				t.Errorf("%s: accept %v decline %v spam %v", c.role, r.acceptB.Visible(), r.declineB.Visible(), r.spamB.Visible())
			}
			if !r.why.Visible() || !strings.Contains(r.why.Text, c.why) {
				t.Errorf("%s: why = %q", c.role, r.why.Text)
			}
			if (findButtonIn(r.verify.obj, "Save verification") != nil) != c.edit {
				t.Errorf("%s: Save verification offered = %v", c.role, !c.edit)
			}
		})
	}
}

// findButtonIn is the visible button labelled text under o, or nil.
func findButtonIn(o fyne.CanvasObject, text string) *widget.Button {
	return findButton(o, func(b *widget.Button) bool { return b.Text == text })
}

// findImage is the first picture under o, or nil.
func findImage(o fyne.CanvasObject) *canvas.Image {
	switch v := o.(type) {
	case *canvas.Image:
		return v
	case *fyne.Container:
		for _, c := range v.Objects {
			if i := findImage(c); i != nil {
				return i
			}
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(v).Objects() {
			if i := findImage(c); i != nil {
				return i
			}
		}
	}
	return nil
}

// TestProspectWhere: a hit on someone who sent the intake form, or on a
// name they gave, says so and names the submission and its status.
func TestProspectWhere(t *testing.T) {
	for _, c := range []struct {
		h    app.ConflictHit
		want string
	}{
		{app.ConflictHit{Role: "prospect", Name: "Jane Roe", ClientName: "Jane Roe", IntakeID: 12, IntakeStatus: "declined"},
			"Prospective client (intake submission 12, declined)"},
		{app.ConflictHit{Role: "prospect_adverse", Name: "Acme", ClientName: "Jane Roe", IntakeID: 3, IntakeStatus: "new"},
			"Adverse party named by a prospective client, Jane Roe (intake submission 3, waiting for review)"},
		{app.ConflictHit{Role: "prospect_alias", Name: "J. R."}, "Other name of a prospective client"},
	} {
		if got := hitWhere(c.h); got != c.want {
			t.Errorf("hitWhere(%+v) = %q, want %q", c.h, got, c.want)
		}
	}
}
