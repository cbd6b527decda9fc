package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"casevault/app/access"
	"casevault/app/human"
	"casevault/store"
	"casevault/vault"
)

// The checks that opening no longer runs (issue 9; docs/THREAT-MODEL.md,
// "Cannot alter data undetected") run here, on the live vault, on demand:
// `casevault check` and Check this vault… in the window. Opening trusts
// the authentication tags; Check also recomputes every object's id from
// its plaintext and runs SQLite's full integrity check, as the restore
// drill does on a restored copy.

// ErrCheckFailed: Check ran and found damage; its report says what.
var ErrCheckFailed = errors.New("the vault check found damage")

// Check statuses.
const (
	CheckOK      = "ok"
	CheckWarning = "warning" // not damage, but worth knowing
	CheckDamaged = "damaged"
)

// CheckItem is one check of Check: Said in plain words for the person,
// Detail the technical account (files, reasons) for a report or support.
type CheckItem struct {
	Name   string `json:"name"`
	Status string `json:"status"`
	Said   string `json:"said"`
	Detail string `json:"detail"`
}

// CheckReport is what Check found.
type CheckReport struct {
	OK       bool          `json:"ok"` // no check found damage (warnings allowed)
	Items    []CheckItem   `json:"checks"`
	Advice   string        `json:"advice,omitempty"` // what to do now, when not OK (or a warning)
	ReadOnly bool          `json:"read_only"`
	Duration time.Duration `json:"duration_ns"`
	// How long each part took; the files and the database are checked
	// at the same time.
	FilesTime    time.Duration `json:"files_ns"`
	DatabaseTime time.Duration `json:"database_ns"` // integrity_check and foreign_key_check
	ChainTime    time.Duration `json:"audit_chain_ns"`
	// Recorded: the check is in the audit trail (not for a read-only vault).
	Recorded bool `json:"recorded_in_audit_trail"`
}

// Problems are the items that found damage.
func (r *CheckReport) Problems() []CheckItem {
	var out []CheckItem
	for _, it := range r.Items {
		if it.Status == CheckDamaged {
			out = append(out, it)
		}
	}
	return out
}

