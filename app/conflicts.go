package app

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"casevault/app/access"
	"casevault/app/conflict"
	"casevault/app/human"
	"casevault/store"
)

// ConflictHit is one name in the vault that resembles a checked name.
type ConflictHit struct {
	Query    string  `json:"query"`
	Name     string  `json:"name"`
	Role     string  `json:"role"` // client, alias, joint_client, or a party's: adverse, related, opposing_counsel, co_counsel, witness
	Match    string  `json:"match"`
	Score    float64 `json:"score"`
	Why      string  `json:"why"`
	ClientID int64   `json:"client_id"`
	// Hidden: a match in a client or matter the user may not see. Only
	// Query, Match, Score and Why (RestrictedConflict) are set: a wall
	// never hides a conflict, and never shows whose.
	Hidden      bool   `json:"hidden,omitempty"`
	ClientName  string `json:"client_name"`
	MatterID    int64  `json:"matter_id,omitempty"`
	MatterTitle string `json:"matter_title,omitempty"`
	MatterOpen  bool   `json:"matter_open"`
	// A party's names: the party, and for an alias or former name the
	// party's own name and which ("alias" or "former").
	PartyID   int64  `json:"party_id,omitempty"`
	PartyName string `json:"party_name,omitempty"`
	NameKind  string `json:"name_kind,omitempty"`
	// A prospective client's names (the roles prospect, prospect_alias,
	// prospect_adverse, prospect_related, prospect_opposing_counsel): the
	// intake submission they came from and its status ("new" or
	// "declined"); ClientName is then the prospect's full name and
	// ClientID and MatterID are 0.
	IntakeID     int64  `json:"intake_id,omitempty"`
	IntakeStatus string `json:"intake_status,omitempty"`
}

// ConflictResult is a recorded conflict check.
type ConflictResult struct {
	CheckID int64         `json:"check_id"`
	Names   []string      `json:"names"`
	Hits    []ConflictHit `json:"hits"`
}

// RestrictedConflict is what a conflict check says of a match the user may
// not see.
const RestrictedConflict = "a possible conflict in a restricted matter: ask the owner"

// Decisions on a conflict check.
var Decisions = []string{"clear", "conflict", "waived"}

// conflictIndex returns the cached index, rebuilding it after writes.
func (s *Session) conflictIndex(ctx context.Context) (*conflict.Index, error) {
	ix, _, err := s.conflictIndexGen(ctx)
	return ix, err
}

