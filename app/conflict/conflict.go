// Package conflict finds names in the vault that may be the same person or company as
// a name being checked for a conflict of interest. It is pure Go: no SQL, no I/O.
//
// # Kinds of hit
//
// A query is compared with every indexed name; each entry is reported at most once, with
// the strongest kind that applies:
//
//   - Exact: identical after trimming, collapsing runs of white space, Unicode
//     composition (NFC) and case folding. Score 1.
//   - Normalised: equal Normalise keys (accents, punctuation, word order, company
//     suffixes and "the" ignored). Score 1.
//   - Fuzzy: similar words, scored as below. Score in [0.70, 0.99].
//
// # Fuzzy scoring
//
// Both names are split into normalised words (see Normalise). Every query word must be
// paired with a different word of the candidate; pairs are chosen greedily, closest
// first:
//
//  1. Two words pair if their optimal-string-alignment (Damerau–Levenshtein) distance d
//     is within a budget set by the shorter word's length: 4–5 letters: 1, 6–9: 2,
//     10+: 3. A pair is worth w = the longer word's length and earns w-d.
//  2. A word of 3 letters or fewer must be equal, or one edit away from a word of 3+
//     letters; the one-edit case counts only if the name also pairs words of 4+ letters
//     with similarity sum(w-d)/sum(w) >= 0.8. So "Jon Smtih" finds "John Smith", but
//     "Al Wu" never finds "Ed Wu" or "Al Wo".
//  3. A single letter pairs with a word starting with it, as an initial (w=2, earns 1):
//     "J. Smith" and "John Smith" find each other.
//  4. score = sum(earned)/sum(w), times 0.8 for every candidate word left unpaired (0.9
//     for a single letter), and times 0.85 if the query's last word looks like a
//     misspelt company suffix ("Corportion", "Lt") and is left unpaired. "John Smith"
//     finds "John Michael Smith" at 0.8, but not "John Smithson-Kowalczyk Holdings"
//     (smith/smithson is 3 edits).
//  5. A hit needs score >= 0.70; scores are rounded to 3 decimals and capped at 0.99.
//
// A one-word query ("Acme", "Aivy") matches names with more words ("Acme Widgets") only
// if its word, with its spelling neighbours, occurs in at most 50 entries; otherwise a
// common first name or surname would return every name containing it.
//
// When the words cannot be paired, the words joined in their original order are
// compared as one string w letters long: equal joined strings score 0.95 ("Mc Donald"
// and "McDonald", "Smith-Jones" and "Smithjones"); otherwise 1 edit is allowed for
// 8–15 letters and 2 for 16+, scoring 0.95*(w-d)/w ("Prego rLoujoboun" finds
// "Pregoyr Loujoboun"). This is tighter than the per-word budget on purpose: it is for
// words split or run together differently, not for more typos.
//
// Queries with no letters or digits return no hits. Queries of more than 16 words get
// only Exact, Normalised and equal-joined-letters hits, as do queries made only of
// single letters.
//
// # Finding candidates
//
// The Index keeps maps from Normalise key and from joined words to entries, a
// vocabulary of distinct normalised words bucketed by length with a 64-bit letter mask
// per word, and a posting list from each word to the entries containing it. Check scans
// only the vocabulary buckets whose length is within the edit budget, rejects most words
// with the letter mask, runs a bounded distance on the rest, and verifies only the
// entries in the postings of the query word with the fewest candidate entries. Per-call
// scratch space comes from a sync.Pool, so the inner loops do not allocate.
//
// # Concurrency
//
// An Index is safe for concurrent use: Check takes a read lock and runs in parallel with
// other Checks; Add takes the write lock and is cheap (amortised O(words in the name)).
package conflict

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Entry is one name known to the vault that a conflict check compares against.
type Entry struct {
	Name     string // as stored, e.g. "ACME Corporation, Inc."
	Role     string // "client", "alias", "adverse", "related", "opposing_counsel"
	ClientID int64  // the client this name is, or whose matter it appears in (0 if none)
	MatterID int64  // 0 when the name is a client or alias, not a matter party
	Ref      any    // opaque payload the caller passes through (may be nil)
}

// MatchKind says how a Hit matched.
type MatchKind int

const (
	Exact      MatchKind = iota + 1 // identical after trimming and case folding only
	Normalised                      // equal after full normalisation (accents, punctuation, word order, company suffixes)
	Fuzzy                           // similar (typos, transpositions, missing letters)
)

