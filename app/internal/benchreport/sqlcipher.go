package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// The peer: the same rows inserted into SQLCipher through its command-line
// shell, then single-row UPDATEs of a client's phone, each in its own
// (autocommit) transaction. One shell process does everything, so process
// start and key derivation are outside the timed statements; the shell times
// each input line itself (.timer on, "Run Time: real X").
//
// The shell's real-time clock has millisecond resolution, so each timed line
// holds editBatch autocommit UPDATEs and one sample is that line's time
// divided by editBatch (a sub-millisecond edit would otherwise read 0 or 1 ms).
//
// After the script, the same shell is driven one statement at a time, so
// each UPDATE is a sample of its own: benchreport writes the statement and
// a ".print" marker to the shell's standard input and reads the marker back
// (the shell flushes its output before reading each line), timing it with
// Go's monotonic clock. Before each UPDATE it times a marker alone, the
// round trip through the pipes and the shell's input loop; a statement's
// sample is its time minus the median of those round trips. (The shell's
// own clocks cannot do better: .timer and julianday('now') / strftime('%f')
// have millisecond resolution.)

const editBatch = 10

type peerResult struct {
	N         int     `json:"n"`
	Version   string  `json:"version"` // SQLCipher version (PRAGMA cipher_version)
	InsertSec float64 `json:"insert_sec"`
	WAL       samples `json:"wal"`    // per-edit time, journal_mode=WAL, synchronous=FULL
	Delete    samples `json:"delete"` // per-edit time, journal_mode=DELETE, synchronous=FULL
	Edits     int     `json:"edits"`  // edits per mode
	// Each statement timed alone (the pipe protocol above): per-edit time
	// less the median round trip, and the round trips themselves.
	WALStmt    samples `json:"wal_stmt"`
	DeleteStmt samples `json:"delete_stmt"`
	RoundTrip  samples `json:"round_trip"`
	StmtEdits  int     `json:"stmt_edits"` // edits per mode
	Size       int64   `json:"size"`
	MaxRSSKiB  int64   `json:"max_rss_kib"`
	KDFIter    string  `json:"kdf_iter"`
	PageSize   string  `json:"page_size"`
}

