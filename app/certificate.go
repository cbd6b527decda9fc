package app

// The destruction certificate (issue 14): a printable record that client
// files were destroyed, from the destruction register. It holds no client
// data, unless the names were kept for conflict checks.

import (
	"context"
	"fmt"
	htmltemplate "html/template"
	"io"
	"sort"
	"strings"
	"time"

	"casevault/app/access"
	"casevault/app/human"
	"casevault/store"
)

// Certificate is a destruction's certificate.
type Certificate struct {
	Number     string // "D-2026-0001"
	At         time.Time
	By         string
	Vault      string // the vault's folder
	Reason     string // why it was destroyed before its date ("" when all was due)
	NamesKept  bool
	Entries    []RegisterEntry
	AuditEntry int64 // the audit entry of the destruction
	// Holding: the backups that still held it when the certificate was
	// made.
	Holding []HeldSnapshot
	Made    time.Time
	MadeBy  string
}

// maxRegisterRows bounds one destruction's register read for its
// certificate (a destruction of more rows is read in pages).
const registerPage = 1000

// DestructionCertificate makes the certificate of destruction number
// ("D-2026-0001"). Recorded (certificate.view).
func (s *Session) DestructionCertificate(ctx context.Context, number string) (*Certificate, error) {
	if err := s.allow(ctx, access.ViewRetention); err != nil {
		return nil, err
	}
	number = strings.ToUpper(strings.TrimSpace(number))
	var c *Certificate
	err := s.view(ctx, "certificate.view", func(tx *store.Tx) (string, string, error) {
		ds, err := tx.Destructions()
		if err != nil {
			return "", "", err
		}
		for _, d := range ds {
			if d.Number == number {
				c = &Certificate{Number: d.Number, At: d.At, By: d.By, Vault: s.Dir(), Reason: d.Reason, NamesKept: d.NamesKept,
					AuditEntry: d.AuditID, Made: s.now(), MadeBy: s.DisplayName()}
				break
			}
		}
		if c == nil {
			return "", "", fmt.Errorf("destruction %s: %w", number, store.ErrNotFound)
		}
		for off := 0; ; off += registerPage {
			rows, total, err := tx.DestructionRegister(number, off, registerPage)
			if err != nil {
				return "", "", err
			}
			c.Entries = append(c.Entries, rows...)
			if len(rows) == 0 || off+len(rows) >= total {
				break
			}
		}
		return ref("destruction", destructionID(ds, number)), number, nil
	})
	if err != nil {
		return nil, err
	}
	if c.Holding, err = s.SnapshotsHolding(ctx, number); err != nil {
		return nil, err
	}
	return c, nil
}

func destructionID(ds []store.Destruction, number string) int64 {
	for _, d := range ds {
		if d.Number == number {
			return d.ID
		}
	}
	return 0
}

// ItemWords says what a register row destroyed: "3 notes, 2 parties, 4
// documents in 5 versions (1.2 MB), 1 intake answer".
func ItemWords(items map[string]int64) string {
	var parts []string
	add := func(key, one, many string) {
		if n := items[key]; n > 0 {
			parts = append(parts, human.Count(int(n), one, many))
		}
	}
	add("notes", "note", "notes")
	add("parties", "party", "parties")
	add("aliases", "alias", "aliases")
	if n := items["documents"]; n > 0 {
		d := human.Count(int(n), "document", "documents")
		if v := items["versions"]; v > n {
			d += " in " + human.Count(int(v), "version", "versions")
		}
		parts = append(parts, d+" ("+human.Size(items["bytes"])+")")
	}
	add("intake", "intake answer", "intake answers")
	known := map[string]bool{"notes": true, "parties": true, "aliases": true, "documents": true, "versions": true, "bytes": true, "intake": true}
	var other []string
	for k := range items {
		if !known[k] && items[k] > 0 {
			other = append(other, k)
		}
	}
	sort.Strings(other)
	for _, k := range other {
		parts = append(parts, fmt.Sprintf("%s: %s", strings.ReplaceAll(k, "_", " "), human.Number(items[k])))
	}
	if len(parts) == 0 {
		return "the record itself"
	}
	return strings.Join(parts, ", ")
}

