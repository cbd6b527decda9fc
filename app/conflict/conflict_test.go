package conflict

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

func TestNormalise(t *testing.T) {
	tests := []struct{ in, want string }{
		{"John Smith", "john smith"},
		{"  Smith,   John ", "john smith"},
		{"SMITH JOHN", "john smith"},
		{"José Núñez", "jose nunez"},
		{"Jose\u0301 Nun\u0303ez", "jose nunez"}, // already decomposed
		{"O'Brien", "obrien"},
		{"O’Brien, Patrick", "obrien patrick"},
		{"D´Angelo", "dangelo"},
		{"Smith-Jones", "jones smith"},
		{"J.Smith", "j smith"},
		{"ACME Corporation, Inc.", "acme"},
		{"Acme Corp", "acme"},
		{"Acme L.L.C.", "acme"},
		{"Acme, LLC", "acme"},
		{"Acme P.L.L.C.", "acme"},
		{"Acme S.A.", "acme"},
		{"I.B.M. Corp.", "ibm"},
		{"Smith John LLC", "john smith"},
		{"The Widget Company", "widget"},
		{"Widget Co.", "widget"},
		{"Smith & Co.", "smith"},
		{"Smith and Company", "smith"},
		{"Smith & Jones", "and jones smith"},
		{"Smith and Jones", "and jones smith"},
		{"Müller GmbH", "muller"},
		{"Straße AG", "strasse"},
		{"Ærø Ltd", "aero"},
		{"Łódź Sp", "lodz sp"},
		{"ΣΊΣΥΦΟΣ", "σισυφοσ"},
		{"Ｊｏｈｎ Ｓｍｉｔｈ", "john smith"}, // full-width forms
		{"ﬁnch", "finch"},            // ligature
		{"Inc.", "inc"},
		{"The", "the"},
		{"The Inc", "inc the"},
		{"& Co", "and co"},
		{"Pty Ltd", "ltd pty"},
		{"3M Company", "3m"},
		{"Smith (John)", "john smith"},
		{"soft\u00ADhyphen", "softhyphen"},
		{"", ""},
		{"   ", ""},
		{"!!! ??? ---", ""},
		{"\xff\xfe", ""},
		{"Bank of the West", "bank of west"},
		{"0\xf7\u0219", "0 s"}, // invalid UTF-8 before ș (fuzz regression)
	}
	for _, tt := range tests {
		if got := Normalise(tt.in); got != tt.want {
			t.Errorf("Normalise(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := Normalise(tt.want); got != tt.want {
			t.Errorf("Normalise not idempotent on %q: %q", tt.want, got)
		}
	}
}

func TestExactKey(t *testing.T) {
	same := [][2]string{
		{"John Smith", "  john   SMITH "},
		{"José", "JOSE\u0301"},
		{"Kelvin", "\u212Aelvin"},
	}
	for _, p := range same {
		if exactKey(p[0]) != exactKey(p[1]) {
			t.Errorf("exactKey(%q)=%q != exactKey(%q)=%q", p[0], exactKey(p[0]), p[1], exactKey(p[1]))
		}
	}
	if exactKey("Jose") == exactKey("José") {
		t.Errorf("accents must not be exact")
	}
	if exactKey("\u0399") == exactKey("\u0345") { // fuzz regression: ypogegrammeni folds to iota
		t.Errorf("a combining mark must not fold to a letter")
	}
}

// osaRef is a plain optimal string alignment distance, for cross-checking osaBounded.
func osaRef(a, b []rune) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			c := 1
			if a[i-1] == b[j-1] {
				c = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+c)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

func TestOSABounded(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	word := func() []rune {
		n := r.IntN(9)
		s := make([]rune, n)
		for i := range s {
			s[i] = rune('a' + r.IntN(4))
		}
		return s
	}
	buf := make([]int32, 64)
	for range 20000 {
		a, b := word(), word()
		want := osaRef(a, b)
		for k := 0; k <= 4; k++ {
			got := osaBounded(a, b, k, buf)
			if (want <= k && got != want) || (want > k && got != k+1) {
				t.Fatalf("osaBounded(%q,%q,%d)=%d, full distance %d", string(a), string(b), k, got, want)
			}
		}
		if bitsDiff := popcount(maskOf(a) ^ maskOf(b)); bitsDiff > 2*want {
			t.Fatalf("mask bound broken for %q %q", string(a), string(b))
		}
	}
	for _, c := range []struct {
		a, b string
		d    int
	}{{"smith", "smtih", 1}, {"john", "jon", 1}, {"ca", "abc", 3}, {"christopher", "kristopher", 2}} {
		if got := osaBounded([]rune(c.a), []rune(c.b), 5, buf); got != c.d {
			t.Errorf("osa(%q,%q)=%d want %d", c.a, c.b, got, c.d)
		}
	}
}

func popcount(x uint64) int {
	n := 0
	for ; x != 0; x &= x - 1 {
		n++
	}
	return n
}

var sampleEntries = []Entry{
	{Name: "John Smith", Role: "client", ClientID: 1},
	{Name: "ACME Corporation, Inc.", Role: "client", ClientID: 2},
	{Name: "Jose Nunez", Role: "adverse", ClientID: 1, MatterID: 10},
	{Name: "Jane Doe", Role: "client", ClientID: 3},
	{Name: "John Smithson-Kowalczyk Holdings", Role: "related", ClientID: 2, MatterID: 11},
	{Name: "Ed Wu", Role: "client", ClientID: 4},
	{Name: "O'Brien Patrick", Role: "adverse", ClientID: 3, MatterID: 12},
	{Name: "Müller GmbH", Role: "opposing_counsel", ClientID: 3, MatterID: 12},
	{Name: "The Widget Company", Role: "client", ClientID: 5},
	{Name: "Katherine Johnson", Role: "client", ClientID: 6},
	{Name: "Christopher Andersen", Role: "adverse", ClientID: 6, MatterID: 13},
	{Name: "John Michael Smith", Role: "related", ClientID: 6, MatterID: 13},
	{Name: "J. Smith", Role: "alias", ClientID: 1},
	{Name: "Bob Lee", Role: "client", ClientID: 7},
	{Name: "Tom Smith", Role: "client", ClientID: 8},
	{Name: "Wu Holdings Ltd", Role: "adverse", ClientID: 7, MatterID: 14},
	{Name: "Inc.", Role: "related", ClientID: 7, MatterID: 14},
	{Name: "!!!", Role: "related", ClientID: 7, MatterID: 14},
	{Name: "McDonald", Role: "adverse", ClientID: 8, MatterID: 15},
	{Name: "Mary Smith-Jones", Role: "client", ClientID: 9},
	{Name: "Zenith Widgets, Inc.", Role: "client", ClientID: 10},
	{Name: "Pregoyr Loujoboun", Role: "related", ClientID: 10, MatterID: 16},
}

func findHit(hits []Hit, name string) (Hit, bool) {
	for _, h := range hits {
		if h.Entry.Name == name {
			return h, true
		}
	}
	return Hit{}, false
}

func TestCheckMatches(t *testing.T) {
	ix := NewIndex(sampleEntries)
	tests := []struct {
		query, name string
		kind        MatchKind
	}{
		{"Jon Smtih", "John Smith", Fuzzy},
		{"Acme Corp", "ACME Corporation, Inc.", Normalised},
		{"Smith, John", "John Smith", Normalised},
		{"José Núñez", "Jose Nunez", Normalised},
		{"Smith John LLC", "John Smith", Normalised},
		{"John Smith", "John Smith", Exact},
		{"  john   SMITH ", "John Smith", Exact},
		{"acme corporation, inc.", "ACME Corporation, Inc.", Exact},
		{"Mueller GmbH", "Müller GmbH", Fuzzy}, // accent spelled out: one letter
		{"Muller", "Müller GmbH", Normalised},  // accents + suffix
		{"OBrien, Patrick", "O'Brien Patrick", Normalised},
		{"Patrick O’Brien", "O'Brien Patrick", Normalised},
		{"Widget Co.", "The Widget Company", Normalised},
		{"Ktaherine Johnson", "Katherine Johnson", Fuzzy},        // transposition
		{"Katherine Jonson", "Katherine Johnson", Fuzzy},         // missing letter
		{"Christopherr Andersen", "Christopher Andersen", Fuzzy}, // extra letter
		{"Andersen, Kristopher", "Christopher Andersen", Fuzzy},  // word order + typo
		{"Smtih, Jon", "John Smith", Fuzzy},                      // word order + typos
		{"Jon Smtih", "J. Smith", Fuzzy},                         // initial + typo
		{"J Smith", "J. Smith", Normalised},
		{"J Smith", "John Smith", Fuzzy}, // initial
		{"John Smith", "John Michael Smith", Fuzzy},
		{"Tim Smith", "Tom Smith", Fuzzy}, // short word one edit, long word exact
		{"Acme Corporation", "ACME Corporation, Inc.", Normalised},
		{"Inc", "Inc.", Normalised},
		{"INC.", "Inc.", Exact},
		{"Mc Donald", "McDonald", Fuzzy},                             // words split differently
		{"Mary Smithjones", "Mary Smith-Jones", Fuzzy},               // run together
		{"Prego rLoujoboun", "Pregoyr Loujoboun", Fuzzy},             // space moved, letter lost
		{"Zenith Widgets Corportion", "Zenith Widgets, Inc.", Fuzzy}, // misspelt suffix
		{"Zenith Widgets Lt", "Zenith Widgets, Inc.", Fuzzy},
		{"Zenith", "Zenith Widgets, Inc.", Fuzzy}, // rare one-word query
		{"Zenit Widgets", "Zenith Widgets, Inc.", Fuzzy},
	}
	for _, tt := range tests {
		hits := ix.Check(tt.query)
		h, ok := findHit(hits, tt.name)
		if !ok {
			t.Errorf("Check(%q): no hit for %q; hits: %v", tt.query, tt.name, hits)
			continue
		}
		if h.Kind != tt.kind {
			t.Errorf("Check(%q) hit %q as %v (%s), want %v", tt.query, tt.name, h.Kind, h.Why, tt.kind)
		}
		if h.Score <= 0 || h.Score > 1 || (h.Kind == Exact && h.Score != 1) || (h.Kind == Fuzzy && h.Score >= 1) {
			t.Errorf("Check(%q) hit %q bad score %v", tt.query, tt.name, h.Score)
		}
		if h.Why == "" || h.Query != tt.query {
			t.Errorf("Check(%q) hit %q: Why=%q Query=%q", tt.query, tt.name, h.Why, h.Query)
		}
		t.Logf("%-24q -> %-34q %-10v %.3f %s", tt.query, h.Entry.Name, h.Kind, h.Score, h.Why)
	}
}

func TestCheckNoMatch(t *testing.T) {
	ix := NewIndex(sampleEntries)
	tests := []struct {
		query, name string
	}{
		{"John Smith", "Jane Doe"},
		{"Al Wu", "Ed Wu"},
		{"Al Wo", "Ed Wu"},
		{"Ed Wo", "Ed Wu"}, // short words alone never match fuzzily
		{"Rob Lee", "Bob Lee"},
		{"Jane Smith", "John Smith"},
		{"John Smyth Jones", "John Smith"}, // every query word must match
		{"Smith", "John Smithson-Kowalczyk Holdings"},
		{"Katherine", "Christopher Andersen"},
		{"John", "Wu Holdings Ltd"},
	}
	for _, tt := range tests {
		if h, ok := findHit(ix.Check(tt.query), tt.name); ok {
			t.Errorf("Check(%q) must not hit %q; got %v %.3f %s", tt.query, tt.name, h.Kind, h.Score, h.Why)
		}
	}
	// The long company name is at most a weak fuzzy hit for "John Smith".
	if h, ok := findHit(ix.Check("John Smith"), "John Smithson-Kowalczyk Holdings"); ok && (h.Kind != Fuzzy || h.Score > 0.75) {
		t.Errorf("John Smith -> Smithson-Kowalczyk: %v %.3f", h.Kind, h.Score)
	}
}

func TestCheckWhy(t *testing.T) {
	ix := NewIndex(sampleEntries)
	cases := map[string]string{
		"Jon Smtih":                 `spelling close to “John Smith” (2 letters differ)`,
		"Acme Corp":                 `same name as “ACME Corporation, Inc.” apart from punctuation and company suffix`,
		"Smith, John":               `same name as “John Smith” apart from punctuation and word order`,
		"José Núñez":                `same name as “Jose Nunez” apart from accents`,
		"JOHN SMITH":                `same name as “John Smith”`,
		"Smith John LLC":            `same name as “John Smith” apart from word order and company suffix`,
		"Mc Donald":                 `similar to “McDonald” (same letters, split into words differently)`,
		"J Smith":                   `same name as “J. Smith” apart from punctuation`,
		"Zenith Widgets Corportion": `similar to “Zenith Widgets, Inc.” (“corportion” taken for a company suffix)`,
	}
	for q, want := range cases {
		hits := ix.Check(q)
		if len(hits) == 0 || hits[0].Why != want {
			t.Errorf("Check(%q)[0].Why = %q, want %q", q, first(hits).Why, want)
		}
	}
}

func first(h []Hit) Hit {
	if len(h) == 0 {
		return Hit{}
	}
	return h[0]
}

func TestCheckOrder(t *testing.T) {
	entries := []Entry{
		{Name: "Jon Smith", Role: "adverse", ClientID: 2, MatterID: 5},
		{Name: "Smith, John", Role: "alias", ClientID: 1},
		{Name: "John Smith", Role: "client", ClientID: 1},
		{Name: "John Smith", Role: "adverse", ClientID: 9, MatterID: 3},
		{Name: "Jon Smtih", Role: "related", ClientID: 2, MatterID: 5},
		{Name: "JOHN SMITH LLC", Role: "adverse", ClientID: 4, MatterID: 7},
		{Name: "John Smith", Role: "adverse", ClientID: 9, MatterID: 2},
		{Name: "John Michael Smith", Role: "adverse", ClientID: 9, MatterID: 2},
	}
	var want []Hit
	for round := range 20 {
		r := rand.New(rand.NewPCG(uint64(round), 7))
		shuffled := slices.Clone(entries)
		r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		got := NewIndex(shuffled).Check("John Smith")
		if !sort.SliceIsSorted(got, func(i, j int) bool {
			a, b := got[i], got[j]
			if a.Kind != b.Kind {
				return a.Kind < b.Kind
			}
			if a.Score != b.Score {
				return a.Score > b.Score
			}
			return a.Entry.Name < b.Entry.Name
		}) {
			t.Fatalf("not sorted: %v", got)
		}
		if round == 0 {
			want = got
			if len(got) != len(entries) {
				t.Fatalf("want every entry, got %d: %v", len(got), got)
			}
			for _, h := range got {
				t.Logf("%-10v %.3f %-20q %-8s %d/%d %s", h.Kind, h.Score, h.Entry.Name, h.Entry.Role, h.Entry.ClientID, h.Entry.MatterID, h.Why)
			}
			continue
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("order depends on insertion order:\n%v\n%v", got, want)
		}
	}
	if want[0].Kind != Exact || want[0].Entry.MatterID != 2 || want[1].Entry.MatterID != 3 || want[2].Entry.Role != "client" {
		t.Errorf("unexpected tie order: %v", want[:3])
	}
}

func TestCheckEmptyAndGarbage(t *testing.T) {
	ix := NewIndex(sampleEntries)
	for _, q := range []string{"", " ", "\t\n", "!!!", "...", "\xff\xfe\xfd", "---,,,", "\u0301\u0302", strings.Repeat("-", 10000)} {
		if hits := ix.Check(q); len(hits) != 0 {
			t.Errorf("Check(%q) = %v, want none", q, hits)
		}
	}
	// Long and odd queries do not panic.
	for _, q := range []string{
		strings.Repeat("a", 5000),
		strings.Repeat("john smith ", 100),
		strings.Repeat("a b ", 40),
		"a", "j", "J R", "Z̴̡̧̛a̶l̷g̸o̵", "日本 株式会社", "\x00john\x00smith",
	} {
		_ = ix.Check(q)
	}
	var empty Index
	if hits := empty.Check("John Smith"); hits != nil || empty.Len() != 0 {
		t.Errorf("zero Index: %v", hits)
	}
	empty.Add(Entry{Name: "John Smith"})
	if len(empty.Check("Jon Smith")) != 1 {
		t.Errorf("zero Index Add/Check failed")
	}
}

func TestAddAndLen(t *testing.T) {
	ix := NewIndex(nil)
	if ix.Len() != 0 {
		t.Fatal("len")
	}
	for i, e := range sampleEntries {
		ix.Add(e)
		if ix.Len() != i+1 {
			t.Fatalf("Len = %d want %d", ix.Len(), i+1)
		}
	}
	a, b := fmt.Sprint(ix.Check("Jon Smtih")), fmt.Sprint(NewIndex(sampleEntries).Check("Jon Smtih"))
	if a != b {
		t.Errorf("Add vs NewIndex differ:\n%s\n%s", a, b)
	}
	h, ok := findHit(ix.Check("John Smith"), "John Smith")
	if !ok || h.Entry.ClientID != 1 || h.Entry.Role != "client" {
		t.Errorf("entry fields not passed through: %+v", h)
	}
	ref := &struct{ n int }{42}
	ix.Add(Entry{Name: "Zed Zebedee", Ref: ref})
	if h := ix.Check("zed zebedee"); len(h) != 1 || h[0].Entry.Ref != ref {
		t.Errorf("Ref not passed through: %v", h)
	}
}

func TestConcurrent(t *testing.T) {
	ix := NewIndex(genEntries(2000, 1))
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				if g == 0 && i%10 == 0 {
					ix.Add(Entry{Name: fmt.Sprintf("Added Person%d", i)})
				}
				ix.Check(fmt.Sprintf("Jon Smtih %d", i%3))
				ix.Check("Added Persn10")
			}
		}()
	}
	wg.Wait()
	if ix.Len() != 2000+20 {
		t.Errorf("Len %d", ix.Len())
	}
}

