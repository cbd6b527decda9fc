package app

// Destruction (issue 14): the owner destroys closed matters whose time has
// come (and, when every matter of a client goes, the client's own file),
// in one transaction with the destruction register, the audit entries'
// details about them removed, and one audit entry of the destruction;
// then a checkpoint, so the vault's files hold nothing of it.
// docs/THREAT-MODEL.md, "Destruction".

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"casevault/app/access"
	"casevault/app/human"
	"casevault/store"
)

// DestroyConfirmWord is the word the owner types to confirm a destruction
// (in any case).
const DestroyConfirmWord = "DESTROY"

// Errors of Destroy, for callers that tell them apart (errors.Is). The
// refusals about a record are *DestroyRefusal values whose words name it.
var (
	// ErrOwnerOnly: only the vault's owner destroys client files.
	ErrOwnerOnly = errors.New("only the vault's owner can destroy client files")
	// ErrConfirm: the confirmation word was not typed.
	ErrConfirm = errors.New("the destruction was not confirmed: type " + DestroyConfirmWord + " to confirm it")
	// ErrNotDue: something is not due yet and no reason was given.
	ErrNotDue = errors.New("not due for destruction yet")
	// ErrOnHold, ErrNotClosed and ErrClientKept are the store's.
	ErrOnHold     = store.ErrOnHold
	ErrNotClosed  = store.ErrNotClosed
	ErrClientKept = store.ErrClientKept
)

// DestroyRefusal says in words why something cannot be destroyed; Err is
// ErrOnHold, ErrNotClosed, ErrClientKept or ErrNotDue.
type DestroyRefusal struct {
	Err error
	Msg string
}

func (e *DestroyRefusal) Error() string { return e.Msg }
func (e *DestroyRefusal) Unwrap() error { return e.Err }

// DestroyRequest is what the owner chose to destroy.
type DestroyRequest struct {
	MatterIDs []int64
	// ClientIDs: whole client files (their own documents, aliases, intake
	// answers); each needs all its matters in MatterIDs or gone already.
	ClientIDs []int64
	// KeepNames keeps the client names, aliases and party names for
	// conflict checks (as former clients and parties).
	KeepNames bool
	// Reason: needed when something is not due yet (destroyed by hand
	// before its date); the register says so.
	Reason string
	// Confirm must be DestroyConfirmWord.
	Confirm string
}

// DestructionPlan is what a request would destroy, and what stops it.
type DestructionPlan struct {
	Items                                                []DueItem
	Matters, Clients, Notes, Documents, Versions, Intake int
	Parties                                              int
	Bytes                                                int64
	// NotDue names what is not due yet ("Matter 2026-0004 (Lee v. Smith):
	// not due until 2033-12-03"): it needs a reason.
	NotDue []string
	// Problems say what stops the destruction (a hold, an open matter, a
	// client with other matters), one sentence each.
	Problems []string
	refusals []*DestroyRefusal // Problems, as errors
}

// PlanDestruction says what a request would destroy and what stops it;
// it changes nothing.
func (s *Session) PlanDestruction(ctx context.Context, req DestroyRequest) (*DestructionPlan, error) {
	if err := s.allow(ctx, access.Destroy, destroyRecords(req)...); err != nil {
		return nil, err
	}
	if len(req.MatterIDs)+len(req.ClientIDs) == 0 {
		return nil, &FieldError{"destroy", "Choose the matters (and clients) to destroy"}
	}
	var plan *DestructionPlan
	err := s.view(ctx, "destroy.plan", func(tx *store.Tx) (string, string, error) {
		var err error
		plan, err = s.planDestruction(tx, req)
		if err != nil {
			return "", "", err
		}
		return strings.Join(destroyRecords(req), " "), human.Count(plan.Matters, "matter", "matters"), nil
	})
	return plan, err
}

func destroyRecords(req DestroyRequest) []string {
	var recs []string
	for _, id := range sortedIDs(req.MatterIDs) {
		recs = append(recs, ref("matter", id))
	}
	for _, id := range sortedIDs(req.ClientIDs) {
		recs = append(recs, ref("client", id))
	}
	return recs
}