// Check reads back everything the vault stands on at rest and checks the
// database in memory: every object the current checkpoint names (database
// chunks and sealed audit segments), each authenticated and its id
// recomputed; the manifest and its copy; the redo log; PRAGMA
// integrity_check and foreign_key_check; the audit chain through every
// sealed segment. It changes nothing on disk but one audit entry
// ("vault.check"; none in a read-only vault). The object reads run beside
// the database checks, on all cores. progress gets the objects read (and
// the two database steps) as Objects of TotalObjects.
//
// A check that ran returns its report, and an error wrapping
// ErrCheckFailed when it found damage; a check that could not run (the
// vault was locked, ctx was cancelled) returns only an error.
func (s *Session) Check(ctx context.Context, progress ProgressFunc) (*CheckReport, error) {
	if err := s.allow(ctx, access.CheckVault); err != nil {
		return nil, err
	}
	start := time.Now()
	if progress == nil {
		progress = func(BackupProgress) {}
	}
	const dbSteps = 2
	var total int
	if cp := s.v.Current(); cp != nil {
		total = len(cp.AllObjects()) + dbSteps
	}
	var done struct {
		objects, db int
	}
	var mu sync.Mutex
	report := func(phase string) {
		progress(BackupProgress{Phase: phase, Objects: done.objects + done.db, TotalObjects: total})
	}
	report("Reading the vault's files")

	// The database checks, beside the object reads.
	type dbResult struct {
		problems  []string
		counts    store.Counts
		chain     *AuditReport
		err       error
		db, audit time.Duration
		docs      []vault.ObjectRef // every document object the database names
	}
	dbc := make(chan dbResult, 1)
	go func() {
		var r dbResult
		t0 := time.Now()
		r.err = s.st.View(ctx, func(tx *store.Tx) error {
			var err error
			if r.problems, err = tx.IntegrityCheck(); err != nil {
				return err
			}
			r.counts, err = tx.Counts()
			if err != nil {
				return err
			}
			r.docs, err = tx.DocumentObjects()
			return err
		})
		r.db = time.Since(t0)
		mu.Lock()
		done.db++
		report("Checking the database")
		mu.Unlock()
		if r.err == nil {
			t1 := time.Now()
			r.chain, r.err = s.verifyChain(ctx)
			r.audit = time.Since(t1)
		}
		mu.Lock()
		done.db++
		mu.Unlock()
		dbc <- r
	}()
	t0 := time.Now()
	checked := s.v.Current() // the checkpoint v.Check reads (one taken in between only lists more)
	vr, verr := s.v.Check(ctx, func(n, t int) {
		mu.Lock()
		done.objects = n
		total = t + dbSteps
		report("Reading the vault's files")
		mu.Unlock()
	})
	filesTime := time.Since(t0)
	db := <-dbc
	if verr != nil {
		return nil, verr
	}
	if db.err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("checking the database: %w", db.err)
	}
	// Documents added since the last checkpoint are in the database (its
	// redo log) but not yet in the checkpoint's list, which is all v.Check
	// reads: read those too, or a damaged new document would pass.
	listed := map[vault.ID]bool{}
	if checked != nil {
		for _, r := range checked.AllObjects() {
			if r.Kind == vault.KindDocument {
				listed[r.ID] = true
			}
		}
	}
	for _, r := range db.docs {
		if listed[r.ID] {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		vr.Documents++
		_, err := s.v.GetObject(vault.KindDocument, r.ID)
		var de *vault.DamagedError
		switch {
		case errors.As(err, &de):
			vr.Damaged = append(vr.Damaged, vault.ObjectProblem{Kind: r.Kind, ID: r.ID, File: de.File, Reason: de.Reason})
		case err != nil:
			return nil, fmt.Errorf("checking a document's stored piece: %w", err)
		}
	}
	progress(BackupProgress{Phase: "Done", Objects: total, TotalObjects: total})

	rep := &CheckReport{ReadOnly: s.readOnly, FilesTime: filesTime, DatabaseTime: db.db, ChainTime: db.audit}
	add := func(name, status, said, detail string) {
		rep.Items = append(rep.Items, CheckItem{Name: name, Status: status, Said: said, Detail: detail})
	}
	var badChunks, badSegs, badDocs []vault.ObjectProblem
	for _, p := range vr.Damaged {
		switch p.Kind {
		case vault.KindDBChunk:
			badChunks = append(badChunks, p)
		case vault.KindDocument:
			badDocs = append(badDocs, p)
		default:
			badSegs = append(badSegs, p)
		}
	}
	how := "magic, kind and length checked, XChaCha20-Poly1305 tag verified, HMAC-SHA256 id recomputed from the plaintext"
	if len(badChunks) == 0 {
		add("Database files", CheckOK,
			fmt.Sprintf("All %s of the database read back intact.", count(vr.Chunks, "piece", "pieces")),
			fmt.Sprintf("%s of checkpoint %d: %s", human.Count(vr.Chunks, "chunk object", "chunk objects"), vr.Seq, how))
	} else {
		add("Database files", CheckDamaged,
			fmt.Sprintf("%d of the %s of the database %s damaged.", len(badChunks), count(vr.Chunks, "piece", "pieces"), human.Noun(len(badChunks), "is", "are")),
			objectProblems(badChunks))
	}
	switch {
	case vr.Segments == 0:
		add("Sealed audit trail", CheckOK, "No part of the audit trail is sealed yet; it is all in the database.", "no sealed audit segment objects")
	case len(badSegs) == 0:
		add("Sealed audit trail", CheckOK,
			fmt.Sprintf("All %s of the audit trail read back intact.", count(vr.Segments, "sealed part", "sealed parts")),
			fmt.Sprintf("%s: %s", human.Count(vr.Segments, "audit segment object", "audit segment objects"), how))
	default:
		add("Sealed audit trail", CheckDamaged,
			fmt.Sprintf("%d of the %s of the audit trail %s damaged.", len(badSegs), count(vr.Segments, "sealed part", "sealed parts"), human.Noun(len(badSegs), "is", "are")),
			objectProblems(badSegs))
	}
	switch {
	case vr.Documents == 0:
	case len(badDocs) == 0:
		add("Documents", CheckOK,
			fmt.Sprintf("All %s of the documents read back intact.", count(vr.Documents, "stored piece", "stored pieces")),
			fmt.Sprintf("%s: %s", human.Count(vr.Documents, "document chunk object", "document chunk objects"), how))
	default:
		add("Documents", CheckDamaged,
			fmt.Sprintf("%d of the %s of the documents %s damaged.", len(badDocs), count(vr.Documents, "stored piece", "stored pieces"), human.Noun(len(badDocs), "is", "are")),
			objectProblems(badDocs))
	}
	switch {
	case vr.Manifest != "":
		add("List of the vault's files", CheckDamaged, "The list of the database's pieces is damaged.", "manifest: "+vr.Manifest)
	case vr.Copy != "":
		add("List of the vault's files", CheckDamaged, "The spare copy of the list of the database's pieces is damaged; the list itself is intact.",
			fmt.Sprintf("%s/%016x: %s", vault.ManifestsDir, vr.Seq, vr.Copy))
	case vr.CopyMissing && !s.readOnly:
		add("List of the vault's files", CheckWarning,
			"The list of the database's pieces is intact, but its spare copy is missing. The next save (when the vault locks) writes it again.",
			fmt.Sprintf("manifest of checkpoint %d authenticated; %s/%016x is missing", vr.Seq, vault.ManifestsDir, vr.Seq))
	default:
		add("List of the vault's files", CheckOK, "The list of the database's pieces and its spare copy are intact.",
			fmt.Sprintf("manifest of checkpoint %d authenticated, names the checkpoint opened; its copy under %s/ is identical", vr.Seq, vault.ManifestsDir))
	}
	if vr.Log != "" {
		add("Recent changes", CheckDamaged, "The log of changes since the last save is damaged.",
			fmt.Sprintf("redo log of checkpoint %d (%s): %s", vr.Seq, human.Size(vr.LogBytes), vr.Log))
	} else {
		add("Recent changes", CheckOK,
			fmt.Sprintf("The log of changes since the last save is intact (%s).", count(vr.LogRecords, "change", "changes")),
			fmt.Sprintf("redo log of checkpoint %d: %s, %s, every record authenticated", vr.Seq, human.Count(vr.LogRecords, "record", "records"), human.Size(vr.LogBytes)))
	}
	if len(db.problems) == 0 {
		add("Database consistency", CheckOK,
			fmt.Sprintf("The database is consistent: %s, %s, %s.", count(db.counts.Clients, "client", "clients"),
				count(db.counts.Matters, "matter", "matters"), count(db.counts.Notes, "note", "notes")),
			"PRAGMA integrity_check and foreign_key_check: ok")
	} else {
		add("Database consistency", CheckDamaged, "The database is inconsistent: its own check found problems in it.",
			fmt.Sprintf("PRAGMA integrity_check / foreign_key_check: %s; the first: %s", human.Count(len(db.problems), "problem", "problems"), human.Truncate(db.problems[0], 300)))
	}
	if db.chain.OK {
		add("Audit trail", CheckOK,
			fmt.Sprintf("The audit trail is intact: %s, each chained to the one before.", count(db.chain.Entries, "entry", "entries")),
			"HMAC chain verified from entry 1 to the recorded head "+shortHead(db.chain.Head))
	} else {
		add("Audit trail", CheckDamaged, "The audit trail has been altered or damaged.", db.chain.Problem)
	}

	rep.OK = len(rep.Problems()) == 0
	rep.Advice = checkAdvice(rep, vr, s.readOnly)
	rep.Duration = time.Since(start)
	result := "passed"
	if !rep.OK {
		var names []string
		for _, p := range rep.Problems() {
			names = append(names, p.Name+": "+p.Detail)
		}
		result = "FAILED: " + human.Truncate(strings.Join(names, "; "), 500)
	}
	if !s.readOnly {
		if err := s.audit(ctx, "vault.check", "", result); err == nil {
			rep.Recorded = true
		}
	}
	if !rep.OK {
		p := rep.Problems()[0]
		return rep, fmt.Errorf("%w: %s", ErrCheckFailed, strings.TrimSuffix(p.Said, "."))
	}
	return rep, nil
}

