package store

// Destruction (schema 7; docs/FORMAT.md 6.3.6): the records of closed
// matters and whole client files deleted in one transaction, a register
// row for each that holds no client data, and, when the lawyer chooses,
// the names kept for conflict checks (destroyed_names).

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ErrOnHold: a legal hold blocks the destruction (*OnHoldError says which).
var ErrOnHold = errors.New("on legal hold")

// ErrNotClosed: an open matter has no destroy-after date and cannot be
// destroyed.
var ErrNotClosed = errors.New("matter is open")

// ErrClientKept: a whole client file cannot be destroyed while the client
// has matters (lead or joint) that are not destroyed with it.
var ErrClientKept = errors.New("client has other matters")

// OnHoldError is ErrOnHold with the hold that blocks destroying the
// record Kind RecordID (the hold may be on the record, or on one of its
// clients or matters).
type OnHoldError struct {
	Hold     Hold
	Kind     string // what was to be destroyed: client or matter
	RecordID int64
}

func (e *OnHoldError) Error() string {
	on := fmt.Sprintf("%s %d", e.Hold.Kind, e.Hold.RecordID)
	if e.Hold.RecordID == 0 {
		on = "a " + e.Hold.Kind + " you cannot see"
	}
	return fmt.Sprintf("%s %d cannot be destroyed: hold %d on %s (nothing was destroyed)", e.Kind, e.RecordID, e.Hold.ID, on)
}

// Unwrap makes errors.Is(err, ErrOnHold) true.
func (e *OnHoldError) Unwrap() error { return ErrOnHold }

// DestroySpec says what one destruction removes.
type DestroySpec struct {
	// MatterIDs: closed matters. ClientIDs: whole client files (their own
	// documents, aliases, intake answers, the client itself); each needs
	// every matter of its (lead or joint) in MatterIDs or already gone.
	MatterIDs, ClientIDs []int64
	KeepNames            bool      // keep client names, aliases and party names for conflict checks
	Reason               string    // "" when every matter is due; else the lawyer's words (destroyed before the date)
	At                   time.Time // when (the number's year is At's, in UTC)
	By                   string
}

// RegisterRow is one destroyed client or matter as the destruction
// register keeps it: no client data (no names, titles, notes).
type RegisterRow struct {
	Ref          string // "D-2026-0001/2"
	Kind         string // client or matter
	RecordID     int64  // its former id
	MatterNumber string // a matter's number ("2026-0004")
	PracticeArea string
	Rule         string // in plain words: "Family law: 10 years after closing", "by hand before the date: <reason>"
	OpenedAt     *time.Time
	ClosedAt     *time.Time
	DestroyAfter *time.Time
	CreatedAt    time.Time        // when the record was created
	Items        map[string]int64 // notes, parties, documents, versions, bytes, intake, aliases
	Number       string           // the destruction's: "D-2026-0001"
	At           time.Time
	By           string
	NamesKept    bool
	KeptNames    []string // destroyed_names of this row (empty unless NamesKept)
}

// DestroyOutcome is what Destroy did.
type DestroyOutcome struct {
	ID       int64
	Number   string // "D-2026-0001" (per year, in order)
	Register []RegisterRow
	// Refs: every record ref removed ("client:5", "matter:7", "note:9",
	// "document:3", "party:4", "intake:2") and the conflict checks made for
	// them ("conflict_check:8"): the audit entries naming them lose their
	// detail (app). Sorted.
	Refs []string
	// Names: the client data that may sit in audit details: client names
	// and aliases, matter titles, party names, organisations and aliases,
	// document names and folders, the names on intake answers. Sorted,
	// without repeats.
	Names []string
}

// Destruction is one destruction.
type Destruction struct {
	ID        int64
	Number    string
	At        time.Time
	By        string
	AuditID   int64 // its audit entry (SetDestructionAudit); 0 until set
	NamesKept bool
	Reason    string
}

// destroyedMarker is what a conflict check keeps of a destroyed record.
func destroyedMarker(ref string) string { return "a destroyed file (" + ref + ")" }

// decisionRemoved is what a decision's note on a check made for a
// destroyed record becomes (the one change schema 7's trigger allows).
func decisionRemoved(number string) string { return "removed when file " + number + " was destroyed" }

// destroyPlan is what Destroy found to remove.
type destroyPlan struct {
	matters, clients []int64
	matterSet        map[int64]bool
	clientSet        map[int64]bool
	notes, parties   []int64
	documents        []int64
	intake           []int64
	intakeSet        map[int64]bool
	intakeRef        map[int64]string // intake id: the register ref it belongs to
	refOfMatter      map[int64]string
	refOfClient      map[int64]string
	refOfParty       map[int64]string // a destroyed party: its matter's ref
	names            map[string]bool  // client data (DestroyOutcome.Names)
}

func sortedUnique(ids []int64) []int64 {
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(out)
}

// jsonIDs is a JSON array of ids (for json_each).
func jsonIDs(ids []int64) string {
	b := []byte{'['}
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return string(append(b, ']'))
}

