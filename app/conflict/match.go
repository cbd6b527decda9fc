package conflict

import (
	"cmp"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"strings"
)

const (
	maxQueryWords   = 16   // fuzzy matching is skipped for longer queries
	maxFuzzyTokLen  = 64   // longer query words only match exactly
	threshold       = 0.70 // minimum fuzzy score
	extraPenalty    = 0.8  // per unpaired candidate word
	extraInitial    = 0.9  // per unpaired single-letter candidate word
	optionalPenalty = 0.85 // unpaired query word that looks like a misspelt company suffix
	joinedWeight    = 0.95 // words joined into one string
	maxJoinedScan   = 4096 // entries scanned per extra query word for joined comparison
	// maxOneWordSpread is how many entries a one-word query's word (with its spelling
	// neighbours) may appear in for the query to match names with more words.
	maxOneWordSpread = 50
	noMatch          = 0xFF
	initialMatch     = 0xFE
)

// typoSuffixes are the company suffixes long enough that a misspelling of them is
// recognisable ("Corportion", "Lt", "GmHb").
var typoSuffixes = [][]rune{
	[]rune("inc"), []rune("ltd"), []rune("llc"), []rune("plc"), []rune("llp"), []rune("pty"),
	[]rune("srl"), []rune("corp"), []rune("company"), []rune("corporation"), []rune("limited"),
	[]rune("incorporated"), []rune("gmbh"), []rune("pllc"),
}

// budget is the number of edits allowed between two words whose shorter one has n runes
// (before the short-word rule).
func budget(n int) int {
	switch {
	case n <= 3:
		return 0
	case n <= 5:
		return 1
	case n <= 9:
		return 2
	}
	return 3
}

// joinedBudget is the edit budget for words joined into one string of n runes. It is
// tighter than the per-word budget: the joined comparison is for words split or run
// together differently, not for more typos.
func joinedBudget(n int) int {
	switch {
	case n < 8:
		return 0
	case n < 16:
		return 1
	}
	return 2
}

// looksLikeSuffix reports a word that is a misspelling of a company suffix.
func looksLikeSuffix(w []rune, buf []int32) bool {
	for _, s := range typoSuffixes {
		mn, mx := min(len(w), len(s)), max(len(w), len(s))
		k := budget(mn)
		if mn <= 3 && mx >= 3 {
			k = 1
		}
		if k > 0 {
			if d := osaBounded(w, s, k, buf); d > 0 && d <= k {
				return true
			}
		}
	}
	return false
}

// query is the analysed query.
type query struct {
	raw        string
	a          analysis
	toks       []string // kept words, source order
	runes      [][]rune
	joined     []rune // words joined, source order
	joinedKey  string
	joinedMask uint64
	ids        []int32 // vocabulary id of each word, -1 if unknown
	initial    []bool  // single-letter word
	optional   []bool  // may stay unpaired (misspelt suffix)
	noExtras   bool    // candidates may not have unpaired words
}

func analyseQuery(raw string) *query {
	a := analyse(raw, false)
	if len(a.tokens) == 0 {
		return nil
	}
	m := len(a.tokens)
	q := &query{raw: raw, a: a, toks: a.tokens, joinedKey: strings.Join(a.tokens, "")}
	q.joined = []rune(q.joinedKey)
	q.joinedMask = maskOf(q.joined)
	q.runes = make([][]rune, m)
	q.initial = make([]bool, m)
	q.optional = make([]bool, m)
	for i, s := range q.toks {
		q.runes[i] = []rune(s)
		q.initial[i] = len(q.runes[i]) == 1
	}
	if last := q.runes[m-1]; m >= 2 && len(last) <= 16 {
		q.optional[m-1] = looksLikeSuffix(last, make([]int32, 3*16))
	}
	return q
}

// scratch is per-Check working memory, reused through Index.pool.
type scratch struct {
	gen    uint32
	seen   []uint32 // entry -> gen when already considered
	wstamp []uint32 // word -> gen when it has a row in dist
	wrow   []int32  // word -> row in dist
	dist   [][maxQueryWords]uint8
	near   [maxQueryWords][]int32
	pairs  []pair
	osa    []int32
	cat    []rune
}

type pair struct {
	i, j     int8
	d        uint8 // edits, or initialMatch
	w, earn  int32
	cond     bool // short-word one-edit pair, allowed only if long words match well
	longPair bool // both words have 4+ letters
}