// TestIndex45kSanity checks matching quality and flooding on the benchmark data set.
func TestIndex45kSanity(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	entries := genEntries(45000, 42)
	ix := NewIndex(entries)
	r := rand.New(rand.NewPCG(9, 9))
	found, total, maxHits := 0, 0, 0
	var counts []int
	for range 300 {
		e := entries[r.IntN(len(entries))]
		q := typo(r, e.Name)
		hits := ix.Check(q)
		counts = append(counts, len(hits))
		maxHits = max(maxHits, len(hits))
		total++
		if _, ok := findHit(hits, e.Name); ok {
			found++
		} else if Normalise(q) != "" {
			t.Logf("miss: %q for %q", q, e.Name)
		}
	}
	slices.Sort(counts)
	t.Logf("typo queries: found %d/%d; hits per query p50=%d p90=%d max=%d", found, total, counts[len(counts)/2], counts[len(counts)*9/10], maxHits)
	if found < total*85/100 {
		t.Errorf("recall too low: %d/%d", found, total)
	}
	if counts[len(counts)*9/10] > 40 {
		t.Errorf("too many hits per query (p90 %d)", counts[len(counts)*9/10])
	}
	// Short names and common single words do not flood.
	g := newNameGen(42)
	for _, q := range []string{"Al Wu", "Bo Li", "Ed Ra", g.firsts[0], g.lasts[0], g.firsts[1], g.lasts[1]} {
		n := len(ix.Check(q))
		t.Logf("Check(%q): %d hits", q, n)
		if n > 60 {
			t.Errorf("Check(%q) returned %d hits", q, n)
		}
	}
}