// planDestruction reads what req would destroy and checks it.
func (s *Session) planDestruction(tx *store.Tx, req DestroyRequest) (*DestructionPlan, error) {
	now := s.now()
	plan := &DestructionPlan{}
	refuse := func(err error, format string, args ...any) {
		r := &DestroyRefusal{Err: err, Msg: fmt.Sprintf(format, args...)}
		plan.Problems = append(plan.Problems, r.Msg)
		plan.refusals = append(plan.refusals, r)
	}
	matterIDs := sortedIDs(req.MatterIDs)
	chosen := map[int64]bool{}
	byClient := map[int64]*DueItem{}
	var order []int64
	for _, id := range matterIDs {
		chosen[id] = true
		m, err := tx.GetMatter(id)
		if err != nil {
			return nil, err
		}
		name := fmt.Sprintf("Matter %s (%s)", m.Number, m.Title)
		if m.Status != "closed" {
			refuse(ErrNotClosed, "%s is open: close it first; a matter is destroyed only once it is closed", name)
		}
		hs, err := tx.HoldsOn("matter", id)
		if err != nil {
			return nil, err
		}
		for _, h := range s.labelHolds(tx, hs) {
			refuse(ErrOnHold, "%s. Release the hold first if it no longer applies", h.Words())
		}
		switch {
		case m.Status != "closed":
		case m.DestroyAfter == nil:
			plan.NotDue = append(plan.NotDue, name+": kept for ever")
		case m.DestroyAfter.After(now):
			plan.NotDue = append(plan.NotDue, name+": not due until "+human.Date(*m.DestroyAfter))
		}
		d, err := matterHolds(tx, m)
		if err != nil {
			return nil, err
		}
		it := byClient[m.ClientID]
		if it == nil {
			it = &DueItem{ClientID: m.ClientID, ClientName: m.ClientName}
			byClient[m.ClientID] = it
			order = append(order, m.ClientID)
		}
		it.Matters = append(it.Matters, d)
		plan.Matters++
		plan.Notes += d.Notes
		plan.Parties += d.Parties
		plan.Documents += d.Documents
		plan.Versions += d.Versions
		plan.Intake += d.Intake
		plan.Bytes += d.Bytes
	}
	for _, cid := range sortedIDs(req.ClientIDs) {
		c, err := tx.GetClient(cid)
		if err != nil {
			return nil, err
		}
		name := fmt.Sprintf("Client %d (%s)", cid, c.Name)
		hs, err := tx.HoldsOn("client", cid)
		if err != nil {
			return nil, err
		}
		for _, h := range s.labelHolds(tx, hs) {
			if h.Kind == "client" { // a matter's hold is named with the matter
				refuse(ErrOnHold, "%s. Release the hold first if it no longer applies", h.Words())
			}
		}
		ms, err := tx.As(store.Everyone).ListMatters(cid, "")
		if err != nil {
			return nil, err
		}
		var kept []string
		for _, m := range ms {
			if !chosen[m.ID] {
				kept = append(kept, m.Number)
			}
		}
		if len(kept) > 0 {
			refuse(ErrClientKept, "%s has %s not being destroyed (%s): destroy only the matters, or choose them too",
				name, human.Count(len(kept), "other matter", "other matters"), strings.Join(kept, ", "))
		}
		it := byClient[cid]
		if it == nil {
			it = &DueItem{ClientID: cid, ClientName: c.Name}
			byClient[cid] = it
			order = append(order, cid)
		}
		it.WholeClient = true
		if it.ClientDocuments, it.ClientIntake, err = clientOwn(tx, cid); err != nil {
			return nil, err
		}
		plan.Clients++
		plan.Documents += it.ClientDocuments
		plan.Intake += it.ClientIntake
		var bytes int64
		var versions int
		if err := tx.QueryRow(`SELECT count(*), coalesce(sum(size), 0) FROM document_versions
			WHERE document_id IN (SELECT id FROM documents WHERE client_id = ?)`, cid).Scan(&versions, &bytes); err != nil {
			return nil, err
		}
		plan.Versions += versions
		plan.Bytes += bytes
	}
	for _, cid := range order {
		plan.Items = append(plan.Items, *byClient[cid])
	}
	return plan, nil
}

