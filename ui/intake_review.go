package ui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // the pictures a person may upload
	_ "image/jpeg"
	_ "image/png"
	"io"
	"net/http"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"casevault/app"
	"casevault/app/access"
	"casevault/app/human"
	"casevault/app/intake/form"
)

// This file: one intake submission under review, in the place of the
// Submissions list: the answers (by their labels, as the person saw them)
// and the files on the left; the conflict check, run on opening on every
// name in it, with its hits on the right. Under the answers the identity
// verification (document, checked by, date). The actions: Accept (a
// dialog pre-filled from the answers, every field editable, and the
// conflict decision), Decline (a reason), Delete as spam (asked first),
// Print summary. Everything in a submission was typed by a stranger: it is
// shown literally (control characters as visible escapes), cut when very
// long, never obeyed.

// maxAnswerShown is how much of one answer the review shows (characters);
// the printable summary has all of it. A label of a megabyte would make
// the window crawl.
const maxAnswerShown = 5000

// maxPreviewPixels bounds a picture shown in the window (a small file can
// claim a huge picture).
const maxPreviewPixels = 40_000_000

// intakeReview is one submission open.
type intakeReview struct {
	q     *intakeQueue
	u     *UI
	id    int64
	d     *app.IntakeDetail
	obj   fyne.CanvasObject
	body  *fyne.Container // the review, once read
	title *widget.Label   // the person's name, beside the way back
	msg   *widget.Label   // what went wrong, at the top

	// The conflict check, run on opening.
	checkSum *widget.Label
	checked  *widget.Label   // the names checked, each with its part
	right    *fyne.Container // the check's side: laid out again as its words change
	spinner  *widget.Activity
	hits     *hitList
	result   *app.ConflictResult

	acceptB, declineB, spamB, printB *widget.Button
	why                              *widget.Label // what the role may not do here
	verify                           *verifyForm
	accept                           *acceptForm  // the Accept dialog open (tests)
	decline                          *declineForm // the Decline dialog open (tests)
}

func newIntakeReview(q *intakeQueue, id int64) *intakeReview {
	u := q.u
	r := &intakeReview{q: q, u: u, id: id, msg: errLabel(), body: container.NewStack(container.NewCenter(quiet("Opening the submission…")))}
	backB := u.button("All submissions", theme.NavigateBackIcon(), q.back)
	r.title = heading("")
	r.title.Truncation = fyne.TextTruncateEllipsis
	// The way back and the name on one row: the answers and the hits get
	// the height.
	r.obj = container.NewBorder(container.NewVBox(container.NewBorder(nil, nil, backB, nil, r.title), r.msg), nil, nil, nil, r.body)
	r.load(true)
	return r
}

// load reads the submission and shows it; check runs its conflict check
// (a new submission only: a decided one was checked when it was decided).
func (r *intakeReview) load(check bool) {
	u, s, id := r.u, r.u.sess, r.id
	run(u, func(ctx context.Context) (*app.IntakeDetail, error) {
		return s.GetIntake(ctx, id)
	}, func(d *app.IntakeDetail, err error) {
		if r.q.review != r {
			return // left meanwhile
		}
		if err != nil {
			setMsg(r.msg, "The submission could not be opened: "+app.Message(err)+" Go back to the list and try again.")
			r.setBody(container.NewCenter(quiet("Nothing to show.")))
			return
		}
		setMsg(r.msg, "")
		r.show(d)
		if check && d.Status == "new" {
			r.check()
		}
	})
}

func (r *intakeReview) setBody(o fyne.CanvasObject) {
	r.body.Objects = []fyne.CanvasObject{o}
	r.body.Refresh()
}

