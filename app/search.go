package app

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"casevault/app/access"
	"casevault/app/human"
	"casevault/store"
	"casevault/vault"
)

// Search ranks clients, aliases, matters, notes, parties and their other
// names, and documents (by name, folder and text), for query (every word, exactly, then as the start of a word, then
// one typing slip away: store.Tx.Search) and records the search: the
// query, and every record a hit showed (the access report, audit list
// --record, finds it). A hit's Snippet has the match in [brackets]:
// store.SnippetParts reads it.
func (s *Session) Search(ctx context.Context, query string, limit int) ([]store.SearchHit, error) {
	if err := s.allow(ctx, access.Search); err != nil {
		return nil, err
	}
	var out []store.SearchHit
	err := s.view(ctx, "search", func(tx *store.Tx) (string, string, error) {
		var err error
		out, err = tx.Search(query, limit)
		out = s.searchable(out)
		return strings.Join(hitRecords(nil, out), " "), fmt.Sprintf("query %s, %s", auditQuery(query), human.Count(len(out), "hit", "hits")), err
	})
	return out, err
}

// searchable drops the hits of kinds the user's role does not read
// (matters, notes, parties, documents); the client kinds are checked
// before the search. The records a user cannot see at all are never hits
// (store's viewer): a document of a walled matter or client is none.
func (s *Session) searchable(hits []store.SearchHit) []store.SearchHit {
	matters, notes, parties := s.Can(access.Matters, access.Read), s.Can(access.Notes, access.Read), s.Can(access.Parties, access.Read)
	docs := s.Can(access.Documents, access.Read)
	if matters && notes && parties && docs {
		return hits
	}
	out := hits[:0]
	for _, h := range hits {
		switch h.Kind {
		case "matter":
			if !matters {
				continue
			}
		case "note":
			if !notes || !matters {
				continue
			}
		case "party", "party_alias":
			if !parties || !matters {
				continue
			}
		case "document":
			// A document hit names the document and where it is (the
			// client, or the matter's title): documents read is enough,
			// as it is to list them.
			if !docs {
				continue
			}
		}
		out = append(out, h)
	}
	return out
}

// MaxAuditQuery is how many characters of a search's query its audit entry
// keeps. A longer query (something pasted by mistake) is cut there, with
// how long it was: the entry stays small, and the records the results
// showed are all recorded whatever the query's length.
const MaxAuditQuery = 500

// auditQuery is the query as an audit entry records it: quoted (escaped),
// and cut at MaxAuditQuery characters with a note of its whole length.
func auditQuery(q string) string {
	n := utf8.RuneCountInString(q)
	if n <= MaxAuditQuery {
		return fmt.Sprintf("%q", q)
	}
	return fmt.Sprintf("%q (%s characters in all)", human.Truncate(q, MaxAuditQuery), human.Number(int64(n)))
}

// hitRecords adds to set the records that hits show: the client of every
// hit, the matter of a matter or note hit (or of a matter's document), and
// the document of a document hit. It returns them sorted.
func hitRecords(set map[string]bool, hits []store.SearchHit) []string {
	if set == nil {
		set = map[string]bool{}
	}
	for _, h := range hits {
		if h.ClientID != 0 {
			set[ref("client", h.ClientID)] = true
		}
		if h.MatterID != 0 {
			set[ref("matter", h.MatterID)] = true
		}
		if h.Kind == "document" && h.DocumentID != 0 {
			set[ref("document", h.DocumentID)] = true
		}
	}
	out := make([]string, 0, len(set))
	for r := range set {
		out = append(out, r)
	}
	slices.SortFunc(out, compareRefs)
	return out
}

// compareRefs orders "client:9" before "client:10", and kinds by name.
func compareRefs(a, b string) int {
	ka, ia, _ := strings.Cut(a, ":")
	kb, ib, _ := strings.Cut(b, ":")
	if c := strings.Compare(ka, kb); c != 0 {
		return c
	}
	if c := len(ia) - len(ib); c != 0 {
		return c
	}
	return strings.Compare(ia, ib)
}

// searchBurst is search-as-you-type between two recorded entries.
type searchBurst struct {
	query    string          // the last query searched
	searches int             // searches run
	records  map[string]bool // every record the results showed
}

// SearchAsYouType is Search for a field that searches as the person types:
// it returns the same hits, but instead of one audit entry per keystroke it
// gathers the searches until SettleSearch (or Close) records them as one
// "search" entry: the last query, and every record that any of the
// searches' results showed, so the access report misses nothing that
// appeared on the screen. The front end calls SettleSearch when the typing
// settles (a pause), the field is cleared or left, or a result is opened.
//
// A failed search records nothing (it showed nothing).
func (s *Session) SearchAsYouType(ctx context.Context, query string, limit int) ([]store.SearchHit, error) {
	if err := s.allow(ctx, access.Search); err != nil {
		return nil, err
	}
	var out []store.SearchHit
	err := s.st.View(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.Search(query, limit)
		out = s.searchable(out)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.burstMu.Lock()
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed { // Close has recorded the burst already (or is about to): show nothing more
		s.burstMu.Unlock()
		return nil, vault.ErrClosed
	}
	b := s.burst
	if b == nil {
		b = &searchBurst{records: map[string]bool{}}
		s.burst = b
	}
	b.query = query
	b.searches++
	hitRecords(b.records, out)
	s.burstMu.Unlock()
	return out, nil
}

// settleTaken, when set (tests), runs after SettleSearch has taken the burst
// and before it writes it.
var settleTaken func()

// SettleSearch records the searches SearchAsYouType gathered since the last
// SettleSearch, if any, as one audit entry. It is safe to call at any time
// and from any goroutine; Close calls it.
func (s *Session) SettleSearch(ctx context.Context) error {
	s.settleMu.Lock()
	defer s.settleMu.Unlock()
	s.burstMu.Lock()
	b := s.burst
	s.burst = nil
	s.burstMu.Unlock()
	if b == nil {
		return nil
	}
	if settleTaken != nil {
		settleTaken()
	}
	recs := hitRecords(b.records, nil)
	detail := fmt.Sprintf("query %s, typed: %s, %s shown", auditQuery(b.query),
		human.Count(b.searches, "search", "searches"), human.Count(len(recs), "record", "records"))
	return s.audit(ctx, "search", strings.Join(recs, " "), detail)
}
