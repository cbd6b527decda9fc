package app

// Retention (issue 14): the rules that give a closed matter its
// destroy-after date, the date itself (changed by hand with a reason),
// legal holds, and the list of what is due for destruction. Destroying is
// destroy.go; the certificate, certificate.go.

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"casevault/app/access"
	"casevault/app/human"
	"casevault/store"
)

// The retention and destruction actions of the audit trail, in a lawyer's
// words (report.go's actionWords).
func init() {
	for action, w := range map[string]struct{ what, kind string }{
		"retention.rule":        {"Changed a retention rule", "change"},
		"retention.rule.delete": {"Deleted a retention rule", "change"},
		"retention.view":        {"Viewed a matter's retention", "read"},
		"retention.set":         {"Changed a matter's destroy-after date", "change"},
		"retention.due":         {"Listed what is due for destruction", "read"},
		"hold.place":            {"Placed a legal hold", "change"},
		"hold.release":          {"Released a legal hold", "change"},
		"hold.list":             {"Listed legal holds", "read"},
		"destroy":               {"Destroyed client files", "change"},
		"destroy.plan":          {"Looked at what a destruction would remove", "read"},
		"register.view":         {"Viewed the destruction register", "read"},
		"certificate.view":      {"Viewed a destruction certificate", "read"},
	} {
		actionWords[action] = w
	}
}

// RetentionRule is how long the files of a practice area are kept after a
// matter closes (PracticeArea "" is the default rule, which cannot be
// deleted).
type RetentionRule = store.RetentionRule

// RetentionChange is one change by hand of a matter's destroy-after date.
type RetentionChange = store.RetentionChange

// maxRetentionYears is the longest rule, in years (the schema's limit).
const maxRetentionYears = 100

// RuleWords says a rule in words: "10 years after closing", "kept for
// ever".
func RuleWords(r RetentionRule) string {
	if r.Never {
		return "kept for ever"
	}
	var parts []string
	if r.Years > 0 {
		parts = append(parts, human.Count(r.Years, "year", "years"))
	}
	if r.Months > 0 {
		parts = append(parts, human.Count(r.Months, "month", "months"))
	}
	if len(parts) == 0 {
		return "destroyable as soon as it closes"
	}
	return strings.Join(parts, " and ") + " after closing"
}

// RuleName names a rule: "The default rule", "The Family law rule".
func RuleName(area string) string {
	if area == "" {
		return "The default rule"
	}
	return "The " + area + " rule"
}

// RetentionRules lists the rules, the default first.
func (s *Session) RetentionRules(ctx context.Context) ([]RetentionRule, error) {
	if err := s.allow(ctx, access.ViewRetention); err != nil {
		return nil, err
	}
	var out []RetentionRule
	err := s.st.View(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.RetentionRules()
		return err
	})
	return out, err
}

// SetRetentionRule adds or changes the rule of a practice area (trimmed;
// "" the default). Matters already closed keep their dates: a rule applies
// to the matters that close after it.
func (s *Session) SetRetentionRule(ctx context.Context, r RetentionRule) error {
	if err := s.allow(ctx, access.EditRetention); err != nil {
		return err
	}
	if err := validateRule(&r); err != nil {
		return err
	}
	r.UpdatedBy = s.DisplayName()
	return s.update(ctx, "retention.rule", func(tx *store.Tx) (string, string, error) {
		return "", fmt.Sprintf("%s: %s", strings.TrimPrefix(RuleName(r.PracticeArea), "The "), RuleWords(r)), tx.SetRetentionRule(r, s.now())
	})
}

func validateRule(r *RetentionRule) error {
	typed := strings.TrimSpace(r.PracticeArea)
	if err := cleanLine("practice-area", &r.PracticeArea, false, ""); err != nil {
		return err
	}
	if r.PracticeArea == "" && typed != "" { // not the default rule by mistake
		return &FieldError{"practice-area", "The practice area has only invisible characters (such as a zero-width space): type it again"}
	}
	if err := cleanText("note", &r.Note, maxField, false, ""); err != nil {
		return err
	}
	switch {
	case r.Never:
		r.Years, r.Months = 0, 0
	case r.Years < 0 || r.Years > maxRetentionYears:
		return &FieldError{"years", fmt.Sprintf("A rule keeps files from 0 to %d years, not %d", maxRetentionYears, r.Years)}
	case r.Months < 0 || r.Months > 11:
		return &FieldError{"months", fmt.Sprintf("The months of a rule go from 0 to 11 (12 months is a year), not %d", r.Months)}
	case r.Years == 0 && r.Months == 0:
		return &FieldError{"years", "A rule keeps files at least one month after closing; to keep them for ever, choose that instead"}
	}
	return nil
}