// show lays the submission out.
func (r *intakeReview) show(d *app.IntakeDetail) {
	u := r.u
	r.d = d
	name := d.FullName
	if d.Submission != nil && strings.TrimSpace(d.Submission.FullName()) != "" {
		name = d.Submission.FullName()
	}
	if strings.TrimSpace(name) == "" {
		name = "(no name given)"
	}
	r.title.SetText(oneLine(human.Truncate(name, 200)))

	r.acceptB = u.button("Accept…", theme.ConfirmIcon(), r.startAccept)
	r.acceptB.Importance = widget.HighImportance
	r.declineB = u.button("Decline…", theme.CancelIcon(), r.startDecline)
	r.spamB = u.button("Delete as spam…", theme.DeleteIcon(), r.confirmSpam)
	r.spamB.Importance = widget.DangerImportance
	r.printB = u.button("Print summary", theme.DocumentPrintIcon(), r.print)
	r.why = hint("")
	r.why.Hide()
	buttons := container.NewHBox(r.acceptB, r.declineB, r.spamB, layout.NewSpacer(), r.printB)
	switch {
	case d.Status != "new":
		r.acceptB.Hide()
		r.declineB.Hide()
		r.spamB.Hide()
		if d.Status == "spam" {
			r.printB.Hide()
		}
	case !u.sess.CanDo(access.EditIntake):
		r.acceptB.Hide()
		r.declineB.Hide()
		r.spamB.Hide()
		r.why.SetText(u.deniedHint(access.EditIntake.Words))
		r.why.Show()
	case !u.sess.CanDo(access.AcceptIntake):
		r.acceptB.Hide()
		r.why.SetText(u.deniedHint(access.AcceptIntake.Words) + " You can still decline it or delete it as spam.")
		r.why.Show()
	default:
		r.acceptB.Disable() // until the conflict check is in
	}
	top := container.NewVBox()
	for _, l := range intakeMeta(d, r.q.areaLabel(d.PracticeArea)) {
		top.Add(wrapped(l))
	}
	if d.ClientID != 0 || d.MatterID != 0 {
		links := container.NewHBox()
		if d.ClientID != 0 {
			cid := d.ClientID
			links.Add(u.button("Open the client", theme.AccountIcon(), func() { u.main.showClient(cid) }))
		}
		if d.MatterID != 0 {
			mid := d.MatterID
			links.Add(u.button("Open the matter", theme.FolderOpenIcon(), func() { u.main.showMatter(mid) }))
		}
		top.Add(links)
	}
	top.Add(buttons)
	top.Add(r.why)

	if d.Status == "spam" || d.Submission == nil {
		r.setBody(container.NewBorder(container.NewPadded(top), nil, nil, nil,
			container.NewCenter(quiet("Its answers and files were deleted: only that it came and was deleted as spam is kept."))))
		return
	}

	left := container.NewVBox(bold("Answers"))
	for _, a := range d.Submission.Answers {
		left.Add(answerView(a))
	}
	if len(d.Submission.Answers) == 0 {
		left.Add(quiet("No answers."))
	}
	left.Add(widget.NewSeparator())
	left.Add(r.filesPart(d))
	left.Add(widget.NewSeparator())
	r.verify = r.newVerifyForm(d)
	left.Add(r.verify.obj)

	r.checkSum = wrapped("")
	r.spinner = widget.NewActivity()
	r.spinner.Hide()
	r.hits = u.newHitList(nil)
	r.hits.empty.SetText("")
	switch {
	case d.Status != "new":
		r.checkSum.SetText(decidedCheckWords(d))
	case !u.sess.CanDo(access.CheckConflict):
		r.checkSum.SetText(u.deniedHint(access.CheckConflict.Words) + " Ask someone who can to review this submission.")
	default:
		r.checkSum.SetText("The conflict check runs on every name in the submission…")
	}
	if d.Status == "new" && r.result != nil {
		r.showResult() // laid out again (a verification saved): the check made on opening stands
	}
	r.checked = wrapped(r.namesChecked())
	r.checked.Importance = widget.LowImportance
	if d.Status != "new" {
		r.checked.Hide()
	}
	// The names checked under the hits: the hits come first.
	r.right = container.NewBorder(container.NewVBox(bold("Conflict check"), container.NewHBox(r.spinner), r.checkSum), r.checked, nil, nil, r.hits.obj)
	right := r.right
	split := container.NewHSplit(container.NewVScroll(container.NewPadded(left)), container.NewPadded(right))
	split.Offset = 0.5
	r.setBody(container.NewBorder(container.NewPadded(top), nil, nil, nil, split))
}