// conflictIndexGen is conflictIndex and the generation of the names it
// holds.
func (s *Session) conflictIndexGen(ctx context.Context) (*conflict.Index, uint64, error) {
	s.mu.Lock()
	ix, ok := s.ix, s.ix != nil && s.ixGen == s.gen
	gen := s.gen
	s.mu.Unlock()
	if ok {
		return ix, gen, nil
	}
	var names []store.Name
	err := s.st.View(ctx, func(tx *store.Tx) error {
		var err error
		names, err = tx.ConflictNames()
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	entries := make([]conflict.Entry, len(names))
	for i := range names {
		n := &names[i]
		entries[i] = conflict.Entry{Name: n.Name, Role: n.Role, ClientID: n.ClientID, MatterID: n.MatterID, Ref: n}
	}
	ix = conflict.NewIndex(entries)
	s.mu.Lock()
	if s.gen == gen && !s.closed {
		s.ix, s.ixGen = ix, gen
	}
	s.mu.Unlock()
	return ix, gen, nil
}

// CheckFor says what a conflict check is for (CheckConflictsFor): Context
// names the records just entered ("client:12", "matter:4", "party:17
// matter:4"; "intake:5" for an intake submission under review; "" for a
// check by hand), and the Exclude fields the records just created, which
// must not match themselves.
type CheckFor struct {
	Context        string
	ExcludeClient  int64   // a client just added: its name, aliases and joint-client rows
	ExcludeParties []int64 // parties just added: their names, aliases and former names
	// ExcludeIntake: the intake submission under review (its names are in
	// the conflict index as a prospect's): Context must name it.
	ExcludeIntake int64
}

// contextRE is what CheckFor.Context may hold: record references.
var contextRE = regexp.MustCompile(`^((client|matter|party|intake):[1-9][0-9]{0,18})( (client|matter|party|intake):[1-9][0-9]{0,18})*$`)

// CheckConflicts compares each name with every client, alias and party in
// open and closed matters, ranks the hits and records the check.
func (s *Session) CheckConflicts(ctx context.Context, names []string) (*ConflictResult, error) {
	return s.CheckConflictsFor(ctx, names, CheckFor{})
}

// excluded: the name is one of the records f leaves out.
func (f CheckFor) excluded(n *store.Name) bool {
	if n.IntakeID != 0 {
		return n.IntakeID == f.ExcludeIntake
	}
	switch n.Role {
	case "client", "alias", "joint_client":
		if f.ExcludeClient != 0 && n.ClientID == f.ExcludeClient {
			return true
		}
	}
	return n.PartyID != 0 && slices.Contains(f.ExcludeParties, n.PartyID)
}

// checkFor checks f: a context of record references, and parties to leave
// out that exist, the user sees, and belong to the matter the context
// names (leaving out a party of another matter would hide a conflict).
func (s *Session) checkFor(ctx context.Context, f CheckFor) error {
	if f.Context != "" && !contextRE.MatchString(f.Context) {
		return &FieldError{"context", fmt.Sprintf("%q does not name records like client:12 or party:17 matter:4", f.Context)}
	}
	refs := parseRefs(f.Context)
	if f.ExcludeIntake != 0 && !slices.Equal(refs["intake"], []int64{f.ExcludeIntake}) {
		// Leaving out another submission's names would hide a conflict.
		return &FieldError{"context", fmt.Sprintf("A check that leaves out intake submission %d must be for it (intake:%d)", f.ExcludeIntake, f.ExcludeIntake)}
	}
	if len(f.ExcludeParties) == 0 {
		return nil
	}
	matter := refs["matter"]
	return s.st.View(ctx, func(tx *store.Tx) error {
		for _, id := range f.ExcludeParties {
			p, err := tx.GetParty(id)
			if err != nil {
				return err
			}
			if len(matter) > 0 && !slices.Contains(matter, p.MatterID) {
				return &FieldError{"context", fmt.Sprintf("Party %d is not a party of matter %d", id, matter[0])}
			}
		}
		return nil
	})
}

// CheckConflictsFor is CheckConflicts for names just entered: the check
// records f.Context, and leaves out the records just created (a new party
// must not match itself).
func (s *Session) CheckConflictsFor(ctx context.Context, names []string, f CheckFor) (*ConflictResult, error) {
	return s.checkConflicts(ctx, names, f, nil)
}

// cleanCheckNames cleans the names to check (cleanLine), leaving out the
// empty ones; none left is a *FieldError.
func cleanCheckNames(names []string) ([]string, error) {
	var clean []string
	for _, n := range names {
		if err := cleanLine("names", &n, false, ""); err != nil {
			return nil, err
		}
		if n != "" {
			clean = append(clean, n)
		}
	}
	if len(clean) == 0 {
		return nil, &FieldError{"names", "Give at least one name to check"}
	}
	return clean, nil
}

// checkConflicts is CheckConflictsFor; also, when also is not nil, runs
// in the transaction that records the check, with its id (an intake
// submission keeps the check run on it), and names more records in the
// check's audit entry.
func (s *Session) checkConflicts(ctx context.Context, names []string, f CheckFor, also *alsoOnCheck) (*ConflictResult, error) {
	if err := s.allow(ctx, access.CheckConflict); err != nil {
		return nil, err
	}
	if err := s.checkFor(ctx, f); err != nil {
		return nil, err
	}
	clean, err := cleanCheckNames(names)
	if err != nil {
		return nil, err
	}
	ix, err := s.conflictIndex(ctx)
	if err != nil {
		return nil, err
	}
	res := &ConflictResult{Names: clean, Hits: s.hitsFor(ix, clean, f)}
	namesJSON, _ := json.Marshal(res.Names)
	hitsJSON, _ := json.Marshal(res.Hits)
	// The entry names the records the hits showed (as a search's does), so
	// the access report finds the check and the audit viewer hides it from
	// a user who cannot see them; hidden hits name none.
	shown := map[string]bool{}
	for _, h := range res.Hits {
		if h.ClientID != 0 {
			shown[ref("client", h.ClientID)] = true
		}
		if h.MatterID != 0 {
			shown[ref("matter", h.MatterID)] = true
		}
	}
	if also != nil {
		for _, r := range also.records {
			shown[r] = true
		}
	}
	recs := make([]string, 0, len(shown))
	for r := range shown {
		recs = append(recs, r)
	}
	slices.SortFunc(recs, compareRefs)
	err = s.update(ctx, "conflict.check", func(tx *store.Tx) (string, string, error) {
		var err error
		res.CheckID, err = tx.InsertConflictCheck(&store.ConflictCheck{At: s.now(), Actor: s.actor, Names: string(namesJSON), Hits: string(hitsJSON),
			Context: f.Context, HitCount: len(res.Hits)})
		if err == nil && also != nil && also.fn != nil {
			err = also.fn(tx, res.CheckID)
		}
		return strings.Join(append([]string{ref("conflict_check", res.CheckID)}, recs...), " "), fmt.Sprintf("names %s, %s", namesJSON, human.Count(len(res.Hits), "hit", "hits")), err
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// alsoOnCheck is what recording a check does besides (checkConflicts).
type alsoOnCheck struct {
	records []string                                // more records its audit entry names
	fn      func(tx *store.Tx, checkID int64) error // runs in the same transaction
}

// hitsFor checks each name against the index and returns the hits, as
// the user may see them, leaving out what f excludes: a match in a client
// or matter hidden from the user, or a prospective client's name when the
// user may not read intake submissions, is one RestrictedConflict row per
// checked name, however many there are (their number would say something
// too). Nothing is recorded.
func (s *Session) hitsFor(ix *conflict.Index, names []string, f CheckFor) []ConflictHit {
	intake := s.Can(access.Intake, access.Read)
	hits := []ConflictHit{}
	for _, q := range names {
		hidden := false
		for _, h := range ix.Check(q) {
			n := h.Entry.Ref.(*store.Name)
			if f.excluded(n) {
				continue
			}
			if n.Hidden || n.IntakeID != 0 && !intake {
				if !hidden {
					hidden = true
					hits = append(hits, ConflictHit{Query: q, Match: h.Kind.String(), Score: h.Score, Why: RestrictedConflict, Hidden: true})
				}
				continue
			}
			hits = append(hits, ConflictHit{
				Query: q, Name: n.Name, Role: n.Role, Match: h.Kind.String(), Score: h.Score, Why: h.Why,
				ClientID: n.ClientID, ClientName: n.ClientName, MatterID: n.MatterID, MatterTitle: n.MatterTitle, MatterOpen: n.MatterOpen,
				PartyID: n.PartyID, PartyName: n.PartyName, NameKind: n.NameKind, IntakeID: n.IntakeID, IntakeStatus: n.IntakeStatus,
			})
		}
	}
	return hits
}

// DecideConflict records a decision (clear, conflict or waived) on a
// check. It is added to the check's history, which keeps every earlier
// decision: re-deciding changes the check's decision, never the record of
// the one before. A waiver needs a note (where the client's written
// consent is filed).
func (s *Session) DecideConflict(ctx context.Context, checkID int64, decision, note string) error {
	ok := false
	for _, d := range Decisions {
		ok = ok || d == decision
	}
	if !ok {
		return &FieldError{"decision", fmt.Sprintf("The decision %q is not one of clear, conflict, waived", decision)}
	}
	if err := cleanText("note", &note, maxField, decision == "waived", "A waiver needs a note: say where the client's written consent is filed"); err != nil {
		return err
	}
	if err := s.allow(ctx, access.DecideConfl, ref("conflict_check", checkID)); err != nil {
		return err
	}
	return s.update(ctx, "conflict.decide", func(tx *store.Tx) (string, string, error) {
		// The store's errors name the check, in the same words whether it
		// is hidden from the user or not there.
		err := tx.DecideConflictCheck(checkID, store.ConflictDecision{At: s.now(), Actor: s.actor, Decision: decision, Note: note})
		return ref("conflict_check", checkID), decision, err
	})
}