// EntryName is a register row in words: "Matter 2026-0004 (matter 7)",
// "Client file (client 12)".
func EntryName(e RegisterEntry) string {
	if e.Kind == "matter" {
		return fmt.Sprintf("Matter %s (matter %d)", e.MatterNumber, e.RecordID)
	}
	return fmt.Sprintf("Client file (client %d)", e.RecordID)
}

func dayOrNone(t *time.Time) string {
	if t == nil {
		return "none"
	}
	return human.Date(*t)
}

var certificatePage = htmltemplate.Must(htmltemplate.New("certificate").Funcs(htmltemplate.FuncMap{
	"esc":   human.Escape,
	"text":  human.EscapeText,
	"stamp": human.Stamp,
	"day":   dayOrNone,
	"date":  human.Date,
	"count": human.Count,
	"items": ItemWords,
	"name":  EntryName,
	"join":  strings.Join,
}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="referrer" content="no-referrer">
<title>Certificate of destruction {{esc .Number}}</title>
<style>
body { font-family: Georgia, "Times New Roman", serif; margin: 2em; color: #000; background: #fff; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; }
p.meta { color: #333; margin-top: 0; }
table { border-collapse: collapse; width: 100%; font-size: 0.9em; }
th, td { border: 1px solid #999; padding: 0.25em 0.4em; text-align: left; vertical-align: top; }
th { background: #eee; }
td.tech { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.85em; color: #444; word-break: break-all; }
.notes { border-left: 3px solid #999; padding-left: 0.6em; }
.sign { margin-top: 3em; }
@media print {
  body { margin: 0; }
  th { background: #ddd !important; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  tr { page-break-inside: avoid; }
  thead { display: table-header-group; }
}
</style>
</head>
<body>
<h1>Certificate of destruction {{esc .Number}}</h1>
<p class="meta">Made {{stamp .Made}} by {{esc .MadeBy}} from the vault in {{esc .Vault}}. Times are this computer's local time.</p>
<p>On {{stamp .At}}, {{esc .By}} destroyed the client files listed below: {{count (len .Entries) "record" "records"}}, removed from the vault with everything they held (notes, parties, documents with all their versions, intake answers), and the details of the audit trail's entries about them.</p>
{{if .Reason}}<div class="notes"><p>Destroyed by hand before the date: {{text .Reason}}</p></div>{{end}}
<p>{{if .NamesKept}}The names of the clients and parties were kept for conflict checks (the duties to former clients outlive the file); they are listed below.{{else}}The names of the clients and parties were destroyed too: this certificate names no client.{{end}}</p>
<h2>The destruction register</h2>
<table>
<thead><tr><th>Register</th><th>What</th><th>Practice area</th><th>Rule</th><th>Opened</th><th>Closed</th><th>Destroy after</th><th>What was destroyed</th>{{if .NamesKept}}<th>Names kept</th>{{end}}</tr></thead>
<tbody>{{range .Entries}}<tr><td>{{esc .Ref}}</td><td>{{esc (name .)}}</td><td>{{esc .PracticeArea}}</td><td>{{esc .Rule}}</td><td>{{day .OpenedAt}}</td><td>{{day .ClosedAt}}</td><td>{{day .DestroyAfter}}</td><td>{{items .Items}}</td>{{if $.NamesKept}}<td>{{esc (join .KeptNames "; ")}}</td>{{end}}</tr>
{{end}}</tbody></table>
<h2>The audit trail</h2>
<p>The destruction is entry {{.AuditEntry}} of the vault's audit trail. The entries about the destroyed records stay in the trail, with who did what and when, but without their details; "casevault audit verify" checks that the chain is whole.</p>
<h2>Backups</h2>
{{if .Holding}}<p>When this certificate was made, these backups still held the destroyed files:</p>
<table>
<thead><tr><th>Backup drive</th><th>Backup</th><th>Made</th><th>Connected</th></tr></thead>
<tbody>{{range .Holding}}<tr><td>{{esc .Target}}{{if .Volume}} ({{esc .Volume}}){{end}}</td><td class="tech">{{esc .Short}}</td><td>{{stamp .At}}</td><td>{{if .Present}}yes{{else}}no{{end}}</td></tr>
{{end}}</tbody></table>
<p>To remove the destroyed files from them: connect each drive, make a new backup on it, then run "casevault backup forget-destroyed {{esc .Number}} --repo FOLDER". Until then, anyone who can open those backups can read the destroyed files.</p>
{{else}}<p>No backup the vault knows of still held the destroyed files when this certificate was made.</p>{{end}}
<p class="sign">Signed: ______________________________ &nbsp; Date: ______________</p>
</body>
</html>
`))

// WriteHTML writes the certificate as a printable, self-contained HTML
// page (no script, image, font or link; values escaped as in the access
// report).
func (c *Certificate) WriteHTML(w io.Writer) error { return certificatePage.Execute(w, c) }

// WriteText writes the certificate as plain text.
func (c *Certificate) WriteText(w io.Writer) error {
	var b strings.Builder
	e := human.EscapeText
	fmt.Fprintf(&b, "Certificate of destruction %s\n", e(c.Number))
	fmt.Fprintf(&b, "Made %s by %s from the vault in %s. Times are this computer's local time.\n\n", human.Stamp(c.Made), e(c.MadeBy), e(c.Vault))
	fmt.Fprintf(&b, "On %s, %s destroyed the client files listed below: %s, removed from the vault with\neverything they held, and the details of the audit trail's entries about them.\n",
		human.Stamp(c.At), e(c.By), human.Count(len(c.Entries), "record", "records"))
	if c.Reason != "" {
		fmt.Fprintf(&b, "Destroyed by hand before the date: %s\n", e(c.Reason))
	}
	if c.NamesKept {
		b.WriteString("The names of the clients and parties were kept for conflict checks.\n")
	} else {
		b.WriteString("The names of the clients and parties were destroyed too.\n")
	}
	b.WriteString("\nThe destruction register:\n")
	for _, r := range c.Entries {
		fmt.Fprintf(&b, "  %s  %s\n", e(r.Ref), e(EntryName(r)))
		if r.PracticeArea != "" {
			fmt.Fprintf(&b, "      practice area: %s\n", e(r.PracticeArea))
		}
		fmt.Fprintf(&b, "      rule: %s; opened %s, closed %s, destroy after %s\n", e(r.Rule), dayOrNone(r.OpenedAt), dayOrNone(r.ClosedAt), dayOrNone(r.DestroyAfter))
		fmt.Fprintf(&b, "      destroyed: %s\n", ItemWords(r.Items))
		if c.NamesKept && len(r.KeptNames) > 0 {
			fmt.Fprintf(&b, "      names kept: %s\n", e(strings.Join(r.KeptNames, "; ")))
		}
	}
	fmt.Fprintf(&b, "\nThe destruction is entry %d of the vault's audit trail; the entries about the destroyed records\nstay, without their details (\"casevault audit verify\" checks the chain).\n", c.AuditEntry)
	if len(c.Holding) == 0 {
		b.WriteString("\nNo backup the vault knows of still held the destroyed files when this certificate was made.\n")
	} else {
		b.WriteString("\nBackups that still held the destroyed files when this certificate was made:\n")
		for _, h := range c.Holding {
			present := "not connected"
			if h.Present {
				present = "connected"
			}
			fmt.Fprintf(&b, "  %s  backup %s of %s (%s)\n", e(h.Target), e(h.Short), human.Stamp(h.At), present)
		}
		fmt.Fprintf(&b, "To remove the destroyed files from them: connect each drive, make a new backup on it, then run\n  casevault backup forget-destroyed %s --repo FOLDER\n", e(c.Number))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