// decidedCheckWords is what the conflict side says of a decided submission.
func decidedCheckWords(d *app.IntakeDetail) string {
	s := "This submission was decided, so its names are not checked again here."
	if d.CheckID != 0 {
		s += fmt.Sprintf(" The check made on review is number %d, in Conflict checks.", d.CheckID)
	}
	return s
}

// intakeMeta is what a submission is: when it came, the area, the form
// and notice it was sent with; its decision when decided.
func intakeMeta(d *app.IntakeDetail, area string) []string {
	first := "Received " + human.Time(d.ReceivedAt)
	if area != "" {
		first += " · " + area
	}
	if d.Submission != nil {
		if d.Submission.FormVersion > 0 {
			first += fmt.Sprintf(" · form version %d", d.Submission.FormVersion)
		}
		if d.Submission.Consent {
			first += fmt.Sprintf(" · agreed to the privacy notice (version %d)", d.Submission.Notice.Version)
		} else {
			first += " · did not agree to the privacy notice"
		}
	}
	out := []string{first}
	by := oneLine(actorName(d.DecidedBy))
	switch d.Status {
	case "accepted":
		out = append(out, fmt.Sprintf("Accepted on %s by %s: the client and the matter were made from it.", human.Time(d.DecidedAt), by))
	case "declined":
		out = append(out, fmt.Sprintf("Declined on %s by %s. Reason: %s", human.Time(d.DecidedAt), by, oneLine(human.Truncate(d.Reason, maxAnswerShown))),
			"The person stays in every later conflict check as a declined prospective client: the professional rules "+
				"(ABA Model Rule 1.18) protect what a prospective client told you, even when you did not take the case.")
	case "spam":
		out = append(out, fmt.Sprintf("Deleted as spam on %s by %s.", human.Time(d.DecidedAt), by))
	}
	return out
}

// answerView is one answer: the question as the person saw it (bold),
// then the answer, shown literally and wrapped; "Not answered" when empty.
func answerView(a form.Answer) *widget.RichText {
	label := oneLine(human.Truncate(a.Label, 300))
	if strings.TrimSpace(a.Label) == "" {
		label = oneLine(human.Truncate(a.Key, 100))
	}
	value := widget.RichTextStyle{ColorName: importanceColor(widget.MediumImportance), SizeName: theme.SizeNameText}
	text := answerText(a)
	if strings.TrimSpace(text) == "" {
		text = "Not answered"
		value.ColorName = importanceColor(widget.LowImportance)
	}
	rt := widget.NewRichText(
		&widget.TextSegment{Text: label, Style: widget.RichTextStyle{ColorName: importanceColor(widget.MediumImportance),
			SizeName: theme.SizeNameText, TextStyle: fyne.TextStyle{Bold: true}}},
		&widget.TextSegment{Text: text, Style: value})
	rt.Wrapping = fyne.TextWrapWord
	return rt
}