func sqlq(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

const peerSchema = `
CREATE TABLE clients (
	id             INTEGER PRIMARY KEY,
	name           TEXT NOT NULL CHECK (length(trim(name)) > 0),
	email          TEXT NOT NULL DEFAULT '',
	phone          TEXT NOT NULL DEFAULT '',
	dob            TEXT NOT NULL DEFAULT '',
	address        TEXT NOT NULL DEFAULT '',
	notes          TEXT NOT NULL DEFAULT '',
	security_class TEXT NOT NULL DEFAULT 'general',
	created_at     INTEGER NOT NULL,
	updated_at     INTEGER NOT NULL
);
CREATE INDEX clients_by_name ON clients(name COLLATE NOCASE);
CREATE INDEX clients_by_updated ON clients(updated_at);
CREATE TABLE matters (
	id             INTEGER PRIMARY KEY,
	client_id      INTEGER NOT NULL REFERENCES clients(id) ON DELETE RESTRICT,
	title          TEXT NOT NULL,
	practice_area  TEXT NOT NULL DEFAULT '',
	status         TEXT NOT NULL DEFAULT 'open',
	opened_at      INTEGER NOT NULL,
	closed_at      INTEGER,
	security_class TEXT NOT NULL DEFAULT 'general',
	created_at     INTEGER NOT NULL,
	updated_at     INTEGER NOT NULL
);
CREATE INDEX matters_by_client ON matters(client_id);
CREATE TABLE parties (
	id        INTEGER PRIMARY KEY,
	matter_id INTEGER NOT NULL REFERENCES matters(id) ON DELETE CASCADE,
	role      TEXT NOT NULL,
	name      TEXT NOT NULL
);
CREATE INDEX parties_by_matter ON parties(matter_id);
CREATE VIRTUAL TABLE search USING fts4(kind, ref, name, body, notindexed=kind, notindexed=ref, tokenize=unicode61);
CREATE TRIGGER clients_fts_ai AFTER INSERT ON clients BEGIN
	INSERT INTO search(docid, kind, ref, name, body) VALUES ((1 << 40) | new.id, 'client', new.id, new.name, new.notes);
END;
CREATE TRIGGER clients_fts_au AFTER UPDATE ON clients BEGIN
	DELETE FROM search WHERE docid = (1 << 40) | old.id;
	INSERT INTO search(docid, kind, ref, name, body) VALUES ((1 << 40) | new.id, 'client', new.id, new.name, new.notes);
END;
CREATE TRIGGER matters_fts_ai AFTER INSERT ON matters BEGIN
	INSERT INTO search(docid, kind, ref, name, body) VALUES ((3 << 40) | new.id, 'matter', new.id, new.title, new.practice_area);
END;
`

// writePeerScript writes the shell script for n clients; it returns the
// number of timed edit lines per journal mode.
func writePeerScript(path string, n, editsPerMode int, seed uint64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	pf := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	pf("PRAGMA key = %s;\n", sqlq(string(benchPass)))
	pf(".print @@version\nPRAGMA cipher_version;\nPRAGMA kdf_iter;\nPRAGMA cipher_page_size;\n")
	pf(".print @@setup\nPRAGMA journal_mode = WAL;\nPRAGMA synchronous = FULL;\nPRAGMA foreign_keys = ON;\n")
	pf("%s\n", peerSchema)

	p := genPeople(n, seed)
	d := newDetails(seed)
	now := time.Now().UnixMilli()
	pf(".print @@insert\n.timer on\nBEGIN;\n")
	for i := range n {
		id := i + 1
		c := d.client(p.clients[i])
		pf("INSERT INTO clients(id, name, email, phone, dob, address, notes, security_class, created_at, updated_at) VALUES (%d, %s, %s, %s, %s, %s, %s, 'general', %d, %d);\n",
			id, sqlq(c.Name), sqlq(c.Email), sqlq(c.Phone), sqlq(c.DOB), sqlq(c.Address), sqlq(c.Notes), now, now)
		m := d.matter(int64(id), p.clients[i], p.parties[i])
		pf("INSERT INTO matters(id, client_id, title, practice_area, status, opened_at, security_class, created_at, updated_at) VALUES (%d, %d, %s, %s, 'open', %d, 'general', %d, %d);\n",
			id, id, sqlq(m.Title), sqlq(m.PracticeArea), now, now, now)
		var vals []string
		for _, pt := range m.Parties {
			vals = append(vals, fmt.Sprintf("(%d, %s, %s)", id, sqlq(pt.Role), sqlq(pt.Name)))
		}
		pf("INSERT INTO parties(matter_id, role, name) VALUES %s;\n", strings.Join(vals, ", "))
	}
	pf("COMMIT;\n.timer off\n")

	rng := rand.New(rand.NewPCG(seed, 5))
	edits := func(lines int) {
		for range lines {
			for range editBatch {
				now++
				pf("UPDATE clients SET phone = %s, updated_at = %d WHERE id = %d; ", sqlq(phone(rng)), now, 1+rng.IntN(n))
			}
			pf("\n")
		}
	}
	lines := editsPerMode / editBatch
	pf(".print @@warm\n.timer on\n")
	edits(2)
	pf(".timer off\n.print @@wal\n.timer on\n")
	edits(lines)
	pf(".timer off\nPRAGMA journal_mode = DELETE;\n.print @@warm\n.timer on\n")
	edits(2)
	pf(".timer off\n.print @@delete\n.timer on\n")
	edits(lines)
	pf(".timer off\n.print @@end\n")
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// runPeer builds the SQLCipher database for n clients in dir and times the
// edits: in batches by the script, then one statement at a time.
func runPeer(bin, dir string, n, editsPerMode int, seed uint64) (*peerResult, error) {
	res := &peerResult{N: n}
	script := filepath.Join(dir, fmt.Sprintf("peer-%d.sql", n))
	db := filepath.Join(dir, fmt.Sprintf("peer-%d.db", n))
	if err := writePeerScript(script, n, editsPerMode, seed); err != nil {
		return nil, err
	}
	defer os.Remove(script)
	f, err := os.Open(script)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cmd := exec.Command(bin, "-bail", db)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	outPipe, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	running.Lock()
	err = cmd.Start()
	if err == nil {
		running.p = cmd.Process
	}
	running.Unlock()
	if err != nil {
		return nil, err
	}
	defer func() {
		running.Lock()
		running.p = nil
		running.Unlock()
	}()
	fail := func(err error) (*peerResult, error) {
		in.Close()
		cmd.Process.Kill()
		cmd.Wait()
		return nil, fmt.Errorf("%s: %v: %s", bin, err, strings.TrimSpace(stderr.String()))
	}
	const scriptDone = "@@scriptdone"
	wrote := make(chan error, 1)
	go func() {
		_, err := io.Copy(in, f)
		if err == nil {
			_, err = fmt.Fprintln(in, ".print "+scriptDone)
		}
		wrote <- err
	}()

	out := bufio.NewScanner(outPipe)
	phase := ""
	var versionLines []string
	for {
		if !out.Scan() {
			<-wrote
			return fail(fmt.Errorf("the shell stopped in the script (last phase %q)", phase))
		}
		line := out.Text()
		if line == scriptDone {
			break
		}
		if m, ok := strings.CutPrefix(line, "@@"); ok {
			phase = m
			continue
		}
		if phase == "version" {
			versionLines = append(versionLines, line)
			continue
		}
		if !strings.HasPrefix(line, "Run Time:") {
			continue
		}
		var real float64
		if _, err := fmt.Sscanf(line, "Run Time: real %f", &real); err != nil {
			return fail(fmt.Errorf("cannot parse %q", line))
		}
		switch phase {
		case "insert":
			res.InsertSec += real
		case "wal":
			res.WAL = append(res.WAL, real/editBatch)
		case "delete":
			res.Delete = append(res.Delete, real/editBatch)
		}
	}
	if err := <-wrote; err != nil {
		return fail(err)
	}
	if len(versionLines) >= 3 {
		res.Version, res.KDFIter, res.PageSize = versionLines[0], versionLines[1], versionLines[2]
	}
	if phase != "end" || len(res.WAL) == 0 || len(res.Delete) == 0 {
		return fail(fmt.Errorf("the shell did not finish the script (last phase %q)", phase))
	}
	res.Edits = len(res.WAL) * editBatch

	// One statement at a time.
	marks := 0
	stmt := func(sql string) (float64, error) {
		marks++
		mark := fmt.Sprintf("@@s%d", marks)
		start := time.Now()
		if _, err := fmt.Fprintf(in, "%s\n.print %s\n", sql, mark); err != nil {
			return 0, err
		}
		for out.Scan() {
			if out.Text() == mark {
				return time.Since(start).Seconds(), nil
			}
		}
		return 0, fmt.Errorf("the shell stopped after %q", sql)
	}
	rng := rand.New(rand.NewPCG(seed, 7))
	now := time.Now().UnixMilli() + 1e6
	update := func() string {
		now++
		return fmt.Sprintf("UPDATE clients SET phone = %s, updated_at = %d WHERE id = %d;", sqlq(phone(rng)), now, 1+rng.IntN(n))
	}
	var walRaw, delRaw samples
	for _, m := range []struct {
		mode string
		raw  *samples
	}{{"WAL", &walRaw}, {"DELETE", &delRaw}} {
		if _, err := stmt("PRAGMA journal_mode = " + m.mode + ";"); err != nil {
			return fail(err)
		}
		for range 10 { // warm up
			if _, err := stmt(update()); err != nil {
				return fail(err)
			}
		}
		for range editsPerMode {
			rt, err := stmt("")
			if err != nil {
				return fail(err)
			}
			d, err := stmt(update())
			if err != nil {
				return fail(err)
			}
			res.RoundTrip = append(res.RoundTrip, rt)
			*m.raw = append(*m.raw, d)
		}
	}
	rt := res.RoundTrip.median()
	for _, d := range walRaw {
		res.WALStmt = append(res.WALStmt, d-rt)
	}
	for _, d := range delRaw {
		res.DeleteStmt = append(res.DeleteStmt, d-rt)
	}
	res.StmtEdits = editsPerMode
	in.Close()
	if err := cmd.Wait(); err != nil {
		return nil, fmt.Errorf("%s: %v: %s", bin, err, strings.TrimSpace(stderr.String()))
	}
	if s := strings.TrimSpace(stderr.String()); s != "" {
		return nil, fmt.Errorf("%s: %s", bin, s)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		res.MaxRSSKiB = ru.Maxrss
	}
	for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
		if fi, err := os.Stat(db + suffix); err == nil {
			res.Size += fi.Size()
		}
	}
	return res, nil
}
