package app

import (
	"context"
	"fmt"
	htmltemplate "html/template"
	"io"
	"strings"
	"time"

	"casevault/app/access"
	"casevault/app/human"
	"casevault/app/incident"
	"casevault/store"
)

// The notification pack of an incident (ABA Formal Opinion 483): one
// printable, self-contained HTML page with the incident's record (what
// happened, the checklist with when and by whom each step was done), the
// clients it affects with when each was told, a letter to each client to
// adapt (places to fill in marked), and, where people and permissions
// exist (more than one user), each client's access report from 30 days
// before the incident. Making it is recorded as report.export: the page
// takes client data out of the vault.

// ClientLetter is the draft letter to one affected client.
type ClientLetter = incident.Letter

// IncidentPack is what the lawyer needs to tell the clients.
type IncidentPack struct {
	Incident *Incident
	Letters  []ClientLetter
	Access   []*AccessReport
	Notes    []string // what the pack leaves out, in words
	Made     time.Time
	MadeBy   string
	Vault    string
}

// packAccessBefore is how far before the incident the access reports in a
// pack begin.
const packAccessBefore = 30 * 24 * time.Hour

// IncidentPack builds the notification pack of an incident. Clients the
// person may not see are left out (a note says how many); a destroyed
// client's letter leaves its name to fill in (unless its name was kept for
// conflict checks).
func (s *Session) IncidentPack(ctx context.Context, id int64) (*IncidentPack, error) {
	if err := s.allow(ctx, access.IncidentLetters, ref("incident", id)); err != nil {
		return nil, err
	}
	p := &IncidentPack{Made: s.now(), MadeBy: s.DisplayName(), Vault: s.Dir()}
	var people int
	err := s.st.View(ctx, func(tx *store.Tx) error {
		var err error
		if p.Incident, err = s.loadIncident(tx, id, true); err != nil {
			return err
		}
		us, err := tx.As(store.Everyone).ListUsers()
		if err != nil {
			return err
		}
		for _, u := range us {
			if u.Status == store.UserActive {
				people++
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.incidentDrive(ctx, p.Incident); err != nil {
		return nil, err
	}
	in := p.Incident
	encrypted := in.Kind == incident.LostLaptop || in.Kind == incident.LostBackup
	hidden := 0
	var live []int64
	records := []string{ref("incident", id)}
	for _, a := range in.Affected {
		if a.Hidden {
			hidden++
			continue
		}
		p.Letters = append(p.Letters, incident.NewLetter(incident.LetterInput{Kind: in.Kind, ClientID: a.ClientID, Client: a.Name,
			HappenedAt: in.HappenedAt, Signer: s.DisplayName(), Encrypted: encrypted}))
		if !a.Gone {
			live = append(live, a.ClientID)
			records = append(records, ref("client", a.ClientID))
		}
	}
	if hidden > 0 {
		p.Notes = append(p.Notes, fmt.Sprintf("%s this incident affects %s left out: your role may not see %s. Ask the owner for the rest of the pack.",
			human.Capitalize(human.Count(hidden, "client", "clients")), map[bool]string{true: "is", false: "are"}[hidden == 1], map[bool]string{true: "it", false: "them"}[hidden == 1]))
	}
	if len(in.Affected) == 0 {
		p.Notes = append(p.Notes, "No clients are marked as affected yet, so there are no letters. Mark them first (casevault incident clients ID --set CLIENT,CLIENT).")
	}
	switch {
	case len(live) == 0:
	case people < 2:
		p.Notes = append(p.Notes, "Only one person uses this vault, so there are no access reports: they would list only your own work. \"casevault report access CLIENT\" makes one if you need it.")
	case !s.CanDo(access.Reports):
		p.Notes = append(p.Notes, "Your role may not make access reports, so there are none here. Ask the owner for them.")
	default:
		from := in.HappenedAt
		if from.IsZero() {
			from = in.OpenedAt
		}
		from = from.Add(-packAccessBefore)
		for _, cid := range live {
			rep, err := s.AccessReport(ctx, cid, from, time.Time{})
			if err != nil {
				return nil, fmt.Errorf("the access report of client %d: %w", cid, err)
			}
			p.Access = append(p.Access, rep)
		}
	}
	detail := fmt.Sprintf("incident pack as HTML, %s, %s", human.Count(len(p.Letters), "letter", "letters"), human.Count(len(p.Access), "access report", "access reports"))
	if err := s.audit(ctx, "report.export", strings.Join(records, " "), detail); err != nil {
		return nil, err
	}
	return p, nil
}

var packPage = htmltemplate.Must(htmltemplate.New("pack").Funcs(htmltemplate.FuncMap{
	"esc":   human.Escape,
	"text":  human.EscapeText,
	"stamp": func(t time.Time) string { return human.Stamp(t) },
	"date":  func(t time.Time) string { return human.Date(t) },
	"count": human.Count,
	"known": func(t time.Time) string {
		if t.IsZero() {
			return "not known"
		}
		return human.Stamp(t)
	},
}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="referrer" content="no-referrer">
<title>Incident {{.Incident.ID}}: {{.Incident.Label}}</title>
<style>
body { font-family: Georgia, "Times New Roman", serif; margin: 2em; color: #000; background: #fff; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; }
p.meta { color: #333; margin-top: 0; }
table { border-collapse: collapse; width: 100%; font-size: 0.9em; }
th, td { border: 1px solid #999; padding: 0.25em 0.4em; text-align: left; vertical-align: top; }
th { background: #eee; }
td.tech { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.85em; color: #444; word-break: break-all; }
td.num { text-align: right; }
.why { color: #444; font-size: 0.9em; }
.notes { border-left: 3px solid #999; padding-left: 0.6em; }
.letter { border: 1px solid #999; padding: 1em 1.5em; margin: 1em 0; page-break-before: always; }
.letter p { white-space: pre-wrap; }
mark.fill { background: #ffe066; border: 1px dashed #a07000; padding: 0 0.2em; }
@media print {
  body { margin: 0; }
  th { background: #ddd !important; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  mark.fill { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  tr { page-break-inside: avoid; }
  thead { display: table-header-group; }
  .access { page-break-before: always; }
}
</style>
</head>
<body>
{{with .Incident}}<h1>Incident {{.ID}}: {{.Label}}</h1>
<p class="meta">Happened: {{known .HappenedAt}}. Recorded {{stamp .OpenedAt}} by {{esc .OpenedBy}}.
{{if .Closed}}Closed {{stamp .ClosedAt}} by {{esc .ClosedBy}}.{{else}}Still open.{{end}}{{if .Repository}}{{with .Repository}}<br>The lost backup drive: {{esc .Target}}{{if .Volume}} (volume {{esc .Volume}}){{end}}, backups from {{date .First}} to {{date .Last}}. Every backup on it is encrypted; it opens only with {{range $i, $s := .Slots}}{{if $i}}, {{end}}{{esc $s}}{{else}}the passphrase and recovery key of its time{{end}}.{{end}}{{else if .RepoID}}<br>The lost backup drive: {{esc .RepoID}}.{{end}}</p>
{{if .Summary}}<h2>What happened</h2>
<p class="notes">{{text .Summary}}</p>{{end}}
<h2>What was done ({{.Done}} of {{count (len .Steps) "step" "steps"}})</h2>
<table>
<thead><tr><th>Step</th><th>Done</th><th>Note</th></tr></thead>
<tbody>{{range .Steps}}<tr><td>{{esc .Text}}<br><span class="why">Why: {{esc .Why}}</span></td><td>{{if .DoneAt.IsZero}}Not done{{else}}{{stamp .DoneAt}} by {{esc .DoneBy}}{{end}}</td><td>{{text .Note}}</td></tr>
{{end}}</tbody></table>
<h2>Clients affected ({{len .Affected}})</h2>
{{if .Affected}}<table>
<thead><tr><th>Client</th><th>Told</th></tr></thead>
<tbody>{{range .Affected}}<tr><td>{{esc .Label}}</td><td>{{if .NotifiedAt.IsZero}}Not yet{{else}}{{date .NotifiedAt}} by {{esc .NotifiedBy}}{{end}}</td></tr>
{{end}}</tbody></table>{{else}}<p>None marked.</p>{{end}}{{end}}
{{if .Notes}}<div class="notes">{{range .Notes}}<p>{{text .}}</p>{{end}}</div>{{end}}
<h2>Letters to adapt ({{len .Letters}})</h2>
<p>One draft letter per client, with what ABA Formal Opinion 483 asks a lawyer to tell: what happened and when, what information was involved, what you are doing about it, what the client can do, and whom to contact. <mark class="fill">Marked places</mark> are yours to fill in; read each letter through and change what does not fit before you send it.</p>
{{range .Letters}}<div class="letter">
<p class="meta">For client {{.ClientID}}{{if .Client}} ({{esc .Client}}){{end}}</p>
<p><strong>Subject: {{.Subject}}</strong></p>
{{range .Body}}<p>{{range .}}{{if .Fill}}<mark class="fill">[FILL IN: {{.Text}}]</mark>{{else}}{{text .Text}}{{end}}{{end}}</p>
{{end}}</div>
{{end}}
{{range .Access}}<div class="access">
<h2>Access report: {{esc .Subject}} (client {{.ClientID}})</h2>
<p class="meta">Every read and change of this client's data from {{date .From}} until the pack was made: {{count (len .Rows) "entry" "entries"}}.</p>
{{if .People}}<table>
<thead><tr><th>Who</th><th>Reads</th><th>Changes</th><th>Exports</th><th>Other</th></tr></thead>
<tbody>{{range .People}}<tr><td>{{esc .Name}}</td><td class="num">{{.Reads}}</td><td class="num">{{.Changes}}</td><td class="num">{{.Exports}}</td><td class="num">{{.Other}}</td></tr>
{{end}}</tbody></table>{{end}}
{{if .Rows}}<table>
<thead><tr><th>When</th><th>Who</th><th>What</th><th>Record</th><th>Technical (audit entry, action, records)</th></tr></thead>
<tbody>{{range .Rows}}<tr><td>{{stamp .At}}</td><td>{{esc .Who}}</td><td>{{esc .What}}</td><td>{{esc .Record}}</td><td class="tech">#{{.EntryID}} {{esc .Action}}{{if .Records}} [{{esc .Records}}]{{end}}</td></tr>
{{end}}</tbody></table>{{else}}<p>Nothing was recorded in this period.</p>{{end}}
</div>
{{end}}
<p class="meta">Made {{stamp .Made}} by {{esc .MadeBy}} from the vault in {{esc .Vault}}. Times are this computer's local time. From casevault's incident record and audit trail; "casevault audit verify" checks that no entry of the trail was altered.</p>
</body>
</html>
`))

// WriteHTML writes the pack as one printable, self-contained HTML page.
func (p *IncidentPack) WriteHTML(w io.Writer) error {
	return packPage.Execute(w, p)
}