// answerText is an answer in words: a list one item a line, yes or no,
// key dates as "What: date". Control characters become visible escapes;
// only a long answer keeps its line breaks.
func answerText(a form.Answer) string {
	var lines []string
	switch a.Kind {
	case form.Long:
		return cutText(human.EscapeText(human.NormalizeLines(a.Text)))
	case form.YesNo:
		switch a.Text {
		case "yes":
			return "Yes"
		case "no":
			return "No"
		}
		lines = append(lines, a.Text)
	case form.Names:
		lines = append(lines, a.List...)
	case form.Dates:
		for _, d := range a.Dates {
			switch {
			case strings.TrimSpace(d.What) == "":
				lines = append(lines, d.Date)
			default:
				lines = append(lines, d.What+": "+d.Date)
			}
		}
	default:
		// short, date, choice, e-mail, phone; and a kind of a later
		// version of the form: whatever it holds.
		if a.Text != "" {
			lines = append(lines, a.Text)
		}
		lines = append(lines, a.List...)
		for _, d := range a.Dates {
			lines = append(lines, d.What+": "+d.Date)
		}
	}
	for i, l := range lines {
		lines[i] = oneLine(l)
	}
	return cutText(strings.Join(lines, "\n"))
}

// cutText cuts text past maxAnswerShown characters, and says so.
func cutText(s string) string {
	if cut := human.Truncate(s, maxAnswerShown); cut != s {
		return cut + "\n(Cut here: the printable summary has the whole answer.)"
	}
	return s
}

// nameRoleWords says what a name checked is in the submission.
func nameRoleWords(role string) string {
	switch role {
	case "client":
		return "the person"
	case "alias":
		return "their other or former name"
	case "adverse":
		return "adverse party"
	case "related":
		return "other person involved"
	case "opposing_counsel":
		return "opposing counsel"
	}
	return oneLine(role)
}

// check runs the conflict check on every name of the submission (recorded
// in Conflict checks) and shows its hits; Accept waits for it.
func (r *intakeReview) check() {
	u, s, id := r.u, r.u.sess, r.id
	if !s.CanDo(access.CheckConflict) {
		return
	}
	r.spinner.Show()
	r.spinner.Start()
	run(u, func(ctx context.Context) (*app.ConflictResult, error) {
		return s.CheckIntakeConflicts(ctx, id)
	}, func(res *app.ConflictResult, err error) {
		if r.q.review != r {
			return
		}
		r.spinner.Stop()
		r.spinner.Hide()
		if err != nil {
			r.checkSum.Importance = widget.DangerImportance
			r.checkSum.SetText("The conflict check could not be run: " + app.Message(err) +
				" Accepting needs it: go back to the list and open the submission again.")
			r.right.Refresh()
			return
		}
		r.result = res
		r.showResult()
	})
}

// showResult shows the check's hits and lets Accept go ahead (after the
// check, and when the review is laid out again after a verification).
func (r *intakeReview) showResult() {
	res := r.result
	r.hits.set(res.Hits)
	r.checkSum.SetText(r.checkWords(res))
	if len(res.Hits) > 0 {
		r.checkSum.Importance = widget.DangerImportance
	}
	r.checkSum.Refresh()
	r.right.Refresh() // the words' height changed: the hits move down
	r.acceptB.Enable()
}

// checkWords says what the check found and what to do with it.
func (r *intakeReview) checkWords(res *app.ConflictResult) string {
	if len(res.Hits) == 0 {
		return fmt.Sprintf("No possible conflict (check %d). Record the decision when you accept.", res.CheckID)
	}
	return fmt.Sprintf("%s (check %d), best match first: click one to open it. Decide when you accept (clear, or waived with a note); "+
		"if it is a conflict, decline the submission.",
		human.Count(len(res.Hits), "possible conflict", "possible conflicts"), res.CheckID)
}

// namesChecked lists the names the check compares, each with its part in
// the submission.
func (r *intakeReview) namesChecked() string {
	if r.d == nil || r.d.Submission == nil {
		return ""
	}
	var names []string
	all := r.d.Submission.ConflictNames()
	for i, n := range all {
		if i == 10 {
			names = append(names, "and "+human.Count(len(all)-10, "more", "more"))
			break
		}
		names = append(names, "“"+oneLine(human.Truncate(n.Name, 120))+"” ("+nameRoleWords(n.Role)+")")
	}
	return "Names checked: " + strings.Join(names, ", ") + "."
}

