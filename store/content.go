package store

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"hash"
	"math"
	"time"
)

// ContentDigest is a SHA-256 over the database's logical content: the
// schema and every row of every ordinary table, in rowid order, each value
// tagged with its type. Derived data (the full-text index and its shadow
// tables) is left out; it is rebuilt from the rows. Two databases with equal
// digests hold the same records, however their pages are laid out, so a
// restored vault can be compared with the vault it was backed up from.
func (tx *Tx) ContentDigest() ([]byte, error) {
	h := sha256.New()
	var tables []string
	rows, err := tx.Query("SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, err
		}
		tables = append(tables, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := digestQuery(h, tx, "schema", "SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name"); err != nil {
		return nil, err
	}
	for _, t := range tables {
		if err := digestQuery(h, tx, t, "SELECT rowid, * FROM "+quoteIdent(t)+" ORDER BY rowid"); err != nil {
			return nil, err
		}
	}
	return h.Sum(nil), nil
}

func digestQuery(h hash.Hash, tx *Tx, label, q string) error {
	writeField(h, 's', []byte(label))
	rows, err := tx.Query(q)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var num [8]byte
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		h.Write([]byte{'R'})
		for _, v := range vals {
			switch x := v.(type) {
			case nil:
				h.Write([]byte{'n'})
			case int64:
				binary.LittleEndian.PutUint64(num[:], uint64(x))
				writeField(h, 'i', num[:])
			case float64:
				binary.LittleEndian.PutUint64(num[:], math.Float64bits(x))
				writeField(h, 'f', num[:])
			case string:
				writeField(h, 't', []byte(x))
			case []byte:
				writeField(h, 'b', x)
			case bool:
				if x {
					writeField(h, 'i', []byte{1})
				} else {
					writeField(h, 'i', []byte{0})
				}
			case time.Time:
				writeField(h, 'd', []byte(x.UTC().Format(time.RFC3339Nano)))
			default:
				writeField(h, '?', []byte(fmt.Sprintf("%T:%v", x, x)))
			}
		}
	}
	return rows.Err()
}

func writeField(h hash.Hash, tag byte, b []byte) {
	var n [9]byte
	n[0] = tag
	binary.LittleEndian.PutUint64(n[1:], uint64(len(b)))
	h.Write(n[:])
	h.Write(b)
}

// IntegrityCheck runs PRAGMA integrity_check and foreign_key_check and
// returns what they report as wrong (nil when all is well).
func (tx *Tx) IntegrityCheck() ([]string, error) {
	var out []string
	rows, err := tx.Query("PRAGMA integrity_check")
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return nil, err
		}
		if s != "ok" {
			out = append(out, s)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = tx.Query("PRAGMA foreign_key_check")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var table, parent string
		var rowid, fkid any
		if err := rows.Scan(&table, &rowid, &parent, &fkid); err != nil {
			return nil, err
		}
		out = append(out, fmt.Sprintf("row %v of %s points to a missing row of %s", rowid, table, parent))
	}
	return out, rows.Err()
}
