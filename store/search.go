package store

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// SearchHit is one full-text match.
type SearchHit struct {
	Kind       string // client, alias, matter, note, party, party_alias, document
	ClientID   int64  // the client; of a matter, note or party: the matter's lead client
	MatterID   int64  // a matter, note, party or party alias hit's matter; a document's when it is a matter's
	PartyID    int64  // a party or party alias hit's party
	DocumentID int64  // a document hit's document
	Role       string // a party or party alias hit's party role (adverse, related, ...)
	Name       string // a party or party alias hit's party name; a document hit's file name
	// Field is what matched, in words: "name", "alias", "notes" (a
	// client's); "title", "number", "practice area" (a matter's); "note";
	// "name", "organisation", "notes" (a party's); "alias", "former name"
	// (a party's other names); "name", "folder", "text" (a document's).
	Field string
	Title string // the client's name, or the matter's title (matter, note, party, and a matter's document hits)
	// Snippet is the matching text with each match in [brackets]; a
	// literal bracket or backslash of the text has a backslash before it
	// ("\[draft\]"): see SnippetParts, which reads it back.
	Snippet string
	Rank    float64 // BM25 of the hit in its tier (lower is better)
	// Fuzzy: found only through a corrected word ("jonh" found "john"),
	// ranked after every exact and prefix match.
	Fuzzy bool
}

// The search index's rowids are kind<<40 | id (schema.go).
const (
	searchKindShift = 40
	searchIDMask    = 1<<searchKindShift - 1
)

// maxSearchWords and maxSearchWordLen bound what a query costs: a pasted
// page searches its first words, each cut at a length no name reaches.
const (
	maxSearchWords   = 12
	maxSearchWordLen = 64
)

// searchWords are the words of what a person typed, lower-cased, as the
// index's tokenizer splits them (letters and digits; everything else
// separates). Operators and quotes are thereby neutralised.
func searchWords(input string) []string {
	words := strings.FieldsFunc(input, notWordRune)
	if len(words) > maxSearchWords {
		words = words[:maxSearchWords]
	}
	for i, w := range words {
		w = strings.ToLower(w)
		if utf8.RuneCountInString(w) > maxSearchWordLen {
			w = string([]rune(w)[:maxSearchWordLen])
		}
		words[i] = w
	}
	return words
}

// FTSQuery turns what a person typed into an FTS5 query: every word must
// match, the last one as a prefix. Operators and quotes are neutralised.
func FTSQuery(input string) string {
	words := searchWords(input)
	alts := make([][]string, len(words))
	return ftsQuery(words, alts, func(i int) bool { return i == len(words)-1 })
}

// ftsQuery writes words as an FTS5 query in which every word must match:
// as a prefix when prefix(i), else exactly, or else one of its
// alternatives alts[i] (corrected spellings), exactly.
func ftsQuery(words []string, alts [][]string, prefix func(int) bool) string {
	var b strings.Builder
	for i, w := range words {
		if i > 0 {
			b.WriteString(" AND ") // FTS5 allows no implicit AND next to a group
		}
		if len(alts[i]) > 0 {
			b.WriteByte('(')
		}
		b.WriteString(`"` + w + `"`)
		if prefix(i) {
			b.WriteByte('*')
		}
		for _, a := range alts[i] {
			b.WriteString(` OR "` + a + `"`)
		}
		if len(alts[i]) > 0 {
			b.WriteByte(')')
		}
	}
	return b.String()
}

