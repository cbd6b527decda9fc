package store

import (
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"casevault/store/engine"
	"casevault/vault"
)

// Documents (schema 6; docs/FORMAT.md 6.3.5). A document belongs to one
// client or one matter and has versions 1, 2, ...; documents.current is
// the version shown. A version's content is a list of chunks, each a vault
// object of kind 2 (vault.KindDocument) named by a doc_objects row; the
// rows count the document_chunks rows naming them (refs), kept exact in
// the transaction that adds or deletes chunks: a row whose count reaches
// 0 is deleted then, and the next checkpoint no longer lists its object
// (DocumentObjects), which deletes it.
//
// A document is visible when its client, or its matter (and the matter's
// client), is visible to the viewer (access.go); every method here
// applies that. The role's Documents permission is app's to check: the
// store's Viewer knows no permissions.

// Ways a version came to be (document_versions.how).
const (
	HowAdded      = "added"
	HowNewVersion = "new-version"
	HowEdited     = "edited"
	HowRestored   = "restored"
	HowIntake     = "intake"
)

// ErrBadDocument: a document or version the store refuses to write (an
// empty or malformed name, no target, a chunk list that does not add up
// to the size). The wrapping error says what.
var ErrBadDocument = errors.New("the document is not valid")

// ErrHasDocuments: a client with documents cannot be deleted.
var ErrHasDocuments = errors.New("client has documents")

// docPolynomialKey is the settings key of the vault's chunker polynomial.
const docPolynomialKey = "doc_polynomial"

// searchKindDocument is the search index's kind of a document's row
// (rowid searchKindDocument<<40 | id; schema.go).
const searchKindDocument = 7

// Document is one document with its current version's size and media type.
type Document struct {
	ID        int64
	ClientID  int64 // the client it is filed on, or 0
	MatterID  int64 // the matter it is filed on, or 0
	Name      string
	Folder    string // 'a/b' inside an added folder, '' at the top
	CreatedAt time.Time
	UpdatedAt time.Time
	CreatedBy string
	Current   int // n of the current version
	Size      int64
	MediaType string
	Versions  int
}

// DocumentVersion is one version of a document.
type DocumentVersion struct {
	ID         int64
	DocumentID int64
	N          int
	Size       int64
	SHA256     [32]byte
	MediaType  string
	AddedAt    time.Time
	AddedBy    string
	How        string // HowAdded, HowNewVersion, HowEdited, HowRestored, HowIntake
	Note       string
	Chunks     []vault.Chunk // filled by VersionChunks only
}

// DocumentFilter selects documents for Documents.
type DocumentFilter struct {
	// ClientID: the documents filed on the client; with WithMatters, also
	// those of the client's matters (its own or joint). MatterID: the
	// matter's. Both 0: every document the viewer sees.
	ClientID, MatterID int64
	WithMatters        bool
	NameLike           string // part of the name, any case ("" any)
	Offset, Limit      int    // Limit 0: all
}

// checkDocument validates what AddDocument and AddDocumentVersion write.
func checkVersion(v *DocumentVersion, chunks []vault.Chunk) error {
	if v == nil {
		return fmt.Errorf("%w: no version", ErrBadDocument)
	}
	switch v.How {
	case HowAdded, HowNewVersion, HowEdited, HowRestored, HowIntake:
	default:
		return fmt.Errorf("%w: version made %q (added, new-version, edited, restored or intake)", ErrBadDocument, v.How)
	}
	if v.Size < 0 {
		return fmt.Errorf("%w: size %d", ErrBadDocument, v.Size)
	}
	var sum int64
	for _, c := range chunks {
		if c.Size == 0 {
			return fmt.Errorf("%w: an empty chunk", ErrBadDocument)
		}
		sum += int64(c.Size)
	}
	if sum != v.Size {
		return fmt.Errorf("%w: the chunks hold %d bytes, the version %d", ErrBadDocument, sum, v.Size)
	}
	return nil
}