// DeleteRetentionRule deletes a practice area's rule: its matters then
// follow the default rule when they close. The default rule cannot be
// deleted.
func (s *Session) DeleteRetentionRule(ctx context.Context, practiceArea string) error {
	if err := s.allow(ctx, access.EditRetention); err != nil {
		return err
	}
	area := strings.TrimSpace(practiceArea)
	if area == "" {
		return &FieldError{"practice-area", "The default rule cannot be deleted; change it instead"}
	}
	return s.update(ctx, "retention.rule.delete", func(tx *store.Tx) (string, string, error) {
		err := tx.DeleteRetentionRule(area)
		if errors.Is(err, store.ErrNotFound) {
			err = &FieldError{"practice-area", fmt.Sprintf("There is no rule for the practice area %q", area)}
		}
		return "", strings.TrimPrefix(RuleName(area), "The "), err
	})
}

// PracticeAreas lists the practice areas of the matters, in order, for
// choosing a rule's area.
func (s *Session) PracticeAreas(ctx context.Context) ([]string, error) {
	if err := s.allow(ctx, access.ViewRetention); err != nil {
		return nil, err
	}
	var out []string
	err := s.st.View(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(`SELECT DISTINCT trim(practice_area) FROM matters WHERE trim(practice_area) != '' ORDER BY 1 COLLATE NOCASE`)
		if err != nil {
			return err
		}
		defer rows.Close()
		seen := map[string]bool{}
		for rows.Next() {
			var a string
			if err := rows.Scan(&a); err != nil {
				return err
			}
			if k := strings.ToLower(a); !seen[k] {
				seen[k] = true
				out = append(out, a)
			}
		}
		return rows.Err()
	})
	return out, err
}

// MatterRetention is what the matter page shows of a matter's retention.
type MatterRetention struct {
	MatterID     int64
	Closed       bool
	ClosedAt     time.Time
	DestroyAfter time.Time // zero: none (open, or kept for ever)
	KeepForever  bool
	// Rule says where the date comes from, in words: "The Family law
	// rule: 10 years after closing", "Changed on 2026-12-03 by Ann Lee:
	// <reason>", "Open: the date is set when it closes".
	Rule    string
	Due     bool   // closed, its date reached, and no hold on it
	Holds   []Hold // active holds that block it
	Changes []RetentionChange
}

// MatterRetention returns a matter's destroy-after date, where it comes
// from, its holds and its changes.
func (s *Session) MatterRetention(ctx context.Context, matterID int64) (*MatterRetention, error) {
	if err := s.allow(ctx, access.ViewRetention, ref("matter", matterID)); err != nil {
		return nil, err
	}
	var out *MatterRetention
	err := s.view(ctx, "retention.view", func(tx *store.Tx) (string, string, error) {
		m, err := tx.GetMatter(matterID)
		if err != nil {
			return "", "", err
		}
		out, err = s.matterRetention(tx, m)
		return matterRecords(m), "", err
	})
	return out, err
}

func (s *Session) matterRetention(tx *store.Tx, m *store.Matter) (*MatterRetention, error) {
	r := &MatterRetention{MatterID: m.ID, Closed: m.Status == "closed"}
	if m.ClosedAt != nil {
		r.ClosedAt = *m.ClosedAt
	}
	if m.DestroyAfter != nil {
		r.DestroyAfter = *m.DestroyAfter
	}
	var err error
	if r.Changes, err = tx.RetentionChanges(m.ID); err != nil {
		return nil, err
	}
	hs, err := tx.HoldsOn("matter", m.ID)
	if err != nil {
		return nil, err
	}
	r.Holds = s.labelHolds(tx, hs)
	switch kind, area, _ := strings.Cut(m.DestroyRule, ":"); {
	case !r.Closed:
		r.Rule = "Open: the date is set when it closes"
	case kind == "never":
		r.KeepForever = true
		r.Rule = RuleName(area) + ": kept for ever"
	case kind == "changed" || m.DestroyRule == "changed":
		r.KeepForever = m.DestroyAfter == nil
		if n := len(r.Changes); n > 0 {
			c := r.Changes[n-1]
			r.Rule = fmt.Sprintf("Changed on %s by %s: %s", human.Date(c.At), c.By, c.Reason)
		} else {
			r.Rule = "Changed by hand"
		}
	case kind == "rule":
		rule, err := tx.RuleFor(area)
		if err != nil {
			return nil, err
		}
		if !strings.EqualFold(rule.PracticeArea, area) {
			r.Rule = RuleName(area) + " (since deleted)"
		} else {
			r.Rule = RuleName(rule.PracticeArea) + ": " + RuleWords(rule)
		}
	default:
		r.KeepForever = m.DestroyAfter == nil
		r.Rule = "No date"
	}
	r.Due = r.Closed && !r.DestroyAfter.IsZero() && !r.DestroyAfter.After(s.now()) && len(r.Holds) == 0
	return r, nil
}

