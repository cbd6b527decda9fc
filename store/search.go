package store

import (
	"strings"
	"unicode"
)

// SearchHit is one full-text match.
type SearchHit struct {
	Kind     string // client, alias, matter, note, party, party_alias
	ClientID int64
	MatterID int64
	PartyID  int64  // a party's or party alias's hit: the party
	Title    string // client name or matter title
	Snippet  string // the matching text with the match in [brackets]
	Rank     float64
}

// FTSQuery turns what a person typed into an FTS5 query: every word must
// match, the last one as a prefix. Operators and quotes are neutralised.
func FTSQuery(input string) string {
	words := strings.FieldsFunc(input, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
	if len(words) == 0 {
		return ""
	}
	var b strings.Builder
	for i, w := range words {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(`"` + w + `"`)
		if i == len(words)-1 {
			b.WriteByte('*')
		}
	}
	return b.String()
}

// Search ranks the clients, aliases, matters and notes matching query that
// the viewer sees (BM25, names weighted ten times the body; equal ranks
// in the index's rowid order). Hidden records are left out before the
// limit: a search shows neither them nor a gap where they were, and the
// hits it shows are in the order everyone's search gives them.
func (tx *Tx) Search(query string, limit int) ([]SearchHit, error) {
	q := FTSQuery(query)
	if q == "" {
		return nil, nil
	}
	if limit <= 0 {
		limit = 50
	}
	h, err := tx.hidden()
	if err != nil {
		return nil, err
	}
	hits, err := tx.searchRanked(q, limit, h)
	if err != nil {
		return nil, err
	}
	for i := range hits {
		h := &hits[i]
		if h.Kind == "note" {
			if err := tx.QueryRow("SELECT matter_id FROM notes WHERE id = ?", -h.MatterID).Scan(&h.MatterID); err != nil {
				return nil, err
			}
		}
		if h.PartyID != 0 {
			if err := tx.QueryRow("SELECT matter_id FROM parties WHERE id = ?", h.PartyID).Scan(&h.MatterID); err != nil {
				return nil, err
			}
		}
		if h.MatterID != 0 {
			if err := tx.QueryRow("SELECT m.client_id, m.title FROM matters m WHERE m.id = ?", h.MatterID).Scan(&h.ClientID, &h.Title); err != nil {
				return nil, err
			}
		} else if err := tx.QueryRow("SELECT name FROM clients WHERE id = ?", h.ClientID).Scan(&h.Title); err != nil {
			return nil, err
		}
	}
	return hits, nil
}

// searchSlack is how many hits more than the limit a filtered search asks
// of the index at first (searchRanked).
func searchSlack(limit int) int { return 5 + limit/4 }

// searchRanked is the ranked query: everyone's, the same for a viewer from
// whom the index hides rows (h), and with the same order, equal ranks in
// rowid order. For such a viewer it first asks everyone's query for a few
// more hits than limit and drops the hidden ones here, which costs about
// nothing more while hidden rows are rare among the best matches; only
// when that leaves fewer than limit hits and the index has more does it
// ask again with the hidden rows left out in the statement (a fixed cost
// for reading the set, a probe per match).
func (tx *Tx) searchRanked(q string, limit int, h *hiddenSets) ([]SearchHit, error) {
	const ranked = `
		SELECT s.rowid, s.kind, s.ref, bm25(search, 0, 0, 10.0, 1.0) AS r,
		       snippet(search, -1, '[', ']', '…', 12)
		FROM search s WHERE search MATCH ?1`
	const order = ` ORDER BY r, s.rowid LIMIT ?2`
	if !h.any() {
		hits, _, err := tx.searchRows(ranked+order, q, limit)
		return hits, err
	}
	ask := limit + searchSlack(limit)
	all, rowids, err := tx.searchRows(ranked+order, q, ask)
	if err != nil {
		return nil, err
	}
	hits := all[:0]
	for i, hit := range all {
		if !h.searchRows[rowids[i]] && len(hits) < limit {
			hits = append(hits, hit)
		}
	}
	if len(hits) == limit || len(all) < ask {
		return hits, nil
	}
	hits, _, err = tx.searchRows(ranked+` AND s.rowid NOT IN (SELECT value FROM json_each(?3))`+order, q, limit, h.searchJSON)
	return hits, err
}

// searchRows runs a search query whose columns are rowid, kind, ref, rank
// and snippet, and returns the hits and their rowids; a note's hit carries
// -(its id) in MatterID, for Search to resolve.
func (tx *Tx) searchRows(query string, args ...any) (hits []SearchHit, rowids []int64, err error) {
	rows, err := tx.Query(query, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var h SearchHit
		var rowid, ref int64
		if err := rows.Scan(&rowid, &h.Kind, &ref, &h.Rank, &h.Snippet); err != nil {
			return nil, nil, err
		}
		rowids = append(rowids, rowid)
		switch h.Kind {
		case "client", "alias":
			h.ClientID = ref
		case "matter":
			h.MatterID = ref
		case "note":
			h.MatterID = -ref // resolved by Search
		case "party", "party_alias":
			h.PartyID = ref // its matter resolved by Search
		}
		hits = append(hits, h)
	}
	return hits, rowids, rows.Err()
}