// filesPart lists the files sent, with their size; a picture or a PDF
// opens.
func (r *intakeReview) filesPart(d *app.IntakeDetail) fyne.CanvasObject {
	u := r.u
	box := container.NewVBox(bold("Files"))
	if len(d.FileList) == 0 {
		box.Add(quiet("No files were sent."))
		return box
	}
	for _, f := range d.FileList {
		f := f
		what := fileQuestionWords(f.Question)
		text := fmt.Sprintf("%s · %s", oneLine(human.Truncate(f.Name, 120)), human.Size(f.Size))
		if what != "" {
			text += " · " + what
		}
		openB := u.button("Open", theme.VisibilityIcon(), func() { r.openFile(f) })
		box.Add(container.NewBorder(nil, nil, nil, openB, line(text, false)))
	}
	return box
}

// fileQuestionWords is which question a file answered.
func fileQuestionWords(q string) string {
	switch q {
	case "id_document":
		return "identity document"
	case "other_files":
		return "other document"
	}
	return ""
}

// openFile shows a picture in the window, or a PDF in the browser (a
// private temporary file, removed when the vault locks). What the file is
// comes from its bytes, never from the name or type the sender gave.
func (r *intakeReview) openFile(f app.IntakeFileInfo) {
	u, s, id := r.u, r.u.sess, r.id
	type opened struct {
		data []byte
		kind string      // from the bytes
		img  image.Image // a picture, decoded here: never on the window's goroutine
		bad  error       // why the picture cannot be shown
	}
	run(u, func(ctx context.Context) (opened, error) {
		_, data, err := s.IntakeFileData(ctx, id, f.ID)
		if err != nil {
			return opened{}, err
		}
		o := opened{data: data, kind: http.DetectContentType(data)}
		if o.kind == "image/png" || o.kind == "image/jpeg" || o.kind == "image/gif" {
			o.img, o.bad = decodePreview(data)
		}
		return o, nil
	}, func(o opened, err error) {
		if err != nil {
			dialog.ShowError(fmt.Errorf("the file could not be opened: %s", app.Message(err)), u.w)
			return
		}
		name := oneLine(human.Truncate(f.Name, 80))
		switch {
		case o.bad != nil:
			dialog.ShowError(fmt.Errorf("the picture %s cannot be shown: %w", name, o.bad), u.w)
		case o.img != nil:
			pic := canvas.NewImageFromImage(o.img)
			pic.FillMode = canvas.ImageFillContain
			pic.SetMinSize(fyne.NewSize(720, 480))
			dialog.ShowCustom(name, "Close", pic, u.w)
		case o.kind == "application/pdf":
			u.openPrivateFile("upload.pdf", o.data)
		default:
			dialog.ShowInformation("This file cannot be shown here",
				fmt.Sprintf("%s is not a picture or a PDF, so the window does not open it. It stays in the vault with the submission.", name), u.w)
		}
	})
}

// errHugePicture: a picture too large to show.
var errHugePicture = errors.New("it is too large to show")

// decodePreview decodes a picture, refusing one whose size would exhaust
// the memory (its header is read first).
func decodePreview(data []byte) (image.Image, error) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("it is damaged or not a picture (%v)", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > maxPreviewPixels {
		return nil, errHugePicture
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("it is damaged (%v)", err)
	}
	return img, nil
}

// openPrivateFile opens data in the browser from a private temporary
// folder (app.PrivateTempFile), removed when the vault locks.
func (u *UI) openPrivateFile(name string, data []byte) {
	run(u, func(ctx context.Context) (string, error) {
		path, remove, _, err := app.PrivateTempFile(name, func(w io.Writer) error {
			_, err := w.Write(data)
			return err
		})
		if err != nil {
			return "", err
		}
		u.post(func() { u.reportFiles = append(u.reportFiles, remove) })
		return path, u.openBrowser(path)
	}, func(path string, err error) {
		u.lastReport = path
		switch {
		case path == "":
			dialog.ShowError(fmt.Errorf("the file could not be opened: %s", app.Message(err)), u.w)
		case err != nil:
			dialog.ShowInformation("File ready", "No browser could be opened ("+app.Message(err)+"). "+
				"Open this file in your browser yourself: "+path+"\n\nIt is removed when you lock the vault.", u.w)
		}
	})
}

