// Package dbtest holds the test helpers that store's and store/engine's
// tests share: vaults that reopen without Argon2id, and an exact logical
// dump of a database to compare before and after replay. It imports neither
// package, so engine's own (internal) tests can use it.
package dbtest

import (
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"

	"casevault/vault"
)

// KDF is the cheap Argon2id setting of test vaults.
var KDF = vault.KDFParams{Time: 1, MemoryKiB: 8 * 1024, Threads: 1}

// Pass is the passphrase of test vaults.
var Pass = []byte("test passphrase for the store")

// vaultKeys holds the recovery key of each vault these tests create:
// unlocking with it skips Argon2, which is most of the cost of a reopen
// (and several times slower under -race).
var vaultKeys sync.Map // dir -> vault.RecoveryKey

// NewVault creates a vault (with KDF) and remembers its recovery key.
// fast puts it on a memory file system when there is one: the property tests
// are about the engine's logic, and fsync on a slow disk would make up most
// of their run time.
func NewVault(t testing.TB, fast bool) string {
	t.Helper()
	base := ""
	if st, err := os.Stat("/dev/shm"); fast && err == nil && st.IsDir() {
		if tmp, err := os.MkdirTemp("/dev/shm", "casevault-store-test-"); err == nil {
			t.Cleanup(func() { os.RemoveAll(tmp) })
			base = tmp
		}
	}
	if base == "" {
		base = t.TempDir()
	}
	dir := base + "/v"
	v, key, err := vault.Create(dir, Pass, vault.CreateOptions{KDF: KDF})
	if err != nil {
		t.Fatal(err)
	}
	v.Close()
	vaultKeys.Store(dir, key)
	return dir
}

// Unlock opens the vault in dir, with its recovery key when it is known.
func Unlock(dir string) (*vault.Vault, error) {
	if k, ok := vaultKeys.Load(dir); ok {
		cred, err := vault.Recovery(string(k.(vault.RecoveryKey)))
		if err != nil {
			return nil, err
		}
		return vault.Open(dir, cred)
	}
	return vault.Open(dir, vault.Passphrase(Pass))
}

// RaceEnabled: the test binary was built with -race, which makes the
// (transpiled C) SQLite some twenty times slower.
var RaceEnabled = func() bool {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range bi.Settings {
		if s.Key == "-race" && s.Value == "true" {
			return true
		}
	}
	return false
}()

// Querier is what a dump needs of a transaction (engine.Tx and store.Tx).
type Querier interface {
	Query(query string, args ...any) (*sql.Rows, error)
	QueryRow(query string, args ...any) *sql.Row
}

// View runs fn in a read transaction of the database to dump.
type View func(fn func(tx Querier) error) error

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// FmtVal renders a value with its type, exactly (floats by their bits).
func FmtVal(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case int64:
		return "i:" + strconv.FormatInt(x, 10)
	case float64:
		return fmt.Sprintf("f:%v/%016x", x, math.Float64bits(x))
	case string:
		return "t:" + strconv.Quote(x)
	case []byte:
		return "b:" + hex.EncodeToString(x)
	}
	return fmt.Sprintf("?%T:%v", v, v)
}

// ftsProbeWords are looked up in the search index as part of every dump.
var ftsProbeWords = []string{"alpha", "delta", "kilo", "zoe", "cafe", "straße", "日本", "jr", "copy", "tribunal"}

// QueryLines runs q and renders each row exactly, after prefix.
func QueryLines(tx Querier, prefix, q string, args ...any) ([]string, error) {
	rows, err := tx.Query(q, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", q, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out []string
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = FmtVal(v)
		}
		out = append(out, prefix+strings.Join(parts, " | "))
	}
	return out, rows.Err()
}

// Dump is a full logical dump: the schema, every row of every table (rowid
// order, all columns), the search index's content (a table named search)
// and, if full, the results of some full-text queries and the integrity
// checks, which must pass.
func Dump(t testing.TB, view View, full bool) []string {
	t.Helper()
	var out []string
	err := view(func(tx Querier) error {
		add := func(prefix, q string, args ...any) error {
			l, err := QueryLines(tx, prefix, q, args...)
			out = append(out, l...)
			return err
		}
		if err := add("schema: ", "SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY type, name"); err != nil {
			return err
		}
		var tables []string
		rows, err := tx.Query("SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
		if err != nil {
			return err
		}
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				rows.Close()
				return err
			}
			tables = append(tables, n)
		}
		rows.Close()
		for _, tb := range tables {
			out = append(out, "table "+tb)
			if err := add(tb+": ", "SELECT rowid, * FROM "+quoteIdent(tb)+" ORDER BY rowid"); err != nil {
				return err
			}
		}
		var fts int
		if err := tx.QueryRow("SELECT count(*) FROM sqlite_schema WHERE name = 'search' AND type = 'table'").Scan(&fts); err != nil {
			return err
		}
		if fts > 0 {
			if err := add("search: ", "SELECT rowid, kind, ref, name, body FROM search ORDER BY rowid"); err != nil {
				return err
			}
			if !full {
				return nil
			}
			// One query for all the probe words: preparing statements is
			// most of a dump's cost under the race detector.
			words, _ := json.Marshal(ftsProbeWords)
			if err := add("match: ", `SELECT w.value, search.rowid, kind, ref, name, body FROM json_each(?) AS w
				JOIN search ON search MATCH ('"' || w.value || '"') ORDER BY w.key, search.rowid`, string(words)); err != nil {
				return err
			}
			if err := add("count: ", "SELECT count(*) FROM search"); err != nil {
				return err
			}
		}
		if !full {
			return nil
		}
		if err := add("integrity: ", "PRAGMA integrity_check"); err != nil {
			return err
		}
		return add("fk violation: ", "PRAGMA foreign_key_check")
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range out {
		if strings.HasPrefix(l, "integrity: ") && l != `integrity: t:"ok"` || strings.HasPrefix(l, "fk violation: ") {
			t.Fatalf("database check failed: %s", l)
		}
	}
	return out
}

// RequireSameDump fails with the first difference and some context.
func RequireSameDump(t testing.TB, label string, want, got []string) {
	t.Helper()
	n := min(len(want), len(got))
	i := 0
	for i < n && want[i] == got[i] {
		i++
	}
	if i == n && len(want) == len(got) {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: dumps differ at line %d (want %d lines, got %d)\n", label, i+1, len(want), len(got))
	lo := max(0, i-3)
	for j := lo; j < i; j++ {
		fmt.Fprintf(&b, "    same: %s\n", clip(want[j]))
	}
	if i < len(want) {
		fmt.Fprintf(&b, "    want: %s\n", clip(want[i]))
	} else {
		b.WriteString("    want: (end)\n")
	}
	if i < len(got) {
		fmt.Fprintf(&b, "    got:  %s\n", clip(got[i]))
	} else {
		b.WriteString("    got:  (end)\n")
	}
	t.Fatal(b.String())
}

func clip(s string) string {
	if len(s) > 600 {
		return s[:600] + fmt.Sprintf("… (%d bytes)", len(s))
	}
	return s
}

// RememberKey records the recovery key of the vault in dir, for Unlock (a
// copy of a test vault, or one made by another process).
func RememberKey(dir string, k vault.RecoveryKey) { vaultKeys.Store(dir, k) }

// Key is the recovery key remembered for the vault in dir.
func Key(dir string) (vault.RecoveryKey, bool) {
	k, ok := vaultKeys.Load(dir)
	if !ok {
		return "", false
	}
	return k.(vault.RecoveryKey), true
}