// count is human.Count with thousands separators: "10,000 clients".
func count(n int, one, many string) string {
	return human.Number(int64(n)) + " " + human.Noun(n, one, many)
}

func objectProblems(ps []vault.ObjectProblem) string {
	var b strings.Builder
	for i, p := range ps {
		if i == 10 {
			fmt.Fprintf(&b, "; and %d more", len(ps)-10)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s: %s", p.File, p.Reason)
	}
	return b.String()
}

// checkAdvice says what to do after a check: nothing when all is well.
func checkAdvice(rep *CheckReport, vr *vault.CheckReport, readOnly bool) string {
	if rep.OK {
		for _, it := range rep.Items {
			if it.Status == CheckWarning {
				return "Nothing is damaged. " + it.Said
			}
		}
		return ""
	}
	if readOnly {
		return "This vault is open read-only because it is damaged. Back up what it shows now (to a new backup drive or folder if the usual one " +
			"holds older good snapshots), then repair it (Repair… on the unlock screen, or casevault repair); the damaged part is kept aside, not deleted."
	}
	onlyLog := vr.Log != "" && len(vr.Damaged) == 0 && vr.Manifest == "" && vr.Copy == ""
	for _, it := range rep.Problems() {
		if it.Name == "Database consistency" || it.Name == "Audit trail" {
			onlyLog = false
		}
	}
	if onlyLog {
		return "The log of recent changes is damaged on disk. Keep this folder as it is. Lock the vault, then choose Repair… on the unlock screen " +
			"(or run casevault repair): it keeps every change before the damage and sets the damaged part aside, not deleted."
	}
	return "Keep this vault folder as it is, and do not delete anything. Restore your latest backup into a new folder " +
		"(Backups, then Restore…; or casevault restore), and run a restore drill or this check on it. " +
		"If the backup is older than your latest changes, write down what changed since it before you lock the vault: a damaged vault may not open again."
}