// matterHolds counts what a matter holds, as the due list does.
func matterHolds(tx *store.Tx, m *store.Matter) (store.DueMatter, error) {
	d := store.DueMatter{Matter: m}
	err := tx.QueryRow(`SELECT (SELECT count(*) FROM notes WHERE matter_id = ?1), (SELECT count(*) FROM parties WHERE matter_id = ?1),
		(SELECT count(*) FROM documents WHERE matter_id = ?1),
		(SELECT count(*) FROM document_versions WHERE document_id IN (SELECT id FROM documents WHERE matter_id = ?1)),
		(SELECT coalesce(sum(size), 0) FROM document_versions WHERE document_id IN (SELECT id FROM documents WHERE matter_id = ?1)),
		(SELECT count(*) FROM intake_submissions WHERE matter_id = ?1)`, m.ID).
		Scan(&d.Notes, &d.Parties, &d.Documents, &d.Versions, &d.Bytes, &d.Intake)
	if err != nil {
		return d, fmt.Errorf("counting what matter %s holds: %w", m.Number, err)
	}
	return d, nil
}

// RegisterEntry is one row of the destruction register: what was
// destroyed, without client data (unless names were kept).
type RegisterEntry = store.RegisterRow

// DestroyResult is what a destruction did.
type DestroyResult struct {
	Number   string // "D-2026-0001"
	Register []RegisterEntry
	Redacted int // audit entries whose detail was removed
	// Holding: the backups that still hold what was destroyed (forget them
	// with casevault backup forget-destroyed).
	Holding []HeldSnapshot
}

// Destroy destroys what req names, for good: only the vault's owner, with
// the confirmation word; refused (with nothing changed) when something is
// held, open, a client with other matters, or not due without a reason.
// One transaction: the records, the register, the audit details about
// them, one audit entry "destroy"; then a checkpoint, so the vault's files
// no longer hold them. A full disk refuses it with nothing destroyed.
func (s *Session) Destroy(ctx context.Context, req DestroyRequest, progress ProgressFunc) (*DestroyResult, error) {
	recs := destroyRecords(req)
	if err := s.allow(ctx, access.Destroy, recs...); err != nil {
		return nil, err
	}
	if u := s.currentUser(); !u.owner && !access.IsOwnerRole(u.role.Name) {
		if err := s.audit(ctx, "denied", strings.Join(recs, " "), "tried to destroy client files (only the owner may)"); err != nil {
			return nil, errors.Join(ErrOwnerOnly, err)
		}
		return nil, ErrOwnerOnly
	}
	if !strings.EqualFold(strings.TrimSpace(req.Confirm), DestroyConfirmWord) {
		return nil, ErrConfirm
	}
	if len(recs) == 0 {
		return nil, &FieldError{"destroy", "Choose the matters (and clients) to destroy"}
	}
	reason := req.Reason
	if err := cleanText("reason", &reason, maxField, false, ""); err != nil {
		return nil, err
	}
	report := func(phase string, done, total int) {
		if progress != nil {
			progress(BackupProgress{Phase: phase, Objects: done, TotalObjects: total})
		}
	}
	report("destroying", 0, 1)
	var out *store.DestroyOutcome
	var redacted int
	s.auditMu.Lock()
	err := s.st.Update(ctx, func(tx *store.Tx) error {
		plan, err := s.planDestruction(tx, req)
		if err != nil {
			return err
		}
		if len(plan.refusals) > 0 {
			return plan.refusals[0]
		}
		if len(plan.NotDue) > 0 && reason == "" {
			return &DestroyRefusal{Err: ErrNotDue, Msg: strings.Join(plan.NotDue, "; ") +
				": say why it is destroyed before its date (the register keeps the reason)"}
		}
		if err := s.auditQueuedLocked(tx); err != nil {
			return err
		}
		out, err = tx.Destroy(store.DestroySpec{MatterIDs: sortedIDs(req.MatterIDs), ClientIDs: sortedIDs(req.ClientIDs),
			KeepNames: req.KeepNames, Reason: reason, At: s.now(), By: s.DisplayName()})
		if err != nil {
			return err
		}
		if redacted, err = s.redactAudit(tx, out.Number, out.Refs, redactionNames(out, req.KeepNames)); err != nil {
			return err
		}
		if err := tx.PurgeDeleted(); err != nil {
			return err
		}
		if err := s.appendAudit(tx, "destroy", ref("destruction", out.ID), s.withOrigin(destroyDetail(out, redacted, req.KeepNames))); err != nil {
			return err
		}
		auditID, _, err := tx.AuditHead()
		if err != nil {
			return err
		}
		return tx.SetDestructionAudit(out.ID, auditID)
	})
	if err == nil {
		s.recorded = true
		s.pending, s.dropped, s.diskFull = nil, 0, false
	} else if isDiskFull(err) {
		s.diskFull = true
		err = savedFailure(err)
	}
	s.auditMu.Unlock()
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.gen++ // names left the conflict index
	s.mu.Unlock()
	report("clearing the vault's files", 0, 1)
	res := &DestroyResult{Number: out.Number, Register: out.Register, Redacted: redacted}
	// The checkpoint writes a database image without the destroyed rows
	// (secure_delete zeroed their bytes) and removes the redo log that
	// held the transaction and the chunks of the destroyed documents.
	if err := s.st.Checkpoint(ctx); err != nil {
		return res, fmt.Errorf("%s is destroyed and recorded, but the vault's files could not be rewritten without it yet (they are at the next lock or unlock): %w", out.Number, &CheckpointError{Err: err})
	}
	report("done", 1, 1)
	var herr error
	res.Holding, herr = s.SnapshotsHolding(ctx, out.Number)
	if herr != nil {
		return res, fmt.Errorf("%s is destroyed, but the backups that still hold it could not be listed: %w", out.Number, herr)
	}
	return res, nil
}