// ---- generated data ----

var (
	onsets = []string{"b", "br", "c", "ch", "d", "dr", "f", "g", "gr", "h", "j", "k", "kl", "l", "m", "n", "p", "pr", "r", "s", "sh", "st", "t", "tr", "v", "w", "z", "", ""}
	vowels = []string{"a", "e", "i", "o", "u", "a", "e", "o", "ai", "ea", "ou", "y"}
	codas  = []string{"", "", "", "", "n", "r", "l", "s", "m", "th", "x", "nd", "rk", "ck"}
	nouns  = []string{"Holdings", "Logistics", "Partners", "Group", "Foods", "Capital", "Realty", "Systems", "Trading", "Builders", "Dental", "Motors", "Farms", "Media", "Consulting", "Bakery"}
	sufs   = []string{"", "", "LLC", "Inc.", "Ltd", "Corp.", "Co.", "GmbH", "S.A.", "L.L.P.", "Pty Ltd", "Limited", "Corporation"}
)

func syllables(r *rand.Rand, n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(onsets[r.IntN(len(onsets))])
		b.WriteString(vowels[r.IntN(len(vowels))])
		if i == n-1 || r.IntN(3) == 0 {
			b.WriteString(codas[r.IntN(len(codas))])
		}
	}
	s := b.String()
	if len(s) < 2 {
		s += "ka"
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// zipf picks an index in [0,n) favouring small ones, like real name frequencies.
func zipf(r *rand.Rand, n int) int {
	return int(float64(n) * math.Pow(r.Float64(), 2.5))
}

type nameGen struct {
	r      *rand.Rand
	firsts []string
	lasts  []string
}

func newNameGen(seed uint64) *nameGen {
	g := &nameGen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	for range 1200 {
		g.firsts = append(g.firsts, syllables(g.r, 1+g.r.IntN(3)))
	}
	for range 15000 {
		g.lasts = append(g.lasts, syllables(g.r, 2+g.r.IntN(2)))
	}
	return g
}

func (g *nameGen) person() string {
	r := g.r
	f, l := g.firsts[zipf(r, len(g.firsts))], g.lasts[zipf(r, len(g.lasts))]
	switch r.IntN(10) {
	case 0:
		return f + " " + string(rune('A'+r.IntN(26))) + ". " + l
	case 1:
		return l + ", " + f
	case 2:
		return f + " " + l + "-" + g.lasts[zipf(r, len(g.lasts))]
	}
	return f + " " + l
}

func (g *nameGen) company() string {
	r := g.r
	var s string
	switch r.IntN(3) {
	case 0:
		s = g.lasts[zipf(r, len(g.lasts))] + " " + nouns[r.IntN(len(nouns))]
	case 1:
		s = g.lasts[zipf(r, len(g.lasts))] + " & " + g.lasts[zipf(r, len(g.lasts))]
	default:
		s = syllables(r, 2+r.IntN(2)) + " " + nouns[r.IntN(len(nouns))]
	}
	if suf := sufs[r.IntN(len(sufs))]; suf != "" {
		s += ", " + suf
	}
	return s
}

// genEntries returns n entries in the proportions 2/9 clients, 1/9 aliases, 6/9 matter
// parties (10k/5k/30k for n=45000), deterministically from seed.
func genEntries(n int, seed uint64) []Entry {
	g := newNameGen(seed)
	r := g.r
	nClients, nAliases := n*2/9, n/9
	out := make([]Entry, 0, n)
	for i := range nClients {
		name := g.person()
		if r.IntN(4) == 0 {
			name = g.company()
		}
		out = append(out, Entry{Name: name, Role: "client", ClientID: int64(i + 1)})
	}
	for range nAliases {
		c := out[r.IntN(nClients)]
		var name string
		switch r.IntN(3) {
		case 0: // new surname
			f, _, _ := strings.Cut(c.Name, " ")
			name = f + " " + g.lasts[zipf(r, len(g.lasts))]
		case 1:
			name = g.company()
		default:
			name = g.person()
		}
		out = append(out, Entry{Name: name, Role: "alias", ClientID: c.ClientID})
	}
	roles := []string{"adverse", "adverse", "related", "opposing_counsel"}
	for i := 0; len(out) < n; i++ {
		name := g.person()
		if r.IntN(3) == 0 {
			name = g.company()
		}
		out = append(out, Entry{Name: name, Role: roles[r.IntN(len(roles))], ClientID: int64(r.IntN(nClients) + 1), MatterID: int64(i/3 + 1)})
	}
	return out
}

// typo applies one or two random edits to letters of name.
func typo(r *rand.Rand, name string) string {
	rs := []rune(name)
	for range 1 + r.IntN(2) {
		i := r.IntN(len(rs))
		for tries := 0; tries < 10 && !('a' <= rs[i] && rs[i] <= 'z'); tries++ {
			i = r.IntN(len(rs))
		}
		switch r.IntN(4) {
		case 0: // substitute
			rs[i] = rune('a' + r.IntN(26))
		case 1: // delete
			rs = append(rs[:i], rs[i+1:]...)
		case 2: // insert
			rs = append(rs[:i], append([]rune{rune('a' + r.IntN(26))}, rs[i:]...)...)
		default: // transpose
			if i+1 < len(rs) {
				rs[i], rs[i+1] = rs[i+1], rs[i]
			}
		}
		if len(rs) == 0 {
			rs = []rune("x")
		}
	}
	return string(rs)
}

// benchQueries are 2-word names: half typo'd names from the index, half new names.
func benchQueries(entries []Entry) []string {
	r := rand.New(rand.NewPCG(5, 5))
	g := newNameGen(77)
	var qs []string
	for len(qs) < 512 {
		if len(qs)%2 == 0 {
			e := entries[r.IntN(len(entries))]
			if strings.Count(strings.TrimSpace(e.Name), " ") != 1 || strings.ContainsAny(e.Name, ",.&-") {
				continue
			}
			qs = append(qs, typo(r, e.Name))
		} else {
			qs = append(qs, g.firsts[zipf(r, len(g.firsts))]+" "+g.lasts[r.IntN(len(g.lasts))])
		}
	}
	return qs
}

var benchSink []Hit

func BenchmarkCheck45k(b *testing.B) {
	entries := genEntries(45000, 42)
	ix := NewIndex(entries)
	qs := benchQueries(entries)
	durs := make([]time.Duration, 0, 1<<16)
	hits := 0
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		t0 := time.Now()
		benchSink = ix.Check(qs[i%len(qs)])
		if len(durs) < cap(durs) {
			durs = append(durs, time.Since(t0))
		}
		hits += len(benchSink)
		i++
	}
	b.StopTimer()
	slices.Sort(durs)
	if len(durs) > 0 {
		b.ReportMetric(float64(durs[len(durs)/2].Nanoseconds()), "p50-ns")
		b.ReportMetric(float64(durs[len(durs)*99/100].Nanoseconds()), "p99-ns")
		b.ReportMetric(float64(hits)/float64(i), "hits/op")
	}
}