// CheckDocumentName reports what is wrong with a document's name and
// folder (nil when nothing): a name must be non-empty, without '/' or a
// NUL, and not "." or ".."; a folder is empty or names separated by '/',
// each one a valid name.
func CheckDocumentName(folder, name string) error {
	bad := func(s string) bool {
		return s == "" || s == "." || s == ".." || strings.ContainsAny(s, "/\x00")
	}
	if bad(name) {
		return fmt.Errorf("%w: the name %q", ErrBadDocument, name)
	}
	if folder != "" {
		for _, p := range strings.Split(folder, "/") {
			if bad(p) {
				return fmt.Errorf("%w: the folder %q", ErrBadDocument, folder)
			}
		}
	}
	return nil
}

// AddDocument adds a document with its version 1 (v; v.N, v.ID and
// v.DocumentID are set) made of chunks, whose objects the caller has
// stored (and holds until this transaction commits), and text (the
// version's extracted text, for search). d names the client or the
// matter (exactly one), which the viewer must see (ErrNotFound
// otherwise); d.ID, d.Current, d.Versions are set.
func (tx *Tx) AddDocument(d *Document, v *DocumentVersion, chunks []vault.Chunk, text string) (docID int64, err error) {
	if (d.ClientID == 0) == (d.MatterID == 0) {
		return 0, fmt.Errorf("%w: a document belongs to one client or one matter", ErrBadDocument)
	}
	if err := CheckDocumentName(d.Folder, d.Name); err != nil {
		return 0, err
	}
	if err := checkVersion(v, chunks); err != nil {
		return 0, err
	}
	var client, matter any
	if d.ClientID != 0 {
		client = d.ClientID
		err = tx.needClient(d.ClientID)
	} else {
		matter = d.MatterID
		err = tx.needMatter(d.MatterID)
	}
	if err != nil {
		return 0, err
	}
	res, err := tx.Exec(`INSERT INTO documents(client_id, matter_id, name, folder, created_at, created_by, updated_at, current)
		VALUES (?, ?, ?, ?, ?, ?, ?, 0)`, client, matter, d.Name, d.Folder, d.CreatedAt.UnixMilli(), d.CreatedBy, d.CreatedAt.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("adding document %q: %w", d.Name, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	if err := tx.insertVersion(id, 1, v, chunks, text); err != nil {
		return 0, err
	}
	d.ID, d.Current, d.Versions, d.UpdatedAt = id, 1, 1, v.AddedAt
	d.Size, d.MediaType = v.Size, v.MediaType
	return id, nil
}

// AddDocumentVersion adds version n (the next) of a visible document,
// which becomes current; v, chunks and text as for AddDocument. The
// document's updated_at becomes v.AddedAt.
func (tx *Tx) AddDocumentVersion(docID int64, v *DocumentVersion, chunks []vault.Chunk, text string) (n int, err error) {
	if err := checkVersion(v, chunks); err != nil {
		return 0, err
	}
	if err := tx.needDocument(docID); err != nil {
		return 0, err
	}
	if err := tx.QueryRow("SELECT coalesce(max(n), 0) + 1 FROM document_versions WHERE document_id = ?", docID).Scan(&n); err != nil {
		return 0, fmt.Errorf("reading document %d's versions: %w", docID, err)
	}
	if err := tx.insertVersion(docID, n, v, chunks, text); err != nil {
		return 0, err
	}
	return n, nil
}

// insertVersion writes version n of document docID, its chunks (counting
// their objects) and makes it current (the trigger then indexes text).
func (tx *Tx) insertVersion(docID int64, n int, v *DocumentVersion, chunks []vault.Chunk, text string) error {
	res, err := tx.Exec(`INSERT INTO document_versions(document_id, n, size, sha256, media_type, added_at, added_by, how, note, text)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, docID, n, v.Size, v.SHA256[:], v.MediaType, v.AddedAt.UnixMilli(), v.AddedBy, v.How, v.Note, text)
	if err != nil {
		return fmt.Errorf("adding version %d of document %d: %w", n, docID, err)
	}
	vid, err := res.LastInsertId()
	if err != nil {
		return err
	}
	for i, c := range chunks {
		obj, err := tx.refObject(c)
		if err != nil {
			return fmt.Errorf("chunk %d of version %d of document %d: %w", i, n, docID, err)
		}
		if _, err := tx.Exec("INSERT INTO document_chunks(version_id, seq, object) VALUES (?, ?, ?)", vid, i, obj); err != nil {
			return fmt.Errorf("chunk %d of version %d of document %d: %w", i, n, docID, err)
		}
	}
	if _, err := tx.Exec("UPDATE documents SET current = ?, updated_at = ? WHERE id = ?", n, v.AddedAt.UnixMilli(), docID); err != nil {
		return fmt.Errorf("making version %d of document %d current: %w", n, docID, err)
	}
	v.ID, v.DocumentID, v.N = vid, docID, n
	return nil
}

// refObject counts one more chunk row naming c's object (a new
// doc_objects row with refs 1 when none names it yet) and returns the
// row's id. The same object with another size is refused: it cannot be
// (the id is keyed on the content).
func (tx *Tx) refObject(c vault.Chunk) (int64, error) {
	_, err := tx.Exec(`INSERT INTO doc_objects(oid, size, refs) VALUES (?, ?, 1)
		ON CONFLICT(oid) DO UPDATE SET refs = refs + 1`, c.ID[:], int64(c.Size))
	if err != nil {
		return 0, fmt.Errorf("counting the chunk's object: %w", err)
	}
	var id, size int64
	if err := tx.QueryRow("SELECT id, size FROM doc_objects WHERE oid = ?", c.ID[:]).Scan(&id, &size); err != nil {
		return 0, fmt.Errorf("reading the chunk's object: %w", err)
	}
	if size != int64(c.Size) {
		return 0, fmt.Errorf("%w: object %x is %d bytes, not %d", ErrBadDocument, c.ID[:4], size, c.Size)
	}
	return id, nil
}

// docCond is the condition on a documents row aliased d ("" when the
// viewer sees every client and matter): neither its client nor its matter
// is hidden.
func (tx *Tx) docCond(d string) (string, error) {
	h, err := tx.hidden()
	if err != nil || h == nil {
		return "", err
	}
	var conds []string
	if len(h.clients) > 0 {
		conds = append(conds, "("+d+".client_id IS NULL OR "+d+".client_id NOT IN "+h.clientList+")")
	}
	if len(h.matters) > 0 {
		conds = append(conds, "("+d+".matter_id IS NULL OR "+d+".matter_id NOT IN "+h.matterList+")")
	}
	return strings.Join(conds, " AND "), nil
}

// needDocument is ErrNotFound when the document does not exist or the
// viewer cannot see it.
func (tx *Tx) needDocument(id int64) error {
	cond, err := tx.docCond("d")
	if err != nil {
		return err
	}
	var n int
	if err := tx.QueryRow("SELECT count(*) FROM documents d WHERE d.id = ?"+and(cond), id).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("document %d: %w", id, ErrNotFound)
	}
	return nil
}

const documentCols = `d.id, coalesce(d.client_id, 0), coalesce(d.matter_id, 0), d.name, d.folder, d.created_at, d.created_by, d.updated_at, d.current,
	coalesce(v.size, 0), coalesce(v.media_type, ''), (SELECT count(*) FROM document_versions x WHERE x.document_id = d.id)
	FROM documents d LEFT JOIN document_versions v ON v.document_id = d.id AND v.n = d.current`

func scanDocument(sc interface{ Scan(...any) error }) (*Document, error) {
	var d Document
	var created, updated int64
	if err := sc.Scan(&d.ID, &d.ClientID, &d.MatterID, &d.Name, &d.Folder, &created, &d.CreatedBy, &updated, &d.Current,
		&d.Size, &d.MediaType, &d.Versions); err != nil {
		return nil, err
	}
	d.CreatedAt, d.UpdatedAt = time.UnixMilli(created), time.UnixMilli(updated)
	return &d, nil
}

// Document returns a document (ErrNotFound when it does not exist or the
// viewer cannot see it).
func (tx *Tx) Document(id int64) (*Document, error) {
	cond, err := tx.docCond("d")
	if err != nil {
		return nil, err
	}
	d, err := scanDocument(tx.QueryRow("SELECT "+documentCols+" WHERE d.id = ?"+and(cond), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("document %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("reading document %d: %w", id, err)
	}
	return d, nil
}

// DocumentByName returns the document named name in folder of the client
// (clientID) or the matter (matterID), the name compared in any case of
// its ASCII letters, as people take "Letter.pdf" and "letter.pdf" to be
// the same file (the lowest id when several). ErrNotFound when there is
// none, or the viewer cannot see the client or matter.
func (tx *Tx) DocumentByName(clientID, matterID int64, folder, name string) (*Document, error) {
	cond, err := tx.docCond("d")
	if err != nil {
		return nil, err
	}
	q := "SELECT " + documentCols + " WHERE d.client_id = ? AND d.name = ? COLLATE NOCASE AND d.folder = ? COLLATE NOCASE"
	owner := clientID
	if matterID != 0 {
		q = "SELECT " + documentCols + " WHERE d.matter_id = ? AND d.name = ? COLLATE NOCASE AND d.folder = ? COLLATE NOCASE"
		owner = matterID
	}
	d, err := scanDocument(tx.QueryRow(q+and(cond)+" ORDER BY d.id LIMIT 1", owner, name, folder))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("document %q: %w", name, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("reading document %q: %w", name, err)
	}
	return d, nil
}

// Documents lists the documents f selects that the viewer sees, by
// folder, name (any case) and id, from f.Offset, at most f.Limit (0: all),
// with the number f selects in all.
func (tx *Tx) Documents(f DocumentFilter) ([]Document, int, error) {
	cond, err := tx.docCond("d")
	if err != nil {
		return nil, 0, err
	}
	var conds []string
	var args []any
	switch {
	case f.MatterID != 0:
		conds = append(conds, "d.matter_id = ?")
		args = append(args, f.MatterID)
	case f.ClientID != 0 && f.WithMatters:
		conds = append(conds, "(d.client_id = ? OR d.matter_id IN (SELECT matter_id FROM matter_clients WHERE client_id = ?))")
		args = append(args, f.ClientID, f.ClientID)
	case f.ClientID != 0:
		conds = append(conds, "d.client_id = ?")
		args = append(args, f.ClientID)
	}
	if f.NameLike != "" {
		conds = append(conds, `d.name LIKE ? ESCAPE '\'`)
		args = append(args, "%"+likeEscape(f.NameLike)+"%")
	}
	if cond != "" {
		conds = append(conds, cond)
	}
	w := where(strings.Join(conds, " AND "))
	var total int
	if err := tx.QueryRow("SELECT count(*) FROM documents d"+w, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("counting documents: %w", err)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = -1
	}
	rows, err := tx.Query("SELECT "+documentCols+w+" ORDER BY d.folder COLLATE NOCASE, d.name COLLATE NOCASE, d.id LIMIT ? OFFSET ?",
		append(args, limit, max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, fmt.Errorf("listing documents: %w", err)
	}
	defer rows.Close()
	var out []Document
	for rows.Next() {
		d, err := scanDocument(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, *d)
	}
	return out, total, rows.Err()
}

const versionCols = "id, document_id, n, size, sha256, media_type, added_at, added_by, how, note FROM document_versions"

func scanVersion(sc interface{ Scan(...any) error }) (*DocumentVersion, error) {
	var v DocumentVersion
	var sum []byte
	var at int64
	if err := sc.Scan(&v.ID, &v.DocumentID, &v.N, &v.Size, &sum, &v.MediaType, &at, &v.AddedBy, &v.How, &v.Note); err != nil {
		return nil, err
	}
	if len(sum) != len(v.SHA256) {
		return nil, fmt.Errorf("version %d of document %d: a hash of %d bytes", v.N, v.DocumentID, len(sum))
	}
	copy(v.SHA256[:], sum)
	v.AddedAt = time.UnixMilli(at)
	return &v, nil
}

// DocumentVersions returns a visible document's versions, oldest first
// (ErrNotFound when the document does not exist or is hidden).
func (tx *Tx) DocumentVersions(docID int64) ([]DocumentVersion, error) {
	if err := tx.needDocument(docID); err != nil {
		return nil, err
	}
	rows, err := tx.Query("SELECT "+versionCols+" WHERE document_id = ? ORDER BY n", docID)
	if err != nil {
		return nil, fmt.Errorf("listing document %d's versions: %w", docID, err)
	}
	defer rows.Close()
	var out []DocumentVersion
	for rows.Next() {
		v, err := scanVersion(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *v)
	}
	return out, rows.Err()
}

// DocumentVersion returns version n of a visible document (n 0: the
// current one), without its chunks (ErrNotFound when either is missing).
func (tx *Tx) DocumentVersion(docID int64, n int) (*DocumentVersion, error) {
	if err := tx.needDocument(docID); err != nil {
		return nil, err
	}
	v, err := scanVersion(tx.QueryRow("SELECT "+versionCols+
		" WHERE document_id = ?1 AND n = CASE WHEN ?2 = 0 THEN (SELECT current FROM documents WHERE id = ?1) ELSE ?2 END", docID, n))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("version %d of document %d: %w", n, docID, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("reading version %d of document %d: %w", n, docID, err)
	}
	return v, nil
}

// VersionChunks returns the chunks of version n of a visible document (n
// 0: the current one), in order (ErrNotFound when either is missing).
func (tx *Tx) VersionChunks(docID int64, n int) ([]vault.Chunk, error) {
	v, err := tx.DocumentVersion(docID, n)
	if err != nil {
		return nil, err
	}
	rows, err := tx.Query(`SELECT o.oid, o.size FROM document_chunks c JOIN doc_objects o ON o.id = c.object
		WHERE c.version_id = ? ORDER BY c.seq`, v.ID)
	if err != nil {
		return nil, fmt.Errorf("reading the chunks of version %d of document %d: %w", v.N, docID, err)
	}
	defer rows.Close()
	out := []vault.Chunk{}
	for rows.Next() {
		var oid []byte
		var size int64
		if err := rows.Scan(&oid, &size); err != nil {
			return nil, err
		}
		var c vault.Chunk
		if len(oid) != len(c.ID) {
			return nil, fmt.Errorf("version %d of document %d: an object id of %d bytes", v.N, docID, len(oid))
		}
		copy(c.ID[:], oid)
		c.Size = uint32(size)
		out = append(out, c)
	}
	return out, rows.Err()
}

// VersionText returns the extracted text of version n of a visible
// document (n 0: the current one).
func (tx *Tx) VersionText(docID int64, n int) (string, error) {
	v, err := tx.DocumentVersion(docID, n)
	if err != nil {
		return "", err
	}
	var text string
	if err := tx.QueryRow("SELECT text FROM document_versions WHERE id = ?", v.ID).Scan(&text); err != nil {
		return "", fmt.Errorf("reading the text of version %d of document %d: %w", v.N, docID, err)
	}
	return text, nil
}

// DeleteDocument deletes a visible document: its versions, their chunk
// lists and its search row; each object its chunks named counts that
// many fewer, and those no longer named by any chunk are forgotten (the
// next checkpoint deletes them). ErrNotFound when the document does not
// exist or is hidden.
func (tx *Tx) DeleteDocument(id int64) error {
	if err := tx.needDocument(id); err != nil {
		return err
	}
	const versions = "SELECT id FROM document_versions WHERE document_id = ?1"
	var objects string
	if err := tx.QueryRow("SELECT coalesce(json_group_array(DISTINCT object), '[]') FROM document_chunks WHERE version_id IN ("+versions+")", id).Scan(&objects); err != nil {
		return fmt.Errorf("reading document %d's chunks: %w", id, err)
	}
	for _, q := range []string{
		`UPDATE doc_objects SET refs = refs - x.n FROM (SELECT object, count(*) AS n FROM document_chunks
			WHERE version_id IN (` + versions + `) GROUP BY object) AS x WHERE doc_objects.id = x.object`,
		"DELETE FROM document_chunks WHERE version_id IN (" + versions + ")",
		"DELETE FROM document_versions WHERE document_id = ?1",
		"DELETE FROM documents WHERE id = ?1",
	} {
		if _, err := tx.Exec(q, id); err != nil {
			return fmt.Errorf("deleting document %d: %w", id, err)
		}
	}
	if _, err := tx.Exec("DELETE FROM doc_objects WHERE refs <= 0 AND id IN (SELECT value FROM json_each(?))", objects); err != nil {
		return fmt.Errorf("deleting document %d's unused objects: %w", id, err)
	}
	return nil
}

// DocumentObjects returns every document object the database names (kind
// 2), by id: what a checkpoint must keep. It ignores the viewer.
func (tx *Tx) DocumentObjects() ([]vault.ObjectRef, error) {
	rows, err := tx.Query("SELECT oid FROM doc_objects ORDER BY oid")
	if err != nil {
		return nil, fmt.Errorf("listing document objects: %w", err)
	}
	defer rows.Close()
	var out []vault.ObjectRef
	for rows.Next() {
		var oid []byte
		if err := rows.Scan(&oid); err != nil {
			return nil, err
		}
		r := vault.ObjectRef{Kind: vault.KindDocument}
		if len(oid) != len(r.ID) {
			return nil, fmt.Errorf("a document object id of %d bytes", len(oid))
		}
		copy(r.ID[:], oid)
		out = append(out, r)
	}
	return out, rows.Err()
}

// DocPolynomial returns the vault's chunker polynomial, made by newPol
// and saved (settings key doc_polynomial) on first use, which therefore
// must be in a write transaction.
func (tx *Tx) DocPolynomial(newPol func() (uint64, error)) (uint64, error) {
	s, err := tx.Setting(docPolynomialKey)
	if err == nil {
		p, err := strconv.ParseUint(s, 16, 64)
		if err != nil || p == 0 {
			return 0, fmt.Errorf("reading the document chunking setting %q: not a polynomial", s)
		}
		return p, nil
	}
	if !errors.Is(err, ErrNotFound) {
		return 0, err
	}
	p, err := newPol()
	if err != nil {
		return 0, fmt.Errorf("making the document chunking polynomial: %w", err)
	}
	if p == 0 {
		return 0, errors.New("making the document chunking polynomial: got 0")
	}
	if err := tx.SetSetting(docPolynomialKey, strconv.FormatUint(p, 16)); err != nil {
		return 0, err
	}
	return p, nil
}

// docObjects is the engine's Objects hook: the audit segments' objects,
// then the documents' (once schema 6 is there).
func docObjects(etx *engine.Tx) ([]vault.ObjectRef, error) {
	out, err := auditObjects(etx)
	if err != nil {
		return nil, err
	}
	tx := sysTx(etx)
	if ok, err := hasTable(tx.Tx, "doc_objects"); err != nil || !ok {
		return out, err
	}
	docs, err := tx.DocumentObjects()
	return append(out, docs...), err
}

// rekeyDocuments is the rotation's Rekey hook for documents: every
// doc_objects row gets the id of its object stored again under the new key.
func rekeyDocuments(etx *engine.Tx, reput func(vault.Kind, vault.ID) (vault.ID, error)) error {
	tx := sysTx(etx)
	if ok, err := hasTable(tx.Tx, "doc_objects"); err != nil || !ok {
		return err
	}
	type row struct {
		id  int64
		oid vault.ID
	}
	var all []row
	rows, err := tx.Query("SELECT id, oid FROM doc_objects ORDER BY id")
	if err != nil {
		return fmt.Errorf("listing document objects: %w", err)
	}
	for rows.Next() {
		var r row
		var oid []byte
		if err := rows.Scan(&r.id, &oid); err != nil {
			rows.Close()
			return err
		}
		copy(r.oid[:], oid)
		all = append(all, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, r := range all {
		id, err := reput(vault.KindDocument, r.oid)
		if err != nil {
			return fmt.Errorf("storing a document chunk under the new key: %w", err)
		}
		if _, err := tx.Exec("UPDATE doc_objects SET oid = ? WHERE id = ?", id[:], r.id); err != nil {
			return fmt.Errorf("recording a document chunk's new object: %w", err)
		}
	}
	return nil
}
