package store

import (
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Who sees what (docs/FORMAT.md §6.3). Clients and matters carry a security
// class:
//
//   - general: everyone sees it;
//   - restricted: only the users on its access list (and the owner);
//   - walled (an ethical wall): everyone except the users on its access
//     list (the owner always sees it).
//
// A matter is visible when its class lets the viewer see it AND its client
// is visible; its parties, notes and search entries follow it, a client's
// aliases follow the client. A class the store does not know is treated as
// restricted (fail closed).
//
// Every Tx method that lists, searches, counts or names records applies the
// transaction's Viewer; a method given the id of a record the viewer cannot
// see answers ErrNotFound, exactly as for an id that does not exist (only
// ConflictNames tells that a hidden name exists: a wall never hides a
// conflict).

// Security classes.
const (
	ClassGeneral    = "general"
	ClassRestricted = "restricted"
	ClassWalled     = "walled"
)

// Kinds of record that carry a security class (access_list.kind).
const (
	KindClient = "client"
	KindMatter = "matter"
)

// ErrBadClass: a security class or record kind the store does not know.
var ErrBadClass = errors.New("the security class must be general, restricted or walled")

// Viewer is who a transaction reads for. All: the owner (or the vault's
// own work: checkpoints, sealing, chain verification, backups' counts)
// sees everything. Otherwise UserID is the users row whose access decides.
// The zero Viewer is a user with id 0: it sees general and walled records
// (no access list names user 0), never restricted ones.
type Viewer struct {
	UserID int64
	All    bool
}

// Everyone is the viewer that sees every record: the owner, and the
// vault's own work. A Store's transactions read as Everyone until
// SetViewer says otherwise.
var Everyone = Viewer{All: true}

// As returns a transaction over the same database transaction that reads
// for v (for instance tx.As(store.Everyone) where the vault's own work
// needs every row: verifying the audit chain, a backup's counts). Both
// share what they cached of visibility, so a write through either makes
// the other forget what it may change.
func (tx *Tx) As(v Viewer) *Tx {
	return &Tx{Tx: tx.Tx, v: tx.v, viewer: v, vis: tx.vis}
}

// Viewer is who this transaction reads for.
func (tx *Tx) Viewer() Viewer { return tx.viewer }

// Exec is the engine's Exec (a statement that changes data, only inside
// Update); first the transaction forgets the hidden sets that the change
// might make wrong: every viewer's but its own, whose records it may only
// write when it sees them (a change of class forgets them all:
// forgetClasses). Everyone's writes forget every set.
func (tx *Tx) Exec(query string, args ...any) (sql.Result, error) {
	tx.vis.wrote(tx.viewer)
	if !rowStatement(query) {
		tx.vis.ddl = true
	}
	return tx.Tx.Exec(query, args...)
}

// rowStatement: the statement begins with INSERT, UPDATE or DELETE (the
// engine captures its row changes); anything else (DDL) is a change of
// schema for Store.wrote.
func rowStatement(query string) bool {
	q := strings.TrimLeft(query, " \t\r\n")
	for _, kw := range []string{"INSERT", "UPDATE", "DELETE"} {
		if len(q) >= len(kw) && strings.EqualFold(q[:len(kw)], kw) {
			return true
		}
	}
	return false
}

// filtering reports whether the viewer's queries need the visibility
// conditions: not for Everyone, and not while every client and matter is
// general (one look at two small partial indexes, cached for the
// transaction and, in a read transaction, in the Store until the next
// write; SetSecurityClass and the writes that set a class forget it).
func (tx *Tx) filtering() (bool, error) {
	if tx.viewer.All {
		return false, nil
	}
	vis := tx.vis
	if vis.classes == classesUnknown {
		vis.classes = vis.cachedClasses()
	}
	switch vis.classes {
	case classesNone:
		return false, nil
	case classesUsed:
		return true, nil
	}
	var used bool
	err := tx.QueryRow(`SELECT EXISTS (SELECT 1 FROM clients WHERE security_class <> 'general')
		OR EXISTS (SELECT 1 FROM matters WHERE security_class <> 'general')`).Scan(&used)
	if err != nil {
		return false, fmt.Errorf("reading security classes: %w", err)
	}
	vis.classes = classesNone
	if used {
		vis.classes = classesUsed
	}
	vis.publish(vis.classes, 0, nil)
	return used, nil
}

// forgetClasses drops what filtering and hidden cached: a class or an
// access list changed in this transaction.
func (tx *Tx) forgetClasses() {
	tx.vis.classes = classesUnknown
	tx.vis.hidden = nil
}

// txVis is what one database transaction (and the Txs tx.As makes over it)
// knows of visibility: whether classes are in use, and each viewer's
// hidden sets by user id. A read transaction's comes from and goes to its
// Store's viewCache at the transaction's generation; a write
// transaction's starts from the cache of the state before it and keeps
// what it learns to itself (its changes may not commit).
type txVis struct {
	ddl     bool // a statement other than INSERT, UPDATE, DELETE ran (Tx.Exec)
	classes int
	hidden  map[int64]*hiddenSets
	cache   *viewCache // nil: a write transaction, or the vault's own work
	gen     uint64
	// retention: whether the schema has the retention tables (schema 7):
	// 0 not read yet, 1 no, 2 yes (Tx.hasRetention).
	retention int8
}

// wrote: a statement of viewer v changes data (Tx.Exec).
func (vis *txVis) wrote(v Viewer) {
	if len(vis.hidden) == 0 {
		return
	}
	if v.All {
		vis.hidden = nil
		return
	}
	for uid := range vis.hidden {
		if uid != v.UserID {
			delete(vis.hidden, uid)
		}
	}
}

func (vis *txVis) cachedClasses() int {
	if vis.cache == nil {
		return classesUnknown
	}
	vis.cache.mu.Lock()
	defer vis.cache.mu.Unlock()
	if vis.cache.gen != vis.gen {
		return classesUnknown
	}
	return vis.cache.classes
}

func (vis *txVis) cachedHidden(uid int64) *hiddenSets {
	if vis.cache == nil {
		return nil
	}
	vis.cache.mu.Lock()
	defer vis.cache.mu.Unlock()
	if vis.cache.gen != vis.gen {
		return nil
	}
	return vis.cache.hidden[uid]
}

// publish puts what a read transaction computed into the Store's cache
// (classes; and h, user uid's hidden sets, when not nil).
func (vis *txVis) publish(classes int, uid int64, h *hiddenSets) {
	c := vis.cache
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case vis.gen < c.gen:
		return // cannot happen (reads and writes take the engine's lock), but never go back
	case vis.gen > c.gen:
		c.gen, c.classes, c.hidden = vis.gen, classesUnknown, nil
	}
	c.classes = classes
	if h != nil {
		if c.hidden == nil {
			c.hidden = map[int64]*hiddenSets{}
		}
		c.hidden[uid] = h
	}
}