// redactionNames are the words whose audit details go: every name the
// outcome gives (document names are content), less those kept for
// conflict checks.
func redactionNames(out *store.DestroyOutcome, keepNames bool) []string {
	if !keepNames {
		return out.Names
	}
	kept := map[string]bool{}
	for _, r := range out.Register {
		for _, n := range r.KeptNames {
			kept[strings.ToLower(strings.TrimSpace(n))] = true
		}
	}
	var names []string
	for _, n := range out.Names {
		if !kept[strings.ToLower(strings.TrimSpace(n))] {
			names = append(names, n)
		}
	}
	return names
}

// destroyDetail is the destruction's audit detail: counts only.
func destroyDetail(out *store.DestroyOutcome, redacted int, keepNames bool) string {
	var clients, matters int
	items := map[string]int64{}
	for _, r := range out.Register {
		switch r.Kind {
		case "client":
			clients++
		case "matter":
			matters++
		}
		for k, v := range r.Items {
			items[k] += v
		}
	}
	parts := []string{out.Number, human.Count(matters, "matter", "matters")}
	if clients > 0 {
		parts = append(parts, human.Count(clients, "client file", "client files"))
	}
	keys := make([]string, 0, len(items))
	for k := range items {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if k == "bytes" {
			parts = append(parts, human.Size(items[k]))
			continue
		}
		parts = append(parts, fmt.Sprintf("%s %d", k, items[k]))
	}
	names := "names destroyed"
	if keepNames {
		names = "names kept for conflict checks"
	}
	return strings.Join(parts, ", ") + "; " + names + "; " + human.Count(redacted, "audit detail", "audit details") + " removed"
}

// DestructionRegister lists the destruction register (number "" = every
// destruction), newest first, a page at a time; and how many rows in all.
func (s *Session) DestructionRegister(ctx context.Context, number string, offset, limit int) ([]RegisterEntry, int, error) {
	if err := s.allow(ctx, access.ViewRetention); err != nil {
		return nil, 0, err
	}
	var out []RegisterEntry
	var total int
	err := s.view(ctx, "register.view", func(tx *store.Tx) (string, string, error) {
		var err error
		out, total, err = tx.DestructionRegister(strings.TrimSpace(number), offset, limit)
		return "", human.Count(len(out), "row", "rows"), err
	})
	return out, total, err
}

// sortedIDs returns ids without repeats, in order.
func sortedIDs(ids []int64) []int64 {
	seen := map[int64]bool{}
	var out []int64
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