// Search ranks the clients, aliases, matters, notes, parties, party
// aliases and documents matching query that the viewer sees. Every word typed must
// match, in three tiers, each ranked by BM25 (names weighted ten times
// the body), a match in a name before one in a body, then rowid order:
//
//  1. every word exactly ("smith" finds Smith);
//  2. every word as the start of a word ("smi" finds Smith, "acme ltd"
//     finds "Acme Ltd."), for the hits tier 1 did not find;
//  3. a word of 4 or more letters also as any word of a name in the
//     index (searchTerms) one typing slip away (a letter left out, added,
//     changed, or two swapped: "jonh" finds John; two slips for 8
//     letters or more), for the hits the first two did not find (Fuzzy).
//
// A tier runs only when those before it found fewer than limit hits.
// Hidden records are left out before the limit: a search shows neither
// them nor a gap where they were, and the hits it shows are in the order
// everyone's search gives them.
func (tx *Tx) Search(query string, limit int) ([]SearchHit, error) {
	words := searchWords(query)
	if len(words) == 0 {
		return nil, nil
	}
	if limit <= 0 {
		limit = 50
	}
	h, err := tx.hidden()
	if err != nil {
		return nil, err
	}
	seen := map[int64]bool{}
	var hits []searchRow
	none := make([][]string, len(words))
	folded := make([]string, len(words))
	for i, w := range words {
		folded[i] = foldWord(w)
	}
	type tier struct {
		q string
		m *wordMatcher
	}
	tiers := []func() (tier, error){
		func() (tier, error) {
			return tier{ftsQuery(words, none, func(int) bool { return false }), &wordMatcher{words: folded}}, nil
		},
		func() (tier, error) {
			return tier{ftsQuery(words, none, func(int) bool { return true }), &wordMatcher{words: folded, prefix: true}}, nil
		},
		func() (tier, error) {
			alts, any, err := tx.corrections(words)
			if err != nil || !any {
				return tier{}, err
			}
			m := &wordMatcher{words: folded, prefix: true, alts: make([]map[string]bool, len(words))}
			for i, a := range alts {
				m.alts[i] = map[string]bool{}
				for _, w := range a {
					m.alts[i][w] = true
				}
			}
			// A word alone needs only its corrections: its prefix
			// matches are all the prefix tier's (which found fewer than
			// limit). Among several words, a corrected one may go with
			// another's prefix.
			return tier{ftsQuery(words, alts, func(i int) bool { return len(words) > 1 || len(alts[i]) == 0 }), m}, nil
		},
	}
	for n, mk := range tiers {
		if len(hits) >= limit {
			break
		}
		t, err := mk()
		if err != nil {
			return nil, err
		}
		if t.q == "" {
			continue
		}
		got, err := tx.searchRanked(t.q, t.m, limit-len(hits), h, seen)
		if err != nil {
			return nil, err
		}
		for i := range got {
			got[i].hit.Fuzzy = n == 2
			seen[got[i].rowid] = true
		}
		hits = append(hits, got...)
	}
	out := make([]SearchHit, len(hits))
	for i := range hits {
		if err := tx.resolveHit(&hits[i]); err != nil {
			return nil, err
		}
		out[i] = hits[i].hit
	}
	return out, nil
}

// searchRow is a hit as the index gives it: rowid, the name column with
// its matches marked (markOpen, markClose) and the body's snippet, also
// marked.
type searchRow struct {
	hit    SearchHit
	rowid  int64
	ref    int64
	name   string
	body   string
	inName bool
}

// The marks searchMarks puts around a match in name and body, turned
// into brackets by snippetText. Values never hold them (app refuses
// control characters in every field: human.Unsafe); mark replaces any.
const (
	markOpen  = "\x01"
	markClose = "\x02"
)

// searchSlack is how many hits more than the limit a search asks of the
// index: for the viewer's hidden rows, the earlier tiers' hits, and a
// name match ranked below a body match by BM25 (searchRanked).
func searchSlack(limit int) int { return 5 + limit/4 }

// searchRanked is one tier's ranked query: everyone's, the same for a
// viewer from whom the index hides rows (h), and with the same order,
// equal ranks in rowid order, leaving out the rows of earlier tiers
// (seen). It asks everyone's query for a few more hits than limit and
// drops the hidden and seen ones here, which costs about nothing more
// while hidden rows are rare among the best matches; only when that
// leaves fewer than limit hits and the index has more does it ask again
// with the hidden rows left out in the statement (a fixed cost for
// reading the set, a probe per match). Of the rows kept, those matched
// in the name come first (stable: BM25 order within each).
func (tx *Tx) searchRanked(q string, m *wordMatcher, limit int, h *hiddenSets, seen map[int64]bool) ([]searchRow, error) {
	const ranked = `
		SELECT s.rowid, s.kind, s.ref, bm25(search, 0, 0, 10.0, 1.0) AS r
		FROM search s WHERE search MATCH ?1`
	const order = ` ORDER BY r, s.rowid LIMIT ?2`
	ask := limit + len(seen) + searchSlack(limit)
	all, err := tx.searchRows(ranked+order, q, ask)
	if err != nil {
		return nil, err
	}
	keep := func(rows []searchRow) []searchRow {
		out := rows[:0]
		for _, r := range rows {
			if !seen[r.rowid] && (h == nil || !h.searchRows[r.rowid]) {
				out = append(out, r)
			}
		}
		return out
	}
	rows := keep(all)
	if len(rows) < limit && len(all) == ask && h.any() {
		all, err = tx.searchRows(ranked+` AND s.rowid NOT IN (SELECT value FROM json_each(?3))`+order, q, limit+len(seen), h.searchJSON)
		if err != nil {
			return nil, err
		}
		rows = keep(all)
	}
	rows = rows[:min(len(rows), limit+searchSlack(limit))]
	if err := tx.searchMarks(rows, m); err != nil {
		return nil, err
	}
	slices.SortStableFunc(rows, func(a, b searchRow) int {
		if a.inName != b.inName {
			if a.inName {
				return -1
			}
			return 1
		}
		return 0
	})
	return rows[:min(limit, len(rows))], nil
}