// viewCache is a Store's visibility (txVis) as read transactions computed
// it at generation gen: valid while no write transaction has begun since.
// The hidden sets are never changed once made, so transactions share them.
type viewCache struct {
	mu      sync.Mutex
	gen     uint64
	classes int
	hidden  map[int64]*hiddenSets
	// words: the words of the index's names as a read transaction at
	// generation wordsGen listed them (search.go: searchTerms); kept
	// across generations, for the next to add to.
	words    *wordList
	wordsGen uint64
}

// cachedWords returns the word list of this generation (fresh), or else
// the last one made (stale, to add to), or neither.
func (vis *txVis) cachedWords() (fresh, stale *wordList) {
	if vis.cache == nil {
		return nil, nil
	}
	vis.cache.mu.Lock()
	defer vis.cache.mu.Unlock()
	if vis.cache.words != nil && vis.cache.wordsGen == vis.gen {
		return vis.cache.words, nil
	}
	return nil, vis.cache.words
}

// publishWords keeps a word list, made by a read transaction, in the
// Store's cache, unless one of a later generation is there.
func (vis *txVis) publishWords(wl *wordList) {
	c := vis.cache
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.words == nil || vis.gen >= c.wordsGen {
		c.words, c.wordsGen = wl, vis.gen
	}
}

// reader is the txVis of a read transaction at generation gen.
func (c *viewCache) reader(gen uint64) *txVis { return &txVis{cache: c, gen: gen} }

// writer is the txVis of a write transaction that began after generation
// prev: what the cache knew at prev, copied.
func (c *viewCache) writer(prev uint64) *txVis {
	c.mu.Lock()
	defer c.mu.Unlock()
	vis := &txVis{}
	if c.gen == prev {
		vis.classes = c.classes
		if len(c.hidden) > 0 {
			vis.hidden = maps.Clone(c.hidden)
		}
	}
	return vis
}