// String returns "exact", "normalised" or "fuzzy".
func (k MatchKind) String() string {
	switch k {
	case Exact:
		return "exact"
	case Normalised:
		return "normalised"
	case Fuzzy:
		return "fuzzy"
	}
	return fmt.Sprintf("MatchKind(%d)", int(k))
}

// Hit is one indexed name that may be the same as the query.
type Hit struct {
	Query string
	Entry Entry
	Kind  MatchKind
	Score float64 // 1.0 for exact; (0,1] otherwise; higher is closer
	Why   string  // one short human sentence, e.g. `spelling close to "John Smith" (2 letters differ)`
}

// word is one distinct normalised word in the vocabulary.
type word struct {
	s     string
	runes []rune
	mask  uint64
	first rune
}

// Index is a conflict-check index over a set of entries. Build one with NewIndex (a
// zero Index is an empty index). It is safe for concurrent use.
type Index struct {
	mu      sync.RWMutex
	entries []Entry
	etoks   [][]int32 // per entry: its words (vocabulary ids) in source order; nil if unindexed
	norm    multiMap
	joined  multiMap // words joined without spaces, in source order
	wordID  map[string]int32
	words   []word
	post    [][]int32  // word id -> entries containing it, ascending, no duplicates
	byLen   [][]int32  // rune length -> word ids
	lenMask [][]uint64 // rune length -> letter masks, parallel to byLen (scanned contiguously)
	pool    sync.Pool  // *scratch
	tk      tokenizer  // reused by add, under the write lock
}

// NewIndex builds an index over entries.
func NewIndex(entries []Entry) *Index {
	n := len(entries)
	ix := &Index{
		entries: make([]Entry, 0, n),
		etoks:   make([][]int32, 0, n),
		norm:    newMultiMap(n),
		joined:  newMultiMap(n),
		wordID:  make(map[string]int32, n/2),
		words:   make([]word, 0, n/2),
		post:    make([][]int32, 0, n/2),
	}
	for _, e := range entries {
		ix.add(e)
	}
	return ix
}

// Add indexes one more entry. It takes the index's write lock, so it may be called
// while other goroutines Check.
func (ix *Index) Add(e Entry) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.add(e)
}

// Len returns the number of entries added, including any whose name has no letters or
// digits (such entries are never matched).
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return len(ix.entries)
}

func (ix *Index) add(e Entry) {
	if ix.wordID == nil { // zero Index
		ix.norm, ix.joined = newMultiMap(0), newMultiMap(0)
		ix.wordID = map[string]int32{}
	}
	idx := int32(len(ix.entries))
	ix.entries = append(ix.entries, e)
	a := ix.tk.analyse(e.Name)
	if len(a.tokens) == 0 {
		ix.etoks = append(ix.etoks, nil)
		return
	}
	ix.norm.add(normKey(a.tokens), idx)
	if len(a.tokens) > 1 { // a one-word name's joined key is its Normalise key
		ix.joined.add(strings.Join(a.tokens, ""), idx)
	}
	ids := make([]int32, len(a.tokens))
	for i, s := range a.tokens {
		id := ix.intern(s)
		ids[i] = id
		if p := ix.post[id]; len(p) == 0 || p[len(p)-1] != idx {
			ix.post[id] = append(p, idx)
		}
	}
	ix.etoks = append(ix.etoks, ids)
}

func (ix *Index) intern(s string) int32 {
	if id, ok := ix.wordID[s]; ok {
		return id
	}
	id := int32(len(ix.words))
	rs := []rune(s)
	ix.words = append(ix.words, word{s: s, runes: rs, mask: maskOf(rs), first: rs[0]})
	ix.post = append(ix.post, nil)
	ix.wordID[s] = id
	for len(ix.byLen) <= len(rs) {
		ix.byLen = append(ix.byLen, nil)
		ix.lenMask = append(ix.lenMask, nil)
	}
	ix.byLen[len(rs)] = append(ix.byLen[len(rs)], id)
	ix.lenMask[len(rs)] = append(ix.lenMask[len(rs)], ix.words[id].mask)
	return id
}

// multiMap maps a key to a chain of entries, newest first, without a slice per key.
type multiMap struct {
	head map[string]int32 // key -> newest entry with that key
	next []int32          // entry -> previous entry with the same key, or -1
}

func newMultiMap(n int) multiMap {
	return multiMap{head: make(map[string]int32, n), next: make([]int32, 0, n)}
}

