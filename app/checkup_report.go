package app

import (
	"fmt"
	htmltemplate "html/template"
	"io"
	"strings"
	"time"

	"casevault/app/checkup"
	"casevault/app/human"
)

// checkupPage is the printable security check for the lawyer's compliance
// file: one self-contained HTML page like the access report (no script,
// image, font or link; the Content-Security-Policy forbids loading
// anything), every value through human.Escape and html/template.
var checkupPage = htmltemplate.Must(htmltemplate.New("checkup").Funcs(htmltemplate.FuncMap{
	"esc":   human.Escape,
	"stamp": func(t time.Time) string { return human.Stamp(t) },
	"date":  func(t time.Time) string { return human.Date(t) },
	"label": func(s checkup.Status) string { return s.Label() },
	"was": func(s checkup.Status) string {
		if s == "" {
			return "not checked"
		}
		return s.Label()
	},
}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="referrer" content="no-referrer">
<title>Security check of {{date .At}}</title>
<style>
body { font-family: Georgia, "Times New Roman", serif; margin: 2em; color: #000; background: #fff; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; }
p.meta { color: #333; margin-top: 0; }
table { border-collapse: collapse; width: 100%; font-size: 0.9em; }
th, td { border: 1px solid #999; padding: 0.25em 0.4em; text-align: left; vertical-align: top; }
th { background: #eee; }
td.st { white-space: nowrap; font-weight: bold; }
tr.attention td.st { color: #a00; }
tr.ask td.st { color: #a60; }
tr.ok td.st { color: #060; }
@media print {
  body { margin: 0; }
  th { background: #ddd !important; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  tr { page-break-inside: avoid; }
  thead { display: table-header-group; }
}
</style>
</head>
<body>
<h1>Security check of {{date .At}}</h1>
<p class="meta">Run {{stamp .At}} by {{esc .By}} on the vault in {{esc .Vault}}. Times are this computer's local time.<br>
{{.Summary}}.{{if not .Previous.IsZero}} Compared with the check of {{date .Previous}}.{{end}}</p>
{{if .Changes}}<h2>What changed since the last check</h2>
<table>
<thead><tr><th>Item</th><th>Then</th><th>Now</th></tr></thead>
<tbody>{{range .Changes}}<tr><td>{{esc .Title}}</td><td>{{was .Was}}</td><td>{{label .Now}}</td></tr>
{{end}}</tbody></table>{{else if not .Previous.IsZero}}<p>Nothing changed since the last check.</p>{{end}}
<h2>Every item</h2>
<table>
<thead><tr><th>Item</th><th>Result</th><th>What the check found</th><th>What to do</th></tr></thead>
<tbody>{{range .Items}}<tr class="{{if eq .Status "n/a"}}na{{else}}{{.Status}}{{end}}"><td>{{esc .Title}}</td><td class="st">{{label .Status}}</td><td>{{esc .Found}}</td><td>{{esc .Advice}}</td></tr>
{{end}}</tbody></table>
<p class="meta">casevault's security check reads the vault, its settings, its backup records and this laptop; it sees no passphrase. Keep this page with your compliance records.</p>
</body>
</html>
`))

// WriteHTML writes the check as a printable, self-contained HTML page.
func (r *CheckupReport) WriteHTML(w io.Writer) error {
	return checkupPage.Execute(w, struct {
		*CheckupReport
		Summary string
	}{r, r.Summary()})
}

// WriteText writes the check as plain text for a terminal or a file.
func (r *CheckupReport) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Security check of %s\n", human.Date(r.At))
	fmt.Fprintf(&b, "Run %s by %s on the vault in %s.\n", human.Stamp(r.At), human.Escape(r.By), human.Escape(r.Vault))
	fmt.Fprintf(&b, "%s.\n", r.Summary())
	if !r.Previous.IsZero() {
		if len(r.Changes) == 0 {
			fmt.Fprintf(&b, "Nothing changed since the check of %s.\n", human.Date(r.Previous))
		} else {
			fmt.Fprintf(&b, "\nWhat changed since the check of %s:\n", human.Date(r.Previous))
			for _, c := range r.Changes {
				was := "not checked"
				if c.Was != "" {
					was = c.Was.Label()
				}
				fmt.Fprintf(&b, "  %s: %s, now %s\n", c.Title, was, c.Now.Label())
			}
		}
	}
	for _, it := range r.Items {
		fmt.Fprintf(&b, "\n%s: %s\n", it.Title, it.Status.Label())
		fmt.Fprintf(&b, "  %s\n", human.Escape(it.Found))
		if it.Advice != "" {
			fmt.Fprintf(&b, "  What to do: %s\n", human.Escape(it.Advice))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
