package app

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"casevault/app/access"
	"casevault/app/human"
	"casevault/store"
)

// The two "who saw what" reports (issue 10): the access report of one
// client (every read and change of that client's data, by whom and when)
// and the activity report of one user (what they opened, changed and
// exported). Both are built from the audit trail, through the session's
// view of the vault: an entry that names a matter the person making the
// report cannot see is left out whole (its detail may hold words typed
// about it), and records are named only from what that person may read.
// Making a report is itself recorded (report.access, report.activity).

// ReportRow is one audit entry in a report, in a lawyer's words (What,
// Record) with the raw entry beside it (Action, Records, Detail, EntryID)
// for a technical reader.
type ReportRow struct {
	At      time.Time `json:"at"`
	Who     string    `json:"who"`
	What    string    `json:"what"`   // "Viewed client", "Added a note"
	Record  string    `json:"record"` // "Client 12 (Jane Roe), matter 3 (Roe v. Acme)"
	Kind    string    `json:"kind"`   // read, change, export, other
	Action  string    `json:"action"`
	Records string    `json:"records,omitempty"`
	Detail  string    `json:"detail,omitempty"`
	EntryID int64     `json:"entry_id"`
}

// ReportCount is how many entries of a report one person (or one kind of
// action) has.
type ReportCount struct {
	Name    string `json:"name"`
	Reads   int    `json:"reads"`
	Changes int    `json:"changes"`
	Exports int    `json:"exports"`
	Other   int    `json:"other"`
}

// reportBase is what both reports share.
type reportBase struct {
	Title   string        `json:"title"`
	Subject string        `json:"subject"` // the client's or the user's name
	From    time.Time     `json:"from"`    // zero: from the first entry
	To      time.Time     `json:"to"`      // exclusive; zero: up to when it was made
	Made    time.Time     `json:"made"`
	MadeBy  string        `json:"made_by"`
	Vault   string        `json:"vault"`
	Rows    []ReportRow   `json:"rows"`
	People  []ReportCount `json:"people"`
	Notes   []string      `json:"notes,omitempty"` // what the report could not cover, in words
}

// AccessReport lists every read and change of one client's data: the
// client, its matters, their notes and parties, and the conflict checks
// whose results named it.
type AccessReport struct {
	reportBase
	ClientID int64 `json:"client_id"`
}

// ActivityReport lists what one user did: what they opened, changed and
// exported.
type ActivityReport struct {
	reportBase
	User string `json:"user"`
}

