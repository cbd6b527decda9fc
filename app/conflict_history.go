package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"casevault/app/access"
	"casevault/app/human"
	"casevault/store"
)

// ConflictDecision is one decision on a conflict check, as it was made.
type ConflictDecision struct {
	At       time.Time
	Actor    string // "" when made before casevault kept who decided (DecisionActor words it)
	Decision string // clear, conflict, waived
	Note     string
}

// ConflictCheckSummary is a recorded conflict check as the history lists it.
type ConflictCheckSummary struct {
	ID       int64
	At       time.Time
	Actor    string
	Names    []string // the names checked
	HitCount int      // the hits the user is shown (hits they may not see count as one per name)
	Decision string   // "" (undecided), clear, conflict, waived: the latest
	// DecidedAt is when the latest decision was made (zero: undecided).
	DecidedAt time.Time
	Context   string // what it was for: "" (by hand), "client:12", "matter:4", "party:17 matter:4"
	Note      string // the latest decision's note
}

// ConflictCheckDetail is a recorded check with every hit and every decision.
type ConflictCheckDetail struct {
	ConflictCheckSummary
	Hits    []ConflictHit      // as recorded; those the user may not see as one RestrictedConflict row per name
	History []ConflictDecision // oldest first; the last is the check's decision
}

// ConflictFilter chooses checks in the history: Query, a part of a name
// checked (any case); Decision, "" for any, "undecided", or a decision.
// Limit 0 is 50.
type ConflictFilter struct {
	Query    string
	Decision string
	Limit    int
	Offset   int
}

// MaxConflictPage is the most checks one ListConflictChecks returns.
const MaxConflictPage = 1000

// DecisionLabel is a decision in words ("" is "Not decided").
func DecisionLabel(d string) string {
	switch d {
	case "":
		return "Not decided"
	case "clear":
		return "Clear: no conflict"
	case "conflict":
		return "Conflict"
	case "waived":
		return "Waived (written consent)"
	}
	return "Unknown decision (" + d + ")"
}

// DecisionActor is who made a decision, in words.
func DecisionActor(actor string) string {
	if actor == "" {
		return "not recorded (decided before casevault kept who decided)"
	}
	return actor
}

// ErrUnreadableCheck: a recorded conflict check's names or hits cannot be
// read back (the vault holds something this casevault did not write).
var ErrUnreadableCheck = errors.New("its record cannot be read")

// parseCheckNames reads a check's recorded names (a JSON array of
// strings).
func parseCheckNames(b string) ([]string, error) {
	var names []string
	if err := json.Unmarshal([]byte(b), &names); err != nil {
		return nil, fmt.Errorf("%w: names: %v", ErrUnreadableCheck, err)
	}
	if names == nil {
		return nil, fmt.Errorf("%w: names: not a list", ErrUnreadableCheck)
	}
	return names, nil
}

// parseCheckHits reads a check's recorded hits (a JSON array of
// ConflictHit objects).
func parseCheckHits(b string) ([]ConflictHit, error) {
	var hits []ConflictHit
	if err := json.Unmarshal([]byte(b), &hits); err != nil {
		return nil, fmt.Errorf("%w: hits: %v", ErrUnreadableCheck, err)
	}
	if hits == nil {
		return nil, fmt.Errorf("%w: hits: not a list", ErrUnreadableCheck)
	}
	return hits, nil
}

// shownHits are a check's recorded hits as the user may see them: the
// hidden ones (recorded as hidden, or naming a client or matter hidden
// from the user: the store marks those) become one RestrictedConflict row
// per checked name (where its first such hit was), however many there
// were: their number would say something too, as in CheckConflicts. A
// prospective client's name (an intake submission's) is hidden too from a
// user who may not read intake submissions (intake false).
func shownHits(hits []ConflictHit, intake bool) []ConflictHit {
	out := make([]ConflictHit, 0, len(hits))
	restricted := map[string]bool{}
	for _, h := range hits {
		if !h.Hidden && (intake || h.IntakeID == 0) {
			out = append(out, h)
			continue
		}
		if !restricted[h.Query] {
			restricted[h.Query] = true
			out = append(out, ConflictHit{Query: h.Query, Match: h.Match, Score: h.Score, Why: RestrictedConflict, Hidden: true})
		}
	}
	return out
}

// summary is a stored check as the user may see it, and its hits
// (shownHits); an unreadable record is ErrUnreadableCheck.
func summary(c *store.ConflictCheck, intake bool) (ConflictCheckSummary, []ConflictHit, error) {
	sum := ConflictCheckSummary{ID: c.ID, At: c.At, Actor: c.Actor, Decision: c.Decision, DecidedAt: c.DecidedAt,
		Context: c.Context, Note: c.DecisionNote, HitCount: c.HitCount}
	names, err := parseCheckNames(c.Names)
	if err != nil {
		return sum, nil, err
	}
	sum.Names = names
	hits, err := parseCheckHits(c.Hits)
	if err != nil {
		return sum, nil, err
	}
	hits = shownHits(hits, intake)
	sum.HitCount = len(hits)
	return sum, hits, nil
}

