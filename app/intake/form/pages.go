package form

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"casevault/app/human"
)

//go:embed templates/*.html static/*
var assets embed.FS

// FieldCSRF is the name of the hidden field that carries the CSRF token.
const FieldCSRF = "csrf"

// Page is what a page shows. The server sets the headers; the pages write
// only bodies, with no script and nothing loaded from elsewhere (one style
// sheet, /static/style.css).
type Page struct {
	Title     string
	Area      *Area      // nil: the page asks which practice area first
	Areas     []Area     // the areas to choose from
	Questions []Question // the area's questions, in order
	Values    url.Values // what was typed, shown again when there are errors
	Errors    FieldErrors
	CSRF      string
	Action    string // where the form is sent (POST; the area choice is a GET with area=<key>)
	Notice    Notice
	Limits    Limits // the upload limits, said in words beside the file fields
	Message   string // a line shown at the top (e.g. "This form was already sent.")
}

var funcs = template.FuncMap{
	"field":    func(key string) string { return "f-" + key },
	"errid":    func(key string) string { return "e-" + key },
	"helpid":   func(key string) string { return "h-" + key },
	"rowfield": DateRowField,
	"rows": func() []int {
		r := make([]int, KeyDateRows)
		for i := range r {
			r[i] = i + 1
		}
		return r
	},
	"paragraphs": paragraphs,
	"inc":        func(i int) int { return i + 1 },
	"plural":     human.Count,
}

var pages = template.Must(template.New("").Funcs(funcs).ParseFS(assets, "templates/*.html"))

// Static returns the embedded assets the pages use: style.css.
func Static() fs.FS {
	sub, err := fs.Sub(assets, "static")
	if err != nil {
		panic(err) // the folder is embedded: cannot happen
	}
	return sub
}

// view is what a template gets: the page and what it needs worked out.
type view struct {
	*Page
	Fields  []fieldView
	Summary []summaryItem
	Limits  string // the upload limits in words
}

type fieldView struct {
	Q           Question
	Required    bool
	Value       string
	Error       string
	Rows        []dateRow
	Multiple    bool   // a file field that takes several files
	Limits      string // a file field: the limits in words
	DescribedBy string // ids of the help, limits and error texts
}

type dateRow struct {
	N          int
	What, Date string
}

type summaryItem struct {
	Target, Label, Message string
}

// RenderForm writes the form page: the practice-area choice when p.Area
// is nil, else the area's questions, the privacy notice and the consent
// box, with each error beside its field and a summary at the top linking
// to them.
func RenderForm(w io.Writer, p *Page) error {
	v := &view{Page: p}
	lim := p.Limits.WithDefaults()
	v.Limits = fmt.Sprintf("You can choose several files: up to %s in all, each up to %s, together up to %s.",
		human.Count(lim.MaxFiles, "file", "files"), human.Size(lim.MaxFileBytes), human.Size(lim.MaxTotalBytes))
	name := "area.html"
	if p.Title == "" {
		p2 := *p
		p2.Title = "Client intake form"
		if p.Area != nil {
			p2.Title += ": " + p.Area.Label
		}
		v.Page = &p2
	}
	if p.Area != nil {
		name = "form.html"
		for _, q := range p.Questions {
			f := fieldView{Q: q, Required: p.Area.IsRequired(q.Key), Error: p.Errors[q.Key], Multiple: q.Key != KeyIDDocument}
			var ids []string
			if q.Help != "" {
				ids = append(ids, "h-"+q.Key)
			}
			if q.Kind == Upload {
				f.Limits = v.Limits
				if !f.Multiple {
					f.Limits = "One file of up to " + human.Size(lim.MaxFileBytes) + "."
				}
				ids = append(ids, "l-"+q.Key)
			}
			if f.Error != "" {
				ids = append(ids, "e-"+q.Key)
			}
			f.DescribedBy = strings.Join(ids, " ")
			switch q.Kind {
			case Dates:
				for n := 1; n <= KeyDateRows; n++ {
					f.Rows = append(f.Rows, dateRow{N: n,
						What: shown(p.Values.Get(DateRowField(q.Key, n, "what")), false),
						Date: shown(p.Values.Get(DateRowField(q.Key, n, "date")), false)})
				}
			case Upload:
			default:
				f.Value = shown(p.Values.Get(q.Key), q.Kind == Long || q.Kind == Names)
			}
			v.Fields = append(v.Fields, f)
			if f.Error != "" {
				target := "f-" + q.Key
				if q.Kind == Dates {
					target = "f-" + DateRowField(q.Key, 1, "what")
				} else if q.Kind == YesNo || q.Kind == Choice {
					target = "f-" + q.Key + "-1"
				}
				v.Summary = append(v.Summary, summaryItem{Target: target, Label: q.Label, Message: f.Error})
			}
		}
		if msg := p.Errors[FieldFiles]; msg != "" {
			v.Summary = append(v.Summary, summaryItem{Target: "files", Label: "Files", Message: msg})
		}
		if msg := p.Errors[FieldConsent]; msg != "" {
			v.Summary = append(v.Summary, summaryItem{Target: "f-consent", Label: "Privacy notice", Message: msg})
		}
	} else if msg := p.Errors[FieldArea]; msg != "" {
		v.Summary = append(v.Summary, summaryItem{Target: "f-area-1", Label: "What is your question about?", Message: msg})
	}
	return execute(w, name, v)
}