// SetDestroyAfter changes a closed matter's destroy-after date by hand,
// with the reason (kept with the change): date is the day after which it
// may be destroyed, or keepForever. Refused for an open matter (closing
// sets the date).
func (s *Session) SetDestroyAfter(ctx context.Context, matterID int64, date time.Time, keepForever bool, reason string) error {
	if err := s.allow(ctx, access.EditRetention, ref("matter", matterID)); err != nil {
		return err
	}
	if err := cleanText("reason", &reason, maxField, true, "Say why the date changes: the reason is kept with the change"); err != nil {
		return err
	}
	var at *time.Time
	if !keepForever {
		if date.IsZero() {
			return &FieldError{"date", "Give the new date, or choose to keep the matter for ever"}
		}
		d := time.Date(date.Year(), date.Month(), date.Day(), 0, 0, 0, 0, time.Local)
		at = &d
	}
	return s.update(ctx, "retention.set", func(tx *store.Tx) (string, string, error) {
		m, err := tx.GetMatter(matterID)
		if err != nil {
			return "", "", err
		}
		if m.Status != "closed" {
			return "", "", &FieldError{"date", fmt.Sprintf("Matter %s is open: its destroy-after date is set when it closes", m.Number)}
		}
		if at != nil && m.ClosedAt != nil && human.Date(*at) < human.Date(*m.ClosedAt) {
			return "", "", &FieldError{"date", fmt.Sprintf("%s is before the matter closed (%s)", human.Date(*at), human.Date(*m.ClosedAt))}
		}
		old := "none"
		if m.DestroyAfter != nil {
			old = human.Date(*m.DestroyAfter)
		}
		detail := "kept for ever (was " + old + ")"
		if at != nil {
			detail = fmt.Sprintf("destroy after %s (was %s)", human.Date(*at), old)
		}
		return matterRecords(m), detail, tx.SetDestroyAfter(matterID, at, reason, s.DisplayName(), s.now())
	})
}

// Hold is a legal hold with what it holds in words.
type Hold struct {
	store.Hold
	// Label: "Client 12 (Ann Lee)", "Matter 2026-0004 (Lee v. Smith)";
	// only the number when the user may not see the record.
	Label string
}

// Words says a hold in a sentence: "Matter 2026-0004 (Lee v. Smith) is
// on legal hold since 2026-12-03 (placed by Ann Lee: pending appeal)".
func (h Hold) Words() string {
	if h.RecordID == 0 {
		return fmt.Sprintf("%s is on legal hold since %s", h.Label, human.Date(h.PlacedAt))
	}
	return fmt.Sprintf("%s is on legal hold since %s (placed by %s: %s)", h.Label, human.Date(h.PlacedAt), h.PlacedBy, h.Reason)
}

func (s *Session) labelHolds(tx *store.Tx, hs []store.Hold) []Hold {
	out := make([]Hold, 0, len(hs))
	for _, h := range hs {
		out = append(out, Hold{Hold: h, Label: holdLabel(tx, h.Kind, h.RecordID)})
	}
	return out
}

// holdLabel names a client or matter: "Client 12 (Ann Lee)", "Matter
// 2026-0004 (Lee v. Smith)".
func holdLabel(tx *store.Tx, kind string, id int64) string {
	if id == 0 { // a hold on a record behind a wall (store.HoldsOn)
		return "A " + kind + " you may not see"
	}
	switch kind {
	case "client":
		if c, err := tx.GetClient(id); err == nil {
			return fmt.Sprintf("Client %d (%s)", id, c.Name)
		}
		return fmt.Sprintf("Client %d", id)
	case "matter":
		if m, err := tx.GetMatter(id); err == nil {
			return fmt.Sprintf("Matter %s (%s)", m.Number, m.Title)
		}
		return fmt.Sprintf("Matter %d", id)
	}
	return fmt.Sprintf("%s %d", kind, id)
}