// print opens the submission's printable summary in the browser.
func (r *intakeReview) print() {
	s, id := r.u.sess, r.id
	r.u.printPage(func(ctx context.Context) (func(io.Writer) error, error) {
		rep, err := s.IntakeSummaryReport(ctx, id)
		if err != nil {
			return nil, err
		}
		return rep.WriteHTML, nil
	})
}

// decided: an action changed the submission: the review read again, the
// list and the badge.
func (r *intakeReview) decided() {
	r.q.changed()
	r.load(false)
}

// ----- Verification -----

// verifyForm records how the person's identity was checked (optional):
// the document, who checked it, on which day, a note.
type verifyForm struct {
	doc, by, on, note *entry
	saveB             *widget.Button
	errs              map[string]*widget.Label
	result            *widget.Label
	obj               fyne.CanvasObject
}

// verifyFields are the verification's fields and the app's names for them
// (app.FieldError.Field).
var verifyFields = []string{"document", "checked-by", "verified-on", "note"}

func (r *intakeReview) newVerifyForm(d *app.IntakeDetail) *verifyForm {
	u := r.u
	v := &verifyForm{errs: map[string]*widget.Label{}, result: wrapped("")}
	v.doc = u.newEntry("e.g. Passport, driving licence, national ID card")
	v.by = u.newEntry("Who looked at the document (you when left empty)")
	v.on = u.newEntry("YYYY-MM-DD (today when left empty)")
	v.note = u.newEntry("e.g. the document's number, anything unusual (optional)")
	for _, k := range verifyFields {
		v.errs[k] = errLabel()
	}
	cur := d.Verification
	v.doc.SetText(cur.DocType)
	v.by.SetText(cur.CheckedBy)
	v.on.SetText(cur.On)
	v.note.SetText(cur.Note)
	if cur.CheckedBy == "" && cur.DocType == "" {
		v.by.SetText(u.sess.DisplayName())
	}
	state := "Not recorded yet. Optional: record it once you have seen an identity document."
	if cur.Recorded() {
		state = fmt.Sprintf("Recorded %s: %s, checked by %s", human.Time(cur.At), oneLine(cur.DocType), oneLine(cur.CheckedBy))
		if cur.On != "" {
			state += " on " + oneLine(cur.On)
		}
		state += "."
	}
	v.saveB = u.button("Save verification", theme.DocumentSaveIcon(), func() { r.saveVerification(v) })
	submitOn(v.saveB, v.doc, v.by, v.on, v.note)
	grid := container.New(layout.NewFormLayout(),
		bold("Document"), container.NewVBox(v.doc, v.errs["document"]),
		bold("Checked by"), container.NewVBox(v.by, v.errs["checked-by"]),
		bold("Date"), container.NewVBox(v.on, v.errs["verified-on"]),
		bold("Note"), container.NewVBox(v.note, v.errs["note"]),
	)
	box := container.NewVBox(bold("Identity verification"), wrapped(state))
	if d.Status == "spam" || !u.sess.CanDo(access.EditIntake) {
		v.obj = box
		return v
	}
	box.Add(grid)
	box.Add(container.NewHBox(v.saveB))
	box.Add(v.result)
	v.obj = box
	return v
}

