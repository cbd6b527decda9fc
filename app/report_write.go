package app

import (
	"context"
	"encoding/csv"
	"fmt"
	htmltemplate "html/template"
	"io"
	"strconv"
	"strings"
	"time"

	"casevault/app/access"
	"casevault/app/human"
)

// reportPage is the printable page of a report: one self-contained HTML
// file (no script, no image, no font, no link: the Content-Security-Policy
// forbids loading anything, should a value ever get past the escaping),
// with print CSS. Every value from the vault goes through human.Escape
// first (a name's control characters, ESC[31m included, become visible
// \x1b) and then through html/template's escaping (<script> becomes text).
var reportPage = htmltemplate.Must(htmltemplate.New("report").Funcs(htmltemplate.FuncMap{
	"esc":   human.Escape,
	"text":  human.EscapeText,
	"stamp": func(t time.Time) string { return human.Stamp(t) },
	"day": func(t time.Time, end bool) string {
		if t.IsZero() {
			if end {
				return "when the report was made"
			}
			return "the first entry"
		}
		if end {
			t = t.Add(-time.Millisecond) // To is exclusive: the day before midnight
		}
		return human.Date(t)
	},
	"count": human.Count,
}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="referrer" content="no-referrer">
<title>{{.Title}}: {{esc .Subject}}</title>
<style>
body { font-family: Georgia, "Times New Roman", serif; margin: 2em; color: #000; background: #fff; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; }
p.meta { color: #333; margin-top: 0; }
table { border-collapse: collapse; width: 100%; font-size: 0.9em; }
th, td { border: 1px solid #999; padding: 0.25em 0.4em; text-align: left; vertical-align: top; }
th { background: #eee; }
td.tech { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.85em; color: #444; word-break: break-all; }
td.num { text-align: right; }
.notes { border-left: 3px solid #999; padding-left: 0.6em; }
@media print {
  body { margin: 0; }
  th { background: #ddd !important; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  tr { page-break-inside: avoid; }
  thead { display: table-header-group; }
}
</style>
</head>
<body>
<h1>{{.Title}}: {{esc .Subject}}</h1>
<p class="meta">{{.About}}<br>
From {{day .From false}} to {{day .To true}}. {{count (len .Rows) "entry" "entries"}}.<br>
Made {{stamp .Made}} by {{esc .MadeBy}} from the vault in {{esc .Vault}}. Times are this computer's local time.</p>
{{if .Notes}}<div class="notes">{{range .Notes}}<p>{{text .}}</p>{{end}}</div>{{end}}
<h2>{{.CountsTitle}}</h2>
{{if .People}}<table>
<thead><tr><th>{{.CountsColumn}}</th><th>Reads</th><th>Changes</th><th>Exports</th><th>Other</th></tr></thead>
<tbody>{{range .People}}<tr><td>{{esc .Name}}</td><td class="num">{{.Reads}}</td><td class="num">{{.Changes}}</td><td class="num">{{.Exports}}</td><td class="num">{{.Other}}</td></tr>
{{end}}</tbody></table>{{else}}<p>Nothing was recorded in this period.</p>{{end}}
<h2>Every entry</h2>
{{if .Rows}}<table>
<thead><tr><th>When</th><th>Who</th><th>What</th><th>Record</th><th>Technical (audit entry, action, records, detail)</th></tr></thead>
<tbody>{{range .Rows}}<tr><td>{{stamp .At}}</td><td>{{esc .Who}}</td><td>{{esc .What}}</td><td>{{esc .Record}}</td><td class="tech">#{{.EntryID}} {{esc .Action}}{{if .Records}} [{{esc .Records}}]{{end}}{{if .Detail}} {{esc .Detail}}{{end}}</td></tr>
{{end}}</tbody></table>{{else}}<p>No entries.</p>{{end}}
<p class="meta">From casevault's audit trail, in which every entry is chained to the one before it; "casevault audit verify" checks that none was altered.</p>
</body>
</html>
`))

type pageData struct {
	*reportBase
	About        string
	CountsTitle  string
	CountsColumn string
}

// WriteHTML writes the report as a printable, self-contained HTML page.
func (r *AccessReport) WriteHTML(w io.Writer) error {
	return reportPage.Execute(w, pageData{&r.reportBase,
		fmt.Sprintf("Every read and change of client %d's data (the client, its matters, their notes and parties, and conflict checks that named it), by whom and when.", r.ClientID),
		"Who", "Person"})
}

// WriteHTML writes the report as a printable, self-contained HTML page.
func (r *ActivityReport) WriteHTML(w io.Writer) error {
	return reportPage.Execute(w, pageData{&r.reportBase,
		"What this user opened, changed and exported.", "What", "Action"})
}

// WriteCSV writes the report's entries as CSV, every cell through CSVCell
// (formula injection, control characters).
func (r *AccessReport) WriteCSV(w io.Writer) error { return r.writeCSV(w) }

// WriteCSV writes the report's entries as CSV, every cell through CSVCell
// (formula injection, control characters).
func (r *ActivityReport) WriteCSV(w io.Writer) error { return r.writeCSV(w) }

func (b *reportBase) writeCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"time", "who", "what", "record", "kind", "action", "records", "detail", "entry"})
	for _, r := range b.Rows {
		row := []string{r.At.UTC().Format(time.RFC3339Nano), r.Who, r.What, r.Record, r.Kind, r.Action, r.Records, r.Detail, strconv.FormatInt(r.EntryID, 10)}
		for i := range row {
			row[i] = CSVCell(row[i])
		}
		cw.Write(row)
	}
	cw.Flush()
	return cw.Error()
}

// Report is an access or an activity report.
type Report interface {
	WriteHTML(io.Writer) error
	WriteCSV(io.Writer) error
	base() *reportBase
	records() string
}

func (r *AccessReport) base() *reportBase   { return &r.reportBase }
func (r *ActivityReport) base() *reportBase { return &r.reportBase }
func (r *AccessReport) records() string     { return ref("client", r.ClientID) }
func (r *ActivityReport) records() string   { return "" }

// SaveReport writes a report to w as "HTML" (the printable page) or "CSV",
// to be kept in a file: it is recorded (report.export) before anything is
// written, as ExportAuditCSV is, since the file takes client data out of
// the vault.
func (s *Session) SaveReport(ctx context.Context, rep Report, format string, w io.Writer) error {
	if err := s.allow(ctx, access.ExportReport); err != nil {
		return err
	}
	write := rep.WriteCSV
	switch format {
	case "CSV":
	case "HTML":
		write = rep.WriteHTML
	default:
		return fmt.Errorf("%w: report format %q (HTML or CSV)", ErrInvalid, format)
	}
	b := rep.base()
	detail := fmt.Sprintf("%s of %q as %s, %s", strings.ToLower(b.Title), b.Subject, format, human.Count(len(b.Rows), "entry", "entries"))
	if err := s.audit(ctx, "report.export", rep.records(), detail); err != nil {
		return err
	}
	return write(w)
}