func holdKind(kind string) (string, error) {
	k := strings.ToLower(strings.TrimSpace(kind))
	if k != "client" && k != "matter" {
		return "", &FieldError{"kind", fmt.Sprintf("A legal hold is on a client or a matter, not %q", kind)}
	}
	return k, nil
}

// PlaceHold puts a legal hold on a client (and so all their matters) or a
// matter: while it holds, nothing of it can be destroyed. It returns the
// hold's number.
func (s *Session) PlaceHold(ctx context.Context, kind string, id int64, reason string) (int64, error) {
	k, err := holdKind(kind)
	if err != nil {
		return 0, err
	}
	if err := s.allow(ctx, access.PlaceHolds, ref(k, id)); err != nil {
		return 0, err
	}
	if err := cleanText("reason", &reason, maxField, true, "Say why the hold is placed (a claim, an investigation, an appeal): the reason is kept with it"); err != nil {
		return 0, err
	}
	var hid int64
	err = s.update(ctx, "hold.place", func(tx *store.Tx) (string, string, error) {
		recs, err := holdRecords(tx, k, id)
		if err != nil {
			return "", "", err
		}
		hid, err = tx.PlaceHold(k, id, reason, s.DisplayName(), s.now())
		return recs + " " + ref("hold", hid), "", err
	})
	return hid, err
}

// holdRecords names a held record for the audit trail (a matter with its
// clients), checking that the user sees it.
func holdRecords(tx *store.Tx, kind string, id int64) (string, error) {
	if kind == "matter" {
		m, err := tx.GetMatter(id)
		if err != nil {
			return "", err
		}
		return matterRecords(m), nil
	}
	if _, err := tx.GetClient(id); err != nil {
		return "", err
	}
	return ref("client", id), nil
}

// ReleaseHold releases a legal hold, with the reason.
func (s *Session) ReleaseHold(ctx context.Context, holdID int64, reason string) error {
	if err := s.allow(ctx, access.PlaceHolds, ref("hold", holdID)); err != nil {
		return err
	}
	if err := cleanText("reason", &reason, maxField, true, "Say why the hold is released (the case settled, the appeal ended): the reason is kept with it"); err != nil {
		return err
	}
	return s.update(ctx, "hold.release", func(tx *store.Tx) (string, string, error) {
		h, err := findHold(tx, holdID)
		if err != nil {
			return "", "", err
		}
		if h.ReleasedAt != nil {
			return "", "", &FieldError{"hold", fmt.Sprintf("Legal hold %d was released already, on %s by %s", holdID, human.Date(*h.ReleasedAt), h.ReleasedBy)}
		}
		recs, err := holdRecords(tx, h.Kind, h.RecordID)
		if err != nil {
			return "", "", err
		}
		return recs + " " + ref("hold", holdID), "", tx.ReleaseHold(holdID, reason, s.DisplayName(), s.now())
	})
}

func findHold(tx *store.Tx, id int64) (*store.Hold, error) {
	all, err := tx.Holds(false)
	if err != nil {
		return nil, err
	}
	for i := range all {
		if all[i].ID == id {
			return &all[i], nil
		}
	}
	return nil, fmt.Errorf("legal hold %d: %w", id, store.ErrNotFound)
}

// Holds lists the legal holds (activeOnly: those not released), of the
// records the user sees.
func (s *Session) Holds(ctx context.Context, activeOnly bool) ([]Hold, error) {
	if err := s.allow(ctx, access.ViewRetention); err != nil {
		return nil, err
	}
	var out []Hold
	err := s.view(ctx, "hold.list", func(tx *store.Tx) (string, string, error) {
		hs, err := tx.Holds(activeOnly)
		if err != nil {
			return "", "", err
		}
		var visible []store.Hold
		for _, h := range hs {
			if _, err := holdRecords(tx, h.Kind, h.RecordID); err == nil {
				visible = append(visible, h)
			} else if !errors.Is(err, store.ErrNotFound) {
				return "", "", err
			}
		}
		out = s.labelHolds(tx, visible)
		return "", human.Count(len(out), "hold", "holds"), nil
	})
	return out, err
}