// searchRows runs a search query whose columns are rowid, kind, ref and
// rank.
func (tx *Tx) searchRows(query string, args ...any) ([]searchRow, error) {
	rows, err := tx.Query(query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []searchRow
	for rows.Next() {
		var r searchRow
		if err := rows.Scan(&r.rowid, &r.hit.Kind, &r.ref, &r.hit.Rank); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// searchMarks fills the rows' name and body with their matches marked
// (markOpen, markClose) as m finds them: done here for the rows kept
// only (the index's highlight and snippet functions, asked in the ranked
// query, ran for every match before the limit, and asked again for the
// rows kept, ran the whole query again: most of a search's time).
func (tx *Tx) searchMarks(rows []searchRow, m *wordMatcher) error {
	if len(rows) == 0 {
		return nil
	}
	q := make([]byte, 0, 64+16*len(rows))
	q = append(q, "SELECT rowid, name, body FROM search WHERE rowid IN ("...)
	at := make(map[int64]int, len(rows))
	for i, r := range rows {
		if i > 0 {
			q = append(q, ',')
		}
		q = strconv.AppendInt(q, r.rowid, 10)
		at[r.rowid] = i
	}
	q = append(q, ')')
	res, err := tx.Query(string(q))
	if err != nil {
		return err
	}
	defer res.Close()
	for res.Next() {
		var rowid int64
		var name, body string
		if err := res.Scan(&rowid, &name, &body); err != nil {
			return err
		}
		if i, ok := at[rowid]; ok {
			rows[i].name, rows[i].inName = m.mark(name, 0)
			rows[i].body, _ = m.mark(body, snippetWords)
		}
	}
	return res.Err()
}

// snippetWords is about how many words of a body a snippet shows.
const snippetWords = 12

// wordMatcher says which words of a text a tier's query matched.
type wordMatcher struct {
	words  []string          // folded
	prefix bool              // a word matches as the start of a word
	alts   []map[string]bool // corrected spellings of each word
}

// matches: the folded word w of a text is a match of one of the query's
// words.
func (m *wordMatcher) matches(w string) bool {
	for i, q := range m.words {
		if w == q || m.prefix && strings.HasPrefix(w, q) || m.alts != nil && m.alts[i][w] {
			return true
		}
	}
	return false
}

// mark returns text with each matching word marked, and whether one
// matched. With window > 0 it keeps only about window words around the
// first match, with "…" where text was left out (a snippet).
func (m *wordMatcher) mark(text string, window int) (string, bool) {
	if strings.ContainsAny(text, markOpen+markClose) { // never from app (human.Unsafe); a mark must be ours
		text = strings.Map(func(r rune) rune {
			if r == '\x01' || r == '\x02' {
				return utf8.RuneError
			}
			return r
		}, text)
	}
	type span struct{ start, end int }
	var words []span
	first := -1
	start := -1
	for i, r := range text {
		if notWordRune(r) {
			if start >= 0 {
				words = append(words, span{start, i})
				start = -1
			}
		} else if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		words = append(words, span{start, len(text)})
	}
	match := make([]bool, len(words))
	for i, w := range words {
		if m.matches(foldWord(text[w.start:w.end])) {
			match[i] = true
			if first < 0 {
				first = i
			}
		}
	}
	lo, hi := 0, len(words)
	if window > 0 && len(words) > window {
		f := max(first, 0)
		lo = max(0, min(f-window/4, len(words)-window))
		hi = lo + window
	}
	var b strings.Builder
	from := 0
	if lo > 0 {
		b.WriteString("…")
		from = words[lo].start
	}
	to := len(text)
	if hi < len(words) {
		to = words[hi-1].end
	}
	for i := lo; i < hi; i++ {
		if !match[i] {
			continue
		}
		b.WriteString(text[from:words[i].start])
		b.WriteString(markOpen + text[words[i].start:words[i].end] + markClose)
		from = words[i].end
	}
	b.WriteString(text[from:to])
	if to < len(text) {
		b.WriteString("…")
	}
	return b.String(), first >= 0
}

// resolveHit fills a hit's records, title, field and snippet from its row.
func (tx *Tx) resolveHit(r *searchRow) error {
	h := &r.hit
	text := r.body
	if r.inName {
		text = r.name
	}
	// matchAt: the first match in the name column lies at or after byte
	// n of the column's text (a matter's title || ' ' || number).
	matchAt := func(n int) bool {
		i := strings.Index(r.name, markOpen)
		return i >= 0 && len(strings.ReplaceAll(strings.ReplaceAll(r.name[:i], markOpen, ""), markClose, "")) >= n
	}
	var err error
	switch h.Kind {
	case "client":
		h.ClientID = r.ref
		h.Field = pick(r.inName, "name", "notes")
		err = tx.QueryRow("SELECT name FROM clients WHERE id = ?", h.ClientID).Scan(&h.Title)
	case "alias":
		h.ClientID = r.ref
		h.Field = "alias"
		err = tx.QueryRow("SELECT name FROM clients WHERE id = ?", h.ClientID).Scan(&h.Title)
	case "matter", "note":
		if h.Kind == "note" {
			h.Field = "note"
			err = tx.QueryRow("SELECT matter_id FROM notes WHERE id = ?", r.ref).Scan(&h.MatterID)
		} else {
			h.MatterID = r.ref
		}
		if err == nil {
			err = tx.QueryRow("SELECT client_id, title FROM matters WHERE id = ?", h.MatterID).Scan(&h.ClientID, &h.Title)
		}
		if h.Kind == "matter" {
			h.Field = pick(r.inName, pick(matchAt(len(h.Title)+1), "number", "title"), "practice area")
		}
	case "party", "party_alias":
		h.PartyID = r.ref
		err = tx.QueryRow(`SELECT p.matter_id, p.role, p.name, m.client_id, m.title FROM parties p JOIN matters m ON m.id = p.matter_id
			WHERE p.id = ?`, h.PartyID).Scan(&h.MatterID, &h.Role, &h.Name, &h.ClientID, &h.Title)
		if err != nil {
			break
		}
		if h.Kind == "party" {
			h.Field = pick(r.inName, pick(matchAt(len(h.Name)+1), "organisation", "name"), "notes")
			break
		}
		var kind string
		err = tx.QueryRow("SELECT kind FROM party_aliases WHERE id = ?", r.rowid&searchIDMask).Scan(&kind)
		h.Field = pick(kind == "former", "former name", "alias")
	case "document":
		h.DocumentID = r.ref
		err = tx.QueryRow(`SELECT d.name, coalesce(d.matter_id, 0), coalesce(d.client_id, m.client_id), coalesce(m.title, c.name)
			FROM documents d LEFT JOIN matters m ON m.id = d.matter_id LEFT JOIN clients c ON c.id = d.client_id
			WHERE d.id = ?`, h.DocumentID).Scan(&h.Name, &h.MatterID, &h.ClientID, &h.Title)
		h.Field = pick(r.inName, pick(matchAt(len(h.Name)+1), "folder", "name"), "text")
	}
	if err != nil {
		return err
	}
	h.Snippet = snippetText(strings.TrimSpace(text))
	return nil
}

func pick(cond bool, yes, no string) string {
	if cond {
		return yes
	}
	return no
}

// snippetText turns the index's marked text into a snippet: a literal
// bracket or backslash escaped with a backslash, each mark a bracket.
func snippetText(marked string) string {
	var b strings.Builder
	b.Grow(len(marked) + 8)
	open := false
	for _, r := range marked {
		switch r {
		case '[', ']', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\x01':
			if !open {
				b.WriteByte('[')
				open = true
			}
		case '\x02':
			if open {
				b.WriteByte(']')
				open = false
			}
		default:
			b.WriteRune(r)
		}
	}
	if open {
		b.WriteByte(']')
	}
	return b.String()
}

// SnippetPart is a run of a snippet's text: a match, or the text between.
type SnippetPart struct {
	Text  string
	Match bool
}

// SnippetParts reads a SearchHit's Snippet back into runs of text, for a
// front end to highlight the matches (and show the text between as it
// is). The rule: a backslash makes the character after it literal ("\["
// is a "[" of the text, "\\" a backslash); an unescaped "[" opens a
// match and an unescaped "]" closes it. "\[draft\] [smith]" is the text
// "[draft] " and the match "smith". Any text reads without error: a "["
// inside a match or a "]" outside one is literal, a backslash at the end
// is itself, and a match left open ends with the text.
func SnippetParts(s string) []SnippetPart {
	var out []SnippetPart
	var b strings.Builder
	match := false
	flush := func() {
		if b.Len() > 0 {
			out = append(out, SnippetPart{Text: b.String(), Match: match})
			b.Reset()
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			i++
			b.WriteByte(s[i])
		case c == '[' && !match:
			flush()
			match = true
		case c == ']' && match:
			flush()
			match = false
		default:
			b.WriteByte(c)
		}
	}
	flush()
	return out
}

// SnippetPlain is a snippet's text without the marks (its brackets
// single again).
func SnippetPlain(s string) string {
	var b strings.Builder
	for _, p := range SnippetParts(s) {
		b.WriteString(p.Text)
	}
	return b.String()
}

// corrections returns, for each word of 4 letters or more without a
// digit, the words of the index's names one typing slip from it (two
// for 8 letters or more), nearest first, at most maxCorrections; any
// says whether there is one at all.
func (tx *Tx) corrections(words []string) (alts [][]string, any bool, err error) {
	alts = make([][]string, len(words))
	var terms []string
	for i, w := range words {
		d := typoBudget(w)
		if d == 0 {
			continue
		}
		if terms == nil {
			if terms, err = tx.searchTerms(); err != nil {
				return nil, false, err
			}
		}
		alts[i] = nearTerms(terms, foldWord(w), d, maxCorrections)
		any = any || len(alts[i]) > 0
	}
	return alts, any, nil
}

// maxCorrections is how many corrected spellings of one word a search
// tries.
const maxCorrections = 16

// typoBudget is how many typing slips a word may hold: none under 4
// letters or with a digit (a number or a date is typed as it is), one
// under 8, two from 8.
func typoBudget(w string) int {
	n := 0
	for _, r := range w {
		if unicode.IsDigit(r) {
			return 0
		}
		n++
	}
	switch {
	case n >= 8:
		return 2
	case n >= 4:
		return 1
	}
	return 0
}

// searchTerms is every word of the search index's name column (names,
// aliases, titles, numbers, parties' names and organisations, documents'
// names and folders), sorted,
// as the index's tokenizer makes them (lower case, accents removed: the
// same as foldWord): the words a correction may lead to. The body column
// (notes) is left out: listing its words costs a reading of every note
// (search_vocab lists them all: about twice as long at 10,000 clients,
// docs/BENCH.md), for corrections that are names' business.
//
// The list is kept in the Store for read transactions at its generation
// (a write that changes records starts a new one). A later generation
// starts from the last list and adds the words of the rows added or
// changed since (by id and updated_at: refreshWords), which costs a
// fraction of reading every name; a word no longer in any name may stay
// (a correction that finds nothing). Every maxWordRefreshes the list is
// read again whole.
func (tx *Tx) searchTerms() ([]string, error) {
	fresh, stale := tx.vis.cachedWords()
	if fresh != nil {
		return fresh.terms, nil
	}
	var wl *wordList
	var err error
	if stale != nil && stale.refreshes < maxWordRefreshes {
		wl, err = tx.refreshWords(stale)
	} else {
		wl, err = tx.readWords(nil)
	}
	if err != nil {
		return nil, err
	}
	tx.vis.publishWords(wl)
	return wl.terms, nil
}

// maxWordRefreshes is how many times a word list is added to before it
// is read again whole.
const maxWordRefreshes = 32

// wordList is the words of the index's names, and how far into each
// table they were read.
type wordList struct {
	terms     []string
	mark      wordMark
	refreshes int
}

// wordMark is the highest id (and updated_at, where a table has one) of
// the tables a word list was read from.
type wordMark struct {
	client, clientAt, clientAlias, matter, matterAt, party, partyAt, partyAlias int64
	document                                                                    int64 // -1: no documents table (before schema 6)
}

func (tx *Tx) wordMark() (wordMark, error) {
	var m wordMark
	err := tx.QueryRow(`SELECT (SELECT coalesce(max(id), 0) FROM clients), (SELECT coalesce(max(updated_at), 0) FROM clients),
		(SELECT coalesce(max(id), 0) FROM client_aliases), (SELECT coalesce(max(id), 0) FROM matters),
		(SELECT coalesce(max(updated_at), 0) FROM matters), (SELECT coalesce(max(id), 0) FROM parties),
		(SELECT coalesce(max(updated_at), 0) FROM parties), (SELECT coalesce(max(id), 0) FROM party_aliases)`).Scan(
		&m.client, &m.clientAt, &m.clientAlias, &m.matter, &m.matterAt, &m.party, &m.partyAt, &m.partyAlias)
	if err != nil {
		return m, err
	}
	// Documents' names and folders (schema 6; never renamed: new ids
	// are all a refresh reads).
	m.document = -1
	if ok, err := hasTable(tx.Tx, "documents"); err != nil || !ok {
		return m, err
	}
	err = tx.QueryRow("SELECT coalesce(max(id), 0) FROM documents").Scan(&m.document)
	return m, err
}

// readWords reads the words of every name (since == nil), or of the rows
// added or changed since the mark (ids above it, updated_at after it; an
// alias with its client or party), into a new list. A row changed in the
// very millisecond of the mark, by a later transaction, waits for the
// next whole reading (maxWordRefreshes): "at or after" would read again,
// at every refresh, every row a bulk load wrote in that millisecond.
func (tx *Tx) readWords(since *wordList) (*wordList, error) {
	mark, err := tx.wordMark()
	if err != nil {
		return nil, err
	}
	q := `SELECT name FROM clients UNION ALL SELECT alias FROM client_aliases
		UNION ALL SELECT title || ' ' || number FROM matters UNION ALL SELECT name || ' ' || organisation FROM parties
		UNION ALL SELECT alias FROM party_aliases`
	var args []any
	if since != nil {
		o := since.mark
		q = `SELECT name FROM clients WHERE id > ?1 OR updated_at > ?2
		UNION ALL SELECT alias FROM client_aliases WHERE id > ?3 OR client_id IN (SELECT id FROM clients WHERE updated_at > ?2)
		UNION ALL SELECT title || ' ' || number FROM matters WHERE id > ?4 OR updated_at > ?5
		UNION ALL SELECT name || ' ' || organisation FROM parties WHERE id > ?6 OR updated_at > ?7
		UNION ALL SELECT alias FROM party_aliases WHERE id > ?8 OR party_id IN (SELECT id FROM parties WHERE updated_at > ?7)`
		args = []any{o.client, o.clientAt, o.clientAlias, o.matter, o.matterAt, o.party, o.partyAt, o.partyAlias}
	}
	if mark.document >= 0 {
		from := int64(0)
		if since != nil {
			from = max(since.mark.document, 0)
		}
		q += ` UNION ALL SELECT name || ' ' || folder FROM documents WHERE id > ` + strconv.FormatInt(from, 10)
	}
	rows, err := tx.Query(q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	seen := map[string]struct{}{}
	var name string
	for rows.Next() {
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		for _, w := range strings.FieldsFunc(name, notWordRune) {
			seen[foldWord(w)] = struct{}{}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	terms := make([]string, 0, len(seen))
	for w := range seen {
		if since == nil {
			terms = append(terms, w)
		} else if _, ok := slices.BinarySearch(since.terms, w); !ok {
			terms = append(terms, w)
		}
	}
	slices.Sort(terms)
	wl := &wordList{terms: terms, mark: mark}
	if since != nil {
		wl.refreshes = since.refreshes + 1
		wl.terms = since.terms
		if len(terms) > 0 { // a new list: the old one may be in use
			merged := make([]string, 0, len(since.terms)+len(terms))
			merged = append(append(merged, since.terms...), terms...)
			slices.Sort(merged)
			wl.terms = merged
		}
	}
	return wl, nil
}

// refreshWords is the word list of stale with the words of the rows
// added or changed since.
func (tx *Tx) refreshWords(stale *wordList) (*wordList, error) { return tx.readWords(stale) }

// notWordRune: r separates words (neither a letter, a digit nor a mark).
func notWordRune(r rune) bool {
	return !unicode.IsLetter(r) && !unicode.IsNumber(r) && !unicode.Is(unicode.Mn, r)
}

// foldWord is a word as the index's tokenizer (unicode61,
// remove_diacritics 2) keeps it: lower case, accents removed ("Müller"
// is "muller").
func foldWord(w string) string {
	ascii := true
	for i := 0; i < len(w); i++ {
		if w[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(w)
	}
	var b strings.Builder
	for _, r := range norm.NFD.String(w) {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return norm.NFC.String(b.String())
}

// nearTerms returns the terms (sorted) within max typing slips of word
// (optimal string alignment distance: a rune left out, added, changed,
// or two neighbours swapped), other than word itself and the terms word
// begins (the prefix tier finds those): at most limit, nearest first,
// then in term order. It walks the sorted terms as a trie: the distance
// table's rows for a term's first runes are kept for the next term that
// shares them, and a whole run of terms sharing a start too far from
// word is skipped with one binary search.
func nearTerms(terms []string, word string, max, limit int) []string {
	w := []rune(word)
	n := len(w)
	type cand struct {
		term string
		d    int
	}
	var found []cand
	// rows[k] is the table's row after the term's first k runes; runes
	// holds those runes; cur is the term the rows were made for.
	rows := [][]int{make([]int, n+1)}
	for j := range rows[0] {
		rows[0][j] = j
	}
	var runes []rune
	for i := 0; i < len(terms); {
		t := terms[i]
		// The runes this term shares with the rows' term.
		k := 0
		for off := 0; k < len(runes) && off < len(t); k++ {
			r, size := utf8.DecodeRuneInString(t[off:])
			if r != runes[k] {
				break
			}
			off += size
		}
		runes = runes[:k]
		rows = rows[:k+1]
		off := 0
		for range k {
			_, size := utf8.DecodeRuneInString(t[off:])
			off += size
		}
		pruned := false
		for off < len(t) {
			r, size := utf8.DecodeRuneInString(t[off:])
			off += size
			runes = append(runes, r)
			k = len(runes)
			prev := rows[k-1]
			row := make([]int, n+1)
			row[0] = k
			best := row[0]
			for j := 1; j <= n; j++ {
				cost := 1
				if w[j-1] == r {
					cost = 0
				}
				v := min(prev[j]+1, row[j-1]+1, prev[j-1]+cost)
				if k > 1 && j > 1 && r == w[j-2] && runes[k-2] == w[j-1] {
					v = min(v, rows[k-2][j-2]+1)
				}
				row[j] = v
				best = min(best, v)
			}
			rows = append(rows, row)
			if best > max {
				// No term that starts with these runes comes within max.
				p := t[:off]
				i += 1 + sortSearch(terms[i+1:], func(s string) bool { return !strings.HasPrefix(s, p) })
				pruned = true
				break
			}
		}
		if pruned {
			continue
		}
		if d := rows[len(rows)-1][n]; d <= max && t != word && !strings.HasPrefix(t, word) {
			found = append(found, cand{t, d})
		}
		i++
	}
	slices.SortStableFunc(found, func(a, b cand) int { return cmp.Compare(a.d, b.d) })
	out := make([]string, 0, min(limit, len(found)))
	for _, c := range found[:min(limit, len(found))] {
		out = append(out, c.term)
	}
	return out
}

// sortSearch is sort.Search over a slice of strings: the first index at
// which f, false then true, is true (len(s) when never).
func sortSearch(s []string, f func(string) bool) int {
	lo, hi := 0, len(s)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if !f(s[m]) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}
