package app

import (
	"context"
	"fmt"
	htmltemplate "html/template"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"casevault/app/access"
	"casevault/app/human"
	"casevault/store"
)

// ConflictReport is a printable record of one conflict check, for the
// client's file: the names checked, when and by whom, every hit, the
// decision with its note, and every earlier decision.
type ConflictReport struct {
	ConflictCheckDetail
	Made   time.Time // when the report was made
	MadeBy string    // who made it (their display name)
	Owner  string    // the vault owner's display name (their user name when they set none)
	Vault  string    // the vault's folder
}

// ConflictReport returns the printable record of a conflict check, with
// the hits the user may not see as RestrictedConflict rows. Recorded as a
// read (conflict.report) naming the records the hits showed. Write it
// with WriteHTML (a page to print, opened with ReportTempFile and
// OpenInBrowser) or WriteText.
func (s *Session) ConflictReport(ctx context.Context, id int64) (*ConflictReport, error) {
	if err := s.allow(ctx, access.ViewConflicts, ref("conflict_check", id)); err != nil {
		return nil, err
	}
	var out *ConflictReport
	err := s.view(ctx, "conflict.report", func(tx *store.Tx) (string, string, error) {
		d, recs, err := checkDetail(tx, id, s.Can(access.Intake, access.Read))
		if err != nil {
			return "", "", err
		}
		owner, err := tx.OwnerUser()
		if err != nil {
			return "", "", fmt.Errorf("reading the vault's owner: %w", err)
		}
		ownerName := owner.DisplayName
		if ownerName == "" {
			ownerName = owner.Name
		}
		out = &ConflictReport{ConflictCheckDetail: *d, Made: s.now(), MadeBy: s.DisplayName(), Owner: ownerName, Vault: s.Dir()}
		return strings.Join(recs, " "), human.Count(len(d.Hits), "hit", "hits") + " shown", nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// HitRoleLabel is a hit's role in words: "Client", "Client's other name",
// "Adverse party"...
func HitRoleLabel(role string) string {
	switch role {
	case "client":
		return "Client"
	case "alias":
		return "Client's other name"
	case "adverse":
		return "Adverse party"
	case "related":
		return "Related party"
	case "opposing_counsel":
		return "Opposing counsel"
	case "co_counsel":
		return "Co-counsel"
	case "witness":
		return "Witness"
	case "":
		return ""
	}
	if w, ok := prospectRoles[role]; ok {
		return w
	}
	return human.Capitalize(strings.ReplaceAll(role, "_", " "))
}

// hitAs is what a hit's name is, in words: its role, and for a party's
// other name whose ("Adverse party, former name of Walter Smith").
func hitAs(h ConflictHit) string {
	as := HitRoleLabel(h.Role)
	switch h.NameKind {
	case "former":
		as += ", former name of " + h.PartyName
	case "alias":
		as += ", other name of " + h.PartyName
	}
	if h.Role == "joint_client" {
		as = "Joint client"
	}
	return as
}

// hitWhere is where a hit's name is, in words.
func hitWhere(h ConflictHit) string {
	if h.Hidden {
		return ""
	}
	if h.IntakeID != 0 {
		where := fmt.Sprintf("Intake submission %d (%s)", h.IntakeID, strings.ToLower(IntakeStatusWords(h.IntakeStatus)))
		if h.ClientName != "" {
			where += ", from " + h.ClientName
		}
		return where
	}
	var b strings.Builder
	if h.MatterID != 0 {
		state := "closed"
		if h.MatterOpen {
			state = "open"
		}
		fmt.Fprintf(&b, "Matter %d %q (%s)", h.MatterID, h.MatterTitle, state)
		if h.ClientName != "" {
			b.WriteString(", client " + h.ClientName)
		}
		return b.String()
	}
	if h.ClientName != "" {
		return fmt.Sprintf("Client %d %s", h.ClientID, h.ClientName)
	}
	return ""
}

// contextWords is what a check was for, in words ("" by hand).
func contextWords(c string) string {
	if c == "" {
		return "Run by hand"
	}
	var parts []string
	for _, f := range strings.Fields(c) {
		kind, id, _ := strings.Cut(f, ":")
		switch kind {
		case "client":
			parts = append(parts, "new client "+id)
		case "matter":
			parts = append(parts, "matter "+id)
		case "party":
			parts = append(parts, "new party "+id)
		case "intake":
			return "On reviewing intake submission " + id
		default:
			parts = append(parts, f)
		}
	}
	return "On saving " + strings.Join(parts, " in ")
}

var conflictPage = htmltemplate.Must(htmltemplate.New("conflict").Funcs(htmltemplate.FuncMap{
	"esc":      human.Escape,
	"text":     human.EscapeText,
	"stamp":    func(t time.Time) string { return human.Stamp(t) },
	"count":    human.Count,
	"decision": DecisionLabel,
	"actor":    DecisionActor,
	"as":       hitAs,
	"where":    hitWhere,
	"context":  contextWords,
	"join":     func(ss []string) string { return strings.Join(ss, "; ") },
	"pct":      func(f float64) string { return fmt.Sprintf("%.0f %%", f*100) },
}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="referrer" content="no-referrer">
<title>Conflict check {{.ID}}: {{esc (join .Names)}}</title>
<style>
body { font-family: Georgia, "Times New Roman", serif; margin: 2em; color: #000; background: #fff; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; }
h2 { font-size: 1.15em; margin-top: 1.4em; }
p.meta { color: #333; margin-top: 0; }
dl { display: grid; grid-template-columns: max-content auto; gap: 0.2em 1em; }
dt { font-weight: bold; }
dd { margin: 0; }
table { border-collapse: collapse; width: 100%; font-size: 0.9em; }
th, td { border: 1px solid #999; padding: 0.25em 0.4em; text-align: left; vertical-align: top; }
th { background: #eee; }
td.num { text-align: right; }
.note { white-space: pre-wrap; }
.restricted { font-style: italic; }
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
<h1>Conflict check {{.ID}}</h1>
<p class="meta">{{esc .Owner}}'s conflict check record. Made {{stamp .Made}} by {{esc .MadeBy}} from the vault in {{esc .Vault}}. Times are this computer's local time.</p>
<dl>
<dt>Names checked</dt><dd>{{range $i, $n := .Names}}{{if $i}}<br>{{end}}{{esc $n}}{{end}}</dd>
<dt>Checked</dt><dd>{{stamp .At}} by {{esc .Actor}}</dd>
<dt>For</dt><dd>{{esc (context .Context)}}</dd>
<dt>Decision</dt><dd>{{decision .Decision}}{{if not .DecidedAt.IsZero}}, {{stamp .DecidedAt}}{{end}}</dd>
{{if .Note}}<dt>Note</dt><dd class="note">{{text .Note}}</dd>{{end}}
</dl>
<h2>{{count (len .Hits) "hit" "hits"}}</h2>
{{if .Hits}}<table>
<thead><tr><th>Name checked</th><th>Name in the vault</th><th>As</th><th>Where</th><th>How alike</th><th>Why</th></tr></thead>
<tbody>{{range .Hits}}{{if .Hidden}}<tr class="restricted"><td>{{esc .Query}}</td><td colspan="5">{{esc .Why}}</td></tr>
{{else}}<tr><td>{{esc .Query}}</td><td>{{esc .Name}}</td><td>{{esc (as .)}}</td><td>{{esc (where .)}}</td><td class="num">{{pct .Score}}</td><td>{{esc .Why}}</td></tr>
{{end}}{{end}}</tbody></table>{{else}}<p>No name in the vault resembled the names checked.</p>{{end}}
<h2>Decisions</h2>
{{if .History}}<table>
<thead><tr><th>When</th><th>Who</th><th>Decision</th><th>Note</th></tr></thead>
<tbody>{{range .History}}<tr><td>{{stamp .At}}</td><td>{{esc (actor .Actor)}}</td><td>{{decision .Decision}}</td><td class="note">{{text .Note}}</td></tr>
{{end}}</tbody></table>{{else}}<p>Not decided yet.</p>{{end}}
<p class="sign"><span>Signed</span><span>Date</span></p>
<p class="meta">From casevault's conflict check history: every decision is kept as it was made; "casevault audit verify" checks that the audit trail was not altered.</p>
</body>
</html>
`))

// SaveConflictReport writes the report's printable page to w, to be kept
// in a file: the file takes client data out of the vault, so it needs the
// right to export client data (reading the report, or opening it to print
// from a private temporary file, does not), and it is recorded
// (report.export) before anything is written, as SaveReport does.
func (s *Session) SaveConflictReport(ctx context.Context, r *ConflictReport, w io.Writer) error {
	rec := ref("conflict_check", r.ID)
	if err := s.allow(ctx, access.ExportRecords, rec); err != nil {
		return err
	}
	detail := fmt.Sprintf("conflict check report %d as HTML, %s", r.ID, human.Count(len(r.Hits), "hit", "hits"))
	if err := s.audit(ctx, "report.export", rec, detail); err != nil {
		return err
	}
	return r.WriteHTML(w)
}

// WriteHTML writes the report as a printable, self-contained HTML page
// (no script, image, font or link; every value escaped).
func (r *ConflictReport) WriteHTML(w io.Writer) error {
	return conflictPage.Execute(w, r)
}

// WriteText writes the report as plain text (for a terminal: every value
// escaped, control characters shown as \x1b and the like).
func (r *ConflictReport) WriteText(w io.Writer) error {
	e := human.Escape
	var b strings.Builder
	fmt.Fprintf(&b, "Conflict check %d (%s's conflict check record)\n", r.ID, e(r.Owner))
	fmt.Fprintf(&b, "Names checked: %s\n", e(strings.Join(r.Names, "; ")))
	fmt.Fprintf(&b, "Checked:       %s by %s\n", human.Stamp(r.At), e(r.Actor))
	fmt.Fprintf(&b, "For:           %s\n", e(contextWords(r.Context)))
	fmt.Fprintf(&b, "Decision:      %s", DecisionLabel(r.Decision))
	if !r.DecidedAt.IsZero() {
		fmt.Fprintf(&b, ", %s", human.Stamp(r.DecidedAt))
	}
	b.WriteString("\n")
	if r.Note != "" {
		fmt.Fprintf(&b, "Note:          %s\n", e(r.Note))
	}
	fmt.Fprintf(&b, "\n%s\n", human.Capitalize(human.Count(len(r.Hits), "hit", "hits")))
	if len(r.Hits) > 0 {
		tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  NAME CHECKED\tNAME IN THE VAULT\tAS\tWHERE\tALIKE\tWHY")
		for _, h := range r.Hits {
			if h.Hidden {
				fmt.Fprintf(tw, "  %s\t%s\t\t\t\t\n", e(h.Query), h.Why)
				continue
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%.0f %%\t%s\n", e(h.Query), e(h.Name), e(hitAs(h)), e(hitWhere(h)), h.Score*100, e(h.Why))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	b.WriteString("\nDecisions\n")
	if len(r.History) == 0 {
		b.WriteString("  Not decided yet.\n")
	}
	for _, d := range r.History {
		fmt.Fprintf(&b, "  %s  %s, by %s", human.Stamp(d.At), DecisionLabel(d.Decision), e(DecisionActor(d.Actor)))
		if d.Note != "" {
			fmt.Fprintf(&b, "\n      Note: %s", e(d.Note))
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "\nMade %s by %s from the vault in %s.\n", human.Stamp(r.Made), e(r.MadeBy), e(r.Vault))
	_, err := io.WriteString(w, b.String())
	return err
}