// actionWords are the audit actions in a lawyer's words, and what kind of
// access each is.
var actionWords = map[string]struct{ what, kind string }{
	"unlock":            {"Unlocked the vault", "other"},
	"lock":              {"Locked the vault", "other"},
	"vault.init":        {"Created the vault", "change"},
	"client.add":        {"Added a client", "change"},
	"client.edit":       {"Changed a client's details", "change"},
	"client.delete":     {"Deleted a client", "change"},
	"client.view":       {"Viewed client", "read"},
	"client.list":       {"Listed the clients", "read"},
	"matter.add":        {"Opened a new matter", "change"},
	"matter.view":       {"Viewed matter", "read"},
	"matter.list":       {"Listed matters", "read"},
	"matter.close":      {"Closed a matter", "change"},
	"matter.reopen":     {"Reopened a matter", "change"},
	"class.set":         {"Changed who may see a record", "change"},
	"note.add":          {"Added a note", "change"},
	"search":            {"Searched", "read"},
	"conflict.check":    {"Ran a conflict check", "read"},
	"conflict.decide":   {"Recorded a conflict decision", "change"},
	"conflict.list":     {"Listed past conflict checks", "read"},
	"conflict.view":     {"Viewed a conflict check", "read"},
	"conflict.report":   {"Made a conflict check report", "read"},
	"audit.list":        {"Read the audit trail", "read"},
	"audit.verify":      {"Checked the audit trail", "read"},
	"audit.export":      {"Exported the audit trail", "export"},
	"report.access":     {"Made an access report", "read"},
	"report.activity":   {"Made an activity report", "read"},
	"report.export":     {"Saved a report to a file", "export"},
	"status":            {"Looked at the vault's status", "read"},
	"passphrase.change": {"Changed the passphrase", "other"},
	"backup":            {"Backed up the vault", "export"},
	"backup.failed":     {"A backup failed", "other"},
	"backup.stopped":    {"Stopped a backup", "other"},
	"backup.verify":     {"Checked a backup", "other"},
	"backup.drill":      {"Ran a restore drill", "other"},
	"backup.forget":     {"Removed old backups", "other"},
	"backup.restore":    {"Restored a backup", "change"},
	"restore":           {"Restored a backup", "change"},
	"vault.check":       {"Checked the vault", "other"},
	"vault.repair":      {"Repaired the vault", "change"},
	"log.torn":          {"Found an unfinished save", "other"},
	"audit.gap":         {"Found missing audit entries", "other"},
	"denied":            {"Was refused", "other"},
	"user.add":          {"Added a user", "change"},
	"user.remove":       {"Removed a user", "change"},
	"user.role":         {"Changed a user's role", "change"},
	"user.reset":        {"Reset a user's passphrase", "change"},
	"user.unlock-clear": {"Cleared a user's lockout", "change"},
	"role.save":         {"Changed a role", "change"},
	"role.delete":       {"Deleted a role", "change"},
	"policy.set":        {"Changed the passphrase rules", "change"},
	"key.rotate":        {"Changed the vault key", "change"},
	"user.list":         {"Listed the users", "read"},
	"demo.fill":         {"Filled the vault with made-up clients", "change"},
	// issue 11 (matters and parties, display names)
	"matter.edit":          {"Changed matter", "change"},
	"party.add":            {"Added a party to matter", "change"},
	"party.edit":           {"Changed a party of matter", "change"},
	"party.view":           {"Viewed a party of matter", "read"},
	"party.remove":         {"Removed a party from matter", "change"},
	"matter.client.add":    {"Added a client to matter", "change"},
	"matter.client.remove": {"Removed a client from matter", "change"},
	"user.display_name":    {"Changed the name that signs notes", "change"},
	// issue 12 (client intake)
	"intake.view":    {"Opened an intake submission", "read"},
	"intake.file":    {"Opened a file sent with an intake submission", "read"},
	"intake.verify":  {"Recorded how a prospective client's identity was checked", "change"},
	"intake.accept":  {"Accepted an intake submission as a new client", "change"},
	"intake.decline": {"Declined an intake submission", "change"},
	"intake.spam":    {"Deleted an intake submission as spam", "change"},
	"intake.summary": {"Made an intake summary", "read"},
	"intake.list":    {"Listed intake submissions", "read"},
	"intake.import":  {"Brought new intake submissions into the vault", "change"},
	"intake.form":    {"Changed the intake form", "change"},
	"intake.key":     {"Set up the key that keeps what clients send through the intake form private", "change"},
	"intake.tls":     {"Made the certificate the intake form uses on the office network", "change"},
	"intake.start":   {"Started the intake form", "other"},
	// issue 13 (documents)
	"document.add":     {"Added a document", "change"},
	"document.version": {"Saved a new version of a document", "change"},
	"document.restore": {"Made an older version of a document the current one", "change"},
	"document.delete":  {"Deleted a document", "change"},
	"document.list":    {"Listed documents", "read"},
	"document.view":    {"Looked at a document's details or versions", "read"},
	"document.read":    {"Read a document", "read"},
	"document.open":    {"Opened a document in its program", "read"},
	"document.export":  {"Exported documents", "export"},
	"document.limit":   {"Changed the size limit for documents", "change"},
	// issue 14 (incidents)
	"incident.start":    {"Recorded an incident", "change"},
	"incident.list":     {"Listed the incidents", "read"},
	"incident.view":     {"Looked at an incident", "read"},
	"incident.step":     {"Ticked or unticked a step of an incident", "change"},
	"incident.clients":  {"Chose the clients an incident affects", "change"},
	"incident.notified": {"Recorded whether a client was told of an incident", "change"},
	"incident.close":    {"Closed an incident", "change"},
	// backups that still held destroyed client files (app/backup_records.go)
	"backup.forget-destroyed": {"Removed backups that still held destroyed files", "other"},
}