// Values of Tx.classes.
const (
	classesUnknown = iota
	classesNone
	classesUsed
)

// classVisible is the SQL condition "the row aliased a, of kind, is
// visible to user uid by its own class": general, or walled and uid not
// listed, or any other class and uid listed. uid is an integer, written in
// the text. It is THE rule: hidden() applies it once per transaction to
// the few rows not general, and every query then leaves out the hidden ids.
func classVisible(kind, a string, uid int64) string {
	return "(" + a + ".security_class = 'general' OR ((" + a + ".security_class = 'walled') <> EXISTS (SELECT 1 FROM access_list al WHERE al.kind = '" +
		kind + "' AND al.record_id = " + a + ".id AND al.user_id = " + strconv.FormatInt(uid, 10) + ")))"
}

// clientCond is the condition on a clients row aliased c ("" when the
// viewer sees every client): its id is not one of the hidden ones. The
// ids are integers, written in the text.
func (tx *Tx) clientCond(c string) (string, error) {
	h, err := tx.hidden()
	if err != nil || h == nil || len(h.clients) == 0 {
		return "", err
	}
	return c + ".id NOT IN " + h.clientList, nil
}

// matterCond is the condition on a matters row aliased m ("" when the
// viewer sees every matter). The hidden matters include those of hidden
// clients; c (the client's alias) is not needed.
func (tx *Tx) matterCond(m, c string) (string, error) {
	h, err := tx.hidden()
	if err != nil || h == nil || len(h.matters) == 0 {
		return "", err
	}
	return m + ".id NOT IN " + h.matterList, nil
}

// inList is the SQL list "(1,2,3)" of the set's ids, ascending.
func inList(set map[int64]bool) string {
	ids := make([]int64, 0, len(set))
	for id := range set {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	b := make([]byte, 0, 2+8*len(ids))
	b = append(b, '(')
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return string(append(b, ')'))
}

// and prefixes a non-empty condition with " AND ".
func and(cond string) string {
	if cond == "" {
		return ""
	}
	return " AND " + cond
}

// where prefixes a non-empty condition with " WHERE ".
func where(cond string) string {
	if cond == "" {
		return ""
	}
	return " WHERE " + cond
}

// clientVisible: the client exists and the viewer sees it.
func (tx *Tx) clientVisible(id int64) (bool, error) {
	cond, err := tx.clientCond("c")
	if err != nil {
		return false, err
	}
	var n int
	err = tx.QueryRow("SELECT count(*) FROM clients c WHERE c.id = ?"+and(cond), id).Scan(&n)
	return n > 0, err
}

// matterVisible: the matter exists and the viewer sees it (and its client).
func (tx *Tx) matterVisible(id int64) (bool, error) {
	cond, err := tx.matterCond("m", "c")
	if err != nil {
		return false, err
	}
	var n int
	err = tx.QueryRow("SELECT count(*) FROM matters m JOIN clients c ON c.id = m.client_id WHERE m.id = ?"+and(cond), id).Scan(&n)
	return n > 0, err
}

// mustSeeClient is ErrNotFound when the viewer's queries are filtered and
// the client is hidden or missing; otherwise nil (whether the client exists
// is then the caller's to find out, as before there were viewers).
func (tx *Tx) mustSeeClient(id int64) error {
	if on, err := tx.filtering(); err != nil || !on {
		return err
	}
	if ok, err := tx.clientVisible(id); err != nil {
		return err
	} else if !ok {
		return fmt.Errorf("client %d: %w", id, ErrNotFound)
	}
	return nil
}

// mustSeeMatter is mustSeeClient for a matter (and its client).
func (tx *Tx) mustSeeMatter(id int64) error {
	if on, err := tx.filtering(); err != nil || !on {
		return err
	}
	if ok, err := tx.matterVisible(id); err != nil {
		return err
	} else if !ok {
		return fmt.Errorf("matter %d: %w", id, ErrNotFound)
	}
	return nil
}

// ValidClass reports whether class is one of the three classes.
func ValidClass(class string) bool {
	return class == ClassGeneral || class == ClassRestricted || class == ClassWalled
}

func kindTable(kind string) (string, error) {
	switch kind {
	case KindClient:
		return "clients", nil
	case KindMatter:
		return "matters", nil
	}
	return "", fmt.Errorf("%w (record kind %q: client or matter)", ErrBadClass, kind)
}

// SetSecurityClass puts a client or matter (kind "client" or "matter") in
// class and replaces its access list with userIDs (for general the list is
// emptied: it means nothing there). The record must be visible to the
// viewer (ErrNotFound otherwise, as for a record that does not exist);
// every user id must name a users row (ErrNotFound). It does not change
// the record's updated_at. It runs inside the caller's transaction, so the
// class, the list and the caller's audit entry commit together.
func (tx *Tx) SetSecurityClass(kind string, id int64, class string, userIDs []int64) error {
	table, err := kindTable(kind)
	if err != nil {
		return err
	}
	if !ValidClass(class) {
		return fmt.Errorf("%w (not %q)", ErrBadClass, class)
	}
	var ok bool
	if kind == KindClient {
		ok, err = tx.clientVisible(id)
	} else {
		ok, err = tx.matterVisible(id)
	}
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%s %d: %w", kind, id, ErrNotFound)
	}
	ids := slices.Clone(userIDs)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	if class == ClassGeneral {
		ids = nil
	}
	for _, u := range ids {
		var n int
		if err := tx.QueryRow("SELECT count(*) FROM users WHERE id = ?", u).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("user %d: %w", u, ErrNotFound)
		}
	}
	if _, err := tx.Exec("UPDATE "+table+" SET security_class = ? WHERE id = ?", class, id); err != nil {
		return fmt.Errorf("setting the security class of %s %d: %w", kind, id, err)
	}
	tx.forgetClasses()
	if _, err := tx.Exec("DELETE FROM access_list WHERE kind = ? AND record_id = ?", kind, id); err != nil {
		return fmt.Errorf("clearing the access list of %s %d: %w", kind, id, err)
	}
	for _, u := range ids {
		if _, err := tx.Exec("INSERT INTO access_list(kind, record_id, user_id) VALUES (?, ?, ?)", kind, id, u); err != nil {
			return fmt.Errorf("adding user %d to the access list of %s %d: %w", u, kind, id, err)
		}
	}
	return nil
}

