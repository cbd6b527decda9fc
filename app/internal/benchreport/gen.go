package main

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"casevault/store"
)

// The data set is invented and deterministic: the same seed gives the same
// clients, matters and parties in every process (the build child, the
// measure child and the SQLCipher script), so casevault and the peer insert
// the same rows. Names come from one random stream and the bulky details
// (notes, addresses) from another, so a process that needs only the names
// does not have to generate (and hold) 15 MB of notes.

var syllables = []string{
	"ka", "lo", "mi", "ren", "sto", "bar", "an", "el", "vi", "dor", "tha", "quin",
	"mar", "sel", "ru", "ne", "fa", "gol", "ber", "tin", "os", "ca", "lin", "dre",
	"po", "shi", "val", "mon", "te", "zu", "gra", "hal", "ek", "wen", "fi", "lor",
	"ni", "sa", "bel", "kor", "ud", "ja", "pe", "ris", "ta", "vo", "ham", "cy",
}

var companySuffixes = []string{"LLC", "Inc.", "Ltd", "Corp.", "GmbH", "Holdings LLC", "& Co."}
var practiceAreas = []string{"family", "estate", "real estate", "employment", "immigration", "criminal", "business", "personal injury"}

func cap1(s string) string { return strings.ToUpper(s[:1]) + s[1:] }

func word(r *rand.Rand, minSyl, maxSyl int) string {
	n := minSyl + r.IntN(maxSyl-minSyl+1)
	var b strings.Builder
	for range n {
		b.WriteString(syllables[r.IntN(len(syllables))])
	}
	return b.String()
}

func personName(r *rand.Rand) string {
	return cap1(word(r, 2, 3)) + " " + cap1(word(r, 2, 4))
}

func companyName(r *rand.Rand) string {
	return cap1(word(r, 2, 3)) + " " + cap1(word(r, 2, 3)) + " " + companySuffixes[r.IntN(len(companySuffixes))]
}

// people are the names of a data set of n clients, one matter each, with an
// adverse party, a related party and opposing counsel: 3n parties.
type people struct {
	clients []string
	parties [][3]string // adverse, related, opposing counsel
}

var partyRoles = [3]string{store.RoleAdverse, store.RoleRelated, store.RoleOpposingCounsel}

func genPeople(n int, seed uint64) people {
	r := rand.New(rand.NewPCG(seed, 1))
	p := people{clients: make([]string, n), parties: make([][3]string, n)}
	for i := range n {
		p.clients[i] = personName(r)
		adverse := personName(r)
		if r.IntN(3) == 0 {
			adverse = companyName(r)
		}
		p.parties[i] = [3]string{adverse, personName(r), personName(r) + ", " + cap1(word(r, 2, 3)) + " & " + cap1(word(r, 2, 3)) + " LLP"}
	}
	return p
}

// allNames lists every name a conflict check compares against (clients and parties).
func (p people) allNames() []string {
	out := append([]string(nil), p.clients...)
	for _, ps := range p.parties {
		out = append(out, ps[:]...)
	}
	return out
}

// details generates the bulky fields of clients in order.
type details struct{ r *rand.Rand }

func newDetails(seed uint64) *details { return &details{rand.New(rand.NewPCG(seed, 2))} }

func phone(r *rand.Rand) string {
	return fmt.Sprintf("+1 555 %03d %04d", r.IntN(1000), r.IntN(10000))
}

// note returns prose of 1024–2048 bytes.
func (d *details) note() string {
	target := 1024 + d.r.IntN(1025)
	var b strings.Builder
	for b.Len() < target {
		w := word(d.r, 1, 3)
		if b.Len() == 0 || strings.HasSuffix(b.String(), ". ") {
			w = cap1(w)
		}
		b.WriteString(w)
		if d.r.IntN(9) == 0 {
			b.WriteString(". ")
		} else {
			b.WriteByte(' ')
		}
	}
	s := strings.TrimSpace(b.String())
	if len(s) > 2048 {
		s = strings.TrimSpace(s[:2048])
	}
	return s
}

func (d *details) client(name string) *store.Client {
	r := d.r
	parts := strings.Fields(name)
	c := &store.Client{
		Name:    name,
		Email:   strings.ToLower(parts[0]+"."+parts[len(parts)-1]) + "@example.com",
		Phone:   phone(r),
		DOB:     time.Date(1940+r.IntN(65), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC).Format("2006-01-02"),
		Address: fmt.Sprintf("%d %s Street, %s", 1+r.IntN(999), cap1(word(r, 2, 3)), cap1(word(r, 2, 3))),
	}
	c.Notes = d.note()
	return c
}

func (d *details) matter(clientID int64, clientName string, parties [3]string) *store.Matter {
	parts := strings.Fields(clientName)
	m := &store.Matter{
		ClientID:     clientID,
		Title:        parts[len(parts)-1] + " v. " + parties[0],
		PracticeArea: practiceAreas[d.r.IntN(len(practiceAreas))],
	}
	for i, p := range parties {
		m.Parties = append(m.Parties, store.Party{Role: partyRoles[i], Name: p})
	}
	return m
}

// typo swaps two adjacent letters inside the longest word of name, the kind
// of slip a fuzzy conflict check must catch ("Jon Smtih").
func typo(name string) string {
	words := strings.Fields(name)
	li := 0
	for i, w := range words {
		if len(w) > len(words[li]) {
			li = i
		}
	}
	w := []byte(words[li])
	if len(w) >= 4 {
		j := len(w) / 2
		w[j], w[j+1] = w[j+1], w[j]
	}
	words[li] = string(w)
	return strings.Join(words, " ")
}

// queries returns k conflict-check names (half exact names from the vault,
// half with a typo) and k search words (a client's surname).
func queries(p people, k int, seed uint64) (conflicts, searches []string) {
	r := rand.New(rand.NewPCG(seed, 3))
	all := p.allNames()
	for i := range k {
		n := all[r.IntN(len(all))]
		if i%2 == 1 {
			n = typo(n)
		}
		conflicts = append(conflicts, n)
		c := strings.Fields(p.clients[r.IntN(len(p.clients))])
		searches = append(searches, c[len(c)-1])
	}
	return conflicts, searches
}