// ActionWords is an audit action in a lawyer's words ("Viewed client"),
// or the action itself in a sentence when it has none.
func ActionWords(action string) string {
	if w, ok := actionWords[action]; ok {
		return w.what
	}
	if strings.HasSuffix(action, ".denied") || strings.HasPrefix(action, "denied") {
		return "Was refused"
	}
	return "Other (" + action + ")"
}

// AuditAction is an audit action's code and its words, for a filter that
// offers the actions in words.
type AuditAction struct{ Code, Words string }

// AuditActions is every action with words, sorted by its words; actions
// that share words ("Restored a backup") are listed once, with the first
// code in code order.
func AuditActions() []AuditAction {
	codes := make([]string, 0, len(actionWords))
	for c := range actionWords {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	seen := map[string]bool{}
	var out []AuditAction
	for _, c := range codes {
		if w := actionWords[c].what; !seen[w] {
			seen[w] = true
			out = append(out, AuditAction{Code: c, Words: w})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Words < out[j].Words })
	return out
}

func actionKind(action string) string {
	if w, ok := actionWords[action]; ok {
		return w.kind
	}
	return "other"
}

// parseRefs reads an entry's records ("client:12 matter:3") into kind →
// ids.
func parseRefs(records string) map[string][]int64 {
	out := map[string][]int64{}
	for _, f := range strings.Fields(records) {
		k, v, ok := strings.Cut(f, ":")
		if !ok {
			continue
		}
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			continue
		}
		out[k] = append(out[k], id)
	}
	return out
}

// reportNames resolves record ids to names from what the viewer may read,
// one lookup per record the trail names (cached), not a list of the whole
// vault: a report over a few entries of a 10,000-client vault reads a few
// records.
type reportNames struct {
	tx      *store.Tx
	clients map[int64]string        // looked up; missing: not looked up yet
	matters map[int64]*store.Matter // looked up; nil: hidden from the viewer (or gone)
}

func newReportNames(tx *store.Tx) *reportNames {
	return &reportNames{tx: tx, clients: map[int64]string{}, matters: map[int64]*store.Matter{}}
}

// resolve looks up the records refs names that are not looked up yet. A
// client that is gone is named "deleted"; a matter the viewer cannot see
// is nil.
func (n *reportNames) resolve(refs map[string][]int64) error {
	for _, id := range refs["client"] {
		if _, ok := n.clients[id]; ok {
			continue
		}
		c, err := n.tx.GetClient(id)
		switch {
		case errors.Is(err, store.ErrNotFound):
			n.clients[id] = ""
		case err != nil:
			return fmt.Errorf("client %d: %w", id, err)
		default:
			n.clients[id] = c.Name
		}
	}
	for _, id := range refs["matter"] {
		if _, ok := n.matters[id]; ok {
			continue
		}
		m, err := n.tx.GetMatter(id)
		switch {
		case errors.Is(err, store.ErrNotFound):
			n.matters[id] = nil
		case err != nil:
			return fmt.Errorf("matter %d: %w", id, err)
		default:
			n.matters[id] = m
		}
	}
	return nil
}

// hidden says whether an entry names a matter the viewer cannot see: such
// an entry is left out of every report whole.
func (n *reportNames) hidden(refs map[string][]int64) bool {
	for _, id := range refs["matter"] {
		if n.matters[id] == nil {
			return true
		}
	}
	return false
}

// describe names an entry's records in words: "client 12 (Jane Roe),
// matter 3 (Roe v. Acme)".
func (n *reportNames) describe(refs map[string][]int64) string {
	var parts []string
	for _, id := range refs["client"] {
		if name := n.clients[id]; name != "" {
			parts = append(parts, fmt.Sprintf("client %d (%s)", id, name))
		} else {
			parts = append(parts, fmt.Sprintf("client %d (deleted)", id))
		}
	}
	for _, id := range refs["matter"] {
		if m := n.matters[id]; m != nil {
			parts = append(parts, fmt.Sprintf("matter %d (%s)", id, m.Title))
		}
	}
	for _, id := range refs["note"] {
		parts = append(parts, fmt.Sprintf("note %d", id))
	}
	for _, id := range refs["conflict_check"] {
		parts = append(parts, fmt.Sprintf("conflict check %d", id))
	}
	for _, id := range refs["intake"] {
		parts = append(parts, fmt.Sprintf("intake submission %d", id))
	}
	return human.Capitalize(strings.Join(parts, ", "))
}