// Access returns a client's or matter's security class and the user ids
// on its access list (ascending). ErrNotFound when the record does not
// exist or the viewer cannot see it.
func (tx *Tx) Access(kind string, id int64) (class string, userIDs []int64, err error) {
	table, err := kindTable(kind)
	if err != nil {
		return "", nil, err
	}
	var ok bool
	if kind == KindClient {
		ok, err = tx.clientVisible(id)
	} else {
		ok, err = tx.matterVisible(id)
	}
	if err != nil {
		return "", nil, err
	}
	if !ok {
		return "", nil, fmt.Errorf("%s %d: %w", kind, id, ErrNotFound)
	}
	if err := tx.QueryRow("SELECT security_class FROM "+table+" WHERE id = ?", id).Scan(&class); err != nil {
		return "", nil, err
	}
	rows, err := tx.Query("SELECT user_id FROM access_list WHERE kind = ? AND record_id = ? ORDER BY user_id", kind, id)
	if err != nil {
		return "", nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var u int64
		if err := rows.Scan(&u); err != nil {
			return "", nil, err
		}
		userIDs = append(userIDs, u)
	}
	return class, userIDs, rows.Err()
}

// hiddenSets are the ids of the clients, matters and notes the viewer
// cannot see, for filtering the audit trail (whose records name them as
// "client:12 matter:3 note:7"), the search and the counts. They are few:
// records of a class other than general and what hangs on them.
type hiddenSets struct {
	clients, matters, notes map[int64]bool
	documents               map[int64]bool // of hidden clients and matters (schema 6)
	clientList, matterList  string         // inList of clients, matters
	searchRows              map[int64]bool // the search index's hidden rowids
	searchJSON              string         // the same as a JSON array
}

func (h *hiddenSets) any() bool { return h != nil && len(h.clients)+len(h.matters)+len(h.notes) > 0 }

