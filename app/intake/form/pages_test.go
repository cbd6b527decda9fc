package form

import (
	"bytes"
	"io/fs"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/net/html"
)

// pageFacts is what the checks below need from a rendered page.
type pageFacts struct {
	ids       map[string]bool
	labelFor  map[string]bool
	controls  []*html.Node // input (not hidden), textarea, select
	links     []string     // href and src values
	text      string
	describes []string // every id named by aria-describedby
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func facts(t *testing.T, page []byte) *pageFacts {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	f := &pageFacts{ids: map[string]bool{}, labelFor: map[string]bool{}}
	var text strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			text.WriteString(n.Data)
		}
		if n.Type == html.ElementNode {
			if id, ok := attr(n, "id"); ok {
				if f.ids[id] {
					t.Errorf("id %q used twice", id)
				}
				f.ids[id] = true
			}
			if n.Data == "label" {
				if id, ok := attr(n, "for"); ok {
					f.labelFor[id] = true
				}
			}
			switch n.Data {
			case "input":
				if typ, _ := attr(n, "type"); typ != "hidden" {
					f.controls = append(f.controls, n)
				}
			case "textarea", "select":
				f.controls = append(f.controls, n)
			case "script", "iframe", "object", "embed", "img", "style":
				t.Errorf("the page has a <%s> element", n.Data)
			}
			for _, k := range []string{"href", "src", "action", "formaction"} {
				if v, ok := attr(n, k); ok {
					f.links = append(f.links, v)
				}
			}
			for _, a := range n.Attr {
				if strings.HasPrefix(a.Key, "on") {
					t.Errorf("<%s> has an event handler %s", n.Data, a.Key)
				}
				if a.Key == "style" {
					t.Errorf("<%s> has an inline style (the CSP allows none)", n.Data)
				}
			}
			if v, ok := attr(n, "aria-describedby"); ok {
				f.describes = append(f.describes, strings.Fields(v)...)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	f.text = text.String()
	return f
}

// checkPage checks what every page must be: a label for every field,
// autocomplete off on every field, no script, nothing from elsewhere,
// every aria-describedby and summary link pointing at something there.
func checkPage(t *testing.T, name string, page []byte) *pageFacts {
	t.Helper()
	f := facts(t, page)
	if !bytes.Contains(page, []byte(`<meta name="viewport" content="width=device-width, initial-scale=1">`)) {
		t.Errorf("%s: no viewport meta", name)
	}
	// no-referrer would make the browser send "Origin: null" with the form,
	// which the server's Origin check must refuse: same-origin sends our own.
	if !bytes.Contains(page, []byte(`<meta name="referrer" content="same-origin">`)) {
		t.Errorf("%s: the referrer policy is not same-origin", name)
	}
	for _, c := range f.controls {
		id, _ := attr(c, "id")
		nm, _ := attr(c, "name")
		if id == "" || !f.labelFor[id] {
			t.Errorf("%s: the field %q has no label", name, nm)
		}
		if v, _ := attr(c, "autocomplete"); v != "off" {
			t.Errorf("%s: the field %q does not have autocomplete=off", name, nm)
		}
	}
	for _, id := range f.describes {
		if !f.ids[id] {
			t.Errorf("%s: aria-describedby names %q, which is not on the page", name, id)
		}
	}
	for _, l := range f.links {
		switch {
		case strings.HasPrefix(l, "#"):
			if !f.ids[l[1:]] {
				t.Errorf("%s: the link %q points at nothing", name, l)
			}
		case l == "/static/style.css", l == "/form":
		default:
			t.Errorf("%s: a link or source %q (only /static/style.css, /form and #anchors are expected)", name, l)
		}
	}
	return f
}

func render(t *testing.T, fn func(*bytes.Buffer) error) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := fn(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestEveryAreaFormIsAccessibleAndSelfContained(t *testing.T) {
	c := Default()
	for i := range c.Areas {
		a := &c.Areas[i]
		p := &Page{Area: a, Questions: c.AreaQuestions(a), Notice: c.Notice, CSRF: "tok", Action: "/form"}
		page := render(t, func(b *bytes.Buffer) error { return RenderForm(b, p) })
		f := checkPage(t, a.Key, page)
		for _, q := range p.Questions {
			want := "f-" + q.Key
			switch q.Kind {
			case Dates:
				want = "f-" + DateRowField(q.Key, KeyDateRows, "date")
			case YesNo, Choice:
				want = "f-" + q.Key + "-1"
			}
			if !f.ids[want] {
				t.Errorf("%s: no field for %s", a.Key, q.Key)
			}
		}
		for _, s := range []string{c.Notice.Text[:40], "version 1", "Send", `name="consent"`, `value="tok"`,
			`enctype="multipart/form-data"`, "10 MB"} {
			if !strings.Contains(string(page), s) && !strings.Contains(f.text, s) {
				t.Errorf("%s: the page does not show %q", a.Key, s)
			}
		}
	}
}

func TestFormShowsErrorsBesideFieldsWithASummary(t *testing.T) {
	fixClock(t)
	c := Default()
	a, _ := c.Area("personal_injury")
	v := goodValues()
	v.Set("full_name", "")
	v.Set("email", "jane@")
	v.Set("key_dates.2.what", "Letter")
	v.Set("injuries", "<script>alert(1)</script>\x1b[2J\u202e")
	v.Set("police_report", "maybe")
	v.Del("consent")
	_, _, errs := Parse(c, a.Key, v)
	errs[FieldFiles] = "Please choose your files again."
	p := &Page{Area: a, Questions: c.AreaQuestions(a), Notice: c.Notice, Values: v, Errors: errs, Action: "/form"}
	page := render(t, func(b *bytes.Buffer) error { return RenderForm(b, p) })
	f := checkPage(t, "errors", page)
	s := string(page)
	if strings.Contains(s, "<script>") || strings.Contains(s, "\x1b") || strings.Contains(s, "\u202e") {
		t.Error("a typed value is shown unescaped or with its control characters")
	}
	if !strings.Contains(s, "&lt;script&gt;alert(1)&lt;/script&gt;[2J") {
		t.Error("the typed value is not shown again, escaped")
	}
	if !strings.Contains(f.text, "Please check 7 answers") {
		t.Errorf("no summary of 7 answers: %s", f.text)
	}
	for key, msg := range errs {
		if strings.Count(s, ">"+msg+"<")+strings.Count(s, "</span>"+htmlEscape(msg)+"<") < 2 {
			t.Errorf("the message for %s is not both beside the field and in the summary: %q", key, msg)
		}
	}
	for _, id := range []string{"e-full_name", "e-email", "e-key_dates", "e-consent", "e-police_report"} {
		if !f.ids[id] {
			t.Errorf("no message element %s", id)
		}
	}
	if !strings.Contains(s, `aria-invalid="true" aria-describedby="h-full_name e-full_name"`) {
		t.Error("the name field does not point at its message")
	}
	if !strings.Contains(s, `value="jane@"`) || !strings.Contains(s, `value="Letter"`) {
		t.Error("typed values are not shown again")
	}
}

func htmlEscape(s string) string { return html.EscapeString(s) }

func TestAreaChoicePage(t *testing.T) {
	c := Default()
	page := render(t, func(b *bytes.Buffer) error {
		return RenderForm(b, &Page{Areas: c.Areas, Action: "/form", Errors: FieldErrors{FieldArea: msgArea}})
	})
	f := checkPage(t, "area", page)
	for i, a := range c.Areas {
		if !f.ids["f-area-"+itoa(i+1)] || !strings.Contains(f.text, a.Label) {
			t.Errorf("area %s is not offered", a.Key)
		}
	}
	if !strings.Contains(string(page), `method="get" action="/form"`) || !strings.Contains(f.text, msgArea) {
		t.Error("the area choice is not a GET to the action with its error")
	}
}

func TestThanksAndErrorPagesSayNothing(t *testing.T) {
	page := render(t, func(b *bytes.Buffer) error { return RenderThanks(b, &Page{Values: goodValues()}) })
	f := checkPage(t, "thanks", page)
	if !strings.Contains(f.text, "Start a new form") || !strings.Contains(string(page), `href="/form"`) {
		t.Error("no Start a new form link")
	}
	if strings.Contains(string(page), "Jane") || len(f.controls) != 0 {
		t.Error("the thank-you page shows answers or fields")
	}
	for _, status := range []int{400, 403, 404, 405, 410, 413, 429, 500, 503, 999} {
		page := render(t, func(b *bytes.Buffer) error { return RenderError(b, status, "") })
		f := checkPage(t, "error", page)
		words := " " + strings.Join(strings.FieldsFunc(strings.ToLower(f.text), func(r rune) bool {
			return !unicode.IsLetter(r)
		}), " ") + " "
		for _, w := range []string{"vault", "encrypted", "encryption", "key", "database", "sql", "age", "error", "records"} {
			if strings.Contains(words, " "+w+" ") {
				t.Errorf("the %d page mentions %q: %s", status, w, f.text)
			}
		}
		if !strings.Contains(f.text, "ask the person who gave you this device") {
			t.Errorf("the %d page does not say what to do", status)
		}
	}
	page = render(t, func(b *bytes.Buffer) error { return RenderError(b, 410, "This link was already used.\x1b[2J<b>") })
	if !strings.Contains(string(page), "This link was already used.[2J&lt;b&gt;") {
		t.Errorf("the message is not shown, cleaned: %s", page)
	}
}

func TestStaticHasTheStyleSheetOnly(t *testing.T) {
	b, err := fs.ReadFile(Static(), "style.css")
	if err != nil {
		t.Fatal(err)
	}
	css := string(b)
	for _, bad := range []string{"url(", "@import", "http:", "https:", "//"} {
		if strings.Contains(strings.ReplaceAll(css, "/*", ""), bad) {
			t.Errorf("style.css loads something (%q)", bad)
		}
	}
	if !strings.Contains(css, "font-size: 1.25rem") {
		t.Error("the body text is not 20px")
	}
	entries, _ := fs.ReadDir(Static(), ".")
	if len(entries) != 1 {
		t.Errorf("Static has %d entries", len(entries))
	}
}