func (n *reportNames) row(e *store.AuditEntry, refs map[string][]int64) ReportRow {
	return ReportRow{
		At: e.At, Who: e.Actor, What: ActionWords(e.Action), Record: n.describe(refs), Kind: actionKind(e.Action),
		Action: e.Action, Records: e.Records, Detail: AuditDetail(e), EntryID: e.ID,
	}
}

// conflictChecksNaming is the ids of the conflict checks whose recorded
// results (conflict_checks.hits, a JSON array of ConflictHit, which this
// package writes) named clientID; ok is false when the store cannot say
// (then the access report says that it leaves conflict checks out). One
// query of the store's table, as Status reads its times: store has no
// typed query for it yet.
func conflictChecksNaming(tx *store.Tx, clientID int64) (ids []int64, ok bool, err error) {
	rows, err := tx.Query(`SELECT DISTINCT c.id FROM conflict_checks c, json_each(CASE WHEN json_valid(c.hits) THEN c.hits ELSE '[]' END) h
		WHERE json_extract(h.value, '$.client_id') = ? ORDER BY c.id`, clientID)
	if err != nil {
		return nil, false, fmt.Errorf("finding the conflict checks that named client %d: %w", clientID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, false, err
		}
		ids = append(ids, id)
	}
	return ids, true, rows.Err()
}