// idsJSON is a JSON array of the set's ids (for json_each).
func idsJSON(set map[int64]bool) string {
	b := make([]byte, 0, 2+8*len(set))
	b = append(b, '[')
	for id := range set {
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return string(append(b, ']'))
}

// hidden returns the viewer's hidden ids (nil when it sees everything),
// cached for the transaction until a class changes, and in the Store for
// every read transaction until the next write. Each query reads only
// what it must: the non-general rows through the partial indexes, then
// what hangs on the hidden ones through their parent's index. The sets
// are shared: never change them.
func (tx *Tx) hidden() (*hiddenSets, error) {
	on, err := tx.filtering()
	if err != nil || !on {
		return nil, err
	}
	vis := tx.vis
	if h := vis.hidden[tx.viewer.UserID]; h != nil {
		return h, nil
	}
	if h := vis.cachedHidden(tx.viewer.UserID); h != nil {
		vis.keep(tx.viewer.UserID, h)
		return h, nil
	}
	uid := tx.viewer.UserID
	h := &hiddenSets{clients: map[int64]bool{}, matters: map[int64]bool{}, notes: map[int64]bool{}, documents: map[int64]bool{}}
	aliases, parties, partyAliases := map[int64]bool{}, map[int64]bool{}, map[int64]bool{}
	for _, q := range []struct {
		sql  string
		set  map[int64]bool
		args func() []any
	}{
		{"SELECT c.id FROM clients c INDEXED BY clients_by_class WHERE c.security_class <> 'general' AND NOT " +
			classVisible(KindClient, "c", uid), h.clients, nil},
		{"SELECT m.id FROM matters m INDEXED BY matters_by_class WHERE m.security_class <> 'general' AND NOT " +
			classVisible(KindMatter, "m", uid), h.matters, nil},
		{"SELECT id FROM matters WHERE client_id IN (SELECT value FROM json_each(?))", h.matters,
			func() []any { return []any{idsJSON(h.clients)} }},
		{"SELECT id FROM client_aliases WHERE client_id IN (SELECT value FROM json_each(?))", aliases,
			func() []any { return []any{idsJSON(h.clients)} }},
		{"SELECT id FROM notes WHERE matter_id IN (SELECT value FROM json_each(?))", h.notes,
			func() []any { return []any{idsJSON(h.matters)} }},
		{"SELECT id FROM parties WHERE matter_id IN (SELECT value FROM json_each(?))", parties,
			func() []any { return []any{idsJSON(h.matters)} }},
		{"SELECT id FROM party_aliases WHERE party_id IN (SELECT value FROM json_each(?))", partyAliases,
			func() []any { return []any{idsJSON(parties)} }},
	} {
		var args []any
		if q.args != nil {
			args = q.args()
		}
		if err := tx.collectIDs(q.sql, q.set, args...); err != nil {
			return nil, fmt.Errorf("reading hidden records: %w", err)
		}
	}
	if ok, err := hasTable(tx.Tx, "documents"); err != nil {
		return nil, fmt.Errorf("reading hidden records: %w", err)
	} else if ok && len(h.clients)+len(h.matters) > 0 {
		err := tx.collectIDs(`SELECT id FROM documents WHERE client_id IN (SELECT value FROM json_each(?1))
			OR matter_id IN (SELECT value FROM json_each(?2))`, h.documents, idsJSON(h.clients), idsJSON(h.matters))
		if err != nil {
			return nil, fmt.Errorf("reading hidden records: %w", err)
		}
	}
	// The search index's rowids are kind<<40 | id (schema.go).
	rows := map[int64]bool{}
	for kind, set := range map[int64]map[int64]bool{1: h.clients, 2: aliases, 3: h.matters, 4: h.notes, 5: parties, 6: partyAliases,
		searchKindDocument: h.documents} {
		for id := range set {
			rows[kind<<40|id] = true
		}
	}
	h.searchRows, h.searchJSON = rows, idsJSON(rows)
	h.clientList, h.matterList = inList(h.clients), inList(h.matters)
	vis.keep(uid, h)
	vis.publish(vis.classes, uid, h)
	return h, nil
}

func (vis *txVis) keep(uid int64, h *hiddenSets) {
	if vis.hidden == nil {
		vis.hidden = map[int64]*hiddenSets{}
	}
	vis.hidden[uid] = h
}

func (tx *Tx) collectIDs(q string, set map[int64]bool, args ...any) error {
	rows, err := tx.Query(q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return err
		}
		set[id] = true
	}
	return rows.Err()
}