// Destroy deletes closed matters and whole client files with everything
// that hangs on them, in the caller's transaction, and records the
// destruction (number D-YYYY-NNNN), its register rows and, with
// KeepNames, the names kept for conflict checks. It refuses, changing
// nothing: a record the viewer cannot see or that does not exist
// (ErrNotFound), an open matter (ErrNotClosed), one blocked by an
// active legal hold (*OnHoldError), a client with matters not destroyed
// with it (ErrClientKept), a matter not due yet without spec.Reason
// (ErrBadRetention). The conflict checks made for the destroyed records
// and the hits naming them in other checks keep no destroyed client data
// (names only when KeepNames). Deleted documents' objects no longer
// named are forgotten, so the next checkpoint deletes them; PurgeDeleted
// and that checkpoint leave no byte of what was deleted in the image.
func (tx *Tx) Destroy(spec DestroySpec) (*DestroyOutcome, error) {
	if ok, err := tx.hasRetention(); err != nil {
		return nil, err
	} else if !ok {
		return nil, fmt.Errorf("%w: this vault's database is too old to record a destruction", ErrBadRetention)
	}
	p := &destroyPlan{matters: sortedUnique(spec.MatterIDs), clients: sortedUnique(spec.ClientIDs)}
	if len(p.matters)+len(p.clients) == 0 {
		return nil, fmt.Errorf("%w: choose at least one matter or client to destroy", ErrBadRetention)
	}
	if spec.At.IsZero() {
		return nil, fmt.Errorf("%w: a destruction needs its time", ErrBadRetention)
	}
	spec.Reason = strings.TrimSpace(spec.Reason)
	if err := tx.checkDestroy(p, spec); err != nil {
		return nil, err
	}
	number, err := tx.nextDestructionNumber(spec.At)
	if err != nil {
		return nil, err
	}
	res, err := tx.Exec("INSERT INTO destructions(number, at, by, names_kept, reason) VALUES (?, ?, ?, ?, ?)",
		number, ms(spec.At), spec.By, spec.KeepNames, spec.Reason)
	if err != nil {
		return nil, fmt.Errorf("recording the destruction: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return nil, err
	}
	out := &DestroyOutcome{ID: id, Number: number}
	if err := tx.registerAll(p, spec, id, number); err != nil {
		return nil, err
	}
	if err := tx.collect(p); err != nil {
		return nil, err
	}
	checks, err := tx.rewriteConflictChecks(p, spec, number)
	if err != nil {
		return nil, err
	}
	if err := tx.deletePlan(p); err != nil {
		return nil, err
	}
	tx.forgetClasses()
	out.Refs = planRefs(p, checks)
	for n := range p.names {
		out.Names = append(out.Names, n)
	}
	slices.Sort(out.Names)
	out.Register, _, err = tx.register("WHERE r.destruction_id = ?", []any{id}, 0, 0)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// checkDestroy refuses what cannot be destroyed (see Destroy).
func (tx *Tx) checkDestroy(p *destroyPlan, spec DestroySpec) error {
	p.matterSet, p.clientSet = map[int64]bool{}, map[int64]bool{}
	for _, id := range p.matters {
		p.matterSet[id] = true
		if err := tx.needMatter(id); err != nil {
			return err
		}
		var status string
		var after sql.NullInt64
		if err := tx.QueryRow("SELECT status, destroy_after FROM matters WHERE id = ?", id).Scan(&status, &after); err != nil {
			return fmt.Errorf("reading matter %d: %w", id, err)
		}
		if status != "closed" {
			return fmt.Errorf("matter %d: %w: close it first (nothing was destroyed)", id, ErrNotClosed)
		}
		if (!after.Valid || after.Int64 > ms(spec.At)) && spec.Reason == "" {
			return fmt.Errorf("%w: matter %d is not due for destruction yet; destroying it before its date needs a reason (nothing was destroyed)", ErrBadRetention, id)
		}
		if err := tx.refuseHeld(KindMatter, id); err != nil {
			return err
		}
	}
	for _, id := range p.clients {
		p.clientSet[id] = true
		if err := tx.needClient(id); err != nil {
			return err
		}
		if err := tx.refuseHeld(KindClient, id); err != nil {
			return err
		}
		others, err := tx.queryIDs("SELECT matter_id FROM matter_clients WHERE client_id = ? ORDER BY matter_id", id)
		if err != nil {
			return fmt.Errorf("reading the matters of client %d: %w", id, err)
		}
		n := 0
		for _, m := range others {
			if !p.matterSet[m] {
				n++
			}
		}
		if n > 0 {
			what := "1 other matter"
			if n > 1 {
				what = strconv.Itoa(n) + " other matters"
			}
			return fmt.Errorf("client %d: %w: it has %s not destroyed with it (nothing was destroyed)", id, ErrClientKept, what)
		}
	}
	return nil
}

// refuseHeld is an *OnHoldError when an active hold blocks destroying
// the record (HoldsOn's rule, whoever may see the hold).
func (tx *Tx) refuseHeld(kind string, id int64) error {
	q := holdsBlockingClient
	if kind == KindMatter {
		q = holdsBlockingMatter
	}
	hs, err := tx.queryHolds("SELECT "+holdCols+" WHERE "+q+" ORDER BY h.placed_at, h.id LIMIT 1", id)
	if err != nil || len(hs) == 0 {
		return err
	}
	if hs, err = tx.maskHolds(hs); err != nil {
		return err
	}
	return &OnHoldError{Hold: hs[0], Kind: kind, RecordID: id}
}

// nextDestructionNumber is "D-YYYY-NNNN", one more than the highest of
// at's year (UTC).
func (tx *Tx) nextDestructionNumber(at time.Time) (string, error) {
	prefix := fmt.Sprintf("D-%d-", at.UTC().Year())
	var n int64
	err := tx.QueryRow(`SELECT coalesce(max(CAST(substr(number, ?2) AS INTEGER)), 0) FROM destructions WHERE substr(number, 1, ?3) = ?1`,
		prefix, len(prefix)+1, len(prefix)).Scan(&n)
	if err != nil {
		return "", fmt.Errorf("choosing the destruction's number: %w", err)
	}
	return fmt.Sprintf("%s%04d", prefix, n+1), nil
}

// registerAll writes the register rows (matters first, then clients, by
// id) and, with KeepNames, the names kept.
func (tx *Tx) registerAll(p *destroyPlan, spec DestroySpec, destructionID int64, number string) error {
	p.refOfMatter, p.refOfClient = map[int64]string{}, map[int64]string{}
	n := 0
	for _, id := range p.matters {
		n++
		ref := number + "/" + strconv.Itoa(n)
		p.refOfMatter[id] = ref
		var number, area, rule, title string
		var opened, created int64
		var closed, after sql.NullInt64
		err := tx.QueryRow(`SELECT number, practice_area, destroy_rule, opened_at, closed_at, destroy_after, created_at, title
			FROM matters WHERE id = ?`, id).Scan(&number, &area, &rule, &opened, &closed, &after, &created, &title)
		if err != nil {
			return fmt.Errorf("reading matter %d: %w", id, err)
		}
		items := map[string]int64{}
		err = tx.QueryRow(`SELECT (SELECT count(*) FROM notes WHERE matter_id = ?1), (SELECT count(*) FROM parties WHERE matter_id = ?1),
			(SELECT count(*) FROM documents WHERE matter_id = ?1),
			(SELECT count(*) FROM document_versions WHERE document_id IN (SELECT id FROM documents WHERE matter_id = ?1)),
			(SELECT coalesce(sum(size), 0) FROM document_versions WHERE document_id IN (SELECT id FROM documents WHERE matter_id = ?1)),
			(SELECT count(*) FROM intake_submissions WHERE matter_id = ?1)`, id).
			Scan(countOf(items, "notes"), countOf(items, "parties"), countOf(items, "documents"), countOf(items, "versions"),
				countOf(items, "bytes"), countOf(items, "intake"))
		if err != nil {
			return fmt.Errorf("counting what matter %d holds: %w", id, err)
		}
		words, err := tx.ruleWords(rule, closed, after, spec)
		if err != nil {
			return err
		}
		regID, err := tx.insertRegister(destructionID, ref, KindMatter, id, number, area, words, opened, closed, after, created, items)
		if err != nil {
			return err
		}
		if spec.KeepNames {
			if err := tx.keepPartyNames(regID, id, number); err != nil {
				return err
			}
		}
	}
	for _, id := range p.clients {
		n++
		ref := number + "/" + strconv.Itoa(n)
		p.refOfClient[id] = ref
		var created int64
		var name string
		if err := tx.QueryRow("SELECT created_at, name FROM clients WHERE id = ?", id).Scan(&created, &name); err != nil {
			return fmt.Errorf("reading client %d: %w", id, err)
		}
		items := map[string]int64{}
		err := tx.QueryRow(`SELECT (SELECT count(*) FROM documents WHERE client_id = ?1),
			(SELECT count(*) FROM document_versions WHERE document_id IN (SELECT id FROM documents WHERE client_id = ?1)),
			(SELECT coalesce(sum(size), 0) FROM document_versions WHERE document_id IN (SELECT id FROM documents WHERE client_id = ?1)),
			(SELECT count(*) FROM intake_submissions WHERE client_id = ?1 AND (matter_id IS NULL OR matter_id NOT IN (SELECT value FROM json_each(?2)))),
			(SELECT count(*) FROM client_aliases WHERE client_id = ?1)`, id, jsonIDs(p.matters)).
			Scan(countOf(items, "documents"), countOf(items, "versions"), countOf(items, "bytes"), countOf(items, "intake"), countOf(items, "aliases"))
		if err != nil {
			return fmt.Errorf("counting what client %d holds: %w", id, err)
		}
		var had int
		if err := tx.QueryRow("SELECT count(*) FROM matter_clients WHERE client_id = ?", id).Scan(&had); err != nil {
			return fmt.Errorf("reading the matters of client %d: %w", id, err)
		}
		words := "client file: no matters left"
		if had > 0 {
			words = "client file: destroyed with its last matters"
		}
		if spec.Reason != "" {
			words += "; by hand: " + spec.Reason
		}
		regID, err := tx.insertRegister(destructionID, ref, KindClient, id, "", "", words, 0, sql.NullInt64{}, sql.NullInt64{}, created, items)
		if err != nil {
			return err
		}
		if spec.KeepNames {
			if err := tx.keepName(regID, name, "former_client", name, ""); err != nil {
				return err
			}
			aliases, err := tx.aliases(id)
			if err != nil {
				return err
			}
			for _, a := range aliases {
				if err := tx.keepName(regID, a, "former_alias", name, ""); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// countOf is a Scan target that stores an int64 in items[key].
func countOf(items map[string]int64, key string) any { return &itemScan{items, key} }

type itemScan struct {
	items map[string]int64
	key   string
}

func (s *itemScan) Scan(src any) error {
	v, ok := src.(int64)
	if !ok {
		return fmt.Errorf("count %s: %T", s.key, src)
	}
	s.items[s.key] = v
	return nil
}

func (tx *Tx) insertRegister(destructionID int64, ref, kind string, id int64, number, area, rule string, opened int64,
	closed, after sql.NullInt64, created int64, items map[string]int64) (int64, error) {
	itemsJSON, err := json.Marshal(items)
	if err != nil {
		return 0, err
	}
	var openedV, closedV, afterV any
	if opened != 0 {
		openedV = opened
	}
	if closed.Valid {
		closedV = closed.Int64
	}
	if after.Valid {
		afterV = after.Int64
	}
	res, err := tx.Exec(`INSERT INTO destruction_register(destruction_id, ref, kind, record_id, matter_number, practice_area, rule,
		opened_at, closed_at, destroy_after, created_at, items) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		destructionID, ref, kind, id, number, area, rule, openedV, closedV, afterV, created, string(itemsJSON))
	if err != nil {
		return 0, fmt.Errorf("writing the register row of %s %d: %w", kind, id, err)
	}
	return res.LastInsertId()
}

func (tx *Tx) keepName(regID int64, name, role, clientName, matterNumber string) error {
	if strings.TrimSpace(name) == "" {
		return nil
	}
	_, err := tx.Exec("INSERT INTO destroyed_names(register_id, name, role, client_name, matter_number) VALUES (?, ?, ?, ?, ?)",
		regID, name, role, clientName, matterNumber)
	if err != nil {
		return fmt.Errorf("keeping a name for conflict checks: %w", err)
	}
	return nil
}

// keepPartyNames keeps a destroyed matter's party names, aliases and
// former names (role former_<the party's role>) with its lead client's
// name.
func (tx *Tx) keepPartyNames(regID, matterID int64, number string) error {
	rows, err := tx.Query(`SELECT p.name, p.role, c.name FROM parties p JOIN matters m ON m.id = p.matter_id JOIN clients c ON c.id = m.client_id
		WHERE p.matter_id = ?1
		UNION ALL
		SELECT pa.alias, p.role, c.name FROM party_aliases pa JOIN parties p ON p.id = pa.party_id JOIN matters m ON m.id = p.matter_id
		JOIN clients c ON c.id = m.client_id WHERE p.matter_id = ?1`, matterID)
	if err != nil {
		return fmt.Errorf("reading the parties of matter %d: %w", matterID, err)
	}
	type kn struct{ name, role, client string }
	var ks []kn
	for rows.Next() {
		var k kn
		if err := rows.Scan(&k.name, &k.role, &k.client); err != nil {
			rows.Close()
			return err
		}
		ks = append(ks, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, k := range ks {
		if err := tx.keepName(regID, k.name, "former_"+k.role, k.client, number); err != nil {
			return err
		}
	}
	return nil
}

// ruleWords says in plain words under which rule a matter is destroyed.
func (tx *Tx) ruleWords(rule string, closed, after sql.NullInt64, spec DestroySpec) (string, error) {
	if !after.Valid || after.Int64 > ms(spec.At) {
		return "by hand before the date: " + spec.Reason, nil
	}
	switch {
	case rule == ruleChanged:
		return "a date set by hand", nil
	case strings.HasPrefix(rule, ruleFrom):
		area := strings.TrimPrefix(rule, ruleFrom)
		label := "Default rule"
		if area != "" {
			label = area
		}
		if closed.Valid {
			if l := lengthWords(fromMS(closed.Int64), fromMS(after.Int64)); l != "" {
				return label + ": " + l + " after closing", nil
			}
		}
		return label, nil
	}
	return "no rule recorded", nil
}

// lengthWords is "10 years", "1 year and 6 months", "6 months": the time
// from closed to after when AddDate makes one from the other, else "".
func lengthWords(closed, after time.Time) string {
	for n := 0; n <= 12*MaxRetentionYears+MaxRetentionMonths; n++ {
		if !closed.AddDate(n/12, n%12, 0).Equal(after) {
			continue
		}
		y, m := n/12, n%12
		plural := func(k int, one, many string) string {
			if k == 1 {
				return "1 " + one
			}
			return strconv.Itoa(k) + " " + many
		}
		switch {
		case y > 0 && m > 0:
			return plural(y, "year", "years") + " and " + plural(m, "month", "months")
		case y > 0:
			return plural(y, "year", "years")
		case m > 0:
			return plural(m, "month", "months")
		}
		return ""
	}
	return ""
}

// collect reads the ids of everything that hangs on the records and the
// client data that audit details may hold.
func (tx *Tx) collect(p *destroyPlan) error {
	ms, cs := jsonIDs(p.matters), jsonIDs(p.clients)
	var err error
	if p.notes, err = tx.queryIDs("SELECT id FROM notes WHERE matter_id IN (SELECT value FROM json_each(?)) ORDER BY id", ms); err != nil {
		return fmt.Errorf("reading the notes to destroy: %w", err)
	}
	p.refOfParty = map[int64]string{}
	prows, err := tx.Query("SELECT id, matter_id FROM parties WHERE matter_id IN (SELECT value FROM json_each(?)) ORDER BY id", ms)
	if err != nil {
		return fmt.Errorf("reading the parties to destroy: %w", err)
	}
	for prows.Next() {
		var id, m int64
		if err := prows.Scan(&id, &m); err != nil {
			prows.Close()
			return err
		}
		p.parties = append(p.parties, id)
		p.refOfParty[id] = p.refOfMatter[m]
	}
	prows.Close()
	if err := prows.Err(); err != nil {
		return err
	}
	if p.documents, err = tx.queryIDs(`SELECT id FROM documents WHERE matter_id IN (SELECT value FROM json_each(?1))
		OR client_id IN (SELECT value FROM json_each(?2)) ORDER BY id`, ms, cs); err != nil {
		return fmt.Errorf("reading the documents to destroy: %w", err)
	}
	p.intakeSet, p.intakeRef = map[int64]bool{}, map[int64]string{}
	rows, err := tx.Query(`SELECT id, coalesce(client_id, 0), coalesce(matter_id, 0) FROM intake_submissions
		WHERE matter_id IN (SELECT value FROM json_each(?1)) OR client_id IN (SELECT value FROM json_each(?2)) ORDER BY id`, ms, cs)
	if err != nil {
		return fmt.Errorf("reading the intake answers to destroy: %w", err)
	}
	for rows.Next() {
		var id, c, m int64
		if err := rows.Scan(&id, &c, &m); err != nil {
			rows.Close()
			return err
		}
		p.intake = append(p.intake, id)
		p.intakeSet[id] = true
		if r, ok := p.refOfMatter[m]; ok {
			p.intakeRef[id] = r
		} else {
			p.intakeRef[id] = p.refOfClient[c]
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	p.names = map[string]bool{}
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{"SELECT name FROM clients WHERE id IN (SELECT value FROM json_each(?))", []any{cs}},
		{"SELECT alias FROM client_aliases WHERE client_id IN (SELECT value FROM json_each(?))", []any{cs}},
		{"SELECT title FROM matters WHERE id IN (SELECT value FROM json_each(?))", []any{ms}},
		{"SELECT name FROM parties WHERE id IN (SELECT value FROM json_each(?))", []any{jsonIDs(p.parties)}},
		{"SELECT organisation FROM parties WHERE id IN (SELECT value FROM json_each(?)) AND organisation <> ''", []any{jsonIDs(p.parties)}},
		{"SELECT alias FROM party_aliases WHERE party_id IN (SELECT value FROM json_each(?))", []any{jsonIDs(p.parties)}},
		{"SELECT name FROM documents WHERE id IN (SELECT value FROM json_each(?))", []any{jsonIDs(p.documents)}},
		{"SELECT DISTINCT folder FROM documents WHERE id IN (SELECT value FROM json_each(?)) AND folder <> ''", []any{jsonIDs(p.documents)}},
		{"SELECT full_name FROM intake_submissions WHERE id IN (SELECT value FROM json_each(?))", []any{jsonIDs(p.intake)}},
	} {
		rows, err := tx.Query(q.sql, q.args...)
		if err != nil {
			return fmt.Errorf("reading the names to destroy: %w", err)
		}
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				rows.Close()
				return err
			}
			if n = strings.TrimSpace(n); n != "" {
				p.names[n] = true
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// deletePlan deletes every row of the records.
func (tx *Tx) deletePlan(p *destroyPlan) error {
	ms, cs, ds := jsonIDs(p.matters), jsonIDs(p.clients), jsonIDs(p.documents)
	// Documents as DeleteDocument deletes them: each object their chunks
	// named counts that many fewer; those no longer named are forgotten.
	const versions = "SELECT id FROM document_versions WHERE document_id IN (SELECT value FROM json_each(?1))"
	var objects string
	if err := tx.QueryRow("SELECT coalesce(json_group_array(DISTINCT object), '[]') FROM document_chunks WHERE version_id IN ("+versions+")", ds).Scan(&objects); err != nil {
		return fmt.Errorf("reading the documents' chunks: %w", err)
	}
	steps := []struct {
		what, sql string
		args      []any
	}{
		{"documents", `UPDATE doc_objects SET refs = refs - x.n FROM (SELECT object, count(*) AS n FROM document_chunks
			WHERE version_id IN (` + versions + `) GROUP BY object) AS x WHERE doc_objects.id = x.object`, []any{ds}},
		{"documents", "DELETE FROM document_chunks WHERE version_id IN (" + versions + ")", []any{ds}},
		{"documents", "DELETE FROM document_versions WHERE document_id IN (SELECT value FROM json_each(?1))", []any{ds}},
		{"documents", "DELETE FROM documents WHERE id IN (SELECT value FROM json_each(?1))", []any{ds}},
		{"documents", "DELETE FROM doc_objects WHERE refs <= 0 AND id IN (SELECT value FROM json_each(?))", []any{objects}},
		{"intake answers", "DELETE FROM intake_files WHERE submission_id IN (SELECT value FROM json_each(?))", []any{jsonIDs(p.intake)}},
		{"intake answers", "DELETE FROM intake_submissions WHERE id IN (SELECT value FROM json_each(?))", []any{jsonIDs(p.intake)}},
		{"notes", "DELETE FROM notes WHERE matter_id IN (SELECT value FROM json_each(?))", []any{ms}},
		{"parties", "DELETE FROM party_aliases WHERE party_id IN (SELECT value FROM json_each(?))", []any{jsonIDs(p.parties)}},
		{"parties", "DELETE FROM parties WHERE matter_id IN (SELECT value FROM json_each(?))", []any{ms}},
		{"retention changes", "DELETE FROM retention_changes WHERE matter_id IN (SELECT value FROM json_each(?))", []any{ms}},
		{"legal holds", `DELETE FROM legal_holds WHERE (kind = 'matter' AND record_id IN (SELECT value FROM json_each(?1)))
			OR (kind = 'client' AND record_id IN (SELECT value FROM json_each(?2)))`, []any{ms, cs}},
		{"access lists", `DELETE FROM access_list WHERE (kind = 'matter' AND record_id IN (SELECT value FROM json_each(?1)))
			OR (kind = 'client' AND record_id IN (SELECT value FROM json_each(?2)))`, []any{ms, cs}},
		{"matters", "DELETE FROM matter_clients WHERE matter_id IN (SELECT value FROM json_each(?))", []any{ms}},
		{"matters", "DELETE FROM matters WHERE id IN (SELECT value FROM json_each(?))", []any{ms}},
		{"clients", "DELETE FROM client_aliases WHERE client_id IN (SELECT value FROM json_each(?))", []any{cs}},
		{"clients", "DELETE FROM clients WHERE id IN (SELECT value FROM json_each(?))", []any{cs}},
	}
	for _, s := range steps {
		if _, err := tx.Exec(s.sql, s.args...); err != nil {
			return fmt.Errorf("destroying the %s: %w", s.what, err)
		}
	}
	return nil
}

// planRefs are the refs of every record removed and of the conflict
// checks made for them.
func planRefs(p *destroyPlan, checks []int64) []string {
	var out []string
	add := func(kind string, ids []int64) {
		for _, id := range ids {
			out = append(out, kind+":"+strconv.FormatInt(id, 10))
		}
	}
	add("client", p.clients)
	add("matter", p.matters)
	add("note", p.notes)
	add("party", p.parties)
	add("document", p.documents)
	add("intake", p.intake)
	add("conflict_check", checks)
	slices.Sort(out)
	return out
}

// checkFor is the register ref of the destroyed record a conflict
// check's context names ("client:12", "matter:4", "party:17 matter:4",
// "intake:5"), or "".
func (p *destroyPlan) checkFor(context string) string {
	var found string
	for _, f := range strings.Fields(context) {
		kind, v, ok := strings.Cut(f, ":")
		id, err := strconv.ParseInt(v, 10, 64)
		if !ok || err != nil {
			continue
		}
		switch kind {
		case "matter":
			if r := p.refOfMatter[id]; r != "" {
				return r // the matter's row, before its party's or client's
			}
		case "client":
			if r := p.refOfClient[id]; r != "" && found == "" {
				found = r
			}
		case "party":
			if r := p.refOfParty[id]; r != "" && found == "" {
				found = r
			}
		case "intake":
			if r := p.intakeRef[id]; r != "" && found == "" {
				found = r
			}
		}
	}
	return found
}

// hitRef is the register ref of the destroyed record a recorded hit
// names, or "".
func (p *destroyPlan) hitRef(h map[string]any) string {
	id := func(k string) int64 {
		f, _ := h[k].(float64)
		return int64(f)
	}
	if r := p.refOfMatter[id("matter_id")]; r != "" {
		return r
	}
	if r := p.refOfParty[id("party_id")]; r != "" {
		return r
	}
	if r := p.intakeRef[id("intake_id")]; r != "" {
		return r
	}
	return p.refOfClient[id("client_id")]
}

// rewriteConflictChecks takes the destroyed client data out of the
// recorded conflict checks and returns the ids of the checks made for a
// destroyed record. Such a check keeps its decision; its names (unless
// KeepNames) and hits' queries become the marker and its decision notes
// say they were removed. In every check, a hit naming a destroyed record
// becomes the marker (with KeepNames the client and party names stay, the
// matter title and the ids go) and, unless KeepNames, a checked name equal
// to a destroyed name becomes the marker.
func (tx *Tx) rewriteConflictChecks(p *destroyPlan, spec DestroySpec, number string) ([]int64, error) {
	type check struct {
		id                int64
		names, hits, note string
		context           string
		newNames, newHits string
		newNote           string
		forRecord         bool
	}
	rows, err := tx.Query("SELECT id, names, hits, decision_note, context FROM conflict_checks ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("reading the conflict checks: %w", err)
	}
	var all []check
	for rows.Next() {
		var c check
		if err := rows.Scan(&c.id, &c.names, &c.hits, &c.note, &c.context); err != nil {
			rows.Close()
			return nil, err
		}
		all = append(all, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	lowerNames := map[string]bool{}
	for n := range p.names {
		lowerNames[strings.ToLower(n)] = true
	}
	var forRecords []int64
	for i := range all {
		c := &all[i]
		ref := p.checkFor(c.context)
		c.forRecord = ref != ""
		c.newNames, c.newHits, c.newNote = c.names, c.hits, c.note
		if c.forRecord {
			forRecords = append(forRecords, c.id)
			if c.note != "" {
				c.newNote = decisionRemoved(number)
			}
		}
		// The checked names.
		var names []any
		if json.Unmarshal([]byte(c.names), &names) == nil && names != nil {
			changed := false
			for j, n := range names {
				s, ok := n.(string)
				if !ok || spec.KeepNames {
					continue
				}
				if c.forRecord || lowerNames[strings.ToLower(strings.TrimSpace(s))] {
					marker := ref
					if marker == "" {
						marker = number
					}
					names[j], changed = destroyedMarker(marker), true
				}
			}
			if changed {
				b, err := json.Marshal(names)
				if err != nil {
					return nil, err
				}
				c.newNames = string(b)
			}
		}
		// The hits.
		var hits []map[string]any
		if json.Unmarshal([]byte(c.hits), &hits) == nil && hits != nil {
			changed := false
			for j, h := range hits {
				if h == nil {
					continue
				}
				hr := p.hitRef(h)
				q, _ := h["query"].(string)
				queryGoes := !spec.KeepNames && (c.forRecord || lowerNames[strings.ToLower(strings.TrimSpace(q))])
				if hr == "" && !queryGoes {
					continue
				}
				changed = true
				if queryGoes {
					marker := ref
					if marker == "" {
						marker = hr
					}
					if marker == "" {
						marker = number
					}
					h["query"] = destroyedMarker(marker)
				}
				if hr == "" {
					continue
				}
				nh := map[string]any{"query": h["query"], "match": h["match"], "score": h["score"], "role": h["role"],
					"destroyed": hr, "name": destroyedMarker(hr), "why": destroyedMarker(hr)}
				if spec.KeepNames {
					for _, k := range []string{"name", "client_name", "party_name", "name_kind"} {
						if v, ok := h[k]; ok {
							nh[k] = v
						}
					}
				}
				hits[j] = nh
			}
			if changed {
				b, err := json.Marshal(hits)
				if err != nil {
					return nil, err
				}
				c.newHits = string(b)
			}
		}
		if c.newNames != c.names || c.newHits != c.hits || c.newNote != c.note {
			_, err := tx.Exec("UPDATE conflict_checks SET names = ?, hits = ?, decision_note = ? WHERE id = ?", c.newNames, c.newHits, c.newNote, c.id)
			if err != nil {
				return nil, fmt.Errorf("rewriting conflict check %d: %w", c.id, err)
			}
		}
		if c.forRecord {
			_, err := tx.Exec("UPDATE conflict_decisions SET note = ? WHERE check_id = ? AND note <> ''", decisionRemoved(number), c.id)
			if err != nil {
				return nil, fmt.Errorf("rewriting the decisions on conflict check %d: %w", c.id, err)
			}
		}
	}
	return forRecords, nil
}

// SetDestructionAudit records the audit entry of a destruction (app,
// after appending it in the same transaction).
func (tx *Tx) SetDestructionAudit(id, auditID int64) error {
	res, err := tx.Exec("UPDATE destructions SET audit_id = ? WHERE id = ?", auditID, id)
	if err != nil {
		return fmt.Errorf("recording destruction %d's audit entry: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("destruction %d: %w", id, ErrNotFound)
	}
	return nil
}

// Destructions returns every destruction, newest first. They hold no
// client data: every viewer sees them.
func (tx *Tx) Destructions() ([]Destruction, error) {
	if ok, err := tx.hasRetention(); err != nil || !ok {
		return nil, err
	}
	rows, err := tx.Query("SELECT id, number, at, by, audit_id, names_kept, reason FROM destructions ORDER BY at DESC, id DESC")
	if err != nil {
		return nil, fmt.Errorf("reading the destructions: %w", err)
	}
	defer rows.Close()
	var out []Destruction
	for rows.Next() {
		var d Destruction
		var at int64
		if err := rows.Scan(&d.ID, &d.Number, &at, &d.By, &d.AuditID, &d.NamesKept, &d.Reason); err != nil {
			return nil, err
		}
		d.At = fromMS(at)
		out = append(out, d)
	}
	return out, rows.Err()
}

// DestructionRegister returns a page of the register (number "": every
// destruction's, newest first; else that destruction's, ErrNotFound when
// there is none), each row in ref order, and how many rows there are in
// all. limit <= 0: all. The rows hold no client data: every viewer sees
// them (the kept names are there only when the lawyer chose to keep them).
func (tx *Tx) DestructionRegister(number string, offset, limit int) ([]RegisterRow, int, error) {
	if ok, err := tx.hasRetention(); err != nil || !ok {
		return nil, 0, err
	}
	number = strings.TrimSpace(number)
	if number == "" {
		return tx.register("", nil, offset, limit)
	}
	var n int
	if err := tx.QueryRow("SELECT count(*) FROM destructions WHERE number = ? COLLATE NOCASE", number).Scan(&n); err != nil {
		return nil, 0, fmt.Errorf("reading destruction %s: %w", number, err)
	}
	if n == 0 {
		return nil, 0, fmt.Errorf("destruction %s: %w", number, ErrNotFound)
	}
	return tx.register("WHERE d.number = ? COLLATE NOCASE", []any{number}, offset, limit)
}

// register reads register rows (cond on r and d) with their kept names.
func (tx *Tx) register(cond string, args []any, offset, limit int) ([]RegisterRow, int, error) {
	from := " FROM destruction_register r JOIN destructions d ON d.id = r.destruction_id " + cond
	var total int
	if err := tx.QueryRow("SELECT count(*)"+from, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("counting the register: %w", err)
	}
	if limit <= 0 {
		limit = -1
	}
	rows, err := tx.Query(`SELECT r.id, r.ref, r.kind, r.record_id, r.matter_number, r.practice_area, r.rule, r.opened_at, r.closed_at,
		r.destroy_after, r.created_at, r.items, d.number, d.at, d.by, d.names_kept`+from+`
		ORDER BY d.at DESC, d.id DESC, r.id LIMIT ? OFFSET ?`, append(args, limit, max(offset, 0))...)
	if err != nil {
		return nil, 0, fmt.Errorf("reading the register: %w", err)
	}
	var out []RegisterRow
	var ids []int64
	for rows.Next() {
		var r RegisterRow
		var id, created, at int64
		var opened, closed, after sql.NullInt64
		var items string
		if err := rows.Scan(&id, &r.Ref, &r.Kind, &r.RecordID, &r.MatterNumber, &r.PracticeArea, &r.Rule, &opened, &closed, &after,
			&created, &items, &r.Number, &at, &r.By, &r.NamesKept); err != nil {
			rows.Close()
			return nil, 0, err
		}
		r.OpenedAt, r.ClosedAt, r.DestroyAfter = timePtr(opened), timePtr(closed), timePtr(after)
		r.CreatedAt, r.At = fromMS(created), fromMS(at)
		if err := json.Unmarshal([]byte(items), &r.Items); err != nil {
			rows.Close()
			return nil, 0, fmt.Errorf("register row %s: its counts do not read: %w", r.Ref, err)
		}
		out = append(out, r)
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	for i, id := range ids {
		nrows, err := tx.Query("SELECT name FROM destroyed_names WHERE register_id = ? ORDER BY id", id)
		if err != nil {
			return nil, 0, fmt.Errorf("reading the names kept: %w", err)
		}
		for nrows.Next() {
			var n string
			if err := nrows.Scan(&n); err != nil {
				nrows.Close()
				return nil, 0, err
			}
			out[i].KeptNames = append(out[i].KeptNames, n)
		}
		nrows.Close()
		if err := nrows.Err(); err != nil {
			return nil, 0, err
		}
	}
	return out, total, nil
}

// PurgeDeleted makes SQLite forget deleted words: FTS5's 'optimize'
// merges the search index into one segment, without the entries of
// deleted rows (which otherwise stay in older segments until a merge).
// With secure_delete on (every connection: store/engine), the pages
// those rows and segments occupied are zeroed, so the checkpoint after
// it holds no byte of them. Not recorded in the redo log (FTS5's own
// tables): the checkpoint that follows keeps it.
func (tx *Tx) PurgeDeleted() error {
	if _, err := tx.Exec("INSERT INTO search(search) VALUES ('optimize')"); err != nil {
		return fmt.Errorf("compacting the search index: %w", err)
	}
	return nil
}
