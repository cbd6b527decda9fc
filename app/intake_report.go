package app

import (
	"context"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"casevault/app/access"
	"casevault/app/human"
	"casevault/app/intake/form"
	"casevault/store"
)

// IntakeReport is the printable summary of one intake submission, for the
// paper file: the answers, the files sent, how the identity was checked,
// the conflict check run on reviewing it with its hits and decision, and
// what was decided, with the dates.
type IntakeReport struct {
	IntakeDetail
	AreaLabel string // the practice area in words
	// Check is the conflict check run on reviewing it (nil: none was run,
	// or CheckNote says why it is not shown).
	Check     *ConflictCheckDetail
	CheckNote string
	Made      time.Time // when the summary was made
	MadeBy    string    // who made it (their display name)
	Owner     string    // the vault owner's display name
	Vault     string    // the vault's folder
}

// IntakeSummaryReport returns the printable summary of a submission.
// Recorded as a read (intake.summary) naming the submission, its client
// and matter once accepted, its conflict check and the records its hits
// showed. Write it with WriteHTML (a page to print, opened with
// ReportTempFile and OpenInBrowser) or WriteText; SaveIntakeSummary keeps
// it in a file.
func (s *Session) IntakeSummaryReport(ctx context.Context, id int64) (*IntakeReport, error) {
	if err := s.allow(ctx, access.ViewIntake, intakeRef(id)); err != nil {
		return nil, err
	}
	var out *IntakeReport
	err := s.view(ctx, "intake.summary", func(tx *store.Tx) (string, string, error) {
		d, err := readIntake(tx, id)
		if err != nil {
			return "", "", err
		}
		r := &IntakeReport{IntakeDetail: *d, AreaLabel: areaLabel(tx, d.PracticeArea), Made: s.now(), MadeBy: s.DisplayName(), Vault: s.Dir()}
		recs := []string{intakeRecords(id, d.ClientID, d.MatterID)}
		if d.CheckID != 0 && s.Can(access.Conflicts, access.Read) {
			c, crecs, err := checkDetail(tx, d.CheckID, true)
			switch {
			case errors.Is(err, store.ErrNotFound):
				r.CheckNote = "The conflict check run on it names a client or matter you may not see: ask the owner for it."
			case errors.Is(err, ErrUnreadableCheck):
				r.CheckNote = fmt.Sprintf("The record of conflict check %d cannot be read.", d.CheckID)
			case err != nil:
				return "", "", err
			default:
				r.Check = c
				recs = append(recs, crecs...)
			}
		} else if d.CheckID != 0 {
			r.CheckNote = fmt.Sprintf("Conflict check %d was run on it; your role cannot see conflict checks.", d.CheckID)
		}
		owner, err := tx.OwnerUser()
		if err != nil {
			return "", "", fmt.Errorf("reading the vault's owner: %w", err)
		}
		r.Owner = owner.DisplayName
		if r.Owner == "" {
			r.Owner = owner.Name
		}
		out = r
		return strings.Join(recs, " "), d.Status, nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// SaveIntakeSummary writes the summary's printable page to w, to be kept
// in a file: it takes client data out of the vault, so it needs the right
// to export client data, and it is recorded (report.export) before
// anything is written, as SaveConflictReport is.
func (s *Session) SaveIntakeSummary(ctx context.Context, r *IntakeReport, w io.Writer) error {
	rec := intakeRef(r.ID)
	if err := s.allow(ctx, access.ExportRecords, rec); err != nil {
		return err
	}
	if err := s.audit(ctx, "report.export", rec, fmt.Sprintf("intake summary %d as HTML", r.ID)); err != nil {
		return err
	}
	return r.WriteHTML(w)
}

// Title is the summary's title: "Intake summary: Jane Roe" (the number
// once the name is deleted as spam).
func (r *IntakeReport) Title() string {
	if r.FullName == "" {
		return fmt.Sprintf("Intake summary: submission %d", r.ID)
	}
	return "Intake summary: " + r.FullName
}

// Answers are the submission's answers as label and words (none once
// deleted as spam).
func (r *IntakeReport) Answers() []IntakeAnswerText {
	if r.Submission == nil {
		return nil
	}
	out := make([]IntakeAnswerText, 0, len(r.Submission.Answers))
	for i := range r.Submission.Answers {
		a := &r.Submission.Answers[i]
		if a.Kind == form.Upload {
			continue // the files are listed on their own
		}
		t := answerText(a)
		if a.Empty() {
			t = "(no answer)"
		}
		out = append(out, IntakeAnswerText{Label: a.Label, Text: t})
	}
	return out
}

// IntakeAnswerText is one answer as a summary shows it.
type IntakeAnswerText struct{ Label, Text string }

// decisionWords is what was decided, in words.
func (r *IntakeReport) decisionWords() string {
	switch r.Status {
	case IntakeNew:
		return "Not decided yet."
	case IntakeAccepted:
		return fmt.Sprintf("Accepted %s by %s: client %d, matter %d.", human.Stamp(r.DecidedAt), r.DecidedBy, r.ClientID, r.MatterID)
	case IntakeDeclined:
		return fmt.Sprintf("Declined %s by %s. The prospective client stays in the conflict checks.", human.Stamp(r.DecidedAt), r.DecidedBy)
	case IntakeSpam:
		return fmt.Sprintf("Deleted as spam %s by %s: its answers and files are not kept.", human.Stamp(r.DecidedAt), r.DecidedBy)
	}
	return IntakeStatusWords(r.Status)
}

// verificationWords is how the identity was checked, in words.
func (r *IntakeReport) verificationWords() string {
	v := r.Verification
	if !v.Recorded() {
		return "Not recorded."
	}
	return fmt.Sprintf("%s, checked by %s on %s (recorded %s).", v.DocType, v.CheckedBy, v.On, human.Stamp(v.At))
}

// consentWords is the consent to the privacy notice, in words.
func (r *IntakeReport) consentWords() string {
	if r.Submission == nil {
		return ""
	}
	if r.Submission.Consent {
		return fmt.Sprintf("Agreed to the privacy notice (version %d).", r.Submission.Notice.Version)
	}
	return fmt.Sprintf("Did not agree to the privacy notice (version %d).", r.Submission.Notice.Version)
}

var intakePage = htmltemplate.Must(htmltemplate.New("intake").Funcs(htmltemplate.FuncMap{
	"esc":          human.Escape,
	"text":         human.EscapeText,
	"stamp":        func(t time.Time) string { return human.Stamp(t) },
	"size":         human.Size,
	"count":        human.Count,
	"decision":     DecisionLabel,
	"actor":        DecisionActor,
	"as":           hitAs,
	"where":        hitWhere,
	"status":       IntakeStatusWords,
	"decided":      (*IntakeReport).decisionWords,
	"verification": (*IntakeReport).verificationWords,
	"consent":      (*IntakeReport).consentWords,
	"pct":          func(f float64) string { return fmt.Sprintf("%.0f %%", f*100) },
}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="referrer" content="no-referrer">
<title>{{esc .Title}}</title>
<style>
body { font-family: Georgia, "Times New Roman", serif; margin: 2em; color: #000; background: #fff; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; }
h2 { font-size: 1.15em; margin-top: 1.4em; }
p.meta { color: #333; margin-top: 0; }
dl { display: grid; grid-template-columns: max-content auto; gap: 0.2em 1em; }
dt { font-weight: bold; }
dd { margin: 0; white-space: pre-wrap; }
table { border-collapse: collapse; width: 100%; font-size: 0.9em; }
th, td { border: 1px solid #999; padding: 0.25em 0.4em; text-align: left; vertical-align: top; }
th { background: #eee; }
td.num { text-align: right; }
.pre { white-space: pre-wrap; }
.restricted { font-style: italic; }
.tech { font-size: 0.8em; color: #333; }
.sign { margin-top: 3em; }
.sign span { display: inline-block; border-top: 1px solid #000; min-width: 18em; padding-top: 0.2em; margin-right: 3em; }
@media print {
  body { margin: 0; }
  th { background: #ddd !important; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  tr { page-break-inside: avoid; }
  thead { display: table-header-group; }
}
</style>
</head>
<body>
<h1>{{esc .Title}}</h1>
<p class="meta">{{esc .Owner}}'s intake record, submission {{.ID}}. Made {{stamp .Made}} by {{esc .MadeBy}} from the vault in {{esc .Vault}}. Times are this computer's local time.</p>
<dl>
<dt>Received</dt><dd>{{stamp .ReceivedAt}}</dd>
<dt>Practice area</dt><dd>{{if .AreaLabel}}{{esc .AreaLabel}}{{else}}Not chosen{{end}}</dd>
<dt>Status</dt><dd>{{status .Status}}</dd>
<dt>Decision</dt><dd>{{esc (decided .)}}</dd>
{{if .Reason}}<dt>Reason</dt><dd>{{text .Reason}}</dd>{{end}}
{{if .Submission}}<dt>Privacy notice</dt><dd>{{consent .}}</dd>{{end}}
<dt>Identity checked</dt><dd>{{esc (verification .)}}</dd>
{{if .Verification.Note}}<dt>Note on the identity check</dt><dd>{{text .Verification.Note}}</dd>{{end}}
</dl>
<h2>Answers</h2>
{{with .Answers}}<table>
<thead><tr><th>Question</th><th>Answer</th></tr></thead>
<tbody>{{range .}}<tr><td>{{esc .Label}}</td><td class="pre">{{text .Text}}</td></tr>
{{end}}</tbody></table>{{else}}<p>No answers are kept.</p>{{end}}
<h2>{{count (len .FileList) "file sent" "files sent"}}</h2>
{{if .FileList}}<table>
<thead><tr><th>No.</th><th>Name</th><th>Kind</th><th>Size</th></tr></thead>
<tbody>{{range .FileList}}<tr><td class="num">{{.N}}</td><td>{{esc .Name}}</td><td>{{esc .MediaType}}</td><td class="num">{{size .Size}}</td></tr>
{{end}}</tbody></table>{{end}}
<h2>Conflict check</h2>
{{with .Check}}<p>Conflict check {{.ID}}, {{stamp .At}} by {{esc .Actor}}. Decision: {{decision .Decision}}{{if not .DecidedAt.IsZero}}, {{stamp .DecidedAt}}{{end}}.</p>
{{if .Note}}<p class="pre">Note: {{text .Note}}</p>{{end}}
{{if .Hits}}<table>
<thead><tr><th>Name checked</th><th>Name in the vault</th><th>As</th><th>Where</th><th>How alike</th><th>Why</th></tr></thead>
<tbody>{{range .Hits}}{{if .Hidden}}<tr class="restricted"><td>{{esc .Query}}</td><td colspan="5">{{esc .Why}}</td></tr>
{{else}}<tr><td>{{esc .Query}}</td><td>{{esc .Name}}</td><td>{{esc (as .)}}</td><td>{{esc (where .)}}</td><td class="num">{{pct .Score}}</td><td>{{esc .Why}}</td></tr>
{{end}}{{end}}</tbody></table>{{else}}<p>No name in the vault resembled the names checked.</p>{{end}}
{{if .History}}<table>
<thead><tr><th>When</th><th>Who</th><th>Decision</th><th>Note</th></tr></thead>
<tbody>{{range .History}}<tr><td>{{stamp .At}}</td><td>{{esc (actor .Actor)}}</td><td>{{decision .Decision}}</td><td class="pre">{{text .Note}}</td></tr>
{{end}}</tbody></table>{{end}}
{{else}}<p>{{if .CheckNote}}{{esc .CheckNote}}{{else}}No conflict check was run on this submission.{{end}}</p>{{end}}
<p class="sign"><span>Signed</span><span>Date</span></p>
<h2 class="tech">Technical details</h2>
<p class="tech">Imported into the vault {{stamp .ImportedAt}}.{{with .Submission}} Submission reference {{esc .ID}}, intake run {{esc .Session}}, form version {{.FormVersion}}.{{end}}
{{range .FileList}}<br>File {{.N}}: SHA-256 {{esc .SHA256}}{{end}}</p>
</body>
</html>
`))

// WriteHTML writes the summary as a printable, self-contained HTML page
// (no script, image, font or link; every value escaped).
func (r *IntakeReport) WriteHTML(w io.Writer) error {
	return intakePage.Execute(w, r)
}

// WriteText writes the summary as plain text (for a terminal: every value
// escaped, control characters shown as \x1b and the like).
func (r *IntakeReport) WriteText(w io.Writer) error {
	e, et := human.Escape, human.EscapeText
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s's intake record, submission %d)\n", e(r.Title()), e(r.Owner), r.ID)
	fmt.Fprintf(&b, "Received:          %s\n", human.Stamp(r.ReceivedAt))
	area := r.AreaLabel
	if area == "" {
		area = "Not chosen"
	}
	fmt.Fprintf(&b, "Practice area:     %s\n", e(area))
	fmt.Fprintf(&b, "Status:            %s\n", IntakeStatusWords(r.Status))
	fmt.Fprintf(&b, "Decision:          %s\n", e(r.decisionWords()))
	if r.Reason != "" {
		fmt.Fprintf(&b, "Reason:            %s\n", indent(et(r.Reason)))
	}
	if c := r.consentWords(); c != "" {
		fmt.Fprintf(&b, "Privacy notice:    %s\n", c)
	}
	fmt.Fprintf(&b, "Identity checked:  %s\n", e(r.verificationWords()))
	if r.Verification.Note != "" {
		fmt.Fprintf(&b, "                   %s\n", indent(et(r.Verification.Note)))
	}
	b.WriteString("\nAnswers\n")
	answers := r.Answers()
	if len(answers) == 0 {
		b.WriteString("  No answers are kept.\n")
	}
	for _, a := range answers {
		fmt.Fprintf(&b, "  %s\n      %s\n", e(a.Label), indent(et(a.Text)))
	}
	fmt.Fprintf(&b, "\n%s\n", human.Capitalize(human.Count(len(r.FileList), "file sent", "files sent")))
	for _, f := range r.FileList {
		fmt.Fprintf(&b, "  %d. %s (%s, %s)\n", f.N, e(f.Name), e(f.MediaType), human.Size(f.Size))
	}
	b.WriteString("\nConflict check\n")
	switch c := r.Check; {
	case c != nil:
		fmt.Fprintf(&b, "  Conflict check %d, %s by %s. Decision: %s", c.ID, human.Stamp(c.At), e(c.Actor), DecisionLabel(c.Decision))
		if !c.DecidedAt.IsZero() {
			fmt.Fprintf(&b, ", %s", human.Stamp(c.DecidedAt))
		}
		b.WriteString("\n")
		if c.Note != "" {
			fmt.Fprintf(&b, "  Note: %s\n", indent(et(c.Note)))
		}
		if len(c.Hits) == 0 {
			b.WriteString("  No name in the vault resembled the names checked.\n")
			break
		}
		tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  NAME CHECKED\tNAME IN THE VAULT\tAS\tWHERE\tALIKE\tWHY")
		for _, h := range c.Hits {
			if h.Hidden {
				fmt.Fprintf(tw, "  %s\t%s\t\t\t\t\n", e(h.Query), h.Why)
				continue
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%.0f %%\t%s\n", e(h.Query), e(h.Name), e(hitAs(h)), e(hitWhere(h)), h.Score*100, e(h.Why))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	case r.CheckNote != "":
		fmt.Fprintf(&b, "  %s\n", r.CheckNote)
	default:
		b.WriteString("  No conflict check was run on this submission.\n")
	}
	fmt.Fprintf(&b, "\nMade %s by %s from the vault in %s.\n", human.Stamp(r.Made), e(r.MadeBy), e(r.Vault))
	_, err := io.WriteString(w, b.String())
	return err
}

// indent puts the lines after the first of a multi-line value under the
// first (six spaces deeper than the label).
func indent(s string) string {
	return strings.ReplaceAll(s, "\n", "\n      ")
}
