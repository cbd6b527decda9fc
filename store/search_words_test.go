package store

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// osa is the optimal string alignment distance, written plainly (the
// reference nearTerms must agree with).
func osa(a, b string) int {
	x, y := []rune(a), []rune(b)
	d := make([][]int, len(x)+1)
	for i := range d {
		d[i] = make([]int, len(y)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(x); i++ {
		for j := 1; j <= len(y); j++ {
			cost := 1
			if x[i-1] == y[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && x[i-1] == y[j-2] && x[i-2] == y[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(x)][len(y)]
}

func TestNearTermsExamples(t *testing.T) {
	terms := []string{"acme", "jane", "john", "johnson", "jon", "jones", "jonh", "ltd", "müller", "smith", "smithson", "smyth", "smythe", "zzz"}
	slices.Sort(terms)
	for _, c := range []struct {
		word string
		max  int
	}{
		{"jonh", 1}, {"smiht", 1}, {"smith", 1}, {"smyth", 1}, {"mueller", 2}, {"muller", 1}, {"qqqq", 1},
	} {
		got := nearTerms(terms, c.word, c.max, 10)
		var want []string
		for _, term := range terms {
			if term != c.word && !strings.HasPrefix(term, c.word) && osa(term, c.word) <= c.max {
				want = append(want, term)
			}
		}
		slices.SortStableFunc(want, func(a, b string) int { return osa(a, c.word) - osa(b, c.word) })
		if !slices.Equal(got, want) {
			t.Errorf("nearTerms(%q, %d) = %q, want %q", c.word, c.max, got, want)
		}
	}
	// The named expectations, independently of the reference.
	if got := nearTerms(terms, "jonh", 1, 10); !slices.Contains(got, "john") {
		t.Errorf("jonh does not find john: %q", got)
	}
	if got := nearTerms(terms, "smith", 1, 10); slices.Contains(got, "smithson") || slices.Contains(got, "smith") || !slices.Contains(got, "smyth") {
		t.Errorf("smith: %q", got)
	}
	if got := nearTerms(terms, "smiht", 1, 10); !slices.Equal(got, []string{"smith"}) {
		t.Errorf("smiht (two letters swapped: one slip): %q", got)
	}
	if got := nearTerms(terms, "mueller", 2, 10); !slices.Equal(got, []string{"müller"}) {
		t.Errorf("mueller: %q", got)
	}
	if got := nearTerms(terms, "jonh", 1, 2); len(got) != 2 {
		t.Errorf("the limit: %q", got)
	}
}

// TestNearTermsAgreesWithReference: on random vocabularies (runes
// outside ASCII included), the trie walk finds exactly the terms the
// plain distance finds, nearest first.
func TestNearTermsAgreesWithReference(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 11))
	alphabet := []rune("abcdeéøß")
	word := func(lo, hi int) string {
		n := lo + r.IntN(hi-lo+1)
		b := make([]rune, n)
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		return string(b)
	}
	for round := range 200 {
		terms := make([]string, 50+r.IntN(300))
		for i := range terms {
			terms[i] = word(1, 9)
		}
		slices.Sort(terms)
		terms = slices.Compact(terms)
		w := word(3, 10)
		max := 1 + r.IntN(2)
		got := nearTerms(terms, w, max, len(terms))
		var want []string
		for _, term := range terms {
			if term != w && !strings.HasPrefix(term, w) && osa(term, w) <= max {
				want = append(want, term)
			}
		}
		slices.SortStableFunc(want, func(a, b string) int { return osa(a, w) - osa(b, w) })
		if !slices.Equal(got, want) {
			t.Fatalf("round %d: nearTerms(%q, %d) = %q, want %q", round, w, max, got, want)
		}
	}
}

func TestTypoBudget(t *testing.T) {
	for w, want := range map[string]int{"jon": 0, "jonh": 1, "smith": 1, "abcdefg": 1, "abcdefgh": 2, "2024": 0, "ab12cd": 0, "ölçü": 1} {
		if got := typoBudget(w); got != want {
			t.Errorf("typoBudget(%q) = %d, want %d", w, got, want)
		}
	}
}

func TestSearchWords(t *testing.T) {
	for in, want := range map[string][]string{
		`Acme Ltd.`:              {"acme", "ltd"},
		`"smith" OR NEAR(x*)`:    {"smith", "or", "near", "x"},
		`2024-0001`:              {"2024", "0001"},
		"Jose\u0301 \x1b[31mred": {"jose\u0301", "31mred"},
		``:                       nil,
		`  -- [] `:               nil,
	} {
		if got := searchWords(in); !slices.Equal(got, want) {
			t.Errorf("searchWords(%q) = %q, want %q", in, got, want)
		}
	}
	long := strings.Repeat("word ", 100)
	if got := searchWords(long); len(got) != maxSearchWords {
		t.Errorf("%d words kept, want %d", len(got), maxSearchWords)
	}
	if got := searchWords(strings.Repeat("x", 1000)); len(got) != 1 || len(got[0]) != maxSearchWordLen {
		t.Errorf("a long word: %d", len(got[0]))
	}
}

func TestFTSQuery(t *testing.T) {
	for in, want := range map[string]string{
		`acme ltd`:     `"acme" AND "ltd"*`,
		`"a" OR b*`:    `"a" AND "or" AND "b"*`,
		`-- () `:       ``,
		`Smith, Jones`: `"smith" AND "jones"*`,
	} {
		if got := FTSQuery(in); got != want {
			t.Errorf("FTSQuery(%q) = %q, want %q", in, got, want)
		}
	}
	got := ftsQuery([]string{"jonh", "smith"}, [][]string{{"john", "jon"}, nil}, func(int) bool { return true })
	if want := `("jonh"* OR "john" OR "jon") AND "smith"*`; got != want {
		t.Errorf("ftsQuery = %q, want %q", got, want)
	}
}

func TestSnippetText(t *testing.T) {
	for in, want := range map[string]string{
		"a \x01smith\x02 b":          `a [smith] b`,
		"[draft] \x01smith\x02":      `\[draft\] [smith]`,
		"[\x01draft\x02]":            `\[[draft]\]`,
		"\x01open":                   `[open]`,
		"close\x02 x":                `close x`,
		"\x01a\x02\x01b\x02]]":       `[a][b]\]\]`,
		`C:\files\[x]`:               `C:\\files\\\[x\]`,
		"no marks [here] or ]there[": `no marks \[here\] or \]there\[`,
	} {
		if got := snippetText(in); got != want {
			t.Errorf("snippetText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSnippetParts(t *testing.T) {
	p := func(text string, match bool) SnippetPart { return SnippetPart{text, match} }
	for in, want := range map[string][]SnippetPart{
		`a [smith] b`:           {p("a ", false), p("smith", true), p(" b", false)},
		`\[draft\] [smith]`:     {p("[draft] ", false), p("smith", true)},
		`\[[draft]\]`:           {p("[", false), p("draft", true), p("]", false)},
		`[a][b]\]\]`:            {p("a", true), p("b", true), p("]]", false)},
		`lone ] bracket`:        {p("lone ] bracket", false)},
		`[left open`:            {p("left open", true)},
		``:                      nil,
		`\`:                     {p(`\`, false)},
		`[]`:                    nil,
		`[a [b] c`:              {p("a [b", true), p(" c", false)},
		`C:\\files\\\[x\]`:      {p(`C:\files\[x]`, false)},
		`x \[y\] [z] \[w [v]\]`: {p("x [y] ", false), p("z", true), p(" [w ", false), p("v", true), p("]", false)},
	} {
		if got := SnippetParts(in); !slices.Equal(got, want) {
			t.Errorf("SnippetParts(%q) = %+v, want %+v", in, got, want)
		}
	}
}

// TestSnippetRoundTrip: any text with marks around bracket-free words
// reads back as the text and the words marked.
func TestSnippetRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	pieces := []string{"[", "]", " ", "a", "é", "[[", "]]", "x]", "[y", "…", `\`, `\[`, `]\`}
	for range 2000 {
		var marked, plain strings.Builder
		var matches []string
		for range r.IntN(12) {
			if r.IntN(3) == 0 {
				w := []string{"smith", "jane", "ölçü"}[r.IntN(3)]
				marked.WriteString("\x01" + w + "\x02")
				plain.WriteString(w)
				matches = append(matches, w)
				continue
			}
			s := pieces[r.IntN(len(pieces))]
			marked.WriteString(s)
			plain.WriteString(s)
		}
		snip := snippetText(marked.String())
		var gotPlain strings.Builder
		var gotMatches []string
		for _, part := range SnippetParts(snip) {
			gotPlain.WriteString(part.Text)
			if part.Match {
				gotMatches = append(gotMatches, part.Text)
			}
		}
		// Adjacent matches read as one run each: compare the text, and the
		// matched runes' concatenation.
		if gotPlain.String() != plain.String() || strings.Join(gotMatches, "") != strings.Join(matches, "") {
			t.Fatalf("%q → %q → %q (matches %q), want %q (matches %q)", marked.String(), snip, gotPlain.String(), gotMatches, plain.String(), matches)
		}
		if SnippetPlain(snip) != plain.String() {
			t.Fatalf("SnippetPlain(%q) = %q", snip, SnippetPlain(snip))
		}
	}
}

func FuzzSnippetParts(f *testing.F) {
	for _, s := range []string{"a [b] c", `\[x\]`, `\[[x]\]`, "]", "[", "", "[a][b]]]", `\`, `\\[`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		parts := SnippetParts(s)
		n := 0
		for i, p := range parts {
			if p.Text == "" {
				t.Fatalf("empty part %d of %q", i, s)
			}
			n += len(p.Text)
		}
		if n > len(s) {
			t.Fatalf("%q reads as %d bytes", s, n)
		}
	})
}

func TestWordMatcherMark(t *testing.T) {
	exact := &wordMatcher{words: []string{"smith"}}
	prefix := &wordMatcher{words: []string{"smi", "jo"}, prefix: true}
	fuzzy := &wordMatcher{words: []string{"jonh"}, prefix: true, alts: []map[string]bool{{"john": true}}}
	long := strings.Repeat("word ", 30) + "Smith " + strings.Repeat("more ", 30)
	for _, c := range []struct {
		m      *wordMatcher
		text   string
		window int
		want   string
		found  bool
	}{
		{exact, "Walter Smith, Smithson", 0, "Walter \x01Smith\x02, Smithson", true},
		{prefix, "Walter Smith, Smithson & Jones", 0, "Walter \x01Smith\x02, \x01Smithson\x02 & \x01Jones\x02", true},
		{fuzzy, "John Jonhson", 0, "\x01John\x02 \x01Jonhson\x02", true},
		{exact, "Müller SMITH", 0, "Müller \x01SMITH\x02", true},
		{&wordMatcher{words: []string{"muller"}}, "Herr Müller", 0, "Herr \x01Müller\x02", true},
		{exact, "nobody", 0, "nobody", false},
		{exact, "", 0, "", false},
		{exact, "a\x01smith\x02b", 0, "a\ufffd\x01smith\x02\ufffdb", true},
		{exact, long, 12, "…word word word \x01Smith\x02 more more more more more more more more…", true},
		{exact, "short note about smith", 12, "short note about \x01smith\x02", true},
		{exact, strings.Repeat("x ", 20), 12, "x x x x x x x x x x x x…", false},
	} {
		got, found := c.m.mark(c.text, c.window)
		if got != c.want || found != c.found {
			t.Errorf("mark(%q, %d) = %q %v, want %q %v", c.text, c.window, got, found, c.want, c.found)
		}
	}
}