func (mm *multiMap) add(key string, idx int32) {
	for int(idx) >= len(mm.next) {
		mm.next = append(mm.next, -1)
	}
	if h, ok := mm.head[key]; ok {
		mm.next[idx] = h
	}
	mm.head[key] = idx
}

// first returns the newest entry with key, or -1.
func (mm *multiMap) first(key string) int32 {
	if h, ok := mm.head[key]; ok {
		return h
	}
	return -1
}

type hitRec struct {
	Hit
	idx int32
}

// Check returns hits for one query name, best first: Kind ascending (Exact, Normalised,
// Fuzzy), then Score descending, then Entry.Name, Role, ClientID, MatterID and insertion
// order, so the order is deterministic. It returns nil when nothing matches, and for
// queries with no letters or digits.
func (ix *Index) Check(query string) []Hit {
	q := analyseQuery(query)
	if q == nil {
		return nil
	}
	qkey := normKey(q.toks)
	ek := exactKey(query)

	ix.mu.RLock()
	defer ix.mu.RUnlock()
	sc := ix.getScratch()
	defer ix.pool.Put(sc)

	var recs []hitRec
	// Names equal up to case and spacing have equal Normalise keys too, so Exact hits
	// are found among the Normalised candidates.
	for idx := ix.norm.first(qkey); idx >= 0; idx = ix.norm.next[idx] {
		sc.seen[idx] = sc.gen
		e := ix.entries[idx]
		if exactKey(e.Name) == ek {
			recs = append(recs, hitRec{Hit{Query: query, Entry: e, Kind: Exact, Score: 1,
				Why: fmt.Sprintf("same name as “%s”", e.Name)}, idx})
		} else {
			recs = append(recs, hitRec{Hit{Query: query, Entry: e, Kind: Normalised, Score: 1,
				Why: explainNormalised(q, e.Name)}, idx})
		}
	}
	// Same letters, words split differently: multi-word entries by joined key, and
	// one-word entries (whose Normalise key is their joined key).
	for _, mm := range []*multiMap{&ix.joined, &ix.norm} {
		for idx := mm.first(q.joinedKey); idx >= 0; idx = mm.next[idx] {
			if sc.seen[idx] == sc.gen {
				continue
			}
			sc.seen[idx] = sc.gen
			e := ix.entries[idx]
			recs = append(recs, hitRec{Hit{Query: query, Entry: e, Kind: Fuzzy, Score: joinedWeight,
				Why: fmt.Sprintf("similar to “%s” (same letters, split into words differently)", e.Name)}, idx})
		}
	}
	if len(q.toks) <= maxQueryWords {
		recs = ix.fuzzy(q, sc, recs)
	}
	if len(recs) == 0 {
		return nil
	}
	slices.SortFunc(recs, func(a, b hitRec) int {
		if c := cmp.Compare(a.Kind, b.Kind); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		if c := strings.Compare(a.Entry.Name, b.Entry.Name); c != 0 {
			return c
		}
		if c := strings.Compare(a.Entry.Role, b.Entry.Role); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Entry.ClientID, b.Entry.ClientID); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Entry.MatterID, b.Entry.MatterID); c != 0 {
			return c
		}
		return cmp.Compare(a.idx, b.idx)
	})
	hits := make([]Hit, len(recs))
	for i := range recs {
		hits[i] = recs[i].Hit
	}
	return hits
}

// explainNormalised builds the Why sentence of a Normalised hit: which normalisations
// made the two names equal.
func explainNormalised(q *query, name string) string {
	ca := analyse(name, false)
	var what []string
	if (q.a.info|ca.info)&infoAccents != 0 {
		qk, ck := analyse(q.raw, true), analyse(name, true)
		if !slices.Equal(sortedCopy(qk.tokens), sortedCopy(ck.tokens)) {
			what = append(what, "accents")
		}
	}
	if punctOf(q.raw) != punctOf(name) {
		what = append(what, "punctuation")
	}
	if !slices.Equal(q.toks, ca.tokens) {
		what = append(what, "word order")
	}
	if !slices.Equal(sortedCopy(q.a.removed), sortedCopy(ca.removed)) {
		what = append(what, "company suffix")
	}
	if len(what) == 0 {
		return fmt.Sprintf("same name as “%s” after normalisation", name)
	}
	return fmt.Sprintf("same name as “%s” apart from %s", name, joinAnd(what))
}

func sortedCopy(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func joinAnd(s []string) string {
	if len(s) <= 1 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}