func (r *intakeReview) saveVerification(v *verifyForm) {
	u, s, id := r.u, r.u.sess, r.id
	for _, l := range v.errs {
		setMsg(l, "")
	}
	in := app.IntakeVerification{DocType: strings.TrimSpace(v.doc.Text), CheckedBy: strings.TrimSpace(v.by.Text),
		On: strings.TrimSpace(v.on.Text), Note: strings.TrimSpace(v.note.Text)}
	v.saveB.Disable()
	run(u, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, s.VerifyIntake(ctx, id, in)
	}, func(_ struct{}, err error) {
		v.saveB.Enable()
		var fe *app.FieldError
		switch {
		case errors.As(err, &fe) && v.errs[fe.Field] != nil:
			setMsg(v.errs[fe.Field], fe.Message)
		case err != nil:
			v.result.Importance = widget.DangerImportance
			v.result.SetText("The verification was not saved: " + app.Message(err))
		default:
			if r.q.review == r {
				r.load(false)
			}
		}
	})
}

// ----- Decline -----

// declineForm is the Decline dialog: a reason is required.
type declineForm struct {
	fd     *formDialog
	reason *entry
	err    *widget.Label
}

func (r *intakeReview) startDecline() {
	u := r.u
	df := &declineForm{reason: u.newMultiLine("e.g. Outside my practice areas; referred to another lawyer"), err: errLabel()}
	df.reason.SetMinRowsVisible(3)
	df.reason.OnChanged = func(t string) {
		if strings.TrimSpace(t) != "" {
			setMsg(df.err, "")
		}
	}
	df.fd = u.newFormDialog("Decline this submission", "Decline", fyne.NewSize(600, 420), func() { r.saveDecline(df) })
	df.fd.saveB.SetIcon(theme.CancelIcon())
	df.fd.body.Add(wrapped("Say why you are not taking this on. The reason is kept with the submission and in the audit trail."))
	df.fd.body.Add(hint("The person stays in every later conflict check as a declined prospective client: the professional rules " +
		"(ABA Model Rule 1.18) protect what a prospective client told you, even when you did not take the case."))
	df.fd.body.Add(bold("Reason *"))
	df.fd.body.Add(df.reason)
	df.fd.body.Add(df.err)
	r.decline = df
	df.fd.d.Show()
	u.w.Canvas().Focus(df.reason)
}

func (r *intakeReview) saveDecline(df *declineForm) {
	u, s, id := r.u, r.u.sess, r.id
	reason := df.reason.Text
	df.fd.saveB.Disable()
	run(u, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, s.DeclineIntake(ctx, id, reason)
	}, func(_ struct{}, err error) {
		df.fd.saveB.Enable()
		if err != nil {
			df.fd.fieldErrors(map[string]*widget.Label{"reason": df.err}, err, "Not declined: ")
			u.w.Canvas().Focus(df.reason)
			return
		}
		df.fd.d.Hide()
		r.decline = nil
		r.decided()
	})
}

// ----- Spam -----

// confirmSpam asks, then deletes the submission as spam.
func (r *intakeReview) confirmSpam() {
	u, id := r.u, r.id
	cd := dialog.NewConfirm("Delete as spam",
		"Delete this submission as spam? Its answers and files are deleted for good and its names leave the conflict checks; "+
			"only that a submission came and was deleted as spam, when and by whom, is kept. "+
			"Decline it instead if a real person asked for help.",
		func(ok bool) {
			u.touch()
			if !ok {
				return
			}
			s := u.sess
			run(u, func(ctx context.Context) (struct{}, error) {
				return struct{}{}, s.DeleteIntakeAsSpam(ctx, id)
			}, func(_ struct{}, err error) {
				if err != nil {
					setMsg(r.msg, "The submission was not deleted: "+app.Message(err))
					return
				}
				r.q.u.refreshIntakeBadge()
				r.q.back()
			})
		}, u.w)
	cd.SetConfirmText("Delete as spam")
	cd.SetDismissText("Cancel")
	cd.SetConfirmImportance(widget.DangerImportance)
	cd.Show()
}