// validFilter checks a filter's decision and page.
func validFilter(f *ConflictFilter) error {
	switch f.Decision {
	case "", "undecided", "clear", "conflict", "waived":
	default:
		return &FieldError{"decision", fmt.Sprintf("The decision %q is not one of undecided, clear, conflict, waived", f.Decision)}
	}
	if f.Limit < 0 || f.Limit > MaxConflictPage {
		return &FieldError{"limit", fmt.Sprintf("Show between 1 and %s checks at a time", human.Number(MaxConflictPage))}
	}
	if f.Offset < 0 {
		return &FieldError{"offset", "The first check to show cannot be before the first"}
	}
	if err := cleanLine("name", &f.Query, false, ""); err != nil {
		return err
	}
	return nil
}

// ListConflictChecks lists the recorded conflict checks that f chooses,
// newest first, a page at a time, and how many it chooses in all. Every
// check is listed whoever the user is; the hits they may not see count as
// one per name (GetConflictCheck shows them as RestrictedConflict rows).
// A check whose record cannot be read is listed with its recorded hit
// count and no names. Recorded as a read (conflict.list).
func (s *Session) ListConflictChecks(ctx context.Context, f ConflictFilter) ([]ConflictCheckSummary, int, error) {
	if err := validFilter(&f); err != nil {
		return nil, 0, err
	}
	if err := s.allow(ctx, access.ViewConflicts); err != nil {
		return nil, 0, err
	}
	var out []ConflictCheckSummary
	var total int
	intake := s.Can(access.Intake, access.Read)
	err := s.view(ctx, "conflict.list", func(tx *store.Tx) (string, string, error) {
		checks, n, err := tx.ListConflictChecks(store.ConflictFilter{Query: f.Query, Decision: f.Decision, Limit: f.Limit, Offset: f.Offset})
		if err != nil {
			return "", "", err
		}
		total = n
		out = make([]ConflictCheckSummary, 0, len(checks))
		for i := range checks {
			sum, _, err := summary(&checks[i], intake)
			if err != nil && !errors.Is(err, ErrUnreadableCheck) {
				return "", "", fmt.Errorf("conflict check %d: %w", checks[i].ID, err)
			}
			out = append(out, sum)
		}
		detail := human.Count(len(out), "check", "checks") + " of " + human.Number(int64(total)) + " shown"
		if f.Query != "" {
			detail += ", name " + auditQuery(f.Query)
		}
		if f.Decision != "" {
			detail += ", decision " + f.Decision
		}
		return "", detail, nil
	})
	if err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// checkDetail reads one check for the viewer of tx, and the records its
// shown hits name (for the audit entry).
func checkDetail(tx *store.Tx, id int64, intake bool) (*ConflictCheckDetail, []string, error) {
	c, ds, err := tx.GetConflictCheck(id)
	if err != nil {
		return nil, nil, err
	}
	sum, hits, err := summary(c, intake)
	if err != nil {
		return nil, nil, fmt.Errorf("conflict check %d: %w", id, err)
	}
	d := &ConflictCheckDetail{ConflictCheckSummary: sum, Hits: hits, History: make([]ConflictDecision, len(ds))}
	for i, x := range ds {
		d.History[i] = ConflictDecision{At: x.At, Actor: x.Actor, Decision: x.Decision, Note: x.Note}
	}
	shown := map[string]bool{}
	for _, h := range hits {
		if h.ClientID != 0 {
			shown[ref("client", h.ClientID)] = true
		}
		if h.MatterID != 0 {
			shown[ref("matter", h.MatterID)] = true
		}
	}
	return d, append([]string{ref("conflict_check", id)}, hitRecords(shown, nil)...), nil
}

// GetConflictCheck returns a recorded check: the names, when and by whom,
// every hit (those the user may not see as one RestrictedConflict row per
// name), the decision and every earlier one. Recorded as a read
// (conflict.view) naming the records the hits showed.
func (s *Session) GetConflictCheck(ctx context.Context, id int64) (*ConflictCheckDetail, error) {
	if err := s.allow(ctx, access.ViewConflicts, ref("conflict_check", id)); err != nil {
		return nil, err
	}
	var out *ConflictCheckDetail
	err := s.view(ctx, "conflict.view", func(tx *store.Tx) (string, string, error) {
		d, recs, err := checkDetail(tx, id, s.Can(access.Intake, access.Read))
		if err != nil {
			return "", "", err
		}
		out = d
		return strings.Join(recs, " "), human.Count(len(d.Hits), "hit", "hits") + " shown", nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
