package app

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode"

	"casevault/store"
)

// redactAudit removes, inside a destruction's transaction, the detail of
// every audit entry about what the destruction removed: every entry whose
// records name one of refs ("client:5", "document:3", ...) and, when names
// is not empty, every entry whose detail contains one of names (compared
// in lower case; names of fewer than 3 letters are skipped, as they would
// match nearly everything). The entries stay, with their id, time, actor,
// action and records; their detail is empty and a row of audit_redactions
// says which destruction (number) removed it and holds what still verifies
// the entry (see audit.go). Entries in sealed segments get their rows now
// and their segment is marked to be written again without those details
// at the next checkpoint (store.sealAudit), which the destruction runs.
//
// It reads each live entry that still has a detail once and each sealed
// segment once, whatever the number of refs and names (one automaton over
// all the names). It returns how many entries it redacted.
func (s *Session) redactAudit(tx *store.Tx, number string, refs, names []string) (redacted int, err error) {
	tx = tx.As(store.Everyone)
	refSet := make(map[string]bool, len(refs))
	for _, r := range refs {
		refSet[r] = true
	}
	nm := newNameMatcher(redactNames(names))
	matches := func(e *store.AuditEntry) bool {
		if e.Detail == "" || e.Redaction != "" {
			return false // nothing to remove
		}
		for _, f := range strings.Fields(e.Records) {
			if refSet[f] {
				return true
			}
		}
		return nm.matchLower(e.Detail)
	}
	at := s.now().UTC()
	var rs []store.AuditRedaction
	err = s.withChain(tx, func(k *chainKeys) error {
		c := k.macs()
		redact := func(e *store.AuditEntry) {
			r := store.AuditRedaction{EntryID: e.ID, Destruction: number, At: at}
			switch {
			case e.ID >= k.v2From:
				// A changed detail gives a detail_mac that does not match
				// the entry's hash: the chain stays broken there.
				r.MAC = c.detailMAC(e)
			case c.check(e) == "":
				r.MAC = c.sealOf(e)
			default:
				// A v1 entry that was changed is not sealed as if it were
				// intact: the check keeps saying it was changed.
				r.MAC = make([]byte, 32)
			}
			rs = append(rs, r)
		}
		if err := tx.EachAuditDetail(func(e *store.AuditEntry) error {
			if matches(e) {
				cp := *e
				redact(&cp)
			}
			return nil
		}); err != nil {
			return fmt.Errorf("reading the audit trail: %w", err)
		}
		segs, err := tx.AuditSegments()
		if err != nil {
			return err
		}
		for _, sg := range segs {
			es, err := tx.ReadAuditSegment(sg)
			if err != nil {
				return fmt.Errorf("reading the sealed part of the audit trail holding entries %d to %d: %w", sg.FirstID, sg.LastID, err)
			}
			n := len(rs)
			for _, e := range es {
				if matches(e) {
					redact(e)
				}
			}
			if len(rs) > n {
				if err := tx.MarkAuditReseal(sg.Seq); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	if err := tx.RedactAuditEntries(rs); err != nil {
		return 0, err
	}
	return len(rs), nil
}

// RedactedWords is what an entry whose detail a destruction removed shows
// in place of it.
func RedactedWords(number string) string {
	return "removed when file " + number + " was destroyed"
}

// AuditDetail is an entry's detail as exports and reports show it: as
// recorded, or the words saying which destruction removed it.
func AuditDetail(e *store.AuditEntry) string {
	if e.Redaction != "" {
		return RedactedWords(e.Redaction)
	}
	return e.Detail
}

// redactNames is the lower-case forms to look for in details: each name of
// 3 letters or more, trimmed, and its JSON form too when that differs (a
// conflict check records the names it checked as JSON, where "&" is
// "\u0026" and a quote "\"").
func redactNames(names []string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, n := range names {
		n = strings.ToLower(strings.TrimSpace(n))
		letters := 0
		for _, r := range n {
			if unicode.IsLetter(r) {
				letters++
			}
		}
		if letters < 3 {
			continue
		}
		add(n)
		if b, err := json.Marshal(n); err == nil {
			add(strings.ToLower(string(b[1 : len(b)-1])))
		}
	}
	return out
}

// nameMatcher finds whether a text contains any of a set of strings, in
// one pass over the text (Aho-Corasick, as a complete automaton over the
// bytes that occur in the strings).
type nameMatcher struct {
	class   [256]uint16 // byte -> column; 0: a byte no string has
	classes int
	next    []int32 // state*classes + column -> state
	out     []bool  // a string ends at this state (or at one of its suffixes)
}

func newNameMatcher(pats []string) *nameMatcher {
	m := &nameMatcher{classes: 1}
	for _, p := range pats {
		for i := 0; i < len(p); i++ {
			if m.class[p[i]] == 0 {
				m.class[p[i]] = uint16(m.classes)
				m.classes++
			}
		}
	}
	if len(pats) == 0 {
		return m
	}
	// The trie: state 0 is the root; -1 no edge yet. At most one state
	// per byte of the strings, plus the root.
	total := 1
	for _, p := range pats {
		total += len(p)
	}
	m.next = make([]int32, 0, total*m.classes)
	m.out = make([]bool, 0, total)
	newState := func() int32 {
		n := len(m.next)
		m.next = m.next[:n+m.classes]
		for i := n; i < len(m.next); i++ {
			m.next[i] = -1
		}
		m.out = append(m.out, false)
		return int32(len(m.out) - 1)
	}
	newState()
	for _, p := range pats {
		st := int32(0)
		for i := 0; i < len(p); i++ {
			c := int32(m.class[p[i]])
			if m.next[st*int32(m.classes)+c] < 0 {
				n := newState()
				m.next[st*int32(m.classes)+c] = n
			}
			st = m.next[st*int32(m.classes)+c]
		}
		m.out[st] = true
	}
	// Breadth first: complete each state's row with its failure state's.
	fail := make([]int32, len(m.out))
	queue := make([]int32, 0, len(m.out))
	k := int32(m.classes)
	for c := int32(0); c < k; c++ {
		if n := m.next[c]; n < 0 {
			m.next[c] = 0
		} else {
			fail[n] = 0
			queue = append(queue, n)
		}
	}
	for len(queue) > 0 {
		st := queue[0]
		queue = queue[1:]
		m.out[st] = m.out[st] || m.out[fail[st]]
		for c := int32(0); c < k; c++ {
			n := m.next[st*k+c]
			if n < 0 {
				m.next[st*k+c] = m.next[fail[st]*k+c]
				continue
			}
			fail[n] = m.next[fail[st]*k+c]
			queue = append(queue, n)
		}
	}
	return m
}

// matchLower reports whether the lower case of text contains one of the
// strings.
func (m *nameMatcher) matchLower(text string) bool {
	if len(m.out) == 0 {
		return false
	}
	return m.match(strings.ToLower(text))
}

func (m *nameMatcher) match(text string) bool {
	st, k := int32(0), int32(m.classes)
	for i := 0; i < len(text); i++ {
		st = m.next[st*k+int32(m.class[text[i]])]
		if m.out[st] {
			return true
		}
	}
	return false
}