func countPeople(rows []ReportRow, key func(ReportRow) string) []ReportCount {
	m := map[string]*ReportCount{}
	for _, r := range rows {
		k := key(r)
		c := m[k]
		if c == nil {
			c = &ReportCount{Name: k}
			m[k] = c
		}
		switch r.Kind {
		case "read":
			c.Reads++
		case "change":
			c.Changes++
		case "export":
			c.Exports++
		default:
			c.Other++
		}
	}
	out := make([]ReportCount, 0, len(m))
	for _, c := range m {
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// period is a report's dates in words, for its audit entry.
func period(from, to time.Time) string {
	switch {
	case from.IsZero() && to.IsZero():
		return "all dates"
	case from.IsZero():
		return "until " + to.UTC().Format(time.RFC3339)
	case to.IsZero():
		return "from " + from.UTC().Format(time.RFC3339)
	}
	return "from " + from.UTC().Format(time.RFC3339) + " until " + to.UTC().Format(time.RFC3339)
}

// AccessReport builds the access report of one client between from
// (inclusive) and to (exclusive); zero times leave that end open. It is
// recorded in the audit trail as report.access.
func (s *Session) AccessReport(ctx context.Context, clientID int64, from, to time.Time) (*AccessReport, error) {
	if err := s.allow(ctx, access.Reports, ref("client", clientID)); err != nil {
		return nil, err
	}
	rep := &AccessReport{ClientID: clientID}
	err := s.view(ctx, "report.access", func(tx *store.Tx) (string, string, error) {
		c, err := tx.GetClient(clientID)
		if errors.Is(err, store.ErrNotFound) {
			return "", "", err // "client 2: not found" from the store
		}
		if err != nil {
			return "", "", fmt.Errorf("client %d: %w", clientID, err)
		}
		names := newReportNames(tx)
		names.clients[clientID] = c.Name
		ms, err := tx.ListMatters(clientID, "")
		if err != nil {
			return "", "", err
		}
		mine := map[int64]bool{} // this client's visible matters
		for _, m := range ms {
			mine[m.ID] = true
			names.matters[m.ID] = m
		}
		checks := map[int64]bool{}
		ids, ok, err := conflictChecksNaming(tx, clientID)
		if err != nil {
			return "", "", err
		}
		for _, id := range ids {
			checks[id] = true
		}
		if !ok {
			rep.Notes = append(rep.Notes, "Conflict checks whose results named this client are not listed: this version of the vault cannot tell which they were.")
		}
		entries, err := tx.ListAudit(store.AuditFilter{From: from, To: to})
		if err != nil {
			return "", "", err
		}
		for _, e := range entries {
			refs := parseRefs(e.Records)
			if !concerns(refs, clientID, mine, checks) {
				continue
			}
			if err := names.resolve(refs); err != nil {
				return "", "", err
			}
			if names.hidden(refs) {
				continue
			}
			rep.Rows = append(rep.Rows, names.row(e, refs))
		}
		rep.Subject = c.Name
		return ref("client", clientID), fmt.Sprintf("%s, %s", human.Count(len(rep.Rows), "entry", "entries"), period(from, to)), nil
	})
	if err != nil {
		return nil, err
	}
	rep.Title = "Access report"
	s.finishReport(&rep.reportBase, from, to)
	rep.People = countPeople(rep.Rows, func(r ReportRow) string { return r.Who })
	return rep, nil
}

// concerns says whether an entry with these records is about the client:
// it names the client, one of its matters, or a conflict check that named
// it.
func concerns(refs map[string][]int64, clientID int64, matters, checks map[int64]bool) bool {
	for _, id := range refs["client"] {
		if id == clientID {
			return true
		}
	}
	for _, id := range refs["matter"] {
		if matters[id] {
			return true
		}
	}
	for _, id := range refs["conflict_check"] {
		if checks[id] {
			return true
		}
	}
	return false
}

// IsActor says whether an audit entry's actor is the user name, in any
// case: the name itself or, for the entries written before users had
// names, "owner (login)".
func IsActor(actor, user string) bool {
	if strings.EqualFold(actor, user) {
		return true
	}
	if len(actor) > len(user)+2 && strings.EqualFold(actor[:len(user)], user) && actor[len(user):len(user)+2] == " (" {
		return true
	}
	return false
}

// isOldOwnerActor: the owner as the audit trail named them before they
// acted under their user name, "owner (login)".
func isOldOwnerActor(actor string) bool {
	return strings.HasPrefix(actor, "owner (") && strings.HasSuffix(actor, ")")
}

// ActivityReport builds the activity report of one user (by name, as the
// audit trail names them) between from (inclusive) and to (exclusive);
// zero times leave that end open. It is recorded as report.activity.
func (s *Session) ActivityReport(ctx context.Context, user string, from, to time.Time) (*ActivityReport, error) {
	user = strings.TrimSpace(user)
	if user == "" {
		return nil, &FieldError{"user", "Give the name of the user whose activity to report"}
	}
	if err := s.allow(ctx, access.Reports); err != nil {
		return nil, err
	}
	rep := &ActivityReport{User: user}
	err := s.view(ctx, "report.activity", func(tx *store.Tx) (string, string, error) {
		names := newReportNames(tx)
		entries, err := tx.ListAudit(store.AuditFilter{From: from, To: to})
		if err != nil {
			return "", "", err
		}
		owner, err := tx.As(store.Everyone).OwnerUser()
		if err != nil {
			return "", "", err
		}
		ofOwner := strings.EqualFold(owner.Name, user)
		for _, e := range entries {
			if !IsActor(e.Actor, user) && !(ofOwner && isOldOwnerActor(e.Actor)) {
				continue
			}
			refs := parseRefs(e.Records)
			if err := names.resolve(refs); err != nil {
				return "", "", err
			}
			if names.hidden(refs) {
				continue
			}
			rep.Rows = append(rep.Rows, names.row(e, refs))
		}
		return "", fmt.Sprintf("user %q, %s, %s", user, human.Count(len(rep.Rows), "entry", "entries"), period(from, to)), nil
	})
	if err != nil {
		return nil, err
	}
	rep.Title = "Activity report"
	rep.Subject = user
	s.finishReport(&rep.reportBase, from, to)
	rep.People = countPeople(rep.Rows, func(r ReportRow) string { return r.What })
	return rep, nil
}

func (s *Session) finishReport(b *reportBase, from, to time.Time) {
	b.From, b.To = from, to
	b.Made = s.now()
	b.MadeBy = s.actor
	b.Vault = s.Dir()
	if b.Rows == nil {
		b.Rows = []ReportRow{}
	}
}