// HoldsOn lists the active holds that block destroying a client or a
// matter: on it, or (a matter) on any of its clients, or (a client) on any
// of its matters.
func (s *Session) HoldsOn(ctx context.Context, kind string, id int64) ([]Hold, error) {
	k, err := holdKind(kind)
	if err != nil {
		return nil, err
	}
	if err := s.allow(ctx, access.ViewRetention, ref(k, id)); err != nil {
		return nil, err
	}
	var out []Hold
	err = s.view(ctx, "hold.list", func(tx *store.Tx) (string, string, error) {
		recs, err := holdRecords(tx, k, id)
		if err != nil {
			return "", "", err
		}
		hs, err := tx.HoldsOn(k, id)
		out = s.labelHolds(tx, hs)
		return recs, human.Count(len(out), "hold", "holds"), err
	})
	return out, err
}

// DueItem is one client's part of the due list: their matters that are
// due, and whether the client's whole file can go with them.
type DueItem struct {
	ClientID   int64
	ClientName string
	Matters    []store.DueMatter
	// WholeClient: every matter of this client is due (or gone), so the
	// client's own file (their documents, aliases, intake answers) can be
	// destroyed with them.
	WholeClient     bool
	ClientDocuments int // the client's own documents (not a matter's)
	ClientIntake    int // intake answers filed with the client
}

// duePage is how many due matters one read takes.
const duePage = 1000

// DueForDestruction lists what is due for destruction today: closed
// matters past their destroy-after date with no hold on them or their
// clients, by lead client (the oldest date first).
func (s *Session) DueForDestruction(ctx context.Context) ([]DueItem, error) {
	if err := s.allow(ctx, access.ViewRetention); err != nil {
		return nil, err
	}
	var out []DueItem
	err := s.view(ctx, "retention.due", func(tx *store.Tx) (string, string, error) {
		var err error
		out, err = s.dueItems(ctx, tx, s.now())
		n := 0
		for _, it := range out {
			n += len(it.Matters)
		}
		return "", human.Count(n, "matter", "matters"), err
	})
	return out, err
}

func (s *Session) dueItems(ctx context.Context, tx *store.Tx, asOf time.Time) ([]DueItem, error) {
	var due []store.DueMatter
	for off := 0; ; off += duePage {
		page, total, err := tx.DueMatters(asOf, off, duePage)
		if err != nil {
			return nil, err
		}
		due = append(due, page...)
		if len(page) == 0 || off+len(page) >= total {
			break
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	dueIDs := map[int64]bool{}
	for _, d := range due {
		dueIDs[d.Matter.ID] = true
	}
	byClient := map[int64]*DueItem{}
	var order []int64
	for _, d := range due {
		it := byClient[d.Matter.ClientID]
		if it == nil {
			it = &DueItem{ClientID: d.Matter.ClientID, ClientName: d.Matter.ClientName}
			byClient[d.Matter.ClientID] = it
			order = append(order, d.Matter.ClientID)
		}
		it.Matters = append(it.Matters, d)
	}
	out := make([]DueItem, 0, len(order))
	for _, cid := range order {
		it := byClient[cid]
		whole, err := clientWhole(tx, cid, dueIDs)
		if err != nil {
			return nil, err
		}
		it.WholeClient = whole
		if whole {
			if it.ClientDocuments, it.ClientIntake, err = clientOwn(tx, cid); err != nil {
				return nil, err
			}
		}
		out = append(out, *it)
	}
	return out, nil
}

// clientWhole says whether every matter of a client (lead or joint) is in
// due, and no hold is on the client itself.
func clientWhole(tx *store.Tx, clientID int64, due map[int64]bool) (bool, error) {
	ms, err := tx.As(store.Everyone).ListMatters(clientID, "")
	if err != nil {
		return false, err
	}
	for _, m := range ms {
		if !due[m.ID] {
			return false, nil
		}
	}
	hs, err := tx.HoldsOn("client", clientID)
	return len(hs) == 0, err
}

// clientOwn counts what a client's own file holds beyond its matters.
func clientOwn(tx *store.Tx, clientID int64) (docs, intake int, err error) {
	err = tx.QueryRow(`SELECT (SELECT count(*) FROM documents WHERE client_id = ?1),
		(SELECT count(*) FROM intake_submissions WHERE client_id = ?1)`, clientID).Scan(&docs, &intake)
	return docs, intake, err
}