// RenderThanks writes the thank-you page: no answers, and a "Start a new
// form" link (GET /form).
func RenderThanks(w io.Writer, p *Page) error {
	p2 := *p
	if p2.Title == "" {
		p2.Title = "Thank you"
	}
	if p2.Action == "" {
		p2.Action = "/form"
	}
	return execute(w, "thanks.html", &view{Page: &p2})
}

// errorTitles are the headings of the error page by status.
var errorTitles = map[int]string{
	http.StatusNotFound:              "This page does not exist",
	http.StatusForbidden:             "This link cannot be used",
	http.StatusGone:                  "This link has expired",
	http.StatusRequestEntityTooLarge: "What you sent is too large",
	http.StatusTooManyRequests:       "Please wait a moment",
	http.StatusMethodNotAllowed:      "This page does not exist",
	http.StatusBadRequest:            "Something was wrong with what was sent",
	http.StatusServiceUnavailable:    "The form is not available just now",
}

// RenderError writes the error page for an HTTP status with msg (the
// server's words for the person at the device; "" for none). The page
// itself says nothing about the vault or the office's records.
func RenderError(w io.Writer, status int, msg string) error {
	title, ok := errorTitles[status]
	if !ok {
		title = "Something went wrong"
	}
	if msg == "" {
		msg = "Please ask the person who gave you this device for help."
	}
	return execute(w, "error.html", &view{Page: &Page{Title: title, Message: shown(msg, false)}})
}

// execute renders into a buffer first, so a failing template never sends
// half a page.
func execute(w io.Writer, name string, v *view) error {
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, name, v); err != nil {
		return fmt.Errorf("showing the intake page %s: %w", name, err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("showing the intake page %s: %w", name, err)
	}
	return nil
}

// shown makes a typed value safe to show again in a field: invalid bytes,
// control characters (line breaks kept where the field has several lines)
// and direction overrides are dropped, and it is cut to a bound. The
// template escapes what is left.
func shown(s string, multiline bool) string {
	if len(s) > 4*MaxLongChars {
		s = s[:4*MaxLongChars]
	}
	s = strings.ToValidUTF8(s, "")
	if multiline {
		s = human.NormalizeLines(s)
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		if (multiline && (r == '\n' || r == '\t')) || checkText(string(r), false, 0) == textOK {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// paragraphs splits text at blank lines, for the privacy notice.
func paragraphs(s string) [][]string {
	var out [][]string
	for _, p := range strings.Split(human.NormalizeLines(s), "\n\n") {
		if strings.TrimSpace(p) == "" {
			continue
		}
		out = append(out, strings.Split(strings.TrimSpace(p), "\n"))
	}
	return out
}