func (ix *Index) getScratch() *scratch {
	sc, _ := ix.pool.Get().(*scratch)
	if sc == nil {
		sc = &scratch{}
	}
	reset := false
	if len(sc.seen) < len(ix.entries) {
		sc.seen = make([]uint32, len(ix.entries)+len(ix.entries)/4)
		reset = true
	}
	if len(sc.wstamp) < len(ix.words) {
		n := len(ix.words) + len(ix.words)/4
		sc.wstamp = make([]uint32, n)
		sc.wrow = make([]int32, n)
		reset = true
	}
	sc.gen++
	if reset || sc.gen == 0 { // stale stamps could collide with the new generation
		clear(sc.seen)
		clear(sc.wstamp)
		sc.gen = 1
	}
	sc.dist = sc.dist[:0]
	for i := range sc.near {
		sc.near[i] = sc.near[i][:0]
	}
	return sc
}

func (sc *scratch) osaBuf(n int) []int32 {
	if need := 3 * (n + 1); len(sc.osa) < need {
		sc.osa = make([]int32, need+16)
	}
	return sc.osa
}

// mark records that vocabulary word wid is within reach of query word i.
func (sc *scratch) mark(wid int32, i int, d uint8) {
	if sc.wstamp[wid] != sc.gen {
		sc.wstamp[wid] = sc.gen
		sc.wrow[wid] = int32(len(sc.dist))
		var row [maxQueryWords]uint8
		for k := range row {
			row[k] = noMatch
		}
		sc.dist = append(sc.dist, row)
	}
	row := &sc.dist[sc.wrow[wid]]
	if row[i] == noMatch || (d == initialMatch && row[i] != 0) {
		if row[i] == noMatch {
			sc.near[i] = append(sc.near[i], wid)
		}
		row[i] = d
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// fuzzy appends Fuzzy hits for q to recs.
func (ix *Index) fuzzy(q *query, sc *scratch, recs []hitRec) []hitRec {
	m := len(q.toks)
	allowShort, anyLong := false, false
	for _, r := range q.runes {
		allowShort = allowShort || len(r) >= 4
		anyLong = anyLong || len(r) >= 2
	}
	if !anyLong {
		return recs
	}
	q.ids = make([]int32, m)

	// Vocabulary words within reach of every query word.
	for i, qr := range q.runes {
		q.ids[i] = -1
		if id, ok := ix.wordID[q.toks[i]]; ok {
			q.ids[i] = id
			sc.mark(id, i, 0)
		}
		if q.initial[i] {
			continue // initials are compared directly with candidate words in verify
		}
		if fi, ok := ix.wordID[string(qr[0])]; ok { // "j" as an initial of "john"
			sc.mark(fi, i, initialMatch)
		}
		L := len(qr)
		if L > maxFuzzyTokLen {
			continue
		}
		qmask := maskOf(qr)
		buf := sc.osaBuf(L + 3)
		for n := max(1, L-3); n <= L+3 && n < len(ix.byLen); n++ {
			mn := min(L, n)
			k := budget(mn)
			if mn <= 3 && allowShort && max(L, n) >= 3 {
				k = 1
			}
			if k == 0 || abs(L-n) > k {
				continue // equality was handled by the wordID lookup
			}
			ids := ix.byLen[n]
			for x, wm := range ix.lenMask[n] {
				if bits.OnesCount64(wm^qmask) > 2*k {
					continue
				}
				wid := ids[x]
				if wid == q.ids[i] {
					continue
				}
				if d := osaBounded(qr, ix.words[wid].runes, k, buf); d <= k {
					sc.mark(wid, i, uint8(d))
				}
			}
		}
	}

	// Every word-pairing hit pairs each required query word with one of its near words,
	// so the entries containing the near words of any one required word are a complete
	// candidate set: use the smallest. If some required word has no near word at all,
	// only the joined-words comparison can succeed; it is tried on the entries of the
	// smallest non-empty set.
	driver, best := -1, math.MaxInt
	for i := range m {
		if q.initial[i] || q.optional[i] {
			continue
		}
		if cost := ix.cost(sc, i); cost > 0 && cost < best {
			driver, best = i, cost
		}
	}
	if driver < 0 {
		return recs
	}
	// A one-word query matches longer names ("Acme" -> "Acme Widgets") only when its
	// word is distinctive; a common word ("John") would otherwise return every name
	// containing it.
	required := 0
	for i := range m {
		if !q.optional[i] {
			required++
		}
	}
	q.noExtras = required == 1 && best > maxOneWordSpread
	for _, wid := range sc.near[driver] {
		for _, idx := range ix.post[wid] {
			if sc.seen[idx] == sc.gen {
				continue
			}
			sc.seen[idx] = sc.gen
			if h, ok := ix.verify(q, sc, idx); ok {
				recs = append(recs, h)
			}
		}
	}
	// Entries outside the driver's set cannot pair words, but their words may be split
	// differently ("Prego rLoujoboun"): compare joined words only.
	if m < 2 {
		return recs
	}
	for i := range m {
		if i == driver || q.initial[i] || q.optional[i] || len(q.runes[i]) < 4 || ix.cost(sc, i) > maxJoinedScan {
			continue
		}
		for _, wid := range sc.near[i] {
			for _, idx := range ix.post[wid] {
				if sc.seen[idx] == sc.gen {
					continue
				}
				sc.seen[idx] = sc.gen
				if h, ok := ix.verifyJoined(q, sc, idx, ix.etoks[idx]); ok {
					recs = append(recs, h)
				}
			}
		}
	}
	return recs
}

// cost is the number of candidate entries (with repeats) for query word i.
func (ix *Index) cost(sc *scratch, i int) int {
	n := 0
	for _, wid := range sc.near[i] {
		n += len(ix.post[wid])
	}
	return n
}

// verify scores entry idx against q (see the package documentation).
func (ix *Index) verify(q *query, sc *scratch, idx int32) (hitRec, bool) {
	ct := ix.etoks[idx]
	if h, ok := ix.verifyWords(q, sc, idx, ct); ok {
		return h, true
	}
	if len(q.toks) >= 2 || len(ct) >= 2 {
		return ix.verifyJoined(q, sc, idx, ct)
	}
	return hitRec{}, false
}

// verifyWords pairs the query's words with the candidate's.
func (ix *Index) verifyWords(q *query, sc *scratch, idx int32, ct []int32) (hitRec, bool) {
	m, n := len(q.toks), len(ct)
	nOpt := 0
	if q.optional[m-1] {
		nOpt = 1
	}
	maxN := m + 3
	if q.noExtras {
		maxN = m
	}
	if n < m-nOpt || n > maxN {
		return hitRec{}, false // too few words to pair, or too many to score >= threshold
	}
	ps := sc.pairs[:0]
	for j, cid := range ct {
		cw := &ix.words[cid]
		var row *[maxQueryWords]uint8
		if sc.wstamp[cid] == sc.gen {
			row = &sc.dist[sc.wrow[cid]]
		}
		cl := len(cw.runes)
		for i := range m {
			d := uint8(noMatch)
			if q.initial[i] {
				if cid == q.ids[i] {
					d = 0
				} else if cl >= 2 && cw.first == q.runes[i][0] {
					d = initialMatch
				}
			} else if row != nil {
				d = row[i]
			}
			if d == noMatch {
				continue
			}
			p := pair{i: int8(i), j: int8(j), d: d}
			ql := len(q.runes[i])
			if d == initialMatch {
				p.w, p.earn = 2, 1
			} else {
				p.w = int32(max(ql, cl))
				p.earn = p.w - int32(d)
				p.cond = d > 0 && min(ql, cl) <= 3
				p.longPair = min(ql, cl) >= 4
			}
			ps = append(ps, p)
		}
	}
	sc.pairs = ps
	if len(ps) < m-nOpt {
		return hitRec{}, false
	}
	// Closest pairs first: equal words, then higher similarity, then position.
	slices.SortFunc(ps, func(a, b pair) int {
		if (a.d == 0) != (b.d == 0) {
			if a.d == 0 {
				return -1
			}
			return 1
		}
		if c := cmp.Compare(b.earn*a.w, a.earn*b.w); c != 0 {
			return c
		}
		if c := cmp.Compare(a.i, b.i); c != 0 {
			return c
		}
		return cmp.Compare(a.j, b.j)
	})
	var usedQ, usedC uint32
	var chosen [maxQueryWords]pair
	nc := 0
	for _, p := range ps {
		if usedQ&(1<<p.i) != 0 || usedC&(1<<p.j) != 0 {
			continue
		}
		usedQ |= 1 << p.i
		usedC |= 1 << p.j
		chosen[nc] = p
		nc++
		if nc == m {
			break
		}
	}
	if bits.OnesCount32(usedQ) < m && !(nOpt == 1 && nc == m-1 && usedQ&(1<<(m-1)) == 0) {
		return hitRec{}, false
	}
	if q.noExtras && bits.OnesCount32(usedC) < n {
		return hitRec{}, false
	}
	var earn, w, longEarn, longW int32
	hasCond := false
	for _, p := range chosen[:nc] {
		earn += p.earn
		w += p.w
		if p.longPair {
			longEarn += p.earn
			longW += p.w
		}
		hasCond = hasCond || p.cond
	}
	if w == 0 || hasCond && (longW == 0 || longEarn*5 < longW*4) {
		return hitRec{}, false
	}
	score := float64(earn) / float64(w)
	if nc < m {
		score *= optionalPenalty
	}
	for j, cid := range ct {
		if usedC&(1<<j) == 0 {
			if len(ix.words[cid].runes) == 1 {
				score *= extraInitial
			} else {
				score *= extraPenalty
			}
		}
	}
	score = min(math.Round(score*1000)/1000, 0.99)
	if score < threshold {
		return hitRec{}, false
	}
	e := ix.entries[idx]
	return hitRec{Hit{Query: q.raw, Entry: e, Kind: Fuzzy, Score: score,
		Why: ix.explainWords(q, ct, chosen[:nc], usedC, e.Name)}, idx}, true
}

// verifyJoined compares the words joined in source order, for names whose words are
// split differently ("Mc Donald", "Prego rLoujoboun").
func (ix *Index) verifyJoined(q *query, sc *scratch, idx int32, ct []int32) (hitRec, bool) {
	n := 0
	var mask uint64
	for _, cid := range ct {
		n += len(ix.words[cid].runes)
		mask |= ix.words[cid].mask
	}
	mn, mx := min(len(q.joined), n), max(len(q.joined), n)
	k := joinedBudget(mn)
	if k == 0 || mx-mn > k || mx > 4*maxFuzzyTokLen || bits.OnesCount64(mask^q.joinedMask) > 2*k {
		return hitRec{}, false
	}
	cat := sc.cat[:0]
	for _, cid := range ct {
		cat = append(cat, ix.words[cid].runes...)
	}
	sc.cat = cat
	d := osaBounded(q.joined, cat, k, sc.osaBuf(len(cat)))
	if d > k {
		return hitRec{}, false
	}
	score := min(math.Round(joinedWeight*float64(mx-d)/float64(mx)*1000)/1000, 0.99)
	if score < threshold {
		return hitRec{}, false
	}
	e := ix.entries[idx]
	split := len(ct) != len(q.toks)
	for i := 0; !split && i < len(ct); i++ {
		split = len(ix.words[ct[i]].runes) != len(q.runes[i])
	}
	var why string
	switch {
	case d == 0:
		why = fmt.Sprintf("similar to “%s” (words split differently)", e.Name)
	case split:
		why = fmt.Sprintf("spelling close to “%s” (%s; words split differently)", e.Name, letters(d))
	default:
		why = fmt.Sprintf("spelling close to “%s” (%s)", e.Name, letters(d))
	}
	return hitRec{Hit{Query: q.raw, Entry: e, Kind: Fuzzy, Score: score, Why: why}, idx}, true
}

func letters(n int) string {
	if n == 1 {
		return "1 letter differs"
	}
	return fmt.Sprintf("%d letters differ", n)
}

// explainWords builds the Why sentence of a Fuzzy hit found by pairing words.
func (ix *Index) explainWords(q *query, ct []int32, chosen []pair, usedC uint32, name string) string {
	var parts []string
	edits := 0
	var initials []string
	for _, p := range chosen {
		if p.d == initialMatch {
			qs, cs := q.toks[p.i], ix.words[ct[p.j]].s
			if len(q.runes[p.i]) == 1 {
				qs, cs = cs, qs
			}
			initials = append(initials, fmt.Sprintf("“%s” as an initial of “%s”", cs, qs))
		} else {
			edits += int(p.d)
		}
	}
	if edits > 0 {
		parts = append(parts, letters(edits))
	}
	parts = append(parts, initials...)
	var extra []string
	for j, cid := range ct {
		if usedC&(1<<j) == 0 {
			extra = append(extra, fmt.Sprintf("“%s”", ix.words[cid].s))
		}
	}
	switch len(extra) {
	case 0:
	case 1:
		parts = append(parts, "extra word "+extra[0])
	default:
		parts = append(parts, "extra words "+strings.Join(extra, ", "))
	}
	if len(chosen) < len(q.toks) {
		parts = append(parts, fmt.Sprintf("“%s” taken for a company suffix", q.toks[len(q.toks)-1]))
	}
	// Word order: do the paired words appear in the same relative order in both names?
	order := slices.Clone(chosen)
	slices.SortFunc(order, func(a, b pair) int { return cmp.Compare(a.i, b.i) })
	for k := 1; k < len(order); k++ {
		if order[k].j < order[k-1].j {
			parts = append(parts, "different word order")
			break
		}
	}
	if len(parts) == 0 {
		parts = append(parts, "same words")
	}
	lead := "similar to"
	if edits > 0 {
		lead = "spelling close to"
	}
	return fmt.Sprintf("%s “%s” (%s)", lead, name, strings.Join(parts, "; "))
}