func BenchmarkNewIndex45k(b *testing.B) {
	entries := genEntries(45000, 42)
	b.ReportAllocs()
	for b.Loop() {
		benchSink = nil
		if NewIndex(entries).Len() != len(entries) {
			b.Fatal("len")
		}
	}
}

// ---- fuzzing ----

func FuzzNormalise(f *testing.F) {
	for _, e := range sampleEntries {
		f.Add(e.Name)
	}
	for _, s := range []string{"", "L.L.C.", "& Co", "The The", "İstanbul", "ǅ", "ﬃ", "Σς", "a.b.c.d", "\u0345", "ᾳ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalise(s)
		if n2 := Normalise(n); n2 != n {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, n, n2)
		}
		if !utf8.ValidString(n) || strings.HasPrefix(n, " ") || strings.HasSuffix(n, " ") || strings.Contains(n, "  ") {
			t.Fatalf("bad key %q for %q", n, s)
		}
		if strings.TrimSpace(s) == "" && n != "" {
			t.Fatalf("blank %q normalised to %q", s, n)
		}
	})
}

func FuzzCheck(f *testing.F) {
	for _, e := range sampleEntries {
		f.Add(e.Name, "Jon Smtih")
	}
	f.Add("Jose Nunez", "José Núñez")
	f.Add("a b c", "a b c d")
	f.Add("", "\xff")
	base := NewIndex(sampleEntries)
	f.Fuzz(func(t *testing.T, name, query string) {
		checkInvariants(t, query, base.Check(query))
		ix := NewIndex(sampleEntries)
		ix.Add(Entry{Name: name, Role: "fuzz"})
		hits := ix.Check(query)
		checkInvariants(t, query, hits)
		// Names equal up to case and spacing are equal after normalisation (Check relies
		// on it to find Exact hits among Normalised ones).
		for _, v := range []string{strings.ToUpper(name), strings.ToLower(name), " " + strings.ReplaceAll(name, " ", "  ") + "\t", query} {
			if exactKey(v) == exactKey(name) && Normalise(v) != Normalise(name) {
				t.Fatalf("exactKey(%q) == exactKey(%q) but Normalise differs: %q vs %q", v, name, Normalise(v), Normalise(name))
			}
		}
		// An indexed name always finds itself, exactly.
		self := ix.Check(name)
		checkInvariants(t, name, self)
		if Normalise(name) != "" {
			found := false
			for _, h := range self {
				if h.Entry.Role == "fuzz" {
					found = h.Kind == Exact
				}
			}
			if !found {
				t.Fatalf("%q does not find itself exactly: %v", name, self)
			}
		}
	})
}

func checkInvariants(t *testing.T, query string, hits []Hit) {
	t.Helper()
	seen := map[string]bool{}
	for i, h := range hits {
		if h.Query != query || h.Kind < Exact || h.Kind > Fuzzy || h.Score <= 0 || h.Score > 1 || math.IsNaN(h.Score) || h.Why == "" {
			t.Fatalf("bad hit %+v", h)
		}
		if h.Kind == Fuzzy && h.Score < threshold {
			t.Fatalf("fuzzy hit below threshold: %+v", h)
		}
		key := fmt.Sprintf("%s|%s|%d|%d", h.Entry.Name, h.Entry.Role, h.Entry.ClientID, h.Entry.MatterID)
		if seen[key] && h.Entry.Role == "fuzz" {
			t.Fatalf("entry reported twice: %+v", h)
		}
		seen[key] = true
		if i > 0 {
			p := hits[i-1]
			if p.Kind > h.Kind || (p.Kind == h.Kind && (p.Score < h.Score || (p.Score == h.Score && p.Entry.Name > h.Entry.Name))) {
				t.Fatalf("out of order: %+v before %+v", p, h)
			}
		}
	}
}
